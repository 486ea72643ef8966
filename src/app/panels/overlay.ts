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
