// Node only: atomic product writes and done-markers (DESIGN §6), so a killed job leaves either the
// old file or the new one, never a partial one, and a batch rerun skips finished sub-tiles.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { sha256Hex } from './metadata';
import { productNames, type SubtileKey, type TileId } from './names';

/** Hooks for tests to simulate a crash between steps. */
export interface AtomicHooks {
  beforeRename?: (tmpPath: string) => void | Promise<void>;
}

/** Write `bytes` to `path.tmp-<pid>-<rand>` in the same folder, fsync, rename over `path`. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string, hooks: AtomicHooks = {}): Promise<void> {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  const tmp = join(dirname(path), `${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fh;
  try {
    fh = await open(tmp, 'wx');
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await hooks.beforeRename?.(tmp);
    await rename(tmp, path);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw new Error(`${path}: could not write (${(e as Error).message})`);
  }
  // Make the rename itself durable; not every platform lets a directory be opened for fsync.
  try {
    const dh = await open(dirname(path), 'r');
    await dh.sync().catch(() => undefined);
    await dh.close();
  } catch {
    /* best effort */
  }
}

export interface DoneMarker {
  tile_id: number | string;
  sub_tile_row: number;
  sub_tile_col: number;
  files: Array<{ name: string; size: number; sha256: string }>;
}

export interface SubtileProducts extends SubtileKey {
  /** File name (no folder) → bytes, e.g. from `buildProducts`. */
  files: Record<string, Uint8Array | string>;
}

function markerPath(outdir: string, k: SubtileKey): string {
  return join(outdir, productNames(k).done);
}

/**
 * Write every file of one sub-tile atomically, then LAST the done-marker listing the files with
 * their sizes and SHA-256. Any older marker is removed first, so a crash midway never leaves a
 * marker that vouches for a mix of old and new files.
 */
export async function writeProducts(outdir: string, p: SubtileProducts, hooks: AtomicHooks = {}): Promise<DoneMarker> {
  await mkdir(outdir, { recursive: true });
  await unlink(markerPath(outdir, p)).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw new Error(`${markerPath(outdir, p)}: could not remove the old done-marker (${e.message})`);
  });
  const files: DoneMarker['files'] = [];
  for (const name of Object.keys(p.files).sort()) {
    if (name !== basename(name) || name.startsWith('.')) throw new Error(`writeProducts: '${name}' must be a plain file name inside ${outdir}`);
    const raw = p.files[name]!;
    const bytes = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw;
    await writeFileAtomic(join(outdir, name), bytes, hooks);
    files.push({ name, size: bytes.length, sha256: await sha256Hex(bytes) });
  }
  const tileId = typeof p.tileId === 'bigint' && !Number.isSafeInteger(Number(p.tileId)) ? String(p.tileId) : Number(p.tileId);
  const marker: DoneMarker = { tile_id: tileId, sub_tile_row: p.row, sub_tile_col: p.col, files };
  await writeFileAtomic(markerPath(outdir, p), `${JSON.stringify(marker, null, 1)}\n`, hooks);
  return marker;
}

/** The marker if it exists and parses, else undefined. */
export async function readDoneMarker(outdir: string, tileId: TileId, row: number, col: number): Promise<DoneMarker | undefined> {
  let text: string;
  try {
    text = await readFile(markerPath(outdir, { tileId, row, col }), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const m = JSON.parse(text) as DoneMarker;
    return Array.isArray(m.files) ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when the done-marker exists, names this sub-tile, and every file it lists exists with the
 * recorded size (and, with `verifyHashes`, the recorded SHA-256).
 */
export async function isSubtileDone(outdir: string, tileId: TileId, row: number, col: number, opts: { verifyHashes?: boolean } = {}): Promise<boolean> {
  const m = await readDoneMarker(outdir, tileId, row, col);
  if (!m || String(m.tile_id) !== String(tileId) || m.sub_tile_row !== row || m.sub_tile_col !== col || m.files.length === 0) return false;
  for (const f of m.files) {
    const path = join(outdir, f.name);
    try {
      const s = await stat(path);
      if (!s.isFile() || s.size !== f.size) return false;
      if (opts.verifyHashes && (await sha256Hex(new Uint8Array(await readFile(path)))) !== f.sha256) return false;
    } catch {
      return false;
    }
  }
  return true;
}
