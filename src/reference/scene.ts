// Scene, parameter vector, model images, χ², priors and loss: the float64 reference
// statement of DESIGN §2 for the WGSL engine's tests.
//
// Scene
// - quadrants: nx×ny images, row-major (index = y·nx + x, 0-based pixel centres),
//   obs (ADU, background subtracted) and ivar (1/σ², 0 for masked pixels).
// - pairs: one per visible (source, quadrant) with the stamp geometry of stamp.ts plus
//   the integer stamp corner (x0, y0): stamp grid index (i, j) lies on quadrant pixel
//   (x0 + i, y0 + j), so the grid centre is quadrant pixel (x0 + N/2, y0 + N/2) and the
//   source sits at (x0 + N/2, y0 + N/2) + δ0 + J⁻¹(dx, dy).
//   Pixels of a stamp outside the quadrant are dropped (clipped), not wrapped.
// - sources: kind and the catalogue values used as prior medians.
// Model image of a quadrant = Σ over its pairs, in scene order, of the clipped stamps.
//
// Parameter vector (Float64Array), in this order:
//   [g1, g2,  then for each source in scene order:
//     galaxy → flux (µJy), hlr (arcsec), e1, e2, dx (arcsec, u), dy (arcsec, v)
//     star   → flux (µJy), dx, dy ]
//
// Loss = χ²/2 − log prior, χ² = Σ_quadrants Σ_pixels (obs − model)²·ivar.
// −log prior (independent terms; the normalisation constants ln(σ√(2π)) are dropped,
// nothing else):
//   g1, g2        ~ N(0, gSigma)                     : g²/(2 gSigma²)
//   flux          ~ LogNormal(ln catalogFlux, fluxLogSigma): (ln F − ln F_cat)²/(2σ²) + ln F
//   hlr (galaxy)  ~ LogNormal(ln catalogHlr,  hlrLogSigma) : (ln h − ln h_cat)²/(2σ²) + ln h
//   e1, e2        ~ N(0, eSigma)                     : e²/(2 eSigma²)
//   dx, dy        ~ N(0, offsetSigma) arcsec         : d²/(2 offsetSigma²)
// The + ln x terms are part of the LogNormal density of x (the parameters are fitted
// in their natural units), so they are kept. Flux or hlr ≤ 0 under a prior throws,
// as do |e| ≥ 1 and |g| ≥ 1 (shape.ts) — the oracle never silently returns NaN/∞.

import { checkGeometry, galaxySpectrum, starSpectrum, stampImage, type StampGeometry } from './stamp';

export interface QuadrantData {
  nx: number;
  ny: number;
  obs: Float64Array;
  ivar: Float64Array;
  /** Optional label used in error messages. */
  name?: string;
}

export interface Pair extends StampGeometry {
  source: number;
  quadrant: number;
  /** Quadrant pixel of stamp grid index (0, 0). Integers. */
  x0: number;
  y0: number;
  /**
   * Optional, for the GPU engine only (the reference uses `psf`): `psf` as the bilinear
   * blend of four stamps of the quadrant's `Scene.psfGrids` entry, normalised to unit sum.
   */
  psfBlend?: PsfBlend;
}

/** psf = Σ weights[i]·stamp[stamps[i]] / Σ_pixels(same): a unit-sum bilinear blend. */
export interface PsfBlend {
  /** Stamp indices (iy·gridNx + ix) in the pair's quadrant grid. */
  stamps: [number, number, number, number];
  /** Bilinear weights (≥ 0, not normalised; a weight of 0 ignores its stamp). */
  weights: [number, number, number, number];
}

/** A quadrant's PSF grid (src/data/psf.ts PsfGrid, the fields the engine needs). */
export interface ScenePsfGrid {
  gridNx: number;
  gridNy: number;
  /** Stamp side s (odd). */
  size: number;
  /** gridNy·gridNx stamps of size² values, stamp-major (iy·gridNx + ix), row-major inside. */
  stamps: Float64Array;
}

export type SourceKind = 'galaxy' | 'star';

export interface SourceInfo {
  kind: SourceKind;
  /** Prior median of the flux (µJy). */
  catalogFlux: number;
  /** Prior median of the hlr (arcsec); galaxies only. */
  catalogHlr?: number;
  id?: string | number;
}

export interface Scene {
  quadrants: QuadrantData[];
  sources: SourceInfo[];
  pairs: Pair[];
  /** Optional, for the GPU engine: per quadrant, the PSF grid that pairs' `psfBlend` refer to. */
  psfGrids?: (ScenePsfGrid | undefined)[];
}

