// The float64 CPU reference as a fit backend and the CPU Fisher: tiny scenes, tests and the
// validation without a GPU. No WebGPU or WGSL imports, so Node (tsx, Vitest) can load it.

import { fisherBlocks } from '../reference/fisher';
import { chi2 as referenceChi2, negLogPrior as referenceNegLogPrior, renderScene, type Priors, type Scene } from '../reference/scene';
import type { FisherFn, FitBackend } from './fit-backend';
import { referenceObjective } from './optim/reference-objective';

/** The float64 CPU Fisher (src/reference/fisher.ts): exact, fine for CI-sized scenes. */
export const referenceFisher: FisherFn = (scene, params) => fisherBlocks(scene, params);

/** The float64 CPU reference as a fit backend (tiny scenes: tests, validation without a GPU). */
export function referenceBackend(scene: Scene, priors: Priors | null, fisher: FisherFn = referenceFisher): FitBackend {
  return {
    name: 'cpu-reference',
    objective: referenceObjective(scene, priors),
    async final(params) {
      const models = renderScene(scene, params);
      const c2 = referenceChi2(scene, models);
      const nlp = priors ? referenceNegLogPrior(scene, params, priors) : 0;
      const residuals = scene.quadrants.map((q, k) => Float32Array.from(q.obs, (o, i) => (q.ivar[i] > 0 ? (o - models[k][i]) * q.ivar[i] : 0)));
      return { loss: c2 / 2 + nlp, chi2: c2, negLogPrior: nlp, models: models.map((m) => Float32Array.from(m)), residuals };
    },
    fisher,
    lost: () => null,
    destroy: () => undefined,
  };
}
