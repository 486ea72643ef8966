// The analytic Fourier-space gradient against central finite differences of the
// float64 loss, on a scene that exercises both WCS parities, |e| up to 0.6, nonzero
// shear, offsets, clipped stamps, a star, overlapping sources, two quadrants, masked
// pixels and the priors.
import { describe, expect, it } from 'vitest';
import { lossAndGradient } from './gradient';
import {
  DEFAULT_PRIORS,
  loss,
  paramCount,
  paramNames,
  renderScene,
  sourceOffsets,
  validateScene,
  type Pair,
  type Scene,
  type SourceInfo,
} from './scene';
import type { Mat2 } from './shape';
import { mulberry32, gaussian } from '../testing/prng';
import { gaussianPsfStamp } from '../testing/psf';

const rng = mulberry32;


const psf = gaussianPsfStamp;

const N = 32;
const PSF_SIZE = 15;
const J_FLIPPED: Mat2 = [-0.1, 0.004, 0.003, 0.1]; // det < 0 (u West along −x)
const J_ROTATED: Mat2 = [0.07, -0.072, 0.071, 0.069]; // det > 0

const SOURCES: SourceInfo[] = [
  { kind: 'galaxy', catalogFlux: 5, catalogHlr: 0.3 },
  { kind: 'galaxy', catalogFlux: 3, catalogHlr: 0.25 },
  { kind: 'star', catalogFlux: 4 },
  { kind: 'galaxy', catalogFlux: 6, catalogHlr: 0.4 },
];

// Truth: g, then galaxies [flux, hlr, e1, e2, dx, dy], star [flux, dx, dy].
const TRUTH = Float64Array.from([
  0.04, -0.03,
  5.2, 0.32, 0.35, -0.2, 0.02, -0.01,
  2.8, 0.22, -0.3, 0.52, -0.015, 0.03, // |e| = 0.6
  4.1, 0.01, -0.02,
  6.3, 0.42, 0.1, 0.25, 0.0, 0.02,
]);

function pair(source: number, quadrant: number, x0: number, y0: number, delta0: [number, number], jac: Mat2, p: Float64Array, adu: number): Pair {
  return { source, quadrant, x0, y0, n: N, delta0, jac, psf: p, psfSize: PSF_SIZE, aduPerUJy: adu };
}

function buildScene(noiseSigma: number, seed = 7): Scene {
  const psfA = psf(PSF_SIZE, 1.3, 1.1, 0.2, 0.15, -0.1);
  const psfB = psf(PSF_SIZE, 1.0, 1.2, -0.1, -0.1, 0.05);
  const mk = (nx: number, ny: number, name: string) => ({
    nx,
    ny,
    name,
    obs: new Float64Array(nx * ny),
    ivar: new Float64Array(nx * ny).fill(1 / (noiseSigma || 1) ** 2),
  });
  const quadrants = [mk(64, 52, 'q0-flipped'), mk(44, 56, 'q1-rotated')];
  const pairs: Pair[] = [
    pair(0, 0, 4, 6, [0.31, -0.27], J_FLIPPED, psfA, 20),
    pair(1, 0, 12, 14, [-0.44, 0.18], J_FLIPPED, psfA, 20), // overlaps source 0
    pair(2, 0, 16, 2, [0.08, 0.4], J_FLIPPED, psfA, 20), // star overlapping both
    pair(3, 0, 44, 30, [0.2, 0.1], J_FLIPPED, psfA, 20), // clipped at the right and bottom edges
    pair(0, 1, -9, 30, [-0.12, 0.36], J_ROTATED, psfB, 27), // clipped at the left and bottom edges
    pair(2, 1, 20, -12, [0.25, -0.3], J_ROTATED, psfB, 27), // clipped at the top
  ];
  const scene: Scene = { quadrants, sources: SOURCES, pairs };
  const models = renderScene(scene, TRUTH);
  const r = rng(seed);
  quadrants.forEach((q, k) => {
    for (let t = 0; t < q.obs.length; t++) q.obs[t] = models[k][t] + noiseSigma * gaussian(r);
  });
  // A few masked pixels holding garbage, inside source footprints.
  for (const [k, x, y] of [[0, 20, 22], [0, 21, 22], [1, 10, 40]]) {
    const q = quadrants[k];
    q.obs[y * q.nx + x] = Number.NaN;
    q.ivar[y * q.nx + x] = 0;
  }
  return scene;
}

/** Typical size of each parameter: FD steps and the scale of the comparison floor. */
function paramScales(scene: Scene, params: Float64Array): Float64Array {
  const s = new Float64Array(params.length);
  s[0] = s[1] = 0.05;
  const off = sourceOffsets(scene);
  scene.sources.forEach((src, i) => {
    const o = off[i];
    s[o] = params[o];
    if (src.kind === 'galaxy') {
      s[o + 1] = params[o + 1];
      s[o + 2] = s[o + 3] = 0.3;
      s[o + 4] = s[o + 5] = 0.05;
    } else {
      s[o + 1] = s[o + 2] = 0.05;
    }
  });
  return s;
}

