// One typed column model for every product table, encoded to FITS (our writer) and Parquet
// (hyparquet-writer) with the same column types, and read back from either format.
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { encodeFits, openFits, type HeaderEntries } from '../fits/index';
import type { FitsColumnData } from '../fits/types';
import { MemorySource } from '../storage/types';

export type ColumnType = 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64' | 'string';

export type ColumnValues = Int8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array | string[];

export interface TableColumn {
  name: string;
  type: ColumnType;
  data: ColumnValues;
  unit?: string;
}

/** Table-level key/values: FITS header cards of the table HDU and Parquet key-value metadata. */
export type TableMeta = Array<[key: string, value: string | number | boolean, comment?: string]>;

export function nrowsOf(cols: TableColumn[]): number {
  const n = cols[0]?.data.length ?? 0;
  for (const c of cols) {
    if (c.data.length !== n) throw new Error(`product table: column ${c.name} has ${c.data.length} rows, ${cols[0]!.name} has ${n}`);
  }
  return n;
}

/** Column of the given type from plain values (range-checked for the integer types). */
export function column(name: string, type: ColumnType, values: ArrayLike<number | bigint | string>, unit?: string): TableColumn {
  const n = values.length;
  const intIn = (lo: number, hi: number) => (v: number | bigint | string, i: number): number => {
    const x = Number(v);
    if (!Number.isInteger(x) || x < lo || x > hi) throw new Error(`product table: column ${name} row ${i}: ${String(v)} is not an integer in [${lo}, ${hi}]`);
    return x;
  };
  let data: ColumnValues;
  switch (type) {
    case 'int8':
      data = Int8Array.from({ length: n }, (_, i) => intIn(-128, 127)(values[i]!, i));
      break;
    case 'int16':
      data = Int16Array.from({ length: n }, (_, i) => intIn(-32768, 32767)(values[i]!, i));
      break;
    case 'int32':
      data = Int32Array.from({ length: n }, (_, i) => intIn(-2147483648, 2147483647)(values[i]!, i));
      break;
    case 'int64':
      data = BigInt64Array.from({ length: n }, (_, i) => {
        const v = values[i]!;
        if (typeof v === 'bigint') return v;
        if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
        if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
        throw new Error(`product table: column ${name} row ${i}: ${String(v)} is not an exact integer (int64 needs a safe integer or a bigint)`);
      });
      break;
    case 'float32':
      data = Float32Array.from({ length: n }, (_, i) => Number(values[i]));
      break;
    case 'float64':
      data = Float64Array.from({ length: n }, (_, i) => Number(values[i]));
      break;
    case 'string':
      data = Array.from({ length: n }, (_, i) => String(values[i]));
      break;
  }
  return unit === undefined ? { name, type, data } : { name, type, data, unit };
}

/**
 * FITS bytes: empty PRIMARY + one BINTABLE named `extname`.
 * int8 columns are written as I (int16): FITS binary tables have no signed-byte type, and the
 * signed-byte convention (B with TZERO = -128) comes back from astropy (5.2, checked) as float64,
 * whereas I comes back as an integer everywhere. Parquet keeps the real INT_8 logical type.
 */
export function encodeTableFits(cols: TableColumn[], meta: TableMeta, extname: string): Uint8Array {
  nrowsOf(cols);
  const header: HeaderEntries = [['EXTNAME', extname]];
  const columns = cols.map((c) => {
    const data = c.data instanceof Int8Array ? Int16Array.from(c.data) : (c.data as Exclude<ColumnValues, Int8Array>);
    return c.unit ? { name: c.name, data, unit: c.unit } : { name: c.name, data };
  });
  for (const [k, v, comment] of meta) {
    // FITS keywords cannot hold NaN/Inf: such values go in as strings ('NaN'), which the readers parse back.
    const val = typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
    header.push(comment === undefined ? [k, val] : [k, val, comment]);
  }
  return encodeFits([{ kind: 'table', header, columns }]);
}

type PqSchema = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

function parquetElement(c: TableColumn): PqSchema {
  const base = { name: c.name, repetition_type: 'REQUIRED' as const };
  switch (c.type) {
    case 'int8':
      return { ...base, type: 'INT32', converted_type: 'INT_8', logical_type: { type: 'INTEGER', bitWidth: 8, isSigned: true } };
    case 'int16':
      return { ...base, type: 'INT32', converted_type: 'INT_16', logical_type: { type: 'INTEGER', bitWidth: 16, isSigned: true } };
    case 'int32':
      return { ...base, type: 'INT32' };
    case 'int64':
      return { ...base, type: 'INT64' };
    case 'float32':
      return { ...base, type: 'FLOAT' };
    case 'float64':
      return { ...base, type: 'DOUBLE' };
    case 'string':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
  }
}

function metaString(v: string | number | boolean): string {
  return typeof v === 'string' ? v : String(v); // String(number) round-trips float64 exactly
}

