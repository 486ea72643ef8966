// HTTP(S) byte ranges: `Range: bytes=a-b`, 206 or (server ignoring Range) 200, idle timeouts,
// retries of transient failures, progress while the body streams. S3 reuses it with a signer.
import { StorageError, type ByteSource, type ProgressFn, type StorageOptions } from './types';

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Turns a plain request into the one to send (S3 SigV4 signing). */
export type RequestSigner = (url: string, init: { method: string; headers: Record<string, string> }) => Promise<Request>;

/** Failures worth another try: 5xx and network errors (never 4xx, never our own timeout). */
class TransientError extends StorageError {}

// Node's fetch would inflate a gzip Content-Encoding and break byte offsets: ask for identity there.
// Browsers drop the header (forbidden) and send identity for ranged requests themselves; not sending
// it there also keeps it out of S3 signatures.
const IDENTITY: Record<string, string> =
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string' ? { 'Accept-Encoding': 'identity' } : {};

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Idle timer: aborts the request when neither headers nor body bytes arrive for `ms`. */
class IdleTimer {
  readonly controller = new AbortController();
  timedOut = false;
  private handle: ReturnType<typeof setTimeout> | undefined;
  constructor(private readonly ms: number) {
    this.touch();
  }
  touch(): void {
    clearTimeout(this.handle);
    this.handle = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.ms);
  }
  stop(): void {
    clearTimeout(this.handle);
  }
}

function causeText(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const c = err?.cause;
  if (c?.code) return c.code;
  if (c?.message) return c.message;
  return err?.message ?? String(e);
}

// Content-Range: "bytes a-b/total" or "bytes (star)/total".
export function parseContentRange(v: string | null): { start: number; end: number; total: number | null } | { total: number } | null {
  if (!v) return null;
  let m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(v);
  if (m) return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? null : Number(m[3]) };
  m = /^\s*bytes\s+\*\/(\d+)\s*$/i.exec(v);
  if (m) return { total: Number(m[1]) };
  return null;
}

export class HttpSource implements ByteSource {
  bytesFetched = 0;
  private sizeCache: number | null = null;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly fetchFn: typeof fetch;

  /**
   * @param url the name used in errors (the s3:// URL for S3)
   * @param fetchUrl the http(s) URL actually requested
   */
  constructor(
    readonly url: string,
    readonly fetchUrl: string,
    private readonly opts: StorageOptions = {},
    private readonly signer?: RequestSigner,
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = opts.retries ?? 2;
    this.retryDelayMs = opts.retryDelayMs ?? 250;
    this.fetchFn = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  private where(): string {
    return this.fetchUrl === this.url ? '' : ` (${this.fetchUrl})`;
  }

  /** Retry transient failures with exponential backoff. */
  private async withRetry<T>(op: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (e) {
        if (!(e instanceof TransientError) || attempt >= this.retries) throw e;
        await sleep(this.retryDelayMs * 2 ** attempt);
      }
    }
  }

  /** One request; returns the response (any status) with its timer still running for the body. */
  private async send(method: string, headers: Record<string, string>): Promise<{ res: Response; timer: IdleTimer }> {
    const timer = new IdleTimer(this.timeoutMs);
    const all = { ...this.opts.headers, ...headers };
    try {
      const res = this.signer
        ? await this.fetchFn(await this.signer(this.fetchUrl, { method, headers: all }), { signal: timer.controller.signal })
        : await this.fetchFn(this.fetchUrl, { method, headers: all, signal: timer.controller.signal });
      timer.touch();
      return { res, timer };
    } catch (e) {
      timer.stop();
      throw this.fetchFailure(e, timer);
    }
  }

  private fetchFailure(e: unknown, timer: IdleTimer): StorageError {
    if (e instanceof StorageError) return e;
    if (timer.timedOut) return new StorageError(this.url, `no answer within ${this.timeoutMs / 1000} s${this.where()}`);
    return new TransientError(this.url, `network error: ${causeText(e)}${this.where()}`);
  }

  /** An error for a non-success status; reads S3's XML error code when there is one. */
  private async statusError(res: Response, timer: IdleTimer): Promise<StorageError> {
    let detail = '';
    try {
      const text = (await res.text()).slice(0, 4000);
      const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
      const msg = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
      if (code) detail = ` [${code}${msg ? `: ${msg}` : ''}]`;
    } catch {
      // the body is only a hint; the status says enough
    } finally {
      timer.stop();
    }
    const s = res.status;
    const w = this.where();
    if (s === 403) return new StorageError(this.url, `access denied (HTTP 403)${detail}${w} — check the bucket policy or credentials`, s);
    if (s === 401) return new StorageError(this.url, `authentication required (HTTP 401)${detail}${w}`, s);
    if (s === 404) return new StorageError(this.url, `not found (HTTP 404)${detail}${w}`, s);
    const text = `HTTP ${s}${res.statusText ? ` ${res.statusText}` : ''}${detail}${w}`;
    return s >= 500 ? new TransientError(this.url, text, s) : new StorageError(this.url, text, s);
  }

