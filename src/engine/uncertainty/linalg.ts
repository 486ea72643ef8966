// Small dense symmetric positive-definite algebra for the Laplace approximation
// (blocks of 2×2 … 6×6; row-major Float64Arrays).

/** Lower Cholesky factor of the k×k SPD matrix A, or null if A is not positive definite. */
export function cholesky(A: Float64Array, k: number): Float64Array | null {
  const L = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = A[j * k + j];
    for (let p = 0; p < j; p++) d -= L[j * k + p] * L[j * k + p];
    if (!(d > 0) || !Number.isFinite(d)) return null;
    const ljj = Math.sqrt(d);
    L[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let s = A[i * k + j];
      for (let p = 0; p < j; p++) s -= L[i * k + p] * L[j * k + p];
      L[i * k + j] = s / ljj;
    }
  }
  return L;
}

/** Solve (L Lᵀ) X = B in place for B with `m` columns (k×m, row-major). */
export function choleskySolve(L: Float64Array, k: number, B: Float64Array, m: number): Float64Array {
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < k; i++) {
      let s = B[i * m + c];
      for (let p = 0; p < i; p++) s -= L[i * k + p] * B[p * m + c];
      B[i * m + c] = s / L[i * k + i];
    }
    for (let i = k - 1; i >= 0; i--) {
      let s = B[i * m + c];
      for (let p = i + 1; p < k; p++) s -= L[p * k + i] * B[p * m + c];
      B[i * m + c] = s / L[i * k + i];
    }
  }
  return B;
}

/** Inverse of an SPD matrix from its Cholesky factor. */
export function choleskyInverse(L: Float64Array, k: number): Float64Array {
  const I = new Float64Array(k * k);
  for (let i = 0; i < k; i++) I[i * k + i] = 1;
  return choleskySolve(L, k, I, k);
}
