// The engine core on the GPU: forward model, χ², priors and the analytic gradient of
// DESIGN §2 for a reference Scene (src/reference/scene.ts), matching that oracle.
//
// One step (encodeStep), all in one compute pass, no readback:
//   setup      per pair: A(g, e) and derivatives, r0, F_adu, δ       (model-setup)
//   spectrum   per tier: model half spectra                          (model-spectrum)
//   C2R FFT    per tier: stamps                                      (fft.ts)
//   accumulate per 16×16 tile: model, R = (obs − model)·ivar, χ² part (accumulate-image)
//  [gradient:
//   cut        per tier: R over each stamp footprint                 (grad-cut)
//   R2C FFT    per tier: R̂                                          (fft.ts)
//   gradPair   per pair: ∂(χ²/2)/∂θ_pair                             (grad-pair)]
//   sources    per source: Σ pairs + prior, −log prior terms         (grad-sources)
//   loss       one workgroup: χ², loss, ∂/∂g                          (reduce-loss)
// Every sum has a fixed order (gather lists, fixed trees): bit-identical results on the
// same adapter. params and grad are plain f32 storage buffers in the layout of
// src/reference/scene.ts, so an optimiser kernel can update them in place.

import type { GpuContext } from './device';
import { createFft, type Fft2d } from './fft';
import { kernelShape } from './fft-plan';
import { DEFAULT_PRIORS, paramNames, sourceOffsets, type Priors, type Scene } from '../reference/scene';
import {
  buildSceneLayout,
  MAX_DISPATCH,
  PAIR_GRAD_FLOATS,
  PAIR_STATE_FLOATS,
  type PairChunk,
  type SceneLayout,
  type TierBatch,
} from './scene-layout';
import { checkShaders, globalPipeline, tierPipeline, WORKGROUP_SIZE, type GlobalKernel, type TierKernel } from './pipelines';

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

const STORAGE = GPUBufferUsage.STORAGE;

export class ShearEngine {
  readonly layout: SceneLayout;
  readonly priors: Priors | null;
  readonly nParams: number;
  /** f32 parameter vector (layout of src/reference/scene.ts); STORAGE | COPY_SRC | COPY_DST. */
  readonly paramsBuffer: GPUBuffer;
  /** f32 gradient of the loss, written by a step with the gradient; STORAGE | COPY_SRC | COPY_DST. */
  readonly gradBuffer: GPUBuffer;
  /** f32 [loss, χ², −log prior, 0], written by every step; STORAGE | COPY_SRC. */
  readonly lossBuffer: GPUBuffer;
  /** f32 model images, all quadrants back to back (layout.pixelOffsets). */
  readonly modelBuffer: GPUBuffer;
  readonly residualBuffer: GPUBuffer;

  private readonly device: GPUDevice;
  private readonly owned: GPUBuffer[] = [];
  private readonly forwardDispatches: Dispatch[] = [];
  private readonly finalDispatches: { withGrad: Dispatch[]; withoutGrad: Dispatch[] } = { withGrad: [], withoutGrad: [] };
  private readonly gradDispatches: { cut: Dispatch[]; gradPair: Dispatch[] } = { cut: [], gradPair: [] };
  private readonly ffts: FftCall[] = [];
  private readonly stampsBuffer: GPUBuffer;
  private readonly specBuffer: GPUBuffer;
  private readonly psfSpecBuffer: GPUBuffer;
  private queue: Promise<unknown> = Promise.resolve();
  private staging = new Map<string, GPUBuffer>();
  private destroyed = false;