  async size(): Promise<number> {
    if (this.sizeCache !== null) return this.sizeCache;
    const n = await this.withRetry(async () => {
      const head = await this.send('HEAD', { ...IDENTITY });
      head.timer.stop();
      const len = head.res.headers.get('content-length');
      const enc = head.res.headers.get('content-encoding');
      if (head.res.ok && len !== null && (!enc || enc === 'identity')) return Number(len);
      if (head.res.status === 403 || head.res.status === 404 || head.res.status === 401) {
        throw await this.statusError(head.res, head.timer);
      }
      // HEAD not allowed or without a length: ask for one byte and read the total from Content-Range.
      const { res, timer } = await this.send('GET', { Range: 'bytes=0-0', ...IDENTITY });
      if (res.status === 206 || res.status === 416) {
        timer.stop();
        await res.body?.cancel();
        const cr = parseContentRange(res.headers.get('content-range'));
        if (cr && cr.total !== null) return cr.total;
        throw new StorageError(this.url, `server sent no total size in Content-Range ("${res.headers.get('content-range')}")${this.where()}; a cross-origin server must list Content-Range in Access-Control-Expose-Headers`);
      }
      if (res.status === 200) {
        timer.stop();
        const l = res.headers.get('content-length');
        await res.body?.cancel();
        if (l !== null) return Number(l);
        throw new StorageError(this.url, `server reports no size (no Content-Length, no Range support)${this.where()}`);
      }
      throw await this.statusError(res, timer);
    });
    this.sizeCache = n;
    return n;
  }

  async read(offset: number, length: number, onProgress?: ProgressFn): Promise<Uint8Array> {
    if (!(offset >= 0) || !(length >= 0) || !Number.isFinite(offset + length)) {
      throw new StorageError(this.url, `invalid range offset=${offset} length=${length}`);
    }
    if (this.sizeCache !== null) length = Math.max(0, Math.min(length, this.sizeCache - offset));
    if (length === 0) return new Uint8Array(0);
    return this.withRetry(() => this.readOnce(offset, length, onProgress));
  }

  private async readOnce(offset: number, length: number, onProgress?: ProgressFn): Promise<Uint8Array> {
    const last = offset + length - 1;
    const { res, timer } = await this.send('GET', { Range: `bytes=${offset}-${last}`, ...IDENTITY });
    try {
      if (res.status === 416) {
        // Range starts at or past the end: an empty read, as for any source clipped to its end.
        await res.body?.cancel();
        const cr = parseContentRange(res.headers.get('content-range'));
        if (cr && cr.total !== null) this.sizeCache = cr.total;
        return new Uint8Array(0);
      }
      let skip: number; // bytes of the body before the slice we want
      let want: number;
      if (res.status === 206) {
        const cr = parseContentRange(res.headers.get('content-range'));
        if (cr && 'start' in cr) {
          if (cr.start !== offset) {
            await res.body?.cancel();
            throw new StorageError(this.url, `server answered range ${cr.start}-${cr.end} when asked for ${offset}-${last}${this.where()}`);
          }
          if (cr.total !== null) this.sizeCache = cr.total;
          want = Math.min(length, cr.end - cr.start + 1);
        } else {
          want = length;
        }
        skip = 0;
      } else if (res.status === 200) {
        // Range ignored: the whole file comes; keep only our slice and stop once we have it.
        const l = res.headers.get('content-length');
        const enc = res.headers.get('content-encoding');
        if (l !== null && (!enc || enc === 'identity')) this.sizeCache = Number(l);
        skip = offset;
        want = this.sizeCache !== null ? Math.max(0, Math.min(length, this.sizeCache - offset)) : length;
      } else {
        throw await this.statusError(res, timer);
      }
      return await this.readBody(res, timer, skip, want, res.status === 206, onProgress);
    } catch (e) {
      throw this.fetchFailure(e, timer);
    } finally {
      timer.stop();
    }
  }

  /** Stream the body, dropping `skip` bytes and keeping `want`; progress per chunk. */
  private async readBody(
    res: Response,
    timer: IdleTimer,
    skip: number,
    want: number,
    exact: boolean,
    onProgress?: ProgressFn,
  ): Promise<Uint8Array> {
    const out = new Uint8Array(want);
    if (!res.body) {
      if (want > 0) throw new TransientError(this.url, `empty response body${this.where()}`);
      return out;
    }
    const reader = res.body.getReader();
    let pos = 0; // position in the body
    let got = 0; // bytes of the slice received
    while (got < want) {
      const { done, value } = await reader.read();
      if (done) break;
      timer.touch();
      this.bytesFetched += value.length;
      const from = Math.max(0, skip - pos);
      const to = Math.min(value.length, skip + want - pos);
      if (to > from) {
        out.set(value.subarray(from, to), got);
        got += to - from;
        onProgress?.({ loaded: got, total: want, url: this.url });
      }
      pos += value.length;
    }
    await reader.cancel().catch(() => undefined);
    if (got < want) {
      // A 206 that stops short is a broken transfer; a 200 that ends early just means the file is shorter.
      if (exact) throw new TransientError(this.url, `connection closed after ${got} of ${want} bytes${this.where()}`);
      return out.subarray(0, got);
    }
    return out;
  }
}
