// The engine core on the GPU: forward model, χ², priors and the analytic gradient of
// DESIGN §2 for a reference Scene (src/reference/scene.ts), matching that oracle.
//
// One step (encodeStep), all in one compute pass, no readback:
//   setup      per pair: A(g, e) and derivatives, r0, F_adu, δ          (model-setup)
//   per tier, per chunk of ≤ K pairs (shared stamp/spectrum buffers):
//     spectrum   model half spectra, P(k) blended from the PSF table     (model-spectrum)
//     C2R FFT    stamps                                                 (fft.ts)
//     accumulate add the chunk's stamps to the touched image tiles      (accumulate-image)
//   residual   per 16×16 tile: R = (obs − model)·ivar, χ² part (hi, lo)  (residual-image)
//  [gradient, per tier, per chunk:
//     cut        R over each stamp footprint                            (grad-cut)
//     R2C FFT    R̂                                                     (fft.ts)
//     gradPair   per pair: ∂(χ²/2)/∂θ_pair                              (grad-pair)]
//   sources    per source: Σ pairs + prior, −log prior terms            (grad-sources)
//   loss       one workgroup: χ², loss, ∂/∂g in double-single           (reduce-loss)
// Memory does not grow with pairs × N²: per pair only small tables; the PSF spectra are
// one per grid stamp and tier in use (scene-layout.ts). Every sum has a fixed order
// (gather lists in engine order, chunk after chunk; fixed trees): bit-identical results
// on the same adapter. params and grad are plain f32 storage buffers in the layout of
// src/reference/scene.ts, so an optimiser kernel can update them in place.

import type { GpuContext } from './device';
import { createFft, type Fft2d } from './fft';
import { kernelShape } from './fft-plan';
import { DEFAULT_PRIORS, paramNames, sourceOffsets, type Priors, type Scene } from '../reference/scene';
import {
  buildSceneLayout,
  PAIR_GRAD_FLOATS,
  PAIR_STATE_FLOATS,
  wrappedPsfStamps,
  type DeviceLimits,
  type LayoutOptions,
  type PairChunk,
  type SceneLayout,
  type TierBatch,
} from './scene-layout';
import { checkShaders, globalPipeline, tierPipeline, WORKGROUP_SIZE, type GlobalKernel, type TierKernel } from './pipelines';
import { f32Bytes, uploadBytes, type MemoryCategory } from './memory';

export interface EngineOptions {
  /** Upper bound on pairs per chunk (default: from chunkBudgetBytes and the device limits). */
  maxChunkPairs?: number;
  /** Bytes for the chunk work buffers, real stamps + half spectra (default 256 MiB). */
  chunkBudgetBytes?: number;
}

export interface EngineMemory {
  /** Bytes of all live buffers the engine owns (readback staging included). */
  total: number;
  byCategory: Record<MemoryCategory, number>;
}

export interface EngineReport {
  pairs: number;
  sources: number;
  /** Pairs whose PSF is a blend of grid stamps (the rest carry their own PSF spectrum). */
  blendedPairs: number;
  /** Pixels with ivar > 0 but a non-finite obs, masked (left out of χ²), per quadrant. */
  nonFiniteObs: { quadrant: string; count: number }[];
  tiers: { n: number; pairs: number; chunks: number; chunkPairs: number; psfSlots: number }[];
  memory: EngineMemory;
  /** Why the device was lost ("reason: message"), or null while it works. */
  deviceLost: string | null;
}

export interface EvaluateOptions {
  /** Compute and read back the gradient (default true). */
  gradient?: boolean;
  /** Read back the model images (default false). */
  models?: boolean;
  /** Read back the weighted residuals R = (obs − model)·ivar (default false). */
  residuals?: boolean;
}

export interface EvaluateResult {
  loss: number;
  chi2: number;
  negLogPrior: number;
  grad?: Float64Array;
  /** Per quadrant, row-major nx×ny, ADU. */
  models?: Float32Array[];
  residuals?: Float32Array[];
}

export interface DispatchInfo {
  kernel: string;
  /** Workgroups dispatched (x, y). */
  workgroups: [number, number];
  workgroupSize: number;
  /** True for kernels that run only when the gradient is asked for. */
  gradient: boolean;
}

interface Dispatch extends DispatchInfo {
  pipeline: GPUComputePipeline;
  bind: GPUBindGroup;
}


