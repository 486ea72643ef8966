// The workbench's engine worker: WebGPU runs in this dedicated worker so the page never waits on it.
// It owns the fit plan (src/engine/fit-plan.ts), the GPU backend (src/engine/fit-backend.ts) and the
// current parameter vector; the page sends commands (render, fit, pause/resume/stop, results) and
// gets model images back as transferables. The fit uses fit.ts's pieces (backend, MAP, Laplace,
// per-source χ²) with what the workbench adds: a start point (continue, neighbourhood), fixed
// parameters (gradient components zeroed: L-BFGS and Adam then never move them), excluded sources
// (a sub-scene), pause between evaluations, and the full parameter vector in every progress event.
import * as Comlink from 'comlink';
import type { ExposureSet } from '../src/data/exposure-set';
import { paramsTable, readParamsTable } from '../src/data/products/params';
import { productNames } from '../src/data/products/names';
import { openSource, readAll } from '../src/data/storage/index';
import { acquireGpu, type GpuContext } from '../src/engine/device';
import { gpuBackend, type FitBackend } from '../src/engine/fit-backend';
import { robustLaplace } from '../src/engine/fit-laplace';
import { planFit, type FitPlan } from '../src/engine/fit-plan';
import { sourceStatistics } from '../src/engine/fit-stats';
import { initialParams } from '../src/engine/fit';
import { fitMap, type MapOptions } from '../src/engine/optim/map';
import { layoutFromKinds } from '../src/engine/optim/transform';
import { DEFAULT_PRIORS, paramNames, sourceOffsets } from '../src/reference/scene';
import { freeMask, gatherParams, keepFixed, maskedObjective, scatterParams, withoutSources, type SubScene } from '../src/app/run/scene-tools';
import { resultHeader, resultRows, resultsToParams } from '../src/app/run/results-table';
import type { FreeGroups, ParamIndex } from '../src/state/run';

export interface EngineInit {
  index: ParamIndex;
  start: Float64Array;
  adapter: string;
  isSoftware: boolean;
  /** Plan notes (dropped sources, masked pixels). */
  warnings: string[];
}

export interface RenderOutput {
  /** Per quadrant; null for quadrants not asked for. */
  models: Array<Float32Array | null>;
  /** Per-source χ² over its stamps (plan order; NaN for excluded sources). */
  chi2: Float64Array;
  loss: number;
}

export interface FitRequest {
  steps: number;
  optimizer: 'lbfgs' | 'adam';
  lr: number;
  every: number;
  free: FreeGroups;
  /** object_ids: free only these (and fix the shear); absent = all. */
  onlySources?: number[];
  /** object_ids left out of the model. */
  exclude: number[];
  /** Start from the catalogue instead of the current parameters. */
  fromCatalogue?: boolean;
  /** Quadrant whose model image comes with the progress events. */
  quadrant: number;
}

export interface FitProgressEvent {
  step: number;
  loss: number;
  gradNorm: number;
  /** Full parameter vector (plan order). */
  params: Float64Array;
  model?: { quadrant: number; data: Float32Array };
  chi2?: Float64Array;
}

export interface FitOutcome {
  params: Float64Array;
  sigma: Float64Array | null;
  g1Err: number | null;
  g2Err: number | null;
  reason: string;
  steps: number;
  loss: number;
  chi2: Float64Array;
  models: Float32Array[];
  warnings: string[];
}

let ctx: GpuContext | null = null;
let plan: FitPlan | null = null;
let set: ExposureSet | null = null;
let offsets: Int32Array = new Int32Array(0);
let params: Float64Array = new Float64Array(0);
let sigma: Float64Array | null = null;
let g1Err: number | null = null;
let g2Err: number | null = null;
let chi2: Float64Array = new Float64Array(0);
let viewQuadrant = 0;
/** The backend of the current sub-scene (key: sorted excluded object_ids). */
let current: { key: string; sub: SubScene; backend: FitBackend } | null = null;

let running = false;
let abort: AbortController | null = null;
let paused = false;
let resumeGate: (() => void) | null = null;

/** Why the GPU device was lost (the page then offers a reload), or null. */
let lostReason: string | null = null;

function need<T>(v: T | null, what: string): T {
  if (lostReason) throw new Error(`the GPU device was lost (${lostReason}); reload the page to start the engine again`);
  if (v === null) throw new Error(`engine worker: ${what} before init()`);
  return v;
}

