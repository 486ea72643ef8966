import { describe, it, expect } from 'vitest';
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { CatalogueRow, DropReason } from '../../data/catalogue';
import { openFits } from '../../data/fits/index';
import { openSource } from '../../data/storage/index';
import type { UiSource } from '../../state/workbench-data';
import { catalogueRecords, createTableSql, CSV_COLUMNS, recordsToCsv } from './catalogue-table';
import { readCatalogueRows } from './read-rows';
import { explainSqlError, formatCell, objectIdColumn, toCell, toResult } from './results';

const row = (i: number, o: Partial<CatalogueRow> = {}): CatalogueRow => ({
  row: i, object_id: 100 + i, ra: 150 + i * 1e-4, dec: 2.1, flux: 50, fluxerr: 2, semimajor_axis: 3, ellipticity: 0.2,
  position_angle: 30, vis_det: 1, spurious_flag: 0, point_like_flag: 0, det_quality_flag: 0, deblended_flag: 0, ...o,
});
const src = (id: number, o: Partial<UiSource> = {}): UiSource => ({
  index: 0, object_id: id, ra: 0, dec: 0, kind: 'galaxy', core: true, snr: 25, flux: 50, hlr: 0.3, ellipticity: 0.2, pa: 30, perQuadrant: [], ...o,
});

describe('catalogue records', () => {
  it('marks selected rows from the store and dropped rows with their reasons; NaN becomes NULL', () => {
    const rows = [row(0), row(1, { flux: 5, point_like_flag: 1 }), row(2, { ellipticity: NaN }), row(3, { object_id: 102 })];
    const recs = catalogueRecords({
      rows,
      dropReasons: new Map<number, DropReason[]>([[1, ['low SNR']], [3, ['duplicate object_id']]]),
      sources: [src(100), src(102, { kind: 'star', core: false, snr: 7 })],
      coreIds: new Set([101]),
      fits: { 100: { chi2: 3.5, e1: 0.1 } },
      fitted: (id) => (id === 100 ? { flux: 61, hlr: 0.4, e1: 0.9, e2: -0.05 } : null),
    });
    expect(recs.map((r) => r.selected)).toEqual([true, false, true, false]);
    expect(recs[0]).toMatchObject({ chi2: 3.5, fit_flux: 61, fit_hlr: 0.4, fit_e1: 0.1, fit_e2: -0.05, snr: 25, reasons_text: '' });
    // Dropped: SNR from the row itself, kind from point_like_flag, core from the manifest, no fit.
    expect(recs[1]).toMatchObject({ snr: 2.5, kind: 'star', core: true, reasons_text: 'low SNR', chi2: null, fit_flux: null });
    expect(recs[2]).toMatchObject({ ellipticity: null, kind: 'star', core: false, snr: 7 });
    expect(recs[3]).toMatchObject({ selected: false, reasons_text: 'duplicate object_id' });
  });

  it('CSV carries every column and numbers round-trip exactly', () => {
    const tricky = [0.1 + 0.2, 1e-300, -1.2345678901234567e22, 5e-324, 2 ** 53 - 1];
    const recs = catalogueRecords({ rows: tricky.map((x, i) => row(i, { ra: x })), dropReasons: new Map([[0, ['low SNR', 'spurious']]]), sources: [], coreIds: new Set(), fits: {} });
    const lines = recordsToCsv(recs).trim().split('\n');
    expect(lines[0].split(',')).toEqual(CSV_COLUMNS.map(([n]) => n));
    const ra = CSV_COLUMNS.findIndex(([n]) => n === 'right_ascension');
    const reasons = CSV_COLUMNS.findIndex(([n]) => n === 'reasons_text');
    lines.slice(1).forEach((l, i) => {
      const f = l.split(',');
      expect(f.length).toBe(CSV_COLUMNS.length);
      expect(Number(f[ra])).toBe(tricky[i]);
    });
    expect(lines[1].split(',')[reasons]).toBe('"low SNR|spurious"');
    const sql = createTableSql('x.csv');
    for (const [n, t] of CSV_COLUMNS) expect(sql).toContain(`'${n}': '${t}'`);
    expect(sql).toMatch(/AS reasons/);
  });
});

describe('results', () => {
  it('converts Arrow-like values to cells', () => {
    expect(toCell(12n)).toBe(12);
    expect(toCell(2n ** 60n)).toBe('1152921504606846976');
    expect(toCell({ toArray: () => ['low SNR', 'spurious'] })).toBe('[low SNR, spurious]');
    expect(toCell(undefined)).toBeNull();
    const t = { numRows: 3, schema: { fields: [{ name: 'object_id' }, { name: 'x' }] }, getChildAt: (j: number) => ({ get: (i: number) => (j === 0 ? BigInt(i + 7) : i / 2) }) };
    expect(toResult(t, 2)).toEqual({ columns: ['object_id', 'x'], rows: [[7, 0], [8, 0.5]], total: 3 });
    expect(objectIdColumn(['a', 'OBJECT_ID'])).toBe(1);
    expect(formatCell(null)).toBe('—');
    expect(formatCell(1 / 3)).toBe('0.333333');
  });

  it('explains SQL errors in plain words', () => {
    expect(explainSqlError(new Error('Parser Error: syntax error at or near "SELEC"'))).toBe('The query could not be read (SQL syntax): syntax error at or near "SELEC"');
    expect(explainSqlError(new Error('Catalog Error: Table with name foo does not exist!'))).toMatch(/does not exist.*catalogue.*foo/);
    expect(explainSqlError('boom')).toBe('The query failed: boom');
  });
});

describe('fixture catalogue', () => {
  it('every row is either selected or dropped with reasons; the selected count equals DESIGN §1.4 applied here', async () => {
    const dir = resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'subtile-small', 'subtile');
    const manifestPath = resolve(dir, 'manifest_local.yaml');
    const got = await readCatalogueRows(manifestPath);
    // Independent selection straight from the FITS columns and the manifest YAML.
    const m = parse(readFileSync(manifestPath, 'utf8')) as { source_catalog: string; source_ids: number[] };
    const f = await openFits(openSource(resolve(dir, m.source_catalog)));
    const t = await f.readTable(f.hdus.find((h) => h.kind === 'table')!);
    const col = (n: string) => Array.from(t.column(t.columns.find((c) => c.name.toLowerCase() === n)!.name) as ArrayLike<unknown>, Number);
    const [id, fl, fe, vis, sp, dq] = ['object_id', 'flux_detection_total', 'fluxerr_detection_total', 'vis_det', 'spurious_flag', 'det_quality_flag'].map(col);
    const wanted = new Set(m.source_ids.map(Number));
    let expected = 0;
    for (let i = 0; i < t.nrows; i++) if (wanted.has(id[i]) && fl[i] > 0 && fe[i] > 0 && fl[i] / fe[i] >= 10 && vis[i] === 1 && sp[i] === 0 && (dq[i] & 0x78c) === 0) expected++;
    expect(got.rows.length).toBe(t.nrows);
    expect(got.rows.length - got.dropReasons.size).toBe(expected);
    expect(expected).toBeGreaterThan(5);
    for (const r of got.dropReasons.values()) expect(r.length).toBeGreaterThan(0);
  });
});
