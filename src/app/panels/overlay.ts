// Source ellipses in image pixels: the catalogue (or fitted) shape on the sky mapped through the
// inverse of the local WCS Jacobian, so flipped and rotated quadrants draw the right way round.
import type { UiSource } from '../../state/workbench-data';

/** Overlay ellipses are drawn at this multiple of the half-light radius (about the visible extent). */
export const OVERLAY_HLR_SCALE = 2;

/**
 * Points (image pixels) of the source's ellipse in quadrant q: semi-major a = scale·hlr, axis ratio
 * b/a = 1 − ellipticity, major axis at `pa` degrees East of North (a circle when pa is unknown).
 */
export function ellipsePoints(s: UiSource, q: number, n = 24, shape?: { hlr?: number }): Array<[number, number]> {
  const p = s.perQuadrant[q];
  const [dudx, dudy, dvdx, dvdy] = p.jac;
  const det = dudx * dvdy - dudy * dvdx;
  const a = OVERLAY_HLR_SCALE * (shape?.hlr ?? s.hlr);
  const known = Number.isFinite(s.pa) && Number.isFinite(s.ellipticity);
  const b = known ? a * Math.max(0.05, 1 - s.ellipticity) : a;
  const th = known ? (s.pa * Math.PI) / 180 : 0;
  // (u, v) = (West, North): East of North by θ is (−sin θ, cos θ).
  const mu = -Math.sin(th), mv = Math.cos(th);
  const nu = Math.cos(th), nv = Math.sin(th);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    const u = a * Math.cos(t) * mu + b * Math.sin(t) * nu;
    const v = a * Math.cos(t) * mv + b * Math.sin(t) * nv;
    // J⁻¹ (u, v)
    out.push([p.x + (dvdy * u - dudy * v) / det, p.y + (-dvdx * u + dudx * v) / det]);
  }
  return out;
}

/** Normalised colour position of a value on a log scale between lo and hi. */
export function logPosition(v: number, lo: number, hi: number): number {
  if (!(v > 0) || !(hi > lo) || !(lo > 0)) return 0.5;
  return Math.min(1, Math.max(0, Math.log(v / lo) / Math.log(hi / lo)));
}

/** 2×2 shear matrix S(g) = (1 − |g|²)^(−1/2)·[[1+g1, g2], [g2, 1−g1]] (DESIGN §2), row-major. */
function shearMatrix(g1: number, g2: number): [number, number, number, number] {
  const f = 1 / Math.sqrt(Math.max(1e-12, 1 - g1 * g1 - g2 * g2));
  return [f * (1 + g1), f * g2, f * g2, f * (1 - g1)];
}

/**
 * The fitted shape's ellipse (image pixels): the model's half-light isophote scaled by
 * OVERLAY_HLR_SCALE, w = A·(scale·hlr)·(cos t, sin t) in (u, v) with A = S(g)·S(ε) and ε the
 * reduced-shear form of the distortion e, |ε| = |e| / (1 + √(1 − |e|²)); mapped by J⁻¹.
 */
export function fittedEllipsePoints(s: UiSource, q: number, fit: { hlr: number; e1: number; e2: number }, g: [number, number], n = 24): Array<[number, number]> {
  const p = s.perQuadrant[q];
  const [dudx, dudy, dvdx, dvdy] = p.jac;
  const det = dudx * dvdy - dudy * dvdx;
  const e = Math.hypot(fit.e1, fit.e2);
  const k = e > 0 ? 1 / (1 + Math.sqrt(Math.max(0, 1 - Math.min(e * e, 1 - 1e-12)))) : 0;
  const [a, b, c, d] = shearMatrix(g[0], g[1]);
  const [p0, p1, p2, p3] = shearMatrix(fit.e1 * k, fit.e2 * k);
  const A = [a * p0 + b * p2, a * p1 + b * p3, c * p0 + d * p2, c * p1 + d * p3];
  const r = OVERLAY_HLR_SCALE * fit.hlr;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    const u = r * (A[0] * Math.cos(t) + A[1] * Math.sin(t));
    const v = r * (A[2] * Math.cos(t) + A[3] * Math.sin(t));
    out.push([p.x + (dvdy * u - dudy * v) / det, p.y + (-dvdx * u + dudx * v) / det]);
  }
  return out;
}