  private constructor(ctx: GpuContext, layout: SceneLayout, priors: Priors | null) {
    this.device = ctx.device;
    this.layout = layout;
    this.priors = priors;
    this.nParams = layout.nParams;
    const L = layout;
    const f32 = (n: number) => 4 * Math.max(4, n);
    this.paramsBuffer = this.buffer('params', f32(L.nParams), STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.gradBuffer = this.buffer('grad', f32(L.nParams), STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    this.lossBuffer = this.buffer('loss', 16, STORAGE | GPUBufferUsage.COPY_SRC);
    this.modelBuffer = this.buffer('model', f32(L.totalPixels), STORAGE | GPUBufferUsage.COPY_SRC);
    this.residualBuffer = this.buffer('residual', f32(L.totalPixels), STORAGE | GPUBufferUsage.COPY_SRC);
    this.stampsBuffer = this.buffer('stamps', f32(L.stampFloats), STORAGE | GPUBufferUsage.COPY_DST);
    this.specBuffer = this.buffer('spectra', 2 * f32(L.specVec2), STORAGE);
    this.psfSpecBuffer = this.buffer('psf-spectra', 2 * f32(L.specVec2), STORAGE);
    const pairStatic = this.upload('pair-static', L.pairStatic);
    const sourceStatic = this.upload('source-static', L.sourceStatic);
    const layoutBuf = this.upload('layout', L.layout.buffer as ArrayBuffer);
    const obsIvar = this.upload('obs-ivar', L.obsIvar.buffer as ArrayBuffer);
    const state = this.buffer('pair-state', f32(Math.max(1, L.nPairs) * PAIR_STATE_FLOATS), STORAGE);
    const pairGrad = this.buffer('pair-grad', f32(Math.max(1, L.nPairs) * PAIR_GRAD_FLOATS), STORAGE);
    const chi2Part = this.buffer('chi2-part', f32(L.nTiles), STORAGE);
    const nlpPart = this.buffer('nlp-part', f32(L.nSources), STORAGE);
    const d = this.device;

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
      const b = this.buffer(label, words.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
      d.queue.writeBuffer(b, 0, words);
      return b;
    };
    const tierDispatch = (kernel: TierKernel, tier: TierBatch, chunk: PairChunk, buffers: GPUBuffer[], workgroups: [number, number]): Dispatch => {
      const pipeline = tierPipeline(d, kernel, tier.n);
      const u = uniform(`${kernel}-${tier.n}-${chunk.pairBase}`, new Uint32Array([chunk.pairBase, chunk.count, 0, 0]).buffer);
      return {
        kernel: `${kernel}:${tier.n}`,
        pipeline,
        bind: bind(pipeline, [u, ...buffers]),
        workgroups,
        workgroupSize: WORKGROUP_SIZE[kernel],
        gradient: kernel !== 'spectrum',
      };
    };

    // Forward part.
    this.forwardDispatches.push(
      global('setup', [this.paramsBuffer, pairStatic, state], [Math.max(1, Math.ceil(L.nPairs / 64)), 1]),
    );
    for (const tier of L.tiers) {
      const n = tier.n;
      const fft = createFft(ctx, n, Math.min(tier.count, MAX_DISPATCH));
      for (const chunk of tier.chunks) {
        this.ffts.push({ fft, chunk, tier });
        this.forwardDispatches.push(
          tierDispatch('spectrum', tier, chunk, [pairStatic, state, this.psfSpecBuffer, this.specBuffer], [Math.ceil((n * (n / 2 + 1)) / 64), chunk.count]),
        );
        this.gradDispatches.cut.push(
          tierDispatch('cut', tier, chunk, [layoutBuf, pairStatic, this.residualBuffer, this.stampsBuffer], [Math.ceil((n * n) / 64), chunk.count]),
        );
        this.gradDispatches.gradPair.push(
          tierDispatch('gradPair', tier, chunk, [pairStatic, state, this.psfSpecBuffer, this.specBuffer, pairGrad], [chunk.count, 1]),
        );
      }
    }
    const accU = uniform('accumulate', new Uint32Array([L.tileBase, L.tileListBase, L.nTiles, 0]).buffer);
    this.accumulate = global(
      'accumulate',
      [accU, layoutBuf, pairStatic, this.stampsBuffer, obsIvar, this.modelBuffer, this.residualBuffer, chi2Part],
      [Math.min(L.nTiles, MAX_DISPATCH), Math.ceil(L.nTiles / MAX_DISPATCH)],
    );
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

  private readonly accumulate: Dispatch;

  /**
   * Uploads the scene and computes every pair's PSF spectrum P(k) on the GPU (R2C FFT of
   * the PSF stamp centred on the N-grid). `priors = null`: loss = χ²/2.
   */
  static async create(ctx: GpuContext, scene: Scene, priors: Priors | null = DEFAULT_PRIORS): Promise<ShearEngine> {
    if (priors) {
      scene.sources.forEach((s, i) => {
        if (!(s.catalogFlux > 0)) throw new RangeError(`source ${i}: catalogFlux = ${s.catalogFlux} must be > 0 (LogNormal prior median)`);
        if (s.kind === 'galaxy' && !((s.catalogHlr ?? 0) > 0)) {
          throw new RangeError(`source ${i}: catalogHlr = ${s.catalogHlr} must be > 0 (LogNormal prior median)`);
        }
      });
      for (const [k, v] of Object.entries(priors)) if (!(v > 0)) throw new RangeError(`priors.${k} = ${v} must be > 0`);
    }
    const layout = buildSceneLayout(scene);
    ctx.device.pushErrorScope('validation');
    const engine = new ShearEngine(ctx, layout, priors);
    const err = await ctx.device.popErrorScope();
    if (err) {
      await checkShaders(ctx.device, layout.tiers.map((t) => t.n));
      engine.destroy();
      throw new Error(`ShearEngine.create: ${err.message}`);
    }
    // PSF spectra, once: wrapped PSF stamps → R2C → psfSpec.
    ctx.device.queue.writeBuffer(engine.stampsBuffer, 0, layout.psfStamps.buffer as ArrayBuffer, layout.psfStamps.byteOffset, layout.psfStamps.byteLength);
    const enc = ctx.device.createCommandEncoder({ label: 'psf-spectra' });
    const pass = enc.beginComputePass({ label: 'psf-spectra' });
    for (const c of engine.ffts) engine.fftCall(pass, c, 'forwardReal', engine.psfSpecBuffer);
    pass.end();
    ctx.device.queue.submit([enc.finish()]);
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
    run(this.forwardDispatches[0]);
    this.ffts.forEach((c, i) => {
      run(this.forwardDispatches[1 + i]);
      this.fftCall(pass, c, 'inverseReal');
    });
    run(this.accumulate);
    if (withGrad) {
      this.ffts.forEach((c, i) => {
        run(this.gradDispatches.cut[i]);
        this.fftCall(pass, c, 'forwardReal', this.specBuffer);
        run(this.gradDispatches.gradPair[i]);
      });
    }
    for (const x of withGrad ? this.finalDispatches.withGrad : this.finalDispatches.withoutGrad) run(x);
    if (own) pass.end();
  }

  /** One step and the readbacks asked for. Calls are serialised. */
  evaluate(opts: EvaluateOptions = {}): Promise<EvaluateResult> {
    const next = this.queue.then(() => this.evaluateNow(opts));
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
    const out: DispatchInfo[] = [info(this.forwardDispatches[0])];
    this.ffts.forEach((c, i) => out.push(info(this.forwardDispatches[1 + i]), ...fftInfo(c, 'c2r')));
    out.push(info(this.accumulate));
    if (withGrad) {
      this.ffts.forEach((c, i) => out.push(info(this.gradDispatches.cut[i]), ...fftInfo(c, 'r2c'), info(this.gradDispatches.gradPair[i])));
    }
    for (const x of withGrad ? this.finalDispatches.withGrad : this.finalDispatches.withoutGrad) out.push(info(x));
    return out;
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const c of this.ffts) c.fft.clearBindings();
    for (const b of this.owned) b.destroy();
    for (const b of this.staging.values()) b.destroy();
  }

  private async evaluateNow(opts: EvaluateOptions): Promise<EvaluateResult> {
    this.alive();
    const withGrad = opts.gradient ?? true;
    const L = this.layout;
    const enc = this.device.createCommandEncoder({ label: 'shear-engine-evaluate' });
    this.encodeStep(enc, { gradient: withGrad });
    const reads: { key: string; src: GPUBuffer; bytes: number }[] = [{ key: 'loss', src: this.lossBuffer, bytes: 16 }];
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
      loss: loss[0],
      chi2: loss[1],
      negLogPrior: loss[2],
      grad: g ? Float64Array.from(g) : undefined,
      models: images('models'),
      residuals: images('residuals'),
    };
  }

  private fftCall(pass: GPUComputePassEncoder, c: FftCall, what: 'inverseReal' | 'forwardReal', spec?: GPUBuffer): void {
    const k = c.chunk.pairBase - c.tier.pairBase;
    const stamps = { buffer: this.stampsBuffer, byteOffset: 4 * (c.tier.stampBase + k * c.tier.n * c.tier.n) };
    const half = { buffer: spec ?? this.specBuffer, byteOffset: 8 * (c.tier.specBase + k * c.tier.n * (c.tier.n / 2 + 1)) };
    if (what === 'inverseReal') c.fft.inverseReal(pass, half, stamps, c.chunk.count);
    else c.fft.forwardReal(pass, stamps, half, c.chunk.count);
  }

  private stagingBuffer(key: string, bytes: number): GPUBuffer {
    let b = this.staging.get(key);
    if (!b || b.size < bytes) {
      b?.destroy();
      b = this.device.createBuffer({ label: `engine-read-${key}`, size: Math.max(16, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      this.staging.set(key, b);
    }
    return b;
  }

  private buffer(label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const b = this.device.createBuffer({ label: `engine-${label}`, size: Math.ceil(size / 4) * 4, usage });
    this.owned.push(b);
    return b;
  }

  private upload(label: string, data: ArrayBuffer): GPUBuffer {
    const size = Math.max(16, Math.ceil(data.byteLength / 4) * 4);
    const b = this.buffer(label, size, STORAGE | GPUBufferUsage.COPY_DST);
    if (data.byteLength) this.device.queue.writeBuffer(b, 0, data, 0, data.byteLength - (data.byteLength % 4));
    return b;
  }

  private alive(): void {
    if (this.destroyed) throw new Error('ShearEngine: used after destroy()');
  }
}
