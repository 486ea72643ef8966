// The cost model against counts done by hand for small configurations.
import { describe, it, expect } from 'vitest';
import {
  BYTES,
  FLOP,
  GPUS,
  boundingBox,
  galaxyTierMix,
  meanVisibleQuadrants,
  memoryForShape,
  chunkPairs,
  mosaicLayout,
  predictSeconds,
  realFft2dCost,
  standardSubtile,
  stepCosts,
  totals,
  type KernelCost,
  type StepShape,
} from './cost-model';

describe('cost model', () => {
  it('counts a real 32×32 FFT as 16-point complex rows + post-pass, then 17 complex columns', () => {
    // rows: 32 × (5·16·log2 16 + 10·17) = 32 × 490 = 15,680; columns: 17 × 5·32·5 = 13,600
    const c = realFft2dCost(32);
    expect(c.flop).toBe(29280);
    // 32² f32 one side, 32·17 vec2 the other, then the column pass reads and writes 32·17 vec2
    expect(c.bytes).toBe(4 * 1024 + 3 * 8 * 32 * 17);
  });

  it('counts one galaxy on one 32×32 quadrant by hand', () => {
    const shape: StepShape = { galaxies: 1, stars: 0, quadrants: [{ nx: 32, ny: 32 }], tiers: [{ n: 32, pairs: 1, records: 4 }] };
    const costs = stepCosts(shape);
    const by = (k: string) => costs.find((c) => c.kernel === k) as KernelCost;
    expect(costs.map((c) => c.kernel)).toEqual(['setup', 'spectrum', 'c2r', 'accumulate', 'residual', 'cut', 'r2c', 'gradPair', 'sources', 'loss', 'optimizer']);
    const bins = 32 * 17; // 544
    expect(by('spectrum').flop).toBe(bins * 89);
    expect(by('spectrum').bytes).toBe(bins * 40 + 80 + 32 + 128);
    expect(by('spectrum').invocations).toBe(9 * 64); // ⌈544/64⌉ workgroups of 64
    expect(by('gradPair').flop).toBe(bins * 154 + 8 * 63);
    expect(by('gradPair').invocations).toBe(64);
    expect(by('cut').bytes).toBe(8 * 1024);
    // 4 gather records (the stamp covers the 4 tiles); default entries (32/16 + 1)² = 9; 1024 covered pixels
    expect(by('accumulate').invocations).toBe(4 * 256);
    expect(by('accumulate').flop).toBe(2 * 9 * 256 + 1024);
    expect(by('accumulate').bytes).toBe(8 * 256 * 4 + 24 * 4 + 4 * 1024 + 84 * 9);
    expect(by('residual').invocations).toBe(4 * 256);
    expect(by('residual').flop).toBe(8 * 1024);
    expect(by('residual').bytes).toBe(16 * 1024 + 24 * 4);
    expect(by('optimizer').flop).toBe(20 * 8); // g1, g2 + 6 galaxy parameters
    expect(by('loss').flop).toBe(2 * 4 + 1 + 2);
    const t = totals(costs);
    expect(t.flop).toBe(costs.reduce((a, c) => a + c.flop, 0));
    // setup, spectrum, c2r (2 passes), accumulate, residual, cut, r2c (2), gradPair, sources, loss, optimizer
    expect(t.dispatches).toBe(1 + 1 + 2 + 1 + 1 + 1 + 2 + 1 + 1 + 1 + 1);
    // Without the gradient: no cut/r2c/gradPair, no per-pair terms in sources and loss.
    const fwd = stepCosts(shape, { gradient: false, optimizer: false });
    expect(fwd.map((c) => c.kernel)).toEqual(['setup', 'spectrum', 'c2r', 'accumulate', 'residual', 'sources', 'loss']);
    expect(fwd.find((c) => c.kernel === 'sources')!.flop).toBe(FLOP.sourcesPerSource);
    expect(fwd.find((c) => c.kernel === 'sources')!.bytes).toBe(BYTES.sourcesPerSource);
  });

  it('splits a tier into chunks under the 256 MiB budget and estimates gather records', () => {
    // tier 128: 4·128² + 8·128·65 = 132,096 B a pair → 2,032 pairs a chunk
    expect(chunkPairs(128, 10000)).toBe(2032);
    expect(chunkPairs(128, 100)).toBe(100);
    const shape: StepShape = { galaxies: 5000, stars: 0, quadrants: [{ nx: 1024, ny: 1024 }], tiers: [{ n: 128, pairs: 5000 }] };
    const acc = stepCosts(shape).find((c) => c.kernel === 'accumulate')!;
    expect(acc.dispatches).toBe(3);
    // 4096 tiles; 5000·81 entries over 3 chunks: each chunk touches 4096·(1 − e^(−135000/4096)) ≈ all tiles
    expect(acc.invocations).toBe(3 * 4096 * 256);
  });

  it('predicts time as a per-kernel roofline with efficiency and launch cost', () => {
    const l4 = GPUS.find((g) => g.name === 'L4')!;
    const k = (flop: number, bytes: number): KernelCost => ({ kernel: 'x', invocations: 1, flop, bytes, dispatches: 1, gradient: false });
    // compute bound: 30.3e12 flop at full peak = 1 s; memory bound: 300e9 B = 1 s; at eff 0.5 each takes 2 s
    expect(predictSeconds([k(30.3e12, 1)], l4, { efficiency: 1, launchUs: 0 })).toBeCloseTo(1, 12);
    expect(predictSeconds([k(1, 300e9)], l4, { efficiency: 0.5, launchUs: 0 })).toBeCloseTo(2, 12);
    expect(predictSeconds([k(30.3e12, 1), k(1, 300e9)], l4, { efficiency: 1, launchUs: 10 })).toBeCloseTo(2 + 20e-6, 12);
    expect(() => predictSeconds([], l4, { efficiency: 0 })).toThrow(/efficiency/);
  });

  it('lays out mosaics and counts the quadrants a stamp overlaps', () => {
    const one = mosaicLayout(1, 100, 80);
    expect(meanVisibleQuadrants(one, 16)).toBe(1);
    // Two 100×100 quadrants offset by 60: box 160×100. A 20-px stamp sees quadrant 0 for
    // centres x < 110 and quadrant 1 for x > 50: (110 + 110) / 160.
    const two = mosaicLayout(2, 100, 100);
    expect(two).toEqual([{ x: 0, y: 0, w: 100, h: 100 }, { x: 60, y: 0, w: 100, h: 100 }]);
    expect(boundingBox(two)).toEqual({ x: 0, y: 0, w: 160, h: 100 });
    expect(meanVisibleQuadrants(two, 20)).toBeCloseTo(220 / 160, 12);
    expect(() => mosaicLayout(0, 1, 1)).toThrow(/quadrants/);
  });

  it('sizes memory with the engine inventory, growing with the pairs', () => {
    const shape = (pairs: number): StepShape => ({ galaxies: 100, stars: 0, quadrants: [{ nx: 512, ny: 512 }], tiers: [{ n: 64, pairs }] });
    const a = memoryForShape(shape(100));
    const b = memoryForShape(shape(200));
    expect(b.total).toBeGreaterThan(a.total);
    // obs-ivar + model + residual: 16 B a pixel
    expect(a.byCategory.images).toBe(16 * 512 * 512);
  });

  it('gives a standard sub-tile that fits in 4 GB, with fewer visible pairs than every pair', () => {
    const mix = galaxyTierMix();
    const sum = [...mix.values()].reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 12);
    const vis = standardSubtile('visible');
    const all = standardSubtile('all');
    expect(vis.quadrants).toHaveLength(6);
    expect(vis.galaxies).toBe(2500);
    expect(all.tiers.reduce((a, t) => a + t.pairs, 0)).toBeCloseTo(15000, -1);
    expect(vis.meanQuadrantsPerSource).toBeGreaterThan(1);
    expect(vis.meanQuadrantsPerSource).toBeLessThan(6);
    expect(memoryForShape(vis).total).toBeLessThan(4e9);
    expect(totals(stepCosts(all)).flop).toBeGreaterThan(2 * totals(stepCosts(vis)).flop);
  });
});
