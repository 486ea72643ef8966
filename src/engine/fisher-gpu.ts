// Per-source Fisher (Gauss–Newton) blocks of χ²/2 on the GPU: the same FisherBlocks as the
// float64 src/reference/fisher.ts `fisherBlocks`, for laplaceUncertainties (DESIGN §2,
// "Uncertainties"), at survey scale.
//
// Passes, all on the GPU, chunk after chunk of each tier (fisher-plan.ts):
//   setup     per pair: A(g, e) and its derivatives, r0, F_adu, δ        (model-setup, own state buffer)
//   spectra   8 derivative half spectra a pair, P(k) blended from the     (fisher-spectra)
//             engine's PSF spectra, Nyquist row folded as the model's
//   C2R FFT   all 8·count of them in one batch                            (fft.ts)
//   pairs     per pair: Σ ivar·∂m_a·∂m_b over the clipped footprint,      (fisher-pairs)
//             36 double-single entries, fixed-order tree
// then one readback (36 (hi, lo) a pair) and the float64 sum over each source's pairs in
// scene order (fisher-plan.ts). Deterministic: every sum has a fixed order.
// The engine's parameter, state and chunk buffers are not touched: this can run between
// evaluations. Like the reference: no cross-source terms. Pixels the engine masks (ivar 0,
// or a non-finite obs) carry no information here either.

import { DeviceLostError, type ShearEngine } from './engine';
import { createFft, type Fft2d } from './fft';
import { globalPipeline } from './pipelines';
import { PAIR_STATE_FLOATS, PAIR_STATIC_BYTES } from './scene-layout';
import { assembleFisherBlocks, FISHER_DERIVS, FISHER_ENTRIES, planFisherChunks, type FisherPlan, type FisherPlanOptions } from './fisher-plan';
import type { FisherBlocks } from '../reference/fisher';
import { sourceOffsets, type Scene } from '../reference/scene';
import commonWgsl from '../../shaders/model-common.wgsl?raw';
import spectraWgsl from '../../shaders/fisher-spectra.wgsl?raw';
import pairsWgsl from '../../shaders/fisher-pairs.wgsl?raw';

export type FisherGpuOptions = Omit<FisherPlanOptions, 'limits'>;

type FisherKernel = 'spectra' | 'pairs';
const SOURCES: Record<FisherKernel, string> = { spectra: spectraWgsl, pairs: pairsWgsl };
const caches = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

function kernelCode(kind: FisherKernel, n: number): string {
  return `const N: u32 = ${n}u;\n` + commonWgsl + SOURCES[kind];
}

function pipeline(device: GPUDevice, kind: FisherKernel, n: number): GPUComputePipeline {
  let cache = caches.get(device);
  if (!cache) caches.set(device, (cache = new Map()));
  const key = `${kind}:${n}`;
  let p = cache.get(key);
  if (!p) {
    const module = device.createShaderModule({ label: `fisher-${key}`, code: kernelCode(kind, n) });
    p = device.createComputePipeline({ label: `fisher-${key}`, layout: 'auto', compute: { module, entryPoint: 'main' } });
    cache.set(key, p);
  }
  return p;
}

async function shaderErrors(device: GPUDevice, tiers: number[]): Promise<string> {
  const out: string[] = [];
  for (const n of tiers) {
    for (const kind of Object.keys(SOURCES) as FisherKernel[]) {
      const info = await device.createShaderModule({ code: kernelCode(kind, n) }).getCompilationInfo();
      for (const m of info.messages) if (m.type === 'error') out.push(`fisher-${kind}:${n} line ${m.lineNum}:${m.linePos} ${m.message}`);
    }
  }
  return out.join('; ');
}

/** GPU bytes the Fisher pass allocates for the engine's scene (transient, freed on return). */
export function fisherWorkBytes(engine: ShearEngine, opts: FisherGpuOptions = {}): number {
  const L = engine.layout;
  const plan = planFisherChunks(L, { ...opts, limits: engine.sharedInputs().ctx.device.limits });
  return fisherBytes(L.nPairs, L.nParams, L.nQuadrants, plan);
}

