// A small read-only window hook for end-to-end tests (and debugging from the console):
// state summaries, image values, and where an image pixel is on the screen.
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
