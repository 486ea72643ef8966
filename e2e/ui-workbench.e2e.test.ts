// The workbench UI in headless Chromium (WebGL through ANGLE/SwiftShader), on the shared fixture
// sub-tile served over HTTP with range requests. Expected sky positions and pixel values are
// computed here in Node from the same FITS files with the data layer (not read from the page).
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startStaticServer } from '../src/cli/static-server';
import { launch, watchErrors } from './browser';
import { openFits } from '../src/data/fits/index';
import { openSource } from '../src/data/storage/index';
import { wcsFromHeader, type Wcs } from '../src/data/wcs/index';
import { REPO_ROOT } from '../src/cli/app-build';

const FIX = resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'subtile-small', 'subtile');
const MANIFEST = 'fixtures/subtile-small/subtile/manifest_local.yaml';
const QUADS = [
  { file: 'exposures/2704_00_3-4_sci.fits', bkg: 'exposures/2704_00_3-4_bkg.fits', name: '3-4.F' },
  { file: 'exposures/2704_01_3-4_sci.fits', bkg: 'exposures/2704_01_3-4_bkg.fits', name: '3-4.E' },
];

interface NodeQuad {
  wcs: Wcs;
  nx: number;
  sci: Float32Array | Float64Array;
  bkg: Float32Array | Float64Array;
  flg: Float32Array | Float64Array;
}

async function nodeQuad(k: number): Promise<NodeQuad> {
  const q = QUADS[k];
  const f = await openFits(openSource(resolve(FIX, q.file)));
  const h = f.hdu(`${q.name}.SCI`);
  const b = await openFits(openSource(resolve(FIX, q.bkg)));
  return {
    wcs: wcsFromHeader(h.header, q.file),
    nx: h.shape[1],
    sci: (await f.readImage(h)).data,
    flg: (await f.readImage(`${q.name}.FLG`)).data,
    bkg: (await b.readImage(q.name)).data,
  };
}

type Hook = Record<string, (...a: unknown[]) => unknown>;
const hook = <T>(page: Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => ((window as unknown as { __shearwb: Hook }).__shearwb[f as string] as (...x: unknown[]) => unknown)(...(a as unknown[])), [fn, args] as const) as Promise<T>;
const state = (page: Page) => hook<Record<string, any>>(page, 'state');
/** Fit the view, then wheel-zoom (about the cursor) onto pixel (x, y) until it is ≥ 3 screen px wide. */
async function zoomOnto(page: Page, x: number, y: number) {
  await page.click('[data-testid=reset-view]');
  for (let i = 0; i < 6 && (await state(page)).view.zoom < 3; i++) {
    const [cx, cy] = await hook<[number, number]>(page, 'clientOf', 'observed', x, y);
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, -600);
    await page.waitForTimeout(50);
  }
}
const stats = (page: Page, panel: string) => hook<{ mean: number[]; grey: boolean; hash: number }>(page, 'canvasStats', panel);

