// Statistical validation of G1_ERR, G2_ERR (slow; not part of the test run).
//   npx tsx src/engine/uncertainty/shear-scatter.validate.ts [realisations=200] [seed=1]
// Exits 1 when the scatter of the MAP shear over realisations differs from the mean
// Laplace G_ERR by more than 25%, or when fewer than 95% of the realisations have the
// MAP shear within 3·G_ERR of the truth.
//
// Each realisation redraws the intrinsic ellipticities from the model's own prior
// (e1, e2 ~ N(0, 0.3), |e| < 0.9) and the pixel noise: G_ERR is the width of the shear
// posterior with shapes marginalised, so it contains shape noise and can only be
// compared with a scatter that contains it too. The shear prior is made weak (σ = 1) so
// that the MAP is the shape-marginalised maximum-likelihood estimator, whose sampling
// covariance is what the Schur complement gives in the linear-Gaussian limit.

import { renderScene, DEFAULT_PRIORS, type Priors } from '../../reference/scene';
import { fitMap } from '../optim/map';
import { referenceObjective } from '../optim/reference-objective';
import { gaussian, rng, tinyScene } from '../optim/test-scenes';
import { layoutFromKinds } from '../optim/transform';
import { referenceLaplace } from './reference-laplace';

const realisations = Number(process.argv[2] ?? 200);
const seed = Number(process.argv[3] ?? 1);
const NOISE = 0.3;
const G_TRUE: [number, number] = [0.02, -0.01];
const priors: Priors = { ...DEFAULT_PRIORS, gSigma: 1 };

async function main(): Promise<void> {
  const base = tinyScene({ noiseSigma: NOISE, arrangement: 'disjoint', g: G_TRUE });
  const { scene } = base;
  const layout = layoutFromKinds(scene.sources.map((s) => s.kind));
  const g1: number[] = [];
  const g2: number[] = [];
  const e1: number[] = [];
  const e2: number[] = [];
  let within3 = 0;
  let steps = 0;
  let notConverged = 0;
  const t0 = Date.now();
  for (let r = 0; r < realisations; r++) {
    const rand = rng(seed * 100003 + r);
    const truth = Float64Array.from(base.truth);
    for (const o of [2, 8, 14]) {
      let a: number;
      let b: number;
      do {
        a = 0.3 * gaussian(rand);
        b = 0.3 * gaussian(rand);
      } while (Math.hypot(a, b) >= 0.9);
      truth[o + 2] = a;
      truth[o + 3] = b;
    }
    const model = renderScene(scene, truth)[0];
    const q = scene.quadrants[0];
    for (let t = 0; t < model.length; t++) q.obs[t] = model[t] + NOISE * gaussian(rand);
    // start from the catalogue: g = 0, round shapes, no offsets
    const start = new Float64Array(truth.length);
    let o = 2;
    for (const s of scene.sources) {
      start[o] = s.catalogFlux;
      if (s.kind === 'galaxy') {
        start[o + 1] = s.catalogHlr!;
        o += 6;
      } else o += 3;
    }
    const fit = await fitMap(referenceObjective(scene, priors), layout, start);
    steps += fit.steps;
    if (!fit.converged) notConverged++;
    const lap = referenceLaplace(scene, fit.params, priors);
    g1.push(fit.params[0]);
    g2.push(fit.params[1]);
    e1.push(lap.g1Err);
    e2.push(lap.g2Err);
    if (Math.abs(fit.params[0] - G_TRUE[0]) < 3 * lap.g1Err && Math.abs(fit.params[1] - G_TRUE[1]) < 3 * lap.g2Err) within3++;
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const std = (v: number[]) => {
    const m = mean(v);
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
  };
  const r1 = std(g1) / mean(e1);
  const r2 = std(g2) / mean(e2);
  const frac3 = within3 / realisations;
  console.log(`${realisations} realisations, ${((Date.now() - t0) / 1000).toFixed(1)} s, mean L-BFGS steps ${(steps / realisations).toFixed(1)}, not converged ${notConverged}`);
  console.log(`g1: mean ${mean(g1).toFixed(4)} (true ${G_TRUE[0]}), scatter ${std(g1).toFixed(4)}, mean G1_ERR ${mean(e1).toFixed(4)}, ratio ${r1.toFixed(3)}`);
  console.log(`g2: mean ${mean(g2).toFixed(4)} (true ${G_TRUE[1]}), scatter ${std(g2).toFixed(4)}, mean G2_ERR ${mean(e2).toFixed(4)}, ratio ${r2.toFixed(3)}`);
  console.log(`within 3·G_ERR on both components: ${(100 * frac3).toFixed(1)}%`);
  const ok = Math.abs(r1 - 1) <= 0.25 && Math.abs(r2 - 1) <= 0.25 && frac3 >= 0.95;
  console.log(ok ? 'PASS' : 'FAIL');
  if (!ok) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 2;
});
