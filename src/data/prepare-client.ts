// Browser side of the preparation worker: prepareInWorker(...) has prepareExposureSet's signature
// and runs it in a dedicated module worker, which is terminated when the result (or error) is in.
import * as Comlink from 'comlink';
import type { PrepareWorkerApi } from '../../worker/prepare.worker';
import type { ExposureSet, PrepareOptions } from './exposure-set';
import { schemeOf } from './storage/index';

/** Relative URLs are resolved against the page here: inside the worker they would resolve against the worker script. */
function absoluteUrl(url: string, opts: PrepareOptions): string {
  if (opts.storage?.files?.has(url) || schemeOf(url) !== '') return url;
  const base = (globalThis as { location?: { href: string } }).location?.href;
  return base ? new URL(url, base).href : url;
}

export async function prepareInWorker(manifestUrl: string, opts: PrepareOptions = {}): Promise<ExposureSet> {
  const { onProgress, ...rest } = opts;
  if (rest.storage?.fetch) throw new Error('prepareInWorker: storage.fetch is a function and cannot be sent to a worker');
  const worker = new Worker(new URL('../../worker/prepare.worker.ts', import.meta.url), { type: 'module', name: 'prepare' });
  const api = Comlink.wrap<PrepareWorkerApi>(worker);
  try {
    return await api.prepareExposureSet(absoluteUrl(manifestUrl, opts), rest, onProgress ? Comlink.proxy(onProgress) : undefined);
  } finally {
    api[Comlink.releaseProxy]();
    worker.terminate();
  }
}
