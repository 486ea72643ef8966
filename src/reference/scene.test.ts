import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PRIORS,
  chi2,
  loss,
  negLogPrior,
  paramCount,
  paramNames,
  renderScene,
  sourceOffsets,
  validateScene,
  type Pair,
  type Scene,
} from './scene';
import type { Mat2 } from './shape';

const J: Mat2 = [-0.1, 0, 0, 0.1];

// 3×3 PSF with a distinctive pattern so its placement can be read off the image.
const PSF = Float64Array.from([0.01, 0.02, 0.03, 0.04, 0.6, 0.05, 0.06, 0.07, 0.12]);

function starScene(x0: number, y0: number, delta0: [number, number]): Scene {
  const nx = 20;
  const ny = 12;
  const pair: Pair = { source: 0, quadrant: 0, x0, y0, n: 8, delta0, jac: J, psf: PSF, psfSize: 3, aduPerUJy: 10 };
  return {
    quadrants: [{ nx, ny, obs: new Float64Array(nx * ny), ivar: new Float64Array(nx * ny).fill(1) }],
    sources: [{ kind: 'star', catalogFlux: 1 }],
    pairs: [pair],
  };
}

describe('scene rendering', () => {
  it('places the stamp centre at quadrant pixel (x0 + N/2, y0 + N/2) + δ0, PSF centre on the source', () => {
    const scene = starScene(5, 2, [1, -1]);
    const [m] = renderScene(scene, Float64Array.from([0, 0, 2, 0, 0]));
    // source at x = 5 + 4 + 1 = 10, y = 2 + 4 − 1 = 5; PSF pixel (a, b) at (9 + a, 4 + b)
    for (let b = 0; b < 3; b++) {
      for (let a = 0; a < 3; a++) expect(m[(4 + b) * 20 + 9 + a]).toBeCloseTo(20 * PSF[b * 3 + a], 12);
    }
    let total = 0;
    for (const v of m) total += v;
    expect(total).toBeCloseTo(20, 12);
  });

  it('clips stamps at the quadrant edges instead of wrapping them', () => {
    // source at x = −4 + 4 + 0 = 0, y = 8 + 4 − 1 = 11 (corner pixel of the 20×12 quadrant)
    const scene = starScene(-4, 8, [0, -1]);
    const [m] = renderScene(scene, Float64Array.from([0, 0, 1, 0, 0]));
    // Only PSF pixels (a ≥ 1, b ≤ 1) land inside: x = −1 + a, y = 10 + b.
    let total = 0;
    for (const v of m) total += v;
    const inside = 10 * (PSF[1] + PSF[2] + PSF[4] + PSF[5]);
    expect(total).toBeCloseTo(inside, 12);
    expect(m[11 * 20 + 0]).toBeCloseTo(10 * PSF[4], 12);
    expect(m[10 * 20 + 1]).toBeCloseTo(10 * PSF[2], 12);
  });

  it('χ² ignores masked pixels even when they hold NaN', () => {
    const scene = starScene(5, 2, [0, 0]);
    const q = scene.quadrants[0];
    q.obs.fill(1);
    q.obs[3] = Number.NaN;
    q.ivar[3] = 0;
    q.ivar[4] = 4;
    const models = [new Float64Array(q.nx * q.ny)];
    expect(chi2(scene, models)).toBeCloseTo(q.nx * q.ny - 2 + 4, 12);
  });
});

describe('parameter layout and priors', () => {
  const scene: Scene = {
    quadrants: [],
    sources: [
      { kind: 'galaxy', catalogFlux: 5, catalogHlr: 0.3 },
      { kind: 'star', catalogFlux: 2 },
      { kind: 'galaxy', catalogFlux: 1, catalogHlr: 0.2 },
    ],
    pairs: [],
  };

  it('orders g1, g2, then [flux, hlr, e1, e2, dx, dy] per galaxy and [flux, dx, dy] per star', () => {
    expect(paramCount(scene)).toBe(2 + 6 + 3 + 6);
    expect(Array.from(sourceOffsets(scene))).toEqual([2, 8, 11]);
    expect(paramNames(scene).slice(0, 12)).toEqual([
      'g1', 'g2', 's0.flux', 's0.hlr', 's0.e1', 's0.e2', 's0.dx', 's0.dy', 's1.flux', 's1.dx', 's1.dy', 's2.flux',
    ]);
  });

  it('−log prior equals the sum of −log densities minus their normalisation constants', () => {
    const p = Float64Array.from([0.02, -0.01, 6, 0.25, 0.1, -0.2, 0.01, 0.03, 2.5, -0.02, 0.04, 0.8, 0.22, 0, 0.3, 0, 0]);
    const normal = (x: number, mu: number, s: number) => Math.exp(-((x - mu) ** 2) / (2 * s * s)) / (Math.sqrt(2 * Math.PI) * s);
    const lognormal = (x: number, med: number, s: number) => normal(Math.log(x), Math.log(med), s) / x;
    const P = DEFAULT_PRIORS;
    let nll = 0;
    let consts = 0;
    const gauss = (x: number, s: number) => {
      nll -= Math.log(normal(x, 0, s));
      consts += Math.log(Math.sqrt(2 * Math.PI) * s);
    };
    const logn = (x: number, med: number, s: number) => {
      nll -= Math.log(lognormal(x, med, s));
      consts += Math.log(Math.sqrt(2 * Math.PI) * s);
    };
    gauss(p[0], P.gSigma);
    gauss(p[1], P.gSigma);
    logn(p[2], 5, P.fluxLogSigma);
    logn(p[3], 0.3, P.hlrLogSigma);
    gauss(p[4], P.eSigma);
    gauss(p[5], P.eSigma);
    gauss(p[6], P.offsetSigma);
    gauss(p[7], P.offsetSigma);
    logn(p[8], 2, P.fluxLogSigma);
    gauss(p[9], P.offsetSigma);
    gauss(p[10], P.offsetSigma);
    logn(p[11], 1, P.fluxLogSigma);
    logn(p[12], 0.2, P.hlrLogSigma);
    for (let i = 13; i < 15; i++) gauss(p[i], P.eSigma);
    for (let i = 15; i < 17; i++) gauss(p[i], P.offsetSigma);
    expect(negLogPrior(scene, p, P)).toBeCloseTo(nll - consts, 10);
    expect(loss(scene, p)).toBeCloseTo(nll - consts, 10);
    expect(loss(scene, p, null)).toBe(0);
  });

  it('gives clear errors for bad input', () => {
    expect(() => validateScene(scene, new Float64Array(3))).toThrow(/parameter vector has 3 values, the scene needs 17/);
    const p = new Float64Array(17).fill(0.1);
    p[8] = -1;
    expect(() => negLogPrior(scene, p, DEFAULT_PRIORS)).toThrow(/source 1 flux = -1 must be > 0/);
    const bad = starScene(0, 0, [0, 0]);
    bad.quadrants[0].ivar = new Float64Array(5);
    expect(() => validateScene(bad)).toThrow(/quadrant 0: ivar has 5 values, expected 240/);
    const bad2 = starScene(0, 0, [0, 0]);
    bad2.pairs[0].quadrant = 3;
    expect(() => validateScene(bad2)).toThrow(/pair 0 \(source 0, quadrant 3\): no such quadrant/);
  });
});
