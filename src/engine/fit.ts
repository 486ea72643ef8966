// The fit of one sub-tile, end to end and reusable (headless page now, workbench worker later):
//   exposure set → plan (what is modelled, what is dropped and why: fit-plan.ts)
//   → backend (GPU engine, or the CPU reference for tiny scenes: fit-backend.ts)
//   → start point from the catalogue (g = 0, catalogue flux and hlr, round, no offsets)
//   → MAP (L-BFGS by default, Adam as SHINE) with progress every k steps and an abort signal
//   → Laplace errors (per-source Fisher blocks, Schur complement over the sources)
//   → per-source χ² over the stamp footprints and N_QUADRANTS → FitResult.
// No DOM, no Node, no WebGPU import (fit-gpu.ts adds the GPU backend): plain data in and out.

import { DEFAULT_PRIORS, paramNames, sourceOffsets, type Priors } from '../reference/scene';
import type { FisherFn, FitBackend } from './fit-backend';
import { robustLaplace } from './fit-laplace';
import { polishMap, type PolishResult, type PolishStep } from './fit-polish';
import { planFit, type FitDrop, type FitPlan, type FitReport, type FitSourceMeta } from './fit-plan';
import { sourceStatistics } from './fit-stats';
import { fitMap, type MapOptions } from './optim/map';
import { layoutFromKinds } from './optim/transform';

export type { FitPlan, FitReport, FitDrop, FitSourceMeta } from './fit-plan';
export { planFit } from './fit-plan';

export interface FitConfig {
  optimizer?: 'lbfgs' | 'adam';
  /** Step limit: L-BFGS max steps (default 500), Adam steps (default 200, SHINE). */
  steps?: number;
  /** Adam learning rate (default 0.002, SHINE). */
  lr?: number;
  /** Stop when the relative loss change over 3 steps is below tol (L-BFGS default 1e-7: float32 GPU loss). */
  tol?: number;
  /** Stop when ‖scale ⊙ ∇ₓL‖∞ < gtol (L-BFGS default 1e-4). */
  gtol?: number;
  /** Progress every `every` steps (default 10). */
  every?: number;
  /** Priors (default SHINE's, DESIGN §2). */
  priors?: Priors;
  /**
   * Gauss–Newton polish after L-BFGS (default on for L-BFGS, never for Adam, which is kept as
   * SHINE runs it): takes ĝ to the MAP where a float32 loss stops the quasi-Newton search early.
   */
  polish?: boolean;
}

export interface FitProgress {
  phase: 'setup' | 'map' | 'uncertainties' | 'final';
  step: number;
  loss: number;
  gradNorm: number;
  g1: number;
  g2: number;
  elapsedMs: number;
}

export interface FitHooks {
  onProgress?: (p: FitProgress) => void | Promise<void>;
  signal?: AbortSignal;
  /** The Fisher blocks for the Laplace errors (default: float64 CPU reference). */
  fisher?: FisherFn;
  /** Called once with the plan before fitting (e.g. to keep the scene for diagnostics). */
  onPlan?: (plan: FitPlan) => void;
}

export interface FitSourceResult extends FitSourceMeta {
  flux: number;
  hlr: number;
  e1: number;
  e2: number;
  dx: number;
  dy: number;
  fluxErr: number;
  hlrErr: number;
  e1Err: number;
  e2Err: number;
  dxErr: number;
  dyErr: number;
  /** χ² over the pixels of the source's clipped stamps (neighbours' light included), and their count. */
  chi2: number;
  npix: number;
}

export interface MapSummary {
  method: 'lbfgs' | 'adam';
  steps: number;
  evaluations: number;
  converged: boolean;
  reason: string;
  loss: number;
  /** ‖scale ⊙ ∇ₓL‖∞ at the end (optim/common.ts). */
  gradNorm: number;
  relLossChange: number;
  lossHistory: number[];
  /** Gauss–Newton polish steps after the optimiser: Newton step in g (σ_g units), step length, loss. */
  polish?: PolishStep[];
}

export interface FitResult {
  tileId: number;
  subTileRow: number;
  subTileCol: number;
  coreRa: number;
  coreDec: number;
  g1: number;
  g2: number;
  g1Err: number;
  g2Err: number;
  /** Marginal 2×2 covariance of (g1, g2), row-major. */
  covG: number[];
  /** Fitted sources (galaxies and stars), in scene order. */
  sources: FitSourceResult[];
  nGalaxies: number;
  nStars: number;
  /** Natural parameter vector at the MAP and its names. */
  params: Float64Array;
  paramNames: string[];
  map: MapSummary;
  /** At the MAP, from the final evaluation. */
  loss: number;
  chi2: number;
  negLogPrior: number;
  /** Pixels with ivar > 0 over all quadrants. */
  validPixels: number;
  /** Visible (source, quadrant) pairs modelled. */
  pairs: number;
  /** GPU backend: per quadrant, non-finite observations the engine masked (0 when the data layer did its job). */
  engineNonFinite?: number[];
  report: FitReport;
  backend: string;
  config: Required<Pick<FitConfig, 'optimizer' | 'steps' | 'every'>> & Omit<FitConfig, 'optimizer' | 'steps' | 'every'> & { priors: Priors };
  timingsMs: Record<string, number>;
  /** Per quadrant (manifest order): model images (ADU) and weighted residuals at the MAP. */
  models: Float32Array[];
  residuals: Float32Array[];
}

