// Background subtraction and the noise model (DESIGN §1.2): subtract the background map (or,
// without one, a 3σ-clipped median), and inverse variance 1/RMS² that is 0 wherever a pixel
// must not count (flagged, RMS not finite and positive, SCI not finite).

export interface ClippedStats {
  median: number;
  /** Standard deviation (ddof 0) of the values kept at the end. */
  std: number;
  /** Values kept / finite values considered. */
  kept: number;
  total: number;
  iterations: number;
}

/**
 * σ-clipped median: repeatedly drop values with |x − median| > nsigma·std of the values still kept,
 * until none is dropped (astropy's sigma_clip with cenfunc=median, stdfunc=std). NaN/±Inf are ignored,
 * as are pixels where `exclude[i]` is non-zero.
 */
export function sigmaClippedMedian(
  values: ArrayLike<number>,
  opts: { nsigma?: number; maxIterations?: number; exclude?: ArrayLike<number> } = {},
): ClippedStats {
  const nsigma = opts.nsigma ?? 3;
  const maxIter = opts.maxIterations ?? 50;
  const ex = opts.exclude;
  let n = 0;
  const buf = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) && !(ex && ex[i])) buf[n++] = v;
  }
  if (n === 0) return { median: NaN, std: NaN, kept: 0, total: 0, iterations: 0 };
  // Sort once: every clipped set is then a contiguous run [lo, hi) of the sorted values.
  const s = buf.subarray(0, n).sort();
  let lo = 0;
  let hi = n;
  let med = NaN;
  let std = NaN;
  let it = 0;
  for (;;) {
    const m = hi - lo;
    med = m % 2 === 1 ? s[lo + (m - 1) / 2] : 0.5 * (s[lo + m / 2 - 1] + s[lo + m / 2]);
    let sum = 0;
    for (let i = lo; i < hi; i++) sum += s[i];
    const mean = sum / m;
    let ss = 0;
    for (let i = lo; i < hi; i++) ss += (s[i] - mean) * (s[i] - mean);
    std = Math.sqrt(ss / m);
    if (it >= maxIter) break;
    const a = med - nsigma * std;
    const b = med + nsigma * std;
    const nlo = lowerBound(s, a, lo, hi);
    const nhi = upperBound(s, b, lo, hi);
    it++;
    if (nlo === lo && nhi === hi) break;
    lo = nlo;
    hi = nhi;
    if (hi <= lo) break;
  }
  return { median: med, std, kept: hi - lo, total: n, iterations: it };
}

