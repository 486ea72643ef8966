// The explorer's `catalogue` table as plain data: every MER row the data layer read (selected and
// dropped), with the selection's verdict, the store's per-source values and the fit's parameters.
// Rows travel to DuckDB as CSV text with an explicit schema (read_csv is in DuckDB's core: no
// extension, no network), then a CREATE TABLE turns the reasons text into a list.
import type { CatalogueRow, DropReason } from '../../data/catalogue';
import type { SourceFit, UiSource } from '../../state/workbench-data';

export type ColumnType = 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'VARCHAR';

/** Columns of the CSV, in order (MER names for catalogue columns). */
export const CSV_COLUMNS: ReadonlyArray<readonly [string, ColumnType]> = [
  ['object_id', 'BIGINT'],
  ['cat_row', 'BIGINT'],
  ['right_ascension', 'DOUBLE'],
  ['declination', 'DOUBLE'],
  ['flux_detection_total', 'DOUBLE'],
  ['fluxerr_detection_total', 'DOUBLE'],
  ['snr', 'DOUBLE'],
  ['semimajor_axis', 'DOUBLE'],
  ['ellipticity', 'DOUBLE'],
  ['position_angle', 'DOUBLE'],
  ['vis_det', 'DOUBLE'],
  ['spurious_flag', 'DOUBLE'],
  ['point_like_flag', 'DOUBLE'],
  ['det_quality_flag', 'DOUBLE'],
  ['deblended_flag', 'DOUBLE'],
  ['selected', 'BOOLEAN'],
  ['core', 'BOOLEAN'],
  ['kind', 'VARCHAR'],
  ['reasons_text', 'VARCHAR'],
  ['hlr_init', 'DOUBLE'],
  ['chi2', 'DOUBLE'],
  ['fit_flux', 'DOUBLE'],
  ['fit_hlr', 'DOUBLE'],
  ['fit_e1', 'DOUBLE'],
  ['fit_e2', 'DOUBLE'],
];

export type Cell = number | boolean | string | null;
export type TableRecord = Record<string, Cell>;

/** A selected source's fitted parameters by name (flux, hlr, e1, e2, …), from the run state. */
export type FittedParams = (objectId: number) => Partial<Record<string, number>> | null;

export interface CatalogueInputs {
  rows: CatalogueRow[];
  /** Why each dropped row was left out, by catalogue row index. */
  dropReasons: Map<number, DropReason[]>;
  /** The store's selected sources (the truth for selected / kind / core / snr). */
  sources: UiSource[];
  coreIds: ReadonlySet<number>;
  fits: Record<number, SourceFit>;
  fitted?: FittedParams;
}

const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** One record per catalogue row; NaN and missing values become NULL. */
export function catalogueRecords(inp: CatalogueInputs): TableRecord[] {
  const byId = new Map(inp.sources.map((s) => [s.object_id, s]));
  const used = new Set<number>();
  return inp.rows.map((r) => {
    const reasons = inp.dropReasons.get(r.row) ?? [];
    // A duplicated object_id: only the first undropped row is the selected source.
    const src = reasons.length === 0 && !used.has(r.object_id) ? byId.get(r.object_id) : undefined;
    if (src) used.add(r.object_id);
    const fit = src ? inp.fits[src.object_id] : undefined;
    const p = src ? (inp.fitted?.(src.object_id) ?? null) : null;
    const snr = r.flux / r.fluxerr;
    return {
      object_id: r.object_id,
      cat_row: r.row,
      right_ascension: finite(r.ra),
      declination: finite(r.dec),
      flux_detection_total: finite(r.flux),
      fluxerr_detection_total: finite(r.fluxerr),
      snr: src ? finite(src.snr) : finite(snr),
      semimajor_axis: finite(r.semimajor_axis),
      ellipticity: finite(r.ellipticity),
      position_angle: finite(r.position_angle),
      vis_det: finite(r.vis_det),
      spurious_flag: finite(r.spurious_flag),
      point_like_flag: finite(r.point_like_flag),
      det_quality_flag: finite(r.det_quality_flag),
      deblended_flag: finite(r.deblended_flag),
      selected: !!src,
      core: src ? src.core : inp.coreIds.has(r.object_id),
      kind: src ? src.kind : r.point_like_flag === 1 ? 'star' : 'galaxy',
      reasons_text: reasons.join('|'),
      hlr_init: src ? finite(src.hlr) : null,
      chi2: finite(fit?.chi2),
      fit_flux: finite(p?.flux),
      fit_hlr: finite(fit?.hlr ?? p?.hlr),
      fit_e1: finite(fit?.e1 ?? p?.e1),
      fit_e2: finite(fit?.e2 ?? p?.e2),
    };
  });
}

function csvField(v: Cell): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v); // shortest round-trip form: DuckDB parses it back exactly
  return `"${v.replace(/"/g, '""')}"`;
}

/** The records as CSV with a header line; empty fields are NULL. */
export function recordsToCsv(records: TableRecord[]): string {
  const lines = [CSV_COLUMNS.map(([n]) => n).join(',')];
  for (const r of records) lines.push(CSV_COLUMNS.map(([n]) => csvField(r[n] ?? null)).join(','));
  return lines.join('\n') + '\n';
}

/** SQL that (re)creates `catalogue` from the CSV registered under `file`. */
export function createTableSql(file: string): string {
  const cols = CSV_COLUMNS.map(([n, t]) => `'${n}': '${t}'`).join(', ');
  const names = CSV_COLUMNS.filter(([n]) => n !== 'reasons_text').map(([n]) => n);
  return [
    'CREATE OR REPLACE TABLE catalogue AS SELECT',
    `  ${names.join(', ')},`,
    "  CASE WHEN coalesce(reasons_text, '') = '' THEN []::VARCHAR[] ELSE string_split(reasons_text, '|') END AS reasons,",
    "  CASE WHEN coalesce(reasons_text, '') = '' THEN NULL ELSE string_split(reasons_text, '|')[1] END AS reason",
    `FROM read_csv('${file}', header = true, delim = ',', quote = '"', auto_detect = false, columns = {${cols}})`,
  ].join('\n');
}

export const DEFAULT_QUERY = 'SELECT object_id, kind, snr, core, chi2 FROM catalogue ORDER BY chi2 DESC NULLS LAST LIMIT 100';