describe('workbench UI', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let quads: NodeQuad[];
  const base = () => inject('baseUrl');

  async function openPage(query: string): Promise<Page> {
    const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await p.goto(`${base()}/${query}`);
    return p;
  }
  const ready = (p: Page) => p.waitForSelector('[data-testid=panel-observed][data-has-image=yes]', { timeout: 60_000 });

  beforeAll(async () => {
    [browser, quads] = await Promise.all([launch(), Promise.all([nodeQuad(0), nodeQuad(1)])]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
    // Record whether per-file progress bars were ever shown (the fixture loads in a few seconds).
    await page.addInitScript(() => {
      const w = window as unknown as { __sawProgress: boolean; __sawStage: string[] };
      w.__sawProgress = false;
      w.__sawStage = [];
      new MutationObserver(() => {
        if (document.querySelector('[data-testid=file-progress] progress')) w.__sawProgress = true;
        const st = document.querySelector('[data-testid=loading-stage]')?.textContent;
        if (st && !w.__sawStage.includes(st)) w.__sawStage.push(st);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.goto(`${base()}/?manifest=${MANIFEST}`);
    await ready(page);
  });
  afterAll(async () => browser?.close());

  it('opens the fixture sub-tile by URL: loading view with per-file progress, then the observed panel', async () => {
    const s = await state(page);
    expect(s.load).toBe('ready');
    expect(s.nQuadrants).toBe(2);
    expect(s.quadrantSize).toEqual([512, 517]);
    expect(s.nSources).toBeGreaterThan(5);
    const seen = await page.evaluate(() => {
      const w = window as unknown as { __sawProgress: boolean; __sawStage: string[] };
      return { progress: w.__sawProgress, stages: w.__sawStage };
    });
    expect(seen, JSON.stringify(seen)).toMatchObject({ progress: true });
    expect(seen.stages.some((t) => /pixels/i.test(t))).toBe(true);
    // The observed canvas is drawn (not the clear colour), in grey; the model panel says there is no model.
    const st = await stats(page, 'observed');
    expect(st.grey).toBe(true);
    expect(st.mean[0]).toBeGreaterThan(40);
    expect(await page.textContent('[data-testid=panel-model]')).toContain('no model yet');
    // Sky view and catalogue explorer have their places.
    expect(await page.isVisible('[data-testid=sky-view-slot]')).toBe(true);
    expect(await page.isVisible('[data-testid=catalogue-slot]')).toBe(true);
  });

  it('pixel values in the page equal SCI − background from the FITS files', async () => {
    const q = quads[0];
    let checked = 0;
    for (const [x, y] of [[100, 200], [300, 50], [17, 400], [450, 300]]) {
      const i = y * q.nx + x;
      if (q.flg[i] !== 0) continue;
      const expected = q.sci[i] - q.bkg[i];
      const got = await hook<number>(page, 'pixelAt', 'observed', x, y);
      expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected)));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('hover readout: x, y and RA/Dec equal the data layer WCS of that pixel, and the panel values', async () => {
    for (const [x, y] of [[100, 200], [400, 37]]) {
      await zoomOnto(page, x, y);
      const [cx, cy] = await hook<[number, number]>(page, 'clientOf', 'observed', x, y);
      await page.mouse.move(cx, cy);
      const r = page.locator('[data-testid=readout]');
      await expect.poll(() => r.getAttribute('data-x')).toBe(String(x));
      expect(await r.getAttribute('data-y')).toBe(String(y));
      const [ra, dec] = quads[0].wcs.pixToSky(x, y);
      expect(Math.abs(Number(await r.getAttribute('data-ra')) - ra)).toBeLessThan(1e-10);
      expect(Math.abs(Number(await r.getAttribute('data-dec')) - dec)).toBeLessThan(1e-10);
      const shown = (await page.textContent('[data-testid=readout-observed]'))!;
      const v = await hook<number>(page, 'pixelAt', 'observed', x, y);
      expect(Number(shown.replace('observed', '').trim())).toBeCloseTo(v, Math.max(0, 4 - Math.ceil(Math.log10(Math.abs(v) + 1))));
      expect(await page.textContent('[data-testid=readout-model]')).toContain('—');
    }
  });

  it('stretch, limits and colour map change the rendering', async () => {
    const canvas = page.locator('[data-testid=canvas-observed]');
    const shot0 = await canvas.screenshot();
    const s0 = await stats(page, 'observed');
    await page.selectOption('[data-testid=stretch]', 'linear');
    await expect.poll(async () => (await stats(page, 'observed')).hash).not.toBe(s0.hash);
    const shot1 = await canvas.screenshot();
    expect(shot1.equals(shot0)).toBe(false);
    const s1 = await stats(page, 'observed');
    await page.selectOption('[data-testid=limits]', 'minmax');
    await expect.poll(async () => (await stats(page, 'observed')).hash).not.toBe(s1.hash);
    // min/max with a linear stretch leaves the sky dark: the mean falls.
    expect((await stats(page, 'observed')).mean[0]).toBeLessThan(s1.mean[0]);
    await page.selectOption('[data-testid=cmap]', 'viridis');
    await expect.poll(async () => (await stats(page, 'observed')).grey).toBe(false);
    const shot2 = await canvas.screenshot();
    expect(shot2.equals(shot1)).toBe(false);
    const s = await state(page);
    expect([s.stretch, s.limits, s.cmap]).toEqual(['linear', 'minmax', 'viridis']);
    // Back to the defaults for the tests that follow.
    await page.selectOption('[data-testid=stretch]', 'asinh');
    await page.selectOption('[data-testid=limits]', 'zscale');
    await page.selectOption('[data-testid=cmap]', 'grey');
    await expect.poll(async () => (await stats(page, 'observed')).hash).toBe(s0.hash);
  });

  it('linked pan and zoom: one view state, and every panel shows the same region', async () => {
    // Feed a model equal to the observed image, as the engine would: model must then render exactly as observed.
    const obs = await page.evaluate(() => {
      const w = window as unknown as { __shearwb: { pixelAt(p: string, x: number, y: number): number } };
      const a: number[] = [];
      for (let y = 0; y < 517; y++) for (let x = 0; x < 512; x++) a.push(w.__shearwb.pixelAt('observed', x, y));
      return a;
    });
    await page.click('[data-testid=reset-view]');
    const obsHash0 = (await stats(page, 'observed')).hash;
    await hook(page, 'feed', 0, { model: obs });
    await page.waitForSelector('[data-testid=panel-model][data-has-image=yes]');
    await expect.poll(async () => (await stats(page, 'model')).hash).toBe((await stats(page, 'observed')).hash);
    const before = await state(page);
    // Wheel-zoom about a pixel on the model panel: that pixel stays under the cursor.
    const [mx, my] = await hook<[number, number]>(page, 'clientOf', 'model', 200, 300);
    await page.mouse.move(mx, my);
    await page.mouse.wheel(0, -400);
    await expect.poll(async () => (await state(page)).view.zoom).toBeGreaterThan(before.view.zoom * 1.5);
    const [mx2, my2] = await hook<[number, number]>(page, 'clientOf', 'model', 200, 300);
    expect(Math.abs(mx2 - mx)).toBeLessThan(1.5);
    expect(Math.abs(my2 - my)).toBeLessThan(1.5);
    // Drag-pan on the residual panel moves the shared centre.
    const zoomed = await state(page);
    const [rx, ry] = await hook<[number, number]>(page, 'clientOf', 'residual', 250, 250);
    await page.mouse.move(rx, ry);
    await page.mouse.down();
    await page.mouse.move(rx + 60, ry + 30, { steps: 4 });
    await page.mouse.up();
    const panned = await state(page);
    expect(panned.view.cx).toBeCloseTo(zoomed.view.cx - 60 / zoomed.view.zoom, 3);
    expect(panned.view.cy).toBeCloseTo(zoomed.view.cy + 30 / zoomed.view.zoom, 3);
    // Observed and model canvases are identical after the pan/zoom, and differ from before it.
    await expect.poll(async () => (await stats(page, 'model')).hash).toBe((await stats(page, 'observed')).hash);
    expect((await stats(page, 'observed')).hash).not.toBe(obsHash0);
    // Residual = observed − model = 0: white everywhere the image is (diverging map), same for χ.
    const res = await stats(page, 'residual');
    expect(res.mean[0]).toBeGreaterThan(200);
    // Reset view with the button.
    await page.click('[data-testid=reset-view]');
    const fit = (s: Record<string, any>) => Math.min(s.panelSize.w / 512, s.panelSize.h / 517);
    await expect.poll(async () => (await state(page)).view.zoom).toBeCloseTo(fit(await state(page)), 9);
  });

  it('blink flips the first panel between observed and model', async () => {
    await hook(page, 'feed', 0, { model: new Array(512 * 517).fill(0) });
    const obs = await stats(page, 'observed');
    await page.click('[data-testid=blink]');
    await expect.poll(async () => (await page.textContent('[data-testid=panel-observed] figcaption'))!, { timeout: 5000 }).toBe('blink: model');
    // The model (zeros) renders flat: one colour over the image.
    await expect.poll(async () => (await stats(page, 'observed')).hash).not.toBe(obs.hash);
    await expect.poll(async () => (await page.textContent('[data-testid=panel-observed] figcaption'))!, { timeout: 5000 }).toBe('blink: observed');
    await page.click('[data-testid=blink]');
    expect((await state(page)).blink).toBe(false);
  });

  it('quadrant switching: footprint counts, the other image, and its own WCS in the readout', async () => {
    const txt = await page.textContent('[data-testid=quadrant-1]');
    expect(txt).toMatch(/3-4\.E .*512×517 · \d+ sources/);
    const obs0 = await stats(page, 'observed');
    await page.click('[data-testid=quadrant-1]');
    expect((await state(page)).quadrant).toBe(1);
    await expect.poll(async () => (await stats(page, 'observed')).hash).not.toBe(obs0.hash);
    expect(await page.getAttribute('[data-testid=panel-model]', 'data-has-image')).toBe('no');
    await zoomOnto(page, 123, 321);
    const [cx, cy] = await hook<[number, number]>(page, 'clientOf', 'observed', 123, 321);
    await page.mouse.move(cx, cy);
    const r = page.locator('[data-testid=readout]');
    await expect.poll(() => r.getAttribute('data-x')).toBe('123');
    const [ra, dec] = quads[1].wcs.pixToSky(123, 321);
    expect(Math.abs(Number(await r.getAttribute('data-ra')) - ra)).toBeLessThan(1e-10);
    expect(Math.abs(Number(await r.getAttribute('data-dec')) - dec)).toBeLessThan(1e-10);
    // Back through the footprint map.
    await page.dispatchEvent('[data-testid=footprint-0]', 'click');
    expect((await state(page)).quadrant).toBe(0);
  });

  it('source list and keyboard: n / p step through the list, b blinks, r resets the view', async () => {
    await page.mouse.move(5, 5);
    const order = await hook<number[]>(page, 'sourceOrder');
    const rows = await page.$$eval('[data-testid=source-row]', (els) => els.map((e) => Number(e.getAttribute('data-id'))));
    expect(rows).toEqual(order);
    await page.keyboard.press('n');
    expect((await state(page)).source).toBe(order[0]);
    await page.keyboard.press('n');
    expect((await state(page)).source).toBe(order[1]);
    await page.keyboard.press('p');
    const s = await state(page);
    expect(s.source).toBe(order[0]);
    expect(s.view.zoom).toBeGreaterThanOrEqual(2);
    await page.keyboard.press('b');
    expect((await state(page)).blink).toBe(true);
    await page.keyboard.press('b');
    expect((await state(page)).blink).toBe(false);
    await page.keyboard.press('r');
    const after = await state(page);
    expect(after.view.zoom).toBeCloseTo(Math.min(after.panelSize.w / 512, after.panelSize.h / 517), 9);
    // A click on a row selects that source.
    await page.click(`[data-testid=source-row][data-id="${order[3]}"]`);
    expect((await state(page)).source).toBe(order[3]);
    expect(errors).toEqual([]);
  });

  it('a share link restores manifest, quadrant, source, display and view in a fresh page', async () => {
    await page.click('[data-testid=quadrant-1]');
    const order = await hook<number[]>(page, 'sourceOrder');
    await page.click(`[data-testid=source-row][data-id="${order[2]}"]`);
    await page.selectOption('[data-testid=stretch]', 'sqrt');
    await page.selectOption('[data-testid=limits]', 'p99.5');
    await page.selectOption('[data-testid=cmap]', 'viridis');
    const [mx, my] = await hook<[number, number]>(page, 'clientOf', 'observed', 256, 256);
    await page.mouse.move(mx, my);
    await page.mouse.wheel(0, 200);
    const s = await state(page);
    const query = await hook<string>(page, 'share');
    // The address bar follows the view.
    await expect.poll(() => page.evaluate(() => location.search)).toBe(query);
    const p2 = await openPage(query);
    await ready(p2);
    const s2 = await state(p2);
    expect(s2.quadrant).toBe(1);
    expect(s2.source).toBe(order[2]);
    expect([s2.stretch, s2.limits, s2.cmap]).toEqual(['sqrt', 'p99.5', 'viridis']);
    expect(s2.view.zoom).toBeCloseTo(s.view.zoom, 3);
    expect(s2.view.cx).toBeCloseTo(s.view.cx, 1);
    expect(s2.view.cy).toBeCloseTo(s.view.cy, 1);
    // The restored page draws what the original drew (hover marker off in both).
    await page.mouse.move(1, 1);
    await page.evaluate(() => (window as unknown as { __shearwb: { state(): unknown } }).__shearwb.state());
    const [a, b] = await Promise.all([stats(page, 'observed'), stats(p2, 'observed')]);
    expect(b.mean[0]).toBeCloseTo(a.mean[0], 0);
    expect(b.grey).toBe(false);
    await p2.close();
  });

  it('the start page URL box opens a manifest, and recent manifests are remembered', async () => {
    const p = await openPage('');
    await p.fill('[data-testid=manifest-input]', MANIFEST);
    await p.press('[data-testid=manifest-input]', 'Enter');
    await ready(p);
    expect(await p.evaluate(() => location.search)).toContain('manifest=');
    await p.click('text=open another');
    await p.waitForSelector('[data-testid=start-page]');
    expect(await p.textContent('[data-testid=recent]')).toContain(MANIFEST);
    await p.close();
  });

  it('a sub-tile folder chosen in the folder picker opens from the dropped files', async () => {
    const p = await openPage('');
    await p.setInputFiles('[data-testid=folder-input]', FIX);
    await ready(p);
    const s = await state(p);
    expect(s.nQuadrants).toBe(2);
    expect(s.manifest).toMatch(/manifest_local\.yaml$/);
    await p.close();
  });

  describe('errors in plain words', () => {
    // Broken manifests are served from a second server (CORS allowed) so the fixtures stay read-only.
    let other: { url: string; close(): Promise<void> };
    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'shearwb-ui-'));
      mkdirSync(join(dir, 'bad'));
      writeFileSync(join(dir, 'bad', 'manifest.yaml'), 'tile_id: twelve\nsub_tile_row: 1\nquadrants: []\n');
      mkdirSync(join(dir, 'missing'));
      const fixUrl = `${base()}/fixtures/subtile-small/subtile/`;
      const text = readFileSync(resolve(FIX, 'manifest_local.yaml'), 'utf8')
        .replace(/(_path: )(\S+)/g, (_m, k: string, v: string) => `${k}${fixUrl}${v}`)
        .replace(/source_catalog: (\S+)/, (_m, v: string) => `source_catalog: ${fixUrl}${v}`)
        .replace(`${fixUrl}exposures/2704_01_3-4_sci.fits`, `${fixUrl}exposures/nope_sci.fits`);
      writeFileSync(join(dir, 'missing', 'manifest.yaml'), text);
      other = await startStaticServer([{ prefix: '/', dir }]);
    });
    afterAll(async () => other?.close());

    async function errorPage(manifest: string) {
      const p = await browser.newPage();
      await p.goto(`${base()}/?manifest=${encodeURIComponent(manifest)}`);
      await p.waitForSelector('[data-testid=load-error]', { timeout: 60_000 });
      const text = async (id: string) => (await p.textContent(`[data-testid=${id}]`)) ?? '';
      const out = { title: await text('error-title'), file: await text('error-file'), detail: await text('error-detail'), fix: await text('error-fix') };
      await p.close();
      return out;
    }

    it('a malformed manifest names the manifest, the bad fields and the fix', async () => {
      const e = await errorPage(`${other.url}/bad/manifest.yaml`);
      expect(e.title).toMatch(/manifest is malformed/i);
      expect(e.file).toBe(`${other.url}/bad/manifest.yaml`);
      expect(e.detail).toMatch(/tile_id: expected an integer, got "twelve"/);
      expect(e.detail).toMatch(/sub_tile_col: missing/);
      expect(e.fix).toMatch(/Correct the fields/);
    });

    it('a file missing on the server names that file and says to check the manifest path', async () => {
      const e = await errorPage(`${other.url}/missing/manifest.yaml`);
      expect(e.title).toMatch(/file the manifest refers to is missing \(HTTP 404\)/);
      expect(e.file).toBe(`${base()}/fixtures/subtile-small/subtile/exposures/nope_sci.fits`);
      expect(e.fix).toMatch(/path in the manifest/);
    });

    it('a manifest URL that answers 404 says so and how to fix it', async () => {
      const e = await errorPage('fixtures/no-such-subtile/manifest.yaml');
      expect(e.title).toMatch(/Manifest not found \(HTTP 404\)/);
      expect(e.file).toBe(`${base()}/fixtures/no-such-subtile/manifest.yaml`);
      expect(e.fix).toMatch(/manifest URL/);
    });
  });
});
