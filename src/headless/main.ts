// Entry of the headless page (headless.html) that `shearwb render` (and `run`) drive through
// Playwright: `window.shearwb` (protocol.ts). No UI; #status says where the page is, for debugging.
import { acquireGpu, type GpuContext } from '../engine/device';
import { readHeld, releaseHeld } from './arrays';
import { runFitJob } from './fit-job';
import { PROTOCOL_VERSION, type AdapterReport, type FitJob, type RenderJob, type ShearwbPageApi } from './protocol';
import { adapterReport, runRender } from './render-job';

const status = (s: string) => {
  const el = document.getElementById('status');
  if (el) el.textContent = s;
};

const gpu: Promise<GpuContext> = acquireGpu();
const ready: Promise<AdapterReport> = gpu.then(adapterReport);
ready.then(
  (a) => status(`ready: ${a.vendor} ${a.architecture} ${a.description}`.trim()),
  (e: Error) => status(`no WebGPU: ${e.message}`),
);
// Keep an unobserved rejection from being reported as an uncaught page error; callers see it via ready.
ready.catch(() => undefined);

// One job at a time: jobs share the device and the held arrays.
let queue: Promise<unknown> = Promise.resolve();
function serial<T>(f: () => Promise<T>): Promise<T> {
  const next = queue.then(f);
  queue = next.catch(() => undefined);
  return next;
}

const api: ShearwbPageApi = {
  version: PROTOCOL_VERSION,
  ready,
  adapter: () => ready,
  render: (job: RenderJob) =>
    serial(async () => {
      status(`render ${job.manifestUrl}`);
      const r = await runRender(await gpu, job);
      status(`rendered ${r.report.sourcesRendered} sources in ${r.quadrants.length} quadrants`);
      return r;
    }),
  fit: (job: FitJob) =>
    serial(async () => {
      status(`fit ${job.manifestUrl}`);
      const r = await runFitJob(await gpu, job);
      status(`fitted ${r.sources.length} sources: g = (${r.g1.toFixed(4)}, ${r.g2.toFixed(4)})`);
      return r;
    }),
  read: readHeld,
  release: releaseHeld,
};

window.shearwb = api;