export interface Priors {
  gSigma: number;
  fluxLogSigma: number;
  hlrLogSigma: number;
  eSigma: number;
  offsetSigma: number;
}

/** SHINE's defaults (DESIGN §2). */
export const DEFAULT_PRIORS: Priors = {
  gSigma: 0.05,
  fluxLogSigma: 0.5,
  hlrLogSigma: 0.3,
  eSigma: 0.3,
  offsetSigma: 0.05,
};

export const GALAXY_PARAMS = ['flux', 'hlr', 'e1', 'e2', 'dx', 'dy'] as const;
export const STAR_PARAMS = ['flux', 'dx', 'dy'] as const;

export function paramsPerSource(kind: SourceKind): number {
  return kind === 'galaxy' ? GALAXY_PARAMS.length : STAR_PARAMS.length;
}

/** Index in the parameter vector of each source's first parameter (flux). */
export function sourceOffsets(scene: Scene): Int32Array {
  const out = new Int32Array(scene.sources.length);
  let o = 2;
  scene.sources.forEach((s, i) => {
    out[i] = o;
    o += paramsPerSource(s.kind);
  });
  return out;
}

export function paramCount(scene: Scene): number {
  let o = 2;
  for (const s of scene.sources) o += paramsPerSource(s.kind);
  return o;
}

/** Human-readable names, e.g. ['g1', 'g2', 's0.flux', 's0.hlr', …]. */
export function paramNames(scene: Scene): string[] {
  const names = ['g1', 'g2'];
  scene.sources.forEach((s, i) => {
    for (const p of s.kind === 'galaxy' ? GALAXY_PARAMS : STAR_PARAMS) names.push(`s${i}.${p}`);
  });
  return names;
}

/** Throws a clear error naming the first inconsistency in the scene or parameter vector. */
export function validateScene(scene: Scene, params?: Float64Array): void {
  scene.quadrants.forEach((q, k) => {
    const where = `quadrant ${q.name ?? k}`;
    if (!(Number.isInteger(q.nx) && Number.isInteger(q.ny) && q.nx > 0 && q.ny > 0)) {
      throw new RangeError(`${where}: bad size ${q.nx}×${q.ny}`);
    }
    if (q.obs.length !== q.nx * q.ny) throw new RangeError(`${where}: obs has ${q.obs.length} values, expected ${q.nx * q.ny}`);
    if (q.ivar.length !== q.nx * q.ny) throw new RangeError(`${where}: ivar has ${q.ivar.length} values, expected ${q.nx * q.ny}`);
  });
  scene.sources.forEach((s, i) => {
    if (s.kind !== 'galaxy' && s.kind !== 'star') throw new RangeError(`source ${i}: unknown kind '${String(s.kind)}'`);
  });
  scene.pairs.forEach((p, t) => {
    const where = `pair ${t} (source ${p.source}, quadrant ${p.quadrant})`;
    if (!(p.source >= 0 && p.source < scene.sources.length && Number.isInteger(p.source))) {
      throw new RangeError(`${where}: no such source`);
    }
    if (!(p.quadrant >= 0 && p.quadrant < scene.quadrants.length && Number.isInteger(p.quadrant))) {
      throw new RangeError(`${where}: no such quadrant`);
    }
    if (!Number.isInteger(p.x0) || !Number.isInteger(p.y0)) throw new RangeError(`${where}: corner (${p.x0}, ${p.y0}) not integer`);
    checkGeometry(p, where);
  });
  if (params && params.length !== paramCount(scene)) {
    throw new RangeError(`parameter vector has ${params.length} values, the scene needs ${paramCount(scene)}`);
  }
}

/** The model stamp (N×N, ADU) of one pair under the given parameter vector. */
export function renderPairStamp(scene: Scene, pair: Pair, params: Float64Array, offsets = sourceOffsets(scene)): Float64Array {
  const src = scene.sources[pair.source];
  const o = offsets[pair.source];
  const m =
    src.kind === 'galaxy'
      ? galaxySpectrum(
          pair,
          { flux: params[o], hlr: params[o + 1], e1: params[o + 2], e2: params[o + 3], dx: params[o + 4], dy: params[o + 5] },
          params[0],
          params[1],
        )
      : starSpectrum(pair, { flux: params[o], dx: params[o + 1], dy: params[o + 2] });
  return stampImage(m, pair.n);
}

