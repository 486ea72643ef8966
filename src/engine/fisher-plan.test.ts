// CPU side of the GPU Fisher: entry indexing, chunk sizing, and the assembly of per-pair
// 8×8 blocks into FisherBlocks against an independent float64 sum.
import { describe, expect, it } from 'vitest';
import { assembleFisherBlocks, entryIndex, FISHER_DERIVS, FISHER_ENTRIES, fisherChunkPairs, planFisherChunks } from './fisher-plan';
import { buildSceneLayout } from './scene-layout';
import { tinyScene } from './optim/test-scenes';

describe('fisher-plan', () => {
  it('entryIndex maps the upper triangle of 8×8 onto 0…35 in row order, symmetric', () => {
    const seen: number[] = [];
    for (let a = 0; a < FISHER_DERIVS; a++) for (let b = a; b < FISHER_DERIVS; b++) seen.push(entryIndex(a, b));
    expect(seen).toEqual(Array.from({ length: FISHER_ENTRIES }, (_, i) => i));
    expect(entryIndex(5, 2)).toBe(entryIndex(2, 5));
  });

  it('chunks respect the budget, the binding limit and the FFT batch limit', () => {
    const perPair = (n: number) => 8 * (4 * n * n + 8 * n * (n / 2 + 1));
    expect(fisherChunkPairs(64, 10_000, { chunkBudgetBytes: 10 * perPair(64) })).toBe(10);
    expect(fisherChunkPairs(32, 100_000, { chunkBudgetBytes: 2 ** 40, limits: { maxStorageBufferBindingSize: 2 ** 40, maxBufferSize: 2 ** 40 } })).toBe(8191);
    expect(fisherChunkPairs(256, 5, { maxChunkPairs: 2 })).toBe(2);
    expect(() => fisherChunkPairs(512, 1, { chunkBudgetBytes: 1000 })).toThrow(/more than the chunk budget/);
  });

  it('assembles per-pair blocks into per-source blocks (float64 sums of hi + lo)', () => {
    const { scene } = tinyScene({ noiseSigma: 0, arrangement: 'overlap' });
    const layout = buildSceneLayout(scene);
    const plan = planFisherChunks(layout, { maxChunkPairs: 1 });
    expect(plan.chunks.reduce((a, c) => a + c.count, 0)).toBe(layout.nPairs);
    // per engine pair e: M_ab = (e + 1)·(a + 1)·(b + 1)/7, split into f32 hi and lo
    const per = new Float32Array(2 * FISHER_ENTRIES * layout.nPairs);
    const val = (e: number, a: number, b: number) => ((e + 1) * (a + 1) * (b + 1)) / 7;
    for (let e = 0; e < layout.nPairs; e++) {
      for (let a = 0; a < 8; a++) {
        for (let b = a; b < 8; b++) {
          const v = val(e, a, b);
          const t = 2 * (FISHER_ENTRIES * e + entryIndex(a, b));
          per[t] = Math.fround(v);
          per[t + 1] = Math.fround(v - per[t]);
        }
      }
    }
    const blocks = assembleFisherBlocks(scene, layout, per);
    const engineOf = new Map<number, number>();
    layout.sceneIndex.forEach((s, e) => engineOf.set(s, e));
    scene.sources.forEach((src, i) => {
      const k = src.kind === 'galaxy' ? 6 : 3;
      const es = scene.pairs.flatMap((p, s) => (p.source === i ? [engineOf.get(s)!] : []));
      const sum = (a: number, b: number) => es.reduce((acc, e) => acc + val(e, a, b), 0);
      const B = blocks.sources[i];
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) expect(B.ss[a * k + b]).toBeCloseTo(sum(a, b), 9);
      if (k === 6) {
        for (let r = 0; r < 2; r++) for (let c = 0; c < 6; c++) expect(B.gs[r * 6 + c]).toBeCloseTo(sum(6 + r, c), 9);
        for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) expect(B.gg[r * 2 + c]).toBeCloseTo(sum(6 + r, 6 + c), 9);
      } else {
        expect(Array.from(B.gs)).toEqual([0, 0, 0, 0, 0, 0]);
      }
    });
    const gg = blocks.sources.reduce((acc, b) => acc.map((v, i) => v + b.gg[i]), [0, 0, 0, 0]);
    gg.forEach((v, i) => expect(blocks.gg[i]).toBeCloseTo(v, 9));
    expect(() => assembleFisherBlocks(scene, layout, per.subarray(2))).toThrow(/read back/);
  });
});
