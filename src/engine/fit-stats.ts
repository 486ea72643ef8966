// Per-source goodness of fit from the weighted residuals R = (obs − model)·ivar the engine reads
// back: χ² = Σ R²/ivar over the unmasked pixels of the source's clipped stamps, in every quadrant
// where it is modelled. Stamps are the model's support (tier size, a few times the galaxy), so
// a neighbour's residual inside it counts too: a local measure, not a partition of the total.

import { forEachClipped, type Scene } from '../reference/scene';

export function sourceStatistics(scene: Scene, residuals: ArrayLike<number>[]): { chi2: Float64Array; npix: Int32Array } {
  const chi2 = new Float64Array(scene.sources.length);
  const npix = new Int32Array(scene.sources.length);
  for (const p of scene.pairs) {
    const q = scene.quadrants[p.quadrant];
    const R = residuals[p.quadrant];
    let c = 0;
    let n = 0;
    forEachClipped(p, q, (_, k) => {
      const w = q.ivar[k];
      if (w > 0) {
        c += (R[k] * R[k]) / w;
        n++;
      }
    });
    chi2[p.source] += c;
    npix[p.source] += n;
  }
  return { chi2, npix };
}
