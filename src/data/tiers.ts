// Stamp tiers (DESIGN §2): each source is rendered on an N×N grid, N a power of two, chosen once
// from the catalogue so that the exponential profile's flux outside the stamp stays below 1e-3.
// The model is built analytically in Fourier space, so the only wrap-around is that tail aliasing
// back in: the FFT size equals the stamp size (no 2× padding as for real-space convolution).

export const TIERS = [32, 64, 128, 256, 512] as const;
export type Tier = (typeof TIERS)[number];

/** Radius in units of r0 holding all but 1e-3 of an exponential's flux: (1+x)·e^(−x) = 1e-3. */
export const EXP_RADIUS_1E3 = 9.233413476451476;
export const HLR_OVER_R0 = 1.6783469900166605;

export interface TierInput {
  kind: 'galaxy' | 'star';
  /** Half-light radius in arcsec (catalogue estimate). */
  hlr: number;
  /** Distortion modulus |e| from the catalogue (0 when unknown). */
  e: number;
  /** Pixel scale in arcsec/px (sqrt|det J|). */
  pixelScale: number;
  /** PSF stamp side in pixels. */
  psfSize: number;
}

/** Growth allowed during a fit before the stamp would be too small: hlr ×1.3, shear |g| ≤ 0.1. */
const HLR_HEADROOM = 1.3;
const SHEAR_STRETCH = Math.sqrt(1.1 / 0.9);

/** Radius (pixels) the stamp must hold around the source centre. */
export function stampRadiusPx(s: TierInput): number {
  const psfHalf = (s.psfSize - 1) / 2;
  if (s.kind === 'star') return psfHalf + 2;
  const e = Math.min(Math.max(s.e, 0), 0.95);
  const eps = e / (1 + Math.sqrt(1 - e * e));
  const stretch = Math.sqrt((1 + eps) / (1 - eps)) * SHEAR_STRETCH;
  const r0 = (s.hlr * HLR_HEADROOM) / HLR_OVER_R0;
  return (EXP_RADIUS_1E3 * r0 * stretch) / s.pixelScale + psfHalf + 2;
}

/** Smallest tier whose half-width holds the radius; the largest tier when none does. */
export function chooseTier(radiusPx: number): Tier {
  for (const t of TIERS) if (t / 2 >= radiusPx) return t;
  return TIERS[TIERS.length - 1];
}
