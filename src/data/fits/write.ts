// FITS writer: an empty PRIMARY HDU, then each image or binary table as an extension.
// Deterministic bytes (no dates); mandatory keywords in fixed format; headers padded with
// spaces and data with zeros to 2880-byte blocks.
import { BLOCK, CARD } from './header';

export type HeaderEntries = Array<[key: string, value: string | number | boolean, comment?: string]>;

export type ImageData = Float32Array | Float64Array | Int32Array | Int16Array | Uint8Array;
export type ColumnData = Float64Array | Float32Array | Int32Array | Int16Array | BigInt64Array | Uint8Array | string[] | boolean[];

export type FitsHduToWrite =
  | { kind: 'image'; header?: HeaderEntries; data: ImageData; shape: number[] }
  | {
      kind: 'table';
      header?: HeaderEntries;
      /** `repeat` (default 1): elements per row for numeric columns; data holds nrows × repeat values. */
      columns: { name: string; data: ColumnData; unit?: string; repeat?: number }[];
    };

const RESERVED = /^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|PCOUNT|GCOUNT|TFIELDS|TTYPE\d+|TFORM\d+|TUNIT\d+|EXTEND|END)$/;

function checkText(s: string, what: string): void {
  if (!/^[\x20-\x7e]*$/.test(s)) throw new Error(`FITS writer: ${what} ${JSON.stringify(s)} holds characters outside printable ASCII`);
}

function formatNumber(v: number, key: string): string {
  if (!Number.isFinite(v)) throw new Error(`FITS writer: keyword ${key} has a non-finite value ${v} (FITS cannot store it)`);
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  // Shortest round-trip representation, upper-case exponent, always with a decimal point.
  let s = String(v).toUpperCase();
  if (!s.includes('.')) s = s.includes('E') ? s.replace('E', '.0E') : `${s}.0`;
  return s;
}

function pad80(s: string): string {
  return s.length >= CARD ? s.slice(0, CARD) : s.padEnd(CARD, ' ');
}

function withComment(s: string, comment?: string): string {
  if (!comment) return pad80(s);
  checkText(comment, 'comment');
  const room = CARD - s.length - 3;
  return room > 0 ? pad80(`${s} / ${comment.slice(0, room)}`) : pad80(s);
}

/** Cards for one keyword (several when a long string needs CONTINUE cards). */
export function formatCards(key0: string, value: string | number | boolean, comment?: string): string[] {
  const key = key0.toUpperCase();
  if (key === 'COMMENT' || key === 'HISTORY' || key === '') {
    const text = String(value);
    checkText(text, key || 'blank card');
    const out: string[] = [];
    for (let i = 0; i === 0 || i < text.length; i += 72) out.push(pad80(key.padEnd(8) + text.slice(i, i + 72)));
    return out;
  }
  if (!/^[A-Z0-9_-]{1,8}$/.test(key))
    throw new Error(`FITS writer: keyword '${key0}' is not a FITS keyword (1-8 characters of A-Z, 0-9, '_', '-')`);
  const head = `${key.padEnd(8)}= `;
  if (typeof value === 'boolean') return [withComment(head + (value ? 'T' : 'F').padStart(20), comment)];
  if (typeof value === 'number') {
    const s = formatNumber(value, key);
    return [withComment(head + s.padStart(20), comment)];
  }
  checkText(value, `value of ${key}`);
  const esc = value.replace(/'/g, "''");
  if (esc.length <= 68) return [withComment(head + `'${esc.padEnd(8)}'`.padEnd(20), comment)];
  // Long string: the CONTINUE convention (each piece ends with '&' except the last).
  const pieces: string[] = [];
  let cur = '';
  for (const ch of value) {
    const e = ch === "'" ? "''" : ch;
    if (cur.length + e.length > 66) {
      pieces.push(cur);
      cur = '';
    }
    cur += e;
  }
  pieces.push(cur);
  return pieces.map((p, i) => {
    const last = i === pieces.length - 1;
    const body = `'${p}${last ? '' : '&'}'`;
    const s = i === 0 ? head + body : `CONTINUE  ${body}`;
    return last ? withComment(s, comment) : pad80(s);
  });
}

function headerBytes(mandatory: HeaderEntries, user: HeaderEntries | undefined): Uint8Array {
  const cards: string[] = [];
  for (const [k, v, c] of mandatory) cards.push(...formatCards(k, v, c));
  for (const [k, v, c] of user ?? []) {
    if (RESERVED.test(k.toUpperCase())) throw new Error(`FITS writer: keyword ${k} is written by the writer itself; leave it out of the header entries`);
    cards.push(...formatCards(k, v, c));
  }
  cards.push(pad80('END'));
  const n = Math.ceil((cards.length * CARD) / BLOCK) * BLOCK;
  const out = new Uint8Array(n).fill(0x20);
  cards.forEach((c, i) => {
    for (let j = 0; j < CARD; j++) out[i * CARD + j] = c.charCodeAt(j);
  });
  return out;
}

function padData(b: Uint8Array): Uint8Array {
  const n = Math.ceil(b.length / BLOCK) * BLOCK;
  if (n === b.length) return b;
  const out = new Uint8Array(n); // zero padding
  out.set(b);
  return out;
}

/** Big-endian bytes of a typed array. */
function beBytes(a: ArrayLike<number> | BigInt64Array, kind: 'u8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64'): Uint8Array {
  const w = { u8: 1, i16: 2, i32: 4, i64: 8, f32: 4, f64: 8 }[kind];
  const out = new Uint8Array(a.length * w);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (kind === 'u8') dv.setUint8(i, v as number);
    else if (kind === 'i16') dv.setInt16(i * 2, v as number, false);
    else if (kind === 'i32') dv.setInt32(i * 4, v as number, false);
    else if (kind === 'i64') dv.setBigInt64(i * 8, v as bigint, false);
    else if (kind === 'f32') dv.setFloat32(i * 4, v as number, false);
    else dv.setFloat64(i * 8, v as number, false);
  }
  return out;
}

