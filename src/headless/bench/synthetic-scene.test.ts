// Synthetic benchmark scenes: pair selection, engine layout acceptance, and the
// cost-model description of a scene against the engine's own layout tables.
import { describe, it, expect } from 'vitest';
import { shapeOfScene, syntheticScene } from './synthetic-scene';
import { buildSceneLayout } from '../../engine/scene-layout';
import { paramCount, validateScene } from '../../reference/scene';
import { stepCosts } from '../../engine/cost-model';

describe('synthetic benchmark scenes', () => {
  it('keeps visible pairs only, or every (source, quadrant) pair', () => {
    const vis = syntheticScene({ sources: 60, quadrants: 4, size: 128, pairs: 'visible', seed: 3 });
    const all = syntheticScene({ sources: 60, quadrants: 4, size: 128, pairs: 'all', seed: 3 });
    expect(all.scene.pairs).toHaveLength(60 * 4);
    expect(vis.scene.pairs.length).toBeLessThan(all.scene.pairs.length);
    // every source is seen at least once
    expect(new Set(vis.scene.pairs.map((p) => p.source)).size).toBe(60);
    for (const p of vis.scene.pairs) {
      const q = vis.scene.quadrants[p.quadrant];
      expect(p.x0 < q.nx && p.x0 + p.n > 0 && p.y0 < q.ny && p.y0 + p.n > 0).toBe(true);
    }
    // the extra pairs of the every-pair scene are exactly the invisible ones
    const invisible = all.scene.pairs.filter((p) => {
      const q = all.scene.quadrants[p.quadrant];
      return !(p.x0 < q.nx && p.x0 + p.n > 0 && p.y0 < q.ny && p.y0 + p.n > 0);
    });
    expect(invisible.length).toBe(all.scene.pairs.length - vis.scene.pairs.length);
    validateScene(vis.scene, vis.params);
    expect(vis.params.length).toBe(paramCount(vis.scene));
  });

  it('describes a scene as the engine lays it out (gather-list entries, pixels)', () => {
    const { scene } = syntheticScene({ sources: 40, quadrants: 3, size: 96, pairs: 'all', seed: 5 });
    const layout = buildSceneLayout(scene);
    const shape = shapeOfScene(scene);
    const entries = shape.tiers.reduce((a, t) => a + (t.tileEntries ?? 0), 0);
    expect(entries).toBe(layout.sourceListBase - layout.tileListBase);
    expect(shape.tiers.map((t) => [t.n, t.pairs])).toEqual(layout.tiers.map((t) => [t.n, t.count]));
    const costs = stepCosts(shape);
    // per-tier kernels are dispatched over every pair, visible or not
    const spec = costs.filter((c) => c.kernel === 'spectrum').reduce((a, c) => a + c.invocations, 0);
    expect(spec).toBe(layout.tiers.reduce((a, t) => a + Math.ceil((t.n * (t.n / 2 + 1)) / 64) * 64 * t.count, 0));
    expect(costs.find((c) => c.kernel === 'residual')!.invocations).toBe(layout.nTiles * 256);
    const records = layout.tiers.reduce((a, t) => a + t.chunks.reduce((b, c) => b + c.nRecords, 0), 0);
    expect(costs.filter((c) => c.kernel === 'accumulate').reduce((a, c) => a + c.invocations, 0)).toBe(records * 256);
    // without the layout's record count, the random-placement estimate is within 25% here
    const est = stepCosts({ ...shape, tiers: shape.tiers.map((t) => ({ ...t, records: undefined })) });
    const estRecords = est.filter((c) => c.kernel === 'accumulate').reduce((a, c) => a + c.invocations, 0) / 256;
    expect(Math.abs(estRecords / records - 1)).toBeLessThan(0.25);
  });
});