async function backendFor(exclude: number[]): Promise<{ sub: SubScene; backend: FitBackend }> {
  const p = need(plan, 'backend');
  const key = [...exclude].sort((a, b) => a - b).join(',');
  if (current?.key === key) return current;
  current?.backend.destroy();
  current = null;
  const drop = new Set<number>();
  p.sources.forEach((s, i) => exclude.includes(s.objectId) && drop.add(i));
  const sub = withoutSources(p.scene, drop);
  if (sub.scene.pairs.length === 0) throw new Error('nothing left to model: every source is excluded');
  const backend = await gpuBackend(need(ctx, 'backend'), sub.scene, DEFAULT_PRIORS); // GPU Fisher for the Laplace errors
  current = { key, sub, backend };
  return current;
}

/** χ² per plan source from a sub-scene evaluation (NaN for excluded ones). */
function planChi2(sub: SubScene, residuals: Float32Array[]): Float64Array {
  const st = sourceStatistics(sub.scene, residuals);
  const out = new Float64Array(need(plan, 'chi2').sources.length).fill(NaN);
  sub.kept.forEach((full, i) => (out[full] = st.chi2[i]));
  return out;
}

async function evaluateAt(full: Float64Array, exclude: number[], quadrants: number[] | 'all'): Promise<RenderOutput> {
  const { sub, backend } = await backendFor(exclude);
  const r = await backend.final(gatherParams(full, sub.paramMap));
  const models = r.models.map((m, k) => (quadrants === 'all' || quadrants.includes(k) ? m : null));
  return { models, chi2: planChi2(sub, r.residuals), loss: r.loss };
}

function transferOut<T extends object>(v: T, arrays: Array<ArrayBufferView | null | undefined>): T {
  const bufs = new Set<ArrayBuffer>();
  for (const a of arrays) if (a && a.buffer instanceof ArrayBuffer) bufs.add(a.buffer);
  return Comlink.transfer(v, [...bufs]);
}

async function waitWhilePaused(): Promise<void> {
  while (paused && !abort?.signal.aborted) await new Promise<void>((r) => (resumeGate = r));
}

