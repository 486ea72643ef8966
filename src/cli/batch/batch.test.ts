import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSubtileDone } from '../../data/products/atomic';
import { productNames } from '../../data/products/names';
import { runBatch, summaryName, type BatchOptions } from './batch';
import { failureName, type FailureRecord } from './failure';
import { fakeRunner, writeFakeProducts, writeManifests } from './testing';

const KEYS: Array<[number, number, number]> = [
  [100, 0, 0],
  [100, 0, 1],
  [101, 2, 3],
  [102, 1, 1],
];

let dir: string;
let out: string;
let manifests: string[];
const sleeps: number[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shearwb-batch-'));
  out = join(dir, 'out');
  manifests = await writeManifests(join(dir, 'in'), KEYS);
  sleeps.length = 0;
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const base = (o: Partial<BatchOptions> & Pick<BatchOptions, 'runner'>): BatchOptions => ({
  manifests,
  outdir: out,
  shard: { index: 0, count: 1, source: 'test' },
  retryDelayMs: 10,
  sleep: async (ms) => void sleeps.push(ms),
  ...o,
});
const done = (k: [number, number, number]) => isSubtileDone(out, k[0], k[1], k[2]);

describe('runBatch', () => {
  it('runs every sub-tile of the shard through one runner and marks each done', async () => {
    const { factory, log } = fakeRunner();
    const s = await runBatch(base({ runner: factory }));
    expect([s.done, s.skipped, s.failed, s.notRun, s.ok]).toEqual([4, 0, 0, 0, true]);
    expect(log.opened).toBe(1); // one session for the whole task
    expect(log.closed).toBe(1);
    for (const k of KEYS) expect(await done(k)).toBe(true);
    const sum = JSON.parse(await readFile(join(out, summaryName(s.shard)), 'utf8'));
    expect(sum.done).toBe(4);
    expect(sum.items.map((i: { subtile: string }) => i.subtile)).toEqual(['100_0_0', '100_0_1', '101_2_3', '102_1_1']);
  });

  it('runs only its own shard (round robin) ', async () => {
    const { factory, log } = fakeRunner();
    const s = await runBatch(base({ runner: factory, shard: { index: 1, count: 3, source: 'test' } }));
    expect(s.items.map((i) => i.index)).toEqual([1]);
    expect(log.runs).toEqual([manifests[1]]);
    expect(await done(KEYS[0])).toBe(false);
    expect(await done(KEYS[1])).toBe(true);
  });

  it('skips finished sub-tiles, and opens no runner when nothing is left', async () => {
    await writeFakeProducts(out, 100, 0, 1);
    const first = fakeRunner();
    const s = await runBatch(base({ runner: first.factory }));
    expect([s.done, s.skipped]).toEqual([3, 1]);
    expect(first.log.runs).not.toContain(manifests[1]);
    expect(s.items[1]!.status).toBe('skipped');

    const again = fakeRunner();
    const s2 = await runBatch(base({ runner: again.factory }));
    expect([s2.done, s2.skipped, s2.ok]).toEqual([0, 4, true]);
    expect(again.log.opened).toBe(0);
  });

  it('retries a failing sub-tile with backoff and succeeds without leaving a record', async () => {
    const { factory, log } = fakeRunner((m, attempt) => (m === manifests[2] && attempt < 3 ? new Error('device lost') : undefined));
    const s = await runBatch(base({ runner: factory, attempts: 3 }));
    expect(s.ok).toBe(true);
    expect(s.items[2]).toMatchObject({ status: 'done', attempts: 3 });
    expect(sleeps).toEqual([10, 20]); // doubling
    expect(log.recovered).toBe(2);
    expect(log.opened).toBe(1);
    expect((await readdir(out)).filter((n) => n.startsWith('failed_'))).toEqual([]);
  });

  it('records a sub-tile that keeps failing, finishes the others, and clears the record once it succeeds', async () => {
    let broken = true;
    const { factory, log } = fakeRunner((m) => (broken && m === manifests[1] ? new Error(`NaN loss in ${m}`) : undefined));
    const s = await runBatch(base({ runner: factory, attempts: 2 }));
    expect([s.done, s.failed, s.ok]).toEqual([3, 1, false]);
    expect(log.runs.filter((m) => m === manifests[1]).length).toBe(2);
    expect(await done(KEYS[1])).toBe(false);
    for (const k of [KEYS[0], KEYS[2], KEYS[3]]) expect(await done(k)).toBe(true);
    const recPath = join(out, failureName({ tileId: 100, row: 0, col: 1 }, manifests[1]!));
    expect(recPath.endsWith('failed_100_0_1.json')).toBe(true);
    const rec = JSON.parse(await readFile(recPath, 'utf8')) as FailureRecord;
    expect(rec).toMatchObject({ manifest: manifests[1], tile_id: 100, sub_tile_row: 0, sub_tile_col: 1, permanent: false });
    expect(rec.attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(rec.error).toContain('NaN loss');
    expect(s.items[1]!.failureFile).toBe(recPath);
    // No leftover temporaries from the atomic write.
    expect((await readdir(out)).filter((n) => n.includes('.tmp-'))).toEqual([]);

    broken = false;
    const s2 = await runBatch(base({ runner: factory }));
    expect([s2.done, s2.skipped, s2.failed, s2.ok]).toEqual([1, 3, 0, true]);
    expect((await readdir(out)).filter((n) => n.startsWith('failed_'))).toEqual([]);
  });

  it('resumes after a kill: a half-written sub-tile (products, no marker) is redone, finished ones are not', async () => {
    await writeFakeProducts(out, 100, 0, 0);
    // Simulate a kill while writing 101_2_3: two product files land, the third never renames, no marker.
    let writes = 0;
    await expect(
      writeFakeProducts(out, 101, 2, 3, {
        beforeRename: (tmp) => {
          if (++writes === 3) throw new Error(`killed while writing ${tmp}`);
        },
      }),
    ).rejects.toThrow(/killed/);
    // …and a temporary that a SIGKILL (not an exception) would have left behind.
    const stale = join(out, `${productNames({ tileId: 101, row: 2, col: 3 }).paramsParquet}.tmp-99999-deadbeef`);
    await writeFile(stale, 'partial');
    expect(await done(KEYS[2])).toBe(false);
    const before = await readdir(out);
    expect(before.filter((n) => n.startsWith('shear_101_2_3') || n.startsWith('params_101_2_3')).length).toBeGreaterThan(0);

    const { factory, log } = fakeRunner();
    const s = await runBatch(base({ runner: factory }));
    expect(s.items.map((i) => i.status)).toEqual(['skipped', 'done', 'done', 'done']);
    expect(log.runs).toEqual([manifests[1], manifests[2], manifests[3]]);
    expect(await done(KEYS[2])).toBe(true);
    expect((await readdir(out)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('a bad manifest fails once (no retry) with a record, the others still run', async () => {
    await writeFile(manifests[0]!, 'tile_id: [not a number\n');
    const { factory } = fakeRunner();
    const s = await runBatch(base({ runner: factory, attempts: 3 }));
    expect(s.items[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect(s.items[0]!.error).toContain(manifests[0]);
    expect(s.done).toBe(3);
    const rec = (await readdir(out)).filter((n) => n.startsWith('failed_manifest_'));
    expect(rec.length).toBe(1);
    expect(JSON.parse(await readFile(join(out, rec[0]!), 'utf8'))).toMatchObject({ manifest: manifests[0], permanent: true });
    expect(sleeps).toEqual([]);
  });

  it('a run that reports success but leaves no done-marker is a failure', async () => {
    const factory = async () => ({
      run: async () => ({ tileId: 100, row: 0, col: 0, files: [] }),
      close: async () => undefined,
    });
    const s = await runBatch(base({ manifests: [manifests[0]!], runner: factory, attempts: 1 }));
    expect(s.items[0]!.status).toBe('failed');
    expect(s.items[0]!.error).toMatch(/no valid done-marker/);
  });

  it('stops when the runner cannot start, leaving the rest not run', async () => {
    const s = await runBatch(base({ runner: async () => Promise.reject(new Error('no Chromium')), attempts: 2 }));
    expect(s.items.map((i) => i.status)).toEqual(['failed', 'not-run', 'not-run', 'not-run']);
    expect(s.items[0]!.error).toMatch(/could not start the runner: no Chromium/);
    expect(s.ok).toBe(false);
  });

  it('stops between sub-tiles when aborted (SIGTERM)', async () => {
    const ac = new AbortController();
    const { factory } = fakeRunner((m) => {
      if (m === manifests[1]) ac.abort();
      return undefined;
    });
    const s = await runBatch(base({ runner: factory, signal: ac.signal }));
    expect(s.items.map((i) => i.status)).toEqual(['done', 'done', 'not-run', 'not-run']);
    expect(s.ok).toBe(false);
  });
});
