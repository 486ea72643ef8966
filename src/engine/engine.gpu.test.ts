// The GPU engine against the float64 reference (src/reference) on a small scene with
// both WCS parities, tiers 32 and 64, a star, overlapping and edge-clipped stamps and
// masked pixels: model images, loss and every gradient component; and determinism.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { acquireGpu, type GpuContext } from './device';
import { ShearEngine } from './engine';
import { lossAndGradient } from '../reference/gradient';
import { DEFAULT_PRIORS, paramNames, renderScene, type Pair, type Scene, type SourceInfo } from '../reference/scene';
import type { Mat2 } from '../reference/shape';
import { mulberry32, gaussian } from '../testing/prng';
import { gaussianPsfStamp } from '../testing/psf';

const rng = mulberry32;


const psf = gaussianPsfStamp;

const PSF_SIZE = 15;
const J_FLIPPED: Mat2 = [-0.1, 0.004, 0.003, 0.1]; // det < 0
const J_ROTATED: Mat2 = [0.07, -0.072, 0.071, 0.069]; // det > 0
const NOISE = 0.05;

const SOURCES: SourceInfo[] = [
  { kind: 'galaxy', catalogFlux: 5, catalogHlr: 0.3 },
  { kind: 'galaxy', catalogFlux: 3, catalogHlr: 0.25 },
  { kind: 'star', catalogFlux: 4 },
  { kind: 'galaxy', catalogFlux: 6, catalogHlr: 0.5 },
  { kind: 'galaxy', catalogFlux: 4, catalogHlr: 0.35 },
  { kind: 'galaxy', catalogFlux: 8, catalogHlr: 0.7 },
];
// g, then galaxies [flux, hlr, e1, e2, dx, dy], star [flux, dx, dy].
const TRUTH = [
  0.04, -0.03,
  5.2, 0.32, 0.35, -0.2, 0.02, -0.01,
  2.8, 0.22, -0.3, 0.52, -0.015, 0.03,
  4.1, 0.01, -0.02,
  6.3, 0.48, 0.1, 0.25, 0.0, 0.02,
  3.7, 0.33, -0.15, -0.1, 0.01, 0.0,
  8.4, 0.75, 0.2, 0.05, -0.02, 0.015,
];

function buildScene(): Scene {
  const psfA = psf(PSF_SIZE, 1.3, 1.1, 0.2, 0.15, -0.1);
  const psfB = psf(PSF_SIZE, 0.6, 0.7, -0.1, -0.1, 0.05); // undersampled: the Nyquist bins matter
  const mk = (name: string) => ({ nx: 96, ny: 96, name, obs: new Float64Array(96 * 96), ivar: new Float64Array(96 * 96).fill(1 / NOISE ** 2) });
  const quadrants = [mk('q0-flipped'), mk('q1-rotated')];
  const pair = (source: number, quadrant: number, n: number, x0: number, y0: number, d: [number, number]): Pair => ({
    source,
    quadrant,
    n,
    x0,
    y0,
    delta0: d,
    jac: quadrant === 0 ? J_FLIPPED : J_ROTATED,
    psf: quadrant === 0 ? psfA : psfB,
    psfSize: PSF_SIZE,
    aduPerUJy: quadrant === 0 ? 20 : 27,
  });
  const pairs: Pair[] = [
    pair(0, 0, 32, 10, 12, [0.31, -0.27]),
    pair(1, 0, 32, 18, 20, [-0.44, 0.18]), // overlaps source 0
    pair(2, 0, 32, 22, 6, [0.08, 0.4]), // star over both
    pair(3, 0, 64, 50, 44, [0.2, 0.1]), // clipped right and bottom
    pair(4, 0, 32, -12, 70, [-0.3, 0.45]), // clipped left and bottom
    pair(5, 0, 64, 30, 20, [0.05, -0.15]), // large, overlaps 0, 1, 2
    pair(0, 1, 32, -9, 30, [-0.12, 0.36]), // clipped left
    pair(2, 1, 32, 40, -12, [0.25, -0.3]), // clipped top
    pair(3, 1, 64, 10, 10, [-0.35, 0.2]),
    pair(5, 1, 64, 60, 58, [0.4, -0.05]), // clipped right and bottom
    pair(4, 1, 32, 70, 2, [0.1, 0.1]),
  ];
  const scene: Scene = { quadrants, sources: SOURCES, pairs };
  const models = renderScene(scene, Float64Array.from(TRUTH));
  const r = rng(7);
  quadrants.forEach((q, k) => {
    for (let t = 0; t < q.obs.length; t++) q.obs[t] = models[k][t] + NOISE * gaussian(r);
  });
  for (const [k, x, y] of [[0, 26, 28], [0, 27, 28], [0, 60, 60], [1, 20, 42], [1, 70, 70]]) {
    const q = quadrants[k];
    q.obs[y * q.nx + x] = Number.NaN;
    q.ivar[y * q.nx + x] = 0;
  }
  return scene;
}

