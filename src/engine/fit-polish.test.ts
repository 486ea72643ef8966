// The Gauss–Newton polish takes a loosely converged MAP to the tightly converged one in g,
// and never raises the loss. Reference (float64) objective and Fisher on tiny scenes.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIORS } from '../reference/scene';
import { fisherBlocks } from '../reference/fisher';
import { fitMap } from './optim/map';
import { referenceObjective } from './optim/reference-objective';
import { perturb, tinyScene } from './optim/test-scenes';
import { layoutFromKinds } from './optim/transform';
import { newtonDirection, polishMap } from './fit-polish';
import { laplaceUncertainties, priorHessianDiagonal } from './uncertainty/index';

describe('Gauss–Newton polish of the MAP', () => {
  for (const arrangement of ['disjoint', 'overlap'] as const) {
    it(`${arrangement}: from a loose L-BFGS stop to the tight MAP in g (within 0.05 σ_g), loss not raised`, async () => {
      const { scene, truth } = tinyScene({ noiseSigma: 0.5, arrangement, seed: 7 });
      const layout = layoutFromKinds(scene.sources.map((s) => s.kind));
      const obj = referenceObjective(scene, DEFAULT_PRIORS);
      const start = perturb(scene, truth, 0.15);
      const tight = await fitMap(obj, layout, start, { gtol: 1e-8, ftol: 0, maxSteps: 2000 });
      const loose = await fitMap(obj, layout, start, { ftol: 1e-4, maxSteps: 500 });
      const lap = laplaceUncertainties(fisherBlocks(scene, tight.params), priorHessianDiagonal(scene.sources, tight.params, DEFAULT_PRIORS));
      const off = (p: Float64Array) => [Math.abs(p[0] - tight.params[0]) / lap.g1Err, Math.abs(p[1] - tight.params[1]) / lap.g2Err];
      const before = off(loose.params);
      const pol = await polishMap(scene, loose.params, DEFAULT_PRIORS, obj, async (s, p) => fisherBlocks(s, p));
      const after = off(pol.params);
      console.log(`${arrangement}: |Δg|/σ before ${before.map((v) => v.toFixed(3))}, after ${after.map((v) => v.toFixed(4))}, ${pol.steps.length} polish steps`);
      expect(pol.loss).toBeLessThanOrEqual(loose.loss);
      expect(Math.max(...after)).toBeLessThan(0.05);
      expect(pol.converged).toBe(true);
    });
  }

  it('at the tight MAP the Newton direction in g is ~0; away from it, it points back', async () => {
    const { scene, truth } = tinyScene({ noiseSigma: 0.5, seed: 3 });
    const layout = layoutFromKinds(scene.sources.map((s) => s.kind));
    const obj = referenceObjective(scene, DEFAULT_PRIORS);
    const map = await fitMap(obj, layout, perturb(scene, truth, 0.1), { gtol: 1e-8, ftol: 0, maxSteps: 2000 });
    const prior = priorHessianDiagonal(scene.sources, map.params, DEFAULT_PRIORS);
    const at = newtonDirection(fisherBlocks(scene, map.params), prior, (await obj.evaluate(map.params, true)).grad!)!;
    expect(Math.abs(at.delta[0] / at.sigmaG[0])).toBeLessThan(1e-3);
    const moved = Float64Array.from(map.params);
    moved[0] += 0.02;
    const back = newtonDirection(fisherBlocks(scene, moved), prior, (await obj.evaluate(moved, true)).grad!)!;
    expect(back.delta[0]).toBeLessThan(0);
    expect(Math.abs(back.delta[0] + 0.02)).toBeLessThan(0.01);
  });
});
