// What the sky view draws, as plain data (no Aladin here, so it is testable in Node): the sub-tile's
// bounds and quadrant footprints as RA/Dec polygons, the view's centre and field, and each source's
// marker style.
import type { SourceFit, UiSource, WorkbenchData } from '../../state/workbench-data';

export type RaDec = [number, number];

/** The four corners of an RA/Dec box (RA range may cross 0°: lo > hi means it wraps). */
export function boxCorners(ra: [number, number], dec: [number, number]): RaDec[] {
  const [r0, r1] = ra;
  const hi = r1 < r0 ? r1 + 360 : r1;
  return [
    [r0, dec[0]],
    [wrapRa(hi), dec[0]],
    [wrapRa(hi), dec[1]],
    [r0, dec[1]],
  ];
}

export function wrapRa(ra: number): number {
  const r = ra % 360;
  return r < 0 ? r + 360 : r;
}

/** Centre of an RA range (mid-point along increasing RA, so a range across 0° stays together). */
export function raMid(ra: [number, number]): number {
  const span = wrapRa(ra[1] - ra[0]);
  return wrapRa(ra[0] + span / 2);
}

/** Where the view starts: the core's centre, with a field that shows the extended bounds and a margin. */
export function initialView(b: WorkbenchData['skyBounds']): { ra: number; dec: number; fov: number } {
  const ra = raMid(b.core_ra);
  const dec = (b.core_dec[0] + b.core_dec[1]) / 2;
  const cosDec = Math.cos((dec * Math.PI) / 180);
  const w = wrapRa(b.extended_ra[1] - b.extended_ra[0]) * cosDec;
  const h = Math.abs(b.extended_dec[1] - b.extended_dec[0]);
  const fov = Math.max(w, h) * 1.3;
  return { ra, dec, fov: Number.isFinite(fov) && fov > 0 ? fov : 0.5 };
}

export interface MarkerStyle {
  colour: string;
  shape: 'circle' | 'square' | 'plus' | 'cross';
  size: number;
  /** What the style says, for the legend and the test hook. */
  category: 'selected' | 'excluded' | 'star' | 'galaxy' | 'neighbour';
}

export const SELECTED_COLOUR = '#ff4fd8';
const EXCLUDED_COLOUR = '#888888';
const STAR_COLOUR = '#ffd24d';
const GALAXY_COLOUR = '#4dd2ff';
const NEIGHBOUR_COLOUR = '#6d8fa0';

/** χ² range (log scale) over sources with a finite positive χ², or null when none has one. */
export function chi2Range(fits: Record<number, SourceFit>): { lo: number; hi: number } | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const f of Object.values(fits)) {
    const c = f.chi2;
    if (c === undefined || !Number.isFinite(c) || c <= 0) continue;
    lo = Math.min(lo, c);
    hi = Math.max(hi, c);
  }
  return lo <= hi ? { lo, hi } : null;
}

/** Blue (low χ²) → red (high χ²) on a log scale; t is clamped to [0, 1]. */
export function chi2Colour(chi2: number, range: { lo: number; hi: number }): string {
  const span = Math.log(range.hi) - Math.log(range.lo);
  const t = span > 0 ? Math.min(1, Math.max(0, (Math.log(chi2) - Math.log(range.lo)) / span)) : 0.5;
  const hue = Math.round(220 * (1 - t));
  return `hsl(${hue}, 90%, 55%)`;
}

/**
 * A source's marker: the selected source pink and larger; sources left out of the model grey crosses;
 * stars squares; galaxies circles (neighbours outside the core dimmer). With χ² from a fit, galaxy and
 * star colours follow χ² instead.
 */
export function markerStyle(
  s: UiSource,
  selected: number | null,
  excluded: ReadonlySet<number>,
  fits: Record<number, SourceFit>,
  range: { lo: number; hi: number } | null,
): MarkerStyle {
  if (s.object_id === selected) return { colour: SELECTED_COLOUR, shape: 'circle', size: 16, category: 'selected' };
  if (excluded.has(s.object_id)) return { colour: EXCLUDED_COLOUR, shape: 'cross', size: 9, category: 'excluded' };
  const chi2 = fits[s.object_id]?.chi2;
  const byChi2 = range && chi2 !== undefined && Number.isFinite(chi2) && chi2 > 0 ? chi2Colour(chi2, range) : null;
  if (s.kind === 'star') return { colour: byChi2 ?? STAR_COLOUR, shape: 'square', size: 9, category: 'star' };
  if (!s.core) return { colour: byChi2 ?? NEIGHBOUR_COLOUR, shape: 'circle', size: 7, category: 'neighbour' };
  return { colour: byChi2 ?? GALAXY_COLOUR, shape: 'circle', size: 9, category: 'galaxy' };
}
