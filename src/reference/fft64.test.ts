import { describe, expect, it } from 'vitest';
import { centredFrequency, dft2Centred, fft1d, fft2d, idft2Centred } from './fft64';
import { mulberry32 } from '../testing/prng';

const rng = (seed: number) => {
  const u = mulberry32(seed);
  return () => u() - 0.5;
};


// Direct O(N²) DFT straight from the definition, the independent check.
function directDft1d(re: Float64Array, im: Float64Array, sign: number): [Float64Array, Float64Array] {
  const n = re.length;
  const or = new Float64Array(n);
  const oi = new Float64Array(n);
  for (let m = 0; m < n; m++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((m * j) % n)) / n;
      sr += re[j] * Math.cos(a) - im[j] * Math.sin(a);
      si += re[j] * Math.sin(a) + im[j] * Math.cos(a);
    }
    or[m] = sr;
    oi[m] = si;
  }
  return [or, oi];
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('fft64', () => {
  it('1-D forward and inverse match a direct DFT for N = 1…64', () => {
    const r = rng(1);
    for (const n of [1, 2, 4, 8, 16, 32, 64]) {
      for (const inverse of [false, true]) {
        const re = Float64Array.from({ length: n }, r);
        const im = Float64Array.from({ length: n }, r);
        const [dr, di] = directDft1d(re, im, inverse ? 1 : -1);
        fft1d(re, im, inverse);
        const scale = Math.max(maxAbs(dr), maxAbs(di));
        expect(maxDiff(re, dr) / scale).toBeLessThan(1e-13);
        expect(maxDiff(im, di) / scale).toBeLessThan(1e-13);
      }
    }
  });

  it('rejects lengths that are not powers of two', () => {
    expect(() => fft1d(new Float64Array(6), new Float64Array(6))).toThrow(/power of two/);
  });

  it('2-D forward then inverse returns N²·x', () => {
    const r = rng(2);
    const n = 16;
    const re = Float64Array.from({ length: n * n }, r);
    const im = Float64Array.from({ length: n * n }, r);
    const r0 = Float64Array.from(re);
    const i0 = Float64Array.from(im);
    fft2d(re, im, n);
    fft2d(re, im, n, true);
    for (let t = 0; t < n * n; t++) {
      re[t] /= n * n;
      im[t] /= n * n;
    }
    expect(maxDiff(re, r0)).toBeLessThan(1e-14);
    expect(maxDiff(im, i0)).toBeLessThan(1e-14);
  });

  it('centred 2-D DFT matches Σ_n x(n) e^{−i k·n} with n, k measured from the grid centre', () => {
    const r = rng(3);
    for (const n of [2, 4, 8]) {
      const re = Float64Array.from({ length: n * n }, r);
      const im = Float64Array.from({ length: n * n }, r);
      const got = dft2Centred(re, im, n);
      const wantR = new Float64Array(n * n);
      const wantI = new Float64Array(n * n);
      for (let b = 0; b < n; b++) {
        for (let a = 0; a < n; a++) {
          const kx = centredFrequency(a, n);
          const ky = centredFrequency(b, n);
          let sr = 0;
          let si = 0;
          for (let j = 0; j < n; j++) {
            for (let i = 0; i < n; i++) {
              const ph = -(kx * (i - n / 2) + ky * (j - n / 2));
              sr += re[j * n + i] * Math.cos(ph) - im[j * n + i] * Math.sin(ph);
              si += re[j * n + i] * Math.sin(ph) + im[j * n + i] * Math.cos(ph);
            }
          }
          wantR[b * n + a] = sr;
          wantI[b * n + a] = si;
        }
      }
      expect(maxDiff(got.re, wantR)).toBeLessThan(1e-12);
      expect(maxDiff(got.im, wantI)).toBeLessThan(1e-12);
      const back = idft2Centred(got.re, got.im, n);
      expect(maxDiff(back.re, re)).toBeLessThan(1e-14);
      expect(maxDiff(back.im, im)).toBeLessThan(1e-14);
    }
  });

  it('a unit point at the grid centre has a flat spectrum; at +1 px in x its phase is e^{−i kx}', () => {
    const n = 8;
    const x = new Float64Array(n * n);
    x[(n / 2) * n + n / 2 + 1] = 1;
    const X = dft2Centred(x, null, n);
    for (let b = 0; b < n; b++) {
      for (let a = 0; a < n; a++) {
        const kx = centredFrequency(a, n);
        expect(X.re[b * n + a]).toBeCloseTo(Math.cos(kx), 14);
        expect(X.im[b * n + a]).toBeCloseTo(-Math.sin(kx), 14);
      }
    }
  });
});
