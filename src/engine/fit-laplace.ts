// Laplace errors that survive bad sources: a source whose own Hessian block (Fisher + prior) is
// not positive definite (no data worth the name under it, or a flux far above its LogNormal
// median where that prior is not log-concave) gets NaN errors and is left out of the Schur
// complement, instead of failing the whole sub-tile. A shear block that is not positive
// definite gives NaN G_ERR and a warning.

import type { FisherBlocks } from '../reference/fisher';
import type { Priors, Scene } from '../reference/scene';
import type { FisherFn } from './fit-backend';
import { cholesky } from './uncertainty/linalg';
import { laplaceUncertainties } from './uncertainty/laplace';
import { priorHessianDiagonal } from './uncertainty/prior-hessian';

export interface RobustLaplace {
  g1Err: number;
  g2Err: number;
  covG: Float64Array;
  /** Marginal 1σ per parameter (NaN for the sources in `unconstrained`). */
  sigma: Float64Array;
  /** Scene indices of sources whose block was not positive definite. */
  unconstrained: number[];
  warnings: string[];
}

export async function robustLaplace(scene: Scene, params: Float64Array, priors: Priors | null, fisher: FisherFn): Promise<RobustLaplace> {
  const blocks = await fisher(scene, params);
  const prior = priors ? priorHessianDiagonal(scene.sources, params, priors) : null;
  const unconstrained: number[] = [];
  const good = blocks.sources.filter((b) => {
    const H = Float64Array.from(b.ss);
    for (let i = 0; i < b.k; i++) H[i * b.k + i] += prior ? prior[b.offset + i] : 0;
    const ok = cholesky(H, b.k) !== null;
    if (!ok) unconstrained.push(b.source);
    return ok;
  });
  // Left-out sources' shear contributions go too (their g-block terms belong to their Schur term).
  const gg = Float64Array.from(blocks.gg);
  for (const b of blocks.sources) if (unconstrained.includes(b.source)) for (let i = 0; i < 4; i++) gg[i] -= b.gg[i];
  const filtered: FisherBlocks = { n: blocks.n, gg, sources: good };
  const warnings: string[] = [];
  try {
    const lap = laplaceUncertainties(filtered, prior);
    const sigma = Float64Array.from(lap.sigma);
    for (const b of blocks.sources) if (unconstrained.includes(b.source)) for (let i = 0; i < b.k; i++) sigma[b.offset + i] = Number.NaN;
    return { g1Err: lap.g1Err, g2Err: lap.g2Err, covG: lap.covG, sigma, unconstrained, warnings };
  } catch (e) {
    warnings.push(`uncertainties: ${(e as Error).message}; G1_ERR, G2_ERR and source errors are NaN`);
    return { g1Err: Number.NaN, g2Err: Number.NaN, covG: new Float64Array(4).fill(Number.NaN), sigma: new Float64Array(blocks.n).fill(Number.NaN), unconstrained, warnings };
  }
}
