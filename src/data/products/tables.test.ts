// Shear and parameter tables: round trips through our FITS reader and hyparquet, column types as
// DESIGN §3 gives them, metadata, deterministic bytes, and the errors of readParamsTable.
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { encodeFits, openFits } from '../fits/index';
import { MemorySource } from '../storage/types';
import { paramsTable, readParamsTable, type ParamRow } from './params';
import { shearTable, type ShearRow } from './shear';
import { column, encodeTableParquet } from './table';

const shear: ShearRow = {
  tileId: 102159490,
  subtileRow: 2,
  subtileCol: 3,
  ra: 150.123456789012,
  dec: 2.2345678901234,
  g1: 0.0123,
  g2: -0.0456,
  g1Err: 0.003,
  g2Err: 0.0031,
  nSources: 2345,
  method: 'map-lbfgs',
  convergence: 1.5e-9,
};

const ab = (u: Uint8Array): ArrayBuffer => u.slice().buffer as ArrayBuffer;

function fitsOf(bytes: Uint8Array, url = 'mem.fits') {
  return openFits(new MemorySource(url, bytes));
}

describe('shearTable', () => {
  it('FITS: one row with the DESIGN §3 column types, read back by our reader', async () => {
    const { fits } = shearTable(shear);
    expect(fits.length % 2880).toBe(0);
    const f = await fitsOf(fits);
    expect(f.hdus.map((h) => h.extname)).toEqual(['PRIMARY', 'SHEAR']);
    const t = await f.readTable('SHEAR');
    expect(t.nrows).toBe(1);
    const formats = Object.fromEntries(t.columns.map((c) => [c.name, c.format]));
    expect(formats).toEqual({
      TILE_ID: '1K',
      SUBTILE_ROW: '1I',
      SUBTILE_COL: '1I',
      RA: '1D',
      DEC: '1D',
      G1: '1E',
      G2: '1E',
      G1_ERR: '1E',
      G2_ERR: '1E',
      N_SOURCES: '1J',
      METHOD: '9A',
      CONVERGENCE: '1E',
    });
    // int8 goes to FITS as int16 (astropy reads B + TZERO=-128 as float64; see encodeTableFits).
    expect(f.hdu('SHEAR').header.has('TZERO2')).toBe(false);
    expect(t.column('SUBTILE_ROW')).toBeInstanceOf(Int16Array);
    expect(Array.from(t.column('SUBTILE_ROW') as Int16Array)).toEqual([2]);
    expect(Array.from(t.column('SUBTILE_COL') as Int16Array)).toEqual([3]);
    expect(Number((t.column('TILE_ID') as Float64Array)[0])).toBe(102159490);
    expect((t.column('RA') as Float64Array)[0]).toBe(shear.ra);
    expect((t.column('DEC') as Float64Array)[0]).toBe(shear.dec);
    expect((t.column('G1') as Float32Array)[0]).toBe(Math.fround(shear.g1));
    expect((t.column('G2_ERR') as Float32Array)[0]).toBe(Math.fround(shear.g2Err));
    expect((t.column('N_SOURCES') as Int32Array)[0]).toBe(2345);
    expect((t.column('METHOD') as string[])[0]).toBe('map-lbfgs');
    expect((t.column('CONVERGENCE') as Float32Array)[0]).toBe(Math.fround(1.5e-9));
    expect(f.hdu('SHEAR').header.get('TILE_ID')).toBe(102159490);
    expect(f.hdu('SHEAR').header.get('SUB_ROW')).toBe(2);
  });

  it('Parquet: physical and logical types, values back through hyparquet', async () => {
    const { parquet } = shearTable(shear);
    const md = parquetMetadata(ab(parquet));
    const schema = Object.fromEntries(md.schema.slice(1).map((s) => [s.name, s]));
    expect(schema.TILE_ID!.type).toBe('INT64');
    expect(schema.SUBTILE_ROW!.type).toBe('INT32');
    expect(schema.SUBTILE_ROW!.converted_type).toBe('INT_8');
    expect(schema.SUBTILE_ROW!.logical_type).toEqual({ type: 'INTEGER', bitWidth: 8, isSigned: true });
    expect(schema.RA!.type).toBe('DOUBLE');
    expect(schema.G1!.type).toBe('FLOAT');
    expect(schema.G2_ERR!.type).toBe('FLOAT');
    expect(schema.N_SOURCES!.type).toBe('INT32');
    expect(schema.N_SOURCES!.converted_type).toBeUndefined();
    expect(schema.METHOD!.type).toBe('BYTE_ARRAY');
    expect(schema.METHOD!.converted_type).toBe('UTF8');
    expect(schema.CONVERGENCE!.type).toBe('FLOAT');
    expect(Number(md.num_rows)).toBe(1);
    const [row] = await parquetReadObjects({ file: ab(parquet) });
    expect(row).toEqual({
      TILE_ID: 102159490n,
      SUBTILE_ROW: 2,
      SUBTILE_COL: 3,
      RA: shear.ra,
      DEC: shear.dec,
      G1: Math.fround(shear.g1),
      G2: Math.fround(shear.g2),
      G1_ERR: Math.fround(shear.g1Err),
      G2_ERR: Math.fround(shear.g2Err),
      N_SOURCES: 2345,
      METHOD: 'map-lbfgs',
      CONVERGENCE: Math.fround(1.5e-9),
    });
    const kv = Object.fromEntries((md.key_value_metadata ?? []).map((k) => [k.key, k.value]));
    expect(kv).toMatchObject({ TILE_ID: '102159490', SUB_ROW: '2', SUB_COL: '3', UNIT_RA: 'deg' });
  });

  it('deterministic bytes, and a changed value changes them', () => {
    const a = shearTable(shear);
    const b = shearTable({ ...shear });
    expect(Buffer.from(a.fits).equals(Buffer.from(b.fits))).toBe(true);
    expect(Buffer.from(a.parquet).equals(Buffer.from(b.parquet))).toBe(true);
    const c = shearTable({ ...shear, g1: 0.0124 });
    expect(Buffer.from(a.fits).equals(Buffer.from(c.fits))).toBe(false);
    expect(Buffer.from(a.parquet).equals(Buffer.from(c.parquet))).toBe(false);
  });

  it('int8 range checked; full int8 range round-trips in both formats', async () => {
    expect(() => shearTable({ ...shear, subtileRow: 128 })).toThrow(/SUBTILE_ROW row 0: 128 is not an integer in \[-128, 127\]/);
    expect(() => shearTable({ ...shear, nSources: 1.5 })).toThrow(/N_SOURCES/);
    const vals = [-128, -1, 0, 1, 127];
    const cols = [column('V', 'int8', vals)];
    const pq = encodeTableParquet(cols, []);
    expect((await parquetReadObjects({ file: ab(pq) })).map((r) => r.V)).toEqual(vals);
    const { encodeTableFits } = await import('./table');
    const t = await (await fitsOf(encodeTableFits(cols, [], 'T'))).readTable('T');
    expect(Array.from(t.column('V') as Int16Array)).toEqual(vals);
  });
});

