// L-BFGS with a strong-Wolfe line search: the default MAP optimiser.
//
// Works in scaled coordinates z = x / scale (a fixed diagonal preconditioner: transform.ts
// DEFAULT_SCALES puts log flux, log hlr, ellipticity, shear and arcsec offsets on comparable
// curvature), with the usual two-loop recursion (memory m, initial inverse Hessian γI,
// γ = sᵀy / yᵀy of the newest pair). Line search: bracketing + zoom with safeguarded cubic
// interpolation (Nocedal & Wright, Algorithms 3.5/3.6; c1 = 1e-4, c2 = 0.9). Non-finite
// trial losses (model domain, overflow) count as "too far" and are bisected away. If the
// search runs out of evaluations, the best trial with sufficient decrease (Armijo) is
// accepted — the backtracking fallback; if there is none, the memory is dropped and a
// steepest-descent step is tried once before giving up with 'line-search-failed'.
// Pairs with sᵀy ≤ 1e-12·|s||y| are not stored (keeps the inverse Hessian positive definite).
// Deterministic: no randomness, fixed operation order.

import {
  checkStart,
  evaluateWithGrad,
  paramsOf,
  relativeChange,
  report,
  resolveScales,
  scaledGradNorm,
  type CommonOptions,
  type OptimizeResult,
  type StopReason,
} from './common';
import type { Objective } from './objective';

export interface LbfgsOptions extends CommonOptions {
  /** Step limit (default 500). */
  maxSteps?: number;
  /** Stop when ‖scale ⊙ ∇ₓL‖∞ < gtol (default 1e-4). */
  gtol?: number;
  /** Stop when the relative loss change over `lossChangeWindow` steps < ftol (default 1e-10). */
  ftol?: number;
  /** History pairs (default 10). */
  memory?: number;
  /** Evaluations per line search (default 25). */
  maxLineSearchEvals?: number;
  c1?: number;
  c2?: number;
}

export const LBFGS_DEFAULTS = { maxSteps: 500, gtol: 1e-4, ftol: 1e-10, memory: 10, maxLineSearchEvals: 25, c1: 1e-4, c2: 0.9 } as const;

interface Trial {
  alpha: number;
  loss: number;
  /** Directional derivative φ'(α) (NaN when the loss is not finite). */
  slope: number;
  gz: Float64Array;
  grad: Float64Array;
  x: Float64Array;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Minimiser of the cubic through (a, fa, da), (b, fb, db), or NaN if it has none. */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return Number.NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - (b - a) * ((db + d2 - d1) / (db - da + 2 * d2));
}

