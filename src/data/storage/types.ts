// The one interface every reader of bytes goes through: local files, HTTP(S), S3, in-memory.
// FITS reads headers and single HDUs by range, so a multi-GB file costs only what is used.

export interface ReadProgress {
  /** Bytes received so far for this read. */
  loaded: number;
  /** Bytes this read asked for. */
  total: number;
  url: string;
}

export type ProgressFn = (p: ReadProgress) => void;

export interface ByteSource {
  /** Where the bytes come from (URL or path), used in every error message. */
  readonly url: string;
  /** Total size in bytes. */
  size(): Promise<number>;
  /** Bytes [offset, offset+length), clipped to the end of the source. */
  read(offset: number, length: number, onProgress?: ProgressFn): Promise<Uint8Array>;
  /** Total bytes fetched from the backing store so far (for tests and the loading view). */
  readonly bytesFetched: number;
}

/** An error reading bytes: always names the URL or path and what went wrong. */
export class StorageError extends Error {
  constructor(
    readonly url: string,
    message: string,
    readonly status?: number,
  ) {
    super(`${url}: ${message}`);
    this.name = 'StorageError';
  }
}

/** Bytes already in memory (tests, drag-and-dropped files, decompressed .gz). */
export class MemorySource implements ByteSource {
  bytesFetched = 0;
  constructor(
    readonly url: string,
    private readonly bytes: Uint8Array,
  ) {}
  async size(): Promise<number> {
    return this.bytes.length;
  }
  async read(offset: number, length: number, onProgress?: ProgressFn): Promise<Uint8Array> {
    if (offset < 0 || length < 0) throw new StorageError(this.url, `invalid range offset=${offset} length=${length}`);
    const end = Math.min(this.bytes.length, offset + length);
    const out = this.bytes.subarray(Math.min(offset, end), end);
    this.bytesFetched += out.length;
    onProgress?.({ loaded: out.length, total: out.length, url: this.url });
    return out;
  }
}