/** The fit was stopped by its AbortSignal; `params` is where the optimiser was. */
export class FitAbortedError extends Error {
  constructor(readonly params: Float64Array, readonly steps: number) {
    super(`fit aborted after ${steps} steps`);
    this.name = 'FitAbortedError';
  }
}

const now = () => (globalThis.performance ? globalThis.performance.now() : Date.now());

/** Start point: g = 0, catalogue flux and hlr, round shapes, no offsets. */
export function initialParams(plan: FitPlan): Float64Array {
  const p = new Float64Array(2 + plan.sources.reduce((a, s) => a + (s.kind === 'galaxy' ? 6 : 3), 0));
  const off = sourceOffsets(plan.scene);
  plan.sources.forEach((s, i) => {
    p[off[i]] = s.catalogFlux;
    if (s.kind === 'galaxy') p[off[i] + 1] = s.catalogHlr;
  });
  return p;
}

export function resolveFitConfig(c: FitConfig): FitResult['config'] {
  const optimizer = c.optimizer ?? 'lbfgs';
  if (optimizer !== 'lbfgs' && optimizer !== 'adam') throw new RangeError(`fit: optimizer must be 'lbfgs' or 'adam', not '${String(optimizer)}'`);
  const steps = c.steps ?? (optimizer === 'adam' ? 200 : 500);
  if (!(Number.isInteger(steps) && steps >= 1)) throw new RangeError(`fit: steps must be an integer ≥ 1, got ${steps}`);
  const every = c.every ?? 10;
  if (!(Number.isInteger(every) && every >= 1)) throw new RangeError(`fit: every must be an integer ≥ 1, got ${every}`);
  for (const [k, v] of [['lr', c.lr], ['tol', c.tol], ['gtol', c.gtol]] as const)
    if (v !== undefined && !(v > 0 && Number.isFinite(v))) throw new RangeError(`fit: ${k} must be a finite number > 0, got ${v}`);
  const out: FitResult['config'] = { optimizer, steps, every, priors: c.priors ?? DEFAULT_PRIORS };
  if (optimizer === 'lbfgs') out.tol = c.tol ?? 1e-7;
  else if (c.tol !== undefined) out.tol = c.tol;
  if (c.gtol !== undefined) out.gtol = c.gtol;
  if (optimizer === 'adam') out.lr = c.lr ?? 0.002;
  out.polish = optimizer === 'lbfgs' && c.polish !== false;
  return out;
}

/**
 * Fit a planned scene on a backend. The backend is the caller's (it is not destroyed here).
 * Throws FitAbortedError when `hooks.signal` aborts, DeviceLostError when the GPU is lost.
 */
