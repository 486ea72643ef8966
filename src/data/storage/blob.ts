// Files the user dropped on the page (File is a Blob): slices are read on demand, nothing copied up front.
import { StorageError, type ByteSource, type ProgressFn } from './types';

export class BlobSource implements ByteSource {
  bytesFetched = 0;
  constructor(
    private readonly blob: Blob,
    readonly url: string,
  ) {}

  async size(): Promise<number> {
    return this.blob.size;
  }

  async read(offset: number, length: number, onProgress?: ProgressFn): Promise<Uint8Array> {
    if (!(offset >= 0) || !(length >= 0)) {
      throw new StorageError(this.url, `invalid range offset=${offset} length=${length}`);
    }
    const end = Math.min(this.blob.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    let buf: ArrayBuffer;
    try {
      buf = await this.blob.slice(offset, end).arrayBuffer();
    } catch (e) {
      throw new StorageError(this.url, `cannot read the file: ${(e as Error).message ?? String(e)}`);
    }
    this.bytesFetched += buf.byteLength;
    onProgress?.({ loaded: buf.byteLength, total: end - offset, url: this.url });
    return new Uint8Array(buf);
  }
}

/** A ByteSource over a dropped File or any Blob; `name` (default: the File's name) is used in errors. */
export function fileSource(file: Blob, name?: string): ByteSource {
  const n = name ?? (file as Partial<File>).name ?? 'blob';
  return new BlobSource(file, n);
}
