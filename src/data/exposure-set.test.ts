// Acceptance of the exposure set on ../shared/fixtures/subtile-small: positions against the WCS
// module applied independently, PSF interpolation against the grid stamps cut by hand, the stamp
// tier/corner/visibility rules (directly and with sources placed at quadrant edges), the mask
// counts against FLG/RMS/SCI counted here, the scene adapter, and errors naming the file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stampPlacement, stampVisible } from './exposure/geometry';
import { exposureSetTransferables, prepareExposureSet, type ExposureSet } from './exposure-set';
import { encodeFits, openFits, type FitsFile } from './fits/index';
import { exposureSetToScene } from './scene';
import { MemorySource } from './storage/types';
import { chooseTier, stampRadiusPx } from './tiers';
import { wcsFromHeader } from './wcs/index';
import { validateScene } from '../reference/scene';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const subtile = resolve(repoRoot, '..', 'shared', 'fixtures', 'subtile-small', 'subtile');
const manifestPath = join(subtile, 'manifest_local.yaml');
const QUADS = [
  { name: '3-4.F', sci: 'exposures/2704_00_3-4_sci.fits', bkg: 'exposures/2704_00_3-4_bkg.fits', psf: 'psf/2704_00_3-4_psf.fits' },
  { name: '3-4.E', sci: 'exposures/2704_01_3-4_sci.fits', bkg: 'exposures/2704_01_3-4_bkg.fits', psf: 'psf/2704_01_3-4_psf.fits' },
];

async function fits(rel: string): Promise<FitsFile> {
  const p = join(subtile, rel);
  return openFits(new MemorySource(p, new Uint8Array(readFileSync(p))));
}

