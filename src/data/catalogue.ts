// The MER catalogue (DESIGN §1.4): read the columns we use (names matched case-insensitively),
// select the sources to model, and say for every row left out why.
import type { Manifest } from './manifest';

/** What catalogue reading needs of a FITS table (contract 2's FitsTable satisfies it). */
export interface TableLike {
  nrows: number;
  columns: { name: string }[];
  column(name: string): ArrayLike<unknown>;
}

export interface CatalogueRow {
  /** Row index in the table (0-based). */
  row: number;
  object_id: number;
  ra: number;
  dec: number;
  /** µJy */
  flux: number;
  fluxerr: number;
  /** pixels (0.1"/px) */
  semimajor_axis: number;
  ellipticity: number;
  position_angle: number;
  vis_det: number;
  spurious_flag: number;
  point_like_flag: number;
  det_quality_flag: number;
  deblended_flag: number;
}

/** Columns the selection needs; a catalogue without one of them is an error. */
export const REQUIRED_COLUMNS = [
  'object_id',
  'right_ascension',
  'declination',
  'flux_detection_total',
  'fluxerr_detection_total',
  'semimajor_axis',
  'vis_det',
  'spurious_flag',
  'point_like_flag',
  'det_quality_flag',
] as const;
/** Columns read when present (NaN / 0 otherwise). */
export const OPTIONAL_COLUMNS = ['ellipticity', 'position_angle', 'deblended_flag'] as const;

export class CatalogueError extends Error {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(`${url}: ${message}`);
    this.name = 'CatalogueError';
  }
}

/** A column's values as numbers (bigint ids, booleans and typed arrays all become numbers). */
function numbers(data: ArrayLike<unknown>, n: number, name: string, url: string, integer: boolean): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = data[i];
    let x: number;
    if (typeof v === 'number') x = v;
    else if (typeof v === 'bigint') {
      x = Number(v);
      if (integer && !Number.isSafeInteger(x)) throw new CatalogueError(url, `column ${name}, row ${i}: ${v} is too large to be held exactly`);
    } else if (typeof v === 'boolean') x = v ? 1 : 0;
    else if (v === null || v === undefined) x = NaN;
    else if (ArrayBuffer.isView(v) || Array.isArray(v)) {
      throw new CatalogueError(url, `column ${name} holds arrays (repeat > 1); expected one value per row`);
    } else throw new CatalogueError(url, `column ${name}, row ${i}: not a number (${typeof v})`);
    out[i] = x;
  }
  return out;
}

/** Read the catalogue's rows; `url` names the file in errors. */
export function readCatalogue(table: TableLike, url: string): CatalogueRow[] {
  const present = table.columns.map((c) => c.name.trim());
  const byLower = new Map(present.map((n) => [n.toLowerCase(), n]));
  const missing = REQUIRED_COLUMNS.filter((c) => !byLower.has(c));
  if (missing.length > 0) {
    throw new CatalogueError(
      url,
      `catalogue lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (names are matched case-insensitively); columns present: ${present.join(', ') || 'none'}`,
    );
  }
  const n = table.nrows;
  const col = (name: string, integer = false): Float64Array | null => {
    const actual = byLower.get(name);
    if (actual === undefined) return null;
    const data = table.column(actual);
    if (data.length < n) throw new CatalogueError(url, `column ${actual} has ${data.length} values for ${n} rows`);
    return numbers(data, n, actual, url, integer);
  };
  const id = col('object_id', true)!;
  const ra = col('right_ascension')!;
  const dec = col('declination')!;
  const flux = col('flux_detection_total')!;
  const fluxerr = col('fluxerr_detection_total')!;
  const sma = col('semimajor_axis')!;
  const vis = col('vis_det', true)!;
  const spur = col('spurious_flag', true)!;
  const pl = col('point_like_flag', true)!;
  const dq = col('det_quality_flag', true)!;
  const ell = col('ellipticity');
  const pa = col('position_angle');
  const deb = col('deblended_flag', true);
  const rows: CatalogueRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(id[i])) throw new CatalogueError(url, `row ${i}: object_id ${id[i]} is not an integer`);
    rows[i] = {
      row: i,
      object_id: id[i],
      ra: ra[i],
      dec: dec[i],
      flux: flux[i],
      fluxerr: fluxerr[i],
      semimajor_axis: sma[i],
      ellipticity: ell ? ell[i] : NaN,
      position_angle: pa ? pa[i] : NaN,
      vis_det: vis[i],
      spurious_flag: spur[i],
      point_like_flag: pl[i],
      det_quality_flag: dq[i],
      deblended_flag: deb ? deb[i] : 0,
    };
  }
  return rows;
}

export interface SelectionConfig {
  /** Minimum flux / fluxerr; default 10. */
  minSnr?: number;
  /** Keep only VIS-detected rows (vis_det = 1); default true. */
  requireVisDet?: boolean;
  /** Drop spurious_flag = 1; default true. */
  dropSpurious?: boolean;
  /** Rows with det_quality_flag & mask ≠ 0 are dropped; default 0x78C. */
  qualityMask?: number;
  /** Keep at most this many (highest SNR first); default: all. */
  maxSources?: number;
  /** Point-like rows: modelled as point sources ('model', default) or left out ('drop', as SHINE). */
  pointSources?: 'model' | 'drop';
  /** arcsec per pixel for semimajor_axis; default 0.1. */
  pixelScale?: number;
  /** Initial hlr clip, arcsec; default [0.05, 5]. */
  hlrMin?: number;
  hlrMax?: number;
}

