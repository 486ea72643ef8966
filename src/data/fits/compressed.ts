// Tile-compressed images (.fits.fz): a BINTABLE with ZIMAGE = T whose rows are tiles.
// RICE_1 (our decoder), GZIP_1/GZIP_2 (fflate); quantised floats via ZSCALE/ZZERO with
// NO_DITHER / SUBTRACTIVE_DITHER_1 / SUBTRACTIVE_DITHER_2; nulls via ZBLANK or BLANK.
import { gunzipSync } from 'fflate';
import { Header } from './header';
import { imageScaling, outputArray } from './image';
import { riceDecode } from './rice';
import { decodeColumn, parseColumns, varDescriptor, type ColumnLayout } from './table';
import type { FitsCard } from './types';

/** The image's logical header: Z-keywords become the image keywords, table bookkeeping is dropped. */
export function logicalHeader(raw: Header): Header {
  const rename: Record<string, string> = {
    ZSIMPLE: 'SIMPLE', ZTENSION: 'XTENSION', ZBITPIX: 'BITPIX', ZNAXIS: 'NAXIS', ZEXTEND: 'EXTEND',
    ZBLOCKED: 'BLOCKED', ZPCOUNT: 'PCOUNT', ZGCOUNT: 'GCOUNT', ZHECKSUM: 'CHECKSUM', ZDATASUM: 'DATASUM',
  };
  const drop = /^(XTENSION|BITPIX|NAXIS\d*|PCOUNT|GCOUNT|TFIELDS|THEAP|TTYPE\d+|TFORM\d+|TUNIT\d+|TSCAL\d+|TZERO\d+|TNULL\d+|TDIM\d+|ZIMAGE|ZCMPTYPE|ZNAME\d+|ZVAL\d+|ZTILE\d+|ZQUANTIZ|ZDITHER0|ZSCALE|ZZERO|ZBLANK|CHECKSUM|DATASUM)$/;
  const cards: FitsCard[] = [];
  for (const c of raw.cards) {
    const zn = /^ZNAXIS(\d+)$/.exec(c.key);
    if (zn) cards.push({ ...c, key: `NAXIS${zn[1]}` });
    else if (rename[c.key]) cards.push({ ...c, key: rename[c.key]! });
    else if (!drop.test(c.key)) cards.push(c);
  }
  return new Header(cards, raw.context);
}

let randoms: Float32Array | undefined;
/** The convention's fixed sequence of 10000 uniform deviates (Park & Miller minimal standard generator). */
function ditherRandoms(): Float32Array {
  if (randoms) return randoms;
  const r = new Float32Array(10000);
  const a = 16807;
  const m = 2147483647;
  let seed = 1;
  for (let i = 0; i < 10000; i++) {
    const t = a * seed;
    seed = t - m * Math.trunc(t / m);
    r[i] = seed / m;
  }
  if (seed !== 1043618065) throw new Error('dither random sequence is wrong');
  return (randoms = r);
}

function unshuffle(b: Uint8Array, w: number): Uint8Array {
  // GZIP_2 stores all most-significant bytes first, then the next, ...
  const n = b.length / w;
  const out = new Uint8Array(b.length);
  for (let k = 0; k < w; k++) for (let i = 0; i < n; i++) out[i * w + k] = b[k * n + i]!;
  return out;
}

function readBE(b: Uint8Array, npix: number, code: 'int' | 'float', w: number): Float64Array | Int32Array {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < npix * w) throw new Error(`tile holds ${b.length} bytes, expected ${npix * w}`);
  if (code === 'float') return Float64Array.from({ length: npix }, (_, i) => (w === 4 ? dv.getFloat32(i * 4, false) : dv.getFloat64(i * 8, false)));
  if (w === 8) return Float64Array.from({ length: npix }, (_, i) => Number(dv.getBigInt64(i * 8, false)));
  return Int32Array.from({ length: npix }, (_, i) => (w === 4 ? dv.getInt32(i * 4, false) : w === 2 ? dv.getInt16(i * 2, false) : dv.getUint8(i)));
}

export interface CompressedLayout {
  dims: number[]; // FITS order, NAXIS1 first
  zbitpix: number;
}

