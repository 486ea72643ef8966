// Node side of the headless protocol (protocol.ts): wait for the page, run a job, pull held
// arrays in base64 chunks. Takes a Playwright Page, so `render` and `run` share it.
import type { Page } from 'playwright-core';
import type { AdapterReport, ArrayHandle, RenderJob, RenderResult } from './protocol';

/** Bytes per pulled chunk: large enough to be quick, small enough for one CDP message. */
const CHUNK_BYTES = 4 << 20;

/** Waits for window.shearwb and its WebGPU adapter; the page's reason when there is none. */
export async function waitForPage(page: Page, timeoutMs = 60_000): Promise<AdapterReport> {
  await page.waitForFunction(() => window.shearwb !== undefined, undefined, { timeout: timeoutMs }).catch(() => {
    throw new Error(`the headless page (${page.url()}) did not start within ${timeoutMs / 1000} s (see [page error] lines above)`);
  });
  try {
    return await page.evaluate(() => window.shearwb!.ready);
  } catch (e) {
    throw pageError(e);
  }
}

/** Errors thrown in the page arrive wrapped by Playwright; keep the page's own message. */
function pageError(e: unknown): Error {
  const m = (e as Error)?.message ?? String(e);
  const inner = /Error: ([^\n]*)/.exec(m.replace(/^page\.evaluate: /, ''));
  return new Error(inner ? inner[1] : m.replace(/^page\.evaluate: /, '').split('\n')[0]);
}

export async function pullFloat32(page: Page, h: ArrayHandle): Promise<Float32Array> {
  const out = new Uint8Array(h.byteLength);
  for (let off = 0; off < h.byteLength; off += CHUNK_BYTES) {
    const len = Math.min(CHUNK_BYTES, h.byteLength - off);
    const b64 = await page.evaluate(([id, o, n]) => window.shearwb!.read(id, o, n), [h.id, off, len] as const);
    const chunk = Buffer.from(b64, 'base64');
    if (chunk.length !== len) throw new Error(`pulling ${h.id}: got ${chunk.length} bytes at ${off}, expected ${len}`);
    out.set(chunk, off);
  }
  return new Float32Array(out.buffer, 0, h.length);
}

export interface RenderOutput {
  result: RenderResult;
  /** Per quadrant in manifest order, row-major nx×ny (ADU). */
  models: Float32Array[];
}

/** Runs a render job in the page and pulls every quadrant's model image. */
export async function renderInPage(page: Page, job: RenderJob): Promise<RenderOutput> {
  let result: RenderResult;
  try {
    result = await page.evaluate((j) => window.shearwb!.render(j), job);
  } catch (e) {
    throw pageError(e);
  }
  const models: Float32Array[] = [];
  for (const q of result.quadrants) {
    models.push(await pullFloat32(page, q.model));
    await page.evaluate((id) => window.shearwb!.release(id), q.model.id);
  }
  return { result, models };
}
