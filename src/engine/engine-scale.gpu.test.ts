// The engine at sub-tile scale, checked on problems small enough for SwiftShader:
// PSF spectra from a blended real PSF grid (== per-pair PSFs == the float64 reference),
// chunked processing (== unchunked, bit-identical run to run), memory accounting against
// the pure estimate, double-single reductions against float64 sums (4M-pixel χ²; 20,000
// pair gradients), masked non-finite pixels reported, and a lost device reported.
import { server } from 'vitest/browser';
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, type GpuContext } from './device';
import { ShearEngine, type EvaluateResult } from './engine';
import { estimateEngineMemory, summarizeLayout } from './memory';
import { globalPipeline } from './pipelines';
import { openFits } from '../data/fits/index';
import { psfAt, psfGridFromImage, type PsfGrid } from '../data/psf';
import { psfBlendAt } from '../data/scene';
import { openSource } from '../data/storage/index';
import { lossAndGradient } from '../reference/gradient';
import { DEFAULT_PRIORS, paramNames, renderScene, type Pair, type Scene, type SourceInfo } from '../reference/scene';
import type { Mat2 } from '../reference/shape';
import { mulberry32, gaussian } from '../testing/prng';

const rng = mulberry32;

const root = server.config.root.replace(/\/$/, '');
const PSF_URL = new URL(`/@fs${root.slice(0, root.lastIndexOf('/'))}/shared/fixtures/subtile-small/subtile/psf/2704_00_3-4_psf.fits`, location.href).href;


const J_FLIPPED: Mat2 = [-0.1, 0.004, 0.003, 0.1];
const J_ROTATED: Mat2 = [0.07, -0.072, 0.071, 0.069];
const NOISE = 0.05;
const SOURCES: SourceInfo[] = [
  { kind: 'galaxy', catalogFlux: 5, catalogHlr: 0.3 },
  { kind: 'galaxy', catalogFlux: 3, catalogHlr: 0.25 },
  { kind: 'star', catalogFlux: 4 },
  { kind: 'galaxy', catalogFlux: 6, catalogHlr: 0.5 },
  { kind: 'galaxy', catalogFlux: 4, catalogHlr: 0.35 },
];
const PARAMS = Float64Array.from(
  [0.03, -0.02, 5.2, 0.32, 0.35, -0.2, 0.02, -0.01, 2.8, 0.22, -0.3, 0.52, -0.015, 0.03, 4.1, 0.01, -0.02, 6.3, 0.48, 0.1, 0.25, 0.0, 0.02, 3.7, 0.33, -0.15, -0.1, 0.01, 0.0],
  Math.fround,
);

/**
 * Two 96×96 quadrants whose pairs take their PSF from the fixture's 9×9 grid of 21×21
 * stamps (psfAt for the reference, psfBlendAt for the engine) at positions spread over
 * the full 2048×2066 quadrant the grid describes, so that every pair blends four stamps.
 */
function blendScene(grid: PsfGrid): Scene {
  const mk = (name: string) => ({ nx: 96, ny: 96, name, obs: new Float64Array(96 * 96), ivar: new Float64Array(96 * 96).fill(1 / NOISE ** 2) });
  const quadrants = [mk('q0'), mk('q1')];
  const pair = (source: number, quadrant: number, n: number, x0: number, y0: number, d: [number, number], at: [number, number]): Pair => ({
    source,
    quadrant,
    n,
    x0,
    y0,
    delta0: d,
    jac: quadrant === 0 ? J_FLIPPED : J_ROTATED,
    psf: psfAt(grid, at[0], at[1]),
    psfSize: grid.size,
    aduPerUJy: quadrant === 0 ? 20 : 27,
    psfBlend: psfBlendAt(grid, at[0], at[1]),
  });
  const pairs = [
    pair(0, 0, 32, 10, 12, [0.31, -0.27], [300.4, 512.7]),
    pair(1, 0, 32, 18, 20, [-0.44, 0.18], [310.2, 520.1]), // overlaps 0, shares its stamps
    pair(2, 0, 32, 22, 6, [0.08, 0.4], [1400.9, 90.3]),
    pair(3, 0, 64, 50, 44, [0.2, 0.1], [2000.5, 2050.2]), // clipped; beyond the last stamp centres
    pair(4, 0, 32, -12, 70, [-0.3, 0.45], [777.7, 1333.3]),
    pair(0, 1, 32, -9, 30, [-0.12, 0.36], [1020.1, 1030.9]),
    pair(2, 1, 32, 40, -12, [0.25, -0.3], [5.5, 1800.2]),
    pair(3, 1, 64, 10, 10, [-0.35, 0.2], [1600.3, 400.6]),
    pair(4, 1, 32, 70, 2, [0.1, 0.1], [900.9, 950.1]),
  ];
  const scene: Scene = { quadrants, sources: SOURCES, pairs, psfGrids: [grid, grid] };
  // data rendered away from PARAMS, so that no gradient component is near a cancellation at PARAMS
  const models = renderScene(scene, PARAMS.map((v, i) => (i >= 2 ? v * 1.08 + 0.01 : v + 0.02)));
  const r = rng(5);
  quadrants.forEach((q, k) => {
    for (let t = 0; t < q.obs.length; t++) q.obs[t] = models[k][t] + NOISE * gaussian(r);
  });
  return scene;
}