/**
 * Decompress the whole image. `data` is the BINTABLE's main table + heap (from the start of its data).
 * Throws plain Errors; the caller prefixes file and HDU.
 */
export function decompressImage(raw: Header, logical: Header, data: Uint8Array): Float32Array | Float64Array {
  const zbitpix = raw.num('ZBITPIX');
  const naxis = raw.int('ZNAXIS');
  const dims: number[] = [];
  const tile: number[] = [];
  for (let i = 1; i <= naxis; i++) {
    dims.push(raw.int(`ZNAXIS${i}`));
    tile.push(raw.int(`ZTILE${i}`, i === 1 ? dims[0]! : 1));
  }
  const cmp = raw.str('ZCMPTYPE').trim().toUpperCase();
  const params: Record<string, number> = {};
  for (let i = 1; raw.has(`ZNAME${i}`); i++) params[raw.str(`ZNAME${i}`).trim().toUpperCase()] = raw.num(`ZVAL${i}`, 0);
  const blocksize = params.BLOCKSIZE ?? 32;
  const bytepix = params.BYTEPIX ?? (zbitpix < 0 ? 4 : Math.abs(zbitpix) / 8);

  const cols = parseColumns(raw, raw.context);
  const find = (n: string): ColumnLayout | undefined => cols.find((c) => c.name.toUpperCase() === n);
  const cdata = find('COMPRESSED_DATA');
  if (!cdata) throw new Error('compressed image has no COMPRESSED_DATA column');
  const ucol = find('UNCOMPRESSED_DATA');
  const gcol = find('GZIP_COMPRESSED_DATA');
  const nrows = raw.int('NAXIS2');
  const rowBytes = raw.int('NAXIS1');
  const theap = raw.int('THEAP', nrows * rowBytes);
  const heap = data.subarray(theap);
  const rows = data.subarray(0, nrows * rowBytes);
  const perTile = (name: string): ArrayLike<number> | undefined => {
    const c = find(name);
    return c ? (decodeColumn({ ...c, tscal: 1, tzero: 0, tnull: undefined }, rows, nrows, rowBytes) as ArrayLike<number>) : undefined;
  };
  const zscaleCol = perTile('ZSCALE');
  const zzeroCol = perTile('ZZERO');
  const zblankCol = perTile('ZBLANK');
  const quantised = zbitpix < 0 && (zscaleCol !== undefined || raw.has('ZSCALE'));
  const zquantiz = raw.str('ZQUANTIZ', 'NO_DITHER').trim().toUpperCase();
  const dither = quantised ? (zquantiz === 'SUBTRACTIVE_DITHER_2' ? 2 : zquantiz === 'SUBTRACTIVE_DITHER_1' ? 1 : 0) : 0;
  const zdither0 = raw.num('ZDITHER0', 1);

  const scaling = zbitpix > 0 ? imageScaling(logical, zbitpix) : { bscale: 1, bzero: 0 };
  const blankKw = raw.has('ZBLANK') ? raw.num('ZBLANK') : scaling.blank;
  const npixTotal = dims.reduce((a, b) => a * b, 1);
  const out = outputArray(zbitpix, scaling, npixTotal);
  const rview = new DataView(rows.buffer, rows.byteOffset, rows.byteLength);

  const ntile = dims.map((d, i) => Math.ceil(d / tile[i]!));
  const stride: number[] = [];
  dims.reduce((s, d, i) => ((stride[i] = s), s * d), 1);
  const nTiles = ntile.reduce((a, b) => a * b, 1);
  if (nTiles !== nrows) throw new Error(`expected ${nTiles} tiles from ZNAXISn/ZTILEn but the table has ${nrows} rows`);

  const tileBytes = (col: ColumnLayout, r: number): Uint8Array => {
    const [n, off] = varDescriptor(rview, r * rowBytes + col.offset, col.code);
    const w = n * (col.varCode === 'B' || col.varCode === 'A' ? 1 : col.varCode === 'I' ? 2 : col.varCode === 'J' || col.varCode === 'E' ? 4 : 8);
    if (off + w > heap.length) throw new Error(`tile ${r + 1} points outside the heap`);
    return heap.subarray(off, off + w);
  };

  const lo: number[] = new Array(naxis).fill(0);
  const len: number[] = new Array(naxis).fill(0);
  const rnd = dither ? ditherRandoms() : undefined;
  for (let r = 0; r < nrows; r++) {
    let q = r;
    for (let i = 0; i < naxis; i++) {
      const t = q % ntile[i]!;
      q = Math.floor(q / ntile[i]!);
      lo[i] = t * tile[i]!;
      len[i] = Math.min(tile[i]!, dims[i]! - lo[i]!);
    }
    const npix = len.reduce((a, b) => a * b, 1);
    let vals: ArrayLike<number>;
    let isQuantInt = quantised;
    const cbytes = tileBytes(cdata, r);
    try {
      if (cbytes.length === 0) {
        // Tiles that could not be compressed/quantised are stored losslessly in another column.
        isQuantInt = false;
        if (gcol) vals = readBE(gunzipSync(tileBytes(gcol, r)), npix, zbitpix < 0 ? 'float' : 'int', Math.abs(zbitpix) / 8);
        else if (ucol) vals = decodeColumn({ ...ucol, tscal: 1, tzero: 0, tnull: undefined }, rows.subarray(r * rowBytes), 1, rowBytes, heap)[0] as ArrayLike<number>;
        else throw new Error(`tile ${r + 1} is empty`);
      } else if (cmp === 'RICE_1' || cmp === 'RICE_ONE') {
        vals = riceDecode(cbytes, npix, blocksize, bytepix);
      } else if (cmp === 'GZIP_1' || cmp === 'GZIP_2') {
        const w = quantised ? 4 : Math.abs(zbitpix) / 8;
        let b: Uint8Array = gunzipSync(cbytes);
        if (cmp === 'GZIP_2') b = unshuffle(b, w);
        vals = readBE(b, npix, zbitpix < 0 && !quantised ? 'float' : 'int', w);
      } else if (cmp === 'NOCOMPRESS') {
        vals = readBE(cbytes, npix, zbitpix < 0 ? 'float' : 'int', Math.abs(zbitpix) / 8);
      } else {
        throw new Error(`compression '${cmp}' is not supported (RICE_1, GZIP_1, GZIP_2)`);
      }
    } catch (e) {
      throw new Error(`tile ${r + 1} of ${nrows}: ${(e as Error).message}`);
    }
    const zblank = zblankCol ? zblankCol[r] : blankKw;
    const zscale = zscaleCol ? zscaleCol[r]! : raw.num('ZSCALE', 1);
    const zzero = zzeroCol ? zzeroCol[r]! : raw.num('ZZERO', 0);
    let iseed = 0;
    let nextrand = 0;
    if (rnd) {
      iseed = (r + zdither0 - 1) % 10000;
      nextrand = Math.trunc(rnd[iseed]! * 500);
    }
    // Walk the tile's pixels in FITS order (axis 1 fastest) and place them in the image.
    const pos = new Array(naxis).fill(0);
    for (let k = 0; k < npix; k++) {
      let idx = 0;
      for (let i = 0; i < naxis; i++) idx += (lo[i]! + pos[i]!) * stride[i]!;
      const v = vals[k]!;
      let phys: number;
      if (isQuantInt) {
        if (zblank !== undefined && v === zblank) phys = NaN;
        else if (dither === 2 && v === -2147483646) phys = 0;
        else if (rnd) phys = (v - rnd[nextrand]! + 0.5) * zscale + zzero;
        else phys = v * zscale + zzero;
        if (rnd && ++nextrand === 10000) {
          iseed = (iseed + 1) % 10000;
          nextrand = Math.trunc(rnd[iseed]! * 500);
        }
      } else if (zbitpix > 0) {
        phys = zblank !== undefined && v === zblank ? NaN : v * scaling.bscale + scaling.bzero;
      } else phys = v;
      out[idx] = phys;
      for (let i = 0; i < naxis; i++) {
        if (++pos[i] < len[i]!) break;
        pos[i] = 0;
      }
    }
  }
  return out;
}
