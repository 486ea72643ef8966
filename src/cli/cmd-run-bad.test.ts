// `shearwb run` on bad numbers (issue 4): a fully masked stamp, NaNs in SCI and RMS, a zero-flux
// catalogue row and a quadrant with no visible source — the run finishes and the metadata and
// the console say what was dropped and why; a lost GPU device ends the run with a clear message
// and exit code 2 within seconds, writing no done marker.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, writeBadSubtile, writeSmallSubtile, type BadSubtile } from './run-fixtures';

let tmp: string;
let bad: BadSubtile;
const STEM = '102159490_2_1';
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'shearwb-run-bad-'));
  bad = await writeBadSubtile(join(tmp, 'bad'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('shearwb run on bad numbers', () => {
  it('finishes and reports the masked stamp, NaN pixels, zero-flux row and empty quadrant', async () => {
    const out = join(tmp, 'out');
    const r = await runCli(['run', bad.manifest, '--out', out], 280_000);
    expect(r.code, r.stderr).toBe(0);
    // Console.
    expect(r.stdout).toContain(`dropped ${bad.maskedId} source: every stamp fully masked`);
    expect(r.stdout).toMatch(new RegExp(`dropped ${bad.zeroFluxId} catalogue row: zero or negative flux`));
    expect(r.stdout).toMatch(new RegExp(`quadrant ${bad.emptyQuadrant.replace('.', '\\.')}: no visible source`));
    expect(r.stdout).toMatch(/pixels with non-finite SCI/);
    // Metadata.
    const meta = parse(readFileSync(join(out, `metadata_${STEM}.yaml`), 'utf8'));
    const dropped = meta.dropped as Array<{ object_id?: number; what: string; reason: string }>;
    expect(dropped.some((d) => d.object_id === bad.maskedId && /fully masked/.test(d.reason))).toBe(true);
    expect(dropped.some((d) => d.object_id === bad.zeroFluxId && /zero or negative flux/.test(d.reason))).toBe(true);
    expect(dropped.some((d) => d.what === `quadrant ${bad.emptyQuadrant}` && /no visible source/.test(d.reason))).toBe(true);
    const sciNan = dropped.find((d) => d.reason === 'SCI not finite');
    const rmsNan = dropped.find((d) => /^RMS not finite/.test(d.reason));
    expect(Number(/^(\d+)/.exec(sciNan!.what)![1])).toBeGreaterThan(0.8 * bad.nanSci);
    expect(Number(/^(\d+)/.exec(rmsNan!.what)![1])).toBeGreaterThan(0.8 * bad.nanRms);
    // The shear is still finite and the params have no masked source.
    expect(r.stdout).toMatch(/g1 = -?\d\.\d+ ± \d\.\d+ +g2 = -?\d\.\d+ ± \d\.\d+/);
  }, 300_000);

  it('reports a lost GPU device and exits 2 without writing a done marker', async () => {
    const dir = join(tmp, 'small');
    await writeSmallSubtile(dir);
    const out = join(tmp, 'lost');
    const r = await runCli(['run', join(dir, 'manifest_local.yaml'), '--out', out, '--every', '1'], 120_000, { SHEARWB_TEST_LOSE_DEVICE_AT_STEP: '2' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shearwb: the GPU device was lost during the MAP fit \(destroyed/);
    // It stops right after the loss: step 2 is reported, nothing after step 3.
    expect(r.stderr).toMatch(/step +2 +loss/);
    expect(r.stderr).not.toMatch(/step +4 +loss/);
    expect(existsSync(join(out, `done_${STEM}.json`))).toBe(false);
  }, 150_000);
});
