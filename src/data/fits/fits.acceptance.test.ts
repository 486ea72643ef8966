// Acceptance: every file and HDU of ../shared/fixtures/fits/expected.json (written and read by astropy)
// read back the same by our reader; and laziness: one HDU costs its header + data bytes only.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../storage/types';
import { encodeFits, openFits } from './index';
import { fitsFixtures, fixtureSource } from './testing';

interface Expected {
  files: Record<string, { hdus: Array<{ index: number; extname: string; kind: string; shape?: number[]; nrows?: number; compressed?: string; checks?: any }> }>;
}
const expected: Expected = JSON.parse(readFileSync(resolve(fitsFixtures, 'expected.json'), 'utf8'));

/** Integers exact; floats to float32 rounding (half an ulp of float32 relative, plus a denormal floor). */
function close(got: number, want: number, exact: boolean): void {
  if (exact) expect(got).toBe(want);
  else expect(Math.abs(got - want)).toBeLessThanOrEqual(Math.abs(want) * 2 ** -23 + 1e-300);
}

describe('expected.json (astropy) reads back', () => {
  for (const [file, spec] of Object.entries(expected.files)) {
    it(file, async () => {
      const f = await openFits(fixtureSource(file));
      expect(f.hdus.length).toBe(spec.hdus.length);
      for (const e of spec.hdus) {
        const h = f.hdu(e.index);
        expect(h.extname).toBe(e.extname);
        expect(f.hdu(e.extname)).toBe(h);
        const kind = e.compressed ? 'compressed-image' : e.kind;
        expect(h.kind).toBe(kind);
        if (e.compressed) expect(h.compression).toBe(e.compressed);
        if (e.kind === 'image') {
          expect(h.shape).toEqual(e.shape);
          const img = await f.readImage(h);
          expect(img.shape).toEqual(e.shape);
          const c = e.checks;
          const scaled = h.header.num('BSCALE', 1) !== 1 || h.header.num('BZERO', 0) % 1 !== 0;
          const exact = h.bitpix > 0 && !scaled;
          let sum = 0, min = Infinity, max = -Infinity, nan = 0;
          for (const v of img.data) {
            if (Number.isNaN(v)) { nan++; continue; }
            sum += v; min = Math.min(min, v); max = Math.max(max, v);
          }
          expect(nan).toBe(c.nan_count);
          expect(Math.abs(sum - c.sum)).toBeLessThanOrEqual(1e-6 * Math.abs(c.sum));
          close(min, c.min, exact);
          close(max, c.max, exact);
          const nx = img.shape[1]!;
          for (const s of c.samples) {
            const v = img.data[s.index[0] * nx + s.index[1]]!;
            if (s.value === null) expect(v).toBeNaN();
            else close(v, s.value, exact);
          }
        } else if (e.kind === 'table') {
          expect(h.nrows).toBe(e.nrows);
          const t = await f.readTable(h);
          expect(t.nrows).toBe(e.nrows);
          const rows = t.rows();
          for (const [col, byRow] of Object.entries<Record<string, unknown>>(e.checks.columns)) {
            for (const [r, want] of Object.entries(byRow)) {
              const got = rows[Number(r)]![col];
              const fmt = t.columns.find((c) => c.name === col)!.format;
              const isFloat = /[ED]$/.test(fmt);
              if (Array.isArray(want)) {
                expect((got as number[]).length).toBe(want.length);
                want.forEach((w, i) => close((got as number[])[i]!, w as number, !isFloat));
              } else if (typeof want === 'number') close(Number(got), want, !isFloat);
              else expect(got).toEqual(want);
            }
            // Also a row range read gives the same rows.
            const part = await f.readTable(h, [131, 187]);
            expect(part.rows()[186 - 131]![col]).toEqual(rows[186]![col]);
          }
        } else {
          expect(h.shape).toEqual([]);
        }
      }
    });
  }
});

describe('lazy reads', () => {
  it('reads one HDU of bitpix.fits without the others (headers + that HDU only)', async () => {
    const src = fixtureSource('bitpix.fits');
    const f = await openFits(src);
    const headers = f.hdus.reduce((a, h) => a + (h.dataOffset - h.headerOffset), 0);
    expect(src.bytesFetched).toBe(headers);
    const h = f.hdu('3-4.F.SCI');
    await f.readImage(h);
    expect(h.dataBytes).toBe(2066 * 2048 * 4);
    expect(src.bytesFetched).toBe(headers + h.dataBytes);
    expect(src.bytesFetched).toBeLessThan(2066 * 2048 * 4 + 64 * 2880);
  });

  it('reads one 2048×2066 float32 HDU from a file of three', async () => {
    const n = 2066 * 2048;
    const hdus = [0, 1, 2].map((k) => {
      const data = new Float32Array(n);
      for (let i = 0; i < n; i += 997) data[i] = k * 1000 + (i % 89);
      return { kind: 'image' as const, data, shape: [2066, 2048], header: [['EXTNAME', `Q${k}.SCI`]] as [string, string][] };
    });
    const bytes = encodeFits(hdus);
    const src = new MemorySource('three.fits', bytes);
    const f = await openFits(src);
    expect(f.hdus.map((h) => h.extname)).toEqual(['PRIMARY', 'Q0.SCI', 'Q1.SCI', 'Q2.SCI']);
    const img = await f.readImage('Q1.SCI');
    const headerBytes = f.hdus.reduce((a, h) => a + (h.dataOffset - h.headerOffset), 0);
    expect(src.bytesFetched).toBe(headerBytes + n * 4);
    expect(img.data[997 * 5]).toBe(1000 + ((997 * 5) % 89));
    expect(img.data[1]).toBe(0);
  });
});
