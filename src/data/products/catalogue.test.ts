// Catalogue assembly: duplicates resolved by the nearest core centre (float64 haversine computed
// here independently), deterministic order and bytes, round trips; and `shearwb assemble` end to end.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { openFits } from '../fits/index';
import { MemorySource } from '../storage/types';
import { assembleCatalogue, catalogueTable, separationDeg, type ParamsTableInput } from './catalogue';
import { paramsTable, type ParamRow } from './params';

function row(id: number | bigint, ra: number, dec: number, flux = 1): ParamRow {
  return { objectId: id, ra, dec, flux, hlr: 0.3, e1: 0.1, e2: 0, dx: 0, dy: 0, fluxErr: 0.1, hlrErr: 0.01, e1Err: 0.02, e2Err: 0.02, dxErr: 0.001, dyErr: 0.001, kind: 'galaxy', nQuadrants: 4, chi2: 1 };
}

// Two neighbouring sub-tiles along RA at Dec 60 (cos Dec = 0.5 matters), cores centred 8' apart.
const A: ParamsTableInput = { tile: 100, row: 0, col: 0, coreRa: 10, coreDec: 60, g1: 0.01, g2: 0, rows: [row(1, 10.01, 60), row(2, 10.1, 60.001, 2), row(3, 10.13, 60.0)] };
const B: ParamsTableInput = { tile: 100, row: 0, col: 1, coreRa: 10 + 8 / 60 / 0.5, coreDec: 60, g1: 0.02, g2: 0, rows: [row(4, 10.26, 60), row(2, 10.1, 60.001, 20), row(3, 10.13, 60.0, 30)] };

describe('assembleCatalogue', () => {
  it('haversine separation agrees with the spherical law of cosines in float64', () => {
    const d2r = Math.PI / 180;
    const cosines = (a: number, b: number, c: number, d: number) => Math.acos(Math.sin(b * d2r) * Math.sin(d * d2r) + Math.cos(b * d2r) * Math.cos(d * d2r) * Math.cos((c - a) * d2r)) / d2r;
    expect(separationDeg(10, 60, 10.5, 60.2)).toBeCloseTo(cosines(10, 60, 10.5, 60.2), 10);
    expect(separationDeg(359.9, -30, 0.1, -30)).toBeCloseTo(0.2 * Math.cos(30 * d2r), 5);
  });

  it('keeps each OBJECT_ID once, from the sub-tile whose core centre is nearest', () => {
    // Object 2 at RA 10.1: 0.1° of RA from A's centre, 0.1667° from B's → A wins.
    // Object 3 at RA 10.13: 0.13 from A, 0.1367 from B → A wins (close call that ignoring cos Dec would not change; check distances).
    const dA = separationDeg(10.13, 60, A.coreRa, A.coreDec);
    const dB = separationDeg(10.13, 60, B.coreRa, B.coreDec);
    expect(dA).toBeLessThan(dB);
    const c = assembleCatalogue([B, A]);
    expect(c.duplicatesRemoved).toBe(2);
    expect(c.rows.map((r) => [r.objectId, r.subtileCol, r.flux])).toEqual([
      [1, 0, 1],
      [2, 0, 2],
      [3, 0, 1],
      [4, 1, 1],
    ]);
    // A source nearer B's centre is kept from B even if A lists it first.
    const B2 = { ...B, rows: [...B.rows, row(5, 10.2, 60, 50)] };
    const A2 = { ...A, rows: [...A.rows, row(5, 10.2, 60, 5)] };
    expect(assembleCatalogue([A2, B2]).rows.find((r) => r.objectId === 5)).toMatchObject({ subtileCol: 1, flux: 50 });
  });

  it('an exact tie goes to the smaller (tile, row, col), whatever the input order', () => {
    // Cores at RA 10 and 12, source at RA 11: symmetric, so the two distances are bitwise equal.
    const tA = { ...A, coreRa: 10, rows: [row(9, 11, 60, 1)] };
    const tB = { ...B, coreRa: 12, rows: [row(9, 11, 60, 2)] };
    expect(separationDeg(11, 60, 10, 60)).toBe(separationDeg(11, 60, 12, 60));
    expect(assembleCatalogue([tA, tB]).rows[0]!.flux).toBe(1);
    expect(assembleCatalogue([tB, tA]).rows[0]!.flux).toBe(1);
  });

  it('output bytes do not depend on the order of the inputs; Parquet and FITS round trip', async () => {
    const c1 = catalogueTable(assembleCatalogue([A, B]));
    const c2 = catalogueTable(assembleCatalogue([B, A]));
    expect(Buffer.from(c1.parquet).equals(Buffer.from(c2.parquet))).toBe(true);
    expect(Buffer.from(c1.fits).equals(Buffer.from(c2.fits))).toBe(true);
    const rows = await parquetReadObjects({ file: c1.parquet.slice().buffer as ArrayBuffer });
    expect(rows.map((r) => [r.OBJECT_ID, r.TILE_ID, r.SUBTILE_ROW, r.SUBTILE_COL])).toEqual([
      [1n, 100n, 0, 0],
      [2n, 100n, 0, 0],
      [3n, 100n, 0, 0],
      [4n, 100n, 0, 1],
    ]);
    const t = await (await openFits(new MemorySource('cat.fits', c1.fits))).readTable('CATALOGUE');
    expect(t.columns.slice(0, 4).map((c) => `${c.name}:${c.format}`)).toEqual(['OBJECT_ID:1K', 'TILE_ID:1K', 'SUBTILE_ROW:1I', 'SUBTILE_COL:1I']);
    expect(Array.from(t.column('SUBTILE_COL') as Int16Array)).toEqual([0, 0, 0, 1]);
  });

  it('errors name the table and row', () => {
    expect(() => assembleCatalogue([{ ...A, source: 'p.parquet', rows: [{ ...row(1, 0, 0), ra: NaN }] }])).toThrow(/p\.parquet: row 0 \(OBJECT_ID 1\): RA\/DEC missing/);
    expect(() => assembleCatalogue([{ ...A, source: 'q.fits', coreRa: NaN }])).toThrow(/q\.fits: core centre \(RA_CORE, DEC_CORE\) missing/);
  });
});

