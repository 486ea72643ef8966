// Issue 3 acceptance: a simulated sub-tile opens in astropy (fits.open, verify, WCS(header))
// without a warning, and astropy's WCS (wcslib) puts the truth sources where ours does.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSubtile } from './index';
import { runAstropy } from '../testing/astropy';
import { openFits } from '../data/fits';
import { MemorySource } from '../data/storage';
import { wcsFromHeader } from '../data/wcs';

const CHECK = `
import sys, json, glob, os, warnings
warnings.simplefilter('error')
from astropy.io import fits
from astropy.wcs import WCS
root = sys.argv[1]
pts = json.loads(sys.argv[2])
files = sorted(glob.glob(os.path.join(root, '**', '*.fits'), recursive=True))
out = {'files': {}, 'pix': {}}
for f in files:
    rel = os.path.relpath(f, root)
    with fits.open(f) as hl:
        hl.verify('exception')
        out['files'][rel] = [h.name for h in hl]
        for h in hl:
            if h.name.endswith('.SCI'):
                w = WCS(h.header)
                xy = w.all_world2pix([[p[0], p[1]] for p in pts], 0, tolerance=1e-10, maxiter=100)
                out['pix'][rel + ':' + h.name] = xy.tolist()
print(json.dumps(out))
`;

describe('simulated sub-tile in astropy', () => {
  let dir: string;
  let truth: { galaxies: Array<{ ra: number; dec: number }> };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sim-astropy-'));
    await writeSubtile(dir, { seed: 11, galaxies: 8, quadSize: [256, 259] });
    truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
  });

  it('every file opens and verifies with warnings as errors; every SCI header is a valid WCS', () => {
    const pts = truth.galaxies.map((g) => [g.ra, g.dec]);
    const res = runAstropy<{ files: Record<string, string[]>; pix: Record<string, number[][]> }>(CHECK, [dir, JSON.stringify(pts)]);
    const names = Object.keys(res.files);
    expect(names).toContain('catalog.fits');
    expect(names).toContain('truth_params.fits');
    expect(names.filter((n) => n.endsWith('_sci.fits')).length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(res.pix).length).toBe(4);

  });

  it("astropy's wcslib and our WCS agree on the truth sources' pixel positions to 1e-6 px", async () => {
    const pts = truth.galaxies.map((g) => [g.ra, g.dec]);
    const res = runAstropy<{ pix: Record<string, number[][]> }>(CHECK, [dir, JSON.stringify(pts)]);
    let compared = 0;
    for (const [key, xy] of Object.entries(res.pix)) {
      const [rel, hdu] = key.split(':');
      const path = join(dir, rel);
      const f = await openFits(new MemorySource(path, new Uint8Array(readFileSync(path))));
      const wcs = wcsFromHeader(f.hdu(hdu).header, key);
      pts.forEach(([ra, dec], i) => {
        const [x, y] = wcs.skyToPix(ra, dec);
        expect(Math.abs(x - xy[i][0])).toBeLessThan(1e-6);
        expect(Math.abs(y - xy[i][1])).toBeLessThan(1e-6);
        compared++;
      });
    }
    expect(compared).toBe(4 * pts.length);
  });
});
