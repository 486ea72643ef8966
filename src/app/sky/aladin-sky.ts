// The Aladin Lite side of the sky view, loaded on demand (dynamic import from SkyView) so the main
// bundle does not carry Aladin's ~2.4 MB. Aladin's wasm is inlined in its module; with the options
// below it makes no request of its own: no default survey or HiPS list (both come from CDS), no
// usage log ping, no SAMP hub, no Sesame name resolution (the target is given as coordinates).
import A, { type Aladin, type AladinCatalog, type AladinFootprint } from 'aladin-lite';
import type { SourceFit, WorkbenchData } from '../../state/workbench-data';
import { offlineOptions } from './offline-options';
import { boxCorners, chi2Range, initialView, markerStyle, type MarkerStyle, type RaDec } from './sky-model';

export interface SkyState {
  quadrant: number;
  source: number | null;
  fits: Record<number, SourceFit>;
  excluded: number[];
}

export interface SkyHandlers {
  selectSource(objectId: number): void;
  setQuadrant(q: number): void;
}

export interface SkyFootprintInfo {
  kind: 'core' | 'extended' | 'quadrant';
  quadrant: number | null;
  highlighted: boolean;
  colour: string;
  vertices: RaDec[];
}

export interface SkyMarkerInfo extends MarkerStyle {
  objectId: number;
  ra: number;
  dec: number;
}

/** Read-only view of the sky for tests (window.__shearwb.sky) and the console. */
export interface SkyHook {
  ready: boolean;
  centre(): [number, number];
  fov(): [number, number];
  footprints(): SkyFootprintInfo[];
  markers(): SkyMarkerInfo[];
  /** Page (client) coordinates of a sky position, or null when it is off the view. */
  clientOf(ra: number, dec: number): [number, number] | null;
  /** The click handler, as a canvas click on that object would call it. */
  clickObject(kind: 'source' | 'quadrant', id: number): void;
}

export interface SkyController {
  update(s: SkyState): void;
  /** Centre on a position (keeping the field). */
  goto(ra: number, dec: number): void;
  hook: SkyHook;
  destroy(): void;
}

const CORE_COLOUR = '#7CFC00';
const EXTENDED_COLOUR = '#3a7d2c';
const QUAD_COLOUR = '#5f7fbf';
const QUAD_SELECTED = '#ff4fd8';

const CATEGORIES = ['neighbour', 'galaxy', 'star', 'excluded', 'selected'] as const;