/** Perturbed truth, rounded to f32 so that the engine and the reference see the same numbers. */
function testParams(): Float64Array {
  const r = rng(11);
  const p = Float64Array.from(TRUTH);
  const scale = [0.05, 0.05, ...SOURCES.flatMap((s) => (s.kind === 'galaxy' ? [1, 0.1, 0.3, 0.3, 0.05, 0.05] : [1, 0.05, 0.05]))];
  for (let i = 0; i < p.length; i++) p[i] = Math.fround(p[i] + 0.3 * scale[i] * (r() - 0.5) * (i >= 2 && scale[i] === 1 ? p[i] : 1));
  return p;
}

let ctx: GpuContext;
let scene: Scene;
let params: Float64Array;
let engine: ShearEngine;
beforeAll(async () => {
  ctx = await acquireGpu();
  scene = buildScene();
  params = testParams();
  const t0 = performance.now();
  engine = await ShearEngine.create(ctx, scene);
  engine.setParams(params, scene);
  await engine.evaluate({ gradient: true });
  console.log(`ShearEngine.create + first evaluate: ${(performance.now() - t0).toFixed(0)} ms (${ctx.adapterInfo.description || ctx.adapterInfo.vendor})`);
});
afterAll(() => engine?.destroy());

describe('ShearEngine vs the float64 reference', () => {
  it('model images within 1e-4 of the peak', async () => {
    const ref = renderScene(scene, params);
    const { models } = await engine.evaluate({ gradient: false, models: true });
    expect(models).toHaveLength(2);
    ref.forEach((m, k) => {
      let peak = 0;
      let err = 0;
      for (let t = 0; t < m.length; t++) {
        peak = Math.max(peak, Math.abs(m[t]));
        err = Math.max(err, Math.abs(models![k][t] - m[t]));
      }
      console.log(`quadrant ${k}: peak ${peak.toFixed(4)} ADU, max |engine − reference| = ${err.toExponential(2)} (${(err / peak).toExponential(2)} of the peak)`);
      expect(err / peak).toBeLessThan(1e-4);
    });
  });

  it('loss and every gradient component within 1e-4 relative (default priors)', async () => {
    const ref = lossAndGradient(scene, params, DEFAULT_PRIORS);
    const got = await engine.evaluate({ gradient: true });
    const relLoss = Math.abs(got.loss - ref.loss) / Math.abs(ref.loss);
    console.log(`loss ${got.loss} vs ${ref.loss} (rel ${relLoss.toExponential(2)}), χ² ${got.chi2} vs ${ref.chi2}, −log prior ${got.negLogPrior} vs ${ref.negLogPrior}`);
    expect(relLoss).toBeLessThan(1e-4);
    expect(Math.abs(got.chi2 - ref.chi2) / ref.chi2).toBeLessThan(1e-4);
    const maxG = ref.grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const names = paramNames(scene);
    const rows = Array.from(ref.grad, (r, i) => ({
      name: names[i],
      ref: r,
      gpu: got.grad![i],
      rel: Math.abs(got.grad![i] - r) / Math.max(Math.abs(r), 1e-3 * maxG),
    }));
    const worst = rows.reduce((w, x) => (x.rel > w.rel ? x : w));
    console.log(`gradient: worst ${worst.name} rel ${worst.rel.toExponential(2)} (ref ${worst.ref}, gpu ${worst.gpu}); max |grad| ${maxG.toExponential(3)}`);
    expect(worst.rel, JSON.stringify(rows.filter((x) => x.rel > 1e-5))).toBeLessThan(1e-4);
  });

  it('without priors: loss = χ²/2 and gradient of χ²/2', async () => {
    const e2 = await ShearEngine.create(ctx, scene, null);
    try {
      e2.setParams(params);
      const ref = lossAndGradient(scene, params, null);
      const got = await e2.evaluate({ gradient: true });
      expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-4);
      const maxG = ref.grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const worst = Math.max(...Array.from(ref.grad, (r, i) => Math.abs(got.grad![i] - r) / Math.max(Math.abs(r), 1e-3 * maxG)));
      console.log(`no priors: loss rel ${(Math.abs(got.loss - ref.loss) / ref.loss).toExponential(2)}, worst gradient rel ${worst.toExponential(2)}`);
      expect(worst).toBeLessThan(1e-4);
    } finally {
      e2.destroy();
    }
  });

  it('edge cases: tier 128, a quadrant without sources, a stamp entirely outside its quadrant', async () => {
    const base = buildScene();
    const empty = { nx: 40, ny: 24, name: 'empty', obs: new Float64Array(40 * 24).fill(0.01), ivar: new Float64Array(40 * 24).fill(100) };
    const big: Pair = { ...base.pairs[3], quadrant: 1, n: 128, x0: -20, y0: -30 };
    const outside: Pair = { ...base.pairs[0], quadrant: 0, x0: 200, y0: 10 };
    const s2: Scene = { quadrants: [base.quadrants[0], base.quadrants[1], empty], sources: base.sources, pairs: [base.pairs[0], big, outside, base.pairs[2]] };
    const e3 = await ShearEngine.create(ctx, s2);
    try {
      e3.setParams(params, s2);
      const ref = lossAndGradient(s2, params, DEFAULT_PRIORS);
      const got = await e3.evaluate({ gradient: true, models: true });
      const maxG = ref.grad.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const worst = Math.max(...Array.from(ref.grad, (r, i) => Math.abs(got.grad![i] - r) / Math.max(Math.abs(r), 1e-3 * maxG)));
      const peak = Math.max(...ref.models[1].map(Math.abs));
      const modelErr = Math.max(...ref.models[1].map((v, t) => Math.abs(v - got.models![1][t])));
      console.log(`edge scene: loss rel ${(Math.abs(got.loss - ref.loss) / ref.loss).toExponential(2)}, worst gradient rel ${worst.toExponential(2)}, tier-128 model ${(modelErr / peak).toExponential(2)} of the peak`);
      expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-4);
      expect(worst).toBeLessThan(1e-4);
      expect(modelErr / peak).toBeLessThan(1e-4);
      expect(got.models![2].every((v) => v === 0)).toBe(true);
    } finally {
      e3.destroy();
    }
  });

  it('is deterministic: two evaluations give bit-identical loss, gradient and models', async () => {
    const a = await engine.evaluate({ gradient: true, models: true });
    const b = await engine.evaluate({ gradient: true, models: true });
    expect(Object.is(a.loss, b.loss) && Object.is(a.chi2, b.chi2)).toBe(true);
    expect(Array.from(new Uint32Array(Float32Array.from(a.grad!).buffer))).toEqual(Array.from(new Uint32Array(Float32Array.from(b.grad!).buffer)));
    a.models!.forEach((m, k) => expect(new Uint32Array(m.buffer)).toEqual(new Uint32Array(b.models![k].buffer)));
  });

  it('reports dispatch sizes and a SwiftShader-proxy time per evaluate (printed, not asserted)', async () => {
    for (const d of engine.dispatches({ gradient: true })) {
      console.log(`  ${d.kernel.padEnd(20)} workgroups ${d.workgroups.join('×')} × ${d.workgroupSize}${d.gradient ? '  (gradient)' : ''}`);
    }
    for (const gradient of [false, true]) {
      const t0 = performance.now();
      const reps = 3;
      for (let i = 0; i < reps; i++) await engine.evaluate({ gradient });
      console.log(`evaluate(gradient: ${gradient}): ${((performance.now() - t0) / reps).toFixed(1)} ms per call on ${ctx.isSoftware ? 'SwiftShader (CPU proxy, not a GPU timing)' : 'GPU'}`);
    }
  });
});
