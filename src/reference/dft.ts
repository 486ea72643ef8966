// Float64 DFT/FFT oracle for tests of the WGSL FFT. Plain on purpose:
// a direct O(N²) DFT, a textbook radix-2 FFT checked against it, and the 2-D
// and real-input transforms built from them by definition (rows then columns,
// half spectrum = columns 0..N/2 of the full spectrum).
//
// Conventions (the same as the GPU FFT):
//   forward  X[k] = Σ_n x[n] · exp(−2πi·k·n/N)
//   inverse  x[n] = (1/N) Σ_k X[k] · exp(+2πi·k·n/N)   (1/N² in 2-D)
// 2-D arrays are row-major N×N; a half spectrum is N rows × (N/2+1) columns.

export interface Complex64 {
  re: Float64Array;
  im: Float64Array;
}

export function complex64(length: number): Complex64 {
  return { re: new Float64Array(length), im: new Float64Array(length) };
}

/** exp(−2πi·j/N) for j = 0..N−1, each angle reduced exactly (j < N) before cos/sin. */
function unitRoots(n: number): Complex64 {
  const w = complex64(n);
  for (let j = 0; j < n; j++) {
    const a = (-2 * Math.PI * j) / n;
    w.re[j] = Math.cos(a);
    w.im[j] = Math.sin(a);
  }
  return w;
}

/** Direct 1-D DFT, O(N²). Any N ≥ 1. Inverse includes the 1/N. */
export function dft1d(x: Complex64, inverse = false): Complex64 {
  const n = x.re.length;
  const w = unitRoots(n);
  const out = complex64(n);
  const s = inverse ? -1 : 1;
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const j = (k * t) % n; // exact index of the root: no large-angle rounding
      const wr = w.re[j];
      const wi = s * w.im[j];
      sr += x.re[t] * wr - x.im[t] * wi;
      si += x.re[t] * wi + x.im[t] * wr;
    }
    out.re[k] = inverse ? sr / n : sr;
    out.im[k] = inverse ? si / n : si;
  }
  return out;
}

/** Radix-2 decimation-in-time FFT (bit reversal, then butterflies). N a power of two. */
export function fft1d(x: Complex64, inverse = false): Complex64 {
  const n = x.re.length;
  if (n < 1 || (n & (n - 1)) !== 0) throw new Error(`fft1d: length ${n} is not a power of two`);
  const re = Float64Array.from(x.re);
  const im = Float64Array.from(x.im);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  const w = unitRoots(n);
  const s = inverse ? -1 : 1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const step = n / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < half; k++) {
        const wr = w.re[k * step];
        const wi = s * w.im[k * step];
        const a = start + k;
        const b = a + half;
        const tr = re[b] * wr - im[b] * wi;
        const ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i] /= n;
      im[i] /= n;
    }
  }
  return { re, im };
}

export type Method = 'dft' | 'fft';

/** 2-D transform of a row-major N×N array: 1-D transforms along rows, then along columns. */
export function transform2d(x: Complex64, n: number, inverse = false, method: Method = 'fft'): Complex64 {
  if (x.re.length !== n * n || x.im.length !== n * n) {
    throw new Error(`transform2d: expected ${n}×${n} = ${n * n} values, got ${x.re.length}/${x.im.length}`);
  }
  const t1 = method === 'dft' ? dft1d : fft1d;
  const out = complex64(n * n);
  const line = complex64(n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      line.re[c] = x.re[r * n + c];
      line.im[c] = x.im[r * n + c];
    }
    const y = t1(line, inverse);
    out.re.set(y.re, r * n);
    out.im.set(y.im, r * n);
  }
  for (let c = 0; c < n; c++) {
    for (let r = 0; r < n; r++) {
      line.re[r] = out.re[r * n + c];
      line.im[r] = out.im[r * n + c];
    }
    const y = t1(line, inverse);
    for (let r = 0; r < n; r++) {
      out.re[r * n + c] = y.re[r];
      out.im[r * n + c] = y.im[r];
    }
  }
  return out;
}

/** Forward transform of a real N×N image, returned as the N × (N/2+1) half spectrum. */
export function realToHalfSpectrum(x: ArrayLike<number>, n: number, method: Method = 'fft'): Complex64 {
  const full = complex64(n * n);
  for (let i = 0; i < n * n; i++) full.re[i] = x[i];
  const X = transform2d(full, n, false, method);
  const h = n / 2 + 1;
  const out = complex64(n * h);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < h; c++) {
      out.re[r * h + c] = X.re[r * n + c];
      out.im[r * h + c] = X.im[r * n + c];
    }
  }
  return out;
}

/**
 * Inverse of a half spectrum to a real N×N image, by definition: extend to the full
 * plane with X[ky, N−kx] = conj X[−ky mod N, kx] for 0 < kx < N/2, inverse 2-D
 * transform, real part. (Columns kx = 0 and N/2 are used as given; taking the real
 * part is what makes the result well defined when they are not Hermitian.)
 */
export function halfSpectrumToReal(half: Complex64, n: number, method: Method = 'fft'): Float64Array {
  const h = n / 2 + 1;
  if (half.re.length !== n * h) throw new Error(`halfSpectrumToReal: expected ${n}×${h} values, got ${half.re.length}`);
  const full = complex64(n * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (c < h) {
        full.re[r * n + c] = half.re[r * h + c];
        full.im[r * n + c] = half.im[r * h + c];
      } else {
        const rr = (n - r) % n;
        const cc = n - c;
        full.re[r * n + c] = half.re[rr * h + cc];
        full.im[r * n + c] = -half.im[rr * h + cc];
      }
    }
  }
  return transform2d(full, n, true, method).re;
}
