import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSource, openSource, resolveUrl, s3HttpsUrl, s3Settings, StorageError, type ReadProgress } from './index';

// 300 kB of bytes that differ from their neighbours, so a wrong offset shows.
const DATA = new Uint8Array(300_000);
for (let i = 0; i < DATA.length; i++) DATA[i] = (i * 2654435761) >>> 24;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}
const seen: Seen[] = [];
let flakyCount = 0;
let server: Server;
let base = '';

/** Write a body in 16 kB pieces so progress callbacks fire several times. */
async function writeChunked(res: ServerResponse, body: Uint8Array): Promise<void> {
  for (let i = 0; i < body.length; i += 16384) {
    const ok = res.write(body.subarray(i, i + 16384));
    if (!ok) await new Promise((r) => res.once('drain', r));
  }
  res.end();
}

function serveRanged(req: IncomingMessage, res: ServerResponse): void {
  const range = req.headers.range;
  if (req.method === 'HEAD') {
    res.writeHead(200, { 'Content-Length': DATA.length, 'Accept-Ranges': 'bytes' });
    res.end();
    return;
  }
  const m = range ? /^bytes=(\d+)-(\d*)$/.exec(range) : null;
  if (!m) {
    res.writeHead(200, { 'Content-Length': DATA.length });
    void writeChunked(res, DATA);
    return;
  }
  const a = Number(m[1]);
  if (a >= DATA.length) {
    res.writeHead(416, { 'Content-Range': `bytes */${DATA.length}` });
    res.end();
    return;
  }
  const b = Math.min(DATA.length - 1, m[2] === '' ? DATA.length - 1 : Number(m[2]));
  res.writeHead(206, { 'Content-Range': `bytes ${a}-${b}/${DATA.length}`, 'Content-Length': b - a + 1 });
  void writeChunked(res, DATA.subarray(a, b + 1));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const path = (req.url ?? '').split('?')[0];
    if (path === '/data.bin' || path === '/bucket/dir/key.fits') return serveRanged(req, res);
    if (path === '/norange.bin') {
      // Ignores Range, and HEAD is not allowed: size must come from a GET.
      if (req.method === 'HEAD') {
        res.writeHead(405);
        res.end();
        return;
      }
      res.writeHead(200, { 'Content-Length': DATA.length });
      void writeChunked(res, DATA);
      return;
    }
    if (path === '/forbidden') {
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      res.end(req.method === 'HEAD' ? undefined : '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      return;
    }
    if (path === '/flaky') {
      flakyCount++;
      if (flakyCount <= 2) {
        res.writeHead(503);
        res.end();
        return;
      }
      return serveRanged(req, res);
    }
    if (path === '/error500') {
      res.writeHead(500);
      res.end();
      return;
    }
    if (path === '/hang') return; // never answers
    if (path === '/stall-body') {
      res.writeHead(206, { 'Content-Range': `bytes 0-99999/${DATA.length}`, 'Content-Length': 100000 });
      res.write(DATA.subarray(0, 1000)); // then nothing more
      return;
    }
    res.writeHead(404);
    res.end('no such thing');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no server address');
  base = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

async function expectStorageError(p: Promise<unknown>, ...parts: string[]): Promise<StorageError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StorageError);
  for (const s of parts) expect((e as Error).message).toContain(s);
  return e as StorageError;
}

