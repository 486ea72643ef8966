// A small static file server with HTTP Range support: serves the built app and folders of
// sub-tiles (so the page reads FITS by range exactly as from S3/HTTPS). Loopback only by default.
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.yaml': 'text/yaml; charset=utf-8',
  '.yml': 'text/yaml; charset=utf-8',
  '.fits': 'application/fits',
  '.fz': 'application/fits',
  '.gz': 'application/gzip',
  '.parquet': 'application/vnd.apache.parquet',
  '.wgsl': 'text/plain; charset=utf-8',
};

export interface Mount {
  /** URL prefix, e.g. '/' or '/data/'. */
  prefix: string;
  dir: string;
}

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

function safeJoin(root: string, rel: string): string | null {
  const p = normalize(join(root, decodeURIComponent(rel)));
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep) ? p : null;
}

async function handle(mounts: Mount[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  // Longest prefix wins so '/data/' beats '/'.
  const mount = [...mounts].sort((a, b) => b.prefix.length - a.prefix.length).find((m) => url.pathname.startsWith(m.prefix));
  if (!mount) return void res.writeHead(404).end('not found');
  let path = safeJoin(resolve(mount.dir), url.pathname.slice(mount.prefix.length));
  if (!path) return void res.writeHead(403).end('forbidden');
  let st = await fs.stat(path).catch(() => null);
  if (st?.isDirectory()) {
    path = join(path, 'index.html');
    st = await fs.stat(path).catch(() => null);
  }
  if (!st || !st.isFile()) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${url.pathname}`);
  const headers: Record<string, string | number> = {
    'Content-Type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-cache',
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'Content-Range, Content-Length, ETag',
    ETag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`,
  };
  const range = req.headers.range?.match(/^bytes=(\d*)-(\d*)$/);
  if (range && (range[1] || range[2])) {
    let start = range[1] ? Number(range[1]) : Math.max(0, st.size - Number(range[2]));
    let end = range[1] && range[2] ? Math.min(Number(range[2]), st.size - 1) : st.size - 1;
    if (start >= st.size || start > end) {
      return void res.writeHead(416, { ...headers, 'Content-Range': `bytes */${st.size}` }).end();
    }
    start = Math.max(0, start);
    end = Math.max(start, end);
    res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${st.size}`, 'Content-Length': end - start + 1 });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': st.size });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(path).pipe(res);
}

export async function startStaticServer(mounts: Mount[], opts: { port?: number; host?: string } = {}): Promise<StaticServer> {
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Headers': 'Range',
        'Access-Control-Allow-Methods': 'GET, HEAD',
      });
      return void res.end();
    }
    handle(mounts, req, res).catch((e: Error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e.message));
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => ok());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    url: `http://${host}:${port}`,
    server,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
