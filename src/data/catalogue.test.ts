import { describe, expect, it } from 'vitest';
import { CatalogueError, initialHlr, readCatalogue, selectSources, type TableLike } from './catalogue';

type Col = ArrayLike<unknown>;
/** A stand-in for contract 2's FitsTable: column names as given, lookup case-insensitive. */
function fakeTable(cols: Record<string, Col>): TableLike {
  const names = Object.keys(cols);
  return {
    nrows: cols[names[0]].length,
    columns: names.map((name) => ({ name })),
    column(name: string) {
      const k = names.find((n) => n.toLowerCase() === name.toLowerCase());
      if (!k) throw new Error(`no column ${name}`);
      return cols[k];
    },
  };
}

// Ten rows, each made to exercise one rule (upper-case names, as archive products have them).
//            0 ok   1 lowSNR 2 noVIS 3 spur 4 flags 5 flag-ok 6 star 7 negflux 8 notin 9 ok-core
const ids = [11n, 12n, 13n, 14n, 15n, 16n, 17n, 18n, 19n, 20n];
function table(extra: Record<string, Col> = {}) {
  return fakeTable({
    OBJECT_ID: new BigInt64Array(ids),
    RIGHT_ASCENSION: new Float64Array([10, 10.001, 10.002, 10.003, 10.004, 10.005, 10.006, 10.007, 10.008, 10.009]),
    DECLINATION: new Float64Array(10).fill(-5),
    FLUX_DETECTION_TOTAL: new Float32Array([100, 9, 100, 100, 100, 100, 500, -1, 100, 50]),
    FLUXERR_DETECTION_TOTAL: new Float32Array([1, 1, 1, 1, 1, 1, 1, 1, 1, 5]),
    SEMIMAJOR_AXIS: new Float32Array([3, 3, 3, 3, 3, 3, 1, 3, 3, 100]),
    ELLIPTICITY: new Float32Array(10).fill(0.1),
    POSITION_ANGLE: new Float32Array(10).fill(30),
    VIS_DET: [true, true, false, true, true, true, true, true, true, true],
    SPURIOUS_FLAG: new Int16Array([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    POINT_LIKE_FLAG: new Int16Array([0, 0, 0, 0, 0, 0, 1, 0, 0, 0]),
    // 0x4 is in 0x78C, 0x1 and 0x800 are not.
    DET_QUALITY_FLAG: new Int32Array([0, 0, 0, 0, 0x4, 0x801, 0, 0, 0, 0]),
    DEBLENDED_FLAG: new Int16Array(10),
    ...extra,
  });
}
const manifest = { source_ids: [11, 12, 13, 14, 15, 16, 17, 18, 20, 99], core_source_ids: [11, 20, 99] };

describe('readCatalogue', () => {
  it('reads upper-case columns, bigint ids and booleans as numbers', () => {
    const rows = readCatalogue(table(), 'cat.fits');
    expect(rows.length).toBe(10);
    expect(rows[0]).toMatchObject({ row: 0, object_id: 11, ra: 10, dec: -5, flux: 100, fluxerr: 1, vis_det: 1 });
    expect(rows[2].vis_det).toBe(0);
    expect(rows[5].det_quality_flag).toBe(0x801);
    expect(rows[9].semimajor_axis).toBe(100);
  });

  it('names the file and the missing columns, and lists those present', () => {
    const t = fakeTable({ object_id: [1], ra: [1], dec: [2], flux_detection_total: [1] });
    let e: unknown;
    try {
      readCatalogue(t, 's3://b/catalog.fits');
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(CatalogueError);
    const msg = (e as Error).message;
    expect(msg).toContain('s3://b/catalog.fits: catalogue lacks columns right_ascension, declination, fluxerr_detection_total');
    expect(msg).toContain('columns present: object_id, ra, dec, flux_detection_total');
  });

  it('optional columns may be absent', () => {
    const t = table();
    const cols = t.columns.filter((c) => !['ELLIPTICITY', 'POSITION_ANGLE', 'DEBLENDED_FLAG'].includes(c.name));
    const rows = readCatalogue({ ...t, columns: cols, column: t.column }, 'c.fits');
    expect(Number.isNaN(rows[0].ellipticity)).toBe(true);
    expect(rows[0].deblended_flag).toBe(0);
  });

  it('rejects ids that cannot be held exactly and array columns', () => {
    expect(() => readCatalogue(table({ OBJECT_ID: new BigInt64Array([2n ** 60n, ...ids.slice(1)]) }), 'c.fits')).toThrow(
      'c.fits: column OBJECT_ID, row 0: 1152921504606846976 is too large',
    );
    expect(() => readCatalogue(table({ SEMIMAJOR_AXIS: Array.from({ length: 10 }, () => new Float32Array(3)) }), 'c.fits')).toThrow(
      'column SEMIMAJOR_AXIS holds arrays',
    );
  });
});

describe('selectSources', () => {
  const rows = readCatalogue(table(), 'cat.fits');

  it('applies the DESIGN §1.4 cuts with a reason for every dropped row', () => {
    const sel = selectSources(rows, manifest);
    expect(sel.sources.map((s) => s.object_id)).toEqual([11, 16, 17, 20]);
    const why = Object.fromEntries(sel.dropped.map((d) => [d.row.object_id, d.reasons]));
    expect(why).toEqual({
      12: ['low SNR'],
      13: ['not VIS detected'],
      14: ['spurious'],
      15: ['quality flags'],
      18: ['zero or negative flux'],
      19: ['not in source_ids'],
    });
    expect(sel.counts).toEqual({ 'low SNR': 1, 'not VIS detected': 1, spurious: 1, 'quality flags': 1, 'zero or negative flux': 1, 'not in source_ids': 1 });
    expect(sel.missingIds).toEqual([99]);
  });

  it('marks point-like rows as stars, core membership, SNR and initial hlr', () => {
    const sel = selectSources(rows, manifest);
    const by = Object.fromEntries(sel.sources.map((s) => [s.object_id, s]));
    expect(by[17].kind).toBe('star');
    expect(by[11].kind).toBe('galaxy');
    expect([by[11].core, by[16].core, by[17].core, by[20].core]).toEqual([true, false, false, true]);
    expect(by[20].snr).toBe(10); // SNR exactly at the threshold is kept
    expect(by[11].hlr).toBeCloseTo(0.3, 6); // 3 px × 0.1"
    expect(by[17].hlr).toBeCloseTo(0.1, 6);
    expect(by[20].hlr).toBe(5); // 100 px → 10", clipped to 5"
    const drop = selectSources(rows, manifest, { pointSources: 'drop' });
    expect(drop.dropped.find((d) => d.row.object_id === 17)?.reasons).toEqual(['point-like']);
  });

  it('max_sources keeps the highest SNR', () => {
    const sel = selectSources(rows, manifest, { maxSources: 2 });
    // SNRs: 11→100, 16→100, 17→500, 20→10: keep 17 and then 11 (tie with 16 broken by row order).
    expect(sel.sources.map((s) => s.object_id)).toEqual([11, 17]);
    expect(sel.counts['beyond max_sources']).toBe(2);
    expect(sel.dropped.map((d) => d.row.row)).toEqual([...sel.dropped.map((d) => d.row.row)].sort((a, b) => a - b));
  });

  it('config changes the cuts', () => {
    const sel = selectSources(rows, manifest, { minSnr: 5, requireVisDet: false, dropSpurious: false, qualityMask: 0 });
    expect(sel.sources.map((s) => s.object_id)).toEqual([11, 12, 13, 14, 15, 16, 17, 20]);
  });

  it('lists every reason that applies, the most basic first', () => {
    const bad = { ...rows[0], object_id: 99, flux: 2, fluxerr: 1, vis_det: 0, spurious_flag: 1, det_quality_flag: 0x8 };
    const sel = selectSources([bad], manifest);
    expect(sel.dropped[0].reasons).toEqual(['low SNR', 'not VIS detected', 'spurious', 'quality flags']);
    const nan = { ...rows[0], flux: NaN, fluxerr: 0 };
    expect(selectSources([nan], manifest).dropped[0].reasons).toEqual(['zero or negative flux', 'bad flux error']);
  });

  it('initialHlr clips and handles NaN', () => {
    expect(initialHlr(0.1)).toBe(0.05);
    expect(initialHlr(NaN)).toBe(0.05);
    expect(initialHlr(20)).toBeCloseTo(2, 12);
  });
});
