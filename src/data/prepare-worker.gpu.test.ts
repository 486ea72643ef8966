// The preparation worker in a real browser (Chromium, no GPU needed): the fixture sub-tile is
// served over HTTP by Vitest's Vite server (/@fs/ for files outside the repo root), prepared in a
// Web Worker, and compared with the same preparation on the page's own thread and with the WCS
// module applied to the SCI header read separately.
import { commands, server } from 'vitest/browser';
import { describe, expect, it } from 'vitest';
import { prepareExposureSet, type PrepareProgress } from './exposure-set';
import { openFits } from './fits/index';
import { prepareInWorker } from './prepare-client';
import { openSource } from './storage/index';
import { wcsFromHeader } from './wcs/index';

const root = server.config.root.replace(/\/$/, '');
const subtile = `${root.slice(0, root.lastIndexOf('/'))}/shared/fixtures/subtile-small/subtile`;
const base = new URL(`/@fs${subtile}/`, location.href).href;
const manifestUrl = `${base}manifest_local.yaml`;

describe('prepare worker', () => {
  it('runs on dropped files (Blobs sent to the worker)', async () => {
    const names = [
      'manifest_local.yaml',
      'catalog.fits',
      ...['00', '01'].flatMap((d) => [`exposures/2704_${d}_3-4_sci.fits`, `exposures/2704_${d}_3-4_bkg.fits`, `psf/2704_${d}_3-4_psf.fits`]),
    ];
    const files = new Map<string, Blob>();
    for (const n of names) {
      const b64 = await commands.readFile(`${subtile}/${n}`, { encoding: 'base64' });
      files.set(n, new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))]));
    }
    const inWorker = await prepareInWorker('manifest_local.yaml', { storage: { files } });
    const local = await prepareExposureSet('manifest_local.yaml', { storage: { files } });
    expect(inWorker.pairs.length).toBe(26);
    expect(inWorker.pairs).toEqual(local.pairs);
    expect(inWorker.psfs).toEqual(local.psfs);
    expect(inWorker.quadrants[0].pixels!.counts).toEqual(local.quadrants[0].pixels!.counts);
  });

  it('serves the shared fixtures over HTTP', async () => {
    const r = await fetch(manifestUrl);
    // Vitest's browser project serves files outside the repo root only with server.fs.allow: ['..'].
    expect(r.status, `GET ${manifestUrl} (the browser project in vitest.config.ts needs server: { fs: { allow: ['..'] } })`).toBe(200);
    expect(await r.text()).toContain('quadrants:');
  });

  it('prepares the sub-tile in a Web Worker like on the main thread', async () => {
    const stages: string[] = [];
    const inWorker = await prepareInWorker(manifestUrl, { onProgress: (p: PrepareProgress) => stages.push(p.stage) });
    const local = await prepareExposureSet(manifestUrl);
    expect(inWorker.pairs.length).toBe(26);
    expect(inWorker.pairs).toEqual(local.pairs);
    expect(inWorker.sources).toEqual(local.sources);
    expect(inWorker.visible).toEqual(local.visible);
    expect(inWorker.psfs).toEqual(local.psfs);
    expect(inWorker.quadrants[0].pixels!.ivar.length).toBe(512 * 517);
    expect(inWorker.quadrants[1].pixels!.counts).toEqual(local.quadrants[1].pixels!.counts);
    // Positions against the WCS module on the SCI header read here.
    const sci = await openFits(openSource(`${base}exposures/2704_00_3-4_sci.fits`));
    const w = wcsFromHeader(sci.hdu('3-4.F.SCI').header);
    for (const p of inWorker.pairs.filter((p) => p.quadrant === 0)) {
      const s = inWorker.sources[p.source];
      expect([p.x, p.y]).toEqual(w.skyToPix(s.ra, s.dec));
    }
    expect(stages).toContain('pixels');
  });

  it('reports errors from the worker with the URL', async () => {
    await expect(prepareInWorker(`${base}no_such_manifest.yaml`)).rejects.toThrow(/no_such_manifest\.yaml/);
  });
});