function fisherBytes(nPairs: number, nParams: number, nQuadrants: number, plan: FisherPlan): number {
  return (
    4 * plan.stampFloats + 8 * plan.specVec2 + // chunk work buffers
    2 * 8 * FISHER_ENTRIES * nPairs + // per-pair output and its readback copy
    4 * PAIR_STATE_FLOATS * nPairs + 112 * nPairs + 4 * nParams + 16 * nQuadrants
  );
}

function checkParams(engine: ShearEngine, scene: Scene, p: Float64Array): void {
  const L = engine.layout;
  if (scene.pairs.length !== L.nPairs || scene.sources.length !== L.nSources || scene.quadrants.length !== L.nQuadrants) {
    throw new RangeError(
      `computeFisherBlocksGpu: the scene (${scene.pairs.length} pairs, ${scene.sources.length} sources, ${scene.quadrants.length} quadrants) ` +
        `is not the engine's (${L.nPairs}, ${L.nSources}, ${L.nQuadrants})`,
    );
  }
  if (p.length !== L.nParams) throw new RangeError(`computeFisherBlocksGpu: ${p.length} parameters, the scene needs ${L.nParams}`);
  for (let i = 0; i < p.length; i++) if (!Number.isFinite(p[i])) throw new RangeError(`computeFisherBlocksGpu: parameter ${i} = ${p[i]} is not finite`);
  if (!(p[0] * p[0] + p[1] * p[1] < 1)) throw new RangeError(`computeFisherBlocksGpu: shear (${p[0]}, ${p[1]}) has |g| ≥ 1`);
  const off = sourceOffsets(scene);
  scene.sources.forEach((s, i) => {
    const o = off[i];
    if (s.kind !== 'galaxy') return;
    if (!(p[o + 1] > 0)) throw new RangeError(`computeFisherBlocksGpu: source ${i} hlr = ${p[o + 1]} must be > 0`);
    if (!(p[o + 2] ** 2 + p[o + 3] ** 2 < 1)) throw new RangeError(`computeFisherBlocksGpu: source ${i} e = (${p[o + 2]}, ${p[o + 3]}) has |e| ≥ 1`);
  });
}

/**
 * Per-source Fisher blocks of χ²/2 at `params` (natural parameters, uploaded as f32 like
 * ShearEngine.setParams) for the engine's scene; `scene` must be the one the engine was
 * created from. Same output type and conventions as src/reference/fisher.ts fisherBlocks.
 */