describe('HTTP', () => {
  it('reads ranges (206), size via HEAD, progress and bytesFetched', async () => {
    const url = `${base}/data.bin`;
    const src = openSource(url);
    expect(await src.size()).toBe(DATA.length);
    const events: ReadProgress[] = [];
    const got = await src.read(12345, 100_000, (p) => events.push(p));
    expect(got).toEqual(DATA.subarray(12345, 112345));
    expect(src.bytesFetched).toBe(100_000);
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1)).toEqual({ loaded: 100_000, total: 100_000, url });
    for (let i = 1; i < events.length; i++) expect(events[i].loaded).toBeGreaterThan(events[i - 1].loaded);
    const last = seen.filter((s) => s.url === '/data.bin').at(-1)!;
    expect(last.headers.range).toBe('bytes=12345-112344');
  });

  it('clips reads at the end of the file', async () => {
    const src = openSource(`${base}/data.bin`);
    expect(await src.read(DATA.length - 10, 100)).toEqual(DATA.subarray(DATA.length - 10));
    expect((await src.read(DATA.length + 5, 10)).length).toBe(0);
    expect((await src.read(0, 0)).length).toBe(0);
  });

  it('a server that ignores Range (200) still yields the right slice; size without HEAD', async () => {
    const src = openSource(`${base}/norange.bin`);
    const got = await src.read(200_000, 5000);
    expect(got).toEqual(DATA.subarray(200_000, 205_000));
    // It stops reading once the slice is in: never more than the file.
    expect(src.bytesFetched).toBeGreaterThanOrEqual(205_000);
    expect(src.bytesFetched).toBeLessThanOrEqual(DATA.length);
    const src2 = openSource(`${base}/norange.bin`);
    expect(await src2.size()).toBe(DATA.length);
  });

  it('403 names the URL and says access denied', async () => {
    const url = `${base}/forbidden`;
    const e = await expectStorageError(openSource(url).read(0, 10), url, 'access denied', 'AccessDenied', 'bucket policy or credentials');
    expect(e.status).toBe(403);
    await expectStorageError(openSource(url).size(), url, 'access denied');
  });

  it('404 names the URL and says not found, without retrying', async () => {
    const url = `${base}/missing.fits`;
    const before = seen.filter((s) => s.url === '/missing.fits').length;
    const e = await expectStorageError(openSource(url, { retryDelayMs: 1 }).read(0, 10), url, 'not found');
    expect(e.status).toBe(404);
    expect(seen.filter((s) => s.url === '/missing.fits').length - before).toBe(1);
  });

  it('times out a server that never answers, naming the URL', async () => {
    const url = `${base}/hang`;
    const t0 = Date.now();
    await expectStorageError(openSource(url, { timeoutMs: 200 }).read(0, 10), url, 'no answer within 0.2 s');
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('times out a body that stalls', async () => {
    const url = `${base}/stall-body`;
    await expectStorageError(openSource(url, { timeoutMs: 200 }).read(0, 100_000), url, 'no answer within');
  });

  it('retries 5xx with backoff, then succeeds', async () => {
    flakyCount = 0;
    const src = openSource(`${base}/flaky`, { retries: 2, retryDelayMs: 5 });
    expect(await src.read(10, 20)).toEqual(DATA.subarray(10, 30));
    expect(flakyCount).toBe(3);
  });

  it('gives up after the retries with the status in the message', async () => {
    const url = `${base}/error500`;
    const before = seen.filter((s) => s.url === '/error500').length;
    const e = await expectStorageError(openSource(url, { retries: 2, retryDelayMs: 1 }).read(0, 10), url, 'HTTP 500');
    expect(e.status).toBe(500);
    expect(seen.filter((s) => s.url === '/error500').length - before).toBe(3);
  });

  it('network failure names the URL', async () => {
    // A port nobody listens on: take one from a server we close at once.
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    const url = `http://127.0.0.1:${port}/x.fits`;
    await expectStorageError(openSource(url, { retries: 1, retryDelayMs: 1 }).read(0, 10), url, 'network error');
  });
});

