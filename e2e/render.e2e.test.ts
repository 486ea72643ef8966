// The engine (through `shearwb render`, headless page) against our own simulator's noiseless
// sub-tile: the simulator renders in real space (Gaussian-mixture exponential, continuous PSF field,
// Gauss–Legendre pixel integration, full TPV WCS) — independent of the engine's Fourier stamps.
// truth_params holds the extended-area galaxies only; the simulator also renders galaxies outside
// the extended area, so pixels near those are left out of the comparison.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderToFile } from '../src/cli/cmd-render';
import { openFits } from '../src/data/fits/index';
import { openSource } from '../src/data/storage/index';
import { wcsFromHeader } from '../src/data/wcs/index';
import { writeSubtile, type SimResult } from '../src/sim/index';

// Tolerances held (reached in brackets, seed 12).
// Both sides implement DESIGN §1.3's PSF (bilinear blend of the grid's effective-PSF stamps) and the
// PSF is well sampled at 0.30", so what is left is the float32 images and the mixture fit of the profile.
const TOL_IMAGE = 1e-4; // max |model − (SCI − BKG)| over unmasked pixels, of the quadrant's peak  [1.05e-5]
const TOL_FLUX = 2e-5; // |Σ model / Σ (SCI − BKG) − 1| over unmasked pixels                     [7.8e-7]

const SIM = { seed: 12, galaxies: 8, quadrants: 2, quadSize: [320, 336] as [number, number], psfFwhm: 0.3, noiseless: true, g1: 0.03, g2: -0.02 };

let dir: string;
let sim: SimResult;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shearwb-render-sim-'));
  sim = await writeSubtile(join(dir, 'subtile'), SIM);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('render against the simulator (noiseless sub-tile)', () => {
  it('reproduces SCI − BKG away from the sources outside the extended area', async () => {
    const out = join(dir, 'out');
    // minSnr 0: every extended-area galaxy of the truth table is in the scene.
    const { file, report } = await renderToFile(join(dir, 'subtile', 'manifest_local.yaml'), {
      params: join(dir, 'subtile', 'truth_params.fits'),
      out,
      minSnr: 0,
    });
    expect(report.sourcesRendered).toBe(sim.truth.galaxies.length);
    expect(report.rowsUnused).toBe(0);
    expect(report.sourcesMissing).toEqual([]);

    const model = await openFits(openSource(file));
    const hdus = model.hdus.filter((h) => h.extname === 'MODEL');
    expect(hdus.length).toBe(SIM.quadrants);
    let compared = 0;
    let masked = 0;
    for (const h of hdus) {
      const sciPath = String(h.header.get('SCIPATH'));
      const quadrant = String(h.header.get('QUADRANT'));
      const sciFile = await openFits(openSource(join(dir, 'subtile', sciPath)));
      const bkgFile = await openFits(openSource(join(dir, 'subtile', sciPath.replace('_sci.fits', '_bkg.fits'))));
      const sciHdu = sciFile.hdu(`${quadrant}.SCI`);
      const [ny, nx] = sciHdu.shape;
      expect(h.shape).toEqual([ny, nx]);
      const sci = (await sciFile.readImage(sciHdu)).data;
      const bkg = (await bkgFile.readImage(bkgFile.hdu(quadrant))).data;
      const m = (await model.readImage(h)).data;
      // Mask discs around the outside sources (their light is in SCI, not in the table).
      const wcs = wcsFromHeader(sciHdu.header);
      const mask = new Uint8Array(nx * ny);
      for (const s of sim.truth.outside) {
        const [x, y] = wcs.skyToPix(s.ra, s.dec);
        const r = 12 + (8 * s.hlr) / 0.1;
        if (!(x > -r && y > -r && x < nx + r && y < ny + r)) continue;
        for (let j = Math.max(0, Math.floor(y - r)); j <= Math.min(ny - 1, Math.ceil(y + r)); j++)
          for (let i = Math.max(0, Math.floor(x - r)); i <= Math.min(nx - 1, Math.ceil(x + r)); i++)
            if ((i - x) ** 2 + (j - y) ** 2 <= r * r) mask[j * nx + i] = 1;
      }
      masked += mask.reduce((a, b) => a + b, 0);
      let peak = 0;
      let err = 0;
      let sm = 0;
      let sd = 0;
      let n = 0;
      for (let i = 0; i < nx * ny; i++) {
        if (mask[i]) continue;
        const d = sci[i] - bkg[i];
        peak = Math.max(peak, d);
        err = Math.max(err, Math.abs(m[i] - d));
        sm += m[i];
        sd += d;
        n++;
      }
      console.log(`render vs simulator ${quadrant}: ${n} of ${nx * ny} px compared, peak ${peak.toFixed(1)} ADU, max |Δ|/peak ${(err / peak).toExponential(2)}, flux ratio − 1 ${(sm / sd - 1).toExponential(2)}`);
      if (peak < 20) continue; // nothing of the table's galaxies on this quadrant
      expect(err / peak, `${quadrant}: max |model − (SCI − BKG)| / peak`).toBeLessThan(TOL_IMAGE);
      expect(Math.abs(sm / sd - 1), `${quadrant}: flux`).toBeLessThan(TOL_FLUX);
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
    expect(masked, 'an outside source shines on a quadrant (the mask is exercised)').toBeGreaterThan(0);
  }, 300_000);

  it("refuses a table that does not cover the manifest's sources, naming the local table and the ids", async () => {
    const sub = join(dir, 'subtile');
    const other = join(dir, 'other');
    await writeSubtile(other, { ...SIM, seed: 99 });
    await expect(
      renderToFile(join(sub, 'manifest_local.yaml'), { params: join(other, 'truth_params.fits'), out: join(dir, 'c'), minSnr: 0 }),
    ).rejects.toThrow(new RegExp(`^${join(other, 'truth_params.fits').replace(/[.]/g, '\\.')}: \\d+ of the scene's \\d+ sources have no row \\(OBJECT_ID ${sim.truth.galaxies[0].object_id}`));
  }, 300_000);

  it('renders the Parquet truth table exactly like the FITS one', async () => {
    const sub = join(dir, 'subtile');
    const a = await renderToFile(join(sub, 'manifest_local.yaml'), { params: join(sub, 'truth_params.fits'), out: join(dir, 'a'), minSnr: 0 });
    const b = await renderToFile(join(sub, 'manifest_local.yaml'), { params: join(sub, 'truth_params.parquet'), out: join(dir, 'b'), minSnr: 0 });
    expect(b.report.paramsFormat).toBe('parquet');
    expect(b.report.sourcesRendered).toBe(a.report.sourcesRendered);
    const fa = await openFits(openSource(a.file));
    const fb = await openFits(openSource(b.file));
    for (let k = 1; k < fa.hdus.length; k++) expect((await fb.readImage(k)).data).toEqual((await fa.readImage(k)).data);
  }, 300_000);
});