export async function fitPlan(plan: FitPlan, backend: FitBackend, config: FitConfig = {}, hooks: FitHooks = {}): Promise<FitResult> {
  const cfg = resolveFitConfig(config);
  const t0 = now();
  const timings: Record<string, number> = {};
  const scene = plan.scene;
  const layout = layoutFromKinds(scene.sources.map((s) => s.kind));
  const start = initialParams(plan);
  const progress = hooks.onProgress;
  hooks.onPlan?.(plan);

  const common = {
    every: cfg.every,
    signal: hooks.signal,
    onProgress: progress
      ? (p: { step: number; loss: number; gradNorm: number; params: Float64Array }) =>
          progress({ phase: 'map', step: p.step, loss: p.loss, gradNorm: p.gradNorm, g1: p.params[0], g2: p.params[1], elapsedMs: now() - t0 })
      : undefined,
  };
  const mapOpts: MapOptions =
    cfg.optimizer === 'adam'
      ? { optimizer: 'adam', steps: cfg.steps, lr: cfg.lr, ...(cfg.tol !== undefined ? { ftol: cfg.tol } : {}), ...(cfg.gtol !== undefined ? { gtol: cfg.gtol } : {}), ...common }
      : { optimizer: 'lbfgs', maxSteps: cfg.steps, ftol: cfg.tol, ...(cfg.gtol !== undefined ? { gtol: cfg.gtol } : {}), ...common };
  const withLoss = <T>(p: Promise<T>, what: string) => p.catch((e: unknown) => Promise.reject(lostError(e, backend, what)));
  const fit = await withLoss(fitMap(backend.objective, layout, start, mapOpts), 'during the MAP fit');
  timings.map = now() - t0;
  if (fit.reason === 'aborted') throw new FitAbortedError(fit.params, fit.steps);
  if (fit.reason === 'non-finite') throw new Error(`fit: the loss became non-finite after ${fit.steps} steps (reason 'non-finite'); no result`);

  let t = now();
  let mapParams = fit.params;
  let polish: PolishResult | undefined;
  if (cfg.polish) {
    polish = await withLoss(polishMap(scene, fit.params, cfg.priors, backend.objective, hooks.fisher ?? backend.fisher, { signal: hooks.signal }), 'while polishing the MAP');
    mapParams = polish.params;
    timings.polish = now() - t;
  }

  t = now();
  const final = await withLoss(backend.final(mapParams), 'in the final evaluation');
  timings.final = now() - t;
  await progress?.({ phase: 'uncertainties', step: fit.steps, loss: final.loss, gradNorm: fit.gradNorm, g1: mapParams[0], g2: mapParams[1], elapsedMs: now() - t0 });

  t = now();
  const dropped: FitDrop[] = [...plan.report.dropped];
  const lap = await robustLaplace(scene, mapParams, cfg.priors, hooks.fisher ?? backend.fisher);
  for (const s of lap.unconstrained)
    dropped.push({ objectId: plan.sources[s].objectId, what: 'source errors', stage: 'uncertainty', reason: 'Hessian block not positive definite: errors NaN, left out of the shear marginalisation' });
  timings.uncertainties = now() - t;

  t = now();
  const stats = sourceStatistics(scene, final.residuals);
  timings.statistics = now() - t;
  const off = sourceOffsets(scene);
  const P = mapParams;
  const S = lap.sigma;
  const sources: FitSourceResult[] = plan.sources.map((m, i) => {
    const o = off[i];
    const g = m.kind === 'galaxy';
    const at = (a: Float64Array, k: number) => a[o + k];
    return {
      ...m,
      flux: at(P, 0),
      hlr: g ? at(P, 1) : Number.NaN,
      e1: g ? at(P, 2) : Number.NaN,
      e2: g ? at(P, 3) : Number.NaN,
      dx: g ? at(P, 4) : at(P, 1),
      dy: g ? at(P, 5) : at(P, 2),
      fluxErr: at(S, 0),
      hlrErr: g ? at(S, 1) : Number.NaN,
      e1Err: g ? at(S, 2) : Number.NaN,
      e2Err: g ? at(S, 3) : Number.NaN,
      dxErr: g ? at(S, 4) : at(S, 1),
      dyErr: g ? at(S, 5) : at(S, 2),
      chi2: stats.chi2[i],
      npix: stats.npix[i],
    };
  });
  let validPixels = 0;
  for (const q of scene.quadrants) for (let i = 0; i < q.ivar.length; i++) if (q.ivar[i] > 0) validPixels++;
  timings.fitTotal = now() - t0;
  const nGalaxies = plan.sources.filter((s) => s.kind === 'galaxy').length;
  const warnings = [...plan.report.warnings, ...lap.warnings];
  if (!fit.converged) warnings.push(`MAP not converged: stopped by '${fit.reason}' after ${fit.steps} steps (gradient norm ${fit.gradNorm.toExponential(2)})`);
  return {
    tileId: plan.tileId,
    subTileRow: plan.subTileRow,
    subTileCol: plan.subTileCol,
    coreRa: plan.coreRa,
    coreDec: plan.coreDec,
    g1: P[0],
    g2: P[1],
    g1Err: lap.g1Err,
    g2Err: lap.g2Err,
    covG: Array.from(lap.covG),
    sources,
    nGalaxies,
    nStars: plan.sources.length - nGalaxies,
    params: P,
    paramNames: paramNames(scene),
    map: {
      method: fit.method,
      steps: fit.steps,
      evaluations: fit.evaluations,
      converged: fit.converged,
      reason: fit.reason,
      loss: fit.loss,
      gradNorm: fit.gradNorm,
      relLossChange: fit.relLossChange,
      lossHistory: fit.lossHistory,
      ...(polish ? { polish: polish.steps } : {}),
    },
    loss: final.loss,
    chi2: final.chi2,
    negLogPrior: final.negLogPrior,
    validPixels,
    pairs: scene.pairs.length,
    ...(backend.nonFinite ? { engineNonFinite: backend.nonFinite() } : {}),
    report: { ...plan.report, dropped, warnings },
    backend: backend.name,
    config: cfg,
    timingsMs: timings,
    models: final.models,
    residuals: final.residuals,
  };
}

function lostError(e: unknown, backend: FitBackend, when: string): unknown {
  // engine.ts DeviceLostError, matched by name: this module must not import WebGPU code.
  const isLost = (e as { name?: string })?.name === 'DeviceLostError';
  const reason = isLost ? ((e as { reason?: string }).reason ?? backend.lost()) : backend.lost();
  if (!isLost && !reason) return e;
  const err = new Error(`the GPU device was lost ${when} (${reason ?? 'no reason given'}); no result`);
  err.name = 'DeviceLostError';
  return err;
}

