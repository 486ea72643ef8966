// Writer: standard-conforming layout, determinism, and round trips through the reader.
// Reader features the fixtures do not cover (TSCAL/TZERO/TNULL, X, P arrays, BLANK, unsigned via
// BZERO/TZERO) are checked on hand-built files whose expected values are computed here in float64.
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../storage/types';
import { encodeFits, openFits } from './index';
import { formatCards } from './write';
import { PRIMARY, card, concat, rawData, rawHeader } from './testing';

const text = (b: Uint8Array, a: number, n: number) => String.fromCharCode(...b.subarray(a, a + n));

describe('encodeFits layout', () => {
  const bytes = encodeFits([
    { kind: 'image', data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3], header: [['EXTNAME', 'SCI', 'extension name'], ['GAIN', 3.5], ['EXPTIME', 565], ['FLAG', true], ['LONGNOTE', 'x'.repeat(150)]] },
    { kind: 'table', columns: [{ name: 'id', data: new BigInt64Array([1n, 2n]) }] },
  ]);
  const cards = (at: number) => {
    const out: string[] = [];
    for (let i = at; ; i += 80) {
      out.push(text(bytes, i, 80));
      if (out[out.length - 1]!.startsWith('END ')) return out;
    }
  };

  it('writes 2880-byte blocks, an empty primary, fixed-format mandatory keywords, space/zero padding', () => {
    expect(bytes.length % 2880).toBe(0);
    const p = cards(0);
    expect(p.slice(0, 4).map((c) => c.slice(0, 30))).toEqual([
      'SIMPLE  =                    T',
      'BITPIX  =                    8',
      'NAXIS   =                    0',
      'EXTEND  =                    T',
    ]);
    expect(text(bytes, p.length * 80, 2880 - p.length * 80).trim()).toBe('');
    const x = cards(2880);
    expect(x[0]!.slice(0, 20)).toBe("XTENSION= 'IMAGE   '");
    expect(x[1]!.slice(0, 30)).toBe('BITPIX  =                  -32');
    expect(x[3]!.slice(0, 30)).toBe('NAXIS1  =                    3');
    expect(x[4]!.slice(0, 30)).toBe('NAXIS2  =                    2');
    for (const c of [...p, ...x]) {
      expect(c).toHaveLength(80);
      expect(c.slice(0, 8)).toMatch(/^[A-Z0-9_ -]{8}$/);
    }
    // Data: 6 floats then zero padding to the block.
    const dataAt = 2 * 2880;
    expect(new DataView(bytes.buffer).getFloat32(dataAt + 4, false)).toBe(2);
    expect(bytes.subarray(dataAt + 24, dataAt + 2880).every((v) => v === 0)).toBe(true);
  });

  it('is deterministic', () => {
    const again = encodeFits([
      { kind: 'image', data: Float32Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3], header: [['EXTNAME', 'SCI', 'extension name'], ['GAIN', 3.5], ['EXPTIME', 565], ['FLAG', true], ['LONGNOTE', 'x'.repeat(150)]] },
      { kind: 'table', columns: [{ name: 'id', data: new BigInt64Array([1n, 2n]) }] },
    ]);
    expect(again).toEqual(bytes);
  });

  it('formats values the way FITS readers expect', () => {
    expect(formatCards('CRVAL1', 269.12345678901234)[0]!.slice(10, 30)).toBe(String(269.12345678901234).padStart(20));
    expect(formatCards('TINY', 1e-7)[0]!.slice(10, 30).trim()).toBe('1.0E-7');
    expect(formatCards('OBJ', "it's")[0]!.slice(10, 20)).toBe("'it''s   '");
    expect(() => formatCards('TOOLONGKEY', 1)).toThrow(/'TOOLONGKEY' is not a FITS keyword/);
    expect(() => formatCards('BAD', NaN)).toThrow(/non-finite/);
    expect(() => encodeFits([{ kind: 'image', data: new Float32Array(5), shape: [2, 3] }])).toThrow(/shape \[2, 3\] does not match 5 values/);
    expect(() => encodeFits([{ kind: 'image', data: new Float32Array(1), shape: [1], header: [['NAXIS', 3]] }])).toThrow(/NAXIS is written by the writer/);
  });

  it('round-trips header values including CONTINUE strings', async () => {
    const f = await openFits(new MemorySource('w.fits', bytes));
    const h = f.hdu('SCI').header;
    expect(h.num('GAIN')).toBe(3.5);
    expect(h.num('EXPTIME')).toBe(565);
    expect(h.get('FLAG')).toBe(true);
    expect(h.str('LONGNOTE')).toBe('x'.repeat(150));
    expect(Array.from((await f.readImage('SCI')).data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('round trips', () => {
  it('images of every writable type', async () => {
    const n = 12;
    const f64 = Float64Array.from({ length: n }, (_, i) => (i - 5) * 1.1e-12);
    const f32 = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? NaN : i * 0.37));
    const i32 = Int32Array.from({ length: n }, (_, i) => (i - 6) * 300_000_000);
    const i16 = Int16Array.from({ length: n }, (_, i) => (i - 6) * 5000);
    const u8 = Uint8Array.from({ length: n }, (_, i) => i * 21);
    const arrays = [f64, f32, i32, i16, u8];
    const bytes = encodeFits(arrays.map((data, k) => ({ kind: 'image', data, shape: [3, 4], header: [['EXTNAME', `A${k}`]] })));
    const f = await openFits(new MemorySource('rt.fits', bytes));
    expect(f.hdus.map((h) => h.bitpix)).toEqual([8, -64, -32, 32, 16, 8]);
    for (let k = 0; k < arrays.length; k++) {
      const img = await f.readImage(`A${k}`);
      expect(img.shape).toEqual([3, 4]);
      expect(Array.from(img.data)).toEqual(Array.from(arrays[k]! as ArrayLike<number>));
    }
    expect((await f.readImage('A1')).data).toBeInstanceOf(Float32Array);
  });

  it('binary tables of every writable column type, with units and repeat counts', async () => {
    const cols = [
      { name: 'OBJECT_ID', data: new BigInt64Array([1n, 9007199254740993n, -5n]) },
      { name: 'RA', data: Float64Array.from([1.5, 359.999999999, 0]), unit: 'deg' },
      { name: 'FLUX', data: Float32Array.from([0.25, -1, 3e30]) },
      { name: 'FLAGS', data: Int32Array.from([0, -1, 2147483647]) },
      { name: 'VIS', data: Int16Array.from([1, 0, -32768]) },
      { name: 'BYTE', data: Uint8Array.from([0, 255, 7]) },
      { name: 'NAME', data: ['a', "o'brien", ''] },
      { name: 'OK', data: [true, false, true] },
      { name: 'VEC', data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), repeat: 3 },
    ];
    const f = await openFits(new MemorySource('t.fits', encodeFits([{ kind: 'table', columns: cols, header: [['EXTNAME', 'CAT']] }])));
    const h = f.hdu('CAT');
    expect(h.columns).toEqual(cols.map((c) => c.name));
    const t = await f.readTable(h);
    expect(t.columns.find((c) => c.name === 'RA')!.unit).toBe('deg');
    expect(Array.from(t.column('object_id') as BigInt64Array)).toEqual([1n, 9007199254740993n, -5n]); // not all safe → bigint
    expect(Array.from(t.column('ra') as Float64Array)).toEqual([1.5, 359.999999999, 0]);
    expect(Array.from(t.column('FLUX') as Float32Array)).toEqual([0.25, -1, Math.fround(3e30)]);
    expect(Array.from(t.column('FLAGS') as Int32Array)).toEqual([0, -1, 2147483647]);
    expect(Array.from(t.column('VIS') as Int16Array)).toEqual([1, 0, -32768]);
    expect(Array.from(t.column('BYTE') as Uint8Array)).toEqual([0, 255, 7]);
    expect(t.column('NAME')).toEqual(['a', "o'brien", '']);
    expect(t.column('OK')).toEqual([true, false, true]);
    expect(t.rows()[2]).toMatchObject({ VEC: [7, 8, 9], OK: true, NAME: '' });
    const part = await f.readTable(h, [1, 2]);
    expect(part.nrows).toBe(1);
    expect(part.rows()[0]!.FLAGS).toBe(-1);
  });
});

describe('reader features on hand-built files', () => {
  const be = (n: number, set: (dv: DataView) => void) => {
    const b = new Uint8Array(n);
    set(new DataView(b.buffer));
    return b;
  };
  const image = (bitpix: number, nx: number, extra: string[]) => [
    card('XTENSION', 'IMAGE'), card('BITPIX', bitpix), card('NAXIS', 1), card('NAXIS1', nx), card('PCOUNT', 0), card('GCOUNT', 1), ...extra,
  ];

  it('BSCALE/BZERO/BLANK on 8, 16, 32 and 64-bit images; unsigned via BZERO', async () => {
    const u16 = be(6, (dv) => [0, 1, 2].forEach((i) => dv.setInt16(i * 2, [-32768, 0, 32767][i]!, false)));
    const s8 = Uint8Array.from([0, 128, 255, 9]);
    const i32 = be(12, (dv) => [0, 1, 2].forEach((i) => dv.setInt32(i * 4, [-7, 99, -2147483648][i]!, false)));
    const i64 = be(24, (dv) => [0, 1, 2].forEach((i) => dv.setBigInt64(i * 8, [-9223372036854775808n, 3n, 1n << 40n][i]!, false)));
    const bytes = concat(
      rawHeader(PRIMARY),
      rawHeader(image(16, 3, [card('BZERO', 32768), card('BSCALE', 1), card('EXTNAME', 'U16')])), rawData(u16),
      rawHeader(image(8, 4, [card('BZERO', -128), card('BLANK', 9), card('EXTNAME', 'S8')])), rawData(s8),
      rawHeader(image(32, 3, ['BSCALE  =              1.5D-01', card('BZERO', 10), card('BLANK', -2147483648), card('EXTNAME', 'I32')])), rawData(i32),
      rawHeader(image(64, 3, ['BLANK   = -9223372036854775808', card('EXTNAME', 'I64')])), rawData(i64),
    );
    const f = await openFits(new MemorySource('scaled.fits', bytes));
    const u = await f.readImage('U16');
    expect(u.data).toBeInstanceOf(Float32Array);
    expect(Array.from(u.data)).toEqual([0, 32768, 65535]);
    expect(Array.from((await f.readImage('S8')).data)).toEqual([-128, 0, 127, NaN]);
    const i = await f.readImage('I32');
    expect(i.data).toBeInstanceOf(Float64Array);
    expect(i.data[0]).toBeCloseTo(-7 * 0.15 + 10, 12);
    expect(i.data[1]).toBeCloseTo(99 * 0.15 + 10, 12);
    expect(i.data[2]).toBeNaN();
    expect(Array.from((await f.readImage('I64')).data)).toEqual([NaN, 3, 2 ** 40]);
  });

  it('TSCAL/TZERO/TNULL, unsigned and signed-byte columns, X bits and P variable-length arrays', async () => {
    // Row layout: 1I(TSCAL .5 TZERO 100 TNULL -1) 1I(TZERO 32768) 1B(TZERO -128) 1K(TZERO 2^63) 1J(TNULL 7) 11X 1PE(3)
    const rowBytes = 2 + 2 + 1 + 8 + 4 + 2 + 8;
    const nrows = 2;
    const heap = be(12, (dv) => [0, 1, 2].forEach((i) => dv.setFloat32(i * 4, [0.5, 1.5, 2.5][i]!, false)));
    const rows = be(rowBytes * nrows, (dv) => {
      const vals = [
        { s: 10, u: -32768, b: 0, k: -(1n << 63n), j: 7, x: [0b10100000, 0b00100000], p: [2, 0] },
        { s: -1, u: 32767, b: 255, k: 5n, j: 3, x: [0xff, 0xff], p: [1, 8] },
      ];
      vals.forEach((v, r) => {
        let at = r * rowBytes;
        dv.setInt16(at, v.s, false); at += 2;
        dv.setInt16(at, v.u, false); at += 2;
        dv.setUint8(at, v.b); at += 1;
        dv.setBigInt64(at, v.k, false); at += 8;
        dv.setInt32(at, v.j, false); at += 4;
        dv.setUint8(at, v.x[0]!); dv.setUint8(at + 1, v.x[1]!); at += 2;
        dv.setInt32(at, v.p[0]!, false); dv.setInt32(at + 4, v.p[1]!, false);
      });
    });
    const hdr = [
      card('XTENSION', 'BINTABLE'), card('BITPIX', 8), card('NAXIS', 2), card('NAXIS1', rowBytes), card('NAXIS2', nrows),
      card('PCOUNT', heap.length), card('GCOUNT', 1), card('TFIELDS', 7),
      card('TTYPE1', 'SCALED'), card('TFORM1', '1I'), card('TSCAL1', 0.5), card('TZERO1', 100), card('TNULL1', -1),
      card('TTYPE2', 'U16'), card('TFORM2', 'I'), card('TZERO2', 32768),
      card('TTYPE3', 'S8'), card('TFORM3', 'B'), card('TZERO3', -128),
      card('TTYPE4', 'U64'), card('TFORM4', 'K'), card('TZERO4', 9223372036854775808),
      card('TTYPE5', 'NULLED'), card('TFORM5', 'J'), card('TNULL5', 7),
      card('TTYPE6', 'BITS'), card('TFORM6', '11X'),
      card('TTYPE7', 'VAR'), card('TFORM7', '1PE(3)'),
      card('EXTNAME', 'FEAT'),
    ];
    const f = await openFits(new MemorySource('feat.fits', concat(rawHeader(PRIMARY), rawHeader(hdr), rawData(concat(rows, heap)))));
    const t = await f.readTable('FEAT');
    expect(Array.from(t.column('SCALED') as Float64Array)).toEqual([10 * 0.5 + 100, NaN]);
    expect(Array.from(t.column('U16') as Uint16Array)).toEqual([0, 65535]);
    expect(Array.from(t.column('S8') as Int8Array)).toEqual([-128, 127]);
    const u64 = t.column('U64') as BigUint64Array;
    expect(Array.from(u64)).toEqual([0n, (1n << 63n) + 5n]);
    expect(Array.from(t.column('NULLED') as Float64Array)).toEqual([NaN, 3]);
    const bits = t.column('BITS') as boolean[][];
    expect(bits[0]).toEqual([true, false, true, false, false, false, false, false, false, false, true]);
    expect(bits[1]!.every(Boolean)).toBe(true);
    const v = t.column('VAR') as Float32Array[];
    expect(Array.from(v[0]!)).toEqual([0.5, 1.5]);
    expect(Array.from(v[1]!)).toEqual([2.5]);
  });
});
