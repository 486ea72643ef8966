// The one-call GPU fit of an exposure set (the headless page's `fit` job): plan, engine, fit, destroy.

import type { ExposureSet } from '../data/exposure-set';
import type { GpuContext } from './device';
import { gpuBackend } from './fit-backend';
import { fitPlan, planFit, resolveFitConfig, type FitConfig, type FitHooks, type FitResult } from './fit';

const now = () => performance.now();

/**
 * Plan, create the GPU backend, fit, destroy. The Laplace errors use the GPU Fisher unless
 * `hooks.fisher` names another (e.g. `referenceFisher`, float64 CPU). Throws a clear Error when nothing can be fitted
 * (no source visible with data in any quadrant).
 */
export async function fitExposureSet(ctx: GpuContext, set: ExposureSet, config: FitConfig = {}, hooks: FitHooks = {}): Promise<FitResult> {
  const t0 = now();
  const plan = planFit(set);
  if (plan.scene.pairs.length === 0) {
    throw new Error(
      `fit: nothing to fit in ${set.manifest.tile_id}/${set.manifest.sub_tile_row}/${set.manifest.sub_tile_col}: ` +
        `${set.sources.length} sources selected, none visible with unmasked pixels in any of ${set.quadrants.length} quadrants`,
    );
  }
  const cfg = resolveFitConfig(config);
  const tPlan = now() - t0;
  let t = now();
  const backend = await gpuBackend(ctx, plan.scene, cfg.priors, hooks.fisher);
  const tEngine = now() - t;
  try {
    const r = await fitPlan(plan, backend, cfg, hooks);
    r.timingsMs = { plan: tPlan, engine: tEngine, ...r.timingsMs };
    return r;
  } finally {
    backend.destroy();
  }
}