/** Parquet bytes (one row group, snappy, no timestamps: deterministic). Units go in as `UNIT_<col>` metadata. */
export function encodeTableParquet(cols: TableColumn[], meta: TableMeta): Uint8Array {
  const n = nrowsOf(cols);
  const kv = meta.map(([key, value]) => ({ key, value: metaString(value) }));
  for (const c of cols) if (c.unit) kv.push({ key: `UNIT_${c.name}`, value: c.unit });
  const buf = parquetWriteBuffer({
    // INT32 physical storage for int8/int16 (the logical type says the width).
    columnData: cols.map((c) => ({ name: c.name, data: c.data instanceof Int8Array || c.data instanceof Int16Array ? Int32Array.from(c.data) : c.data })),
    schema: [{ name: 'root', num_children: cols.length }, ...cols.map(parquetElement)],
    kvMetadata: kv,
    createdBy: 'shear-workbench',
    rowGroupSize: Math.min(Math.max(1, n), 1_000_000),
  });
  return new Uint8Array(buf);
}

// ---- reading -------------------------------------------------------------------------------

export type TableFormat = 'fits' | 'parquet';

export interface ReadTable {
  format: TableFormat;
  url: string;
  nrows: number;
  /** Column name as stored → values (numbers, bigint for unsafe int64, strings). */
  columns: Map<string, ArrayLike<unknown>>;
  /** FITS header cards of the table HDU (then the primary's, for keys it lacks) or Parquet key-value metadata. */
  meta: Map<string, string | number | boolean>;
}

export function detectFormat(bytes: Uint8Array, url: string): TableFormat | 'fits-gzip' {
  const ascii = (n: number): string => String.fromCharCode(...bytes.subarray(0, n));
  if (bytes.length >= 4 && ascii(4) === 'PAR1') return 'parquet';
  if (bytes.length >= 9 && ascii(9) === 'SIMPLE  =') return 'fits';
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return 'fits-gzip';
  throw new Error(`${url}: neither a FITS file (no 'SIMPLE  =' at byte 0) nor a Parquet file (no 'PAR1' magic); ${bytes.length} bytes`);
}

/**
 * Read a product-style table from FITS (the HDU named `extname` if present, else the first table)
 * or Parquet, chosen by magic bytes.
 */
export async function readTableBytes(bytes: Uint8Array, url: string, extname?: string): Promise<ReadTable> {
  const format = detectFormat(bytes, url);
  if (format === 'parquet') {
    // hyparquet takes an ArrayBuffer-like AsyncBuffer; copy so a subarray view reads the right bytes.
    const ab = bytes.slice().buffer as ArrayBuffer;
    let md;
    try {
      md = parquetMetadata(ab);
    } catch (e) {
      throw new Error(`${url}: not a readable Parquet file (${(e as Error).message})`);
    }
    const rows = await parquetReadObjects({ file: ab, metadata: md });
    const names = md.schema.slice(1).filter((s) => !s.num_children).map((s) => s.name);
    const columns = new Map<string, ArrayLike<unknown>>();
    for (const name of names) columns.set(name, rows.map((r) => r[name]));
    const meta = new Map<string, string | number | boolean>();
    for (const { key, value } of md.key_value_metadata ?? []) meta.set(key, value ?? '');
    return { format: 'parquet', url, nrows: Number(md.num_rows), columns, meta };
  }
  const f = await openFits(new MemorySource(url, bytes));
  const tables = f.hdus.filter((h) => h.kind === 'table');
  const want = extname?.toUpperCase();
  const h = tables.find((t) => t.extname.toUpperCase() === want) ?? tables[0];
  if (!h) throw new Error(`${url}: no binary table HDU (HDUs: ${f.hdus.map((x) => `${x.index} '${x.extname}' ${x.kind}`).join(', ')})`);
  const t = await f.readTable(h);
  const columns = new Map<string, ArrayLike<unknown>>();
  for (const c of t.columns) columns.set(c.name, c.data as Exclude<FitsColumnData, unknown[]> | unknown[]);
  const meta = new Map<string, string | number | boolean>();
  for (const hdr of [h.header, f.hdus[0]!.header]) {
    for (const card of hdr.cards) {
      if (card.value === null || card.value === undefined || meta.has(card.key)) continue;
      meta.set(card.key, card.value);
    }
  }
  return { format: 'fits', url, nrows: t.nrows, columns, meta };
}

/** Case-insensitive lookup in a column or metadata map. */
export function getCI<V>(m: Map<string, V>, key: string): V | undefined {
  const k = key.toUpperCase();
  for (const [name, v] of m) if (name.toUpperCase() === k) return v;
  return undefined;
}

/** A metadata value as a number: numbers as is, numeric strings (incl. 'NaN', 'Infinity') parsed. */
export function metaNumber(v: string | number | boolean | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^(nan|[+-]?inf(inity)?)$/i.test(s)) return s.toLowerCase() === 'nan' ? NaN : s.startsWith('-') ? -Infinity : Infinity;
  const x = Number(s);
  return s !== '' && Number.isFinite(x) ? x : undefined;
}
