// The workbench's shared state: what is open, what is selected, how it is shown. Components subscribe
// to slices; the engine (later) feeds images and per-source fits through the actions at the bottom.
import { create } from 'zustand';
import { decodeShare, encodeShare, type ColourMap, type LimitMode, type ShareState, type Stretch, type View } from './share';
import type { PanelKind, SourceFit, UiSource, WorkbenchData } from './workbench-data';

export interface FileProgress {
  /** File (and HDU) being read. */
  file: string;
  loaded: number;
  /** Bytes needed; 0 while unknown (headers). */
  total: number;
}

/** An error for people: what failed, in which file, and what to do about it. */
export interface UiError {
  title: string;
  file?: string;
  detail: string;
  fix: string;
}

export type LoadState =
  | { status: 'idle' }
  | { status: 'loading'; stage: string; files: FileProgress[] }
  | { status: 'ready' }
  | { status: 'error'; error: UiError };

export type SortKey = 'snr' | 'chi2' | 'object_id';

export interface WorkbenchState {
  manifest?: string;
  results?: string;
  /** Files the user dropped, keyed by the relative paths the manifest uses (not in the URL). */
  droppedFiles?: Map<string, Blob>;
  quadrant: number;
  /** Selected source's object_id. */
  source: number | null;
  stretch: Stretch;
  limits: LimitMode;
  cmap: ColourMap;
  /** null until the panels know their size: then the quadrant is fitted to them. */
  view: View | null;
  /** Blink mode: the first panel alternates observed / model; blinkModel says which is shown. */
  blink: boolean;
  blinkModel: boolean;
  /** Image position under the mouse (continuous pixel coordinates), or null. */
  hover: { x: number; y: number } | null;
  /** CSS pixel size of one panel (all panels are the same size). */
  panelSize: { w: number; h: number };
  sortBy: SortKey;
  load: LoadState;
  data: WorkbenchData | null;
  /** Engine-fed images per quadrant index (the observed image lives in data). */
  images: Record<number, Partial<Record<Exclude<PanelKind, 'observed'>, Float32Array>>>;
  /** Engine-fed per-source values by object_id. */
  fits: Record<number, SourceFit>;
  /** Link parameters that could not be used. */
  linkProblems: string[];

  openManifest(url: string, files?: Map<string, Blob>): void;
  closeManifest(): void;
  setLoad(l: LoadState): void;
  setData(d: WorkbenchData): void;
  setQuadrant(q: number): void;
  selectSource(objectId: number | null, opts?: { centre?: boolean }): void;
  stepSource(delta: 1 | -1): void;
  setDisplay(d: Partial<Pick<WorkbenchState, 'stretch' | 'limits' | 'cmap'>>): void;
  setView(v: View): void;
  resetView(): void;
  toggleBlink(): void;
  setBlinkModel(m: boolean): void;
  setHover(h: { x: number; y: number } | null): void;
  setPanelSize(s: { w: number; h: number }): void;
  setSortBy(k: SortKey): void;
  /** Engine entry: images of a quadrant. Giving `model` alone also derives residual and χ. */
  setPanelImages(quadrant: number, imgs: Partial<Record<Exclude<PanelKind, 'observed'>, Float32Array>>): void;
  /** Engine entry: per-source values (χ², fitted shape) by object_id. */
  setSourceFits(f: Record<number, SourceFit>): void;
}

const DEFAULT_DISPLAY = { stretch: 'asinh' as Stretch, limits: 'zscale' as LimitMode, cmap: 'grey' as ColourMap };

function fromLink(s: ShareState) {
  return {
    manifest: s.manifest,
    results: s.results,
    quadrant: s.quadrant ?? 0,
    source: s.source ?? null,
    stretch: s.stretch ?? DEFAULT_DISPLAY.stretch,
    limits: s.limits ?? DEFAULT_DISPLAY.limits,
    cmap: s.cmap ?? DEFAULT_DISPLAY.cmap,
    view: s.view ?? null,
  };
}

/** Sources in list order for a sort key (largest SNR / χ² first; object_id ascending). */
export function sortedSources(sources: UiSource[], key: SortKey, fits: Record<number, SourceFit>): UiSource[] {
  const out = [...sources];
  if (key === 'object_id') return out.sort((a, b) => a.object_id - b.object_id);
  const val = (s: UiSource) => (key === 'snr' ? s.snr : (fits[s.object_id]?.chi2 ?? -Infinity));
  return out.sort((a, b) => val(b) - val(a) || a.object_id - b.object_id);
}

/** The state's link (query string). */
export function shareQuery(s: WorkbenchState): string {
  return encodeShare({
    // Dropped files live only in this page: a link cannot carry them.
    manifest: s.droppedFiles ? undefined : s.manifest,
    results: s.results,
    quadrant: s.quadrant,
    source: s.source ?? undefined,
    stretch: s.stretch,
    limits: s.limits,
    cmap: s.cmap,
    view: s.view ?? undefined,
  });
}

