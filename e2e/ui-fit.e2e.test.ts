// The workbench's engine in headless Chromium (WebGPU on SwiftShader, in a worker): a short live fit
// of a small simulated sub-tile, the inspector, saved results reopened by link without a fit, and
// a browser without WebGPU. Pixel values are read back through the page's test hook.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStaticServer } from '../src/cli/static-server';
import { writeSubtile, type SimResult } from '../src/sim/index';
import { chromiumPath, CHROMIUM_ARGS } from '../src/testing/chromium';
import { launch, watchErrors } from './browser';

const SIM = { seed: 21, galaxies: 6, quadrants: 2, quadSize: [256, 264] as [number, number], psfFwhm: 0.3, g1: 0.02, g2: -0.01 };
const STEPS = 25;

type Hook = Record<string, (...a: unknown[]) => unknown>;
const hook = <T>(page: Page, fn: string, ...args: unknown[]) =>
  page.evaluate(([f, a]) => ((window as unknown as { __shearwb: Hook }).__shearwb[f as string] as (...x: unknown[]) => unknown)(...(a as unknown[])), [fn, args] as const) as Promise<T>;
const state = (p: Page) => hook<Record<string, any>>(p, 'state');
const run = (p: Page) => hook<Record<string, any>>(p, 'run');
const rms = (a: number[]) => Math.sqrt(a.filter(Number.isFinite).reduce((s, v) => s + v * v, 0) / a.filter(Number.isFinite).length);

