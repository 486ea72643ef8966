// The catalogue explorer (DuckDB-WASM) in headless Chromium on the fixture sub-tile. Expected counts
// and id lists are computed here in Node straight from the FITS table and the manifest with the
// DESIGN §1.4 rules (not read from the page); every request must stay on the local server.
import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { launch } from './browser';
import { openFits } from '../src/data/fits/index';
import { openSource } from '../src/data/storage/index';
import { REPO_ROOT } from '../src/cli/app-build';

const FIX = resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'subtile-small', 'subtile');
const MANIFEST = 'fixtures/subtile-small/subtile/manifest_local.yaml';

interface Expected {
  rows: number;
  selected: number;
  galaxies: number;
  /** An SNR between the middle two of the selected sources', and those above it by SNR descending. */
  snrCut: number;
  bright: number[];
}

async function expected(): Promise<Expected> {
  const m = parse(readFileSync(resolve(FIX, 'manifest_local.yaml'), 'utf8')) as { source_catalog: string; source_ids: number[] };
  const f = await openFits(openSource(resolve(FIX, m.source_catalog)));
  const t = await f.readTable(f.hdus.find((h) => h.kind === 'table')!);
  const col = (n: string) => Array.from(t.column(t.columns.find((c) => c.name.toLowerCase() === n)!.name) as ArrayLike<unknown>, Number);
  const [id, fl, fe, vis, sp, pl, dq] = ['object_id', 'flux_detection_total', 'fluxerr_detection_total', 'vis_det', 'spurious_flag', 'point_like_flag', 'det_quality_flag'].map(col);
  const wanted = new Set(m.source_ids.map(Number));
  const seen = new Set<number>();
  const out: Expected = { rows: t.nrows, selected: 0, galaxies: 0, snrCut: 0, bright: [] };
  const bright: Array<[number, number]> = [];
  for (let i = 0; i < t.nrows; i++) {
    const snr = fl[i] / fe[i];
    if (!wanted.has(id[i]) || seen.has(id[i]) || !(fl[i] > 0 && fe[i] > 0 && snr >= 10) || vis[i] !== 1 || sp[i] !== 0 || (dq[i] & 0x78c) !== 0) continue;
    seen.add(id[i]);
    out.selected++;
    if (pl[i] !== 1) out.galaxies++;
    bright.push([id[i], snr]);
  }
  bright.sort((a, b) => b[1] - a[1]);
  const k = Math.ceil(bright.length / 2);
  out.snrCut = (bright[k - 1][1] + bright[k][1]) / 2;
  out.bright = bright.slice(0, k).map(([i]) => i);
  return out;
}

type Hook = Record<string, (...a: unknown[]) => unknown>;
const state = (page: Page) => page.evaluate(() => ((window as unknown as { __shearwb: Hook }).__shearwb.state as () => Record<string, unknown>)());

/** Type a query, run it, and wait for the results (or an error) of this query. */
async function query(page: Page, sql: string) {
  await page.fill('[data-testid=catalogue-sql]', sql);
  await page.click('[data-testid=catalogue-run]');
  await page.waitForFunction(() => !(document.querySelector('[data-testid=catalogue-run]') as HTMLButtonElement).disabled);
  return page.evaluate(() => {
    const table = document.querySelector('[data-testid=catalogue-results]');
    const head = [...(table?.querySelectorAll('thead th') ?? [])].map((th) => th.textContent ?? '');
    const rows = [...(table?.querySelectorAll('tbody tr') ?? [])].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''));
    return { head, rows, error: document.querySelector('[data-testid=catalogue-error]')?.textContent ?? null };
  });
}