export const DEFAULT_SELECTION: Required<Omit<SelectionConfig, 'maxSources'>> & { maxSources: number | null } = {
  minSnr: 10,
  requireVisDet: true,
  dropSpurious: true,
  qualityMask: 0x78c,
  maxSources: null,
  pointSources: 'model',
  pixelScale: 0.1,
  hlrMin: 0.05,
  hlrMax: 5,
};

export type DropReason =
  | 'not in source_ids'
  | 'duplicate object_id'
  | 'bad position'
  | 'zero or negative flux'
  | 'bad flux error'
  | 'low SNR'
  | 'not VIS detected'
  | 'spurious'
  | 'quality flags'
  | 'point-like'
  | 'beyond max_sources';

export interface SelectedSource {
  row: CatalogueRow;
  object_id: number;
  /** 'star' for point-like rows: rendered as the PSF alone. */
  kind: 'galaxy' | 'star';
  snr: number;
  /** Initial half-light radius, arcsec (semimajor_axis × pixelScale, clipped). */
  hlr: number;
  /** In core_source_ids: reported in the outputs. */
  core: boolean;
}

export interface DroppedRow {
  row: CatalogueRow;
  /** Every reason that applies, most basic first; reasons[0] is the one counted. */
  reasons: DropReason[];
}

export interface Selection {
  /** Kept sources, in catalogue order. */
  sources: SelectedSource[];
  dropped: DroppedRow[];
  /** Ids of the manifest's source_ids that the catalogue does not have. */
  missingIds: number[];
  /** Rows dropped per (first) reason. */
  counts: Partial<Record<DropReason, number>>;
  config: typeof DEFAULT_SELECTION;
}

function flagSet(v: number): boolean {
  return Number.isFinite(v) && v !== 0;
}

/** Initial hlr (arcsec) from semimajor_axis (pixels); NaN or ≤ 0 gets the lower clip. */
export function initialHlr(semimajorAxisPx: number, cfg: Pick<typeof DEFAULT_SELECTION, 'pixelScale' | 'hlrMin' | 'hlrMax'> = DEFAULT_SELECTION): number {
  const h = semimajorAxisPx * cfg.pixelScale;
  if (!Number.isFinite(h)) return cfg.hlrMin;
  return Math.min(cfg.hlrMax, Math.max(cfg.hlrMin, h));
}

/** DESIGN §1.4 selection restricted to the manifest's source_ids; core membership from core_source_ids. */
export function selectSources(rows: CatalogueRow[], manifest: Pick<Manifest, 'source_ids' | 'core_source_ids'>, config: SelectionConfig = {}): Selection {
  const cfg = { ...DEFAULT_SELECTION, ...stripUndefined(config) } as typeof DEFAULT_SELECTION;
  const wanted = new Set(manifest.source_ids);
  const core = new Set(manifest.core_source_ids);
  const seen = new Set<number>();
  const kept: SelectedSource[] = [];
  const dropped: DroppedRow[] = [];

  for (const r of rows) {
    const reasons: DropReason[] = [];
    if (!wanted.has(r.object_id)) reasons.push('not in source_ids');
    else if (seen.has(r.object_id)) reasons.push('duplicate object_id');
    if (!Number.isFinite(r.ra) || !Number.isFinite(r.dec) || Math.abs(r.dec) > 90) reasons.push('bad position');
    if (!(r.flux > 0)) reasons.push('zero or negative flux');
    if (!(r.fluxerr > 0)) reasons.push('bad flux error');
    const snr = r.flux / r.fluxerr;
    if (r.flux > 0 && r.fluxerr > 0 && !(snr >= cfg.minSnr)) reasons.push('low SNR');
    if (cfg.requireVisDet && r.vis_det !== 1) reasons.push('not VIS detected');
    if (cfg.dropSpurious && flagSet(r.spurious_flag)) reasons.push('spurious');
    if (!Number.isFinite(r.det_quality_flag) || (r.det_quality_flag & cfg.qualityMask) !== 0) reasons.push('quality flags');
    const star = r.point_like_flag === 1;
    if (star && cfg.pointSources === 'drop') reasons.push('point-like');
    if (reasons.length > 0) {
      dropped.push({ row: r, reasons });
      continue;
    }
    seen.add(r.object_id);
    kept.push({ row: r, object_id: r.object_id, kind: star ? 'star' : 'galaxy', snr, hlr: initialHlr(r.semimajor_axis, cfg), core: core.has(r.object_id) });
  }

  let sources = kept;
  if (cfg.maxSources !== null && kept.length > cfg.maxSources) {
    const ranked = [...kept].sort((a, b) => b.snr - a.snr || a.row.row - b.row.row);
    const keep = new Set(ranked.slice(0, Math.max(0, cfg.maxSources)));
    sources = kept.filter((s) => keep.has(s));
    for (const s of kept) if (!keep.has(s)) dropped.push({ row: s.row, reasons: ['beyond max_sources'] });
    dropped.sort((a, b) => a.row.row - b.row.row);
  }

  const inCat = new Set(rows.map((r) => r.object_id));
  const missingIds = manifest.source_ids.filter((id) => !inCat.has(id));
  const counts: Partial<Record<DropReason, number>> = {};
  for (const d of dropped) counts[d.reasons[0]] = (counts[d.reasons[0]] ?? 0) + 1;
  return { sources, dropped, missingIds, counts, config: cfg };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
