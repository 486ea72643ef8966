// Fast, deterministic version of shear-scatter.validate.ts: on a few fixed noise and
// shape realisations of the tiny scene, the L-BFGS MAP shear lies within 3·G_ERR of the
// truth and the Laplace G_ERR is the same whether evaluated at the MAP or at the truth to
// within 10% (the Fisher matrix varies slowly over the posterior width).
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIORS, renderScene } from '../../reference/scene';
import { fitMap } from '../optim/map';
import { referenceObjective } from '../optim/reference-objective';
import { gaussian, rng, tinyScene } from '../optim/test-scenes';
import { layoutFromKinds } from '../optim/transform';
import { referenceLaplace } from './reference-laplace';

describe('shear recovery on single tiny scenes', () => {
  for (const seed of [1, 2, 3]) {
    it(`realisation ${seed}: |ĝ − g| < 3·G_ERR`, async () => {
      const G: [number, number] = [0.02, -0.01];
      const { scene, truth } = tinyScene({ noiseSigma: 0.3, g: G });
      const rand = rng(1000 + seed);
      for (const o of [2, 8, 14]) {
        truth[o + 2] = 0.25 * gaussian(rand);
        truth[o + 3] = 0.25 * gaussian(rand);
      }
      const model = renderScene(scene, truth)[0];
      const q = scene.quadrants[0];
      for (let t = 0; t < model.length; t++) q.obs[t] = model[t] + 0.3 * gaussian(rand);
      const start = Float64Array.from(truth);
      start[0] = start[1] = 0;
      for (const o of [2, 8, 14]) start[o + 2] = start[o + 3] = 0;
      const layout = layoutFromKinds(scene.sources.map((s) => s.kind));
      const fit = await fitMap(referenceObjective(scene, DEFAULT_PRIORS), layout, start);
      const atMap = referenceLaplace(scene, fit.params, DEFAULT_PRIORS);
      const atTruth = referenceLaplace(scene, truth, DEFAULT_PRIORS);
      console.log(
        `seed ${seed}: ${fit.steps} steps, |g|∞ ${fit.gradNorm.toExponential(2)}; ĝ = (${fit.params[0].toFixed(4)}, ${fit.params[1].toFixed(4)}) ± ` +
          `(${atMap.g1Err.toFixed(4)}, ${atMap.g2Err.toFixed(4)}), truth (${G[0]}, ${G[1]})`,
      );
      expect(fit.converged).toBe(true);
      expect(Math.abs(fit.params[0] - G[0])).toBeLessThan(3 * atMap.g1Err);
      expect(Math.abs(fit.params[1] - G[1])).toBeLessThan(3 * atMap.g2Err);
      expect(Math.abs(atMap.g1Err / atTruth.g1Err - 1)).toBeLessThan(0.1);
      expect(Math.abs(atMap.g2Err / atTruth.g2Err - 1)).toBeLessThan(0.1);
    });
  }
});
