// Laplace uncertainties of a scene on the float64 CPU reference (small scenes, tests).
// The GPU path feeds laplaceUncertainties the same FisherBlocks from its own derivative stamps.

import { fisherBlocks } from '../../reference/fisher';
import { DEFAULT_PRIORS, type Priors, type Scene } from '../../reference/scene';
import { laplaceUncertainties, type LaplaceResult } from './laplace';
import { priorHessianDiagonal } from './prior-hessian';

export function referenceLaplace(scene: Scene, mapParams: Float64Array, priors: Priors | null = DEFAULT_PRIORS): LaplaceResult {
  const blocks = fisherBlocks(scene, mapParams);
  const prior = priors ? priorHessianDiagonal(scene.sources, mapParams, priors) : null;
  return laplaceUncertainties(blocks, prior);
}
