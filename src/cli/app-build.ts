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
    // Tests are not part of the app: editing one must not force a rebuild.
    else if (!/\.(test|gpu\.test|e2e\.test)\.tsx?$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

export function appIsStale(): boolean {
  const stamp = join(DIST_DIR, 'index.html');
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const sources = ['src', 'shaders', 'worker', 'public', 'index.html', 'headless.html', 'bench.html', 'vite.config.ts'].map((p) => join(REPO_ROOT, p));
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
  // Another process may swap its own build in at the same moment: retry until ours is in place.
  for (let attempt = 0; ; attempt++) {
    try {
      if (existsSync(DIST_DIR)) renameSync(DIST_DIR, `${old}-${attempt}`);
      renameSync(tmp, DIST_DIR);
      break;
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
  for (let attempt = 0; attempt <= 5; attempt++) rmSync(`${old}-${attempt}`, { recursive: true, force: true });
  return DIST_DIR;
}
