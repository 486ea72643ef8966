// `shearwb batch` end to end with the real runner (`run` in headless Chromium): two tiny simulated
// sub-tiles in one task, then a rerun that skips both without starting a browser.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBatch } from '../src/cli/batch/batch';
import { headlessRunnerFactory } from '../src/cli/batch/run-adapter';
import { readManifestList } from '../src/cli/batch/list';
import { isSubtileDone } from '../src/data/products/atomic';
import { productNames } from '../src/data/products/names';
import { writeSubtile } from '../src/sim/index';

const SIM = { galaxies: 4, quadrants: 1, quadSize: [256, 256] as [number, number], psfFwhm: 0.3, g1: 0.02, g2: -0.01 };
const KEYS = [
  { tileId: 901, row: 0, col: 0, seed: 3 },
  { tileId: 901, row: 0, col: 1, seed: 4 },
];

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shearwb-batch-e2e-'));
  for (const k of KEYS) await writeSubtile(join(dir, 'in', `st${k.col}`), { ...SIM, seed: k.seed, tileId: k.tileId, subTileRow: k.row, subTileCol: k.col });
  writeFileSync(join(dir, 'list.txt'), 'in/st0/manifest_local.yaml\nin/st1/manifest_local.yaml\n');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('batch with the headless runner', () => {
  it('runs two sub-tiles, writes their products and done-markers; a rerun skips both', async () => {
    const out = join(dir, 'out');
    const { manifests } = await readManifestList(join(dir, 'list.txt'));
    const lines: string[] = [];
    const s = await runBatch({ manifests, outdir: out, shard: { index: 0, count: 1, source: 'test' }, runOptions: { steps: 5 }, attempts: 1, runner: headlessRunnerFactory({ log: (l) => lines.push(l) }), log: (l) => lines.push(l) });
    expect(s.failed, lines.join('\n')).toBe(0);
    expect([s.done, s.skipped, s.ok]).toEqual([2, 0, true]);
    const files = readdirSync(out);
    for (const k of KEYS) {
      expect(await isSubtileDone(out, k.tileId, k.row, k.col, { verifyHashes: true })).toBe(true);
      const n = productNames(k);
      for (const f of [n.shearFits, n.shearParquet, n.paramsFits, n.paramsParquet, n.metadata]) expect(files).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('failed_'))).toEqual([]);

    let opened = 0;
    const again = await runBatch({
      manifests,
      outdir: out,
      shard: { index: 0, count: 1, source: 'test' },
      runner: async () => {
        opened++;
        throw new Error('should not be needed');
      },
    });
    expect([again.skipped, again.ok, opened]).toEqual([2, true, 0]);
  });
});
