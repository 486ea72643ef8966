// The share-link codec: everything needed to reopen the same view lives in the query string.
// Decoding never throws: a bad parameter is dropped and reported, so a half-broken link still opens.

export const STRETCHES = ['linear', 'log', 'sqrt', 'asinh'] as const;
export type Stretch = (typeof STRETCHES)[number];

/** How display limits are chosen from the observed image. */
export const LIMIT_MODES = ['minmax', 'zscale', 'p99', 'p99.5', 'p99.9'] as const;
export type LimitMode = (typeof LIMIT_MODES)[number];

export const COLOUR_MAPS = ['grey', 'viridis', 'diverging'] as const;
export type ColourMap = (typeof COLOUR_MAPS)[number];

/** Linked view of all panels: image pixel (0-based) at the panel centre, and screen px per image px. */
export interface View {
  cx: number;
  cy: number;
  zoom: number;
}

export interface ShareState {
  manifest?: string;
  results?: string;
  /** Quadrant index in the manifest's list (0-based). */
  quadrant?: number;
  /** Selected source, by catalogue object_id (stable across selections). */
  source?: number;
  stretch?: Stretch;
  limits?: LimitMode;
  cmap?: ColourMap;
  /** Absent: fit the quadrant to the panel. */
  view?: View;
}

export interface DecodedShare {
  state: ShareState;
  /** One line per parameter that was present but unusable. */
  problems: string[];
}

// Query keys, in the order they are written (stable links, readable diffs).
const KEYS = { manifest: 'manifest', results: 'results', quadrant: 'q', source: 'src', stretch: 'stretch', limits: 'limits', cmap: 'cmap', zoom: 'zoom', cx: 'cx', cy: 'cy' } as const;

/** Round a view coordinate for the link: enough digits to restore the view, no float noise. */
function fmt(v: number, digits: number): string {
  return String(Number(v.toFixed(digits)));
}

/** `?manifest=…&q=…` for the state ('' when empty). */
export function encodeShare(s: ShareState): string {
  const p = new URLSearchParams();
  if (s.manifest) p.set(KEYS.manifest, s.manifest);
  if (s.results) p.set(KEYS.results, s.results);
  if (s.quadrant !== undefined) p.set(KEYS.quadrant, String(s.quadrant));
  if (s.source !== undefined) p.set(KEYS.source, String(s.source));
  if (s.stretch) p.set(KEYS.stretch, s.stretch);
  if (s.limits) p.set(KEYS.limits, s.limits);
  if (s.cmap) p.set(KEYS.cmap, s.cmap);
  if (s.view) {
    p.set(KEYS.zoom, fmt(s.view.zoom, 4));
    p.set(KEYS.cx, fmt(s.view.cx, 2));
    p.set(KEYS.cy, fmt(s.view.cy, 2));
  }
  const q = p.toString();
  return q ? `?${q}` : '';
}

function oneOf<T extends string>(v: string, allowed: readonly T[]): T | undefined {
  return (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
}

/** Parse a query string (with or without the leading '?'). */
export function decodeShare(search: string): DecodedShare {
  const p = new URLSearchParams(search);
  const state: ShareState = {};
  const problems: string[] = [];
  const bad = (key: string, v: string, expected: string) => problems.push(`link parameter ${key}=${JSON.stringify(v)} ignored: expected ${expected}`);

  const m = p.get(KEYS.manifest);
  if (m !== null && m.trim() !== '') state.manifest = m.trim();
  const r = p.get(KEYS.results);
  if (r !== null && r.trim() !== '') state.results = r.trim();

  const q = p.get(KEYS.quadrant);
  if (q !== null) {
    if (/^\d+$/.test(q)) state.quadrant = Number(q);
    else bad(KEYS.quadrant, q, 'a quadrant index (0, 1, …)');
  }
  const src = p.get(KEYS.source);
  if (src !== null) {
    if (/^\d+$/.test(src) && Number.isSafeInteger(Number(src))) state.source = Number(src);
    else bad(KEYS.source, src, 'a catalogue object_id');
  }
  const st = p.get(KEYS.stretch);
  if (st !== null) {
    const v = oneOf(st, STRETCHES);
    if (v) state.stretch = v;
    else bad(KEYS.stretch, st, STRETCHES.join(', '));
  }
  const lim = p.get(KEYS.limits);
  if (lim !== null) {
    const v = oneOf(lim, LIMIT_MODES);
    if (v) state.limits = v;
    else bad(KEYS.limits, lim, LIMIT_MODES.join(', '));
  }
  const cm = p.get(KEYS.cmap);
  if (cm !== null) {
    const v = oneOf(cm, COLOUR_MAPS);
    if (v) state.cmap = v;
    else bad(KEYS.cmap, cm, COLOUR_MAPS.join(', '));
  }

  // The view needs all three numbers; a partial view is reported and dropped.
  const vz = p.get(KEYS.zoom);
  const vx = p.get(KEYS.cx);
  const vy = p.get(KEYS.cy);
  if (vz !== null || vx !== null || vy !== null) {
    const zoom = Number(vz);
    const cx = Number(vx);
    const cy = Number(vy);
    if (vz === null || vx === null || vy === null) problems.push(`link view ignored: zoom, cx and cy must all be given`);
    else if (!(zoom > 0) || !Number.isFinite(zoom)) bad(KEYS.zoom, vz, 'a positive number');
    else if (!Number.isFinite(cx) || vx.trim() === '') bad(KEYS.cx, vx, 'a number (pixel x)');
    else if (!Number.isFinite(cy) || vy.trim() === '') bad(KEYS.cy, vy, 'a number (pixel y)');
    else state.view = { cx, cy, zoom };
  }
  return { state, problems };
}
