// The engine against an independent renderer: the truth parameters of the shared fixture
// subtile-small-noiseless (rendered outside this project: exponential × continuous Moffat × pixel
// box, oversampled in real space, float64; PSF FWHM 0.30") give back its truth_model.fits.
//
// What limits the agreement (see the fixture README): reconstructing the under-sampled effective PSF
// from its pixel-centre samples costs up to 7e-4 of a galaxy's peak at 0.30". Measured here: every
// galaxy inside the PSF grid's stamp-centre hull within 5.4e-4 of its peak; the two galaxies outside
// it (≤ 28 px from an edge, where DESIGN §1.3's interpolation can only hold the outermost stamp while
// the fixture's Moffat keeps varying) within 1.3e-3; whole-image flux within 2e-5.
import { server } from 'vitest/browser';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareExposureSet, type ExposureSet } from '../data/exposure-set';
import { openFits } from '../data/fits/index';
import { readParamsTable } from '../data/products/params';
import { exposureSetToScene } from '../data/scene';
import { openSource, readAll } from '../data/storage/index';
import { acquireGpu } from './device';
import { ShearEngine } from './engine';
import { mapParamsToScene } from './render-params';

const root = server.config.root.replace(/\/$/, '');
const fixture = `${root.slice(0, root.lastIndexOf('/'))}/shared/fixtures/subtile-small-noiseless`;
const base = new URL(`/@fs${fixture}/`, location.href).href;

// Tolerances held (reached in brackets).
const TOL_INSIDE = 7e-4; // per galaxy inside the PSF grid hull, of the local peak   [5.4e-4]
const TOL_EDGE = 1.6e-3; // per galaxy outside it (PSF extrapolated), of the local peak [1.3e-3]
const TOL_IMAGE = 1.3e-3; // whole quadrant: max |Δ| over the quadrant's peak          [1.1e-3]
const TOL_FLUX = 1e-4; // whole quadrant: |Σ model / Σ truth − 1|                  [1.3e-5]

let set: ExposureSet;
let models: Float32Array[];
let truth: Float32Array[];
let truthShapes: number[][];
let truthHeaders: Array<{ extname: string; extver: unknown; quadrant: unknown; scipath: unknown }>;

beforeAll(async () => {
  const gpu = await acquireGpu();
  set = await prepareExposureSet(`${base}subtile/manifest_local.yaml`);
  const table = await readParamsTable(await readAll(openSource(`${base}truth_params.fits`)), 'truth_params.fits');
  const scene = exposureSetToScene(set);
  const mapped = mapParamsToScene(scene, table);
  // The fixture models every extended-area source: the scene must hold them all, and only them.
  expect(mapped.rendered).toBe(table.rows.length);
  expect(mapped.unused).toBe(0);
  const engine = await ShearEngine.create(gpu, scene, null);
  engine.setParams(mapped.vector);
  const r = await engine.evaluate({ gradient: false, models: true });
  engine.destroy();
  models = r.models!;
  const f = await openFits(openSource(`${base}truth_model.fits`));
  const hdus = f.hdus.filter((h) => h.kind === 'image');
  truth = [];
  for (const h of hdus) truth.push(Float32Array.from((await f.readImage(h)).data));
  truthShapes = hdus.map((h) => h.shape);
  truthHeaders = hdus.map((h) => ({ extname: h.extname, extver: h.header.get('EXTVER'), quadrant: h.header.get('QUADRANT'), scipath: h.header.get('SCIPATH') }));
}, 240_000);

