// Structured failure records: failed_{tile}_{row}_{col}.json beside the products, written
// atomically when a sub-tile has used all its attempts and removed once a later run succeeds.
// A manifest that cannot even be read has no key yet; its record is failed_manifest_{hash}.json.
import { createHash } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../data/products/atomic';
import { subtileStem, type SubtileKey } from '../../data/products/names';

export interface AttemptRecord {
  attempt: number;
  started: string;
  seconds: number;
  error: string;
}

export interface FailureRecord {
  manifest: string;
  tile_id?: number | string;
  sub_tile_row?: number;
  sub_tile_col?: number;
  /** The last attempt's error. */
  error: string;
  /** True when the error was judged permanent (no retry would help). */
  permanent: boolean;
  attempts: AttemptRecord[];
  shard: string;
  host: string;
  pid: number;
  written: string;
}

export function failureName(key: SubtileKey | undefined, manifest: string): string {
  if (key) return `failed_${subtileStem(key)}.json`;
  return `failed_manifest_${createHash('sha256').update(manifest).digest('hex').slice(0, 12)}.json`;
}

export async function writeFailure(
  outdir: string,
  key: SubtileKey | undefined,
  rec: Omit<FailureRecord, 'host' | 'pid' | 'written' | 'tile_id' | 'sub_tile_row' | 'sub_tile_col'>,
): Promise<string> {
  const path = join(outdir, failureName(key, rec.manifest));
  const tile = key ? (typeof key.tileId === 'bigint' && !Number.isSafeInteger(Number(key.tileId)) ? String(key.tileId) : Number(key.tileId)) : undefined;
  const full: FailureRecord = {
    manifest: rec.manifest,
    ...(key ? { tile_id: tile, sub_tile_row: key.row, sub_tile_col: key.col } : {}),
    error: rec.error,
    permanent: rec.permanent,
    attempts: rec.attempts,
    shard: rec.shard,
    host: hostname(),
    pid: process.pid,
    written: new Date().toISOString(),
  };
  await writeFileAtomic(path, `${JSON.stringify(full, null, 1)}\n`);
  return path;
}

/** Removes a stale failure record (after a success); true when there was one. */
export async function clearFailure(outdir: string, key: SubtileKey | undefined, manifest: string): Promise<boolean> {
  try {
    await unlink(join(outdir, failureName(key, manifest)));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new Error(`${join(outdir, failureName(key, manifest))}: could not remove the stale failure record (${(e as Error).message})`);
  }
}

export async function readFailure(outdir: string, key: SubtileKey | undefined, manifest: string): Promise<FailureRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(outdir, failureName(key, manifest)), 'utf8')) as FailureRecord;
  } catch {
    return undefined;
  }
}