describe('catalogue explorer', () => {
  let browser: Browser;
  let page: Page;
  /** Page errors with their stacks (script URLs name the chunk that threw). */
  const errors: string[] = [];
  let exp: Expected;
  const requests: string[] = [];

  beforeAll(async () => {
    [browser, exp] = await Promise.all([launch(), expected()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => errors.push(`${e.message}\n${e.stack ?? ''}`));
    page.context().on('request', (r) => requests.push(r.url()));
    page.on('request', (r) => requests.push(r.url()));
    page.on('worker', (w) => requests.push(w.url()));
    await page.goto(`${inject('baseUrl')}/?manifest=${MANIFEST}`);
    await page.waitForSelector('[data-testid=panel-observed][data-has-image=yes]', { timeout: 60_000 });
  });
  afterAll(async () => browser?.close());

  it('starts only when opened, loads every catalogue row, and counts selected galaxies as the selection does', async () => {
    expect(requests.some((u) => /duckdb/i.test(u))).toBe(false);
    await page.click('[data-testid=catalogue-open]');
    await page.waitForSelector('[data-testid=catalogue-status][data-status=ready]', { timeout: 60_000 });
    expect(requests.some((u) => /duckdb-(mvp|eh)[^/]*\.wasm/.test(u))).toBe(true);
    expect(Number(await page.getAttribute('[data-testid=catalogue-status]', 'data-rows'))).toBe(exp.rows);
    // The default query ran.
    expect((await page.$$('[data-testid=catalogue-results] tbody tr')).length).toBeGreaterThan(0);

    const r = await query(page, "SELECT count(*) FILTER (WHERE selected) AS n_sel, count(*) FILTER (WHERE selected AND kind = 'galaxy') AS n_gal, count(*) FILTER (WHERE NOT selected AND len(reasons) > 0) AS n_drop, count(*) AS n FROM catalogue");
    expect(r.error).toBeNull();
    expect(r.head).toEqual(['n_sel', 'n_gal', 'n_drop', 'n']);
    const [nSel, nGal, nDrop, n] = r.rows[0].map(Number);
    console.log(`catalogue e2e: ${exp.rows} rows, ${exp.selected} selected (${exp.galaxies} galaxies), ${exp.bright.length} with SNR > ${exp.snrCut}`);
    expect(nSel).toBe(exp.selected);
    expect(nSel).toBe((await state(page)).nSources);
    expect(nGal).toBe(exp.galaxies);
    expect(nDrop + nSel).toBe(exp.rows);
    expect(n).toBe(exp.rows);
  });

  it('filters, and a clicked row selects its source in the workbench', async () => {
    const r = await query(page, `SELECT object_id, snr FROM catalogue WHERE selected AND snr > ${exp.snrCut} ORDER BY snr DESC`);
    expect(r.error).toBeNull();
    expect(r.rows.map((x) => Number(x[0]))).toEqual(exp.bright);
    expect(exp.bright.length).toBeGreaterThanOrEqual(2);

    const before = (await state(page)).source;
    const pick = exp.bright.find((id) => id !== before)!;
    await page.click(`[data-testid=catalogue-results] tr[data-object-id="${pick}"]`);
    await expect.poll(async () => (await state(page)).source).toBe(pick);
    expect(await page.getAttribute(`[data-testid=catalogue-results] tr[data-object-id="${pick}"]`, 'data-picked')).toBe('yes');
    expect(await page.$$eval('[data-testid=catalogue-results] tr[data-picked=yes]', (els) => els.length)).toBe(1);
    // Selection from elsewhere (the keyboard steps the source list) moves the highlight.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('n');
    const next = (await state(page)).source as number;
    expect(next).not.toBe(pick);
    await expect.poll(() => page.$$eval('[data-testid=catalogue-results] tr[data-picked=yes]', (els) => els.map((e) => Number(e.getAttribute('data-object-id'))))).toEqual(exp.bright.includes(next) ? [next] : []);
  });

  it('a bad query says what is wrong in plain words, and the next good one clears it', async () => {
    const bad = await query(page, 'SELEC object_id FROM catalogue');
    expect(bad.error).toMatch(/could not be read \(SQL syntax\).*SELEC/s);
    const missing = await query(page, 'SELECT no_such_column FROM catalogue');
    expect(missing.error).toMatch(/column|no_such_column/i);
    const ok = await query(page, 'SELECT 1 AS one');
    expect(ok.error).toBeNull();
    expect(ok.rows).toEqual([['1']]);
  });

  it('no request left the local server, and the explorer threw nothing', () => {
    const origin = new URL(inject('baseUrl')).origin;
    const outside = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(outside).toEqual([]);
    expect(new URL(origin).hostname).toBe('127.0.0.1');
    // Only the explorer's own code is judged here (its chunk and DuckDB's are ExplorerPanel-*.js);
    // other panels' errors are the other e2e files' business.
    expect(errors.filter((e) => /ExplorerPanel|CatalogueExplorer|duckdb/i.test(e))).toEqual([]);
    if (errors.length > 0) console.warn(`page errors outside the explorer:\n${errors.join('\n')}`);
  });
});
