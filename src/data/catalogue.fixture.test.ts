// End to end on the subtile-small fixture: manifest → storage → FITS → catalogue selection, flux
// conversion and noise model. Expected values come from the fixture's truth.json and from an
// independent decoding of the catalogue's bytes in this file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCatalogue, selectSources } from './catalogue';
import { openFits } from './fits/index';
import { aduPerMicroJy } from './flux';
import { loadManifest } from './manifest';
import { buildInverseVariance, sigmaClippedMedian, subtractBackground } from './noise';
import { openSource } from './storage/index';

const DIR = '/work/shared/fixtures/subtile-small';
const truth = JSON.parse(readFileSync(`${DIR}/truth.json`, 'utf8')) as {
  ujy_to_adu: number;
  galaxies: { object_id: number; flux_ujy: number; star: boolean }[];
};

/** Decode the catalogue's binary table by hand (layout from its header: K D D E E E E E I I I J I). */
function decodeCatalogue(path: string) {
  const b = readFileSync(path);
  const text = b.toString('latin1');
  const hdr = text.indexOf("XTENSION= 'BINTABLE'");
  const card = (k: string) => Number(new RegExp(`${k}\\s*=\\s*(\\d+)`).exec(text.slice(hdr))![1]);
  const rowLen = card('NAXIS1');
  const nrows = card('NAXIS2');
  let end = hdr;
  while (text.slice(end, end + 3) !== 'END' || text.slice(end + 3, end + 80).trim() !== '') end += 80;
  const data = Math.ceil((end + 80) / 2880) * 2880;
  const dv = new DataView(b.buffer, b.byteOffset + data, rowLen * nrows);
  const rows = [];
  for (let r = 0; r < nrows; r++) {
    const o = r * rowLen;
    rows.push({
      id: Number(dv.getBigInt64(o)),
      flux: dv.getFloat32(o + 24),
      fluxerr: dv.getFloat32(o + 28),
      sma: dv.getFloat32(o + 32),
      pointLike: dv.getInt16(o + 48),
    });
  }
  return rows;
}

describe('subtile-small fixture', () => {
  it('selects the catalogue rows of the manifest, stars marked, core from core_source_ids', async () => {
    const m = await loadManifest(`${DIR}/subtile/manifest_local.yaml`);
    const fits = await openFits(openSource(m.catalogUrl));
    const tableHdu = fits.hdus.find((h) => h.kind === 'table')!;
    const rows = readCatalogue(await fits.readTable(tableHdu), m.catalogUrl);
    const raw = decodeCatalogue(m.catalogUrl);
    expect(rows.length).toBe(raw.length);
    rows.forEach((r, i) => {
      expect(r.object_id).toBe(raw[i].id);
      expect(r.flux).toBe(raw[i].flux);
      expect(r.fluxerr).toBe(raw[i].fluxerr);
      expect(r.point_like_flag).toBe(raw[i].pointLike);
    });

    const sel = selectSources(rows, m);
    expect(sel.missingIds).toEqual([]);
    // Every row here is bright, clean and VIS-detected: all are kept.
    expect(sel.sources.length).toBe(m.source_ids.length);
    expect(sel.dropped).toEqual([]);
    const core = new Set(m.core_source_ids);
    const truthById = new Map(truth.galaxies.map((g) => [g.object_id, g]));
    for (const s of sel.sources) {
      const t = truthById.get(s.object_id)!;
      expect(s.kind).toBe(t.star ? 'star' : 'galaxy');
      expect(s.core).toBe(core.has(s.object_id));
      // Catalogue fluxes are the truth with measurement noise (here well within 15 %).
      expect(Math.abs(s.row.flux / t.flux_ujy - 1)).toBeLessThan(0.15);
      expect(s.hlr).toBeCloseTo(Math.min(5, Math.max(0.05, raw[s.row.row].sma * 0.1)), 6);
    }
    expect(sel.sources.filter((s) => s.kind === 'star').length).toBe(truth.galaxies.filter((g) => g.star).length);
    expect(sel.sources.filter((s) => s.core).length).toBe(m.core_source_ids.length);
  });

  it('converts µJy to ADU with the SCI header as the fixture did', async () => {
    const m = await loadManifest(`${DIR}/subtile/manifest_local.yaml`);
    for (const q of m.quadrants) {
      const f = await openFits(openSource(q.sciUrl));
      const h = f.hdu(`${q.quadrant}.SCI`);
      expect(aduPerMicroJy(h.header, `${q.sciUrl}[${q.quadrant}.SCI]`) / truth.ujy_to_adu).toBeCloseTo(1, 10);
    }
  });

  it('background map and noise model on a quadrant', async () => {
    const m = await loadManifest(`${DIR}/subtile/manifest_local.yaml`);
    const q = m.quadrants[0];
    const f = await openFits(openSource(q.sciUrl));
    const sci = (await f.readImage(`${q.quadrant}.SCI`)).data;
    const rms = (await f.readImage(`${q.quadrant}.RMS`)).data;
    const flg = (await f.readImage(`${q.quadrant}.FLG`)).data;
    const bkg = (await (await openFits(openSource(q.bkgUrl!))).readImage(q.quadrant)).data;
    const [ny, nx] = (await f.readImage(`${q.quadrant}.SCI`)).shape;

    const { ivar, counts } = buildInverseVariance(rms, flg, { sci });
    expect(counts.total).toBe(nx * ny);
    expect(counts.flagged).toBeGreaterThan(ny - 1); // the hot column at least
    expect(counts.valid + counts.flagged + counts.badRms + counts.badSci).toBe(counts.total);
    let flaggedBit0 = 0;
    for (let i = 0; i < flg.length; i++) if (flg[i] & 1) flaggedBit0++;
    expect(counts.flagged).toBe(flaggedBit0);

    // After subtracting the map, the clipped median of the unmasked pixels is ~0 (well under the noise).
    const sub = subtractBackground(sci, bkg);
    const exclude = new Uint8Array(ivar.length).map((_, i) => (ivar[i] > 0 ? 0 : 1));
    const rest = sigmaClippedMedian(sub.image, { exclude });
    let rmsMedian = sigmaClippedMedian(rms).median;
    expect(Math.abs(rest.median)).toBeLessThan(0.2 * rmsMedian);
    // Without the map, the clipped median lands near the map's mean level (the map is a gradient).
    const flat = subtractBackground(sci, null, { exclude });
    rmsMedian = Math.max(rmsMedian, 1e-6);
    expect(Math.abs(flat.level - sub.level)).toBeLessThan(Math.max(0.5 * rmsMedian, 0.02 * Math.abs(sub.level)));
  });
});
