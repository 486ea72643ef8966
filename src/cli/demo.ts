// The demo sub-tile the workbench opens by default: simulated on first start (seeded, so every
// machine gets the same bytes) and cached under .cache/demo/.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './app-build';

export const DEMO_OPTIONS = {
  seed: 20261122,
  galaxies: 40,
  quadrants: 4,
  quadSize: [1024, 1033] as [number, number],
  g1: 0.03,
  g2: -0.02,
};

export async function ensureDemoSubtile(): Promise<{ dir: string; manifest: string }> {
  const dir = join(REPO_ROOT, '.cache', 'demo', `v1-${DEMO_OPTIONS.seed}`);
  const manifest = 'manifest_local.yaml';
  if (!existsSync(join(dir, manifest))) {
    process.stderr.write(`shearwb: simulating the demo sub-tile into ${dir} (first start only)…\n`);
    const { writeSubtile } = await import('../sim');
    // Simulate beside the cache and move it in whole, so an interrupted first start leaves nothing half-made.
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    await writeSubtile(tmp, DEMO_OPTIONS);
    mkdirSync(dirname(dir), { recursive: true });
    renameSync(tmp, dir);
  }
  return { dir, manifest };
}
