// Resolving the paths a manifest holds against the manifest's own location.
// Browser-safe: no node:path, plain string work for local paths.

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/** The URL scheme in lower case ('https', 's3', 'file'…), or '' for a plain path (incl. Windows `C:\…`). */
export function schemeOf(u: string): string {
  const m = SCHEME.exec(u);
  if (!m) return '';
  if (m[1].length === 1) return ''; // a Windows drive letter, not a scheme
  return m[1].toLowerCase();
}

export function isRemote(u: string): boolean {
  const s = schemeOf(u);
  return s === 'http' || s === 'https' || s === 's3';
}

/** Normalise '.' and '..' segments of a '/'-separated path, keeping a leading '/' and leading '..'s. */
export function normalisePath(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const body = out.join('/');
  return abs ? `/${body}` : body === '' ? '.' : body;
}

function dirnameOf(p: string): string {
  const i = p.lastIndexOf('/');
  if (i < 0) return '';
  return p.slice(0, i + 1);
}

/**
 * Resolve `ref` (as written in a manifest) against `base` (the manifest's URL or path).
 * Absolute refs (`https://`, `http://`, `s3://`, `file://`, `/abs/path`) are returned as they are
 * (an absolute path against an http(s) base becomes a path on that host, as in a browser).
 */
export function resolveUrl(base: string, ref: string): string {
  const r = ref.trim();
  if (r === '') throw new Error(`empty path to resolve against ${base}`);
  if (schemeOf(r) !== '') return r;
  const bs = schemeOf(base);
  if (bs === 'http' || bs === 'https' || bs === 'file') return new URL(r, base).href;
  if (bs === 's3') {
    // s3://bucket/dir/manifest.yaml: keys are plain strings, do not percent-encode them.
    const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(base);
    if (!m) throw new Error(`not an s3 URL: ${base}`);
    const key = r.startsWith('/') ? r : dirnameOf(m[2]) + r;
    const norm = normalisePath(key).replace(/^\/+/, '');
    return `s3://${m[1]}/${norm}`;
  }
  if (bs === '') {
    if (r.startsWith('/') || /^[a-z]:[\\/]/i.test(r)) return r;
    const b = base.replace(/\\/g, '/');
    return normalisePath(dirnameOf(b) + r);
  }
  // blob:, data: and other bases have no directory: the ref stands on its own.
  return r;
}