function paramRow(i: number, over: Partial<ParamRow> = {}): ParamRow {
  return {
    objectId: 1000 + i,
    ra: 150 + i * 1e-4,
    dec: 2 - i * 1e-4,
    flux: 10 + i,
    hlr: 0.3 + 0.01 * i,
    e1: 0.1 - 0.01 * i,
    e2: -0.05 + 0.02 * i,
    dx: 0.01 * i,
    dy: -0.01 * i,
    fluxErr: 0.5,
    hlrErr: 0.02,
    e1Err: 0.03,
    e2Err: 0.031,
    dxErr: 0.004,
    dyErr: 0.005,
    kind: 'galaxy',
    nQuadrants: 3 + i,
    chi2: 1.01 * i,
    ...over,
  };
}

describe('paramsTable / readParamsTable', () => {
  const rows = [
    paramRow(0),
    paramRow(1),
    paramRow(2, { kind: 'star', hlr: NaN, e1: NaN, e2: NaN, hlrErr: NaN, e1Err: NaN, e2Err: NaN }),
    paramRow(3, { objectId: 2n ** 62n + 7n }),
  ];
  const header = { g1: 0.0123, g2: -0.0456, tileId: 102159490, subtileRow: 2, subtileCol: 1, coreRa: 150.01, coreDec: 2.02 };

  it('FITS and Parquet hold the same typed columns and G1/G2 in header / key-value metadata', async () => {
    const { fits, parquet } = paramsTable(rows, header);
    const f = await fitsOf(fits);
    const h = f.hdu('PARAMS');
    expect(h.header.get('G1')).toBe(0.0123);
    expect(h.header.get('G2')).toBe(-0.0456);
    expect(h.header.get('RA_CORE')).toBe(150.01);
    const t = await f.readTable(h);
    const fmt = Object.fromEntries(t.columns.map((c) => [c.name, c.format]));
    expect(fmt).toMatchObject({ OBJECT_ID: '1K', RA: '1D', DEC: '1D', FLUX: '1E', HLR: '1E', E1: '1E', DX_ERR: '1E', KIND: '6A', N_QUADRANTS: '1I', CHI2: '1E' });
    expect(t.columns.find((c) => c.name === 'FLUX')!.unit).toBe('uJy');
    expect(t.columns.find((c) => c.name === 'HLR')!.unit).toBe('arcsec');
    // An id above 2^53 stays exact (bigint).
    expect((t.column('OBJECT_ID') as BigInt64Array)[3]).toBe(2n ** 62n + 7n);
    const md = parquetMetadata(ab(parquet));
    const kv = Object.fromEntries((md.key_value_metadata ?? []).map((k) => [k.key, k.value]));
    expect(kv.G1).toBe('0.0123');
    expect(kv.G2).toBe('-0.0456');
    const types = Object.fromEntries(md.schema.slice(1).map((s) => [s.name, `${s.type}${s.converted_type ? `/${s.converted_type}` : ''}`]));
    expect(types).toMatchObject({ OBJECT_ID: 'INT64', RA: 'DOUBLE', FLUX: 'FLOAT', KIND: 'BYTE_ARRAY/UTF8', N_QUADRANTS: 'INT32/INT_16', CHI2: 'FLOAT' });
    const back = await parquetReadObjects({ file: ab(parquet) });
    expect(back[3]!.OBJECT_ID).toBe(2n ** 62n + 7n);
    expect(back[2]!.HLR).toBeNaN();
    expect(back[1]!.N_QUADRANTS).toBe(4);
  });

  for (const fmt of ['fits', 'parquet'] as const) {
    it(`readParamsTable reads our own ${fmt} back (float32 values, kinds, optional columns)`, async () => {
      const bytes = paramsTable(rows, header)[fmt];
      const r = await readParamsTable(bytes, `params.${fmt}`);
      expect(r.format).toBe(fmt);
      expect(r.g1).toBe(0.0123);
      expect(r.g2).toBe(-0.0456);
      expect(r.rows.map((x) => x.objectId)).toEqual([1000, 1001, 1002, 2n ** 62n + 7n]);
      expect(r.rows.map((x) => x.kind)).toEqual(['galaxy', 'galaxy', 'star', 'galaxy']);
      for (let i = 0; i < rows.length; i++) {
        const a = rows[i]!;
        const b = r.rows[i]!;
        for (const k of ['flux', 'hlr', 'e1', 'e2', 'dx', 'dy', 'fluxErr', 'dyErr', 'chi2'] as const) {
          const want = Math.fround(a[k]);
          if (Number.isNaN(want)) expect(b[k]).toBeNaN();
          else expect(b[k]).toBe(want);
        }
        expect(b.ra).toBe(a.ra);
        expect(b.nQuadrants).toBe(a.nQuadrants);
      }
      expect(Number(r.meta.get('SUB_COL'))).toBe(1);
    });
  }

  it('reads simulator-style truth tables: only the required columns, lower-case names, G1/G2 in the header', async () => {
    const ids = BigInt64Array.from([5n, 6n, 7n]);
    const vals = { flux: [1, 2, 3], hlr: [0.2, NaN, 0.4], e1: [0.1, NaN, -0.2], e2: [0, NaN, 0.3], dx: [0, 0.1, 0], dy: [0, 0, -0.1] };
    const fits = encodeFits([
      {
        kind: 'table',
        header: [['EXTNAME', 'PARAMS'], ['G1', 0.02], ['G2', -0.01]],
        columns: [{ name: 'object_id', data: ids }, ...Object.entries(vals).map(([k, v]) => ({ name: k, data: Float64Array.from(v) }))],
      },
    ]);
    const pq = new Uint8Array(
      parquetWriteBuffer({
        columnData: [{ name: 'Object_Id', data: ids, type: 'INT64' }, ...Object.entries(vals).map(([k, v]) => ({ name: k.toUpperCase(), data: Float64Array.from(v), type: 'DOUBLE' as const }))],
        kvMetadata: [
          { key: 'g1', value: '0.02' },
          { key: 'g2', value: '-0.01' },
        ],
      }),
    );
    for (const [bytes, url] of [[fits, 'truth_params.fits'], [pq, 'truth_params.parquet']] as const) {
      const r = await readParamsTable(bytes, url);
      expect([r.g1, r.g2]).toEqual([0.02, -0.01]);
      expect(r.rows.map((x) => x.objectId)).toEqual([5, 6, 7]);
      expect(r.rows.map((x) => x.kind)).toEqual(['galaxy', 'star', 'galaxy']);
      expect(r.rows[2]).toMatchObject({ flux: 3, hlr: 0.4, e1: -0.2, e2: 0.3, dx: 0, dy: -0.1 });
      expect(r.rows[0]!.ra).toBeUndefined();
    }
  });

  it('errors name the file and the missing column or key', async () => {
    const noDy = encodeFits([{ kind: 'table', header: [['G1', 0], ['G2', 0]], columns: ['OBJECT_ID', 'FLUX', 'HLR', 'E1', 'E2', 'DX'].map((n) => ({ name: n, data: Float64Array.from([1]) })) }]);
    await expect(readParamsTable(noDy, 'a/no_dy.fits')).rejects.toThrow(/a\/no_dy\.fits: parameter table has no DY column \(columns present: OBJECT_ID, FLUX, HLR, E1, E2, DX\)/);
    const noG2 = encodeFits([{ kind: 'table', header: [['G1', 0]], columns: ['OBJECT_ID', 'FLUX', 'HLR', 'E1', 'E2', 'DX', 'DY'].map((n) => ({ name: n, data: Float64Array.from([1]) })) }]);
    await expect(readParamsTable(noG2, 'b.fits')).rejects.toThrow(/b\.fits: parameter table has no G2 header key/);
    const pqNoG1 = encodeTableParquet(['OBJECT_ID', 'FLUX', 'HLR', 'E1', 'E2', 'DX', 'DY'].map((n) => column(n, n === 'OBJECT_ID' ? 'int64' : 'float64', [0])), [['G2', 0]]);
    await expect(readParamsTable(pqNoG1, 'c.parquet')).rejects.toThrow(/c\.parquet: parameter table has no G1 Parquet key-value metadata/);
    await expect(readParamsTable(new TextEncoder().encode('hello, world'), 'd.txt')).rejects.toThrow(/d\.txt: neither a FITS file .* nor a Parquet file/);
    const badGal = paramsTable([paramRow(0, { hlr: NaN })], { g1: 0, g2: 0 }).parquet;
    await expect(readParamsTable(badGal, 'e.parquet')).rejects.toThrow(/e\.parquet: row 0 \(OBJECT_ID 1000, galaxy\): HLR = NaN must be a finite positive radius/);
    const badE = paramsTable([paramRow(0), paramRow(1, { e1: 0.8, e2: 0.8 })], { g1: 0, g2: 0 }).fits;
    await expect(readParamsTable(badE, 'f.fits')).rejects.toThrow(/f\.fits: row 1 \(OBJECT_ID 1001, galaxy\): \|E\| = .* must be below 1/);
  });

  it('a sub-tile with no core source gives empty tables that read back', async () => {
    const { fits, parquet } = paramsTable([], { g1: NaN, g2: 0.01 });
    for (const [b, u] of [[fits, 'z.fits'], [parquet, 'z.parquet']] as const) {
      const r = await readParamsTable(b, u);
      expect(r.rows).toEqual([]);
      expect(r.g1).toBeNaN(); // non-finite G1 is stored as the string 'NaN' (FITS keywords cannot hold NaN)
      expect(r.g2).toBe(0.01);
    }
  });
});
