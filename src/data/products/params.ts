// Per-source parameter tables: the `params_*` product (DESIGN §3) and the input of
// `shearwb render --params` (simulator truth tables hold only the required columns).
import { subtileMeta, type TileId } from './names';
import { column, encodeTableFits, encodeTableParquet, getCI, metaNumber, readTableBytes, type TableColumn, type TableMeta } from './table';

export type SourceKind = 'galaxy' | 'star';

/** The parameters a renderer needs. Stars (point sources) may have NaN hlr/e1/e2. */
export interface SourceParams {
  objectId: number | bigint;
  /** µJy. */
  flux: number;
  /** Half-light radius, arcsec. */
  hlr: number;
  e1: number;
  e2: number;
  /** Offsets from the catalogue position, arcsec (u West, v North as the model defines them). */
  dx: number;
  dy: number;
}

export interface ParamRow extends SourceParams {
  ra: number;
  dec: number;
  fluxErr: number;
  hlrErr: number;
  e1Err: number;
  e2Err: number;
  dxErr: number;
  dyErr: number;
  kind: SourceKind;
  nQuadrants: number;
  chi2: number;
}

export interface ParamsHeader {
  g1: number;
  g2: number;
  g1Err?: number;
  g2Err?: number;
  tileId?: TileId;
  subtileRow?: number;
  subtileCol?: number;
  /** Core centre of the sub-tile, degrees (used by catalogue assembly to choose among duplicates). */
  coreRa?: number;
  coreDec?: number;
}

/** Columns in file order: name, row field, type, unit. */
const PARAM_COLUMNS: Array<[string, keyof ParamRow, 'int64' | 'float64' | 'float32' | 'string' | 'int16', string?]> = [
  ['OBJECT_ID', 'objectId', 'int64'],
  ['RA', 'ra', 'float64', 'deg'],
  ['DEC', 'dec', 'float64', 'deg'],
  ['FLUX', 'flux', 'float32', 'uJy'],
  ['HLR', 'hlr', 'float32', 'arcsec'],
  ['E1', 'e1', 'float32'],
  ['E2', 'e2', 'float32'],
  ['DX', 'dx', 'float32', 'arcsec'],
  ['DY', 'dy', 'float32', 'arcsec'],
  ['FLUX_ERR', 'fluxErr', 'float32', 'uJy'],
  ['HLR_ERR', 'hlrErr', 'float32', 'arcsec'],
  ['E1_ERR', 'e1Err', 'float32'],
  ['E2_ERR', 'e2Err', 'float32'],
  ['DX_ERR', 'dxErr', 'float32', 'arcsec'],
  ['DY_ERR', 'dyErr', 'float32', 'arcsec'],
  ['KIND', 'kind', 'string'],
  ['N_QUADRANTS', 'nQuadrants', 'int16'],
  ['CHI2', 'chi2', 'float32'],
];

export function paramsColumns(rows: ParamRow[]): TableColumn[] {
  return PARAM_COLUMNS.map(([name, key, type, unit]) =>
    column(
      name,
      type,
      rows.map((r) => r[key] as number | bigint | string),
      unit,
    ),
  );
}

export function paramsMeta(h: ParamsHeader): TableMeta {
  const m: TableMeta = [
    ['G1', h.g1, 'MAP reduced shear of the sub-tile'],
    ['G2', h.g2, 'MAP reduced shear of the sub-tile'],
  ];
  if (h.g1Err !== undefined) m.push(['G1_ERR', h.g1Err]);
  if (h.g2Err !== undefined) m.push(['G2_ERR', h.g2Err]);
  if (h.tileId !== undefined) m.push(...subtileMeta(h.tileId, h.subtileRow ?? 0, h.subtileCol ?? 0));
  if (h.coreRa !== undefined) m.push(['RA_CORE', h.coreRa, 'sub-tile core centre [deg]']);
  if (h.coreDec !== undefined) m.push(['DEC_CORE', h.coreDec, 'sub-tile core centre [deg]']);
  return m;
}

/** Parameter table as FITS (EXTNAME PARAMS, G1/G2 in its header) and Parquet (G1/G2 in key-value metadata). */
export function paramsTable(rows: ParamRow[], header: ParamsHeader): { fits: Uint8Array; parquet: Uint8Array } {
  const cols = paramsColumns(rows);
  const meta = paramsMeta(header);
  return { fits: encodeTableFits(cols, meta, 'PARAMS'), parquet: encodeTableParquet(cols, meta) };
}

// ---- reading -------------------------------------------------------------------------------

/** A row read back: the required parameters, plus whatever optional columns the file has. */
export type ReadParamRow = SourceParams & Partial<Omit<ParamRow, keyof SourceParams>> & { kind: SourceKind };

export interface ReadParams {
  g1: number;
  g2: number;
  rows: ReadParamRow[];
  /** Every header card / key-value pair, by name as stored (TILE_ID, SUB_ROW, RA_CORE, … when present). */
  meta: Map<string, string | number | boolean>;
  format: 'fits' | 'parquet';
}