describe('S3', () => {
  it('maps s3:// URLs to HTTPS', () => {
    expect(s3HttpsUrl('s3://euclid-q1/a/b c.fits', { region: 'eu-west-3', endpoint: null })).toBe(
      'https://euclid-q1.s3.eu-west-3.amazonaws.com/a/b%20c.fits',
    );
    expect(s3HttpsUrl('s3://my.bucket/k', { region: 'us-east-1', endpoint: null })).toBe('https://s3.us-east-1.amazonaws.com/my.bucket/k');
    expect(s3HttpsUrl('s3://b/dir/k.fits', { region: 'x', endpoint: 'http://minio:9000/' })).toBe('http://minio:9000/b/dir/k.fits');
    expect(() => s3HttpsUrl('s3://bucket', { region: 'x', endpoint: null })).toThrow(/no key/);
  });

  it('reads a range from s3://bucket/key through a path-style endpoint, unsigned', async () => {
    const src = openSource('s3://bucket/dir/key.fits', { endpoint: base, anonymous: true });
    expect(src.url).toBe('s3://bucket/dir/key.fits');
    expect(await src.read(1000, 50)).toEqual(DATA.subarray(1000, 1050));
    const last = seen.filter((s) => s.url === '/bucket/dir/key.fits').at(-1)!;
    expect(last.headers.authorization).toBeUndefined();
    expect(last.headers.range).toBe('bytes=1000-1049');
  });

  it('signs requests when credentials are given', async () => {
    const src = openSource('s3://bucket/dir/key.fits', {
      endpoint: base,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    expect(await src.read(5, 10)).toEqual(DATA.subarray(5, 15));
    const last = seen.filter((s) => s.url === '/bucket/dir/key.fits').at(-1)!;
    expect(last.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request/);
    expect(last.headers['x-amz-date']).toBeDefined();
    expect(last.headers.range).toBe('bytes=5-14');
  });

  it('takes region, endpoint and credentials from the environment in Node; options win', () => {
    const keys = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'S3_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_NO_SIGN_REQUEST'];
    const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    try {
      for (const k of keys) delete process.env[k];
      expect(s3Settings()).toEqual({ region: 'us-east-1', endpoint: null, credentials: null });
      process.env.AWS_REGION = 'eu-central-1';
      process.env.AWS_ENDPOINT_URL = 'http://minio.local:9000';
      process.env.AWS_ACCESS_KEY_ID = 'AK';
      process.env.AWS_SECRET_ACCESS_KEY = 'SK';
      expect(s3Settings()).toEqual({ region: 'eu-central-1', endpoint: 'http://minio.local:9000', credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: undefined } });
      expect(s3Settings({ region: 'us-west-2', endpoint: 'https://other', anonymous: true })).toEqual({ region: 'us-west-2', endpoint: 'https://other', credentials: null });
      expect(openSource('s3://b/k.fits').url).toBe('s3://b/k.fits');
      expect((openSource('s3://b/k.fits') as unknown as { fetchUrl: string }).fetchUrl).toBe('http://minio.local:9000/b/k.fits');
    } finally {
      for (const k of keys) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });

  it('S3 errors name the s3:// URL', async () => {
    await expectStorageError(openSource('s3://bucket/nope.fits', { endpoint: base, anonymous: true }).read(0, 1), 's3://bucket/nope.fits', 'not found');
  });
});

describe('local files and blobs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shearwb-storage-'));
  const file = join(dir, 'data.bin');
  writeFileSync(file, DATA);

  it('reads ranges of a local file, with progress', async () => {
    const src = openSource(file);
    expect(await src.size()).toBe(DATA.length);
    const events: ReadProgress[] = [];
    expect(await src.read(777, 1000, (p) => events.push(p))).toEqual(DATA.subarray(777, 1777));
    expect(events.at(-1)).toEqual({ loaded: 1000, total: 1000, url: file });
    expect(await src.read(DATA.length - 3, 10)).toEqual(DATA.subarray(DATA.length - 3));
    expect(src.bytesFetched).toBe(1003);
    const viaUrl = openSource(`file://${file}`);
    expect(await viaUrl.read(0, 4)).toEqual(DATA.subarray(0, 4));
  });

  it('missing and unreadable files name the path', async () => {
    const missing = join(dir, 'nope.fits');
    await expectStorageError(openSource(missing).read(0, 1), missing, 'no such file');
    await expectStorageError(openSource(dir).size(), dir, 'directory');
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.bin');
      writeFileSync(locked, 'x');
      chmodSync(locked, 0);
      await expectStorageError(openSource(locked).read(0, 1), locked, 'permission denied');
    }
  });

  it('reads slices of a Blob (dropped file) and files registered by name', async () => {
    const blob = new Blob([DATA]);
    const src = fileSource(blob, 'dropped.fits');
    expect(await src.size()).toBe(DATA.length);
    expect(await src.read(100, 10)).toEqual(DATA.subarray(100, 110));
    const viaMap = openSource('exposures/a.fits', { files: new Map([['exposures/a.fits', blob]]) });
    expect(await viaMap.read(3, 3)).toEqual(DATA.subarray(3, 6));
  });

  it('rejects unknown schemes', () => {
    expect(() => openSource('ftp://host/x')).toThrow(/unsupported URL scheme "ftp:"/);
  });
});

describe('resolveUrl', () => {
  it('resolves relative refs against paths and URLs', () => {
    expect(resolveUrl('/data/sub/manifest_local.yaml', 'exposures/a.fits')).toBe('/data/sub/exposures/a.fits');
    expect(resolveUrl('/data/sub/manifest_local.yaml', '../psf/./p.fits')).toBe('/data/psf/p.fits');
    expect(resolveUrl('manifest.yaml', 'catalog.fits')).toBe('catalog.fits');
    expect(resolveUrl('rel/dir/manifest.yaml', '../../../x.fits')).toBe('../x.fits');
    expect(resolveUrl('https://h.org/a/b/manifest.yaml?x=1', 'exposures/a.fits')).toBe('https://h.org/a/b/exposures/a.fits');
    expect(resolveUrl('https://h.org/a/b/manifest.yaml', '../c.fits')).toBe('https://h.org/a/c.fits');
    expect(resolveUrl('s3://bucket/tiles/t1/manifest.yaml', 'exposures/a b.fits')).toBe('s3://bucket/tiles/t1/exposures/a b.fits');
    expect(resolveUrl('s3://bucket/tiles/t1/manifest.yaml', '../psf/p.fits')).toBe('s3://bucket/tiles/psf/p.fits');
    expect(resolveUrl('file:///d/manifest.yaml', 'x.fits')).toBe('file:///d/x.fits');
  });
  it('keeps absolute refs', () => {
    for (const abs of ['s3://other/k.fits', 'https://x.org/k.fits', 'http://x.org/k', '/abs/k.fits']) {
      expect(resolveUrl('/data/manifest.yaml', abs)).toBe(abs);
    }
    expect(resolveUrl('s3://bucket/m.yaml', 'https://x.org/k.fits')).toBe('https://x.org/k.fits');
  });
});