/** surveyUrl: a HiPS survey (URL or CDS id) as background — an opt-in for users on the internet, as it leaves the origin. */
export async function createSky(div: HTMLElement, data: WorkbenchData, handlers: SkyHandlers, surveyUrl?: string): Promise<SkyController> {
  await A.init;
  const view = initialView(data.skyBounds);
  const opts = offlineOptions(view);
  if (surveyUrl) opts.survey = [surveyUrl];
  const al: Aladin = A.aladin(div, opts);

  const bounds = A.graphicOverlay({ name: 'bounds', lineWidth: 1 });
  const quads = A.graphicOverlay({ name: 'quadrants', lineWidth: 2 });
  al.addOverlay(bounds);
  al.addOverlay(quads);
  const b = data.skyBounds;
  const core = boxCorners(b.core_ra, b.core_dec);
  const ext = boxCorners(b.extended_ra, b.extended_dec);
  bounds.add(A.polygon(ext, { color: EXTENDED_COLOUR, lineWidth: 1, lineDash: [4, 4] }));
  bounds.add(A.polygon(core, { color: CORE_COLOUR, lineWidth: 1 }));

  // One catalogue per marker shape; colours come per source from its data.
  const cats = new Map<MarkerStyle['category'], AladinCatalog>();
  for (const c of CATEGORIES) {
    const probe = markerStyle(
      { object_id: -1, kind: c === 'star' ? 'star' : 'galaxy', core: c !== 'neighbour' } as never,
      c === 'selected' ? -1 : null,
      new Set(c === 'excluded' ? [-1] : []),
      {},
      null,
    );
    const cat = A.catalog({
      name: `sources-${c}`,
      shape: probe.shape,
      sourceSize: probe.size,
      color: (s: { data: { colour?: string } }) => s.data.colour ?? probe.colour,
      onClick: 'none',
    });
    al.addCatalog(cat);
    cats.set(c, cat);
  }

  let state: SkyState | null = null;
  let footprintInfo: SkyFootprintInfo[] = [];
  let markerInfo: SkyMarkerInfo[] = [];
  const quadOf = new WeakMap<object, number>();

  const drawQuadrants = (selected: number) => {
    quads.removeAll();
    const items: AladinFootprint[] = [];
    footprintInfo = [
      { kind: 'extended', quadrant: null, highlighted: false, colour: EXTENDED_COLOUR, vertices: ext },
      { kind: 'core', quadrant: null, highlighted: false, colour: CORE_COLOUR, vertices: core },
    ];
    // The selected quadrant last, so it is drawn over the others.
    const order = data.quadrants.map((q) => q.index).sort((a, b2) => Number(a === selected) - Number(b2 === selected));
    for (const k of order) {
      const q = data.quadrants[k];
      const on = k === selected;
      const colour = on ? QUAD_SELECTED : QUAD_COLOUR;
      const p = A.polygon(q.footprint, { color: colour, lineWidth: on ? 3 : 1.5, hoverColor: QUAD_SELECTED });
      quadOf.set(p, k);
      items.push(p);
      footprintInfo.push({ kind: 'quadrant', quadrant: k, highlighted: on, colour, vertices: q.footprint });
    }
    for (const p of items) quads.add(p);
  };

  const drawSources = (s: SkyState) => {
    const range = chi2Range(s.fits);
    const excluded = new Set(s.excluded);
    const byCat = new Map<string, ReturnType<typeof A.source>[]>();
    markerInfo = [];
    for (const src of data.sources) {
      const st = markerStyle(src, s.source, excluded, s.fits, range);
      markerInfo.push({ ...st, objectId: src.object_id, ra: src.ra, dec: src.dec });
      const list = byCat.get(st.category) ?? [];
      list.push(A.source(src.ra, src.dec, { object_id: src.object_id, colour: st.colour, kind: src.kind }));
      byCat.set(st.category, list);
    }
    for (const [c, cat] of cats) {
      cat.removeAll();
      const list = byCat.get(c);
      if (list?.length) cat.addSources(list);
    }
  };

  // Aladin calls objectClicked once per object near the click (sources and footprint edges alike):
  // gather one click's objects, then a source wins over a footprint.
  let pending: { source?: number; quadrant?: number } | null = null;
  const flush = () => {
    const p = pending;
    pending = null;
    if (!p) return;
    if (p.source !== undefined) handlers.selectSource(p.source);
    else if (p.quadrant !== undefined) handlers.setQuadrant(p.quadrant);
  };
  al.on('objectClicked', (obj: unknown) => {
    if (!obj || typeof obj !== 'object') return;
    if (!pending) {
      pending = {};
      queueMicrotask(flush);
    }
    const id = (obj as { data?: { object_id?: unknown } }).data?.object_id;
    if (typeof id === 'number') pending.source ??= id;
    const q = quadOf.get(obj);
    if (q !== undefined) pending.quadrant ??= q;
  });

  const hook: SkyHook = {
    ready: true,
    centre: () => {
      const c = al.getRaDec();
      return [c[0], c[1]];
    },
    fov: () => {
      const f = al.getFov();
      return [f[0], f[1]];
    },
    footprints: () => footprintInfo.map((f) => ({ ...f, vertices: f.vertices.map((v) => [v[0], v[1]] as RaDec) })),
    markers: () => markerInfo.map((m) => ({ ...m })),
    clientOf: (ra, dec) => {
      const p = al.world2pix(ra, dec);
      if (!p || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) return null;
      const r = div.getBoundingClientRect();
      if (p[0] < 0 || p[1] < 0 || p[0] > r.width || p[1] > r.height) return null;
      return [r.left + p[0], r.top + p[1]];
    },
    clickObject: (kind, id) => (kind === 'source' ? handlers.selectSource(id) : handlers.setQuadrant(id)),
  };

  return {
    update: (s) => {
      const prev = state;
      state = s;
      if (!prev || prev.quadrant !== s.quadrant) drawQuadrants(s.quadrant);
      if (!prev || prev.source !== s.source || prev.fits !== s.fits || prev.excluded !== s.excluded) drawSources(s);
    },
    goto: (ra, dec) => al.gotoRaDec(ra, dec),
    hook,
    destroy: () => {
      hook.ready = false;
      div.replaceChildren();
    },
  };
}