describe('engine against the independent fixture renderer (subtile-small-noiseless)', () => {
  it('renders on the full quadrant grid, one image per manifest quadrant', () => {
    expect(truth.length).toBe(set.quadrants.length);
    set.quadrants.forEach((q, k) => {
      expect(truthHeaders[k]).toEqual({ extname: 'MODEL', extver: k + 1, quadrant: q.name, scipath: set.manifest.quadrants[k].sci_path });
      expect(truthShapes[k]).toEqual([q.ny, q.nx]);
      expect(models[k].length).toBe(q.nx * q.ny);
    });
  });

  it(`agrees per quadrant within ${TOL_IMAGE} of the peak and in flux within ${TOL_FLUX}`, () => {
    set.quadrants.forEach((q, k) => {
      const m = models[k];
      const t = truth[k];
      let peak = 0;
      let err = 0;
      let sm = 0;
      let st = 0;
      for (let i = 0; i < t.length; i++) {
        peak = Math.max(peak, t[i]);
        err = Math.max(err, Math.abs(m[i] - t[i]));
        sm += m[i];
        st += t[i];
      }
      console.log(`independent ${q.name}: max |Δ|/peak ${(err / peak).toExponential(2)}, flux ratio − 1 ${(sm / st - 1).toExponential(2)}`);
      expect(peak, `quadrant ${q.name}: truth image is empty`).toBeGreaterThan(100);
      expect(err / peak, `quadrant ${q.name}: max |model − truth| / peak`).toBeLessThan(TOL_IMAGE);
      expect(Math.abs(sm / st - 1), `quadrant ${q.name}: Σ model / Σ truth − 1`).toBeLessThan(TOL_FLUX);
    });
  });

  it(`agrees per galaxy within ${TOL_INSIDE} of its peak inside the PSF grid (${TOL_EDGE} outside)`, () => {
    let inside = 0;
    let edge = 0;
    const worst = { inside: 0, edge: 0 };
    for (const p of set.pairs) {
      if (!p.visible) continue;
      const q = set.quadrants[p.quadrant];
      const cx = Math.round(p.x);
      const cy = Math.round(p.y);
      if (cx < 0 || cy < 0 || cx >= q.nx || cy >= q.ny) continue; // centre off this quadrant
      const m = models[p.quadrant];
      const t = truth[p.quadrant];
      // Window of ±12 px: the local peak is the brightest pixel in it (a faint galaxy beside a bright
      // one is measured against the pair's peak, as its error is the bright one's).
      let peak = 0;
      let err = 0;
      for (let y = Math.max(0, cy - 12); y <= Math.min(q.ny - 1, cy + 12); y++) {
        for (let x = Math.max(0, cx - 12); x <= Math.min(q.nx - 1, cx + 12); x++) {
          const i = y * q.nx + x;
          peak = Math.max(peak, t[i]);
          err = Math.max(err, Math.abs(m[i] - t[i]));
        }
      }
      // Stamp centres of the PSF grid: x_i = nx/(2·gx) + i·nx/gx (DESIGN §1.3).
      const g = q.psf;
      const lo = [q.nx / (2 * g.gridNx), q.ny / (2 * g.gridNy)];
      const hi = [lo[0] + ((g.gridNx - 1) * q.nx) / g.gridNx, lo[1] + ((g.gridNy - 1) * q.ny) / g.gridNy];
      const inHull = p.x >= lo[0] && p.x <= hi[0] && p.y >= lo[1] && p.y <= hi[1];
      const what = `source ${set.sources[p.source].object_id} in ${q.name} at (${p.x.toFixed(1)}, ${p.y.toFixed(1)}), peak ${peak.toFixed(1)} ADU`;
      expect(err / peak, what).toBeLessThan(inHull ? TOL_INSIDE : TOL_EDGE);
      if (inHull) inside++;
      else edge++;
      worst[inHull ? 'inside' : 'edge'] = Math.max(worst[inHull ? 'inside' : 'edge'], err / peak);
    }
    console.log(`independent per galaxy: worst ${worst.inside.toExponential(2)} of ${inside} inside the PSF grid, ${worst.edge.toExponential(2)} of ${edge} outside`);
    expect(inside).toBeGreaterThanOrEqual(15);
    expect(edge).toBeLessThanOrEqual(4);
  });
});
