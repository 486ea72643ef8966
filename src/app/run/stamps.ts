// Cut-outs around a source for the inspector's stamps, their display limits, and its neighbours.
import { separationDeg } from '../../data/products/catalogue';
import type { UiSource, UiSourceInQuadrant } from '../../state/workbench-data';

export interface StampBox {
  x0: number;
  y0: number;
  w: number;
  h: number;
}

/** A square around the source: ±3 half-light radii (in pixels of this quadrant), 8 … 32 px half-width. */
export function stampBox(p: UiSourceInQuadrant, hlr: number): StampBox {
  const scale = Math.sqrt(Math.abs(p.jac[0] * p.jac[3] - p.jac[1] * p.jac[2])) || 0.1;
  const half = Math.max(8, Math.min(32, Math.ceil((3 * (Number.isFinite(hlr) ? hlr : 0.3)) / scale)));
  const cx = Math.round(p.x);
  const cy = Math.round(p.y);
  return { x0: cx - half, y0: cy - half, w: 2 * half + 1, h: 2 * half + 1 };
}

/** Display limits of a cut-out: 2nd percentile … maximum of the finite values inside the quadrant. */
export function stampLimits(data: ArrayLike<number>, quad: { nx: number; ny: number }, b: StampBox): { lo: number; hi: number } {
  const v: number[] = [];
  for (let y = Math.max(0, b.y0); y < Math.min(quad.ny, b.y0 + b.h); y++)
    for (let x = Math.max(0, b.x0); x < Math.min(quad.nx, b.x0 + b.w); x++) {
      const a = data[y * quad.nx + x];
      if (Number.isFinite(a)) v.push(a);
    }
  if (v.length === 0) return { lo: 0, hi: 1 };
  v.sort((a, b) => a - b);
  const lo = v[Math.floor(0.02 * (v.length - 1))];
  const hi = v[v.length - 1];
  return hi > lo ? { lo, hi } : { lo: lo - 1, hi: lo + 1 };
}

/** Sources within `radiusArcsec` of `src` (itself included), by sky separation. */
export function neighbours(sources: UiSource[], src: UiSource, radiusArcsec: number): UiSource[] {
  return sources.filter((s) => separationDeg(s.ra, s.dec, src.ra, src.dec) * 3600 <= radiusArcsec);
}
