// MAP on small reference scenes: L-BFGS (default) and SHINE's Adam from a perturbed start.
//
// A round profile sees only A·Aᵀ = S(g)·S(ε)²·S(g), so without priors shear and intrinsic
// shapes are exactly degenerate: the noiseless, prior-free MAP reproduces the data (χ² → 0),
// every flux, size and offset, and each galaxy's A·Aᵀ — but not g and e separately. With
// the default priors the MAP is unique; it is checked to be the same from two starts.
import { describe, expect, it } from 'vitest';
import { lossAndGradient } from '../../reference/gradient';
import { DEFAULT_PRIORS, sourceOffsets } from '../../reference/scene';
import { shapeMatrix } from '../../reference/shape';
import { fitMap } from './map';
import { referenceObjective } from './reference-objective';
import { perturb, tinyScene } from './test-scenes';
import { defaultScales, layoutFromKinds, toUnconstrained } from './transform';

function aat(p: Float64Array, o: number): number[] {
  const A = shapeMatrix(p[0], p[1], p[o + 2], p[o + 3]).A;
  return [A[0] * A[0] + A[1] * A[1], A[0] * A[2] + A[1] * A[3], A[2] * A[2] + A[3] * A[3]];
}

describe('MAP on a noiseless reference scene', () => {
  const { scene, truth } = tinyScene({ noiseSigma: 0, arrangement: 'overlap' });
  const layout = layoutFromKinds(scene.sources.map((s) => s.kind));
  const offsets = sourceOffsets(scene);
  const start = perturb(scene, truth, 0.15);

  it('no priors: L-BFGS drives χ² to ~0 and recovers fluxes, sizes, offsets and A·Aᵀ to 1e-6', async () => {
    const obj = referenceObjective(scene, null);
    const progress: number[] = [];
    const r = await fitMap(obj, layout, start, { gtol: 1e-7, every: 20, onProgress: (p) => { progress.push(p.loss); } });
    const chi2Start = lossAndGradient(scene, start, null).chi2;
    console.log(
      `L-BFGS, no priors: ${r.steps} steps, ${r.evaluations} evaluations, loss ${chi2Start.toExponential(3)} → ${r.loss.toExponential(3)}, ` +
        `|g|∞ ${r.gradNorm.toExponential(2)}, reason ${r.reason}`,
    );
    expect(r.converged).toBe(true);
    expect(r.loss).toBeLessThan(1e-10 * chi2Start);
    expect(progress.length).toBeGreaterThan(0);
    let worst = 0;
    scene.sources.forEach((s, i) => {
      const o = offsets[i];
      const idx = s.kind === 'galaxy' ? [o, o + 1] : [o];
      for (const j of idx) worst = Math.max(worst, Math.abs(r.params[j] / truth[j] - 1));
      for (const j of s.kind === 'galaxy' ? [o + 4, o + 5] : [o + 1, o + 2]) worst = Math.max(worst, Math.abs(r.params[j] - truth[j]) / 0.1);
      if (s.kind === 'galaxy') {
        const a = aat(r.params, o);
        const b = aat(truth, o);
        for (let k = 0; k < 3; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
      }
    });
    expect(worst).toBeLessThan(1e-6);
  });

  it('default priors: L-BFGS converges to the same MAP from two starts; Adam (200 steps, lr 0.002) does not get there', async () => {
    const obj = referenceObjective(scene, DEFAULT_PRIORS);
    const scales = defaultScales(layout);
    // Tighter than the default gtol (1e-4): the prior-only g–e direction is soft, so a
    // gradient of 1e-4 still allows ~1e-3 scaled units of position.
    const a = await fitMap(obj, layout, start, { gtol: 1e-6, ftol: 0 });
    const b = await fitMap(obj, layout, perturb(scene, truth, 0.15, 99), { gtol: 1e-6, ftol: 0 });
    const def = await fitMap(obj, layout, start);
    const adam = await fitMap(obj, layout, start, { optimizer: 'adam' });
    const xa = toUnconstrained(layout, a.params);
    const xb = toUnconstrained(layout, b.params);
    const xAdam = toUnconstrained(layout, adam.params);
    let dAB = 0;
    let dAdam = 0;
    for (let i = 0; i < layout.n; i++) {
      dAB = Math.max(dAB, Math.abs(xa[i] - xb[i]) / scales[i]);
      dAdam = Math.max(dAdam, Math.abs(xa[i] - xAdam[i]) / scales[i]);
    }
    console.log(
      `default priors, noiseless, 23 parameters:\n` +
        `  L-BFGS start A: ${a.steps} steps, ${a.evaluations} evaluations, loss ${a.loss.toFixed(6)}, |g|∞ ${a.gradNorm.toExponential(2)}, Δrel ${a.relLossChange.toExponential(2)}, ${a.reason}\n` +
        `  L-BFGS default gtol 1e-4: ${def.steps} steps, ${def.evaluations} evaluations, loss ${def.loss.toFixed(6)}, |g|∞ ${def.gradNorm.toExponential(2)}, ${def.reason}\n` +
        `  L-BFGS start B: ${b.steps} steps, ${b.evaluations} evaluations, loss ${b.loss.toFixed(6)}, |g|∞ ${b.gradNorm.toExponential(2)}, ${b.reason}\n` +
        `  Adam:           ${adam.steps} steps, ${adam.evaluations} evaluations, loss ${adam.loss.toFixed(6)}, |g|∞ ${adam.gradNorm.toExponential(2)}, Δrel ${adam.relLossChange.toExponential(2)}\n` +
        `  max |x_A − x_B|/scale ${dAB.toExponential(2)}, max |x_A − x_Adam|/scale ${dAdam.toExponential(2)}, g: L-BFGS (${a.params[0].toFixed(5)}, ${a.params[1].toFixed(5)}) Adam (${adam.params[0].toFixed(5)}, ${adam.params[1].toFixed(5)})`,
    );
    expect(a.converged && b.converged).toBe(true);
    expect(a.gradNorm).toBeLessThan(1e-6);
    expect(def.converged).toBe(true);
    expect(def.loss - a.loss).toBeLessThan(1e-6);
    expect(dAB).toBeLessThan(1e-3);
    expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-8 * Math.abs(a.loss) + 1e-9);
    expect(adam.steps).toBe(200);
    expect(a.loss).toBeLessThanOrEqual(adam.loss);
  });
});
