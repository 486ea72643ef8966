// Catalogue assembly (DESIGN §3): many sub-tiles' parameter tables → one catalogue of core sources,
// each OBJECT_ID once. A source found in several sub-tiles is kept from the sub-tile whose core
// centre is nearest to it (ties: smallest tile, row, col), which is the sub-tile that owns it.
import type { TileId } from './names';
import type { ParamRow, ReadParamRow, SourceKind } from './params';
import { paramsColumns } from './params';
import { column, encodeTableFits, encodeTableParquet, type TableColumn } from './table';

export interface ParamsTableInput {
  rows: Array<ParamRow | ReadParamRow>;
  g1: number;
  g2: number;
  tile: TileId;
  row: number;
  col: number;
  /** Core centre of the sub-tile, degrees. */
  coreRa: number;
  coreDec: number;
  /** File or label used in errors. */
  source?: string;
}

export interface CatalogueRow extends ParamRow {
  tileId: TileId;
  subtileRow: number;
  subtileCol: number;
}

export interface Catalogue {
  rows: CatalogueRow[];
  /** Rows dropped because the same OBJECT_ID was kept from another sub-tile. */
  duplicatesRemoved: number;
  tables: number;
}

const D2R = Math.PI / 180;

/** Great-circle separation in degrees (haversine: accurate at small separations). */
export function separationDeg(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const s = Math.sin(((dec2 - dec1) * D2R) / 2) ** 2 + Math.cos(dec1 * D2R) * Math.cos(dec2 * D2R) * Math.sin(((ra2 - ra1) * D2R) / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(s)))) / D2R;
}

function cmpKey(a: ParamsTableInput, b: ParamsTableInput): number {
  const ta = BigInt(a.tile);
  const tb = BigInt(b.tile);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.row - b.row || a.col - b.col;
}

function fullRow(r: ParamRow | ReadParamRow, t: ParamsTableInput, i: number): CatalogueRow {
  const where = `${t.source ?? `sub-tile ${String(t.tile)}_${t.row}_${t.col}`}: row ${i} (OBJECT_ID ${String(r.objectId)})`;
  if (r.ra === undefined || r.dec === undefined || !Number.isFinite(r.ra) || !Number.isFinite(r.dec))
    throw new Error(`${where}: RA/DEC missing or not finite; a catalogue needs source positions`);
  return {
    objectId: r.objectId,
    ra: r.ra,
    dec: r.dec,
    flux: r.flux,
    hlr: r.hlr,
    e1: r.e1,
    e2: r.e2,
    dx: r.dx,
    dy: r.dy,
    fluxErr: r.fluxErr ?? NaN,
    hlrErr: r.hlrErr ?? NaN,
    e1Err: r.e1Err ?? NaN,
    e2Err: r.e2Err ?? NaN,
    dxErr: r.dxErr ?? NaN,
    dyErr: r.dyErr ?? NaN,
    kind: (r.kind ?? 'galaxy') as SourceKind,
    nQuadrants: r.nQuadrants ?? -1,
    chi2: r.chi2 ?? NaN,
    tileId: t.tile,
    subtileRow: t.row,
    subtileCol: t.col,
  };
}

/** Merge parameter tables; output ordered by (tile, row, col) then row order within each table. */
export function assembleCatalogue(tables: ParamsTableInput[]): Catalogue {
  const order = tables.map((t, i) => ({ t, i })).sort((a, b) => cmpKey(a.t, b.t) || a.i - b.i);
  for (const { t } of order) {
    if (!Number.isFinite(t.coreRa) || !Number.isFinite(t.coreDec))
      throw new Error(`${t.source ?? `sub-tile ${String(t.tile)}_${t.row}_${t.col}`}: core centre (RA_CORE, DEC_CORE) missing or not finite`);
  }
  // Winner per OBJECT_ID: distance to its sub-tile's core centre; `seq` = position in the sorted input.
  const best = new Map<string, { d: number; seq: number; row: CatalogueRow }>();
  let seq = 0;
  for (const { t } of order) {
    t.rows.forEach((r, i) => {
      const row = fullRow(r, t, i);
      const key = String(row.objectId);
      const d = separationDeg(row.ra, row.dec, t.coreRa, t.coreDec);
      const cur = best.get(key);
      // Strictly nearer wins; on an exact tie the earlier (smaller tile, row, col) keeps it.
      if (!cur || d < cur.d) best.set(key, { d, seq, row });
      seq++;
    });
  }
  const kept = [...best.values()].sort((a, b) => a.seq - b.seq);
  const total = seq;
  return { rows: kept.map((x) => x.row), duplicatesRemoved: total - kept.length, tables: tables.length };
}

export function catalogueColumns(rows: CatalogueRow[]): TableColumn[] {
  return [
    ...paramsColumns(rows).slice(0, 1),
    column('TILE_ID', 'int64', rows.map((r) => r.tileId)),
    column('SUBTILE_ROW', 'int8', rows.map((r) => r.subtileRow)),
    column('SUBTILE_COL', 'int8', rows.map((r) => r.subtileCol)),
    ...paramsColumns(rows).slice(1),
  ];
}

/** The assembled catalogue as FITS (EXTNAME CATALOGUE) and Parquet. */
export function catalogueTable(c: Catalogue): { fits: Uint8Array; parquet: Uint8Array } {
  const cols = catalogueColumns(c.rows);
  const meta: Array<[string, string | number, string]> = [
    ['NTABLES', c.tables, 'sub-tile parameter tables merged'],
    ['NDUPS', c.duplicatesRemoved, 'duplicate OBJECT_ID rows removed'],
  ];
  return { fits: encodeTableFits(cols, meta, 'CATALOGUE'), parquet: encodeTableParquet(cols, meta) };
}