function imageKind(d: ImageData): { bitpix: number; kind: 'u8' | 'i16' | 'i32' | 'f32' | 'f64' } {
  if (d instanceof Float32Array) return { bitpix: -32, kind: 'f32' };
  if (d instanceof Float64Array) return { bitpix: -64, kind: 'f64' };
  if (d instanceof Int32Array) return { bitpix: 32, kind: 'i32' };
  if (d instanceof Int16Array) return { bitpix: 16, kind: 'i16' };
  if (d instanceof Uint8Array) return { bitpix: 8, kind: 'u8' };
  throw new Error('FITS writer: unsupported image array type');
}

function encodeImage(h: Extract<FitsHduToWrite, { kind: 'image' }>, n: number): Uint8Array[] {
  const { bitpix, kind } = imageKind(h.data);
  const count = h.shape.reduce((a, b) => a * b, 1);
  if (!h.shape.every((d) => Number.isInteger(d) && d >= 0) || count !== h.data.length)
    throw new Error(`FITS writer: HDU ${n}: shape [${h.shape.join(', ')}] does not match ${h.data.length} values`);
  const mand: HeaderEntries = [
    ['XTENSION', 'IMAGE', 'Image extension'],
    ['BITPIX', bitpix, 'array data type'],
    ['NAXIS', h.shape.length, 'number of array dimensions'],
  ];
  // numpy order [.., ny, nx] → NAXIS1 = nx.
  h.shape.slice().reverse().forEach((d, i) => mand.push([`NAXIS${i + 1}`, d]));
  mand.push(['PCOUNT', 0, 'number of parameters'], ['GCOUNT', 1, 'number of groups']);
  return [headerBytes(mand, h.header), padData(beBytes(h.data, kind))];
}