const withoutBlend = (s: Scene): Scene => ({ ...s, psfGrids: undefined, pairs: s.pairs.map(({ psfBlend: _, ...p }) => p) });

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-3 * scale));
  return worst;
}
const bits = (r: EvaluateResult) => [
  ...new Uint32Array(Float64Array.from([r.loss, r.chi2]).buffer),
  ...new Uint32Array(Float32Array.from(r.grad!).buffer),
  ...r.models!.flatMap((m) => Array.from(new Uint32Array(m.buffer))),
];

let ctx: GpuContext;
let grid: PsfGrid;
let scene: Scene;
beforeAll(async () => {
  ctx = await acquireGpu();
  const f = await openFits(openSource(PSF_URL));
  const hdu = f.hdus.find((h) => h.kind === 'image' && h.shape.length === 2)!;
  grid = psfGridFromImage(await f.readImage(hdu), hdu.header, [2066, 2048], `${PSF_URL}[${hdu.extname}]`);
  scene = blendScene(grid);
  console.log(`device limits: maxStorageBufferBindingSize ${ctx.device.limits.maxStorageBufferBindingSize}, maxBufferSize ${ctx.device.limits.maxBufferSize}`);
}, 60_000);

describe('PSF spectra from a blended PSF grid', () => {
  it('engine with psfBlend == engine with per-pair PSFs == float64 reference', async () => {
    expect(grid.gridNx * grid.gridNy).toBe(81);
    const ref = lossAndGradient(scene, PARAMS, DEFAULT_PRIORS);
    const refModels = renderScene(scene, PARAMS);
    const out: EvaluateResult[] = [];
    for (const s of [scene, withoutBlend(scene)]) {
      const e = await ShearEngine.create(ctx, s);
      try {
        e.setParams(PARAMS, s);
        out.push(await e.evaluate({ gradient: true, models: true }));
        const rep = e.report();
        console.log(`psf slots per tier: ${rep.tiers.map((t) => `${t.n}: ${t.psfSlots}`).join(', ')}; blended pairs ${rep.blendedPairs}/${rep.pairs}`);
        if (s === scene) expect(rep.blendedPairs).toBe(scene.pairs.length);
      } finally {
        e.destroy();
      }
    }
    const [blend, perPair] = out;
    const names = paramNames(scene);
    for (const [what, r] of [['blend', blend], ['per-pair', perPair]] as const) {
      const lossRel = Math.abs(r.loss - ref.loss) / ref.loss;
      const gradRel = maxRel(r.grad!, ref.grad);
      const maxG = ref.grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const rows = Array.from(ref.grad, (g, i) => ({ name: names[i], ref: g, gpu: r.grad![i], rel: Math.abs(r.grad![i] - g) / Math.max(Math.abs(g), 1e-3 * maxG) }));
      console.log(`${what}: worst components ${JSON.stringify(rows.sort((x, y) => y.rel - x.rel).slice(0, 3))}, max |grad| ${maxG.toExponential(2)}`);
      const peak = Math.max(...refModels.map((m) => Math.max(...m.map(Math.abs))));
      const modelErr = Math.max(...refModels.map((m, k) => Math.max(...m.map((v, t) => Math.abs(v - r.models![k][t])))));
      console.log(`${what} vs reference: loss rel ${lossRel.toExponential(2)}, worst gradient rel ${gradRel.toExponential(2)}, model ${(modelErr / peak).toExponential(2)} of the peak`);
      expect(lossRel).toBeLessThan(1e-4);
      expect(gradRel, names.join(',')).toBeLessThan(1e-4);
      expect(modelErr / peak).toBeLessThan(1e-4);
    }
    const bp = maxRel(blend.grad!, perPair.grad!);
    console.log(`blend vs per-pair PSF: loss rel ${(Math.abs(blend.loss - perPair.loss) / perPair.loss).toExponential(2)}, gradient rel ${bp.toExponential(2)}`);
    expect(bp).toBeLessThan(2e-5);
  });
});

