// The GPU Fisher blocks (fisher-gpu.ts) against the float64 reference (src/reference/fisher.ts)
// on a small scene: two quadrants of opposite WCS parity, tiers 32 and 64, galaxies and a
// star, stamps clipped at every edge, masked pixels, per-pair PSFs in one quadrant and PSFs
// blended from a grid in the other; several Fisher chunks per tier. Every block entry within
// 1e-4 of its diagonal scale √(F_aa F_bb), the Laplace shear errors within 1e-4 relative,
// bit-identical runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, type GpuContext } from './device';
import { ShearEngine } from './engine';
import { computeFisherBlocksGpu } from './fisher-gpu';
import { laplaceUncertainties } from './uncertainty/laplace';
import { priorHessianDiagonal } from './uncertainty/prior-hessian';
import { psfAt, type PsfGrid } from '../data/psf';
import { psfBlendAt } from '../data/scene';
import { fisherBlocks, type FisherBlocks } from '../reference/fisher';
import { DEFAULT_PRIORS, renderScene, type Pair, type Scene, type SourceInfo } from '../reference/scene';
import type { Mat2 } from '../reference/shape';
import { gaussianPsfStamp } from '../testing/psf';
import { gaussian, mulberry32 } from '../testing/prng';

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
];
const TRUTH = [
  0.04, -0.03,
  5.2, 0.32, 0.35, -0.2, 0.02, -0.01,
  2.8, 0.22, -0.3, 0.52, -0.015, 0.03,
  4.1, 0.01, -0.02,
  6.3, 0.48, 0.1, 0.25, 0.0, 0.02,
  3.7, 0.33, -0.15, -0.1, 0.01, 0.0,
];

