// Objective adapter for the float64 CPU reference (src/reference): natural parameters,
// loss = χ²/2 − log prior. For tests and small scenes; the GPU engine is the production path.

import { lossAndGradient } from '../../reference/gradient';
import { DEFAULT_PRIORS, loss, paramCount, validateScene, type Priors, type Scene } from '../../reference/scene';
import type { Objective } from './objective';

export function referenceObjective(scene: Scene, priors: Priors | null = DEFAULT_PRIORS): Objective & { evaluations: number } {
  validateScene(scene);
  const obj = {
    n: paramCount(scene),
    evaluations: 0,
    async evaluate(x: Float64Array, wantGrad: boolean) {
      obj.evaluations++;
      if (!wantGrad) return { loss: loss(scene, x, priors) };
      const r = lossAndGradient(scene, x, priors);
      return { loss: r.loss, grad: r.grad };
    },
  };
  return obj;
}
