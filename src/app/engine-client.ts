// Page side of the engine worker (worker/engine.worker.ts): one session per opened sub-tile. It turns
// worker answers into store updates (useRun: run state; useWorkbench: images and per-source fits), so
// components only subscribe. Every GPU call happens in the worker; the page only copies results in.
import * as Comlink from 'comlink';
import type { EngineWorkerApi, FitOutcome, FitProgressEvent, RenderOutput } from '../../worker/engine.worker';
import type { ExposureSet } from '../data/exposure-set';
import { schemeOf } from '../data/storage/index';
import { useRun, type ParamIndex } from '../state/run';
import { useWorkbench } from '../state/store';
import type { SourceFit } from '../state/workbench-data';

/** Per-source values for overlays and the list: χ² and the fitted shape. */
export function sourceFits(index: ParamIndex, params: Float64Array, chi2: ArrayLike<number>): Record<number, SourceFit> {
  const out: Record<number, SourceFit> = {};
  index.objectIds.forEach((id, i) => {
    const o = index.offsets[i];
    const f: SourceFit = {};
    if (Number.isFinite(chi2[i])) f.chi2 = chi2[i];
    if (index.kinds[i] === 'galaxy') Object.assign(f, { hlr: params[o + 1], e1: params[o + 2], e2: params[o + 3] });
    out[id] = f;
  });
  return out;
}

/** Resolve a results URL typed relative to the page (the worker would resolve it against its script). */
export function absoluteUrl(url: string): string {
  return schemeOf(url) !== '' ? url : new URL(url, location.href).href;
}

export class EngineSession {
  private readonly worker: Worker;
  private readonly api: Comlink.Remote<EngineWorkerApi>;
  private ready: Promise<boolean>;
  private disposed = false;
  private unsubQuadrant: () => void;

