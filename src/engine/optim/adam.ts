// Adam with SHINE's defaults, for comparison with the default optimiser (lbfgs.ts).
//
// SHINE fits MAP with NumPyro's AutoDelta guide: the point estimate lives in the
// unconstrained space of each site's support (biject_to: exp for the LogNormal flux and
// hlr, identity for the Normal shear, ellipticity and offsets) and is moved by Adam
// (step size 0.002, β1 0.9, β2 0.999, ε 1e-8) for a fixed 200 steps, with bias correction:
//   m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g²,
//   x ← x − lr · m̂ / (√v̂ + ε),  m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ).
// Here x is the unconstrained vector of transform.ts (disk map instead of identity for e
// and g; identical to first order near 0). Adam's step is nearly invariant to per-coordinate
// scaling, so `scales` only affects the reported gradient norm unless `scaled` is set.
// Adam has no convergence test in SHINE; gtol/ftol here are optional early stops.

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

export interface AdamOptions extends CommonOptions {
  steps?: number;
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Optimise in x/scale instead of x (default false, as SHINE). */
  scaled?: boolean;
  /** Optional early stops (default: none, run all steps). */
  gtol?: number;
  ftol?: number;
}

export const ADAM_DEFAULTS = { steps: 200, lr: 0.002, beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

export async function adam(objective: Objective, x0: Float64Array, opts: AdamOptions = {}): Promise<OptimizeResult> {
  checkStart(objective, x0);
  const { steps, lr, beta1, beta2, eps } = { ...ADAM_DEFAULTS, ...opts };
  const scales = resolveScales(objective, opts.scales);
  const every = Math.max(1, opts.every ?? 10);
  const window = opts.lossChangeWindow ?? 3;
  const n = objective.n;
  const x = Float64Array.from(x0);
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  const lossHistory: number[] = [];
  const gradNormHistory: number[] = [];
  let evaluations = 0;
  let reason: StopReason = 'max-steps';
  let b1t = 1;
  let b2t = 1;
  let cur = await evaluateWithGrad(objective, x);
  evaluations++;
  let step = 0;
  for (;;) {
    const gn = scaledGradNorm(cur.grad, scales);
    lossHistory.push(cur.loss);
    gradNormHistory.push(gn);
    if (!Number.isFinite(cur.loss) || !cur.grad.every(Number.isFinite)) {
      reason = 'non-finite';
      break;
    }
    if (step > 0 && step % every === 0) await report(objective, opts, step, cur.loss, gn, x);
    if (opts.gtol !== undefined && gn < opts.gtol) {
      reason = 'gradient';
      break;
    }
    if (opts.ftol !== undefined && relativeChange(lossHistory, window) < opts.ftol) {
      reason = 'loss-change';
      break;
    }
    if (step >= steps) break;
    if (opts.signal?.aborted) {
      reason = 'aborted';
      break;
    }
    b1t *= beta1;
    b2t *= beta2;
    for (let i = 0; i < n; i++) {
      const s = opts.scaled ? scales[i] : 1;
      const g = cur.grad[i] * s;
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      x[i] -= (s * lr * (m[i] / (1 - b1t))) / (Math.sqrt(v[i] / (1 - b2t)) + eps);
    }
    step++;
    cur = await evaluateWithGrad(objective, x);
    evaluations++;
  }
  const gradNorm = gradNormHistory[gradNormHistory.length - 1];
  if (step % every !== 0) await report(objective, opts, step, cur.loss, gradNorm, x);
  return {
    method: 'adam',
    x,
    params: paramsOf(objective, x),
    loss: cur.loss,
    grad: cur.grad,
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
