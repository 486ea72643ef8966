// `shearwb inspect` run as a user runs it (a spawned `node bin/shearwb.mjs`), its JSON checked
// against the WCS module applied to the SCI headers and catalogue read here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openFits } from '../data/fits/index';
import { MemorySource } from '../data/storage/types';
import { wcsFromHeader } from '../data/wcs/index';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const subtile = resolve(repoRoot, '..', 'shared', 'fixtures', 'subtile-small', 'subtile');
const manifest = join(subtile, 'manifest_local.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'shearwb-inspect-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function shearwb(...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'shearwb.mjs'), ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  return { out: r.stdout, err: r.stderr, code: r.status };
}

async function fits(rel: string) {
  const p = join(subtile, rel);
  return openFits(new MemorySource(p, new Uint8Array(readFileSync(p))));
}

describe('shearwb inspect', () => {
  it('--json: structure, positions and Jacobians against the WCS module, counts', async () => {
    const r = shearwb('inspect', manifest, '--json');
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['quadrants', 'sources', 'counts', 'dropped']));
    expect(j.quadrants.map((q: { hdu: string; nx: number; ny: number; wcs: string }) => [q.hdu, q.nx, q.ny, q.wcs])).toEqual([
      ['3-4.F.SCI', 512, 517, 'TPV'],
      ['3-4.E.SCI', 512, 517, 'TPV'],
    ]);
    const cat = await (await fits('catalog.fits')).readTable(1);
    const ids = Array.from(cat.column('object_id') as ArrayLike<bigint | number>, Number);
    const ra = cat.column('right_ascension') as Float64Array;
    const dec = cat.column('declination') as Float64Array;
    expect(j.counts.catalogue).toBe(ids.length);
    expect(j.sources.length).toBe(ids.length); // selected and dropped rows
    const core = readFileSync(manifest, 'utf8').split('core_source_ids:')[1].match(/\d+/g)!.map(Number);
    expect(j.counts.core).toBe(j.sources.filter((s: { selected: boolean; object_id: number }) => s.selected && core.includes(s.object_id)).length);

    for (const [k, sci] of ['exposures/2704_00_3-4_sci.fits', 'exposures/2704_01_3-4_sci.fits'].entries()) {
      const w = wcsFromHeader((await fits(sci)).hdu(j.quadrants[k].hdu).header);
      expect(j.quadrants[k].footprint[0]).toEqual(w.pixToSky(-0.5, -0.5));
      let visible = 0;
      for (const s of j.sources.filter((s: { selected: boolean }) => s.selected)) {
        expect(Object.keys(s)).toEqual(expect.arrayContaining(['object_id', 'selected', 'core', 'tier', 'pairs']));
        const p = s.pairs.find((p: { quadrant: number }) => p.quadrant === k);
        const row = ids.indexOf(s.object_id);
        const [x, y] = w.skyToPix(ra[row], dec[row]);
        expect(Math.abs(p.x - x)).toBeLessThan(1e-9);
        expect(Math.abs(p.y - y)).toBeLessThan(1e-9);
        w.jacobian(x, y).forEach((v, i) => expect(Math.abs(p.jac[i] - v)).toBeLessThan(1e-12));
        // Visible: the N×N stamp around the nearest pixel overlaps the quadrant.
        const x0 = Math.round(x) - p.n / 2;
        const y0 = Math.round(y) - p.n / 2;
        expect([p.x0, p.y0]).toEqual([x0, y0]);
        const vis = x0 + p.n > 0 && x0 < 512 && y0 + p.n > 0 && y0 < 517;
        expect(p.visible).toBe(vis);
        if (p.visible) visible++;
      }
      expect(j.quadrants[k].visible_pairs).toBe(visible);
    }
  });

  it('text output names quadrants, counts and tiers', () => {
    const r = shearwb('inspect', manifest);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('3-4.F.SCI');
    expect(r.out).toMatch(/Sources: 13 in catalogue, \d+ selected/);
    expect(r.out).toMatch(/per tier: .*px: \d+/);
  });

  it('a missing quadrant HDU: exit 2 and a message naming the file and the HDUs present', () => {
    const yaml = readFileSync(manifest, 'utf8')
      .replace(/(sci|bkg|wgt|psf)_path: (\S+)/g, (_, k: string, p: string) => `${k}_path: ${join(subtile, p)}`)
      .replace(/source_catalog: (\S+)/, (_, p: string) => `source_catalog: ${join(subtile, p)}`)
      .replace('quadrant: 3-4.F', 'quadrant: 9-9.Z');
    writeFileSync(join(tmp, 'bad.yaml'), yaml);
    const r = shearwb('inspect', join(tmp, 'bad.yaml'), '--json');
    expect(r.code).toBe(2);
    expect(r.err).toContain('shearwb: ');
    expect(r.err).toContain('2704_00_3-4_sci.fits');
    expect(r.err).toContain("'9-9.Z.SCI' not found");
    expect(r.err).toContain('HDUs present: PRIMARY, 3-4.F.SCI, 3-4.F.RMS, 3-4.F.FLG');
  });
});
