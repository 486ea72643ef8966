// Adapter from the exposure set (data layer) to the engine's Scene (src/reference/scene.ts):
// quadrant pixels as float64, the selected sources with their catalogue prior medians, and
// the visible (source, quadrant) pairs only, ordered by tier, then quadrant, then source.
import type { Pair, Scene, SourceInfo } from '../reference/scene';
import type { ExposureSet } from './exposure-set';

export function exposureSetToScene(set: ExposureSet): Scene {
  const quadrants = set.quadrants.map((q) => {
    if (!q.pixels)
      throw new Error(`${q.sciUrl}[${q.sciHdu}]: the exposure set was prepared without pixels (pixels: false); a scene needs them`);
    return { nx: q.nx, ny: q.ny, obs: Float64Array.from(q.pixels.data), ivar: Float64Array.from(q.pixels.ivar), name: q.name };
  });
  const sources: SourceInfo[] = set.sources.map((s) => ({
    kind: s.kind,
    catalogFlux: s.flux,
    ...(s.kind === 'galaxy' ? { catalogHlr: s.hlr } : {}),
    id: s.object_id,
  }));
  const s2 = set.psfSize * set.psfSize;
  const pairs: Pair[] = [];
  // set.visible is sorted by (tier, quadrant) and each list is in source order.
  for (const list of set.visible) {
    for (const i of list.pairs) {
      const p = set.pairs[i];
      const psf = set.psfs.slice(p.psfIndex * s2, (p.psfIndex + 1) * s2);
      const q = set.quadrants[p.quadrant];
      pairs.push({
        source: p.source,
        quadrant: p.quadrant,
        x0: p.x0,
        y0: p.y0,
        n: p.tier,
        delta0: [p.delta0[0], p.delta0[1]],
        jac: [p.jac[0], p.jac[1], p.jac[2], p.jac[3]],
        psf,
        psfSize: set.psfSize,
        aduPerUJy: q.aduPerUJy,
      });
    }
  }
  return { quadrants, sources, pairs };
}
