// Adapter from the exposure set (data layer) to the engine's Scene (src/reference/scene.ts):
// quadrant pixels as float64, the selected sources with their catalogue prior medians, and
// the visible (source, quadrant) pairs only, ordered by tier, then quadrant, then source.
// Each pair carries its interpolated PSF (for the reference) and the blend that made it
// (four grid stamps and bilinear weights, for the engine, which then keeps one spectrum per
// grid stamp instead of one per pair); the quadrants' PSF grids go in scene.psfGrids.
import type { Pair, PsfBlend, Scene, SourceInfo } from '../reference/scene';
import type { ExposureSet } from './exposure-set';
import type { PsfGrid } from './psf';

/** Fractional grid coordinate along one axis, clamped to the outermost stamp centres (as psf.ts psfAt). */
function gridCoord(p: number, n: number, g: number): [i0: number, t: number] {
  const f = Math.min(g - 1, Math.max(0, (p - n / (2 * g)) / (n / g)));
  const i0 = Math.min(g - 2, Math.floor(f));
  return g === 1 ? [0, 0] : [i0, f - i0];
}

/**
 * The bilinear blend psf.ts `psfAt(grid, x, y)` computes: Σ weights[i]·stamp[stamps[i]],
 * divided by its pixel sum, is psfAt's result. Indices stay inside the grid (a corner
 * outside a 1-wide grid gets weight 0).
 */
export function psfBlendAt(grid: Pick<PsfGrid, 'gridNx' | 'gridNy' | 'quadNx' | 'quadNy'>, x: number, y: number): PsfBlend {
  const [ix, tx] = gridCoord(x, grid.quadNx, grid.gridNx);
  const [iy, ty] = gridCoord(y, grid.quadNy, grid.gridNy);
  const cx = (i: number) => Math.min(i, grid.gridNx - 1);
  const cy = (i: number) => Math.min(i, grid.gridNy - 1);
  return {
    stamps: [cy(iy) * grid.gridNx + cx(ix), cy(iy) * grid.gridNx + cx(ix + 1), cy(iy + 1) * grid.gridNx + cx(ix), cy(iy + 1) * grid.gridNx + cx(ix + 1)],
    weights: [
      (1 - tx) * (1 - ty),
      ix + 1 < grid.gridNx ? tx * (1 - ty) : 0,
      iy + 1 < grid.gridNy ? (1 - tx) * ty : 0,
      ix + 1 < grid.gridNx && iy + 1 < grid.gridNy ? tx * ty : 0,
    ],
  };
}

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
        psfBlend: psfBlendAt(q.psf, p.x, p.y),
      });
    }
  }
  const psfGrids = set.quadrants.map((q) => ({ gridNx: q.psf.gridNx, gridNy: q.psf.gridNy, size: q.psf.size, stamps: q.psf.stamps }));
  return { quadrants, sources, pairs, psfGrids };
}
