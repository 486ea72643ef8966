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

/** S3 credentials; when given, requests are signed (SigV4) instead of sent anonymously. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface StorageOptions {
  /** Per-request idle timeout in ms (no headers or no body bytes for this long); default 60 000. */
  timeoutMs?: number;
  /** Retries of transient failures (HTTP 5xx, network errors); default 2. 4xx are never retried. */
  retries?: number;
  /** First retry delay in ms, doubled each time; default 250. */
  retryDelayMs?: number;
  /** S3 region (default: AWS_REGION / AWS_DEFAULT_REGION in Node, else us-east-1). */
  region?: string;
  /** S3-compatible endpoint (MinIO, Ceph…): path-style `{endpoint}/{bucket}/{key}`. Default: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL in Node, else AWS virtual-hosted. */
  endpoint?: string;
  /** S3 credentials: sign requests. Without them (and without AWS_ACCESS_KEY_ID in Node) requests are anonymous. */
  credentials?: S3Credentials;
  /** Never sign S3 requests, even if credentials are found in the environment. */
  anonymous?: boolean;
  /** Extra HTTP headers for every request. */
  headers?: Record<string, string>;
  /** Files already in hand (browser drag-and-drop), keyed by the path a manifest would use. */
  files?: Map<string, Blob>;
  /** fetch to use (tests, proxies); default globalThis.fetch. */
  fetch?: typeof fetch;
}
