// The per-(source, quadrant) stamp rules of the exposure set, as small pure functions so that the
// edge cases (stamps touching a quadrant's border, sources off the projection) are tested directly.
import { chooseTier, stampRadiusPx, type Tier } from '../tiers';

/** Jacobian [dudx, dudy, dvdx, dvdy] in arcsec/px. */
export type Jac = [number, number, number, number];

export interface StampPlacement {
  /** Integer quadrant pixel of stamp index (0, 0); NaN when the position is not finite. */
  x0: number;
  y0: number;
  /** Source position minus the grid-centre pixel (x0 + N/2, y0 + N/2), each in [−0.5, 0.5]. */
  delta0: [number, number];
}

/**
 * Stamp corner for a source at 0-based pixel (x, y) on an N×N grid: the grid centre is the nearest
 * pixel centre, xc = round(x), x0 = xc − N/2 (same in y), δ0 = (x − xc, y − yc).
 */
export function stampPlacement(x: number, y: number, n: number): StampPlacement {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return { x0: NaN, y0: NaN, delta0: [NaN, NaN] };
  const xc = Math.round(x);
  const yc = Math.round(y);
  return { x0: xc - n / 2, y0: yc - n / 2, delta0: [x - xc, y - yc] };
}

/**
 * Whether the N×N stamp [x0, x0+N)×[y0, y0+N) overlaps the quadrant [0, nx)×[0, ny) by at least one
 * pixel. A NaN corner is never visible.
 */
export function stampVisible(x0: number, y0: number, n: number, nx: number, ny: number): boolean {
  // Written as positive comparisons so that NaN gives false.
  return x0 + n > 0 && x0 < nx && y0 + n > 0 && y0 < ny;
}

/** Pixel scale (arcsec/px) of a Jacobian: sqrt|det J|. */
export function pixelScaleOf(j: Jac): number {
  return Math.sqrt(Math.abs(j[0] * j[3] - j[1] * j[2]));
}

/** Stamp tier of a source under a Jacobian (DESIGN §2 tiers, catalogue hlr and |e|). */
export function tierFor(src: { kind: 'galaxy' | 'star'; hlr: number; e: number }, jac: Jac, psfSize: number): Tier {
  const e = Number.isFinite(src.e) ? Math.abs(src.e) : 0;
  return chooseTier(stampRadiusPx({ kind: src.kind, hlr: src.hlr, e, pixelScale: pixelScaleOf(jac), psfSize }));
}