const tmp = mkdtempSync(join(tmpdir(), 'shearwb-expset-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let set: ExposureSet;
let catalogue: { id: number[]; ra: Float64Array; dec: Float64Array; flux: Float64Array };
beforeAll(async () => {
  set = await prepareExposureSet(manifestPath);
  const cat = await fits('catalog.fits');
  const t = await cat.readTable('CATALOGUE');
  catalogue = {
    id: Array.from(t.column('object_id') as ArrayLike<bigint | number>, Number),
    ra: Float64Array.from(t.column('right_ascension') as ArrayLike<number>),
    dec: Float64Array.from(t.column('declination') as ArrayLike<number>),
    flux: Float64Array.from(t.column('flux_detection_total') as ArrayLike<number>),
  };
});

describe('stamp rules', () => {
  it('visibility at the quadrant edges (x and y)', () => {
    const n = 64;
    const nx = 512;
    const ny = 517;
    const mid = 100;
    for (const [x0, vis] of [[-n, false], [-n + 1, true], [nx - 1, true], [nx, false]] as const) {
      expect(stampVisible(x0, mid, n, nx, ny), `x0 = ${x0}`).toBe(vis);
      expect(stampVisible(mid, x0 === nx - 1 ? ny - 1 : x0 === nx ? ny : x0, n, nx, ny), `y0 for x0 = ${x0}`).toBe(vis);
    }
    expect(stampVisible(NaN, mid, n, nx, ny)).toBe(false);
    expect(stampVisible(mid, NaN, n, nx, ny)).toBe(false);
    expect(stampVisible(-n, -n, n, nx, ny)).toBe(false);
  });

  it('corner: the grid centre is the nearest pixel', () => {
    expect(stampPlacement(10.4, 20.6, 64)).toEqual({ x0: 10 - 32, y0: 21 - 32, delta0: [10.4 - 10, 20.6 - 21] });
    expect(stampPlacement(-3.2, -0.7, 32)).toEqual({ x0: -3 - 16, y0: -1 - 16, delta0: [-3.2 + 3, -0.7 + 1] });
    const nan = stampPlacement(NaN, 3, 32);
    expect(Number.isNaN(nan.x0) && Number.isNaN(nan.y0)).toBe(true);
  });
});

describe('exposure set of subtile-small', () => {
  it('reads both quadrants with their sizes, WCS and footprints', async () => {
    expect(set.quadrants.map((q) => [q.name, q.nx, q.ny, q.wcsKind])).toEqual([
      ['3-4.F', 512, 517, 'TPV'],
      ['3-4.E', 512, 517, 'TPV'],
    ]);
    for (const [k, q] of set.quadrants.entries()) {
      const h = (await fits(QUADS[k].sci)).hdu(`${q.name}.SCI`).header;
      const w = wcsFromHeader(h);
      expect(q.footprint[2]).toEqual(w.pixToSky(511.5, 516.5));
      expect(q.aduPerUJy).toBeCloseTo(10 ** ((h.num('MAGZEROP') + 2.5 * Math.log10(h.num('EXPTIME')) - 23.9) / 2.5), 9);
    }
  });

  it('pixel positions and Jacobians equal the WCS module applied to the catalogue RA/Dec', async () => {
    expect(set.sources.length).toBeGreaterThan(5);
    expect(set.pairs.length).toBe(set.sources.length * 2);
    for (const [k, q] of QUADS.entries()) {
      const w = wcsFromHeader((await fits(q.sci)).hdu(`${q.name}.SCI`).header);
      for (const p of set.pairs.filter((p) => p.quadrant === k)) {
        const s = set.sources[p.source];
        const r = catalogue.id.indexOf(s.object_id);
        expect(r).toBeGreaterThanOrEqual(0);
        const [x, y] = w.skyToPix(catalogue.ra[r], catalogue.dec[r]);
        expect([p.x, p.y]).toEqual([x, y]);
        expect(p.jac).toEqual(w.jacobian(x, y));
      }
    }
  });

  it('tier, corner and visibility of every pair follow the rules', () => {
    for (const p of set.pairs) {
      const s = set.sources[p.source];
      const q = set.quadrants[p.quadrant];
      const scale = Math.sqrt(Math.abs(p.jac[0] * p.jac[3] - p.jac[1] * p.jac[2]));
      const e = Number.isFinite(s.ellipticity) ? Math.abs(s.ellipticity) : 0;
      expect(p.tier).toBe(chooseTier(stampRadiusPx({ kind: s.kind, hlr: s.hlr, e, pixelScale: scale, psfSize: 21 })));
      const xc = Math.round(p.x);
      const yc = Math.round(p.y);
      expect([p.x0, p.y0]).toEqual([xc - p.tier / 2, yc - p.tier / 2]);
      expect(p.delta0[0]).toBeCloseTo(p.x - xc, 12);
      expect(p.delta0[1]).toBeCloseTo(p.y - yc, 12);
      // Overlap of [x0, x0+N)×[y0, y0+N) with [0, nx)×[0, ny), counted pixel by pixel.
      let overlap = 0;
      for (let i = p.x0; i < p.x0 + p.tier; i++) if (i >= 0 && i < q.nx) overlap++;
      let overlapY = 0;
      for (let j = p.y0; j < p.y0 + p.tier; j++) if (j >= 0 && j < q.ny) overlapY++;
      expect(p.visible).toBe(overlap * overlapY > 0);
    }
    for (const s of set.sources) {
      const own = set.pairs.filter((p) => set.sources[p.source] === s);
      expect(s.tier).toBe(Math.max(...own.map((p) => p.tier)));
    }
  });

  it('visible lists: per (tier, quadrant), sorted, each visible pair exactly once', () => {
    const seen: number[] = [];
    let last = [-1, -1];
    for (const l of set.visible) {
      expect(l.tier > last[0] || (l.tier === last[0] && l.quadrant > last[1])).toBe(true);
      last = [l.tier, l.quadrant];
      let prev = -1;
      for (const i of l.pairs) {
        const p = set.pairs[i];
        expect(p.visible && p.tier === l.tier && p.quadrant === l.quadrant && p.source > prev).toBe(true);
        prev = p.source;
        seen.push(i);
      }
    }
    const expected = set.pairs.flatMap((p, i) => (p.visible ? [i] : []));
    expect(seen.sort((a, b) => a - b)).toEqual(expected);
  });

  it('core membership follows core_source_ids', () => {
    const core = new Set(set.manifest.core_source_ids);
    for (const s of set.sources) expect(s.core).toBe(core.has(s.object_id));
    expect(set.sources.filter((s) => s.core).length).toBeGreaterThan(0);
  });

  it('PSF: interpolation reproduces the grid stamps at grid centres and every pair PSF sums to 1', async () => {
    const s = 21;
    const s2 = s * s;
    for (const [k, q] of QUADS.entries()) {
      const img = await (await fits(q.psf)).readImage(q.name);
      const [h, w] = img.shape;
      expect([h, w]).toEqual([9 * s, 9 * s]);
      const stamp = (ix: number, iy: number): Float64Array => {
        const out = new Float64Array(s2);
        for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) out[y * s + x] = img.data[(iy * s + y) * w + ix * s + x];
        const sum = out.reduce((a, b) => a + b, 0);
        return out.map((v) => v / sum);
      };
      const quad = set.quadrants[k];
      const { psfAt } = await import('./psf');
      // Grid centres x_i = nx/(2·9) + i·nx/9.
      for (const [ix, iy] of [[0, 0], [4, 4], [8, 2], [3, 8]]) {
        const cx = quad.nx / 18 + (ix * quad.nx) / 9;
        const cy = quad.ny / 18 + (iy * quad.ny) / 9;
        const got = psfAt(quad.psf, cx, cy);
        const want = stamp(ix, iy);
        for (let i = 0; i < s2; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-12);
      }
      // Each visible pair's PSF: bilinear blend of the four surrounding stamps, computed here.
      for (const p of set.pairs.filter((p) => p.visible && p.quadrant === k)) {
        const got = set.psfs.subarray(p.psfIndex * s2, (p.psfIndex + 1) * s2);
        expect(Math.abs(got.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
        const fx = Math.min(8, Math.max(0, (p.x - quad.nx / 18) / (quad.nx / 9)));
        const fy = Math.min(8, Math.max(0, (p.y - quad.ny / 18) / (quad.ny / 9)));
        const ix = Math.min(7, Math.floor(fx));
        const iy = Math.min(7, Math.floor(fy));
        const tx = fx - ix;
        const ty = fy - iy;
        const raw = (jx: number, jy: number, i: number) => img.data[(jy * s + Math.floor(i / s)) * w + jx * s + (i % s)];
        const blend = new Float64Array(s2);
        for (let i = 0; i < s2; i++)
          blend[i] = (1 - tx) * (1 - ty) * raw(ix, iy, i) + tx * (1 - ty) * raw(ix + 1, iy, i) + (1 - tx) * ty * raw(ix, iy + 1, i) + tx * ty * raw(ix + 1, iy + 1, i);
        const sum = blend.reduce((a, b) => a + b, 0);
        for (let i = 0; i < s2; i++) expect(Math.abs(got[i] - blend[i] / sum)).toBeLessThan(1e-9);
      }
    }
  });

  it('mask and background: ivar = 0 exactly on FLG bit 0, bad RMS or bad SCI; data = SCI − BKG elsewhere', async () => {
    for (const [k, q] of QUADS.entries()) {
      const f = await fits(q.sci);
      const sci = (await f.readImage(`${q.name}.SCI`)).data;
      const rms = (await f.readImage(`${q.name}.RMS`)).data;
      const flg = (await f.readImage(`${q.name}.FLG`)).data;
      const bkg = (await (await fits(q.bkg)).readImage(q.name)).data;
      const px = set.quadrants[k].pixels!;
      let flagged = 0;
      let masked = 0;
      let mismatch = 0;
      for (let i = 0; i < sci.length; i++) {
        const bit0 = (Number(flg[i]) & 1) !== 0;
        if (bit0) flagged++;
        const bad = bit0 || !(rms[i] > 0 && Number.isFinite(rms[i])) || !Number.isFinite(sci[i]);
        if (bad) masked++;
        if (bad !== (px.ivar[i] === 0)) mismatch++;
        if (bad) {
          if (px.data[i] !== 0) mismatch++;
        } else {
          if (px.data[i] !== Math.fround(sci[i] - bkg[i])) mismatch++;
          if (Math.abs(px.ivar[i] - 1 / (rms[i] * rms[i])) > 1e-6 / (rms[i] * rms[i])) mismatch++;
        }
      }
      expect(flagged).toBeGreaterThan(0); // the fixture has cosmic rays and a hot column
      expect(mismatch).toBe(0);
      expect(px.counts.total - px.counts.valid).toBe(masked);
      expect(px.counts.flagged).toBe(flagged);
      expect(px.background.method).toBe('map');
    }
  });

  it('crosses a structured clone with its buffers transferred', () => {
    const copy = structuredClone(set, { transfer: [] });
    const moved = structuredClone(copy, { transfer: exposureSetTransferables(copy) });
    expect(moved.pairs).toEqual(set.pairs);
    expect(moved.psfs).toEqual(set.psfs);
    const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    expect(bytes(moved.quadrants[1].pixels!.ivar).equals(bytes(set.quadrants[1].pixels!.ivar))).toBe(true);
    expect(copy.psfs.length).toBe(0); // detached
  });

  it('pixels: false reads headers and PSF only (range reads), not the SCI/RMS/FLG data', async () => {
    const read = new Map<string, number>();
    // A Blob that counts the bytes sliced from it: BlobSource reads ranges through slice().
    class CountingBlob extends Blob {
      constructor(readonly name: string, bytes: Uint8Array<ArrayBuffer>) {
        super([bytes]);
      }
      override slice(start?: number, end?: number, type?: string): Blob {
        read.set(this.name, (read.get(this.name) ?? 0) + (end ?? this.size) - (start ?? 0));
        return super.slice(start, end, type);
      }
    }
    const files = new Map<string, Blob>();
    const names = ['manifest_local.yaml', 'catalog.fits', ...QUADS.flatMap((q) => [q.sci, q.bkg, q.psf])];
    for (const n of names) files.set(n, new CountingBlob(n, new Uint8Array(readFileSync(join(subtile, n)))));
    const geo = await prepareExposureSet('manifest_local.yaml', { pixels: false, storage: { files } });
    expect(geo.pairs).toEqual(set.pairs);
    for (const q of QUADS) {
      expect(read.get(q.sci)!, q.sci).toBeLessThan(16 * 2880); // a few header blocks of a 3.2 MB file
      expect(read.get(q.bkg) ?? 0, q.bkg).toBe(0);
    }
  });

  it('pixels: false gives the same geometry without pixels', async () => {
    const geo = await prepareExposureSet(manifestPath, { pixels: false });
    expect(geo.quadrants.every((q) => q.pixels === undefined)).toBe(true);
    expect(geo.pairs).toEqual(set.pairs);
    expect(geo.visible).toEqual(set.visible);
  });

  it('scene adapter: visible pairs only, ordered by tier, quadrant, source; catalogue flux and hlr', () => {
    const scene = exposureSetToScene(set);
    validateScene(scene);
    expect(scene.pairs.length).toBe(set.pairs.filter((p) => p.visible).length);
    for (let i = 1; i < scene.pairs.length; i++) {
      const a = scene.pairs[i - 1];
      const b = scene.pairs[i];
      expect(a.n < b.n || (a.n === b.n && (a.quadrant < b.quadrant || (a.quadrant === b.quadrant && a.source < b.source)))).toBe(true);
    }
    scene.sources.forEach((s, i) => {
      const r = catalogue.id.indexOf(set.sources[i].object_id);
      expect(s.catalogFlux).toBe(catalogue.flux[r]);
      expect(s.kind === 'galaxy' ? s.catalogHlr : undefined).toBe(s.kind === 'galaxy' ? set.sources[i].hlr : undefined);
    });
    expect(scene.quadrants[0].obs.length).toBe(512 * 517);
  });
});

describe('sources placed at quadrant edges', () => {
  it('stamps touching the edge from outside are invisible, from inside visible', async () => {
    const f = await fits(QUADS[0].sci);
    const w = wcsFromHeader(f.hdu('3-4.F.SCI').header);
    const nx = 512;
    const ny = 517;
    const n = 32; // stars: PSF half-width + 2 → the smallest tier
    const h = n / 2;
    // Grid-centre pixel (xc, yc) → corner xc − 16. x0 + N == 0 ↔ xc = −16; x0 == nx ↔ xc = nx + 16.
    const cases: Array<[number, number, boolean]> = [
      [-h, 200, false],
      [-h + 1, 200, true],
      [nx - 1 + h, 200, true],
      [nx + h, 200, false],
      [200, -h, false],
      [200, -h + 1, true],
      [200, ny - 1 + h, true],
      [200, ny + h, false],
    ];
    const sky = cases.map(([x, y]) => w.pixToSky(x + 0.1, y - 0.2));
    const ids = cases.map((_, i) => 1000 + i);
    const num = (v: number) => new Float64Array(cases.length).fill(v);
    const cat = encodeFits([
      {
        kind: 'table',
        columns: [
          { name: 'OBJECT_ID', data: BigInt64Array.from(ids, BigInt) },
          { name: 'RIGHT_ASCENSION', data: Float64Array.from(sky, (s) => s[0]) },
          { name: 'DECLINATION', data: Float64Array.from(sky, (s) => s[1]) },
          { name: 'FLUX_DETECTION_TOTAL', data: num(100) },
          { name: 'FLUXERR_DETECTION_TOTAL', data: num(1) },
          { name: 'SEMIMAJOR_AXIS', data: num(2) },
          { name: 'VIS_DET', data: Int32Array.from(ids, () => 1) },
          { name: 'SPURIOUS_FLAG', data: new Int32Array(cases.length) },
          { name: 'POINT_LIKE_FLAG', data: Int32Array.from(ids, () => 1) },
          { name: 'DET_QUALITY_FLAG', data: new Int32Array(cases.length) },
        ],
      },
    ]);
    writeFileSync(join(tmp, 'edge_cat.fits'), cat);
    const yaml = readFileSync(manifestPath, 'utf8')
      .replace(/(sci|bkg|wgt|psf)_path: (\S+)/g, (_, k: string, p: string) => `${k}_path: ${join(subtile, p)}`)
      .replace(/source_catalog: .*/, 'source_catalog: edge_cat.fits')
      .replace(/source_ids:[\s\S]*$/, `source_ids: [${ids.join(', ')}]\ncore_source_ids: []\n`);
    writeFileSync(join(tmp, 'edge.yaml'), yaml);
    const edge = await prepareExposureSet(join(tmp, 'edge.yaml'), { pixels: false });
    expect(edge.sources.length).toBe(cases.length);
    cases.forEach(([x, y, vis], i) => {
      const p = edge.pairs[i * 2];
      expect(p.tier).toBe(n);
      expect([p.x0 + h, p.y0 + h], `case ${i}`).toEqual([x, y]);
      expect(p.visible, `case ${i} at (${x}, ${y})`).toBe(vis);
    });
  });
});

describe('errors', () => {
  it('a quadrant whose HDU is missing: names the file and lists the HDUs present', async () => {
    const yaml = readFileSync(manifestPath, 'utf8')
      .replace(/(sci|bkg|wgt|psf)_path: (\S+)/g, (_, k: string, p: string) => `${k}_path: ${join(subtile, p)}`)
      .replace(/source_catalog: (\S+)/, (_, p: string) => `source_catalog: ${join(subtile, p)}`)
      .replace('quadrant: 3-4.E', 'quadrant: 3-4.X');
    writeFileSync(join(tmp, 'bad.yaml'), yaml);
    const err = await prepareExposureSet(join(tmp, 'bad.yaml'), { pixels: false }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toContain(join(subtile, QUADS[1].sci));
    expect(err!.message).toContain("'3-4.X.SCI'");
    expect(err!.message).toContain('3-4.E.SCI, 3-4.E.RMS, 3-4.E.FLG');
    expect(err!.message).toContain('quadrants[1]');
  });

  it('a catalogue without a table HDU is named', async () => {
    const yaml = readFileSync(manifestPath, 'utf8')
      .replace(/(sci|bkg|wgt|psf)_path: (\S+)/g, (_, k: string, p: string) => `${k}_path: ${join(subtile, p)}`)
      .replace(/source_catalog: (\S+)/, `source_catalog: ${join(subtile, QUADS[0].psf)}`);
    writeFileSync(join(tmp, 'nocat.yaml'), yaml);
    await expect(prepareExposureSet(join(tmp, 'nocat.yaml'), { pixels: false })).rejects.toThrow(/2704_00_3-4_psf\.fits: no binary table HDU/);
  });
});
