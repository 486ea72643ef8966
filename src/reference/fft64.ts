// Float64 FFTs for the CPU reference model (the oracle for the WGSL engine).
//
// Two layers:
//  1. fft1d / fft2d: the textbook radix-2 transform on array index 0…N−1,
//       forward  X[m] = Σ_j x[j] e^{−2πi·m·j/N}
//       inverse  x[j] = Σ_m X[m] e^{+2πi·m·j/N}      (NO 1/N here)
//  2. dft2Centred / idft2Centred: the stamp convention of DESIGN §2 used by the
//     model. Arrays are N×N, row-major (index = row·N + col, row = y, col = x);
//     array index i ↔ pixel offset from the grid centre n = i − N/2, and
//     ↔ frequency index m = i − N/2, i.e. k = 2π·m/N ∈ [−π, π) (the Nyquist
//     frequency −π sits at index 0, k = 0 at index N/2). Then
//       forward  X(k) = Σ_n x(n) e^{−i k·n}
//       inverse  x(n) = (1/N²) Σ_k X(k) e^{+i k·n}
//     so a point source at +δ has spectrum e^{−i k·δ}.
//     Both n and m are periodic mod N, so the centred transform is the plain one
//     applied to arrays re-indexed by (n mod N), (m mod N): swap halves, FFT, swap back.
// Twiddles are evaluated with Math.cos/sin per butterfly (no recurrences), so
// errors stay at a few ulp·log2(N).

export interface ComplexGrid {
  re: Float64Array;
  im: Float64Array;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** In-place radix-2 FFT of a strided complex sequence (length n, a power of two). */
export function fft1d(
  re: Float64Array,
  im: Float64Array,
  inverse = false,
  n = re.length,
  offset = 0,
  stride = 1,
): void {
  if (!isPowerOfTwo(n)) throw new RangeError(`fft1d: length ${n} is not a power of two`);
  if (im.length !== re.length) throw new RangeError('fft1d: re and im lengths differ');
  const at = (j: number): number => offset + j * stride;
  // Bit-reversal permutation.
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const a = at(i);
      const b = at(j);
      let t = re[a]; re[a] = re[b]; re[b] = t;
      t = im[a]; im[a] = im[b]; im[b] = t;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    for (let k = 0; k < half; k++) {
      const ang = (sign * 2 * Math.PI * k) / len;
      const wr = Math.cos(ang);
      const wi = Math.sin(ang);
      for (let s = 0; s < n; s += len) {
        const a = at(s + k);
        const b = at(s + k + half);
        const tr = re[b] * wr - im[b] * wi;
        const ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/** In-place 2-D FFT of an n×n row-major grid (rows, then columns); no normalisation. */
export function fft2d(re: Float64Array, im: Float64Array, n: number, inverse = false): void {
  if (re.length !== n * n || im.length !== n * n) {
    throw new RangeError(`fft2d: expected ${n}×${n} = ${n * n} values, got re ${re.length}, im ${im.length}`);
  }
  for (let r = 0; r < n; r++) fft1d(re, im, inverse, n, r * n, 1);
  for (let c = 0; c < n; c++) fft1d(re, im, inverse, n, c, n);
}

// Move centred storage (index i ↔ m = i − N/2) to plain storage (index m mod N) or back.
// The map i → (i + N/2) mod N is its own inverse (N even), so one routine serves both.
function swapHalves(src: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  const h = n >> 1;
  for (let j = 0; j < n; j++) {
    const jj = (j + h) % n;
    for (let i = 0; i < n; i++) out[jj * n + ((i + h) % n)] = src[j * n + i];
  }
  return out;
}

function checkCentred(n: number, re: Float64Array, im: Float64Array | null, what: string): void {
  if (!isPowerOfTwo(n) || n < 2) throw new RangeError(`${what}: grid size ${n} must be a power of two ≥ 2`);
  if (re.length !== n * n || (im !== null && im.length !== n * n)) {
    throw new RangeError(`${what}: expected ${n * n} values for a ${n}×${n} grid`);
  }
}

/**
 * Forward centred 2-D DFT, X(k) = Σ_n x(n) e^{−i k·n} (see the file header).
 * `im` may be null for a real input. Returns new arrays in centred storage.
 */
export function dft2Centred(re: Float64Array, im: Float64Array | null, n: number): ComplexGrid {
  checkCentred(n, re, im, 'dft2Centred');
  const xr = swapHalves(re, n);
  const xi = im === null ? new Float64Array(n * n) : swapHalves(im, n);
  fft2d(xr, xi, n, false);
  return { re: swapHalves(xr, n), im: swapHalves(xi, n) };
}

/** Inverse centred 2-D DFT, x(n) = (1/N²) Σ_k X(k) e^{+i k·n}. Returns new arrays. */
export function idft2Centred(re: Float64Array, im: Float64Array, n: number): ComplexGrid {
  checkCentred(n, re, im, 'idft2Centred');
  const xr = swapHalves(re, n);
  const xi = swapHalves(im, n);
  fft2d(xr, xi, n, true);
  const scale = 1 / (n * n);
  for (let t = 0; t < n * n; t++) {
    xr[t] *= scale;
    xi[t] *= scale;
  }
  return { re: swapHalves(xr, n), im: swapHalves(xi, n) };
}

/** Pixel frequency k (radians/pixel) of centred index i on an n-point axis: 2π(i − n/2)/n. */
export function centredFrequency(i: number, n: number): number {
  return (2 * Math.PI * (i - n / 2)) / n;
}