describe('chunked processing', () => {
  it('tiny chunks == one chunk per tier to float tolerance, bit-identical run to run', async () => {
    const whole = await ShearEngine.create(ctx, scene);
    const chunked = await ShearEngine.create(ctx, scene, DEFAULT_PRIORS, { maxChunkPairs: 2 });
    try {
      expect(whole.report().tiers.map((t) => t.chunks)).toEqual([1, 1]);
      expect(chunked.report().tiers.map((t) => t.chunks)).toEqual([4, 1]); // 7 pairs of 32, 2 of 64
      for (const e of [whole, chunked]) e.setParams(PARAMS, scene);
      const a = await whole.evaluate({ gradient: true, models: true });
      const b = await chunked.evaluate({ gradient: true, models: true });
      const b2 = await chunked.evaluate({ gradient: true, models: true });
      const gradRel = maxRel(b.grad!, a.grad!);
      let modelErr = 0;
      let peak = 0;
      a.models!.forEach((m, k) => m.forEach((v, t) => ((peak = Math.max(peak, Math.abs(v))), (modelErr = Math.max(modelErr, Math.abs(v - b.models![k][t]))))));
      const ba = bits(a);
      const bb = bits(b);
      const same = ba.length === bb.length && ba.every((w, i) => w === bb[i]);
      console.log(`chunked vs whole: loss rel ${(Math.abs(a.loss - b.loss) / a.loss).toExponential(2)}, gradient rel ${gradRel.toExponential(2)}, model ${(modelErr / peak).toExponential(2)} of the peak; bit-identical: ${same}`);
      expect(Math.abs(a.loss - b.loss) / a.loss).toBeLessThan(1e-6);
      expect(gradRel).toBeLessThan(1e-5);
      expect(modelErr / peak).toBeLessThan(1e-6);
      const b2b = bits(b2);
      expect(b2b.every((w, i) => w === bb[i])).toBe(true);
    } finally {
      whole.destroy();
      chunked.destroy();
    }
  });
});

describe('memory', () => {
  it('memoryBytes() equals the pure estimate for the same layout', async () => {
    const opts = { maxChunkPairs: 3 };
    const e = await ShearEngine.create(ctx, scene, DEFAULT_PRIORS, opts);
    try {
      e.setParams(PARAMS, scene);
      await e.evaluate({ gradient: true });
      const limits = { maxStorageBufferBindingSize: ctx.device.limits.maxStorageBufferBindingSize, maxBufferSize: ctx.device.limits.maxBufferSize };
      const est = estimateEngineMemory(summarizeLayout(e.layout, scene.quadrants), { ...opts, limits });
      const got = e.memoryBytes();
      console.log(`memory: engine ${got.total} B, estimate ${est.total} B; ${JSON.stringify(got.byCategory)}`);
      expect(got.byCategory).toEqual(est.byCategory);
      expect(got.total).toBe(est.total);
    } finally {
      e.destroy();
    }
  });
});

