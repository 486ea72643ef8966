// Gauss–Newton polish of the MAP after L-BFGS. The shear direction of the loss is nearly flat
// (g is constrained only through the ensemble of shapes), so a float32 loss stops a quasi-Newton
// search while ĝ is still a fraction of G_ERR from the optimum. The Laplace machinery already has
// what a Newton step needs: per-source Fisher blocks + the prior Hessian, coupled to g. Solving the
// block-arrow system H Δ = −∇L by the Schur complement gives
//   Δg = −S⁻¹ (∇g − Σ_s H_gs H_ss⁻¹ ∇s),   Δs = −H_ss⁻¹ (∇s + H_sg Δg),
//   S  = H_gg − Σ_s H_gs H_ss⁻¹ H_sg,
// a step for every parameter at once. Each step is accepted only if the loss decreases (halving
// it otherwise), so the polish never makes the fit worse. Cross-source couplings are left out, as
// in the Laplace errors.

import type { FisherBlocks } from '../reference/fisher';
import type { Priors, Scene } from '../reference/scene';
import type { FisherFn } from './fit-backend';
import type { Objective } from './optim/objective';
import { cholesky, choleskySolve } from './uncertainty/linalg';
import { priorHessianDiagonal } from './uncertainty/prior-hessian';

export interface PolishStep {
  /** Newton step in g, in units of the Laplace σ_g of each component. */
  dgSigma: [number, number];
  /** Step length taken (1 = full Newton step, 0 = rejected). */
  alpha: number;
  loss: number;
}

export interface PolishResult {
  params: Float64Array;
  loss: number;
  steps: PolishStep[];
  /** True when the last Newton step in g was below `tolSigma` σ_g. */
  converged: boolean;
}

/** One Gauss–Newton direction from the arrow-structured Hessian; null when S is not SPD. */
export function newtonDirection(blocks: FisherBlocks, prior: Float64Array | null, grad: Float64Array): { delta: Float64Array; sigmaG: [number, number] } | null {
  const n = grad.length;
  const S = Float64Array.from(blocks.gg);
  if (prior) {
    S[0] += prior[0];
    S[3] += prior[1];
  }
  const r = [grad[0], grad[1]];
  const solved: Array<{ L: Float64Array; k: number; offset: number; gs: Float64Array; x: Float64Array }> = [];
  for (const b of blocks.sources) {
    const H = Float64Array.from(b.ss);
    if (prior) for (let i = 0; i < b.k; i++) H[i * b.k + i] += prior[b.offset + i];
    const L = cholesky(H, b.k);
    if (!L) continue; // a source without a usable block stays put
    // X = H_ss⁻¹ [∇s | H_sg]  (k × 3)
    const X = new Float64Array(b.k * 3);
    for (let i = 0; i < b.k; i++) {
      X[i * 3] = grad[b.offset + i];
      X[i * 3 + 1] = b.gs[i];
      X[i * 3 + 2] = b.gs[b.k + i];
    }
    choleskySolve(L, b.k, X, 3);
    for (let i = 0; i < b.k; i++) {
      r[0] -= b.gs[i] * X[i * 3];
      r[1] -= b.gs[b.k + i] * X[i * 3];
      S[0] -= b.gs[i] * X[i * 3 + 1];
      S[1] -= b.gs[i] * X[i * 3 + 2];
      S[2] -= b.gs[b.k + i] * X[i * 3 + 1];
      S[3] -= b.gs[b.k + i] * X[i * 3 + 2];
    }
    solved.push({ L, k: b.k, offset: b.offset, gs: b.gs, x: X });
  }
  const det = S[0] * S[3] - S[1] * S[2];
  if (!(S[0] > 0) || !(det > 0)) return null;
  const dg0 = -(S[3] * r[0] - S[1] * r[1]) / det;
  const dg1 = -(-S[2] * r[0] + S[0] * r[1]) / det;
  const delta = new Float64Array(n);
  delta[0] = dg0;
  delta[1] = dg1;
  for (const s of solved) {
    // Δs = −H_ss⁻¹ ∇s − (H_ss⁻¹ H_sg) Δg
    for (let i = 0; i < s.k; i++) delta[s.offset + i] = -s.x[i * 3] - s.x[i * 3 + 1] * dg0 - s.x[i * 3 + 2] * dg1;
  }
  return { delta, sigmaG: [Math.sqrt(S[3] / det), Math.sqrt(S[0] / det)] };
}

/** Whether every parameter is inside its domain (flux, hlr > 0; |e|, |g| < 1). */
function valid(scene: Scene, p: Float64Array): boolean {
  if (!(p[0] * p[0] + p[1] * p[1] < 1)) return false;
  let o = 2;
  for (const s of scene.sources) {
    if (!(p[o] > 0)) return false;
    if (s.kind === 'galaxy') {
      if (!(p[o + 1] > 0) || !(p[o + 2] * p[o + 2] + p[o + 3] * p[o + 3] < 1)) return false;
      o += 6;
    } else o += 3;
  }
  for (let i = 0; i < p.length; i++) if (!Number.isFinite(p[i])) return false;
  return true;
}

export async function polishMap(
  scene: Scene,
  params: Float64Array,
  priors: Priors | null,
  objective: Objective,
  fisher: FisherFn,
  opts: { maxIterations?: number; tolSigma?: number; signal?: AbortSignal } = {},
): Promise<PolishResult> {
  const maxIterations = opts.maxIterations ?? 4;
  const tolSigma = opts.tolSigma ?? 0.02;
  let p = Float64Array.from(params);
  let cur = await objective.evaluate(p, true);
  const steps: PolishStep[] = [];
  let converged = false;
  for (let it = 0; it < maxIterations && !opts.signal?.aborted; it++) {
    const blocks = await fisher(scene, p);
    let prior: Float64Array | null = null;
    try {
      prior = priors ? priorHessianDiagonal(scene.sources, p, priors) : null;
    } catch {
      break;
    }
    const dir = newtonDirection(blocks, prior, cur.grad!);
    if (!dir) break;
    const dgSigma: [number, number] = [dir.delta[0] / dir.sigmaG[0], dir.delta[1] / dir.sigmaG[1]];
    let alpha = 1;
    let accepted = false;
    for (let h = 0; h < 6; h++, alpha /= 2) {
      const trial = new Float64Array(p.length);
      for (let i = 0; i < p.length; i++) trial[i] = p[i] + alpha * dir.delta[i];
      if (!valid(scene, trial)) continue;
      const ev = await objective.evaluate(trial, true);
      if (Number.isFinite(ev.loss) && ev.loss < cur.loss) {
        p = trial;
        cur = ev;
        accepted = true;
        break;
      }
    }
    steps.push({ dgSigma, alpha: accepted ? alpha : 0, loss: cur.loss });
    if (Math.max(Math.abs(dgSigma[0]), Math.abs(dgSigma[1])) < tolSigma) {
      converged = true;
      break;
    }
    if (!accepted) break;
  }
  return { params: p, loss: cur.loss, steps, converged };
}
