// GPU memory estimate of the engine (the GPU test checks it against engine.memoryBytes()).
import { describe, expect, it } from 'vitest';
import { estimateEngineMemory, standardSubtileSummary, summarizeLayout } from './memory';
import { buildSceneLayout } from './scene-layout';
import type { Pair, Scene } from '../reference/scene';

const GiB = 2 ** 30;
const fmt = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

describe('estimateEngineMemory', () => {
  it('standard sub-tile (2,500 sources, 6 × 2048×2066, 15,000 pairs) fits in 4 GB', () => {
    const s = standardSubtileSummary();
    expect(s.tiers.reduce((a, t) => a + t.pairs, 0)).toBe(15000);
    // acquireGpu asks for 1 GiB bindings; WebGPU's guaranteed minimums (128 MiB / 256 MiB) shown beside
    for (const [name, limits] of [
      ['1 GiB bindings', { maxStorageBufferBindingSize: GiB, maxBufferSize: GiB }],
      ['WebGPU minimum limits', undefined],
    ] as const) {
      const est = estimateEngineMemory(s, { limits });
      console.log(
        `standard sub-tile, ${name}: total ${fmt(est.total)} (${(est.total / 1e9).toFixed(3)} GB); ` +
          Object.entries(est.byCategory).map(([k, v]) => `${k} ${fmt(v)}`).join(', ') +
          `; pairs per chunk ${est.chunkPairs.join('/')}` +
          (est.oversized.length ? `; exceeds the binding limit: ${est.oversized.join(', ')}` : ''),
      );
      expect(est.total).toBeLessThanOrEqual(4e9);
    }
    expect(estimateEngineMemory(s, { limits: { maxStorageBufferBindingSize: GiB, maxBufferSize: GiB } }).oversized).toEqual([]);
  });

  it('grows with pairs, not with pairs × N²: the chunk buffers stay fixed', () => {
    const s = standardSubtileSummary();
    const big = { ...s, tiers: s.tiers.map((t) => ({ ...t, pairs: 4 * t.pairs })) };
    const a = estimateEngineMemory(s);
    const b = estimateEngineMemory(big);
    expect(b.byCategory.chunk).toBe(a.byCategory.chunk);
    expect(b.byCategory.psf).toBe(a.byCategory.psf);
    const perPair = (b.total - a.total) / (3 * 15000);
    console.log(`extra bytes per added pair: ${perPair.toFixed(0)} (tables, gather lists; no stamps or spectra)`);
    expect(perPair).toBeLessThan(2000);
  });

  it('uses the exact layout size of a built scene', () => {
    const psf = new Float64Array(25).fill(1 / 25);
    const q = { nx: 100, ny: 70, obs: new Float64Array(7000), ivar: new Float64Array(7000).fill(1) };
    const pr = (source: number, n: number, x0: number): Pair => ({ source, quadrant: 0, n, x0, y0: 5, delta0: [0, 0], jac: [0.1, 0, 0, 0.1], psf, psfSize: 5, aduPerUJy: 1 });
    const scene: Scene = { quadrants: [q], sources: [{ kind: 'star', catalogFlux: 1 }, { kind: 'star', catalogFlux: 1 }], pairs: [pr(0, 32, 3), pr(1, 64, 30)] };
    const L = buildSceneLayout(scene, { maxChunkPairs: 1 });
    const est = estimateEngineMemory(summarizeLayout(L, scene.quadrants), { maxChunkPairs: 1 });
    expect(est.items.find((i) => i.label === 'layout')!.bytes).toBe(4 * L.layout.length);
    expect(est.items.find((i) => i.label === 'stamps (chunk)')!.bytes).toBe(4 * 64 * 64);
    expect(est.chunkPairs).toEqual([1, 1]);
  });
});
