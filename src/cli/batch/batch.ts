// One task of a batch: the manifests of its shard, in list order. Finished sub-tiles (valid
// done-marker) are skipped, the rest run through ONE runner (one headless Chromium + served app)
// with a few attempts each; a sub-tile that still fails gets a failure record and the task moves on.
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { loadManifest } from '../../data/manifest';
import { isSubtileDone, writeFileAtomic } from '../../data/products/atomic';
import { productNames, subtileStem, type SubtileKey } from '../../data/products/names';
import { clearFailure, writeFailure, type AttemptRecord } from './failure';
import { isPermanent, type RunnerFactory, type RunOptions, type RunOutcome, type SubtileRunner } from './runner';
import { shardItems, type Shard } from './shard';

export interface BatchOptions {
  /** The whole manifest list (the shard is cut from it). */
  manifests: string[];
  outdir: string;
  shard: Shard;
  perTask?: number;
  /** Attempts per sub-tile, the first included (default 3). */
  attempts?: number;
  /** Wait before the 2nd attempt; doubles each time, capped at 5 min (default 10 s). */
  retryDelayMs?: number;
  runOptions?: RunOptions;
  runner: RunnerFactory;
  log?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Stop between sub-tiles (SIGTERM from the scheduler); unfinished ones are 'not-run'. */
  signal?: AbortSignal;
  /** Sub-tile key of a manifest (default: loadManifest). */
  keyOf?: (manifest: string) => Promise<SubtileKey>;
}

export type ItemStatus = 'done' | 'skipped' | 'failed' | 'not-run';

export interface ItemResult {
  /** Position in the whole list. */
  index: number;
  manifest: string;
  key?: SubtileKey;
  status: ItemStatus;
  attempts: number;
  seconds: number;
  error?: string;
  failureFile?: string;
  outcome?: RunOutcome;
}

export interface BatchSummary {
  shard: Shard;
  total: number;
  items: ItemResult[];
  done: number;
  skipped: number;
  failed: number;
  notRun: number;
  seconds: number;
  /** True when every sub-tile of the shard is finished (done now or before). */
  ok: boolean;
}

const MAX_DELAY_MS = 300_000;
const defaultSleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));
const keyFromManifest = async (m: string): Promise<SubtileKey> => {
  const x = await loadManifest(m);
  return { tileId: x.tile_id, row: x.sub_tile_row, col: x.sub_tile_col };
};
const sameKey = (a: SubtileKey, b: SubtileKey) => String(a.tileId) === String(b.tileId) && a.row === b.row && a.col === b.col;
const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Removes temporary files a killed writer left for this sub-tile's products (`name.tmp-pid-rand`). */
async function removeStaleTemps(outdir: string, key: SubtileKey): Promise<void> {
  const names = Object.values(productNames(key));
  const entries = await readdir(outdir).catch(() => [] as string[]);
  for (const e of entries) if (names.some((n) => e.startsWith(`${n}.tmp-`))) await unlink(join(outdir, e)).catch(() => undefined);
}

export function shardLabel(s: Shard): string {
  return s.count !== undefined ? `${s.index}/${s.count}` : `${s.index}`;
}

