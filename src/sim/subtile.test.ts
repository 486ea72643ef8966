// A small simulated sub-tile read back with the project's own readers: structure, manifest, WCS,
// determinism, and that the light lands where the truth's positions say.
import { describe, expect, it } from 'vitest';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { openFits, type FitsFile } from '../data/fits';
import { parseManifest } from '../data/manifest';
import { MemorySource } from '../data/storage/types';
import { wcsFromHeader } from '../data/wcs';
import { simulateSubtile, type SimOptions, type SimResult } from './subtile';

const SMALL: SimOptions = { seed: 7, quadSize: [256, 259], galaxies: 10, quadrants: 4 };

async function fits(res: SimResult, path: string): Promise<FitsFile> {
  const b = res.files.get(path);
  if (!b) throw new Error(`no file ${path}; have ${[...res.files.keys()].join(', ')}`);
  return openFits(new MemorySource(path, b));
}

describe('simulated sub-tile', async () => {
  const res = await simulateSubtile(SMALL);
  const text = new TextDecoder().decode(res.files.get('manifest_local.yaml')!);
  const manifest = parseManifest(text, '/sim/manifest_local.yaml');

  it('writes a manifest the project loader accepts, with every file present', () => {
    expect(manifest.quadrants.length).toBe(4);
    expect(manifest.warnings).toEqual([]);
    for (const q of manifest.quadrants)
      for (const p of [q.sci_path, q.psf_path, q.bkg_path!, q.wgt_path!]) expect(res.files.has(p)).toBe(true);
    expect(res.files.has(manifest.source_catalog)).toBe(true);
    expect(manifest.source_ids.length).toBe(res.truth.n_extended + res.truth.spurious_ids.filter((id) => manifest.source_ids.includes(id)).length);
    const shared = new Set(manifest.quadrants.map((q) => q.sci_path));
    expect(shared.size).toBeLessThan(manifest.quadrants.length); // one file holds two quadrants
  });

  it('has SCI/RMS/FLG (float32, float32, int32) with TPV WCS and photometric keys, both WCS parities', async () => {
    const signs = new Set<number>();
    for (const q of manifest.quadrants) {
      const f = await fits(res, q.sci_path);
      const [sci, rms, flg] = ['SCI', 'RMS', 'FLG'].map((k) => f.hdu(`${q.quadrant}.${k}`));
      expect([sci.bitpix, rms.bitpix, flg.bitpix]).toEqual([-32, -32, 32]);
      expect(sci.shape).toEqual([259, 256]);
      for (const k of ['GAIN', 'EXPTIME', 'MAGZEROP']) expect(sci.header.num(k)).toBeGreaterThan(0);
      expect(sci.header.str('CTYPE1')).toBe('RA---TPV');
      const cd = ['CD1_1', 'CD1_2', 'CD2_1', 'CD2_2'].map((k) => sci.header.num(k));
      signs.add(Math.sign(cd[0] * cd[3] - cd[1] * cd[2]));
      const img = await f.readImage(sci);
      const fl = await f.readImage(flg);
      let flagged = 0;
      for (let i = 0; i < fl.data.length; i++) if (fl.data[i] & 1) flagged++;
      expect(flagged).toBeGreaterThan(0.003 * fl.data.length); // cosmic rays + hot column
      let nan = 0;
      for (let i = 0; i < img.data.length; i++) if (Number.isNaN(img.data[i]) && !(fl.data[i] & 1)) nan++;
      expect(nan).toBe(0); // garbage only where flagged
      const psfFile = await fits(res, q.psf_path);
      const psf = psfFile.hdu(q.quadrant);
      expect(psf.shape).toEqual([189, 189]);
      expect(psf.header.num('PSFGRIDX')).toBe(9);
      expect(psf.header.num('PSFSTAMP')).toBe(21);
      const pim = await psfFile.readImage(psf);
      for (const [i, j] of [[0, 0], [4, 4], [8, 3]]) {
        let s = 0;
        for (let b = 0; b < 21; b++) for (let a = 0; a < 21; a++) s += pim.data[(j * 21 + b) * 189 + i * 21 + a];
        expect(Math.abs(s - 1)).toBeLessThan(1e-3);
      }
      const bkg = (await fits(res, q.bkg_path!)).hdu(q.quadrant);
      const wgt = (await fits(res, q.wgt_path!)).hdu(q.quadrant);
      expect(bkg.shape).toEqual([259, 256]);
      expect(wgt.shape).toEqual([259, 256]);
    }
    expect([...signs].sort()).toEqual([-1, 1]);
  });

  it('the project WCS reader agrees with the simulator WCS the images were drawn with', async () => {
    for (const q of manifest.quadrants) {
      const f = await fits(res, q.sci_path);
      const w = wcsFromHeader(f.hdu(`${q.quadrant}.SCI`).header, q.quadrant);
      expect(w.kind).toBe('TPV');
      for (const g of res.truth.galaxies.slice(0, 5)) {
        const [x, y] = w.skyToPix(g.ra, g.dec);
        const [ra, dec] = w.pixToSky(x, y);
        expect(Math.abs(ra - g.ra) * 3600).toBeLessThan(1e-6);
        expect(Math.abs(dec - g.dec) * 3600).toBeLessThan(1e-6);
      }
    }
  });

  it('writes a MER-like catalogue and the truth parameter tables', async () => {
    const cat = await fits(res, 'catalog.fits');
    const t = await cat.readTable(1);
    for (const c of ['object_id', 'right_ascension', 'declination', 'flux_detection_total', 'fluxerr_detection_total', 'semimajor_axis', 'ellipticity', 'position_angle', 'vis_det', 'spurious_flag', 'point_like_flag', 'det_quality_flag', 'deblended_flag'])
      expect(t.columns.map((x) => x.name)).toContain(c);
    const plf = t.column('point_like_flag') as ArrayLike<number>;
    let stars = 0;
    for (let i = 0; i < t.nrows; i++) stars += plf[i];
    expect(stars).toBeGreaterThan(0);
    const ids = new Set(manifest.source_ids);
    const catIds = Array.from(t.column('object_id') as ArrayLike<number | bigint>, Number);
    expect(catIds.some((id) => !ids.has(id))).toBe(true); // sources outside the extended area
    const tp = await fits(res, 'truth_params.fits');
    const ph = tp.hdu('PARAMS');
    expect(ph.header.num('G1')).toBe(res.truth.g1);
    expect(ph.header.num('G2')).toBe(res.truth.g2);
    expect(ph.columns).toEqual(['OBJECT_ID', 'FLUX', 'HLR', 'E1', 'E2', 'DX', 'DY']);
    expect(ph.nrows).toBe(res.truth.n_extended);
    const pq = res.files.get('truth_params.parquet')!;
    const buf = pq.buffer.slice(pq.byteOffset, pq.byteOffset + pq.byteLength) as ArrayBuffer;
    const meta = parquetMetadata(buf);
    const kv = Object.fromEntries((meta.key_value_metadata ?? []).map((x) => [x.key, x.value]));
    expect(Number(kv.G1)).toBe(res.truth.g1);
    const rows = await parquetReadObjects({ file: buf });
    expect(rows.length).toBe(res.truth.n_extended);
    expect(rows[0].FLUX).toBe(res.truth.galaxies[0].flux_ujy);
  });

  it('is byte-identical for the same seed and differs for another', async () => {
    const again = await simulateSubtile(SMALL);
    expect([...again.files.keys()]).toEqual([...res.files.keys()]);
    for (const [k, b] of res.files) expect(Buffer.compare(Buffer.from(b), Buffer.from(again.files.get(k)!)), k).toBe(0);
    const other = await simulateSubtile({ ...SMALL, seed: 8 });
    expect(Buffer.compare(Buffer.from(other.files.get('catalog.fits')!), Buffer.from(res.files.get('catalog.fits')!))).not.toBe(0);
  });

  it('puts the light of a bright isolated source where its true position maps through the WCS', async () => {
    const nl = await simulateSubtile({ seed: 11, quadSize: [256, 259], galaxies: 6, quadrants: 2, noiseless: true, g1: 0.02, g2: -0.01 });
    const m = parseManifest(new TextDecoder().decode(nl.files.get('manifest_local.yaml')!), '/sim2/manifest_local.yaml');
    let checked = 0;
    const all = [...nl.truth.galaxies, ...nl.truth.outside];
    for (const q of m.quadrants) {
      const f = await fits(nl, q.sci_path);
      const h = f.hdu(`${q.quadrant}.SCI`);
      const w = wcsFromHeader(h.header, q.quadrant);
      const sci = await f.readImage(h);
      const bkgF = await fits(nl, q.bkg_path!);
      const bkg = await bkgF.readImage(q.quadrant);
      for (const g of all) {
        const [x, y] = w.skyToPix(g.ra, g.dec);
        const R = 14;
        if (x < R || y < R || x > 256 - R - 1 || y > 259 - R - 1) continue;
        const isolated = all.every((o) => o === g || Math.hypot(...w.skyToPix(o.ra, o.dec).map((v, i) => v - [x, y][i])) > 3 * R);
        if (!isolated || g.hlr > 0.4) continue;
        let s = 0;
        let sx = 0;
        let sy = 0;
        for (let j = Math.round(y) - R; j <= Math.round(y) + R; j++)
          for (let i = Math.round(x) - R; i <= Math.round(x) + R; i++) {
            const v = sci.data[j * 256 + i] - bkg.data[j * 256 + i];
            s += v;
            sx += v * i;
            sy += v * j;
          }
        expect(Math.abs(sx / s - x)).toBeLessThan(0.02);
        expect(Math.abs(sy / s - y)).toBeLessThan(0.02);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