interface FftCall {
  fft: Fft2d;
  chunk: PairChunk;
  tier: TierBatch;
}

interface ChunkDispatches {
  fft: FftCall;
  spectrum: Dispatch;
  accumulate: Dispatch | null;
  cut: Dispatch;
  gradPair: Dispatch;
}

const STORAGE = GPUBufferUsage.STORAGE;
const CATEGORIES: MemoryCategory[] = ['images', 'chunk', 'psf', 'pairs', 'tables', 'params', 'uniforms', 'readback'];

/** The error evaluate() rejects with once the device is lost. */
export class DeviceLostError extends Error {
  constructor(readonly reason: string) {
    super(`ShearEngine: the GPU device was lost (${reason}); results are unavailable — create a new device and engine`);
    this.name = 'DeviceLostError';
  }
}

export class ShearEngine {
  readonly layout: SceneLayout;
  readonly priors: Priors | null;
  readonly nParams: number;
  /** f32 parameter vector (layout of src/reference/scene.ts); STORAGE | COPY_SRC | COPY_DST. */
  readonly paramsBuffer: GPUBuffer;
  /** f32 gradient of the loss, written by a step with the gradient; STORAGE | COPY_SRC | COPY_DST. */
  readonly gradBuffer: GPUBuffer;
  /**
   * f32 [loss, χ², −log prior, 0, loss_lo, χ²_lo, −log prior_lo, 0], written by every step:
   * the first four as before, then the low words of their double-single sums (value = hi + lo).
   * STORAGE | COPY_SRC.
   */
  readonly lossBuffer: GPUBuffer;
  /** f32 model images, all quadrants back to back (layout.pixelOffsets). */
  readonly modelBuffer: GPUBuffer;
  readonly residualBuffer: GPUBuffer;

  private readonly device: GPUDevice;
  private readonly ctx: GpuContext;
  private readonly obsIvarBuffer: GPUBuffer;
  private readonly owned = new Map<GPUBuffer, MemoryCategory>();
  private readonly setupDispatch: Dispatch;
  private readonly chunks: ChunkDispatches[] = [];
  private readonly residualDispatch: Dispatch;
  private readonly finalDispatches: { withGrad: Dispatch[]; withoutGrad: Dispatch[] } = { withGrad: [], withoutGrad: [] };
  private readonly ffts: Fft2d[] = [];
  private readonly stampsBuffer: GPUBuffer;
  private readonly specBuffer: GPUBuffer;
  private readonly psfSpecBuffers: GPUBuffer[] = [];
  private readonly quadrantNames: string[];
  private queue: Promise<unknown> = Promise.resolve();
  private staging = new Map<string, GPUBuffer>();
  private destroyed = false;
  private lostReason: string | null = null;
  private readonly pending = new Set<(e: Error) => void>();