function encodeTable(h: Extract<FitsHduToWrite, { kind: 'table' }>, n: number): Uint8Array[] {
  if (h.columns.length === 0) throw new Error(`FITS writer: HDU ${n}: a table needs at least one column`);
  type Col = { name: string; tform: string; width: number; unit?: string; write: (dv: DataView, at: number, row: number) => void };
  let nrows = -1;
  const cols: Col[] = h.columns.map((c, ci) => {
    checkText(c.name, 'column name');
    const repeat = c.repeat ?? 1;
    const d = c.data;
    const rowsOf = (len: number): number => {
      if (len % repeat !== 0) throw new Error(`FITS writer: column '${c.name}' has ${len} values, not a multiple of repeat ${repeat}`);
      return len / repeat;
    };
    const r = rowsOf(d.length);
    if (nrows >= 0 && r !== nrows) throw new Error(`FITS writer: column '${c.name}' has ${r} rows, column '${h.columns[0]!.name}' has ${nrows}`);
    nrows = r;
    const numeric = (code: string, w: number, set: (dv: DataView, at: number, v: number | bigint) => void): Col => ({
      name: c.name,
      tform: `${repeat}${code}`,
      width: w * repeat,
      write: (dv, at, row) => {
        for (let k = 0; k < repeat; k++) set(dv, at + k * w, (d as ArrayLike<number | bigint>)[row * repeat + k]!);
      },
    });
    let col: Col;
    if (Array.isArray(d) && (d.length === 0 || typeof d[0] === 'string')) {
      if (repeat !== 1) throw new Error(`FITS writer: string column '${c.name}' cannot have repeat ${repeat}`);
      const s = d as string[];
      s.forEach((v) => checkText(v, `column '${c.name}' value`));
      const width = Math.max(1, ...s.map((v) => v.length));
      col = {
        name: c.name,
        tform: `${width}A`,
        width,
        write: (dv, at, row) => {
          const v = s[row]!;
          for (let k = 0; k < width; k++) dv.setUint8(at + k, k < v.length ? v.charCodeAt(k) : 0x20);
        },
      };
    } else if (Array.isArray(d)) {
      const b = d as boolean[];
      col = { name: c.name, tform: `${repeat}L`, width: repeat, write: (dv, at, row) => { for (let k = 0; k < repeat; k++) dv.setUint8(at + k, b[row * repeat + k] ? 0x54 : 0x46); } };
    } else if (d instanceof Float64Array) col = numeric('D', 8, (dv, at, v) => dv.setFloat64(at, v as number, false));
    else if (d instanceof Float32Array) col = numeric('E', 4, (dv, at, v) => dv.setFloat32(at, v as number, false));
    else if (d instanceof Int32Array) col = numeric('J', 4, (dv, at, v) => dv.setInt32(at, v as number, false));
    else if (d instanceof Int16Array) col = numeric('I', 2, (dv, at, v) => dv.setInt16(at, v as number, false));
    else if (d instanceof BigInt64Array) col = numeric('K', 8, (dv, at, v) => dv.setBigInt64(at, v as bigint, false));
    else if (d instanceof Uint8Array) col = numeric('B', 1, (dv, at, v) => dv.setUint8(at, v as number));
    else throw new Error(`FITS writer: column ${ci + 1} '${c.name}' has an unsupported data type`);
    if (c.unit !== undefined) {
      checkText(c.unit, 'unit');
      col.unit = c.unit;
    }
    return col;
  });
  const rowBytes = cols.reduce((a, c) => a + c.width, 0);
  const mand: HeaderEntries = [
    ['XTENSION', 'BINTABLE', 'binary table extension'],
    ['BITPIX', 8, 'array data type'],
    ['NAXIS', 2, 'number of array dimensions'],
    ['NAXIS1', rowBytes, 'length of dimension 1'],
    ['NAXIS2', nrows, 'length of dimension 2'],
    ['PCOUNT', 0, 'number of group parameters'],
    ['GCOUNT', 1, 'number of groups'],
    ['TFIELDS', cols.length, 'number of table fields'],
  ];
  cols.forEach((c, i) => {
    mand.push([`TTYPE${i + 1}`, c.name], [`TFORM${i + 1}`, c.tform]);
    if (c.unit !== undefined) mand.push([`TUNIT${i + 1}`, c.unit]);
  });
  const data = new Uint8Array(rowBytes * nrows);
  const dv = new DataView(data.buffer);
  for (let r = 0; r < nrows; r++) {
    let at = r * rowBytes;
    for (const c of cols) {
      c.write(dv, at, r);
      at += c.width;
    }
  }
  return [headerBytes(mand, h.header), padData(data)];
}

export function encodeFits(hdus: FitsHduToWrite[]): Uint8Array {
  const parts: Uint8Array[] = [
    headerBytes(
      [
        ['SIMPLE', true, 'conforms to FITS standard'],
        ['BITPIX', 8, 'array data type'],
        ['NAXIS', 0, 'number of array dimensions'],
        ['EXTEND', true],
      ],
      undefined,
    ),
  ];
  hdus.forEach((h, i) => parts.push(...(h.kind === 'image' ? encodeImage(h, i + 1) : encodeTable(h, i + 1))));
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