export async function computeFisherBlocksGpu(engine: ShearEngine, scene: Scene, params: Float64Array, opts: FisherGpuOptions = {}): Promise<FisherBlocks> {
  const L = engine.layout;
  checkParams(engine, scene, params);
  if (L.nPairs === 0) return assembleFisherBlocks(scene, L, new Float32Array(0));
  const { ctx, obsIvar, psfSpectra } = engine.sharedInputs();
  const device = ctx.device;
  const plan = planFisherChunks(L, { ...opts, limits: device.limits });

  const buffers: GPUBuffer[] = [];
  const ffts: Fft2d[] = [];
  const make = (label: string, size: number, usage: GPUBufferUsageFlags): GPUBuffer => {
    const b = device.createBuffer({ label: `fisher-${label}`, size: Math.max(16, Math.ceil(size / 4) * 4), usage });
    buffers.push(b);
    return b;
  };
  const STORAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
  const upload = (label: string, data: ArrayBuffer | ArrayBufferView, usage = STORAGE): GPUBuffer => {
    const bytes = (data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)) as Uint8Array<ArrayBuffer>;
    const b = make(label, bytes.byteLength, usage);
    device.queue.writeBuffer(b, 0, bytes, 0, bytes.byteLength - (bytes.byteLength % 4));
    return b;
  };
  let scopes = 2;
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  try {
    const paramsBuf = upload('params', Float32Array.from(params));
    // Exactly nPairs entries: model-setup sizes its loop by arrayLength.
    const pairStatic = upload('pair-static', L.pairStatic.slice(0, L.nPairs * PAIR_STATIC_BYTES));
    const pairPsf = upload('pair-psf', L.pairPsf);
    const state = make('pair-state', 4 * PAIR_STATE_FLOATS * L.nPairs, GPUBufferUsage.STORAGE);
    const quads = upload('quadrants', L.layout.slice(0, 4 * L.nQuadrants));
    const spec = make('spectra', 8 * plan.specVec2, GPUBufferUsage.STORAGE);
    const stamps = make('stamps', 4 * plan.stampFloats, GPUBufferUsage.STORAGE);
    const outBytes = 8 * FISHER_ENTRIES * L.nPairs;
    const out = make('pairs', outBytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const staging = make('read', outBytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);

    const bind = (p: GPUComputePipeline, entries: GPUBuffer[]) =>
      device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: entries.map((buffer, binding) => ({ binding, resource: { buffer } })) });
    const setup = globalPipeline(device, 'setup');
    let enc = device.createCommandEncoder({ label: 'fisher-setup' });
    let pass = enc.beginComputePass();
    pass.setPipeline(setup);
    pass.setBindGroup(0, bind(setup, [paramsBuf, pairStatic, state]));
    pass.dispatchWorkgroups(Math.ceil(L.nPairs / 64));
    pass.end();
    device.queue.submit([enc.finish()]);

    const fftOf = new Map<number, Fft2d>();
    plan.chunks.forEach((c) => {
      let fft = fftOf.get(c.tier);
      if (!fft) {
        fft = createFft(ctx, c.n, FISHER_DERIVS * plan.chunkPairs[c.tier]);
        fftOf.set(c.tier, fft);
        ffts.push(fft);
      }
      const u = upload(`chunk-${c.n}-${c.pairBase}`, new Uint32Array([c.pairBase, c.count, 0, 0]), GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
      const sp = pipeline(device, 'spectra', c.n);
      const pp = pipeline(device, 'pairs', c.n);
      enc = device.createCommandEncoder({ label: `fisher-${c.n}-${c.pairBase}` });
      pass = enc.beginComputePass();
      pass.setPipeline(sp);
      pass.setBindGroup(0, bind(sp, [u, pairStatic, state, pairPsf, psfSpectra[c.tier], spec]));
      pass.dispatchWorkgroups(Math.ceil((c.n * (c.n / 2 + 1)) / 64), c.count);
      fft.inverseReal(pass, { buffer: spec }, { buffer: stamps }, FISHER_DERIVS * c.count);
      pass.setPipeline(pp);
      pass.setBindGroup(0, bind(pp, [u, quads, pairStatic, obsIvar, stamps, out]));
      pass.dispatchWorkgroups(c.count);
      pass.end();
      device.queue.submit([enc.finish()]);
    });
    enc = device.createCommandEncoder({ label: 'fisher-read' });
    enc.copyBufferToBuffer(out, 0, staging, 0, outBytes);
    device.queue.submit([enc.finish()]);
    scopes--;
    const verr = await device.popErrorScope();
    scopes--;
    const oom = await device.popErrorScope();
    if (oom) throw new Error(`computeFisherBlocksGpu: out of GPU memory allocating ${fisherBytes(L.nPairs, L.nParams, L.nQuadrants, plan)} bytes (${oom.message})`);
    if (verr) {
      const shaders = await shaderErrors(device, L.tiers.map((t) => t.n));
      throw new Error(`computeFisherBlocksGpu: ${shaders || verr.message}`);
    }
    await staging.mapAsync(GPUMapMode.READ, 0, outBytes);
    const perPair = new Float32Array(staging.getMappedRange(0, outBytes).slice(0));
    staging.unmap();
    return assembleFisherBlocks(scene, L, perPair);
  } catch (e) {
    const lost = engine.report().deviceLost;
    if (lost) throw new DeviceLostError(lost);
    throw e;
  } finally {
    while (scopes-- > 0) await device.popErrorScope().catch(() => null);
    for (const f of ffts) f.clearBindings();
    for (const b of buffers) b.destroy();
  }
}

/** computeFisherBlocksGpu bound to an engine, in the shape of fit-backend's FisherFn. */
export function gpuFisher(engine: ShearEngine, opts: FisherGpuOptions = {}): (scene: Scene, params: Float64Array) => Promise<FisherBlocks> {
  return (scene, params) => computeFisherBlocksGpu(engine, scene, params, opts);
}