export async function runBatch(o: BatchOptions): Promise<BatchSummary> {
  const t0 = Date.now();
  const log = o.log ?? (() => undefined);
  const sleep = o.sleep ?? defaultSleep;
  const keyOf = o.keyOf ?? keyFromManifest;
  const attemptsMax = o.attempts ?? 3;
  if (!Number.isInteger(attemptsMax) || attemptsMax < 1) throw new Error(`--retries ${attemptsMax}: attempts must be a positive integer`);
  const delay0 = o.retryDelayMs ?? 10_000;
  const indices = shardItems(o.manifests.length, o.shard, o.perTask);
  const label = shardLabel(o.shard);
  await mkdir(o.outdir, { recursive: true });
  log(`shard ${label} (${o.shard.source}): ${indices.length} of ${o.manifests.length} manifests → ${o.outdir}`);

  let runner: SubtileRunner | undefined;
  let runnerBroken: string | undefined; // the runner could not even be opened: no point going on
  const items: ItemResult[] = [];
  try {
    for (const [n, index] of indices.entries()) {
      const manifest = o.manifests[index]!;
      const tag = `[${n + 1}/${indices.length}]`;
      if (o.signal?.aborted || runnerBroken) {
        items.push({ index, manifest, status: 'not-run', attempts: 0, seconds: 0, ...(runnerBroken ? { error: runnerBroken } : {}) });
        continue;
      }
      const ti = Date.now();
      const tried: AttemptRecord[] = [];
      let key: SubtileKey | undefined;
      let result: ItemResult | undefined;
      for (let attempt = 1; attempt <= attemptsMax && !result; attempt++) {
        const ta = Date.now();
        let openingRunner = false;
        try {
          const fresh = !key;
          key ??= await keyOf(manifest);
          if (fresh && (await isSubtileDone(o.outdir, key.tileId, key.row, key.col))) {
            await clearFailure(o.outdir, key, manifest);
            await clearFailure(o.outdir, undefined, manifest);
            result = { index, manifest, key, status: 'skipped', attempts: 0, seconds: (Date.now() - ti) / 1000 };
            log(`${tag} ${subtileStem(key)} already done, skipped (${manifest})`);
            break;
          }
          await removeStaleTemps(o.outdir, key);
          if (!runner) {
            openingRunner = true;
            runner = await o.runner();
            openingRunner = false;
          }
          log(`${tag} ${subtileStem(key)} running${attempt > 1 ? ` (attempt ${attempt} of ${attemptsMax})` : ''}: ${manifest}`);
          const outcome = await runner.run(manifest, o.outdir, o.runOptions ?? {});
          if (!sameKey(outcome, key))
            throw new Error(`the run reported sub-tile ${subtileStem(outcome)} but ${manifest} is ${subtileStem(key)}`);
          if (!(await isSubtileDone(o.outdir, key.tileId, key.row, key.col)))
            throw new Error(`the run finished but left no valid done-marker (${productNames(key).done}) in ${o.outdir}`);
          await clearFailure(o.outdir, key, manifest);
          await clearFailure(o.outdir, undefined, manifest);
          result = { index, manifest, key, status: 'done', attempts: attempt, seconds: (Date.now() - ti) / 1000, outcome };
          log(`${tag} ${subtileStem(key)} done in ${((Date.now() - ta) / 1000).toFixed(1)} s${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
        } catch (e) {
          const error = openingRunner ? `could not start the runner: ${msg(e)}` : msg(e);
          tried.push({ attempt, started: new Date(ta).toISOString(), seconds: (Date.now() - ta) / 1000, error });
          const permanent = isPermanent(e);
          const last = permanent || attempt === attemptsMax || !!o.signal?.aborted;
          log(`${tag} ${key ? subtileStem(key) : manifest} attempt ${attempt} failed${last ? '' : ', will retry'}: ${error}`);
          if (last) {
            const failureFile = await writeFailure(o.outdir, key, { manifest, error, permanent, attempts: tried, shard: label });
            result = { index, manifest, ...(key ? { key } : {}), status: 'failed', attempts: attempt, seconds: (Date.now() - ti) / 1000, error, failureFile };
            if (openingRunner) runnerBroken = error;
            break;
          }
          if (runner?.recover) await runner.recover().catch((re) => log(`${tag} runner recovery failed: ${msg(re)}`));
          await sleep(Math.min(MAX_DELAY_MS, delay0 * 2 ** (attempt - 1)));
        }
      }
      items.push(result!);
    }
  } finally {
    await runner?.close().catch((e) => log(`closing the runner failed: ${msg(e)}`));
  }
  const count = (s: ItemStatus) => items.filter((i) => i.status === s).length;
  const summary: BatchSummary = {
    shard: o.shard,
    total: o.manifests.length,
    items,
    done: count('done'),
    skipped: count('skipped'),
    failed: count('failed'),
    notRun: count('not-run'),
    seconds: (Date.now() - t0) / 1000,
    ok: items.every((i) => i.status === 'done' || i.status === 'skipped'),
  };
  await writeFileAtomic(join(o.outdir, summaryName(o.shard)), `${JSON.stringify(summaryJson(summary), null, 1)}\n`);
  return summary;
}

/** batch_shard_{I}_of_{N}.json: the last summary of this shard (not a product; assemble ignores it). */
export function summaryName(s: Shard): string {
  return s.count !== undefined ? `batch_shard_${s.index}_of_${s.count}.json` : `batch_shard_${s.index}.json`;
}

function summaryJson(s: BatchSummary) {
  return {
    shard: { index: s.shard.index, count: s.shard.count ?? null, source: s.shard.source },
    ok: s.ok,
    done: s.done,
    skipped: s.skipped,
    failed: s.failed,
    not_run: s.notRun,
    seconds: s.seconds,
    written: new Date().toISOString(),
    items: s.items.map((i) => ({
      manifest: i.manifest,
      subtile: i.key ? subtileStem(i.key) : null,
      status: i.status,
      attempts: i.attempts,
      seconds: i.seconds,
      ...(i.error ? { error: i.error } : {}),
      ...(i.outcome?.info ? { info: i.outcome.info } : {}),
    })),
  };
}

/** The human summary printed at the end of a task. */
export function formatSummary(s: BatchSummary): string {
  const lines = [`shard ${shardLabel(s.shard)}: ${s.items.length} sub-tile${s.items.length === 1 ? '' : 's'} — ${s.done} done, ${s.skipped} skipped (already done), ${s.failed} failed${s.notRun ? `, ${s.notRun} not run` : ''} in ${s.seconds.toFixed(1)} s`];
  const ran = s.items.filter((i) => i.status === 'done');
  if (ran.length) {
    const t = ran.map((i) => i.seconds);
    lines.push(`  run time per sub-tile: mean ${(t.reduce((a, b) => a + b, 0) / t.length).toFixed(1)} s, max ${Math.max(...t).toFixed(1)} s`);
  }
  for (const i of s.items) {
    if (i.status === 'failed') lines.push(`  FAILED ${i.key ? subtileStem(i.key) : i.manifest} after ${i.attempts} attempt(s): ${i.error} (record: ${i.failureFile})`);
    if (i.status === 'not-run') lines.push(`  not run: ${i.manifest}${i.error ? ` (${i.error})` : ''}`);
  }
  return lines.join('\n');
}
