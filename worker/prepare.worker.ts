// Data-preparation worker: runs prepareExposureSet off the main thread (DESIGN §4) and hands the
// result back with its big buffers transferred, not copied. Progress goes through a Comlink proxy.
import * as Comlink from 'comlink';
import { exposureSetTransferables, prepareExposureSet, type ExposureSet, type PrepareOptions, type PrepareProgress } from '../src/data/exposure-set';

const api = {
  async prepareExposureSet(
    manifestUrl: string,
    opts: Omit<PrepareOptions, 'onProgress'> = {},
    onProgress?: (p: PrepareProgress) => void,
  ): Promise<ExposureSet> {
    // Progress calls are fire-and-forget: the worker never waits on the main thread.
    const set = await prepareExposureSet(manifestUrl, { ...opts, onProgress: onProgress ? (p) => void onProgress(p) : undefined });
    return Comlink.transfer(set, exposureSetTransferables(set));
  },
};

export type PrepareWorkerApi = typeof api;

Comlink.expose(api);
