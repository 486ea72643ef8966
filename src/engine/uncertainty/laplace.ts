// Laplace approximation at the MAP: G1_ERR, G2_ERR and per-source parameter errors
// (DESIGN §2, "Uncertainties").
//
// Hessian H = F (Gauss–Newton/Fisher of χ²/2, per-source blocks: src/reference/fisher.ts
// or the GPU equivalent) + exact prior Hessian (diagonal, prior-hessian.ts), in natural
// parameters (flux µJy, hlr ", e, offsets ", g).
//
// Structure: H is treated as "arrowhead" — the (g, g) block, one k×k block per source
// (6 galaxy, 3 star), and the couplings g↔source; source↔source blocks (blended stamps)
// are neglected. Under that structure the results are exact block-inverse formulas:
//   S      = H_gg − Σ_s H_gs H_ss⁻¹ H_sg           (Schur complement: sources marginalised)
//   Σ_gg   = S⁻¹                                   → G1_ERR, G2_ERR = √diag Σ_gg
//   Σ_ss   = H_ss⁻¹ + W_s Σ_gg W_sᵀ, W_s = H_ss⁻¹ H_sg   (marginal over g, not conditional)
// The (g, g) block H_gg is Σ_s F_gg^(s) + prior (the same per-source sums), so each source's
// term F_gg^(s) − F_gs F_ss⁻¹ F_sg is the Schur complement of a PSD matrix: S stays positive
// definite. With disjoint stamps this equals the full dense inverse (tested).

import type { FisherBlocks } from '../../reference/fisher';
import { cholesky, choleskyInverse, choleskySolve } from './linalg';

export interface LaplaceResult {
  g1Err: number;
  g2Err: number;
  /** Marginal 2×2 covariance of (g1, g2), row-major. */
  covG: Float64Array;
  /** Marginal 1σ error of every parameter (natural units, parameter-vector layout); entries 0, 1 = g. */
  sigma: Float64Array;
  /** Per-source 1σ errors conditional on g (diag H_ss⁻¹), same layout; g entries NaN. */
  sigmaConditional: Float64Array;
}

/**
 * @param blocks per-source Fisher blocks of χ²/2
 * @param priorDiag diagonal of the −log prior Hessian (length n), or null for no priors
 */
export function laplaceUncertainties(blocks: FisherBlocks, priorDiag: Float64Array | null): LaplaceResult {
  const n = blocks.n;
  if (priorDiag && priorDiag.length !== n) throw new RangeError(`prior Hessian has ${priorDiag.length} values, expected ${n}`);
  const pr = (i: number) => (priorDiag ? priorDiag[i] : 0);
  const S = Float64Array.from(blocks.gg);
  S[0] += pr(0);
  S[3] += pr(1);
  const perSource = blocks.sources.map((b) => {
    const { k } = b;
    const H = Float64Array.from(b.ss);
    for (let i = 0; i < k; i++) H[i * k + i] += pr(b.offset + i);
    const L = cholesky(H, k);
    if (!L) {
      throw new RangeError(
        `source ${b.source} (parameters ${b.offset}…${b.offset + k - 1}): Hessian block not positive definite ` +
          `(unconstrained by the data and its priors, e.g. fully masked or flux far above its prior median)`,
      );
    }
    // W = H_ss⁻¹ H_sg (k×2); H_sg = gsᵀ
    const W = new Float64Array(k * 2);
    for (let i = 0; i < k; i++) {
      W[i * 2] = b.gs[i];
      W[i * 2 + 1] = b.gs[k + i];
    }
    choleskySolve(L, k, W, 2);
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < 2; c++) {
        let s = 0;
        for (let i = 0; i < k; i++) s += b.gs[r * k + i] * W[i * 2 + c];
        S[r * 2 + c] -= s;
      }
    }
    return { b, L, W };
  });
  const det = S[0] * S[3] - S[1] * S[2];
  if (!(S[0] > 0 && det > 0)) {
    throw new RangeError(`shear Schur complement not positive definite ([${Array.from(S).join(', ')}]): g is unconstrained`);
  }
  const covG = Float64Array.of(S[3] / det, -S[1] / det, -S[2] / det, S[0] / det);
  const sigma = new Float64Array(n);
  const sigmaConditional = new Float64Array(n).fill(Number.NaN);
  sigma[0] = Math.sqrt(covG[0]);
  sigma[1] = Math.sqrt(covG[3]);
  for (const { b, L, W } of perSource) {
    const inv = choleskyInverse(L, b.k);
    for (let i = 0; i < b.k; i++) {
      const w0 = W[i * 2];
      const w1 = W[i * 2 + 1];
      const extra = w0 * (covG[0] * w0 + covG[1] * w1) + w1 * (covG[2] * w0 + covG[3] * w1);
      sigma[b.offset + i] = Math.sqrt(inv[i * b.k + i] + extra);
      sigmaConditional[b.offset + i] = Math.sqrt(inv[i * b.k + i]);
    }
  }
  return { g1Err: sigma[0], g2Err: sigma[1], covG, sigma, sigmaConditional };
}