  private constructor(ctx: GpuContext, layout: SceneLayout, priors: Priors | null, quadrantNames: string[]) {
    this.device = ctx.device;
    this.ctx = ctx;
    this.layout = layout;
    this.priors = priors;
    this.nParams = layout.nParams;
    this.quadrantNames = quadrantNames;
    const L = layout;
    const d = this.device;
    d.lost.then((info) => {
      this.lostReason = `${info.reason}: ${info.message || 'no message'}`;
      const err = new DeviceLostError(this.lostReason);
      for (const reject of this.pending) reject(err);
      this.pending.clear();
    });
    const P = Math.max(1, L.nPairs);
    this.paramsBuffer = this.buffer('params', 'params', f32Bytes(L.nParams), STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.gradBuffer = this.buffer('grad', 'params', f32Bytes(L.nParams), STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.lossBuffer = this.buffer('loss', 'params', 32, STORAGE | GPUBufferUsage.COPY_SRC);
    const obsIvar = this.upload('obs-ivar', 'images', L.obsIvar.buffer as ArrayBuffer);
    this.obsIvarBuffer = obsIvar;
    this.modelBuffer = this.buffer('model', 'images', f32Bytes(L.totalPixels), STORAGE | GPUBufferUsage.COPY_SRC);
    this.residualBuffer = this.buffer('residual', 'images', f32Bytes(L.totalPixels), STORAGE | GPUBufferUsage.COPY_SRC);
    this.stampsBuffer = this.buffer('stamps', 'chunk', f32Bytes(L.stampFloats), STORAGE | GPUBufferUsage.COPY_DST);
    this.specBuffer = this.buffer('spectra', 'chunk', 2 * f32Bytes(L.specVec2), STORAGE);
    for (const t of L.tiers) {
      this.psfSpecBuffers.push(this.buffer(`psf-spectra:${t.n}`, 'psf', 2 * f32Bytes(t.psfSlots.length * t.n * (t.n / 2 + 1)), STORAGE));
    }
    const pairStatic = this.upload('pair-static', 'pairs', L.pairStatic);
    const pairPsf = this.upload('pair-psf', 'pairs', L.pairPsf);
    const state = this.buffer('pair-state', 'pairs', f32Bytes(P * PAIR_STATE_FLOATS), STORAGE);
    const pairGrad = this.buffer('pair-grad', 'pairs', f32Bytes(P * PAIR_GRAD_FLOATS), STORAGE);
    const layoutBuf = this.upload('layout', 'tables', L.layout.buffer as ArrayBuffer);
    const sourceStatic = this.upload('source-static', 'tables', L.sourceStatic);
    const chi2Part = this.buffer('chi2-part', 'tables', 2 * f32Bytes(L.nTiles), STORAGE);
    const nlpPart = this.buffer('nlp-part', 'tables', f32Bytes(L.nSources), STORAGE);

    const bind = (pipeline: GPUComputePipeline, buffers: GPUBuffer[]): GPUBindGroup =>
      d.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
    const global = (kernel: GlobalKernel, buffers: GPUBuffer[], workgroups: [number, number], gradient = false): Dispatch => {
      const pipeline = globalPipeline(d, kernel);
      return { kernel, pipeline, bind: bind(pipeline, buffers), workgroups, workgroupSize: WORKGROUP_SIZE[kernel], gradient };
    };
    const uniform = (label: string, words: ArrayBuffer): GPUBuffer => {
      const b = this.buffer(label, 'uniforms', words.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
      d.queue.writeBuffer(b, 0, words);
      return b;
    };
    const grid = (n: number): [number, number] => [Math.max(1, Math.min(n, 65535)), Math.max(1, Math.ceil(n / 65535))];
    const tierDispatch = (kernel: TierKernel, n: number, u: GPUBuffer, buffers: GPUBuffer[], workgroups: [number, number]): Dispatch => {
      const pipeline = tierPipeline(d, kernel, n);
      return {
        kernel: `${kernel}:${n}`,
        pipeline,
        bind: bind(pipeline, [u, ...buffers]),
        workgroups,
        workgroupSize: WORKGROUP_SIZE[kernel],
        gradient: kernel !== 'spectrum',
      };
    };

    this.setupDispatch = global('setup', [this.paramsBuffer, pairStatic, state], [Math.max(1, Math.ceil(L.nPairs / 64)), 1]);
    const G = uniform('layout-globals', new Uint32Array([L.tileBase, L.recordBase, L.tileListBase, L.nTiles]).buffer);
    const accPipeline = globalPipeline(d, 'accumulate');
    L.tiers.forEach((tier, ti) => {
      const n = tier.n;
      const fft = createFft(ctx, n, tier.chunkPairs);
      this.ffts.push(fft);
      const psfSpec = this.psfSpecBuffers[ti];
      for (const chunk of tier.chunks) {
        const u = uniform(`chunk-${n}-${chunk.pairBase}`, new Uint32Array([chunk.pairBase, chunk.count, chunk.recordStart, chunk.nRecords]).buffer);
        this.chunks.push({
          fft: { fft, chunk, tier },
          spectrum: tierDispatch('spectrum', n, u, [pairStatic, state, pairPsf, psfSpec, this.specBuffer], [Math.ceil((n * (n / 2 + 1)) / 64), chunk.count]),
          accumulate:
            chunk.nRecords > 0
              ? {
                  kernel: 'accumulate',
                  pipeline: accPipeline,
                  bind: bind(accPipeline, [u, G, layoutBuf, pairStatic, this.stampsBuffer, this.modelBuffer]),
                  workgroups: grid(chunk.nRecords),
                  workgroupSize: WORKGROUP_SIZE.accumulate,
                  gradient: false,
                }
              : null,
          cut: tierDispatch('cut', n, u, [layoutBuf, pairStatic, this.residualBuffer, this.stampsBuffer], [Math.ceil((n * n) / 64), chunk.count]),
          gradPair: tierDispatch('gradPair', n, u, [pairStatic, state, pairPsf, psfSpec, this.specBuffer, pairGrad], [chunk.count, 1]),
        });
      }
    });
    this.residualDispatch = global('residual', [G, layoutBuf, obsIvar, this.modelBuffer, this.residualBuffer, chi2Part], grid(L.nTiles));
    const p = priors ?? DEFAULT_PRIORS;
    for (const withGrad of [true, false]) {
      const su = new ArrayBuffer(32);
      new Uint32Array(su, 0, 4).set([L.sourceListBase, withGrad ? 1 : 0, L.nSources, priors ? 1 : 0]);
      new Float32Array(su, 16, 4).set([p.fluxLogSigma, p.hlrLogSigma, p.eSigma, p.offsetSigma]);
      const lu = new ArrayBuffer(32);
      new Uint32Array(lu, 0, 4).set([L.nTiles, L.nSources, L.nPairs, withGrad ? 1 : 0]);
      new Float32Array(lu, 16, 2).set([p.gSigma, priors ? 1 : 0]);
      const list = withGrad ? this.finalDispatches.withGrad : this.finalDispatches.withoutGrad;
      list.push(
        global(
          'sources',
          [uniform('sources', su), layoutBuf, sourceStatic, this.paramsBuffer, pairGrad, this.gradBuffer, nlpPart],
          [Math.max(1, Math.ceil(L.nSources / 64)), 1],
        ),
        global('loss', [uniform('loss', lu), chi2Part, nlpPart, pairGrad, this.paramsBuffer, this.gradBuffer, this.lossBuffer], [1, 1]),
      );
    }
  }

  /**
   * Uploads the scene and computes the PSF spectra P(k) once on the GPU (R2C FFT of each
   * PSF slot's stamp centred on the N-grid: grid stamps for pairs with `psfBlend`, the
   * pair's own PSF otherwise). `priors = null`: loss = χ²/2. `opts` bound the chunk size.
   */
  static async create(ctx: GpuContext, scene: Scene, priors: Priors | null = DEFAULT_PRIORS, opts: EngineOptions = {}): Promise<ShearEngine> {
    if (priors) {
      scene.sources.forEach((s, i) => {
        if (!(s.catalogFlux > 0)) throw new RangeError(`source ${i}: catalogFlux = ${s.catalogFlux} must be > 0 (LogNormal prior median)`);
        if (s.kind === 'galaxy' && !((s.catalogHlr ?? 0) > 0)) {
          throw new RangeError(`source ${i}: catalogHlr = ${s.catalogHlr} must be > 0 (LogNormal prior median)`);
        }
      });
      for (const [k, v] of Object.entries(priors)) if (!(v > 0)) throw new RangeError(`priors.${k} = ${v} must be > 0`);
    }
    const limits: DeviceLimits = {
      maxStorageBufferBindingSize: ctx.device.limits.maxStorageBufferBindingSize,
      maxBufferSize: ctx.device.limits.maxBufferSize,
    };
    const layoutOpts: LayoutOptions = { limits, maxChunkPairs: opts.maxChunkPairs, chunkBudgetBytes: opts.chunkBudgetBytes };
    const layout = buildSceneLayout(scene, layoutOpts);
    checkBindingSizes(layout, limits);
    ctx.device.pushErrorScope('out-of-memory');
    ctx.device.pushErrorScope('validation');
    const engine = new ShearEngine(ctx, layout, priors, scene.quadrants.map((q, k) => q.name ?? String(k)));
    const err = await ctx.device.popErrorScope();
    const oom = await ctx.device.popErrorScope();
    if (err || oom) {
      engine.destroy();
      if (oom) throw new Error(`ShearEngine.create: out of GPU memory allocating ${engine.memoryBytes().total} bytes (${oom.message})`);
      await checkShaders(ctx.device, layout.tiers.map((t) => t.n));
      throw new Error(`ShearEngine.create: ${err!.message}`);
    }
    // PSF spectra, once per slot: wrapped PSF stamps → R2C, a chunk of slots at a time
    // through the stamp buffer (each chunk its own submit, after its upload).
    layout.tiers.forEach((tier, ti) => {
      const fft = engine.ffts[ti];
      for (let first = 0; first < tier.psfSlots.length; first += tier.chunkPairs) {
        const count = Math.min(tier.chunkPairs, tier.psfSlots.length - first);
        const stamps = wrappedPsfStamps(scene, tier, first, count);
        ctx.device.queue.writeBuffer(engine.stampsBuffer, 0, stamps.buffer as ArrayBuffer, stamps.byteOffset, stamps.byteLength);
        const enc = ctx.device.createCommandEncoder({ label: 'psf-spectra' });
        fft.forwardReal(enc, { buffer: engine.stampsBuffer }, { buffer: engine.psfSpecBuffers[ti], byteOffset: first * fft.halfStampBytes }, count);
        ctx.device.queue.submit([enc.finish()]);
      }
    });
    return engine;
  }

  /** Parameter names in vector order (src/reference/scene.ts paramNames). */
  static paramNames(scene: Scene): string[] {
    return paramNames(scene);
  }

  /** Checks the vector (length, finite, flux and hlr > 0, |e| < 1, |g| < 1) and uploads it as f32. */
  setParams(p: Float64Array | Float32Array, scene?: Scene): void {
    this.alive();
    if (p.length !== this.nParams) throw new RangeError(`setParams: ${p.length} values, the scene needs ${this.nParams}`);
    for (let i = 0; i < p.length; i++) if (!Number.isFinite(p[i])) throw new RangeError(`setParams: parameter ${i} = ${p[i]} is not finite`);
    if (!(p[0] * p[0] + p[1] * p[1] < 1)) throw new RangeError(`setParams: shear (${p[0]}, ${p[1]}) has |g| ≥ 1`);
    if (scene) {
      const off = sourceOffsets(scene);
      scene.sources.forEach((s, i) => {
        const o = off[i];
        if (!(p[o] > 0)) throw new RangeError(`setParams: source ${i} flux = ${p[o]} must be > 0`);
        if (s.kind === 'galaxy') {
          if (!(p[o + 1] > 0)) throw new RangeError(`setParams: source ${i} hlr = ${p[o + 1]} must be > 0`);
          if (!(p[o + 2] ** 2 + p[o + 3] ** 2 < 1)) throw new RangeError(`setParams: source ${i} e = (${p[o + 2]}, ${p[o + 3]}) has |e| ≥ 1`);
        }
      });
    }
    this.device.queue.writeBuffer(this.paramsBuffer, 0, Float32Array.from(p));
  }

  /**
   * Encodes one evaluation at the parameters in paramsBuffer: model images, residuals,
   * loss into lossBuffer and, with `gradient`, the gradient into gradBuffer. Takes a
   * command encoder (own compute pass) or an open compute pass.
   */
  encodeStep(enc: GPUCommandEncoder | GPUComputePassEncoder, opts: { gradient?: boolean } = {}): void {
    this.alive();
    const withGrad = opts.gradient ?? true;
    const own = 'beginComputePass' in enc;
    const pass = own ? enc.beginComputePass({ label: 'shear-engine-step' }) : enc;
    const run = (x: Dispatch) => {
      pass.setPipeline(x.pipeline);
      pass.setBindGroup(0, x.bind);
      pass.dispatchWorkgroups(x.workgroups[0], x.workgroups[1]);
    };
    run(this.setupDispatch);
    for (const c of this.chunks) {
      run(c.spectrum);
      this.fftCall(pass, c.fft, 'inverseReal');
      if (c.accumulate) run(c.accumulate);
    }
    run(this.residualDispatch);
    if (withGrad) {
      for (const c of this.chunks) {
        run(c.cut);
        this.fftCall(pass, c.fft, 'forwardReal');
        run(c.gradPair);
      }
    }
    for (const x of withGrad ? this.finalDispatches.withGrad : this.finalDispatches.withoutGrad) run(x);
    if (own) pass.end();
  }

  /**
   * One step and the readbacks asked for. Calls are serialised. Rejects with a
   * DeviceLostError (instead of hanging) when the device is lost before or during the call.
   */
  evaluate(opts: EvaluateOptions = {}): Promise<EvaluateResult> {
    const next = this.queue.then(() => this.guarded(() => this.evaluateNow(opts)));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Dispatches of one step, in order (FFT calls listed as such), for reports and cost models. */
  dispatches(opts: { gradient?: boolean } = {}): DispatchInfo[] {
    const withGrad = opts.gradient ?? true;
    const info = (x: Dispatch): DispatchInfo => ({ kernel: x.kernel, workgroups: x.workgroups, workgroupSize: x.workgroupSize, gradient: x.gradient });
    // The FFT's two passes (fft.ts): complex column lines (N/2 + 1 of them) and real rows (N).
    const fftInfo = (c: FftCall, what: 'c2r' | 'r2c'): DispatchInfo[] => {
      const n = c.tier.n;
      const cols = kernelShape(n, c.fft.variant);
      const rows = kernelShape(n / 2, c.fft.variant);
      const passes: DispatchInfo[] = [
        { kernel: `fft-lines:${n}`, workgroups: [Math.ceil((n / 2 + 1) / cols.linesPerGroup), c.chunk.count], workgroupSize: cols.invocations, gradient: what === 'r2c' },
        { kernel: `fft-${what}:${n}`, workgroups: [Math.ceil(n / rows.linesPerGroup), c.chunk.count], workgroupSize: rows.invocations, gradient: what === 'r2c' },
      ];
      return what === 'c2r' ? passes : passes.reverse();
    };
    const out: DispatchInfo[] = [info(this.setupDispatch)];
    for (const c of this.chunks) {
      out.push(info(c.spectrum), ...fftInfo(c.fft, 'c2r'));
      if (c.accumulate) out.push(info(c.accumulate));
    }
    out.push(info(this.residualDispatch));
    if (withGrad) for (const c of this.chunks) out.push(info(c.cut), ...fftInfo(c.fft, 'r2c'), info(c.gradPair));
    for (const x of withGrad ? this.finalDispatches.withGrad : this.finalDispatches.withoutGrad) out.push(info(x));
    return out;
  }

  /**
   * What other passes on the same scene (the Fisher pass, fisher-gpu.ts) read besides
   * `layout`: the GPU context, the interleaved (obs, ivar) images (ivar 0 where masked) and
   * each tier's PSF spectra (layout.tiers order, slots of TierBatch.psfSlots). Read-only.
   */
  sharedInputs(): { ctx: GpuContext; obsIvar: GPUBuffer; psfSpectra: readonly GPUBuffer[] } {
    this.alive();
    return { ctx: this.ctx, obsIvar: this.obsIvarBuffer, psfSpectra: this.psfSpecBuffers };
  }

  /** Bytes of the engine's live GPU buffers, in total and by category (memory.ts). */
  memoryBytes(): EngineMemory {
    const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<MemoryCategory, number>;
    for (const [b, c] of this.owned) byCategory[c] += b.size;
    for (const b of this.staging.values()) byCategory.readback += b.size;
    return { total: CATEGORIES.reduce((a, c) => a + byCategory[c], 0), byCategory };
  }

  /** What the engine holds and dropped: per-quadrant masked non-finite pixels, chunking, memory, device state. */
  report(): EngineReport {
    const L = this.layout;
    return {
      pairs: L.nPairs,
      sources: L.nSources,
      blendedPairs: L.blendedPairs,
      nonFiniteObs: L.nonFiniteObsByQuadrant.map((count, k) => ({ quadrant: this.quadrantNames[k], count })),
      tiers: L.tiers.map((t) => ({ n: t.n, pairs: t.count, chunks: t.chunks.length, chunkPairs: t.chunkPairs, psfSlots: t.psfSlots.length })),
      memory: this.memoryBytes(),
      deviceLost: this.lostReason,
    };
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const f of this.ffts) f.clearBindings();
    for (const b of this.owned.keys()) b.destroy();
    for (const b of this.staging.values()) b.destroy();
    this.owned.clear();
    this.staging.clear();
  }

  /** Runs `work`, rejecting with a DeviceLostError as soon as the device is lost. */
  private guarded<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.lostReason) return reject(new DeviceLostError(this.lostReason));
      this.pending.add(reject);
      const done = () => this.pending.delete(reject);
      work().then(
        (v) => {
          done();
          resolve(v);
        },
        async (e: unknown) => {
          // A WebGPU failure just after a loss (e.g. an aborted mapAsync, a DOMException) is
          // reported as the loss; our own errors (bad use, destroy) go out at once.
          const gpuError = e instanceof DOMException || !(e instanceof Error);
          const lost =
            this.lostReason !== null ||
            (gpuError && (await Promise.race([this.device.lost.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 200))])));
          done();
          reject(lost && this.lostReason ? new DeviceLostError(this.lostReason) : e);
        },
      );
    });
  }

  private async evaluateNow(opts: EvaluateOptions): Promise<EvaluateResult> {
    this.alive();
    const withGrad = opts.gradient ?? true;
    const L = this.layout;
    const enc = this.device.createCommandEncoder({ label: 'shear-engine-evaluate' });
    this.encodeStep(enc, { gradient: withGrad });
    const reads: { key: string; src: GPUBuffer; bytes: number }[] = [{ key: 'loss', src: this.lossBuffer, bytes: 32 }];
    if (withGrad) reads.push({ key: 'grad', src: this.gradBuffer, bytes: 4 * this.nParams });
    if (opts.models) reads.push({ key: 'models', src: this.modelBuffer, bytes: 4 * L.totalPixels });
    if (opts.residuals) reads.push({ key: 'residuals', src: this.residualBuffer, bytes: 4 * L.totalPixels });
    const staged = reads.map((r) => {
      const b = this.stagingBuffer(r.key, r.bytes);
      enc.copyBufferToBuffer(r.src, 0, b, 0, r.bytes);
      return { ...r, b };
    });
    this.device.queue.submit([enc.finish()]);
    const data = new Map<string, Float32Array>();
    await Promise.all(
      staged.map(async (s) => {
        await s.b.mapAsync(GPUMapMode.READ, 0, s.bytes);
        data.set(s.key, new Float32Array(s.b.getMappedRange(0, s.bytes).slice(0)));
        s.b.unmap();
      }),
    );
    const loss = data.get('loss')!;
    const images = (key: string) => {
      const all = data.get(key);
      if (!all) return undefined;
      return L.pixelOffsets.map((o, k) => all.slice(o, k + 1 < L.nQuadrants ? L.pixelOffsets[k + 1] : L.totalPixels));
    };
    const g = data.get('grad');
    return {
      // double-single: hi + lo in float64
      loss: loss[0] + loss[4],
      chi2: loss[1] + loss[5],
      negLogPrior: loss[2] + loss[6],
      grad: g ? Float64Array.from(g) : undefined,
      models: images('models'),
      residuals: images('residuals'),
    };
  }

  private fftCall(pass: GPUComputePassEncoder, c: FftCall, what: 'inverseReal' | 'forwardReal'): void {
    const stamps = { buffer: this.stampsBuffer };
    const half = { buffer: this.specBuffer };
    if (what === 'inverseReal') c.fft.inverseReal(pass, half, stamps, c.chunk.count);
    else c.fft.forwardReal(pass, stamps, half, c.chunk.count);
  }

  private stagingBuffer(key: string, bytes: number): GPUBuffer {
    let b = this.staging.get(key);
    if (!b || b.size < bytes) {
      b?.destroy();
      b = this.device.createBuffer({ label: `engine-read-${key}`, size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      this.staging.set(key, b);
    }
    return b;
  }

  private buffer(label: string, category: MemoryCategory, size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const b = this.device.createBuffer({ label: `engine-${label}`, size: Math.ceil(size / 4) * 4, usage });
    this.owned.set(b, category);
    return b;
  }

  private upload(label: string, category: MemoryCategory, data: ArrayBuffer): GPUBuffer {
    const b = this.buffer(label, category, uploadBytes(data.byteLength), STORAGE | GPUBufferUsage.COPY_DST);
    if (data.byteLength) this.device.queue.writeBuffer(b, 0, data, 0, data.byteLength - (data.byteLength % 4));
    return b;
  }

  private alive(): void {
    if (this.lostReason) throw new DeviceLostError(this.lostReason);
    if (this.destroyed) throw new Error('ShearEngine: used after destroy()');
  }
}

/** Buffers bound whole must fit the device's binding limit: say which and by how much. */
function checkBindingSizes(L: SceneLayout, limits: DeviceLimits): void {
  const max = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const check = (what: string, bytes: number) => {
    if (bytes > max) {
      throw new RangeError(
        `ShearEngine: ${what} needs ${bytes} bytes in one buffer binding, more than the device allows (${max} = min(maxStorageBufferBindingSize, maxBufferSize))`,
      );
    }
  };
  check(`the quadrant images (obs, ivar: ${L.totalPixels} pixels)`, 8 * L.totalPixels);
  check('the layout table (tiles, gather lists)', 4 * L.layout.length);
  L.tiers.forEach((t) => {
    check(
      `the PSF spectra of tier ${t.n} (${t.psfSlots.length} PSFs${L.blendedPairs < L.nPairs ? '; pairs without psfBlend carry one each' : ''})`,
      8 * t.psfSlots.length * t.n * (t.n / 2 + 1),
    );
  });
}