const api = {
  async init(exposureSet: ExposureSet): Promise<EngineInit> {
    set = exposureSet;
    plan = planFit(exposureSet);
    if (plan.scene.pairs.length === 0) throw new Error('nothing to fit: no selected source is visible with unmasked pixels in any quadrant');
    offsets = sourceOffsets(plan.scene);
    params = initialParams(plan);
    chi2 = new Float64Array(plan.sources.length).fill(NaN);
    ctx = await acquireGpu();
    void ctx.device.lost.then((info) => {
      if (info.reason === 'destroyed') return;
      lostReason = `${info.reason}: ${info.message}`;
      ctx = null;
      current = null;
    });
    await backendFor([]);
    const info = ctx.adapterInfo;
    return {
      index: {
        names: paramNames(plan.scene),
        objectIds: plan.sources.map((s) => s.objectId),
        kinds: plan.sources.map((s) => s.kind),
        offsets: Array.from(offsets),
        core: plan.sources.map((s) => s.core),
        nQuadrants: plan.sources.map((s) => s.nQuadrants),
      },
      start: Float64Array.from(params),
      adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' · ') || 'WebGPU adapter',
      isSoftware: ctx.isSoftware,
      warnings: plan.report.warnings,
    };
  },

  setQuadrant(q: number) {
    viewQuadrant = q;
  },

  /** Model images at `p` (default: the current parameters), which also become the current parameters. */
  async render(p: Float64Array | null, exclude: number[], quadrants: number[] | 'all'): Promise<RenderOutput> {
    if (running) throw new Error('a fit is running: stop it before rendering');
    if (p) params = Float64Array.from(p);
    const out = await evaluateAt(params, exclude, quadrants);
    chi2 = out.chi2;
    return transferOut(out, out.models);
  },

  /** Read a params table (FITS or Parquet) by URL, make it the current parameters and render it once. */
  async loadResults(url: string, exclude: number[]): Promise<{ params: Float64Array; sigma: Float64Array | null; g1Err: number | null; g2Err: number | null; missing: number; unused: number; render: RenderOutput }> {
    const pl = need(plan, 'loadResults');
    const table = await readParamsTable(await readAll(openSource(url)), url);
    const r = resultsToParams(pl.scene, table, initialParams(pl), url);
    params = r.params;
    sigma = r.sigma;
    g1Err = r.g1Err;
    g2Err = r.g2Err;
    const render = await evaluateAt(params, exclude, 'all');
    // The table's CHI2 where it has one (what the fit measured), else the rendered one.
    chi2 = render.chi2.map((c, i) => (Number.isFinite(r.chi2[i]) ? r.chi2[i] : c));
    render.chi2 = Float64Array.from(chi2);
    return transferOut({ params: Float64Array.from(params), sigma: r.sigma, g1Err: r.g1Err, g2Err: r.g2Err, missing: r.missing, unused: r.unused, render }, render.models);
  },

  async fit(req: FitRequest, onProgress: (e: FitProgressEvent) => void): Promise<FitOutcome> {
    const pl = need(plan, 'fit');
    if (running) throw new Error('a fit is already running');
    running = true;
    paused = false;
    abort = new AbortController();
    viewQuadrant = req.quadrant;
    const warnings: string[] = [];
    try {
      const { sub, backend } = await backendFor(req.exclude);
      const start = req.fromCatalogue ? initialParams(pl) : Float64Array.from(params);
      const only = req.onlySources ? new Set(sub.kept.map((full, i) => (req.onlySources!.includes(pl.sources[full].objectId) ? i : -1)).filter((i) => i >= 0)) : undefined;
      const mask = freeMask(sub.scene, req.free, only);
      if (!mask.some((m) => m === 1)) throw new Error('every parameter is fixed: free at least one group (or source)');
      const objective = maskedObjective(backend.objective, mask, waitWhilePaused);
      const sub0 = gatherParams(start, sub.paramMap);
      let lastReported = -1;
      const onStep = async (p: { step: number; loss: number; gradNorm: number; params: Float64Array }) => {
        if (p.step === lastReported) return;
        lastReported = p.step;
        const at = keepFixed(p.params, sub0, mask);
        const full = scatterParams(start, at, sub.paramMap);
        params = full;
        // The model of the quadrant on screen and per-source χ²: one extra forward evaluation every k steps.
        const r = await backend.final(at);
        const ev: FitProgressEvent = { step: p.step, loss: Number.isFinite(p.loss) ? p.loss : r.loss, gradNorm: p.gradNorm, params: full };
        ev.model = { quadrant: viewQuadrant, data: r.models[viewQuadrant] };
        ev.chi2 = chi2 = planChi2(sub, r.residuals);
        onProgress(transferOut(ev, [ev.model.data]));
      };
      // Step 0: where the run starts (the optimisers report from their first `every`).
      await onStep({ step: 0, loss: NaN, gradNorm: NaN, params: sub0 });
      const common = { every: req.every, signal: abort.signal, onProgress: onStep };
      const opts: MapOptions =
        req.optimizer === 'adam' ? { optimizer: 'adam', steps: req.steps, lr: req.lr, ...common } : { optimizer: 'lbfgs', maxSteps: req.steps, ftol: 1e-7, ...common };
      const layout = layoutFromKinds(sub.scene.sources.map((s) => s.kind));
      const res = await fitMap(objective, layout, sub0, opts);
      const end = keepFixed(res.params, sub0, mask);
      params = scatterParams(start, end, sub.paramMap);
      const final = await backend.final(end);
      chi2 = planChi2(sub, final.residuals);
      // Laplace errors at the end point (also after a stop: labelled by the reason).
      sigma = null;
      g1Err = g2Err = null;
      try {
        const lap = await robustLaplace(sub.scene, end, DEFAULT_PRIORS, backend.fisher);
        sigma = scatterParams(new Float64Array(params.length).fill(NaN), lap.sigma, sub.paramMap);
        g1Err = lap.g1Err;
        g2Err = lap.g2Err;
        warnings.push(...lap.warnings);
      } catch (e) {
        warnings.push(`errors unavailable: ${(e as Error).message}`);
      }
      const out: FitOutcome = { params: Float64Array.from(params), sigma, g1Err, g2Err, reason: res.reason, steps: res.steps, loss: res.loss, chi2: Float64Array.from(chi2), models: final.models, warnings };
      return transferOut(out, final.models);
    } finally {
      running = false;
      paused = false;
      abort = null;
    }
  },

  pause() {
    if (running) paused = true;
  },
  resume() {
    paused = false;
    resumeGate?.();
    resumeGate = null;
  },
  stop() {
    abort?.abort();
    api.resume();
  },

  /** The current results as a params table (FITS and Parquet) and its product file stem. */
  exportResults(): { fits: Uint8Array; parquet: Uint8Array; names: { fits: string; parquet: string } } {
    const pl = need(plan, 'exportResults');
    const rows = resultRows(pl.sources, offsets, params, sigma, chi2);
    const m = need(set, 'exportResults').manifest;
    const key = { tileId: m.tile_id, subtileRow: m.sub_tile_row, subtileCol: m.sub_tile_col, coreRa: pl.coreRa, coreDec: pl.coreDec };
    const t = paramsTable(rows, resultHeader(params, g1Err, g2Err, key));
    const n = productNames({ tileId: m.tile_id, row: m.sub_tile_row, col: m.sub_tile_col });
    return transferOut({ ...t, names: { fits: n.paramsFits, parquet: n.paramsParquet } }, [t.fits, t.parquet]);
  },

  dispose() {
    abort?.abort();
    current?.backend.destroy();
    current = null;
    ctx?.device.destroy();
    ctx = null;
  },
};

export type EngineWorkerApi = typeof api;

Comlink.expose(api);
