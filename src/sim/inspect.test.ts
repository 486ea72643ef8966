// Issue 3 acceptance: `shearwb inspect` on a simulated sub-tile shows every quadrant and the source
// counts that DESIGN §1.4's selection gives — counted here independently, with astropy.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSubtile } from './index';
import { runAstropy } from '../testing/astropy';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');


// Selection of DESIGN §1.4 written again in numpy (defaults: SNR ≥ 10, VIS-detected, not spurious,
// quality mask 0x78C, restricted to source_ids; point-like rows are stars; core from core_source_ids).
const SELECT = `
import sys, json, numpy as np
from astropy.io import fits
root = sys.argv[1]
import yaml
m = yaml.safe_load(open(root + '/manifest_local.yaml'))
src, core = set(m['source_ids']), set(m['core_source_ids'])
nq = len(m['quadrants'])
with fits.open(root + '/catalog.fits') as hl:
    t = hl[1].data
    c = {n.lower(): n for n in t.columns.names}
    col = lambda n: np.asarray(t[c[n]])
    oid = col('object_id').astype(np.int64)
    snr = col('flux_detection_total') / col('fluxerr_detection_total')
    ok = (snr >= 10) & (col('vis_det') != 0) & (col('spurious_flag') == 0) & ((col('det_quality_flag').astype(np.int64) & 0x78C) == 0)
    ok &= np.array([int(i) in src for i in oid])
    star = col('point_like_flag') != 0
    print(json.dumps({'catalogue': int(len(oid)), 'selected': int(ok.sum()), 'stars': int((ok & star).sum()),
      'galaxies': int((ok & ~star).sum()), 'core': int(sum(1 for i, k in zip(oid, ok) if k and int(i) in core)), 'quadrants': nq}))
`;

describe('shearwb inspect on a simulated sub-tile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sim-inspect-'));
    await writeSubtile(dir, { seed: 5, galaxies: 10, quadSize: [384, 388] });
  });

  it('shows every quadrant and the counts of an independent selection', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'shearwb.mjs'), 'inspect', join(dir, 'manifest_local.yaml'), '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const want = runAstropy<Record<string, number>>(SELECT, [dir]);
    expect(j.quadrants.length).toBe(want.quadrants);
    expect(j.quadrants.every((q: { nx: number; ny: number; wcs: string }) => q.nx === 384 && q.ny === 388 && q.wcs === 'TPV')).toBe(true);
    expect(j.counts).toMatchObject({
      catalogue: want.catalogue,
      selected: want.selected,
      galaxies: want.galaxies,
      stars: want.stars,
      core: want.core,
    });
    expect(want.selected).toBeGreaterThan(5);
    // Every selected source is seen by at least one quadrant of the simulated layout.
    const selected = j.sources.filter((s: { selected: boolean }) => s.selected);
    expect(selected.every((s: { pairs: { visible: boolean }[] }) => s.pairs.some((p) => p.visible))).toBe(true);
  });
});
