// Drives the built app's pages in headless Chromium for everything that needs the GPU
// (run, render, bench): builds the app when needed, serves it on loopback, opens a page.
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureAppBuilt } from './app-build';
import { startStaticServer, type Mount, type StaticServer } from './static-server';
import { chromiumPath, CHROMIUM_ARGS } from '../testing/chromium';

export interface HeadlessSession {
  browser: Browser;
  page: Page;
  server: StaticServer;
  /** URL of a page of the app, e.g. pageUrl('headless.html'). */
  pageUrl(path: string): string;
  close(): Promise<void>;
}

export interface HeadlessOptions {
  /** Extra folders served beside the app, e.g. { prefix: '/data/', dir } for local sub-tiles. */
  mounts?: Mount[];
  /** Forward the page's console to stderr (SHEARWB_DEBUG also turns it on). */
  verbose?: boolean;
}

export async function openHeadless(pagePath: string, opts: HeadlessOptions = {}): Promise<HeadlessSession> {
  const dist = await ensureAppBuilt();
  const server = await startStaticServer([{ prefix: '/', dir: dist }, ...(opts.mounts ?? [])]);
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true });
    const page = await browser.newPage();
    const verbose = opts.verbose || !!process.env.SHEARWB_DEBUG;
    page.on('console', (m) => {
      if (verbose || m.type() === 'error') process.stderr.write(`[page ${m.type()}] ${m.text()}\n`);
    });
    page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
    const pageUrl = (p: string) => `${server.url}/${p.replace(/^\//, '')}`;
    await page.goto(pageUrl(pagePath));
    const b = browser;
    return {
      browser: b,
      page,
      server,
      pageUrl,
      close: async () => {
        await b.close().catch(() => undefined);
        await server.close();
      },
    };
  } catch (e) {
    await browser?.close().catch(() => undefined);
    await server.close();
    throw e;
  }
}