/**
 * Compare analytic and central-difference gradients. Relative error of component i is
 * |a_i − f_i| / max(|a_i|, floor_i), where the floor is 1e-4 of the largest component
 * in scaled units (∂L/∂θ_i·scale_i), so near-zero components are judged on the problem's
 * scale, not their own.
 */
function compareWithFiniteDifferences(scene: Scene, params: Float64Array, priors: typeof DEFAULT_PRIORS | null) {
  const { grad } = lossAndGradient(scene, params, priors);
  const scales = paramScales(scene, params);
  const fd = new Float64Array(params.length);
  for (let i = 0; i < params.length; i++) {
    const h = 1e-5 * scales[i];
    const up = Float64Array.from(params);
    const dn = Float64Array.from(params);
    up[i] += h;
    dn[i] -= h;
    fd[i] = (loss(scene, up, priors) - loss(scene, dn, priors)) / (2 * h);
  }
  let maxScaled = 0;
  for (let i = 0; i < params.length; i++) maxScaled = Math.max(maxScaled, Math.abs(grad[i] * scales[i]));
  const names = paramNames(scene);
  const rel = Array.from(grad, (a, i) => {
    const floor = (1e-4 * maxScaled) / scales[i];
    return { name: names[i], a, fd: fd[i], rel: Math.abs(a - fd[i]) / Math.max(Math.abs(a), floor) };
  });
  return { rel, worst: rel.reduce((w, x) => (x.rel > w.rel ? x : w)) };
}

function perturbed(scene: Scene): Float64Array {
  const p = Float64Array.from(TRUTH);
  const s = paramScales(scene, p);
  const r = rng(11);
  for (let i = 0; i < p.length; i++) p[i] += 0.15 * s[i] * (r() - 0.5);
  return p;
}

describe('reference gradient vs finite differences', () => {
  const scene = buildScene(0.05);
  validateScene(scene, TRUTH);

  it('scene sanity: both parities, every stamp rendered, loss finite', () => {
    expect(paramCount(scene)).toBe(TRUTH.length);
    expect(J_FLIPPED[0] * J_FLIPPED[3] - J_FLIPPED[1] * J_FLIPPED[2]).toBeLessThan(0);
    expect(J_ROTATED[0] * J_ROTATED[3] - J_ROTATED[1] * J_ROTATED[2]).toBeGreaterThan(0);
    expect(Number.isFinite(loss(scene, perturbed(scene)))).toBe(true);
    const g = lossAndGradient(scene, perturbed(scene));
    expect(g.loss).toBeCloseTo(loss(scene, perturbed(scene)), 9);
  });

  it('every component within 1e-3 relative, χ² only', () => {
    const { worst, rel } = compareWithFiniteDifferences(scene, perturbed(scene), null);
    expect(worst.rel, JSON.stringify(rel.filter((x) => x.rel > 1e-4))).toBeLessThan(1e-3);
  });

  it('every component within 1e-3 relative, with the default priors', () => {
    const { worst, rel } = compareWithFiniteDifferences(scene, perturbed(scene), DEFAULT_PRIORS);
    expect(worst.rel, JSON.stringify(rel.filter((x) => x.rel > 1e-4))).toBeLessThan(1e-3);
  });

  it('with strong shear and near-circular shapes (e ≈ 0 regularity)', () => {
    const p = perturbed(scene);
    p[0] = 0.3;
    p[1] = 0.2;
    const off = sourceOffsets(scene);
    p[off[0] + 2] = 1e-7;
    p[off[0] + 3] = 0;
    const { worst, rel } = compareWithFiniteDifferences(scene, p, DEFAULT_PRIORS);
    expect(worst.rel, JSON.stringify(rel.filter((x) => x.rel > 1e-4))).toBeLessThan(1e-3);
  });
});

describe('noiseless truth', () => {
  it('loss is 0 and the χ² gradient vanishes at the truth', () => {
    const scene = buildScene(0);
    const atTruth = lossAndGradient(scene, TRUTH, null);
    expect(atTruth.loss).toBeLessThan(1e-20);
    const away = lossAndGradient(scene, perturbed(scene), null);
    const scales = paramScales(scene, TRUTH);
    let worst = 0;
    let typical = 0;
    for (let i = 0; i < TRUTH.length; i++) {
      worst = Math.max(worst, Math.abs(atTruth.grad[i] * scales[i]));
      typical = Math.max(typical, Math.abs(away.grad[i] * scales[i]));
    }
    expect(typical).toBeGreaterThan(1);
    expect(worst / typical).toBeLessThan(1e-10);
  });
});
