// The `render` job, page side: prepare the exposure set, build the scene, map the parameter
// table onto it, evaluate the engine once with model read-back, and hold each quadrant's model
// image (full quadrant grid, row-major nx×ny — the engine's model buffer layout) for Node to pull.
import { prepareExposureSet, type ExposureSet, type PrepareOptions } from '../data/exposure-set';
import { openFits } from '../data/fits/index';
import { readParamsTable } from '../data/products/params';
import { prepareInWorker } from '../data/prepare-client';
import { exposureSetToScene } from '../data/scene';
import { openSource, readAll } from '../data/storage/index';
import type { GpuContext } from '../engine/device';
import { ShearEngine } from '../engine/engine';
import { mapParamsToScene } from '../engine/render-params';
import type { Scene } from '../reference/scene';
import { holdArray } from './arrays';
import type { AdapterReport, HeaderCardJson, JobBase, RenderJob, RenderResult, RenderedQuadrant } from './protocol';

/** SCI header cards worth carrying to a model image: the WCS (TAN, TPV, SIP) and the flux scale. */
const KEEP_CARD =
  /^(WCSAXES|WCSNAME|CTYPE[12]|CUNIT[12]|CRPIX[12]|CRVAL[12]|CDELT[12]|CROTA[12]|CD[12]_[12]|PC[12]_[12]|PV[12]_\d+|[AB]P?_ORDER|[AB]P?_\d+_\d+|LONPOLE|LATPOLE|RADESYS|EQUINOX|MJDREF|MJD-OBS|DATE-OBS|GAIN|EXPTIME|MAGZEROP)$/;

const now = () => performance.now();

export function adapterReport(ctx: GpuContext): AdapterReport {
  return { ...ctx.adapterInfo, isSoftware: ctx.isSoftware };
}

/** Exposure set of a job, in a worker or on this thread. */
export async function prepareForJob(job: JobBase): Promise<ExposureSet> {
  const opts: PrepareOptions = {
    pixels: true,
    ...(job.storage ? { storage: job.storage } : {}),
    ...(job.selection ? { selection: job.selection } : {}),
    ...(job.maskBits !== undefined ? { maskBits: job.maskBits } : {}),
  };
  return job.inWorker === false ? prepareExposureSet(job.manifestUrl, opts) : prepareInWorker(job.manifestUrl, opts);
}

async function paramsBytes(job: RenderJob): Promise<{ bytes: Uint8Array; name: string }> {
  const p = job.params;
  if ('url' in p) return { bytes: await readAll(openSource(p.url, job.storage)), name: p.url };
  if ('base64' in p) return { bytes: Uint8Array.from(atob(p.base64), (c) => c.charCodeAt(0)), name: p.name };
  throw new Error('render job: params must be { url } or { base64, name }');
}

async function sciCards(set: ExposureSet, k: number, job: JobBase): Promise<HeaderCardJson[]> {
  const q = set.quadrants[k];
  const f = await openFits(openSource(q.sciUrl, job.storage));
  const out: HeaderCardJson[] = [];
  for (const c of f.hdu(q.sciHdu).header.cards) {
    if (c.value === null || c.value === undefined || !KEEP_CARD.test(c.key)) continue;
    out.push(c.comment ? [c.key, c.value, c.comment] : [c.key, c.value]);
  }
  return out;
}

export async function runRender(gpu: GpuContext, job: RenderJob): Promise<RenderResult> {
  if (!job || job.kind !== 'render') throw new Error(`render: expected a job with kind 'render', got ${JSON.stringify(job?.kind)}`);
  if (typeof job.manifestUrl !== 'string' || !job.manifestUrl) throw new Error('render job: manifestUrl is required');
  const t0 = now();
  const [{ bytes, name }, set] = await Promise.all([paramsBytes(job), prepareForJob(job)]);
  const table = await readParamsTable(bytes, name);
  const t1 = now();
  const scene: Scene = exposureSetToScene(set);
  const mapped = mapParamsToScene(scene, table, { missing: job.missing, context: name });

  let models: Float32Array[];
  let t2 = now();
  if (scene.pairs.length === 0) {
    // Nothing visible anywhere: the model is zero (the engine needs at least one pair).
    models = scene.quadrants.map((q) => new Float32Array(q.nx * q.ny));
  } else {
    // No priors: rendering needs no catalogue medians, and flux 0 (missing = 'zero') is allowed.
    const engine = await ShearEngine.create(gpu, scene, null);
    try {
      engine.setParams(mapped.vector);
      t2 = now();
      const r = await engine.evaluate({ gradient: false, models: true });
      if (!r.models) throw new Error('render: the engine returned no model images');
      models = r.models;
    } finally {
      engine.destroy();
    }
  }
  const t3 = now();

  const pairsPer = new Array<number>(scene.quadrants.length).fill(0);
  for (const p of scene.pairs) pairsPer[p.quadrant]++;
  const quadrants: RenderedQuadrant[] = [];
  for (let k = 0; k < set.quadrants.length; k++) {
    const q = set.quadrants[k];
    const m = models[k];
    if (m.length !== q.nx * q.ny) throw new Error(`render: model of quadrant ${q.name} has ${m.length} pixels, expected ${q.nx}×${q.ny}`);
    let sum = 0;
    let max = -Infinity;
    for (let i = 0; i < m.length; i++) {
      sum += m[i];
      if (m[i] > max) max = m[i];
    }
    quadrants.push({
      index: q.index,
      quadrant: q.name,
      sciPath: set.manifest.quadrants[k].sci_path,
      sciUrl: q.sciUrl,
      sciHdu: q.sciHdu,
      nx: q.nx,
      ny: q.ny,
      sciCards: await sciCards(set, k, job),
      pairs: pairsPer[k],
      sum,
      max,
      model: holdArray(m, `model-${k}`),
    });
  }
  const galaxies = scene.sources.filter((s) => s.kind === 'galaxy').length;
  return {
    report: {
      manifestUrl: job.manifestUrl,
      params: name,
      paramsFormat: table.format,
      g1: table.g1,
      g2: table.g2,
      tileId: set.manifest.tile_id,
      subTileRow: set.manifest.sub_tile_row,
      subTileCol: set.manifest.sub_tile_col,
      sourcesInScene: scene.sources.length,
      galaxies,
      stars: scene.sources.length - galaxies,
      sourcesRendered: mapped.rendered,
      sourcesMissing: mapped.missing.map((m) => ({ id: m.id, kind: m.kind })),
      rowsUnused: mapped.unused,
      rowsUnusedIds: mapped.unusedIds,
      dropCounts: { ...set.dropCounts } as Record<string, number>,
      pairs: scene.pairs.length,
      adapter: adapterReport(gpu),
      timingsMs: { prepare: t1 - t0, engine: t2 - t1, evaluate: t3 - t2 },
      warnings: set.warnings,
    },
    quadrants,
  };
}
