// Local files in Node: positional reads, size from stat. node:fs is imported lazily so the
// module stays importable in the browser bundle (where openSource never picks it).
import { StorageError, type ByteSource, type ProgressFn } from './types';

type FsPromises = typeof import('node:fs/promises');
let fsPromise: Promise<FsPromises> | null = null;
function fs(): Promise<FsPromises> {
  // A variable specifier keeps bundlers from trying to resolve node:fs for the browser.
  const spec = 'node:fs/promises';
  fsPromise ??= import(/* @vite-ignore */ spec) as Promise<FsPromises>;
  return fsPromise;
}

/** Progress is reported per chunk of this size for large reads. */
const CHUNK = 8 << 20;

function localError(path: string, e: unknown): StorageError {
  const code = (e as { code?: string }).code;
  const msg =
    code === 'ENOENT' ? 'no such file'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'is a directory, not a file'
    : code === 'ENOTDIR' ? 'a parent of this path is not a directory'
    : `cannot read: ${(e as Error).message ?? String(e)}`;
  return new StorageError(path, msg);
}

/** `file:///a/b` → `/a/b`; other strings are already paths. */
export function filePathOf(u: string): string {
  if (/^file:/i.test(u)) return decodeURIComponent(new URL(u).pathname);
  return u;
}

export class LocalFileSource implements ByteSource {
  bytesFetched = 0;
  private sizeCache: number | null = null;
  private readonly path: string;

  constructor(readonly url: string) {
    this.path = filePathOf(url);
  }

  async size(): Promise<number> {
    if (this.sizeCache !== null) return this.sizeCache;
    const f = await fs();
    let st;
    try {
      st = await f.stat(this.path);
    } catch (e) {
      throw localError(this.url, e);
    }
    if (st.isDirectory()) throw new StorageError(this.url, 'is a directory, not a file');
    this.sizeCache = st.size;
    return st.size;
  }

  async read(offset: number, length: number, onProgress?: ProgressFn): Promise<Uint8Array> {
    if (!(offset >= 0) || !(length >= 0) || !Number.isFinite(offset + length)) {
      throw new StorageError(this.url, `invalid range offset=${offset} length=${length}`);
    }
    const size = await this.size();
    const end = Math.min(size, offset + length);
    const n = Math.max(0, end - offset);
    const out = new Uint8Array(n);
    if (n === 0) return out;
    const f = await fs();
    let handle;
    try {
      handle = await f.open(this.path, 'r');
    } catch (e) {
      throw localError(this.url, e);
    }
    try {
      let got = 0;
      while (got < n) {
        const want = Math.min(CHUNK, n - got);
        const { bytesRead } = await handle.read(out, got, want, offset + got);
        if (bytesRead === 0) break; // file shrank under us
        got += bytesRead;
        this.bytesFetched += bytesRead;
        onProgress?.({ loaded: got, total: n, url: this.url });
      }
      return got === n ? out : out.subarray(0, got);
    } catch (e) {
      throw localError(this.url, e);
    } finally {
      await handle.close();
    }
  }
}