const REQUIRED = ['OBJECT_ID', 'FLUX', 'HLR', 'E1', 'E2', 'DX', 'DY'] as const;
const OPTIONAL_NUM: Array<[string, keyof ParamRow]> = [
  ['RA', 'ra'],
  ['DEC', 'dec'],
  ['FLUX_ERR', 'fluxErr'],
  ['HLR_ERR', 'hlrErr'],
  ['E1_ERR', 'e1Err'],
  ['E2_ERR', 'e2Err'],
  ['DX_ERR', 'dxErr'],
  ['DY_ERR', 'dyErr'],
  ['N_QUADRANTS', 'nQuadrants'],
  ['CHI2', 'chi2'],
];

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v === null || v === undefined) return NaN;
  return Number(v);
}

function toId(v: unknown, where: string): number | bigint {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) && BigInt(Number(v)) === v ? Number(v) : v;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new Error(`${where}: OBJECT_ID ${String(v)} is not an integer`);
}

/**
 * Read a parameter table (FITS or Parquet, by magic bytes). Columns match case-insensitively;
 * OBJECT_ID, FLUX, HLR, E1, E2, DX, DY and the G1, G2 header keys (FITS) / key-value metadata
 * (Parquet) are required. Sources without a KIND column are stars when HLR is NaN.
 */
export async function readParamsTable(bytes: Uint8Array, url: string): Promise<ReadParams> {
  const t = await readTableBytes(bytes, url, 'PARAMS');
  const where = t.format === 'fits' ? 'header key' : 'Parquet key-value metadata';
  const present = [...t.columns.keys()];
  const col = (name: string): ArrayLike<unknown> => {
    const c = getCI(t.columns, name);
    if (!c) throw new Error(`${url}: parameter table has no ${name} column (columns present: ${present.join(', ') || 'none'})`);
    return c;
  };
  const req = Object.fromEntries(REQUIRED.map((n) => [n, col(n)])) as Record<(typeof REQUIRED)[number], ArrayLike<unknown>>;
  const shear = (k: string): number => {
    const raw = getCI(t.meta, k);
    if (raw === undefined) throw new Error(`${url}: parameter table has no ${k} ${where} (the sub-tile shear; required)`);
    const v = metaNumber(raw);
    if (v === undefined) throw new Error(`${url}: ${where} ${k} = ${JSON.stringify(raw)} is not a number`);
    return v;
  };
  const g1 = shear('G1');
  const g2 = shear('G2');
  const kinds = getCI(t.columns, 'KIND');
  const opt = OPTIONAL_NUM.map(([n, k]) => [getCI(t.columns, n), k] as const).filter(([c]) => c !== undefined);
  const rows: ReadParamRow[] = [];
  for (let i = 0; i < t.nrows; i++) {
    const at = `${url}: row ${i}`;
    const objectId = toId(req.OBJECT_ID[i], at);
    const r: ReadParamRow = {
      objectId,
      flux: toNumber(req.FLUX[i]),
      hlr: toNumber(req.HLR[i]),
      e1: toNumber(req.E1[i]),
      e2: toNumber(req.E2[i]),
      dx: toNumber(req.DX[i]),
      dy: toNumber(req.DY[i]),
      kind: 'galaxy',
    };
    if (kinds) {
      const k = String(kinds[i]).trim().toLowerCase();
      if (k !== 'galaxy' && k !== 'star') throw new Error(`${at} (OBJECT_ID ${objectId}): KIND '${String(kinds[i])}' is neither 'galaxy' nor 'star'`);
      r.kind = k;
    } else if (Number.isNaN(r.hlr)) r.kind = 'star';
    for (const [c, k] of opt) (r as unknown as Record<string, number>)[k] = toNumber(c![i]);
    const bad = (name: string, v: number, why: string) => {
      throw new Error(`${at} (OBJECT_ID ${objectId}, ${r.kind}): ${name} = ${v} ${why}`);
    };
    for (const [n, v] of [['FLUX', r.flux], ['DX', r.dx], ['DY', r.dy]] as const) if (!Number.isFinite(v)) bad(n, v, 'is not finite');
    if (r.kind === 'galaxy') {
      if (!(r.hlr > 0) || !Number.isFinite(r.hlr)) bad('HLR', r.hlr, 'must be a finite positive radius for a galaxy');
      for (const [n, v] of [['E1', r.e1], ['E2', r.e2]] as const) if (!Number.isFinite(v)) bad(n, v, 'is not finite');
      if (r.e1 * r.e1 + r.e2 * r.e2 >= 1) bad('|E|', Math.hypot(r.e1, r.e2), 'must be below 1');
    }
    rows.push(r);
  }
  return { g1, g2, rows, meta: t.meta, format: t.format };
}