/** First index in [lo, hi) with s[i] >= x. */
function lowerBound(s: Float64Array, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
/** First index in [lo, hi) with s[i] > x. */
function upperBound(s: Float64Array, x: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface BackgroundResult {
  /** SCI − background (float32; NaN stays NaN). */
  image: Float32Array;
  method: 'map' | 'clipped-median';
  /** The constant subtracted (clipped median), or the mean of the map's finite values. */
  level: number;
  stats?: ClippedStats;
}

/**
 * Subtract the background map when there is one, else a 3σ-clipped median of the image.
 * `exclude` (non-zero = leave out of the median, e.g. flagged pixels) only affects the median.
 */
export function subtractBackground(
  sci: Float32Array | Float64Array,
  bkg: Float32Array | Float64Array | null,
  opts: { context?: string; exclude?: ArrayLike<number>; nsigma?: number } = {},
): BackgroundResult {
  const ctx = opts.context ? `${opts.context}: ` : '';
  const out = new Float32Array(sci.length);
  if (bkg) {
    if (bkg.length !== sci.length) throw new Error(`${ctx}background map has ${bkg.length} pixels, SCI has ${sci.length}`);
    let sum = 0;
    let k = 0;
    for (let i = 0; i < sci.length; i++) {
      out[i] = sci[i] - bkg[i];
      if (Number.isFinite(bkg[i])) {
        sum += bkg[i];
        k++;
      }
    }
    return { image: out, method: 'map', level: k > 0 ? sum / k : NaN };
  }
  if (opts.exclude && opts.exclude.length !== sci.length) throw new Error(`${ctx}mask has ${opts.exclude.length} pixels, SCI has ${sci.length}`);
  const stats = sigmaClippedMedian(sci, { nsigma: opts.nsigma, exclude: opts.exclude });
  if (!Number.isFinite(stats.median)) throw new Error(`${ctx}no finite pixel to estimate the background from`);
  for (let i = 0; i < sci.length; i++) out[i] = sci[i] - stats.median;
  return { image: out, method: 'clipped-median', level: stats.median, stats };
}

export interface MaskCounts {
  total: number;
  /** Pixels with inverse variance > 0. */
  valid: number;
  /** Masked because FLG & maskBits ≠ 0 (or FLG not finite). */
  flagged: number;
  /** Not flagged, but RMS not finite or ≤ 0. */
  badRms: number;
  /** Not flagged, RMS fine, but SCI not finite. */
  badSci: number;
}

export interface InverseVariance {
  ivar: Float32Array;
  counts: MaskCounts;
}

/**
 * Inverse variance 1/RMS², 0 where FLG & maskBits ≠ 0, where RMS is not finite and positive, or where
 * SCI (if given) is not finite. Each masked pixel is counted under the first of these reasons.
 */
export function buildInverseVariance(
  rms: Float32Array | Float64Array,
  flg: Int32Array | Float32Array | Float64Array | Uint8Array | Int16Array | null,
  opts: { maskBits?: number; sci?: Float32Array | Float64Array; context?: string } = {},
): InverseVariance {
  const n = rms.length;
  const ctx = opts.context ? `${opts.context}: ` : '';
  if (flg && flg.length !== n) throw new Error(`${ctx}FLG has ${flg.length} pixels, RMS has ${n}`);
  if (opts.sci && opts.sci.length !== n) throw new Error(`${ctx}SCI has ${opts.sci.length} pixels, RMS has ${n}`);
  const bits = opts.maskBits ?? 0x1;
  const sci = opts.sci;
  const ivar = new Float32Array(n);
  const counts: MaskCounts = { total: n, valid: 0, flagged: 0, badRms: 0, badSci: 0 };
  for (let i = 0; i < n; i++) {
    if (flg) {
      const f = flg[i];
      // Flags beyond 2^31 (uint32 via BZERO) still test right: & works on the low 32 bits.
      if (!Number.isFinite(f) || (f & bits) !== 0) {
        counts.flagged++;
        continue;
      }
    }
    const r = rms[i];
    if (!(r > 0) || !Number.isFinite(r)) {
      counts.badRms++;
      continue;
    }
    if (sci && !Number.isFinite(sci[i])) {
      counts.badSci++;
      continue;
    }
    const w = Math.fround(1 / (r * r));
    if (!Number.isFinite(w) || w === 0) {
      counts.badRms++; // RMS so small or large that 1/RMS² leaves float range
      continue;
    }
    ivar[i] = w;
    counts.valid++;
  }
  return { ivar, counts };
}

/** Inverse variance as a plain array (see buildInverseVariance for counts). */
export function inverseVariance(
  rms: Float32Array | Float64Array,
  flg: Int32Array | Float32Array | Float64Array,
  maskBits = 0x1,
  sci?: Float32Array | Float64Array,
): Float32Array {
  return buildInverseVariance(rms, flg, { maskBits, sci }).ivar;
}

/** Set data to 0 where ivar is 0, so NaN or garbage in masked pixels never reaches χ² (0·NaN is NaN). */
export function zeroMasked(data: Float32Array, ivar: Float32Array): Float32Array {
  for (let i = 0; i < data.length; i++) if (!(ivar[i] > 0)) data[i] = 0;
  return data;
}