describe('workbench fit (engine worker)', () => {
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let dir: string;
  let sim: SimResult;
  let srv: { url: string; close(): Promise<void> };
  let manifestUrl: string;
  const base = () => inject('baseUrl');
  const ready = (p: Page) => p.waitForSelector('[data-testid=panel-observed][data-has-image=yes]', { timeout: 60_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shearwb-ui-fit-'));
    [sim, browser] = await Promise.all([writeSubtile(join(dir, 'subtile'), SIM), launch()]);
    srv = await startStaticServer([{ prefix: '/', dir }]);
    manifestUrl = `${srv.url}/subtile/manifest_local.yaml`;
    page = await browser.newPage({ viewport: { width: 1500, height: 950 }, acceptDownloads: true });
    errors = watchErrors(page);
    await page.goto(`${base()}/?manifest=${encodeURIComponent(manifestUrl)}`);
    await ready(page);
    await page.waitForFunction(() => (window as unknown as { __shearwb: { run(): { engine: string } } }).__shearwb.run().engine !== 'starting', null, { timeout: 120_000 });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a short fit: the loss falls, the panels change, the page never blocks over 200 ms', async () => {
    expect((await run(page)).engine, String((await run(page)).engineMessage)).toBe('ready');
    expect(await page.getAttribute('[data-testid=panel-model]', 'data-has-image')).toBe('no');
    await page.fill('[data-testid=run-steps]', String(STEPS));
    await page.fill('[data-testid=run-every]', '5');
    // Long tasks on the main thread while the fit runs.
    await page.evaluate(() => {
      const w = window as unknown as { __long: number[] };
      w.__long = [];
      new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__long.push(e.duration))).observe({ type: 'longtask' });
    });
    await page.click('[data-testid=run-start]');
    await page.waitForSelector('[data-testid=panel-model][data-has-image=yes]', { timeout: 120_000 });
    const firstModel = await hook<{ hash: number }>(page, 'canvasStats', 'model');
    await expect.poll(async () => (await run(page)).phase, { timeout: 180_000, interval: 500 }).toBe('done');
    const r = await run(page);
    const long = await page.evaluate(() => (window as unknown as { __long: number[] }).__long);
    console.log(`fit: ${r.history.length} progress points, loss ${r.history[0].loss.toFixed(1)} → ${r.history.at(-1).loss.toFixed(1)}, g = (${r.g1.toFixed(4)} ± ${r.g1Err}, ${r.g2.toFixed(4)} ± ${r.g2Err}); truth (${SIM.g1}, ${SIM.g2}); long tasks ${JSON.stringify(long)}; ${r.message}`);
    expect(r.history.length).toBeGreaterThanOrEqual(2);
    expect(r.history.at(-1).loss).toBeLessThan(r.history[0].loss);
    expect(r.counters.fitSteps).toBeGreaterThan(0);
    expect(Math.max(0, ...long)).toBeLessThan(200);
    // Errors from the Laplace step after the fit.
    expect(r.g1Err).toBeGreaterThan(0);
    expect(r.g2Err).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid=g1]')).toContain('±');
    // The curve is drawn; the model panel changed during the fit.
    expect(Number(await page.getAttribute('[data-testid=loss-curve]', 'data-points'))).toBe(r.history.length);
    expect((await hook<{ hash: number }>(page, 'canvasStats', 'model')).hash).not.toBe(firstModel.hash);
  });

  let chosen: number;
  it('the residual of a well-fitted source is much flatter than its observed stamp', async () => {
    const s = await state(page);
    const order = await hook<number[]>(page, 'sourceOrder'); // SNR, largest first
    const truthIds = new Set(sim.truth.galaxies.filter((g) => !g.star).map((g) => g.object_id));
    let best: { id: number; ratio: number } | null = null;
    for (const id of order) {
      const px = await hook<[number, number] | null>(page, 'sourcePixel', id, s.quadrant);
      if (!px || !truthIds.has(id)) continue;
      const [x, y] = px.map(Math.round);
      if (x < 10 || y < 10 || x > s.quadrantSize[0] - 11 || y > s.quadrantSize[1] - 11) continue;
      const obs = await hook<number[]>(page, 'cutout', 'observed', x - 6, y - 6, 13, 13);
      const res = await hook<number[]>(page, 'cutout', 'residual', x - 6, y - 6, 13, 13);
      best = { id, ratio: rms(res) / rms(obs) };
      break;
    }
    expect(best, 'a bright galaxy inside quadrant 0').not.toBeNull();
    console.log(`source ${best!.id}: residual RMS / observed RMS = ${best!.ratio.toFixed(3)}`);
    expect(best!.ratio).toBeLessThan(0.3);
    chosen = best!.id;
  });

  it('clicking a source opens the inspector with its fitted parameters, errors, stamps and trajectories', async () => {
    const [x, y] = (await hook<[number, number]>(page, 'sourcePixel', chosen))!;
    const [cx, cy] = await hook<[number, number]>(page, 'clientOf', 'model', x, y);
    await page.mouse.click(cx, cy);
    expect((await state(page)).source).toBe(chosen);
    await page.waitForSelector(`[data-testid=inspector][data-id="${chosen}"]`);
    const rows = await page.$$eval('[data-testid=inspector-params] tr[data-testid^=param-]', (els) =>
      els.map((e) => ({ name: e.getAttribute('data-testid'), value: Number(e.getAttribute('data-value')), error: Number(e.getAttribute('data-error')) })),
    );
    expect(rows.map((r) => r.name)).toEqual(['param-flux', 'param-hlr', 'param-e1', 'param-e2', 'param-dx', 'param-dy']);
    for (const r of rows) {
      expect(Number.isFinite(r.value)).toBe(true);
      expect(r.error).toBeGreaterThan(0);
    }
    const truth = sim.truth.galaxies.find((g) => g.object_id === chosen)!;
    // A bright galaxy's fitted flux lands near the truth (generous: a short fit, noise).
    expect(Math.abs(rows[0].value / truth.flux_ujy - 1)).toBeLessThan(0.25);
    expect(await page.$$eval('[data-testid=inspector-stamps] canvas', (c) => c.length)).toBeGreaterThanOrEqual(3);
    expect(await page.$$eval('[data-testid=inspector-params] .sparkline polyline', (c) => c.length)).toBe(6);
  });

  it('keyboard next / previous / blink / reset still work', async () => {
    await page.mouse.move(5, 5);
    const order = await hook<number[]>(page, 'sourceOrder');
    const i = order.indexOf((await state(page)).source);
    await page.keyboard.press('n');
    expect((await state(page)).source).toBe(order[(i + 1) % order.length]);
    await page.keyboard.press('p');
    expect((await state(page)).source).toBe(order[i]);
    await page.keyboard.press('b');
    expect((await state(page)).blink).toBe(true);
    await page.keyboard.press('b');
    await page.keyboard.press('r');
    const s = await state(page);
    expect(s.view.zoom).toBeCloseTo(Math.min(s.panelSize.w / s.quadrantSize[0], s.panelSize.h / s.quadrantSize[1]), 9);
  });

  it('pause holds the fit, resume continues it, stop ends it', async () => {
    await page.selectOption('[data-testid=run-optimizer]', 'adam');
    await page.fill('[data-testid=run-lr]', '0.002');
    await page.fill('[data-testid=run-steps]', '400');
    await page.fill('[data-testid=run-every]', '2');
    await page.click('[data-testid=run-start]');
    await expect.poll(async () => (await run(page)).history.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
    await page.click('[data-testid=run-pause]');
    expect((await run(page)).phase).toBe('paused');
    await page.waitForTimeout(1000); // events already on their way arrive
    const held = (await run(page)).counters.fitSteps;
    await page.waitForTimeout(1500);
    expect((await run(page)).counters.fitSteps).toBe(held);
    await page.click('[data-testid=run-resume]');
    await expect.poll(async () => (await run(page)).counters.fitSteps, { timeout: 60_000 }).toBeGreaterThan(held + 2);
    await page.click('[data-testid=run-stop]');
    await expect.poll(async () => (await run(page)).phase, { timeout: 60_000 }).toBe('done');
    const r = await run(page);
    expect(r.message).toMatch(/stopped after \d+ steps/);
    expect(r.history.at(-1).step).toBeLessThan(400);
    await page.selectOption('[data-testid=run-optimizer]', 'lbfgs');
  });

  it('refit neighbourhood frees only the sources within R: shear and far sources stay put', async () => {
    await page.click(`[data-testid=source-row][data-id="${chosen}"]`);
    await page.fill('[data-testid=neighbourhood-radius]', '2');
    await page.fill('[data-testid=run-steps]', '5');
    const order = await hook<number[]>(page, 'sourceOrder');
    const before = await run(page);
    const values = async () => Promise.all(order.map((id) => hook<number[] | null>(page, 'sourceValues', id)));
    const v0 = await values();
    await page.click('[data-testid=refit-neighbourhood]');
    await expect.poll(async () => (await run(page)).phase, { timeout: 60_000 }).toBe('running');
    await expect.poll(async () => (await run(page)).phase, { timeout: 90_000 }).toBe('done');
    const after = await run(page);
    expect(after.message).not.toMatch(/error/i);
    expect(after.g1).toBe(before.g1);
    expect(after.g2).toBe(before.g2);
    const v1 = await values();
    // Neighbours from the simulator's catalogue positions (independent of the page).
    const c = sim.truth.galaxies.find((g) => g.object_id === chosen)!;
    const sep = (g: { cat_ra: number; cat_dec: number }) => Math.hypot((g.cat_ra - c.cat_ra) * Math.cos((c.cat_dec * Math.PI) / 180), g.cat_dec - c.cat_dec) * 3600;
    const near = new Set(sim.truth.galaxies.filter((g) => sep(g) <= 2).map((g) => g.object_id));
    let unchanged = 0;
    const moved: number[] = [];
    order.forEach((id, k) => {
      if (!v0[k]) return;
      if (v0[k]!.every((x, j) => x === v1[k]![j])) unchanged++;
      else moved.push(id);
    });
    expect(moved).toContain(chosen);
    for (const id of moved) expect(near.has(id), `source ${id} moved but is not within 2"`).toBe(true);
    expect(unchanged + moved.length).toBe(order.filter((_, k) => v0[k]).length);
  });

  it('saved results, opened by link in a fresh page, restore the view and the fit without running it', async () => {
    // The chosen source is seen by quadrant 1 too? Then select it there; else keep quadrant 0.
    await page.click(`[data-testid=source-row][data-id="${chosen}"]`);
    if (await hook(page, 'sourcePixel', chosen, 1)) await page.click('[data-testid=quadrant-1]');
    await page.selectOption('[data-testid=stretch]', 'sqrt');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=save-parquet]')]);
    const name = download.suggestedFilename();
    expect(name).toMatch(/^params_\d+_\d+_\d+\.parquet$/);
    // "Put it next to the manifest": the test server serves the sub-tile folder.
    await download.saveAs(join(dir, 'subtile', name));
    const href = (await page.getAttribute('[data-testid=results-link]', 'href'))!;
    expect(href).toContain(`results=${encodeURIComponent(`${srv.url}/subtile/${name}`)}`);
    const s1 = await state(page);
    const r1 = await run(page);
    const params1 = await page.$$eval('[data-testid=inspector-params] tr[data-testid^=param-]', (els) => els.map((e) => Number(e.getAttribute('data-value'))));

    const p2 = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    const errors2 = watchErrors(p2);
    await p2.goto(href);
    await ready(p2);
    await p2.waitForSelector('[data-testid=panel-model][data-has-image=yes]', { timeout: 120_000 });
    await expect.poll(async () => (await run(p2)).phase, { timeout: 60_000 }).toBe('done');
    const s2 = await state(p2);
    const r2 = await run(p2);
    expect(r2.counters).toEqual({ fitSteps: 0, renders: 1, fits: 0 });
    expect(r2.origin).toBe('results');
    expect(s2.quadrant).toBe(s1.quadrant);
    expect(s2.source).toBe(chosen);
    expect(s2.stretch).toBe('sqrt');
    expect(s2.view.zoom).toBeCloseTo(s1.view.zoom, 3);
    expect(s2.view.cx).toBeCloseTo(s1.view.cx, 1);
    expect(s2.results).toBe(`${srv.url}/subtile/${name}`);
    // Shear, its errors and the source's parameters as saved (float32 columns).
    expect(r2.g1).toBeCloseTo(r1.g1, 6);
    expect(r2.g2).toBeCloseTo(r1.g2, 6);
    expect(r2.g1Err).toBeCloseTo(r1.g1Err, 6);
    const params2 = await p2.$$eval('[data-testid=inspector-params] tr[data-testid^=param-]', (els) => els.map((e) => Number(e.getAttribute('data-value'))));
    params2.forEach((v, k) => expect(Math.abs(v - params1[k])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(params1[k]))));
    // The rendered model equals the fitted one (same parameters up to float32).
    const [x, y] = (await hook<[number, number]>(p2, 'sourcePixel', chosen, s1.quadrant)).map(Math.round);
    const m1 = await hook<number[]>(page, 'cutout', 'model', x - 4, y - 4, 9, 9);
    const m2 = await hook<number[]>(p2, 'cutout', 'model', x - 4, y - 4, 9, 9);
    const peak = Math.max(...m1.map(Math.abs));
    m2.forEach((v, k) => expect(Math.abs(v - m1[k])).toBeLessThan(1e-3 * peak));
    expect(errors2).toEqual([]);
    await p2.close();
    expect(errors).toEqual([]);
  });

  it('exclude and refit leaves the source out of the model', async () => {
    const s = await state(page);
    const [x, y] = (await hook<[number, number]>(page, 'sourcePixel', chosen, s.quadrant)).map(Math.round);
    const peak = async () => Math.max(...(await hook<number[]>(page, 'cutout', 'model', x - 2, y - 2, 5, 5)));
    const p0 = await peak();
    await page.click(`[data-testid=source-row][data-id="${chosen}"]`);
    await page.fill('[data-testid=run-steps]', '3');
    await page.click('[data-testid=exclude-refit]');
    await expect.poll(async () => (await run(page)).phase, { timeout: 60_000 }).toBe('running');
    await expect.poll(async () => (await run(page)).phase, { timeout: 90_000 }).toBe('done');
    expect((await run(page)).excluded).toEqual([chosen]);
    expect(await page.isVisible('[data-testid=include-refit]')).toBe(true);
    const p1 = await peak();
    console.log(`model peak at ${chosen}: ${p0.toPrecision(4)} → ${p1.toPrecision(4)} after excluding it`);
    expect(p1).toBeLessThan(0.2 * p0);
  });

  it('without WebGPU the page says so and what to do, and still shows the observed data', async () => {
    // Chromium without --enable-unsafe-webgpu: navigator.gpu exists but has no adapter (the worker finds out);
    // then a browser without navigator.gpu at all (hidden by an init script: the page finds out itself).
    const b = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS.filter((a) => !/webgpu/i.test(a)), headless: true });
    try {
      for (const hideGpu of [false, true]) {
        const p = await b.newPage({ viewport: { width: 1500, height: 950 } });
        if (hideGpu) await p.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true }));
        const errs = watchErrors(p);
        await p.goto(`${base()}/?manifest=${encodeURIComponent(manifestUrl)}`);
        await ready(p);
        const msg = await p.waitForSelector('[data-testid=engine-unavailable]', { timeout: 60_000 });
        const text = (await msg.textContent()) ?? '';
        expect(text).toMatch(hideGpu ? /WebGPU is not available: navigator\.gpu is undefined/ : /WebGPU is not available: requestAdapter\(\) returned null/);
        expect(text).toMatch(/--enable-unsafe-webgpu/);
        expect(await p.isDisabled('[data-testid=run-start]')).toBe(true);
        const st = await hook<{ mean: number[] }>(p, 'canvasStats', 'observed');
        expect(st.mean[0]).toBeGreaterThan(10);
        expect(errs).toEqual([]);
        await p.close();
      }
    } finally {
      await b.close();
    }
  });
});