describe('double-single reductions', () => {
  it('χ² of a 2048×2048 quadrant (4M random residuals) within 1e-6 of a float64 sum', async () => {
    const nx = 2048;
    const ny = 2048;
    const r = rng(99);
    const obs = new Float64Array(nx * ny);
    const ivar = new Float64Array(nx * ny);
    let exact = 0;
    let naive = 0; // sequential f32 sum of the same terms: what a plain f32 loop would give
    for (let t = 0; t < obs.length; t++) {
      const o = Math.fround(3 * gaussian(r) + 0.5);
      const iv = Math.fround(0.5 + 3 * r());
      obs[t] = o;
      ivar[t] = iv;
      const c = Math.fround(Math.fround(o * iv) * o); // the kernel's f32 term R·d with model 0
      exact += c;
      naive = Math.fround(naive + c);
    }
    const s: Scene = { quadrants: [{ nx, ny, obs, ivar, name: 'big' }], sources: [], pairs: [] };
    const e = await ShearEngine.create(ctx, s, null);
    try {
      e.setParams(new Float64Array([0, 0]));
      const got = await e.evaluate({ gradient: false });
      const rel = Math.abs(got.chi2 - exact) / exact;
      console.log(`χ² of ${nx * ny} pixels: engine ${got.chi2}, float64 ${exact}, rel ${rel.toExponential(2)} (sequential f32 sum: rel ${(Math.abs(naive - exact) / exact).toExponential(2)})`);
      expect(rel).toBeLessThan(1e-6);
      expect(Math.abs(got.loss - exact / 2) / (exact / 2)).toBeLessThan(1e-6);
    } finally {
      e.destroy();
    }
  });

  it('reduce-loss: 100,000 tile partials, 20,000 pair ∂/∂g terms, 2,500 prior terms against float64 sums', async () => {
    const d = ctx.device;
    const nTiles = 100_000;
    const nPairs = 20_000;
    const nSources = 2_500;
    const r = rng(3);
    const chi = new Float32Array(2 * nTiles);
    const nlp = new Float32Array(nSources);
    const pg = new Float32Array(8 * nPairs);
    let cExact = 0;
    let nExact = 0;
    let g1Exact = 0;
    let g2Exact = 0;
    for (let t = 0; t < nTiles; t++) {
      // (hi, lo) partials as the residual kernel writes them: |lo| ≤ ulp(hi)/2
      const v = 250 * (1 + r()) * 10 ** (2 * r() - 1);
      chi[2 * t] = Math.fround(v);
      chi[2 * t + 1] = Math.fround(v - chi[2 * t]);
      cExact += chi[2 * t] + chi[2 * t + 1];
    }
    for (let t = 0; t < nSources; t++) nExact += (nlp[t] = Math.fround(3 * r() - 0.5));
    for (let t = 0; t < nPairs; t++) {
      // mixed signs and magnitudes, non-zero mean
      g1Exact += (pg[8 * t + 6] = Math.fround((4 * r() - 1) * 10 ** (3 * r() - 1)));
      g2Exact += (pg[8 * t + 7] = Math.fround((1 - 4 * r()) * 10 ** (3 * r() - 1)));
    }
    const buf = (data: ArrayBufferView, usage = GPUBufferUsage.STORAGE) => {
      const b = d.createBuffer({ size: Math.max(16, data.byteLength), usage: usage | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
      d.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
      return b;
    };
    const lu = new ArrayBuffer(32);
    new Uint32Array(lu, 0, 4).set([nTiles, nSources, nPairs, 1]);
    new Float32Array(lu, 16, 2).set([1, 0]); // gSigma 1, no priors
    const params = buf(new Float32Array([0.01, 0.02, 0, 0]));
    const grad = buf(new Float32Array(4));
    const out = buf(new Float32Array(8));
    const all = [buf(new Uint8Array(lu), GPUBufferUsage.UNIFORM), buf(chi), buf(nlp), buf(pg), params, grad, out];
    const pipeline = globalPipeline(d, 'loss');
    const bind = d.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: all.map((buffer, binding) => ({ binding, resource: { buffer } })) });
    const read = d.createBuffer({ size: 48, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = d.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(1);
    pass.end();
    enc.copyBufferToBuffer(out, 0, read, 0, 32);
    enc.copyBufferToBuffer(grad, 0, read, 32, 16);
    d.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const v = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    for (const b of [...all, read]) b.destroy();
    const rel = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);
    const res = { chi2: rel(v[1] + v[5], cExact), nlp: rel(v[2] + v[6], nExact), loss: rel(v[0] + v[4], cExact / 2 + nExact), g1: rel(v[8], g1Exact), g2: rel(v[9], g2Exact) };
    let naive = 0;
    for (let t = 0; t < nPairs; t++) naive = Math.fround(naive + pg[8 * t + 6]);
    console.log(`reduce-loss relative errors: ${JSON.stringify(Object.fromEntries(Object.entries(res).map(([k, x]) => [k, x.toExponential(2)])))} (sequential f32 g1: ${rel(naive, g1Exact).toExponential(2)})`);
    for (const x of Object.values(res)) expect(x).toBeLessThan(1e-6);
  });
});

describe('robustness', () => {
  it('reports masked non-finite obs per quadrant', async () => {
    const s: Scene = { ...scene, quadrants: scene.quadrants.map((q) => ({ ...q, obs: q.obs.slice() })) };
    s.quadrants[1].obs[5] = Number.NaN;
    s.quadrants[1].obs[6] = Number.NEGATIVE_INFINITY;
    const e = await ShearEngine.create(ctx, s);
    try {
      e.setParams(PARAMS, s);
      const got = await e.evaluate({ gradient: true });
      expect(Number.isFinite(got.loss) && got.grad!.every(Number.isFinite)).toBe(true);
      expect(e.report().nonFiniteObs).toEqual([{ quadrant: 'q0', count: 0 }, { quadrant: 'q1', count: 2 }]);
    } finally {
      e.destroy();
    }
  });

  it('a lost device rejects pending and later evaluate() calls, naming the lost device', async () => {
    const own = await acquireGpu();
    const e = await ShearEngine.create(own, scene);
    e.setParams(PARAMS, scene);
    await e.evaluate({ gradient: true });
    const during = e.evaluate({ gradient: true, models: true });
    const queued = e.evaluate({ gradient: true });
    await new Promise((r) => setTimeout(r, 5)); // the first call is submitted and waits on its readback
    own.device.destroy();
    await expect(during).rejects.toThrow(/device was lost/);
    await expect(queued).rejects.toThrow(/device was lost/);
    await expect(e.evaluate()).rejects.toThrow(/device was lost/);
    expect(() => e.setParams(PARAMS)).toThrow(/device was lost/);
    expect(e.report().deviceLost).toMatch(/destroyed/);
    e.destroy();
  });
});