  constructor(set: ExposureSet) {
    this.worker = new Worker(new URL('../../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
    this.api = Comlink.wrap<EngineWorkerApi>(this.worker);
    const run = useRun.getState();
    run.reset();
    run.setEngine({ kind: 'starting' });
    this.ready = this.start(set);
    // The worker sends the model of the quadrant on screen with each progress event.
    this.unsubQuadrant = useWorkbench.subscribe((s, prev) => {
      if (s.quadrant !== prev.quadrant) void this.api.setQuadrant(s.quadrant).catch(() => undefined);
    });
  }

  private async start(set: ExposureSet): Promise<boolean> {
    // navigator.gpu is checked here too: a page without WebGPU should say so without a worker round trip.
    if (!('gpu' in navigator) || !navigator.gpu) {
      const { NoWebGpuError } = await import('../engine/device');
      useRun.getState().setEngine({ kind: 'unavailable', message: new NoWebGpuError('navigator.gpu is undefined (browser without WebGPU, or not a secure context)').message });
      return false;
    }
    try {
      const init = await this.api.init(set);
      if (this.disposed) return false;
      const run = useRun.getState();
      run.setIndex(init.index, init.start);
      run.setEngine({ kind: 'ready', adapter: init.adapter, isSoftware: init.isSoftware });
      return true;
    } catch (e) {
      if (!this.disposed) useRun.getState().setEngine({ kind: 'unavailable', message: (e as Error).message });
      return false;
    }
  }

  whenReady(): Promise<boolean> {
    return this.ready;
  }

  private applyRender(r: RenderOutput, params: Float64Array) {
    const ws = useWorkbench.getState();
    r.models.forEach((m, q) => m && ws.setPanelImages(q, { model: m }));
    const index = useRun.getState().index;
    if (index) ws.setSourceFits(sourceFits(index, params, r.chi2));
  }

  /** Open a params table by URL: one forward render, no fit. */
  async loadResults(url: string): Promise<void> {
    if (!(await this.ready)) return;
    const run = useRun.getState();
    try {
      const r = await this.api.loadResults(absoluteUrl(url), run.excluded);
      useRun.getState().setParams(r.params, 'results', { sigma: r.sigma, g1Err: r.g1Err, g2Err: r.g2Err });
      useRun.getState().countRender();
      this.applyRender(r.render, r.params);
      const notes = [];
      if (r.missing) notes.push(`${r.missing} sources have no row in the results (kept at their catalogue values)`);
      if (r.unused) notes.push(`${r.unused} rows are not in this sub-tile's selection`);
      useRun.getState().setPhase('done', `results loaded from ${url}${notes.length ? `; ${notes.join('; ')}` : ''}`);
    } catch (e) {
      useRun.getState().setPhase('error', `results ${url} could not be shown: ${(e as Error).message}`);
    }
  }

  /** Render the current parameters (all quadrants). */
  async render(): Promise<void> {
    if (!(await this.ready)) return;
    const run = useRun.getState();
    const r = await this.api.render(null, run.excluded, 'all');
    useRun.getState().countRender();
    if (run.params) this.applyRender(r, run.params);
  }

  /** Run a fit with the current settings; `scope` tunes what is free / modelled. */
  async fit(scope: { onlySources?: number[]; label?: string; fromCatalogue?: boolean } = {}): Promise<FitOutcome | null> {
    if (!(await this.ready)) return null;
    const run = useRun.getState();
    if (run.phase === 'running' || run.phase === 'paused' || run.phase === 'stopping' || run.phase === 'uncertainty') return null;
    const s = run.settings;
    const ws = useWorkbench.getState();
    run.beginRun(scope.label ?? (run.excluded.length ? `all but ${run.excluded.join(', ')}` : 'all sources'));
    const onProgress = (e: FitProgressEvent) => {
      if (this.disposed) return;
      const r = useRun.getState();
      r.progress({ step: e.step, loss: e.loss, gradNorm: e.gradNorm, params: e.params });
      const w = useWorkbench.getState();
      if (e.model) w.setPanelImages(e.model.quadrant, { model: e.model.data });
      if (e.chi2 && r.index) w.setSourceFits(sourceFits(r.index, e.params, e.chi2));
      if (r.phase === 'running' && e.step >= s.steps) r.setPhase('uncertainty');
    };
    try {
      const out = await this.api.fit(
        {
          steps: s.steps,
          optimizer: s.optimizer,
          lr: s.lr,
          every: s.every,
          free: s.free,
          exclude: run.excluded,
          quadrant: ws.quadrant,
          ...(scope.onlySources ? { onlySources: scope.onlySources } : {}),
          ...(scope.fromCatalogue ? { fromCatalogue: true } : {}),
        },
        Comlink.proxy(onProgress),
      );
      if (this.disposed) return out;
      const r = useRun.getState();
      r.setParams(out.params, 'fit', { sigma: out.sigma, g1Err: out.g1Err, g2Err: out.g2Err });
      this.applyRender({ models: out.models, chi2: out.chi2, loss: out.loss }, out.params);
      const why = out.reason === 'aborted' ? `stopped after ${out.steps} steps` : `${out.steps} steps (${out.reason})`;
      r.setPhase('done', [why, ...out.warnings].join('; '));
      return out;
    } catch (e) {
      if (!this.disposed) useRun.getState().setPhase('error', (e as Error).message);
      return null;
    }
  }

  pause() {
    useRun.getState().setPhase('paused');
    void this.api.pause();
  }
  resume() {
    useRun.getState().setPhase('running');
    void this.api.resume();
  }
  stop() {
    useRun.getState().setPhase('stopping');
    void this.api.stop();
  }

  async exportResults() {
    return this.api.exportResults();
  }

  dispose() {
    this.disposed = true;
    this.unsubQuadrant();
    void this.api.dispose().catch(() => undefined);
    // Let dispose() reach the worker before it goes.
    setTimeout(() => {
      this.api[Comlink.releaseProxy]();
      this.worker.terminate();
    }, 100);
  }
}

/** The session of the open sub-tile (one at a time). */
let session: EngineSession | null = null;

export function startEngineSession(set: ExposureSet): EngineSession {
  session?.dispose();
  session = new EngineSession(set);
  return session;
}

export function engineSession(): EngineSession | null {
  return session;
}

export function endEngineSession() {
  session?.dispose();
  session = null;
  useRun.getState().reset();
}
