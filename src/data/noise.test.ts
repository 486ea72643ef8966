import { describe, expect, it } from 'vitest';
import { buildInverseVariance, inverseVariance, sigmaClippedMedian, subtractBackground, zeroMasked } from './noise';
import { gaussian, mulberry32 } from '../testing/prng';

/** Independent sigma clipping: filter the kept list and sort it again each round. */
function naiveClip(values: number[], nsigma = 3): { median: number; std: number; kept: number } {
  let kept = values.filter((v) => Number.isFinite(v));
  for (let it = 0; it < 100; it++) {
    const s = [...kept].sort((a, b) => a - b);
    const m = s.length;
    const med = m % 2 ? s[(m - 1) / 2] : (s[m / 2 - 1] + s[m / 2]) / 2;
    const mean = s.reduce((a, b) => a + b, 0) / m;
    const std = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / m);
    const next = kept.filter((v) => Math.abs(v - med) <= nsigma * std);
    if (next.length === kept.length) return { median: med, std, kept: m };
    kept = next;
  }
  throw new Error('no convergence');
}

/** Deterministic uniform and Gaussian deviates. */
function rng(seed: number) {
  const u = mulberry32(seed);
  return { u, g: () => gaussian(u) };
}

describe('sigmaClippedMedian', () => {
  it('agrees with an independent sort-and-filter computation', () => {
    const { u, g } = rng(7);
    for (const n of [1, 2, 5, 100, 4001]) {
      const vals: number[] = [];
      for (let i = 0; i < n; i++) vals.push(u() < 0.1 ? 50 + 200 * u() : 12.5 + 2 * g()); // sky + bright sources
      const f32 = new Float32Array(vals);
      const ref = naiveClip(Array.from(f32));
      const got = sigmaClippedMedian(f32);
      expect(got.median).toBe(ref.median);
      expect(got.kept).toBe(ref.kept);
      expect(got.std).toBeCloseTo(ref.std, 10);
    }
  });

  it('ignores NaN/Inf and excluded pixels; a hand case', () => {
    // 1..9 plus an outlier 1000 (NaN, Inf ignored): median 5.5, mean 104.5, std = sqrt(100028.5 − 104.5²)
    // = 298.5, and |1000 − 5.5| = 994.5 > 3σ = 895.5: 1000 goes; then 1..9 (median 5, std 2.58) stay.
    const a = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000, NaN, Infinity]);
    const r = sigmaClippedMedian(a);
    expect(r.total).toBe(10);
    expect(r.median).toBe(5);
    expect(r.kept).toBe(9);
    expect(r.std).toBeCloseTo(Math.sqrt(60 / 9), 12);
    // With 30 values near 0 the outlier goes: median of the rest.
    const b = new Float32Array([...Array.from({ length: 30 }, (_, i) => (i % 3) - 1), 1000]);
    const rb = sigmaClippedMedian(b);
    expect(rb.kept).toBe(30);
    expect(rb.median).toBe(0);
    const ex = new Uint8Array(b.length);
    ex.fill(1, 0, 10); // leave out ten of the values (the -1, 0, 1 pattern's first ten)
    expect(sigmaClippedMedian(b, { exclude: ex }).total).toBe(21);
    expect(Number.isNaN(sigmaClippedMedian(new Float32Array([NaN])).median)).toBe(true);
  });
});

describe('subtractBackground', () => {
  it('subtracts a map pixel by pixel', () => {
    const sci = new Float32Array([10, 11, NaN, 13]);
    const bkg = new Float32Array([1, 2, 3, 4]);
    const r = subtractBackground(sci, bkg);
    expect(r.method).toBe('map');
    expect(Array.from(r.image)).toEqual([9, 9, NaN, 9]);
    expect(r.level).toBe(2.5);
    expect(() => subtractBackground(sci, new Float32Array(3), { context: 'x.fits[3-4.F]' })).toThrow('x.fits[3-4.F]: background map has 3 pixels, SCI has 4');
  });

  it('without a map, subtracts the clipped median', () => {
    const { g } = rng(3);
    const sci = new Float32Array(2000);
    for (let i = 0; i < sci.length; i++) sci[i] = 100 + g();
    sci[5] = 1e6; // a cosmic ray
    sci[6] = NaN;
    const r = subtractBackground(sci, null);
    const ref = naiveClip(Array.from(sci));
    expect(r.method).toBe('clipped-median');
    expect(r.level).toBe(ref.median);
    expect(Math.abs(r.level - 100)).toBeLessThan(0.1);
    expect(r.image[0]).toBeCloseTo(sci[0] - ref.median, 4);
    expect(Number.isNaN(r.image[6])).toBe(true);
    expect(() => subtractBackground(new Float32Array([NaN, NaN]), null, { context: 'q' })).toThrow('q: no finite pixel');
  });
});

describe('inverseVariance', () => {
  it('is 1/RMS² and 0 where flagged, RMS bad or SCI not finite, with counts', () => {
    const rms = new Float32Array([2, 2, 0, -1, NaN, Infinity, 0.5, 4, 2, 1e-30]);
    const flg = new Int32Array([0, 1, 0, 0, 0, 0, 2, 0, 3, 0]);
    const sci = new Float32Array([1, 1, 1, 1, 1, 1, 1, NaN, 1, 1]);
    const { ivar, counts } = buildInverseVariance(rms, flg, { sci });
    expect(Array.from(ivar)).toEqual([0.25, 0, 0, 0, 0, 0, 4, 0, 0, 0]);
    expect(counts).toEqual({ total: 10, valid: 2, flagged: 2, badRms: 5, badSci: 1 });
    // Another mask: bit 1 (0x2) masks pixels 6 and 8 instead of 1 and 8.
    const other = buildInverseVariance(rms, flg, { maskBits: 0x2 });
    expect(Array.from(other.ivar)).toEqual([0.25, 0.25, 0, 0, 0, 0, 0, 0.0625, 0, 0]);
    expect(other.counts.flagged).toBe(2);
  });

  it('accepts flags as floats (FITS readers give int32 as float64) and NaN flags mask', () => {
    const rms = new Float32Array([1, 1, 1, 1]);
    const flg = new Float64Array([0, 1, NaN, 2 ** 32 + 1]); // the last: a uint32 flag word with bit 0 set
    expect(Array.from(inverseVariance(rms, flg))).toEqual([1, 0, 0, 0]);
    expect(() => buildInverseVariance(rms, new Int32Array(3), { context: 'f.fits' })).toThrow('f.fits: FLG has 3 pixels, RMS has 4');
  });

  it('zeroMasked clears data where ivar is 0', () => {
    const d = new Float32Array([NaN, 5, 7]);
    zeroMasked(d, new Float32Array([0, 1, 0]));
    expect(Array.from(d)).toEqual([0, 5, 0]);
  });
});
