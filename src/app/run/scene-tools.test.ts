// Fixed parameters, excluded sources: checked on the float64 reference scene (src/engine/optim/test-scenes.ts).
import { describe, expect, it } from 'vitest';
import { fitMap } from '../../engine/optim/map';
import { referenceObjective } from '../../engine/optim/reference-objective';
import { tinyScene, perturb } from '../../engine/optim/test-scenes';
import { layoutFromKinds } from '../../engine/optim/transform';
import { renderScene, sourceOffsets } from '../../reference/scene';
import { freeMask, gatherParams, keepFixed, maskedObjective, scatterParams, withoutSources } from './scene-tools';

const ALL = { shear: true, flux: true, size: true, shape: true, offsets: true };

describe('freeMask', () => {
  const { scene } = tinyScene({ noiseSigma: 0.05 });
  it('frees groups by role, for galaxies and stars', () => {
    const m = freeMask(scene, { ...ALL, shear: false, shape: false });
    // g1 g2 | flux hlr e1 e2 dx dy (×3 galaxies) | flux dx dy (star)
    expect(Array.from(m)).toEqual([0, 0, ...[1, 1, 0, 0, 1, 1], ...[1, 1, 0, 0, 1, 1], ...[1, 1, 0, 0, 1, 1], 1, 1, 1]);
  });
  it('a neighbourhood frees only its sources and fixes the shear', () => {
    const m = freeMask(scene, ALL, new Set([1]));
    const off = sourceOffsets(scene);
    const free = [...m.keys()].filter((i) => m[i]);
    expect(free).toEqual([0, 1, 2, 3, 4, 5].map((k) => off[1] + k));
  });
});

describe('maskedObjective', () => {
  it('L-BFGS and Adam leave fixed parameters exactly where they were and fit the free ones', async () => {
    const { scene, truth } = tinyScene({ noiseSigma: 0.02, seed: 3 });
    const start = perturb(scene, truth, 0.3);
    const mask = freeMask(scene, { shear: false, flux: true, size: false, shape: false, offsets: false });
    const layout = layoutFromKinds(scene.sources.map((s) => s.kind));
    for (const opts of [{ optimizer: 'lbfgs' as const, maxSteps: 30 }, { optimizer: 'adam' as const, steps: 30, lr: 0.05 }]) {
      const obj = maskedObjective(referenceObjective(scene), mask);
      const r = await fitMap(obj, layout, start, opts);
      let movedFree = 0;
      for (let i = 0; i < start.length; i++) {
        // Fixed: the unconstrained round trip only (≤ a few ulp).
        if (!mask[i]) expect(Math.abs(r.params[i] - start[i])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(start[i])));
        else if (Math.abs(r.params[i] - start[i]) > 1e-3 * Math.abs(start[i])) movedFree++;
      }
      expect(movedFree).toBe(4); // the four fluxes
      const kept = keepFixed(r.params, start, mask);
      for (let i = 0; i < start.length; i++) expect(kept[i]).toBe(mask[i] ? r.params[i] : start[i]);
      expect(r.loss).toBeLessThan(r.lossHistory[0]);
    }
  });
  it('runs `before` ahead of every evaluation (the pause gate)', async () => {
    const { scene, truth } = tinyScene({ noiseSigma: 0.05 });
    let calls = 0;
    const obj = maskedObjective(referenceObjective(scene), freeMask(scene, ALL), async () => void calls++);
    await obj.evaluate(truth, true);
    await obj.evaluate(truth, false);
    expect(calls).toBe(2);
  });
});

describe('withoutSources', () => {
  it('renders the scene minus the dropped source (= the full scene with that flux at 0)', () => {
    const { scene, truth } = tinyScene({ noiseSigma: 0.05, arrangement: 'overlap' });
    const sub = withoutSources(scene, new Set([1]));
    expect(sub.kept).toEqual([0, 2, 3]);
    expect(sub.scene.pairs.map((p) => p.source)).toEqual([0, 1, 2]);
    const zeroed = Float64Array.from(truth);
    zeroed[sourceOffsets(scene)[1]] = 0;
    const a = renderScene(sub.scene, gatherParams(truth, sub.paramMap))[0];
    const b = renderScene(scene, zeroed)[0];
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    expect(max).toBeLessThan(1e-12);
    // Scatter puts the sub-vector back and leaves the dropped source's values alone.
    const back = scatterParams(zeroed, gatherParams(truth, sub.paramMap), sub.paramMap);
    expect(back[sourceOffsets(scene)[1]]).toBe(0);
    expect(back[sourceOffsets(scene)[2]]).toBe(truth[sourceOffsets(scene)[2]]);
  });
});
