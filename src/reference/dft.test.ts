import { describe, it, expect } from 'vitest';
import { complex64, dft1d, fft1d, transform2d, realToHalfSpectrum, halfSpectrumToReal, type Complex64 } from './dft';
import { mulberry32 } from '../testing/prng';

const rng = mulberry32;


function random(n: number, r: () => number): Complex64 {
  const x = complex64(n);
  for (let i = 0; i < n; i++) {
    x.re[i] = 2 * r() - 1;
    x.im[i] = 2 * r() - 1;
  }
  return x;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('float64 DFT oracle', () => {
  it('direct DFT of a shifted delta and of a pure tone match their closed forms', () => {
    const n = 12;
    const d = complex64(n);
    d.re[5] = 1;
    const D = dft1d(d);
    for (let k = 0; k < n; k++) {
      expect(D.re[k]).toBeCloseTo(Math.cos((-2 * Math.PI * k * 5) / n), 13);
      expect(D.im[k]).toBeCloseTo(Math.sin((-2 * Math.PI * k * 5) / n), 13);
    }
    const tone = complex64(n);
    for (let t = 0; t < n; t++) {
      tone.re[t] = Math.cos((2 * Math.PI * 3 * t) / n);
      tone.im[t] = Math.sin((2 * Math.PI * 3 * t) / n);
    }
    const T = dft1d(tone);
    for (let k = 0; k < n; k++) {
      expect(T.re[k]).toBeCloseTo(k === 3 ? n : 0, 12);
      expect(T.im[k]).toBeCloseTo(0, 12);
    }
  });

  it('radix-2 FFT equals the direct DFT for N = 1 … 256, forward and inverse', () => {
    const r = rng(1);
    for (let n = 1; n <= 256; n *= 2) {
      const x = random(n, r);
      for (const inv of [false, true]) {
        const a = fft1d(x, inv);
        const b = dft1d(x, inv);
        const tol = 1e-12 * n;
        expect(maxDiff(a.re, b.re)).toBeLessThan(tol);
        expect(maxDiff(a.im, b.im)).toBeLessThan(tol);
      }
      const back = fft1d(fft1d(x), true);
      expect(maxDiff(back.re, x.re)).toBeLessThan(1e-13 * n);
    }
    expect(() => fft1d(complex64(12))).toThrow(/not a power of two/);
  });

  it('2-D FFT equals the 2-D direct DFT, and the round trip is the identity', () => {
    const r = rng(2);
    const n = 16;
    const x = random(n * n, r);
    const a = transform2d(x, n, false, 'fft');
    const b = transform2d(x, n, false, 'dft');
    expect(maxDiff(a.re, b.re)).toBeLessThan(1e-11);
    expect(maxDiff(a.im, b.im)).toBeLessThan(1e-11);
    // Separable tone: exp(2πi(2x + 5y)/n) → n² at (ky=5, kx=2).
    const t = complex64(n * n);
    for (let y = 0; y < n; y++)
      for (let c = 0; c < n; c++) {
        t.re[y * n + c] = Math.cos((2 * Math.PI * (2 * c + 5 * y)) / n);
        t.im[y * n + c] = Math.sin((2 * Math.PI * (2 * c + 5 * y)) / n);
      }
    const T = transform2d(t, n);
    for (let i = 0; i < n * n; i++) expect(T.re[i]).toBeCloseTo(i === 5 * n + 2 ? n * n : 0, 10);
    const back = transform2d(a, n, true);
    expect(maxDiff(back.re, x.re)).toBeLessThan(1e-13);
  });

  it('half spectrum of a real image and its inverse: columns 0..N/2 of the full spectrum, round trip', () => {
    const r = rng(3);
    const n = 16;
    const img = new Float64Array(n * n).map(() => 2 * r() - 1);
    const half = realToHalfSpectrum(img, n, 'dft');
    const full = transform2d({ re: Float64Array.from(img), im: new Float64Array(n * n) }, n, false, 'dft');
    const h = n / 2 + 1;
    for (let y = 0; y < n; y++)
      for (let c = 0; c < h; c++) {
        expect(half.re[y * h + c]).toBeCloseTo(full.re[y * n + c], 11);
        expect(half.im[y * h + c]).toBeCloseTo(full.im[y * n + c], 11);
      }
    expect(maxDiff(halfSpectrumToReal(half, n, 'dft'), img)).toBeLessThan(1e-13);
    expect(maxDiff(halfSpectrumToReal(half, n, 'fft'), img)).toBeLessThan(1e-13);
  });
});
