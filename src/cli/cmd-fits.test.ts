// `shearwb fits` against ../shared/fixtures/fits/expected.json (astropy), run as a real subprocess.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitsFixtures, repoRoot } from '../data/fits/testing';

const expected = JSON.parse(readFileSync(resolve(fitsFixtures, 'expected.json'), 'utf8'));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile('node', ['bin/shearwb.mjs', 'fits', ...args], { cwd: repoRoot, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Run jobs a few at a time: the machine has 2 cores shared with others. */
async function pool<T>(jobs: Array<() => Promise<T>>, n = 3): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  }));
  return out;
}

function close(got: number | null, want: number | null, exact: boolean): void {
  if (want === null) return void expect(got).toBeNull();
  if (exact) expect(got).toBe(want);
  else expect(Math.abs(got! - want)).toBeLessThanOrEqual(Math.abs(want) * 2 ** -23 + 1e-300);
}

describe('shearwb fits', () => {
  it('lists HDUs and summarises every image and table as astropy reads them', async () => {
    const jobs: Array<() => Promise<void>> = [];
    for (const [file, spec] of Object.entries<any>(expected.files)) {
      const path = resolve(fitsFixtures, file);
      jobs.push(async () => {
        const r = await run([path, '--json']);
        expect(r.stderr).toBe('');
        const list = JSON.parse(r.stdout);
        expect(list.hdus.map((h: any) => h.extname)).toEqual(spec.hdus.map((h: any) => h.extname));
        for (const e of spec.hdus) {
          const h = list.hdus[e.index];
          expect(h.kind).toBe(e.compressed ? 'compressed-image' : e.kind);
          if (e.shape) expect(h.shape).toEqual(e.shape);
          if (e.nrows !== undefined) expect(h.nrows).toBe(e.nrows);
          if (e.compressed) expect(h.compression).toBe(e.compressed);
        }
      });
      for (const e of spec.hdus) {
        if (e.kind === 'image') {
          jobs.push(async () => {
            const at = e.checks.samples.map((s: any) => s.index.join(',')).join(';');
            const r = await run([path, '--hdu', e.extname, '--json', '--at', at]);
            expect(r.stderr).toBe('');
            const s = JSON.parse(r.stdout);
            const exact = s.bitpix > 0 && file !== 'scaled.fits';
            expect(s.shape).toEqual(e.shape);
            expect(s.nan_count).toBe(e.checks.nan_count);
            expect(Math.abs(s.sum - e.checks.sum)).toBeLessThanOrEqual(1e-6 * Math.abs(e.checks.sum));
            close(s.min, e.checks.min, exact);
            close(s.max, e.checks.max, exact);
            e.checks.samples.forEach((smp: any, i: number) => close(s.values[i], smp.value, exact));
          });
        } else if (e.kind === 'table') {
          jobs.push(async () => {
            const r = await run([path, '--hdu', String(e.index), '--json', '--rows', '0:257']);
            expect(r.stderr).toBe('');
            const t = JSON.parse(r.stdout);
            for (const [col, byRow] of Object.entries<Record<string, unknown>>(e.checks.columns)) {
              for (const [row, want] of Object.entries(byRow)) {
                const got = t.rows[Number(row)][col];
                if (typeof want === 'number') close(got, want, Number.isInteger(want));
                else if (Array.isArray(want)) want.forEach((w, i) => close(got[i], w as number, false));
                else expect(got).toEqual(want);
              }
            }
          });
        }
      }
    }
    await pool(jobs);
  }, 120_000);

  it('prints a readable table, a row range, and clear errors', async () => {
    const [list, rows, missing, notFits] = await pool([
      () => run([resolve(fitsFixtures, 'compressed.fits.fz')]),
      () => run([resolve(fitsFixtures, 'catalogue.fits'), '--hdu', 'catalogue', '--rows', '131:132', '--json']),
      () => run([resolve(fitsFixtures, 'bitpix.fits'), '--hdu', 'RMS', '--json']),
      () => run([resolve(fitsFixtures, 'expected.json')]),
    ]);
    expect(list!.stdout).toMatch(/1\s+RICE_INT\s+compressed-image\s+32\s+300 × 200\s+RICE_1/);
    const t = JSON.parse(rows!.stdout);
    expect(t.rows).toHaveLength(1);
    expect(t.rows[0].object_id).toBe(expected.files['catalogue.fits'].hdus[1].checks.columns.object_id['131']);
    expect(missing!.code).toBe(2);
    expect(missing!.stderr).toMatch(/bitpix\.fits: no HDU named 'RMS' \(HDUs present: 0 PRIMARY, 1 U8, .*5 3-4\.F\.SCI/);
    expect(notFits!.code).toBe(2);
    expect(notFits!.stderr).toMatch(/expected\.json: not a FITS file/);
  }, 60_000);
});