async function lineSearch(
  evalAt: (alpha: number) => Promise<Trial>,
  f0: number,
  slope0: number,
  alpha1: number,
  c1: number,
  c2: number,
  maxEvals: number,
): Promise<{ trial: Trial | null; evals: number }> {
  let evals = 0;
  let best: Trial | null = null; // best trial with sufficient decrease
  const armijo = (t: Trial) => Number.isFinite(t.loss) && t.loss <= f0 + c1 * t.alpha * slope0;
  const consider = (t: Trial) => {
    if (armijo(t) && (!best || t.loss < best.loss)) best = t;
  };
  const wolfe = (t: Trial) => armijo(t) && Math.abs(t.slope) <= -c2 * slope0;

  const zoom = async (lo: Trial, hi: Trial): Promise<Trial | null> => {
    while (evals < maxEvals) {
      const lo_a = lo.alpha;
      const hi_a = hi.alpha;
      const width = hi_a - lo_a;
      let a = Number.isFinite(hi.loss) ? cubicMin(lo_a, lo.loss, lo.slope, hi_a, hi.loss, hi.slope) : Number.NaN;
      const lower = Math.min(lo_a, hi_a) + 0.1 * Math.abs(width);
      const upper = Math.max(lo_a, hi_a) - 0.1 * Math.abs(width);
      if (!(a >= lower && a <= upper)) a = lo_a + 0.5 * width;
      if (Math.abs(width) < 1e-16 * Math.max(1, Math.abs(lo_a))) return null;
      const t = await evalAt(a);
      evals++;
      consider(t);
      if (!Number.isFinite(t.loss) || !armijo(t) || t.loss >= lo.loss) {
        hi = t;
      } else {
        if (Math.abs(t.slope) <= -c2 * slope0) return t;
        if (t.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = t;
      }
    }
    return null;
  };

  const origin: Trial = { alpha: 0, loss: f0, slope: slope0, gz: new Float64Array(0), grad: new Float64Array(0), x: new Float64Array(0) };
  let prev = origin;
  let alpha = alpha1;
  let found: Trial | null = null;
  while (evals < maxEvals && !found) {
    const t = await evalAt(alpha);
    evals++;
    consider(t);
    if (!Number.isFinite(t.loss) || !Number.isFinite(t.slope)) {
      // Too far (outside the model's domain or overflow): bisect towards the last good point.
      alpha = prev.alpha + 0.5 * (alpha - prev.alpha);
      continue;
    }
    if (!armijo(t) || (prev !== origin && t.loss >= prev.loss)) {
      found = await zoom(prev, t);
      break;
    }
    if (wolfe(t)) {
      found = t;
      break;
    }
    if (t.slope >= 0) {
      found = await zoom(t, prev);
      break;
    }
    prev = t;
    alpha *= 4;
  }
  return { trial: found ?? best, evals };
}

export async function lbfgs(objective: Objective, x0: Float64Array, opts: LbfgsOptions = {}): Promise<OptimizeResult> {
  checkStart(objective, x0);
  const o = { ...LBFGS_DEFAULTS, ...opts };
  const scales = resolveScales(objective, opts.scales);
  const every = Math.max(1, opts.every ?? 10);
  const window = opts.lossChangeWindow ?? 3;
  const n = objective.n;

  const toGz = (g: Float64Array) => Float64Array.from(g, (v, i) => v * scales[i]);
  let x: Float64Array = Float64Array.from(x0);
  const first = await evaluateWithGrad(objective, x);
  let evaluations = 1;
  let loss = first.loss;
  let grad: Float64Array = first.grad;
  let gz: Float64Array = toGz(grad);
  if (!Number.isFinite(loss) || !gz.every(Number.isFinite)) {
    throw new RangeError(`loss or gradient not finite at the start point (loss = ${loss})`);
  }
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const RHO: number[] = [];
  const lossHistory = [loss];
  const gradNormHistory = [scaledGradNorm(grad, scales)];
  let reason: StopReason = 'max-steps';
  let step = 0;

  const direction = (): Float64Array => {
    const q = Float64Array.from(gz);
    const k = S.length;
    const alphas = new Float64Array(k);
    for (let j = k - 1; j >= 0; j--) {
      alphas[j] = RHO[j] * dot(S[j], q);
      for (let i = 0; i < n; i++) q[i] -= alphas[j] * Y[j][i];
    }
    const gamma = k > 0 ? dot(S[k - 1], Y[k - 1]) / dot(Y[k - 1], Y[k - 1]) : 1;
    for (let i = 0; i < n; i++) q[i] *= gamma;
    for (let j = 0; j < k; j++) {
      const b = RHO[j] * dot(Y[j], q);
      for (let i = 0; i < n; i++) q[i] += S[j][i] * (alphas[j] - b);
    }
    for (let i = 0; i < n; i++) q[i] = -q[i];
    return q;
  };

  for (;;) {
    const gn = gradNormHistory[gradNormHistory.length - 1];
    if (gn < o.gtol) {
      reason = 'gradient';
      break;
    }
    if (relativeChange(lossHistory, window) < o.ftol) {
      reason = 'loss-change';
      break;
    }
    if (step >= o.maxSteps) break;
    if (opts.signal?.aborted) {
      reason = 'aborted';
      break;
    }

    let accepted: Trial | null = null;
    for (let attempt = 0; attempt < 2 && !accepted; attempt++) {
      if (attempt === 1) {
        if (S.length === 0) break; // already steepest descent
        S.length = Y.length = RHO.length = 0;
      }
      let d = direction();
      let slope0 = dot(d, gz);
      if (!(slope0 < 0)) {
        S.length = Y.length = RHO.length = 0;
        d = direction();
        slope0 = dot(d, gz);
      }
      // Without curvature information, limit the first trial to one scaled unit per coordinate.
      let dmax = 0;
      for (const v of d) dmax = Math.max(dmax, Math.abs(v));
      const alpha1 = S.length === 0 ? Math.min(1, 1 / dmax) : 1;
      const xBase = x;
      const evalAt = async (alpha: number): Promise<Trial> => {
        const xt = Float64Array.from(xBase, (v, i) => v + alpha * d[i] * scales[i]);
        const r = await evaluateWithGrad(objective, xt);
        const g = toGz(r.grad);
        const slope = Number.isFinite(r.loss) ? dot(g, d) : Number.NaN;
        return { alpha, loss: Number.isFinite(r.loss) ? r.loss : Number.NaN, slope, gz: g, grad: r.grad, x: xt };
      };
      const ls = await lineSearch(evalAt, loss, slope0, alpha1, o.c1, o.c2, o.maxLineSearchEvals);
      evaluations += ls.evals;
      accepted = ls.trial;
      if (accepted) {
        const s = Float64Array.from(d, (v) => v * accepted!.alpha);
        const y = Float64Array.from(accepted.gz, (v, i) => v - gz[i]);
        const sy = dot(s, y);
        if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
          S.push(s);
          Y.push(y);
          RHO.push(1 / sy);
          if (S.length > o.memory) {
            S.shift();
            Y.shift();
            RHO.shift();
          }
        }
      }
    }
    if (!accepted) {
      reason = 'line-search-failed';
      break;
    }
    step++;
    x = accepted.x;
    loss = accepted.loss;
    gz = accepted.gz;
    grad = accepted.grad;
    const gnNew = scaledGradNorm(grad, scales);
    lossHistory.push(loss);
    gradNormHistory.push(gnNew);
    if (step % every === 0) await report(objective, opts, step, loss, gnNew, x);
  }
  const gradNorm = gradNormHistory[gradNormHistory.length - 1];
  if (step % every !== 0 || step === 0) await report(objective, opts, step, loss, gradNorm, x);
  return {
    method: 'lbfgs',
    x,
    params: paramsOf(objective, x),
    loss,
    grad,
    gradNorm,
    relLossChange: relativeChange(lossHistory, window),
    steps: step,
    evaluations,
    converged: reason === 'gradient' || reason === 'loss-change',
    reason,
    lossHistory,
    gradNormHistory,
  };
}
