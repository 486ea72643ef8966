// Builds the web app (workbench + headless page) into dist/ when it is missing or older than
// the sources, so `serve`, `run` and `render` work right after `npm ci` on a fresh clone.
import { existsSync, statSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST_DIR = join(REPO_ROOT, 'dist');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export function appIsStale(): boolean {
  const stamp = join(DIST_DIR, 'index.html');
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const sources = ['src', 'shaders', 'worker', 'public', 'index.html', 'vite.config.ts'].map((p) => join(REPO_ROOT, p));
  return sources.some((p) => existsSync(p) && (statSync(p).isDirectory() ? newestMtime(p) : statSync(p).mtimeMs) > built);
}

export async function ensureAppBuilt(opts: { force?: boolean; quiet?: boolean } = {}): Promise<string> {
  if (!opts.force && !appIsStale()) return DIST_DIR;
  if (!opts.quiet) process.stderr.write('shearwb: building the web app (vite build)…\n');
  const { build } = await import('vite');
  // Build beside dist/ and swap it in, so a concurrent reader never sees a half-written app.
  const tmp = `${DIST_DIR}.tmp-${process.pid}`;
  await build({
    root: REPO_ROOT,
    configFile: join(REPO_ROOT, 'vite.config.ts'),
    logLevel: opts.quiet ? 'error' : 'warn',
    build: { outDir: tmp, emptyOutDir: true },
  });
  const old = `${DIST_DIR}.old-${process.pid}`;
  if (existsSync(DIST_DIR)) renameSync(DIST_DIR, old);
  renameSync(tmp, DIST_DIR);
  if (existsSync(old)) rmSync(old, { recursive: true, force: true });
  return DIST_DIR;
}
