// A small read-only window hook for end-to-end tests (and debugging from the console):
// state summaries, image values, and where an image pixel is on the screen.
import { useRun } from '../state/run';
import { shareQuery, sortedSources, useWorkbench } from '../state/store';
import type { PanelKind } from '../state/workbench-data';
import { panelValue } from './Readout';
import { imageToScreen } from './panels/view-math';

export interface ShearWbHook {
  /** Plain-data summary of the store (no image arrays). */
  state(): Record<string, unknown>;
  /** Value of a panel's image at integer pixel (x, y) of the current quadrant. */
  pixelAt(panel: PanelKind, x: number, y: number): number | null;
  /** Page (client) coordinates of the centre of image pixel (x, y) in a panel. */
  clientOf(panel: PanelKind, x: number, y: number): [number, number] | null;
  /** The current quadrant's WCS. */
  pixToSky(x: number, y: number): [number, number] | null;
  /** object_ids in list order. */
  sourceOrder(): number[];
  share(): string;
  /** The engine's entry point (store.setPanelImages), exposed so tests can feed arrays as the engine will. */
  feed(quadrant: number, imgs: { model?: ArrayLike<number>; residual?: ArrayLike<number>; chi?: ArrayLike<number> }): void;
  /** RGBA statistics of a panel's canvas: mean colour, and whether all pixels are grey (r = g = b). */
  canvasStats(panel: PanelKind): { mean: [number, number, number]; grey: boolean; hash: number };
  /** The engine and the run: status, phase, counters (fit steps run in this page), loss history, shear. */
  run(): Record<string, unknown>;
  /** Values of a panel's image of the current quadrant over a box (row-major, NaN outside the image). */
  cutout(panel: PanelKind, x0: number, y0: number, w: number, h: number): number[];
  /** A source's current parameters (flux, hlr, e1, e2, dx, dy or flux, dx, dy), or null outside the fit. */
  sourceValues(objectId: number): number[] | null;
  /** A source's pixel position in quadrant q (default: the current one), or null where it is not visible. */
  sourcePixel(objectId: number, q?: number): [number, number] | null;
}

function runSummary(): Record<string, unknown> {
  const r = useRun.getState();
  return {
    engine: r.engine.kind,
    engineMessage: r.engine.kind === 'unavailable' ? r.engine.message : null,
    phase: r.phase,
    message: r.message,
    counters: r.counters,
    history: r.history,
    origin: r.origin,
    g1: r.params ? r.params[0] : null,
    g2: r.params ? r.params[1] : null,
    g1Err: r.g1Err,
    g2Err: r.g2Err,
    excluded: r.excluded,
    trajectoryLength: r.trajectory.steps.length,
  };
}

export function installTestHook() {
  const hook: ShearWbHook = {
    state: () => {
      const s = useWorkbench.getState();
      const quad = s.data?.quadrants[s.quadrant];
      return {
        manifest: s.manifest,
        results: s.results,
        quadrant: s.quadrant,
        source: s.source,
        stretch: s.stretch,
        limits: s.limits,
        cmap: s.cmap,
        view: s.view,
        blink: s.blink,
        blinkModel: s.blinkModel,
        hover: s.hover,
        panelSize: s.panelSize,
        sortBy: s.sortBy,
        load: s.load.status,
        error: s.load.status === 'error' ? s.load.error : null,
        nQuadrants: s.data?.quadrants.length ?? 0,
        nSources: s.data?.sources.length ?? 0,
        quadrantSize: quad ? [quad.nx, quad.ny] : null,
        linkProblems: s.linkProblems,
      };
    },
    pixelAt: (panel, x, y) => panelValue(panel, x, y) ?? null,
    clientOf: (panel, x, y) => {
      const s = useWorkbench.getState();
      const el = document.querySelector(`[data-testid=panel-${panel}] .panel-canvas`);
      if (!el || !s.view) return null;
      const r = el.getBoundingClientRect();
      const [sx, sy] = imageToScreen(s.view, { w: Math.floor(r.width), h: Math.floor(r.height) }, x, y);
      return [r.left + sx, r.top + sy];
    },
    pixToSky: (x, y) => {
      const s = useWorkbench.getState();
      return s.data?.quadrants[s.quadrant]?.pixToSky(x, y) ?? null;
    },
    sourceOrder: () => {
      const s = useWorkbench.getState();
      return s.data ? sortedSources(s.data.sources, s.sortBy, s.fits).map((x) => x.object_id) : [];
    },
    share: () => shareQuery(useWorkbench.getState()),
    feed: (quadrant, imgs) => {
      const f = (a?: ArrayLike<number>) => (a ? Float32Array.from(a) : undefined);
      const out: Record<string, Float32Array> = {};
      for (const k of ['model', 'residual', 'chi'] as const) {
        const v = f(imgs[k]);
        if (v) out[k] = v;
      }
      useWorkbench.getState().setPanelImages(quadrant, out);
    },
    run: runSummary,
    cutout: (panel, x0, y0, w, h) => {
      const out: number[] = [];
      for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) out.push(panelValue(panel, x, y) ?? NaN);
      return out;
    },
    sourceValues: (id) => {
      const r = useRun.getState();
      if (!r.index || !r.params) return null;
      const i = r.index.objectIds.indexOf(id);
      if (i < 0) return null;
      const o = r.index.offsets[i];
      return Array.from(r.params.subarray(o, o + (r.index.kinds[i] === 'galaxy' ? 6 : 3)));
    },
    sourcePixel: (id, q) => {
      const s = useWorkbench.getState();
      const p = s.data?.sources.find((x) => x.object_id === id)?.perQuadrant[q ?? s.quadrant];
      return p?.visible ? [p.x, p.y] : null;
    },
    canvasStats: (panel) => {
      const c = document.querySelector(`[data-testid=canvas-${panel}]`) as HTMLCanvasElement;
      const ctx = Object.assign(document.createElement('canvas'), { width: c.width, height: c.height }).getContext('2d')!;
      ctx.drawImage(c, 0, 0);
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let r = 0, g = 0, b = 0, grey = true, hash = 0;
      for (let i = 0; i < d.length; i += 4) {
        r += d[i]; g += d[i + 1]; b += d[i + 2];
        if (d[i] !== d[i + 1] || d[i + 1] !== d[i + 2]) grey = false;
        hash = (Math.imul(hash, 31) + d[i] + 7 * d[i + 1] + 13 * d[i + 2]) | 0;
      }
      const n = d.length / 4;
      return { mean: [r / n, g / n, b / n], grey, hash };
    },
  };
  (window as unknown as { __shearwb: ShearWbHook }).__shearwb = hook;
}
