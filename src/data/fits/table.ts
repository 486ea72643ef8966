// BINTABLE columns: TFORM layout, per-type decoding with TSCAL/TZERO/TNULL, variable-length (P/Q) arrays.
import type { Header } from './header';
import { FitsError, type FitsColumn, type FitsColumnData, type FitsTable } from './types';

export interface ColumnLayout {
  name: string;
  format: string;
  unit?: string;
  /** Element count (bits for X, characters for A; 0 or 1 for P/Q descriptors). */
  repeat: number;
  /** Type code L X B I J K A E D C M P Q. */
  code: string;
  /** For P/Q: the element type code in the heap. */
  varCode?: string;
  /** Byte offset inside a row, and bytes per row. */
  offset: number;
  width: number;
  tscal: number;
  tzero: number;
  tnull?: number;
}

const ELEM: Record<string, number> = { L: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16, P: 8, Q: 16 };

export function elemBytes(code: string, repeat: number): number {
  if (code === 'X') return Math.ceil(repeat / 8);
  return ELEM[code]! * repeat;
}

export function parseColumns(h: Header, where: { url: string; hdu: string }): ColumnLayout[] {
  const tfields = h.int('TFIELDS');
  const cols: ColumnLayout[] = [];
  let offset = 0;
  for (let i = 1; i <= tfields; i++) {
    const format = h.str(`TFORM${i}`).trim();
    const m = /^(\d*)([LXBIJKAEDCMPQ])(.*)$/i.exec(format);
    if (!m) throw new FitsError(where.url, `${where.hdu}: column ${i} has an unsupported TFORM${i} = '${format}'`);
    const repeat = m[1] ? parseInt(m[1], 10) : 1;
    const code = m[2]!.toUpperCase();
    const col: ColumnLayout = {
      name: String(h.get(`TTYPE${i}`) ?? `COL${i}`).trim(),
      format,
      repeat,
      code,
      offset,
      width: elemBytes(code, repeat),
      tscal: h.num(`TSCAL${i}`, 1),
      tzero: h.num(`TZERO${i}`, 0),
    };
    if (code === 'P' || code === 'Q') {
      const v = /^([LXBIJKAEDCM])/i.exec(m[3] ?? '');
      if (!v) throw new FitsError(where.url, `${where.hdu}: column ${i} '${col.name}' has an unsupported TFORM${i} = '${format}'`);
      col.varCode = v[1]!.toUpperCase();
    }
    const unit = h.get(`TUNIT${i}`);
    if (typeof unit === 'string' && unit.trim()) col.unit = unit.trim();
    const tnull = h.get(`TNULL${i}`);
    if (typeof tnull === 'number') col.tnull = tnull;
    cols.push(col);
    offset += col.width;
  }
  const naxis1 = h.int('NAXIS1');
  if (offset !== naxis1)
    throw new FitsError(where.url, `${where.hdu}: columns add up to ${offset} bytes per row but NAXIS1 = ${naxis1}`);
  return cols;
}

/** Read `count` elements of type `code` from a flat big-endian buffer into a typed/plain array. */
function decodeFlat(
  b: Uint8Array,
  code: string,
  count: number,
  col: Pick<ColumnLayout, 'tscal' | 'tzero' | 'tnull'>,
): Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array | boolean[] | string[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const { tscal, tzero, tnull } = col;
  const scaled = tscal !== 1 || tzero !== 0;
  const hasNull = tnull !== undefined;
  const toF64 = (get: (i: number) => number): Float64Array => {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const v = get(i);
      out[i] = hasNull && v === tnull ? NaN : v * tscal + tzero;
    }
    return out;
  };
  switch (code) {
    case 'L': {
      const out: boolean[] = new Array(count);
      for (let i = 0; i < count; i++) out[i] = b[i] === 84; // 'T'
      return out;
    }
    case 'B':
      if (!hasNull && tscal === 1 && tzero === -128) return Int8Array.from(b.subarray(0, count), (v) => v - 128);
      if (scaled || hasNull) return toF64((i) => b[i]!);
      return b.slice(0, count);
    case 'I':
      if (!hasNull && tscal === 1 && tzero === 32768) return Uint16Array.from({ length: count }, (_, i) => dv.getUint16(i * 2, false) ^ 0x8000);
      if (scaled || hasNull) return toF64((i) => dv.getInt16(i * 2, false));
      return Int16Array.from({ length: count }, (_, i) => dv.getInt16(i * 2, false));
    case 'J':
      if (!hasNull && tscal === 1 && tzero === 2147483648) return Uint32Array.from({ length: count }, (_, i) => (dv.getUint32(i * 4, false) ^ 0x80000000) >>> 0);
      if (scaled || hasNull) return toF64((i) => dv.getInt32(i * 4, false));
      return Int32Array.from({ length: count }, (_, i) => dv.getInt32(i * 4, false));
    case 'K': {
      if (!hasNull && tscal === 1 && tzero === 9223372036854775808) {
        const u = BigUint64Array.from({ length: count }, (_, i) => dv.getBigUint64(i * 8, false) ^ 0x8000000000000000n);
        return u.every((v) => v <= BigInt(Number.MAX_SAFE_INTEGER)) ? Float64Array.from(u, Number) : u;
      }
      const k = BigInt64Array.from({ length: count }, (_, i) => dv.getBigInt64(i * 8, false));
      if (scaled) return toF64((i) => Number(k[i]!));
      const safe = k.every((v) => v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER));
      // Safe integers become plain numbers (what callers want for ids); others stay exact as bigint.
      if (safe) return hasNull ? toF64((i) => Number(k[i]!)) : Float64Array.from(k, Number);
      return k;
    }
    case 'E':
    case 'C': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, false);
      return scaled ? Float64Array.from(out, (v) => v * tscal + tzero) : out;
    }
    case 'D':
    case 'M': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, false) * tscal + tzero;
      return out;
    }
    default:
      throw new Error(`unsupported column type ${code}`);
  }
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0) break; // NUL ends a FITS string
    s += String.fromCharCode(b[i]!);
  }
  return s.trimEnd();
}

