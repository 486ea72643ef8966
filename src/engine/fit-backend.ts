// Where a fit's numbers come from: the GPU engine (production, here) or the float64 CPU reference
// (tiny scenes, validation: fit-reference.ts, which Node can load without WGSL imports). Both give the optimiser its objective and the fit its final
// evaluation (χ², model images, weighted residuals); the Fisher blocks for the Laplace errors
// come from a swappable function: the GPU Fisher (fisher-gpu.ts) on the GPU backend by default,
// the float64 CPU one on the reference backend (and on request, for comparison).

import type { FisherBlocks } from '../reference/fisher';
import type { Priors, Scene } from '../reference/scene';
import type { GpuContext } from './device';
import { ShearEngine } from './engine';
import { gpuFisher } from './fisher-gpu';
import { engineObjective, type Objective } from './optim/objective';

/** Per-source Fisher blocks of χ²/2 at `params` (src/reference/fisher.ts layout). */
export type FisherFn = (scene: Scene, params: Float64Array) => FisherBlocks | Promise<FisherBlocks>;

export { referenceFisher } from './fit-reference';

export interface FinalEvaluation {
  loss: number;
  chi2: number;
  negLogPrior: number;
  /** Per quadrant, row-major nx×ny, ADU. */
  models: Float32Array[];
  /** Per quadrant, (obs − model)·ivar. */
  residuals: Float32Array[];
}

export interface FitBackend {
  /** 'gpu' or 'cpu-reference'. */
  readonly name: string;
  readonly objective: Objective;
  /** One evaluation at `params` with model images and residuals read back. */
  final(params: Float64Array): Promise<FinalEvaluation>;
  readonly fisher: FisherFn;
  /** Why the device was lost, or null (CPU: always null). */
  lost(): string | null;
  /** Per quadrant, non-finite observations the backend masked itself (GPU engine report). */
  nonFinite?(): number[];
  destroy(): void;
}

/**
 * The GPU engine as a fit backend. Uses only the engine's public API. `fisher` defaults to the
 * GPU Fisher of this backend's own engine (it must then be called with this `scene`); pass
 * `referenceFisher` for the float64 CPU blocks (tiny scenes, comparisons).
 */
export async function gpuBackend(ctx: GpuContext, scene: Scene, priors: Priors | null, fisher?: FisherFn): Promise<FitBackend> {
  const engine = await ShearEngine.create(ctx, scene, priors);
  const objective = engineObjective({
    paramCount: engine.nParams,
    setParams: (p) => engine.setParams(p),
    evaluate: (o) => engine.evaluate(o),
  });
  return {
    name: 'gpu',
    objective,
    async final(params) {
      engine.setParams(params);
      const r = await engine.evaluate({ gradient: false, models: true, residuals: true });
      if (!r.models || !r.residuals) throw new Error('fit: the engine returned no model images or residuals');
      return { loss: r.loss, chi2: r.chi2, negLogPrior: r.negLogPrior, models: r.models, residuals: r.residuals };
    },
    fisher: fisher ?? gpuFisher(engine),
    lost: () => engine.report().deviceLost,
    nonFinite: () => engine.report().nonFiniteObs.map((q) => q.count),
    destroy: () => engine.destroy(),
  };
}

