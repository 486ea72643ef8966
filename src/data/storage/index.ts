// Entry of the storage layer: one ByteSource for any path or URL a manifest may hold.
import { BlobSource } from './blob';
import { HttpSource } from './http';
import { LocalFileSource } from './local';
import { resolveUrl, schemeOf } from './resolve';
import { openS3 } from './s3';
import { StorageError, type ByteSource, type StorageOptions } from './types';

export * from './types';
export { resolveUrl, schemeOf, isRemote, normalisePath } from './resolve';
export { fileSource, BlobSource } from './blob';
export { HttpSource, DEFAULT_TIMEOUT_MS } from './http';
export { LocalFileSource } from './local';
export { s3HttpsUrl, s3Settings, parseS3Url } from './s3';

function inNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * A ByteSource for `pathOrUrl`: `http(s)://`, `s3://bucket/key`, `file://` or a local path (Node only),
 * or a dropped file registered in `opts.files` under that name.
 */
export function openSource(pathOrUrl: string, opts: StorageOptions = {}): ByteSource {
  const dropped = opts.files?.get(pathOrUrl);
  if (dropped) return new BlobSource(dropped, pathOrUrl);
  const scheme = schemeOf(pathOrUrl);
  if (scheme === 'http' || scheme === 'https') return new HttpSource(pathOrUrl, pathOrUrl, opts);
  if (scheme === 's3') return openS3(pathOrUrl, opts);
  if (scheme === '' || scheme === 'file') {
    if (pathOrUrl.trim() === '') throw new StorageError(pathOrUrl, 'empty path');
    if (!inNode()) {
      throw new StorageError(pathOrUrl, 'a local path cannot be read in the browser: give an http(s):// or s3:// URL, or drop the files on the page');
    }
    return new LocalFileSource(pathOrUrl);
  }
  throw new StorageError(pathOrUrl, `unsupported URL scheme "${scheme}:" (use a path, file://, http(s):// or s3://)`);
}

/** Resolve `ref` against `base` and open it. */
export function openRelative(base: string, ref: string, opts?: StorageOptions): ByteSource {
  return openSource(resolveUrl(base, ref), opts);
}

/** Read a whole source (small files: manifests, catalogues). */
export async function readAll(src: ByteSource, onProgress?: Parameters<ByteSource['read']>[2]): Promise<Uint8Array> {
  const n = await src.size();
  return src.read(0, n, onProgress);
}
