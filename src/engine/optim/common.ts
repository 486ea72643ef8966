// Options, progress reports and results shared by the optimisers (adam.ts, lbfgs.ts).
//
// Gradient norms are reported in scaled units: ‖scale ⊙ ∇ₓL‖∞, i.e. the loss change per
// "typical width" of each coordinate (transform.ts DEFAULT_SCALES), so one tolerance fits
// parameters whose raw units differ by orders of magnitude. The relative loss change is
// |L(k steps ago) − L| / max(|L|, 1): the loss is a negative log density in nats, so 1 nat
// is the natural floor when the loss itself approaches 0 (noiseless, no priors).

import type { Objective } from './objective';

export interface Progress {
  step: number;
  loss: number;
  /** ‖scale ⊙ ∇ₓL‖∞ at this step. */
  gradNorm: number;
  /** Copy of the optimiser's current point (unconstrained x). */
  x: Float64Array;
  /** Natural parameters of x (via the objective's toParams when it has one, else a copy of x). */
  params: Float64Array;
}

export type StopReason = 'gradient' | 'loss-change' | 'max-steps' | 'line-search-failed' | 'aborted' | 'non-finite';

export interface CommonOptions {
  /** Per-coordinate scales of x (default: all 1). */
  scales?: Float64Array;
  /** Call onProgress every `every` steps (default 10) and after the last step. */
  every?: number;
  /** May return a promise; the optimiser awaits it before the next step. */
  onProgress?: (p: Progress) => void | Promise<void>;
  /** Checked once per step; stops with reason 'aborted'. */
  signal?: AbortSignal;
  /** Window k of the relative-loss-change measure (default 3). */
  lossChangeWindow?: number;
}

export interface OptimizeResult {
  method: 'adam' | 'lbfgs';
  /** Final point (unconstrained) and its natural parameters. */
  x: Float64Array;
  params: Float64Array;
  loss: number;
  grad: Float64Array;
  /** ‖scale ⊙ ∇ₓL‖∞ at the final point. */
  gradNorm: number;
  /** Relative loss change over the last `lossChangeWindow` steps (NaN if fewer steps). */
  relLossChange: number;
  steps: number;
  /** Objective evaluations (with or without gradient). */
  evaluations: number;
  converged: boolean;
  reason: StopReason;
  /** Loss after each step (index 0 = start). */
  lossHistory: number[];
  gradNormHistory: number[];
}

export function scaledGradNorm(grad: Float64Array, scales: Float64Array): number {
  let m = 0;
  for (let i = 0; i < grad.length; i++) m = Math.max(m, Math.abs(grad[i] * scales[i]));
  return m;
}

export function relativeChange(history: number[], window: number): number {
  const n = history.length;
  if (n <= window) return Number.NaN;
  const now = history[n - 1];
  return Math.abs(history[n - 1 - window] - now) / Math.max(Math.abs(now), 1);
}

export function resolveScales(objective: Objective, scales: Float64Array | undefined): Float64Array {
  if (!scales) return new Float64Array(objective.n).fill(1);
  if (scales.length !== objective.n) throw new RangeError(`scales have ${scales.length} values, the objective ${objective.n}`);
  scales.forEach((s, i) => {
    if (!(s > 0 && Number.isFinite(s))) throw new RangeError(`scale ${i} = ${s} must be finite and > 0`);
  });
  return scales;
}

export function paramsOf(objective: Objective, x: Float64Array): Float64Array {
  const t = (objective as { toParams?: (x: Float64Array) => Float64Array }).toParams;
  return t ? t(x) : Float64Array.from(x);
}

export async function report(objective: Objective, opts: CommonOptions, step: number, loss: number, gradNorm: number, x: Float64Array): Promise<void> {
  if (!opts.onProgress) return;
  const r = opts.onProgress({ step, loss, gradNorm, x: Float64Array.from(x), params: paramsOf(objective, x) });
  if (r && typeof (r as Promise<void>).then === 'function') await r;
}

export function checkStart(objective: Objective, x0: Float64Array): void {
  if (x0.length !== objective.n) throw new RangeError(`start point has ${x0.length} values, the objective ${objective.n}`);
  x0.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`start point coordinate ${i} = ${v} is not finite`);
  });
}

export async function evaluateWithGrad(objective: Objective, x: Float64Array): Promise<{ loss: number; grad: Float64Array }> {
  const r = await objective.evaluate(x, true);
  if (!r.grad || r.grad.length !== objective.n) {
    throw new Error(`objective returned ${r.grad ? `a gradient of ${r.grad.length} values` : 'no gradient'}, expected ${objective.n}`);
  }
  return { loss: r.loss, grad: r.grad };
}