function fitFor(d: WorkbenchData | null, q: number, size: { w: number; h: number }): View | null {
  const quad = d?.quadrants[q];
  if (!quad || size.w <= 0 || size.h <= 0) return null;
  return { cx: (quad.nx - 1) / 2, cy: (quad.ny - 1) / 2, zoom: Math.min(size.w / quad.nx, size.h / quad.ny) };
}

function deriveResidual(obs: Float32Array, model: Float32Array, ivar?: Float32Array) {
  const residual = new Float32Array(obs.length);
  const chi = new Float32Array(obs.length);
  for (let i = 0; i < obs.length; i++) {
    residual[i] = obs[i] - model[i];
    chi[i] = ivar ? residual[i] * Math.sqrt(ivar[i]) : NaN;
  }
  return { residual, chi };
}

const initial = decodeShare(typeof location === 'undefined' ? '' : location.search);

export const useWorkbench = create<WorkbenchState>((set, get) => ({
  ...fromLink(initial.state),
  blink: false,
  blinkModel: false,
  hover: null,
  panelSize: { w: 0, h: 0 },
  sortBy: 'snr',
  load: { status: 'idle' },
  data: null,
  images: {},
  fits: {},
  linkProblems: initial.problems,

  openManifest: (url, files) =>
    set({ ...fromLink({}), manifest: url, droppedFiles: files, load: { status: 'idle' }, data: null, images: {}, fits: {}, hover: null, blink: false }),
  closeManifest: () => set({ ...fromLink({}), manifest: undefined, droppedFiles: undefined, load: { status: 'idle' }, data: null, images: {}, fits: {} }),
  setLoad: (load) => set({ load }),
  setData: (data) => {
    const s = get();
    const quadrant = s.quadrant < data.quadrants.length ? s.quadrant : 0;
    const source = s.source !== null && data.sources.some((x) => x.object_id === s.source) ? s.source : null;
    set({ data, quadrant, source, view: s.view ?? fitFor(data, quadrant, s.panelSize), load: { status: 'ready' } });
  },
  setQuadrant: (q) => {
    const s = get();
    if (!s.data || q < 0 || q >= s.data.quadrants.length || q === s.quadrant) return;
    // Keep the zoom; centre on the selected source if this quadrant sees it, else on the quadrant.
    const src = s.data.sources.find((x) => x.object_id === s.source);
    const p = src?.perQuadrant[q];
    const fit = fitFor(s.data, q, s.panelSize);
    const zoom = s.view?.zoom ?? fit?.zoom ?? 1;
    const quad = s.data.quadrants[q];
    const view = p?.visible ? { cx: p.x, cy: p.y, zoom } : { cx: (quad.nx - 1) / 2, cy: (quad.ny - 1) / 2, zoom };
    set({ quadrant: q, view, hover: null });
  },
  selectSource: (id, opts = {}) => {
    const s = get();
    if (id === null || !s.data) return set({ source: id });
    const src = s.data.sources.find((x) => x.object_id === id);
    if (!src) return;
    let q = s.quadrant;
    if (!src.perQuadrant[q]?.visible) {
      const k = src.perQuadrant.findIndex((p) => p.visible);
      if (k >= 0) q = k;
    }
    const p = src.perQuadrant[q];
    if (opts.centre === false || !p || !Number.isFinite(p.x)) return set({ source: id, quadrant: q });
    const zoom = Math.max(s.view?.zoom ?? 1, 2);
    set({ source: id, quadrant: q, view: { cx: p.x, cy: p.y, zoom } });
  },
  stepSource: (delta) => {
    const s = get();
    if (!s.data || s.data.sources.length === 0) return;
    const list = sortedSources(s.data.sources, s.sortBy, s.fits);
    const i = list.findIndex((x) => x.object_id === s.source);
    const next = i < 0 ? (delta > 0 ? 0 : list.length - 1) : (i + delta + list.length) % list.length;
    get().selectSource(list[next].object_id);
  },
  setDisplay: (d) => set(d),
  setView: (view) => set({ view }),
  resetView: () => {
    const s = get();
    set({ view: fitFor(s.data, s.quadrant, s.panelSize) ?? s.view });
  },
  toggleBlink: () => set((s) => ({ blink: !s.blink, blinkModel: false })),
  setBlinkModel: (blinkModel) => set({ blinkModel }),
  setHover: (hover) => set({ hover }),
  setPanelSize: (panelSize) => {
    const s = get();
    if (s.panelSize.w === panelSize.w && s.panelSize.h === panelSize.h) return;
    set({ panelSize, view: s.view ?? fitFor(s.data, s.quadrant, panelSize) });
  },
  setSortBy: (sortBy) => set({ sortBy }),
  setPanelImages: (quadrant, imgs) => {
    const s = get();
    const quad = s.data?.quadrants[quadrant];
    let next = { ...imgs };
    if (quad && imgs.model && !imgs.residual) next = { ...deriveResidual(quad.observed, imgs.model, quad.ivar), ...next };
    set({ images: { ...s.images, [quadrant]: { ...s.images[quadrant], ...next } } });
  },
  setSourceFits: (f) => set((s) => ({ fits: { ...s.fits, ...f } })),
}));
