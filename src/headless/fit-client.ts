// Node side of the `fit` job (protocol.ts): forwards the page's progress to a callback, runs the
// job, and fails fast — with the page's own message — when the job throws, the page crashes or
// closes, or the GPU device is lost (the page's device-lost promise is watched, not waited on).
import type { Page } from 'playwright-core';
import type { FitJob, FitJobResult, FitProgressJson } from './protocol';

function pageMessage(e: unknown): string {
  const m = ((e as Error)?.message ?? String(e)).replace(/^page\.evaluate: /, '');
  const inner = /(?:Error|DeviceLostError|RangeError|TypeError): ([^\n]*)/.exec(m);
  return inner ? inner[1] : m.split('\n')[0];
}

export async function fitInPage(page: Page, job: FitJob, onProgress?: (p: FitProgressJson) => void): Promise<FitJobResult> {
  if (onProgress) await page.exposeFunction('shearwbProgress', (p: FitProgressJson) => onProgress(p));
  let onCrash: (() => void) | undefined;
  const crashed = new Promise<never>((_, reject) => {
    onCrash = () => reject(new Error('the headless page crashed during the fit'));
    page.once('crash', onCrash);
    page.once('close', onCrash);
  });
  try {
    return await Promise.race([page.evaluate((j) => window.shearwb!.fit(j), job), crashed]);
  } catch (e) {
    throw new Error(pageMessage(e));
  } finally {
    if (onCrash) {
      page.off('crash', onCrash);
      page.off('close', onCrash);
    }
    crashed.catch(() => undefined);
  }
}
