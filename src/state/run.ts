// The engine side of the workbench: availability, the run (controls, progress, loss curve),
// the current parameter vector with its errors, and the trajectories the inspector draws.
// Kept apart from store.ts (view and selection) so progress events re-render only what shows them.
import { create } from 'zustand';

export type OptimizerChoice = 'lbfgs' | 'adam';

/** Parameter groups the user can free or fix. */
export const PARAM_GROUPS = ['shear', 'flux', 'size', 'shape', 'offsets'] as const;
export type ParamGroup = (typeof PARAM_GROUPS)[number];
export type FreeGroups = Record<ParamGroup, boolean>;

export interface RunSettings {
  steps: number;
  optimizer: OptimizerChoice;
  /** Adam's step size (L-BFGS has a line search instead). */
  lr: number;
  /** Progress (model image, per-source χ²) every this many steps. */
  every: number;
  free: FreeGroups;
  /** Neighbourhood radius (arcsec) for "refit neighbourhood". */
  radius: number;
}

export type EngineStatus =
  | { kind: 'off' }
  | { kind: 'starting' }
  | { kind: 'ready'; adapter: string; isSoftware: boolean }
  /** No WebGPU, adapter too small, device lost: the observed data stays usable. */
  | { kind: 'unavailable'; message: string };

export type RunPhase = 'idle' | 'running' | 'paused' | 'stopping' | 'uncertainty' | 'done' | 'error';

export interface LossPoint {
  step: number;
  loss: number;
  gradNorm: number;
}

/** The parameter vector's layout in source terms (full scene, object_id order of the fit plan). */
export interface ParamIndex {
  names: string[];
  objectIds: number[];
  kinds: Array<'galaxy' | 'star'>;
  offsets: number[];
  core: boolean[];
  nQuadrants: number[];
}

export interface Trajectory {
  steps: number[];
  /** One parameter vector per recorded step. */
  params: Float64Array[];
}

/** Where the shown parameters come from. */
export type ParamsOrigin = 'catalogue' | 'fit' | 'results';

export interface RunState {
  engine: EngineStatus;
  settings: RunSettings;
  phase: RunPhase;
  /** Why the last run ended ('max-steps', 'gradient', 'aborted', …) or what went wrong. */
  message: string;
  /** What the last run fitted: 'all', 'neighbourhood of 123', 'without 123'. */
  scope: string;
  history: LossPoint[];
  index: ParamIndex | null;
  params: Float64Array | null;
  /** 1σ errors in parameter layout (Laplace, after a fit or from a results table). */
  sigma: Float64Array | null;
  origin: ParamsOrigin;
  g1Err: number | null;
  g2Err: number | null;
  trajectory: Trajectory;
  /** Sources left out of the model (exclude and refit). */
  excluded: number[];
  /** Counters for tests and the status line: fit steps run in this page, renders, fits started. */
  counters: { fitSteps: number; renders: number; fits: number };

  setEngine(e: EngineStatus): void;
  setSettings(s: Partial<RunSettings>): void;
  setFree(g: ParamGroup, free: boolean): void;
  setIndex(i: ParamIndex, start: Float64Array): void;
  beginRun(scope: string): void;
  setPhase(p: RunPhase, message?: string): void;
  progress(p: LossPoint & { params: Float64Array }): void;
  setParams(params: Float64Array, origin: ParamsOrigin, errors?: { sigma: Float64Array | null; g1Err: number | null; g2Err: number | null }): void;
  setExcluded(ids: number[]): void;
  countRender(): void;
  reset(): void;
}

export const DEFAULT_SETTINGS: RunSettings = {
  steps: 50,
  optimizer: 'lbfgs',
  lr: 0.01,
  every: 5,
  free: { shear: true, flux: true, size: true, shape: true, offsets: true },
  radius: 3,
};

/** Trajectories keep at most this many points (older ones are thinned by half). */
export const MAX_TRAJECTORY = 400;

const emptyRun = () => ({
  phase: 'idle' as RunPhase,
  message: '',
  scope: '',
  history: [] as LossPoint[],
  index: null,
  params: null,
  sigma: null,
  origin: 'catalogue' as ParamsOrigin,
  g1Err: null,
  g2Err: null,
  trajectory: { steps: [], params: [] } as Trajectory,
  excluded: [] as number[],
});

export const useRun = create<RunState>((set, get) => ({
  engine: { kind: 'off' },
  settings: DEFAULT_SETTINGS,
  counters: { fitSteps: 0, renders: 0, fits: 0 },
  ...emptyRun(),

  setEngine: (engine) => set({ engine }),
  setSettings: (s) => set({ settings: { ...get().settings, ...s } }),
  setFree: (g, free) => set({ settings: { ...get().settings, free: { ...get().settings.free, [g]: free } } }),
  setIndex: (index, start) => set({ index, params: start, origin: 'catalogue', sigma: null, g1Err: null, g2Err: null }),
  beginRun: (scope) => {
    const c = get().counters;
    set({ phase: 'running', message: '', scope, history: [], trajectory: { steps: [], params: [] }, sigma: null, g1Err: null, g2Err: null, counters: { ...c, fits: c.fits + 1 } });
  },
  setPhase: (phase, message) => set({ phase, ...(message !== undefined ? { message } : {}) }),
  progress: (p) => {
    const s = get();
    let { steps, params } = s.trajectory;
    steps = [...steps, p.step];
    params = [...params, p.params];
    if (steps.length > MAX_TRAJECTORY) {
      // Thin by half, always keeping the newest point.
      steps = steps.filter((_, i) => i % 2 === 1 || i === steps.length - 1);
      params = params.filter((_, i) => i % 2 === 1 || i === params.length - 1);
    }
    const newSteps = Math.max(0, p.step - (s.history.at(-1)?.step ?? 0));
    set({
      history: [...s.history, { step: p.step, loss: p.loss, gradNorm: p.gradNorm }],
      params: p.params,
      origin: 'fit',
      trajectory: { steps, params },
      counters: { ...s.counters, fitSteps: s.counters.fitSteps + newSteps },
    });
  },
  setParams: (params, origin, errors) => set({ params, origin, sigma: errors?.sigma ?? null, g1Err: errors?.g1Err ?? null, g2Err: errors?.g2Err ?? null }),
  setExcluded: (excluded) => set({ excluded }),
  countRender: () => set((s) => ({ counters: { ...s.counters, renders: s.counters.renders + 1 } })),
  reset: () => set({ engine: { kind: 'off' }, ...emptyRun() }),
}));

/** A source's parameters (and errors) by name, or null when the source is not in the fit. */
export function sourceParams(
  index: ParamIndex,
  params: Float64Array,
  sigma: Float64Array | null,
  objectId: number,
): Array<{ name: string; value: number; error: number | null }> | null {
  const i = index.objectIds.indexOf(objectId);
  if (i < 0) return null;
  const names = index.kinds[i] === 'galaxy' ? ['flux', 'hlr', 'e1', 'e2', 'dx', 'dy'] : ['flux', 'dx', 'dy'];
  const o = index.offsets[i];
  return names.map((name, k) => ({ name, value: params[o + k], error: sigma ? sigma[o + k] : null }));
}