function bits(b: Uint8Array, n: number): boolean[] {
  const out: boolean[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = ((b[i >> 3]! >> (7 - (i & 7))) & 1) === 1;
  return out;
}

/** Split a flat per-element array into one array per row when repeat > 1. */
function perRow<T extends { slice(a: number, b: number): unknown }>(flat: T, nrows: number, repeat: number): unknown[] {
  const out: unknown[] = new Array(nrows);
  for (let r = 0; r < nrows; r++) out[r] = flat.slice(r * repeat, (r + 1) * repeat);
  return out;
}

/** Decode one column from `rows` (nrows × rowBytes). `heap` is the whole heap for P/Q columns. */
export function decodeColumn(col: ColumnLayout, rows: Uint8Array, nrows: number, rowBytes: number, heap?: Uint8Array): FitsColumnData {
  const gather = (): Uint8Array => {
    const out = new Uint8Array(nrows * col.width);
    for (let r = 0; r < nrows; r++) out.set(rows.subarray(r * rowBytes + col.offset, r * rowBytes + col.offset + col.width), r * col.width);
    return out;
  };
  const flat = gather();
  if (col.code === 'A') {
    const out: string[] = new Array(nrows);
    for (let r = 0; r < nrows; r++) out[r] = latin1(flat.subarray(r * col.width, (r + 1) * col.width));
    return out;
  }
  if (col.code === 'X') {
    const out = perRow({ slice: (a: number, b: number) => bits(flat.subarray(a, b), col.repeat) }, nrows, col.width);
    return col.repeat === 1 ? out.map((v) => (v as boolean[])[0]!) : out;
  }
  if (col.code === 'P' || col.code === 'Q') {
    const dv = new DataView(flat.buffer);
    const out: unknown[] = new Array(nrows);
    for (let r = 0; r < nrows; r++) {
      const [n, off] = varDescriptor(dv, r * col.width, col.code);
      const w = elemBytes(col.varCode!, n);
      const b = heap ? heap.subarray(off, off + w) : new Uint8Array(0);
      if (b.length < w) throw new Error(`variable-length array of row ${r} points outside the heap`);
      if (col.varCode === 'A') out[r] = latin1(b);
      else if (col.varCode === 'X') out[r] = bits(b, n);
      else out[r] = decodeFlat(b, col.varCode!, n, col);
    }
    return out;
  }
  const mult = col.code === 'C' || col.code === 'M' ? 2 : 1;
  const data = decodeFlat(flat, col.code, nrows * col.repeat * mult, col);
  return col.repeat === 1 && mult === 1 ? data : perRow(data, nrows, col.repeat * mult);
}

/** (element count, heap offset) of a P (2×int32) or Q (2×int64) descriptor. */
export function varDescriptor(dv: DataView, at: number, code: string): [number, number] {
  if (code === 'P') return [dv.getInt32(at, false), dv.getInt32(at + 4, false)];
  return [Number(dv.getBigInt64(at, false)), Number(dv.getBigInt64(at + 8, false))];
}

function plain(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>);
  return v;
}

export function makeTable(
  url: string,
  hduLabel: string,
  columns: FitsColumn[],
  nrows: number,
  firstRow: number,
): FitsTable {
  return {
    nrows,
    firstRow,
    columns,
    column(name: string): FitsColumnData {
      const want = name.toLowerCase();
      const c = columns.find((c) => c.name.toLowerCase() === want);
      if (!c)
        throw new FitsError(url, `${hduLabel}: no column '${name}' (columns present: ${columns.map((c) => c.name).join(', ')})`);
      return c.data;
    },
    rows(): Record<string, unknown>[] {
      const out: Record<string, unknown>[] = [];
      for (let r = 0; r < nrows; r++) {
        const o: Record<string, unknown> = {};
        for (const c of columns) o[c.name] = plain((c.data as ArrayLike<unknown>)[r]);
        out.push(o);
      }
      return out;
    },
  };
}