function buildScene(): Scene {
  const psfA = psf(PSF_SIZE, 1.3, 1.1, 0.2, 0.15, -0.1);
  // quadrant 1: a 2×2 grid of differently shaped (partly undersampled: Nyquist bins matter) stamps
  const stamps = new Float64Array(4 * PSF_SIZE * PSF_SIZE);
  [psf(PSF_SIZE, 0.6, 0.7, -0.1, -0.1, 0.05), psf(PSF_SIZE, 0.9, 0.65, 0.1, 0.05, 0.0), psf(PSF_SIZE, 0.7, 1.0, 0.0, 0.0, -0.1), psf(PSF_SIZE, 1.1, 0.8, -0.2, 0.1, 0.1)].forEach(
    (s, i) => stamps.set(s, i * PSF_SIZE * PSF_SIZE),
  );
  const grid: PsfGrid = { gridNx: 2, gridNy: 2, size: PSF_SIZE, quadNx: 80, quadNy: 80, stamps, context: 'test grid' };
  const mk = (name: string) => ({ nx: 80, ny: 80, name, obs: new Float64Array(80 * 80), ivar: new Float64Array(80 * 80).fill(1 / NOISE ** 2) });
  const quadrants = [mk('q0-flipped'), mk('q1-rotated-blended')];
  const pair = (source: number, quadrant: number, n: number, x0: number, y0: number, d: [number, number]): Pair => {
    const base = { source, quadrant, n, x0, y0, delta0: d, psfSize: PSF_SIZE };
    if (quadrant === 0) return { ...base, jac: J_FLIPPED, psf: psfA, aduPerUJy: 20 };
    const [cx, cy] = [x0 + n / 2 + d[0], y0 + n / 2 + d[1]];
    return { ...base, jac: J_ROTATED, psf: psfAt(grid, cx, cy), psfBlend: psfBlendAt(grid, cx, cy), aduPerUJy: 27 };
  };
  const pairs: Pair[] = [
    pair(0, 0, 32, 10, 12, [0.31, -0.27]),
    pair(1, 0, 32, 18, 20, [-0.44, 0.18]), // overlaps source 0
    pair(2, 0, 32, 22, 6, [0.08, 0.4]), // star
    pair(3, 0, 64, 40, 34, [0.2, 0.1]), // clipped right and bottom
    pair(4, 0, 32, -12, 60, [-0.3, 0.45]), // clipped left and bottom
    pair(0, 1, 32, -9, 30, [-0.12, 0.36]), // clipped left
    pair(2, 1, 32, 40, -12, [0.25, -0.3]), // star, clipped top
    pair(3, 1, 64, 8, 8, [-0.35, 0.2]),
    pair(4, 1, 32, 60, 2, [0.1, 0.1]), // clipped right
  ];
  const scene: Scene = { quadrants, sources: SOURCES, pairs, psfGrids: [undefined, grid] };
  const models = renderScene(scene, Float64Array.from(TRUTH));
  const r = rng(7);
  quadrants.forEach((q, k) => {
    for (let t = 0; t < q.obs.length; t++) q.obs[t] = models[k][t] + NOISE * gaussian(r);
  });
  // masked pixels, some under several stamps
  for (const [k, x, y] of [[0, 26, 28], [0, 27, 28], [0, 60, 60], [0, 30, 30], [1, 20, 42], [1, 70, 10], [1, 40, 40]]) {
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

/** Worst |ΔF_ab| / √(F_aa F_bb) over a symmetric block given by its entries and diagonal. */
function blockError(got: FisherBlocks, ref: FisherBlocks): { worst: number; where: string } {
  let worst = 0;
  let where = '';
  const check = (what: string, g: Float64Array, r: Float64Array, da: (i: number) => number, db: (i: number) => number, cols: number) => {
    for (let i = 0; i < r.length; i++) {
      const a = Math.floor(i / cols);
      const b = i % cols;
      const e = Math.abs(g[i] - r[i]) / Math.sqrt(da(a) * db(b));
      if (!(e <= worst)) {
        worst = e;
        where = `${what}[${a},${b}] gpu ${g[i]} ref ${r[i]}`;
      }
    }
  };
  check('gg', got.gg, ref.gg, (a) => ref.gg[a * 3], (b) => ref.gg[b * 3], 2);
  ref.sources.forEach((rs, s) => {
    const gs = got.sources[s];
    const k = rs.k;
    const dss = (a: number) => rs.ss[a * k + a];
    check(`s${s}.ss`, gs.ss, rs.ss, dss, dss, k);
    if (k === 6) {
      const dgg = (a: number) => rs.gg[a * 3];
      check(`s${s}.gs`, gs.gs, rs.gs, dgg, dss, k);
      check(`s${s}.gg`, gs.gg, rs.gg, dgg, dgg, 2);
    } else {
      expect(Array.from(gs.gs).every((v) => v === 0) && Array.from(gs.gg).every((v) => v === 0)).toBe(true);
    }
  });
  return { worst, where };
}

const bits = (b: FisherBlocks) => {
  const all = [b.gg, ...b.sources.flatMap((s) => [s.ss, s.gs, s.gg])];
  return all.flatMap((a) => Array.from(new Uint32Array(Float64Array.from(a).buffer)));
};

let ctx: GpuContext;
let scene: Scene;
let params: Float64Array;
let engine: ShearEngine;
let ref: FisherBlocks;
let gpu: FisherBlocks;
beforeAll(async () => {
  ctx = await acquireGpu();
  scene = buildScene();
  params = testParams();
  engine = await ShearEngine.create(ctx, scene);
  ref = fisherBlocks(scene, params);
  const t0 = performance.now();
  gpu = await computeFisherBlocksGpu(engine, scene, params, { maxChunkPairs: 2 });
  console.log(`computeFisherBlocksGpu: ${(performance.now() - t0).toFixed(0)} ms for ${scene.pairs.length} pairs (first call, pipelines included) on ${ctx.isSoftware ? 'SwiftShader' : 'GPU'}`);
}, 120_000);
afterAll(() => engine?.destroy());

describe('GPU Fisher blocks vs the float64 reference', () => {
  it('every block entry within 1e-4 of √(F_aa F_bb)', () => {
    expect(gpu.n).toBe(ref.n);
    expect(gpu.sources.map((s) => [s.source, s.offset, s.k])).toEqual(ref.sources.map((s) => [s.source, s.offset, s.k]));
    const { worst, where } = blockError(gpu, ref);
    console.log(`Fisher blocks: worst |Δ|/√(F_aa F_bb) = ${worst.toExponential(2)} at ${where}`);
    expect(worst).toBeLessThan(1e-4);
  });

  it('Laplace G1_ERR, G2_ERR and per-source errors within 1e-4 relative (default priors)', () => {
    const prior = priorHessianDiagonal(scene.sources, params, DEFAULT_PRIORS);
    const a = laplaceUncertainties(gpu, prior);
    const b = laplaceUncertainties(ref, prior);
    const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);
    console.log(`G1_ERR ${a.g1Err} vs ${b.g1Err} (rel ${rel(a.g1Err, b.g1Err).toExponential(2)}), G2_ERR ${a.g2Err} vs ${b.g2Err} (rel ${rel(a.g2Err, b.g2Err).toExponential(2)})`);
    expect(rel(a.g1Err, b.g1Err)).toBeLessThan(1e-4);
    expect(rel(a.g2Err, b.g2Err)).toBeLessThan(1e-4);
    const worst = Math.max(...Array.from(b.sigma, (s, i) => rel(a.sigma[i], s)));
    console.log(`per-parameter marginal σ: worst rel ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(1e-4);
    // Without the shear prior the errors come from the data alone (Schur complement with its
    // g↔e cancellation undiluted): the harder case for float32 derivative stamps.
    const noG = Float64Array.from(prior);
    noG[0] = noG[1] = 0;
    const c = laplaceUncertainties(gpu, noG);
    const d = laplaceUncertainties(ref, noG);
    console.log(`no shear prior: G1_ERR ${c.g1Err} vs ${d.g1Err} (rel ${rel(c.g1Err, d.g1Err).toExponential(2)}), G2_ERR rel ${rel(c.g2Err, d.g2Err).toExponential(2)}`);
    expect(rel(c.g1Err, d.g1Err)).toBeLessThan(1e-4);
    expect(rel(c.g2Err, d.g2Err)).toBeLessThan(1e-4);
  });

  it('is deterministic and independent of chunking: bit-identical blocks', async () => {
    const again = await computeFisherBlocksGpu(engine, scene, params, { maxChunkPairs: 2 });
    expect(bits(again)).toEqual(bits(gpu));
    const oneChunk = await computeFisherBlocksGpu(engine, scene, params);
    expect(bits(oneChunk)).toEqual(bits(gpu));
  });

  it('rejects bad input with a clear error', async () => {
    await expect(computeFisherBlocksGpu(engine, scene, params.subarray(1))).rejects.toThrow(/parameters, the scene needs/);
    const bad = Float64Array.from(params);
    bad[2 + 2] = 0.9;
    bad[2 + 3] = 0.6;
    await expect(computeFisherBlocksGpu(engine, scene, bad)).rejects.toThrow(/source 0 e = .* \|e\| ≥ 1/);
  });
});
