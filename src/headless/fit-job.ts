// The `fit` job, page side (`shearwb run`): prepare the exposure set, fit it on the page's GPU
// (src/engine/fit-gpu.ts), draw the diagnostics PNG here (the full images never leave the page),
// and hand back plain JSON. Progress goes to window.shearwbProgress when the driver exposes it.
import { diagnosticsPng, type DiagnosticPanel } from '../data/products/diagnostics';
import type { GpuContext } from '../engine/device';
import { referenceFisher } from '../engine/fit-backend';
import { fitExposureSet } from '../engine/fit-gpu';
import type { FitProgress, FitResult } from '../engine/fit';
import type { Scene } from '../reference/scene';
import type { FitJob, FitJobResult } from './protocol';
import { adapterReport, prepareForJob } from './render-job';

const now = () => performance.now();

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** observed | model | residual (in σ) per quadrant, masked pixels marked. */
export function diagnosticPanels(scene: Scene, r: Pick<FitResult, 'models'>): DiagnosticPanel[] {
  return scene.quadrants.map((q, k) => {
    const rms = new Float32Array(q.ivar.length);
    const mask = new Uint8Array(q.ivar.length);
    for (let i = 0; i < q.ivar.length; i++) {
      if (q.ivar[i] > 0) rms[i] = 1 / Math.sqrt(q.ivar[i]);
      else mask[i] = 1;
    }
    return { label: q.name, nx: q.nx, ny: q.ny, observed: q.obs, model: r.models[k], rms, mask };
  });
}

export async function runFitJob(gpu: GpuContext, job: FitJob): Promise<FitJobResult> {
  if (!job || job.kind !== 'fit') throw new Error(`fit: expected a job with kind 'fit', got ${JSON.stringify(job?.kind)}`);
  if (typeof job.manifestUrl !== 'string' || !job.manifestUrl) throw new Error('fit job: manifestUrl is required');
  const t0 = now();
  const set = await prepareForJob(job);
  const tPrepare = now() - t0;
  const report = window.shearwbProgress;
  let scene: Scene | undefined;
  const onProgress = (p: FitProgress) => {
    if (report) void Promise.resolve(report({ ...p })).catch(() => undefined);
    if (job.loseDeviceAtStep !== undefined && p.phase === 'map' && p.step >= job.loseDeviceAtStep) gpu.device.destroy();
  };
  // Laplace errors from the GPU Fisher; `fisher: 'reference'` (validation, comparisons) asks for
  // the float64 CPU blocks instead.
  const fisherChoice = job.fisher ?? 'gpu';
  if (fisherChoice !== 'gpu' && fisherChoice !== 'reference') throw new Error(`fit job: fisher must be 'gpu' or 'reference', got ${JSON.stringify(fisherChoice)}`);
  const fisher = fisherChoice === 'reference' ? referenceFisher : undefined;
  const r = await fitExposureSet(gpu, set, job.config ?? {}, { onProgress, onPlan: (plan) => (scene = plan.scene), fisher });
  const t1 = now();
  let png: string | undefined;
  if (job.diagnostics !== false && scene) png = toBase64(diagnosticsPng(diagnosticPanels(scene, r)));
  const tDiag = now() - t1;
  const engineNonFinite = r.engineNonFinite ?? [];
  return {
    tileId: set.manifest.tile_id,
    subTileRow: set.manifest.sub_tile_row,
    subTileCol: set.manifest.sub_tile_col,
    coreRa: r.coreRa,
    coreDec: r.coreDec,
    g1: r.g1,
    g2: r.g2,
    g1Err: r.g1Err,
    g2Err: r.g2Err,
    covG: r.covG,
    nGalaxies: r.nGalaxies,
    nStars: r.nStars,
    sources: r.sources.map((s) => ({ ...s })),
    map: { ...r.map, lossHistory: undefined } as FitJobResult['map'],
    loss: r.loss,
    chi2: r.chi2,
    negLogPrior: r.negLogPrior,
    validPixels: r.validPixels,
    pairs: r.pairs,
    config: r.config,
    dropped: r.report.dropped,
    selectionCounts: r.report.selectionCounts,
    quadrants: r.report.quadrants.map((q, k) => ({ ...q, engineNonFinite: engineNonFinite[k] ?? 0 })),
    warnings: r.report.warnings,
    adapter: adapterReport(gpu),
    timingsMs: { prepare: tPrepare, ...r.timingsMs, diagnostics: tDiag },
    ...(png ? { diagnosticsPng: png } : {}),
  };
}