describe('shearwb assemble', () => {
  const root = resolve(__dirname, '../../..');
  const dir = mkdtempSync(join(tmpdir(), 'shearwb-assemble-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((res) =>
      execFile('node', ['bin/shearwb.mjs', 'assemble', ...args], { cwd: root }, (err, stdout, stderr) => res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
    );

  it('reads params_* files from a folder (Parquet preferred, FITS otherwise) and writes Parquet + FITS', async () => {
    for (const t of [A, B]) {
      const p = paramsTable(t.rows as ParamRow[], { g1: t.g1, g2: t.g2, tileId: t.tile, subtileRow: t.row, subtileCol: t.col, coreRa: t.coreRa, coreDec: t.coreDec });
      const stem = `params_${String(t.tile)}_${t.row}_${t.col}`;
      writeFileSync(join(dir, `${stem}.fits`), p.fits);
      if (t === A) writeFileSync(join(dir, `${stem}.parquet`), p.parquet);
    }
    writeFileSync(join(dir, 'unrelated.txt'), 'x');
    const out = join(dir, 'cat.parquet');
    const r = await run([dir, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/assembled 2 tables: 6 rows, 2 duplicates removed, 4 sources/);
    const want = catalogueTable(assembleCatalogue([A, B]));
    expect(Buffer.from(readFileSync(out)).equals(Buffer.from(want.parquet))).toBe(true);
    expect(Buffer.from(readFileSync(join(dir, 'cat.fits'))).equals(Buffer.from(want.fits))).toBe(true);
    const bad = await run([join(dir, 'nothing-here'), '--out', out]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/shearwb: .*nothing-here: no such file or folder/);
  }, 60_000);
});