/** Visit the in-quadrant pixels of a pair's stamp: (stamp index, quadrant index). */
export function forEachClipped(pair: Pair, q: QuadrantData, f: (stampIdx: number, quadIdx: number) => void): void {
  const n = pair.n;
  const i0 = Math.max(0, -pair.x0);
  const i1 = Math.min(n, q.nx - pair.x0);
  const j0 = Math.max(0, -pair.y0);
  const j1 = Math.min(n, q.ny - pair.y0);
  for (let j = j0; j < j1; j++) {
    for (let i = i0; i < i1; i++) f(j * n + i, (pair.y0 + j) * q.nx + pair.x0 + i);
  }
}

/** Model images, one per quadrant (ADU, row-major nx×ny). */
export function renderScene(scene: Scene, params: Float64Array): Float64Array[] {
  validateScene(scene, params);
  const offsets = sourceOffsets(scene);
  const models = scene.quadrants.map((q) => new Float64Array(q.nx * q.ny));
  for (const pair of scene.pairs) {
    const stamp = renderPairStamp(scene, pair, params, offsets);
    const q = scene.quadrants[pair.quadrant];
    const model = models[pair.quadrant];
    forEachClipped(pair, q, (s, t) => {
      model[t] += stamp[s];
    });
  }
  return models;
}

/** χ² = Σ (obs − model)²·ivar over all quadrants. */
export function chi2(scene: Scene, models: Float64Array[]): number {
  let c = 0;
  scene.quadrants.forEach((q, k) => {
    const m = models[k];
    for (let t = 0; t < q.obs.length; t++) {
      if (q.ivar[t] === 0) continue; // masked pixels may hold NaN obs
      const r = q.obs[t] - m[t];
      c += r * r * q.ivar[t];
    }
  });
  return c;
}

function logNormalTerm(x: number, median: number, sigma: number, what: string): { value: number; grad: number } {
  if (!(x > 0)) throw new RangeError(`${what} = ${x} must be > 0 under its LogNormal prior`);
  if (!(median > 0)) throw new RangeError(`${what}: prior median ${median} must be > 0`);
  const z = Math.log(x) - Math.log(median);
  // −log p = z²/(2σ²) + ln x  (+ const)
  return { value: (z * z) / (2 * sigma * sigma) + Math.log(x), grad: (z / (sigma * sigma) + 1) / x };
}

/**
 * −log prior (constants dropped, see the file header) and its gradient, accumulated
 * into `grad` when given.
 */
export function negLogPrior(scene: Scene, params: Float64Array, priors: Priors, grad?: Float64Array): number {
  const gauss = (x: number, sigma: number, idx: number): number => {
    if (grad) grad[idx] += x / (sigma * sigma);
    return (x * x) / (2 * sigma * sigma);
  };
  let v = gauss(params[0], priors.gSigma, 0) + gauss(params[1], priors.gSigma, 1);
  const offsets = sourceOffsets(scene);
  scene.sources.forEach((s, i) => {
    const o = offsets[i];
    const f = logNormalTerm(params[o], s.catalogFlux, priors.fluxLogSigma, `source ${i} flux`);
    v += f.value;
    if (grad) grad[o] += f.grad;
    if (s.kind === 'galaxy') {
      if (s.catalogHlr === undefined) throw new RangeError(`source ${i}: galaxy without catalogHlr (hlr prior median)`);
      const h = logNormalTerm(params[o + 1], s.catalogHlr, priors.hlrLogSigma, `source ${i} hlr`);
      v += h.value;
      if (grad) grad[o + 1] += h.grad;
      v += gauss(params[o + 2], priors.eSigma, o + 2) + gauss(params[o + 3], priors.eSigma, o + 3);
      v += gauss(params[o + 4], priors.offsetSigma, o + 4) + gauss(params[o + 5], priors.offsetSigma, o + 5);
    } else {
      v += gauss(params[o + 1], priors.offsetSigma, o + 1) + gauss(params[o + 2], priors.offsetSigma, o + 2);
    }
  });
  return v;
}

/** loss = χ²/2 − log prior; `priors = null` gives χ²/2 alone. */
export function loss(scene: Scene, params: Float64Array, priors: Priors | null = DEFAULT_PRIORS): number {
  const c = chi2(scene, renderScene(scene, params));
  return c / 2 + (priors ? negLogPrior(scene, params, priors) : 0);
}
