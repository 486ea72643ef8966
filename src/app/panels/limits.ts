// Display limits of an image: min/max, percentiles, and IRAF-style zscale. Pure, so testable in Node.
import type { LimitMode } from '../../state/share';

export interface Limits {
  lo: number;
  hi: number;
}

/** Up to `max` finite values spread evenly over the image (sorted ascending). */
export function sampleFinite(data: ArrayLike<number>, max: number): Float64Array {
  const step = Math.max(1, Math.floor(data.length / max));
  const out: number[] = [];
  for (let i = 0; i < data.length; i += step) {
    const v = data[i];
    if (Number.isFinite(v)) out.push(v);
  }
  return Float64Array.from(out).sort();
}

/** Value at quantile q ∈ [0, 1] of sorted values, linear between neighbours. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < n ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

function minMax(data: ArrayLike<number>): Limits {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) ? { lo, hi } : { lo: 0, hi: 1 };
}

/**
 * zscale (IRAF): fit a line to the sorted sample with iterative k-σ rejection of outliers; the limits
 * are the median ∓ (slope / contrast) times the half-range of the sample, clipped to the sample range.
 */
export function zscale(sorted: Float64Array, contrast = 0.25, maxReject = 0.5, krej = 2.5, iterations = 5): Limits {
  const n = sorted.length;
  if (n === 0) return { lo: 0, hi: 1 };
  const zmin = sorted[0];
  const zmax = sorted[n - 1];
  const median = quantile(sorted, 0.5);
  const minPix = Math.max(5, Math.floor(n * (1 - maxReject)));
  if (n < minPix) return { lo: zmin, hi: zmax };
  const keep = new Uint8Array(n).fill(1);
  let slope = 0;
  let intercept = median;
  let ngood = n;
  for (let it = 0; it < iterations; it++) {
    // Least squares of value against index over kept points.
    let sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      sx += i; sy += sorted[i]; sxx += i * i; sxy += i * sorted[i]; m++;
    }
    const den = m * sxx - sx * sx;
    if (m < 2 || den === 0) break;
    slope = (m * sxy - sx * sy) / den;
    intercept = (sy - slope * sx) / m;
    let ss = 0;
    for (let i = 0; i < n; i++) if (keep[i]) ss += (sorted[i] - (intercept + slope * i)) ** 2;
    const sigma = Math.sqrt(ss / m);
    let next = 0;
    for (let i = 0; i < n; i++) {
      const ok = Math.abs(sorted[i] - (intercept + slope * i)) <= krej * sigma;
      keep[i] = ok ? 1 : 0;
      next += keep[i];
    }
    if (next === ngood || next < minPix) {
      ngood = next;
      break;
    }
    ngood = next;
  }
  if (ngood < minPix) return { lo: zmin, hi: zmax };
  const s = slope / contrast;
  const mid = (n - 1) / 2;
  return { lo: Math.max(zmin, median - mid * s), hi: Math.min(zmax, median + mid * s) };
}

/** Limits of an image for a mode; never lo ≥ hi (a flat image gets a unit range around its value). */
export function computeLimits(data: ArrayLike<number>, mode: LimitMode): Limits {
  let l: Limits;
  if (mode === 'minmax') l = minMax(data);
  else if (mode === 'zscale') l = zscale(sampleFinite(data, 2000));
  else {
    const p = Number(mode.slice(1)) / 100;
    const s = sampleFinite(data, 250_000);
    l = s.length ? { lo: quantile(s, 1 - p), hi: quantile(s, p) } : { lo: 0, hi: 1 };
  }
  if (!(l.hi > l.lo)) l = { lo: l.lo - 0.5, hi: l.lo + 0.5 };
  return l;
}

/** Symmetric limits about zero (residual and χ panels), from the larger magnitude. */
export function symmetric(l: Limits): Limits {
  const m = Math.max(Math.abs(l.lo), Math.abs(l.hi)) || 1;
  return { lo: -m, hi: m };
}
