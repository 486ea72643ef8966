// Packing of a Scene for the GPU: tier/quadrant batches, tile gather lists against a
// brute-force footprint test, source lists, wrapped PSF stamps, masked pixels, errors.
import { describe, expect, it } from 'vitest';
import { buildSceneLayout, wrappedPsfStamps, TILE, PAIR_STATIC_BYTES, PAIR_PSF_BYTES, type SceneLayout } from './scene-layout';
import type { Pair, Scene } from '../reference/scene';

function psf(size: number): Float64Array {
  const p = new Float64Array(size * size);
  p.fill(1 / (size * size));
  return p;
}

function scene(): Scene {
  const q = (nx: number, ny: number) => ({ nx, ny, obs: new Float64Array(nx * ny).fill(1), ivar: new Float64Array(nx * ny).fill(4) });
  const pr = (source: number, quadrant: number, n: number, x0: number, y0: number): Pair => ({
    source, quadrant, n, x0, y0, delta0: [0.1, -0.2], jac: [-0.1, 0, 0, 0.1], psf: psf(5), psfSize: 5, aduPerUJy: 3,
  });
  const s: Scene = {
    quadrants: [q(40, 33), q(20, 50)],
    sources: [
      { kind: 'galaxy', catalogFlux: 2, catalogHlr: 0.3 },
      { kind: 'star', catalogFlux: 1 },
      { kind: 'galaxy', catalogFlux: 3, catalogHlr: 0.4 },
    ],
    pairs: [pr(0, 1, 64, -20, 5), pr(1, 0, 32, 20, 10), pr(2, 0, 64, -40, -40), pr(0, 0, 32, -5, 25), pr(2, 1, 32, 10, 40), pr(1, 1, 32, 100, 100)],
  };
  s.quadrants[0].obs[7] = Number.NaN;
  s.quadrants[0].ivar[7] = 0;
  return s;
}

describe('buildSceneLayout', () => {
  const sc = scene();
  const L = buildSceneLayout(sc);

  it('orders pairs by tier, then quadrant, then scene order, in contiguous batches', () => {
    expect(Array.from(L.sceneIndex)).toEqual([1, 3, 4, 5, 2, 0]);
    expect(L.tiers.map((t) => [t.n, t.pairBase, t.count])).toEqual([[32, 0, 4], [64, 4, 2]]);
    expect(L.tiers[0].quadrants).toEqual([{ quadrant: 0, pairBase: 0, count: 2 }, { quadrant: 1, pairBase: 2, count: 2 }]);
    // one chunk per tier by default; chunk buffers sized for the larger chunk
    expect(L.tiers.map((t) => t.chunks.length)).toEqual([1, 1]);
    expect(L.stampFloats).toBe(Math.max(4 * 32 * 32, 2 * 64 * 64));
    expect(L.specVec2).toBe(Math.max(4 * 32 * 17, 2 * 64 * 33));
    expect(L.nParams).toBe(2 + 6 + 3 + 6);
  });

  // For every chunk and tile: exactly the chunk's pairs touching it, in engine order, and
  // the first-touch bit on the tile's first chunk only.
  const checkGather = (sc: Scene, L: SceneLayout) => {
    const seen = new Set<number>();
    const tileOf: { k: number; tx: number; ty: number }[] = [];
    sc.quadrants.forEach((q, k) => {
      for (let ty = 0; ty < Math.ceil(q.ny / TILE); ty++) for (let tx = 0; tx < Math.ceil(q.nx / TILE); tx++) tileOf.push({ k, tx, ty });
    });
    expect(tileOf.length).toBe(L.nTiles);
    tileOf.forEach((t, i) => expect(Array.from(L.layout.subarray(L.tileBase + 4 * i, L.tileBase + 4 * i + 3))).toEqual([t.k, t.tx * TILE, t.ty * TILE]));
    for (const tier of L.tiers) {
      for (const c of tier.chunks) {
        const listed = new Map<number, number[]>();
        for (let r = c.recordStart; r < c.recordStart + c.nRecords; r++) {
          const w = L.layout[L.recordBase + 2 * r];
          const tile = w & 0x7fffffff;
          expect(w >>> 31).toBe(seen.has(tile) ? 0 : 1);
          seen.add(tile);
          listed.set(tile, Array.from(L.layout.subarray(L.tileListBase + L.layout[L.recordBase + 2 * r + 1], L.tileListBase + L.layout[L.recordBase + 2 * r + 3])));
        }
        tileOf.forEach(({ k, tx, ty }, i) => {
          const expected: number[] = [];
          for (let e = c.pairBase; e < c.pairBase + c.count; e++) {
            const p = sc.pairs[L.sceneIndex[e]];
            const q = sc.quadrants[k];
            if (p.quadrant !== k) continue;
            const x0 = Math.max(p.x0, tx * TILE, 0);
            const x1 = Math.min(p.x0 + p.n, (tx + 1) * TILE, q.nx);
            const y0 = Math.max(p.y0, ty * TILE, 0);
            const y1 = Math.min(p.y0 + p.n, (ty + 1) * TILE, q.ny);
            if (x0 < x1 && y0 < y1) expected.push(e);
          }
          expect(listed.get(i) ?? []).toEqual(expected);
        });
      }
    }
  };

  it('lists, for every chunk and tile, exactly the pairs touching it, in engine order', () => {
    checkGather(sc, L);
    // the pair table agrees with the scene; offsets are relative to the chunk
    const dv = new DataView(L.pairStatic);
    for (let e = 0; e < L.nPairs; e++) {
      const p = sc.pairs[L.sceneIndex[e]];
      expect([dv.getUint32(e * PAIR_STATIC_BYTES + 12, true), dv.getInt32(e * PAIR_STATIC_BYTES + 20, true)]).toEqual([p.quadrant, p.x0]);
    }
    expect(dv.getUint32(1 * PAIR_STATIC_BYTES + 28, true)).toBe(32 * 32);
    expect(dv.getUint32(4 * PAIR_STATIC_BYTES + 28, true)).toBe(0); // first pair of tier 64
  });

  it('cuts tiers into chunks of at most maxChunkPairs, with their own gather lists', () => {
    const C = buildSceneLayout(sc, { maxChunkPairs: 1 });
    expect(C.tiers.map((t) => t.chunks.map((c) => [c.pairBase, c.count]))).toEqual([[[0, 1], [1, 1], [2, 1], [3, 1]], [[4, 1], [5, 1]]]);
    expect(C.stampFloats).toBe(64 * 64);
    checkGather(sc, C);
    const dv = new DataView(C.pairStatic);
    for (let e = 0; e < C.nPairs; e++) expect(dv.getUint32(e * PAIR_STATIC_BYTES + 28, true)).toBe(0);
    // a chunk budget smaller than one pair's buffers is an error; the budget sets K
    expect(() => buildSceneLayout(sc, { chunkBudgetBytes: 1000 })).toThrow(/more than the chunk budget/);
    const B = buildSceneLayout(sc, { chunkBudgetBytes: 4 * 64 * 64 + 8 * 64 * 33 });
    expect(B.tiers.map((t) => t.chunkPairs)).toEqual([3, 1]); // ⌊33280 / (4·32² + 8·32·17)⌋ = 3
  });

  it('lists each source’s pairs and wraps each PSF centre to grid index (0, 0)', () => {
    const sv = new DataView(L.sourceStatic);
    sc.sources.forEach((_, i) => {
      const a = sv.getUint32(32 * i + 8, true);
      const b = sv.getUint32(32 * i + 12, true);
      const listed = Array.from(L.layout.subarray(L.sourceListBase + a, L.sourceListBase + b), (e) => L.sceneIndex[e]);
      expect(listed).toEqual(sc.pairs.flatMap((p, s) => (p.source === i ? [s] : [])));
    });
    const n = 32;
    const st = wrappedPsfStamps(sc, L.tiers[0], 0, 1);
    expect(st.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6);
    for (const [i, j] of [[0, 0], [2, 2], [n - 2, n - 2], [2, n - 2]]) expect(st[j * n + i]).toBeCloseTo(1 / 25, 7);
    expect(st[3 * n + 3]).toBe(0);
  });

  it('zeroes masked pixels (NaN obs) and rejects unsupported tiers and bad ivar by name', () => {
    expect([L.obsIvar[14], L.obsIvar[15]]).toEqual([0, 0]);
    expect([L.obsIvar[0], L.obsIvar[1]]).toEqual([1, 4]);
    const bad = scene();
    bad.pairs[2] = { ...bad.pairs[2], n: 16 };
    expect(() => buildSceneLayout(bad)).toThrow(/pair 2 \(source 2, quadrant 0\): N = 16 is not an engine tier/);
    const neg = scene();
    neg.quadrants[1].ivar[3] = -1;
    expect(() => buildSceneLayout(neg)).toThrow(/quadrant 1: ivar\[3\] = -1/);
  });

  it('shares PSF slots of grid stamps between blended pairs, weights divided by the blend sum', () => {
    const b = scene();
    // 2×1 grid of 5×5 stamps with sums 1 and 2 in quadrant 0
    const stamps = new Float64Array(2 * 25);
    for (let i = 0; i < 25; i++) {
      stamps[i] = 1 / 25;
      stamps[25 + i] = 2 / 25;
    }
    b.psfGrids = [{ gridNx: 2, gridNy: 1, size: 5, stamps }, undefined];
    b.pairs[1] = { ...b.pairs[1], psfBlend: { stamps: [0, 1, 0, 1], weights: [0.25, 0.75, 0, 0] } };
    b.pairs[3] = { ...b.pairs[3], psfBlend: { stamps: [1, 0, 1, 0], weights: [0.5, 0.5, 0, 0] } };
    const B = buildSceneLayout(b);
    expect(B.blendedPairs).toBe(2);
    // tier 32: engine pairs 0, 1 (scene 1, 3) blended → 2 grid slots; 2, 3 their own PSFs
    expect(B.tiers[0].psfSlots).toEqual([{ quadrant: 0, stamp: 0 }, { quadrant: 0, stamp: 1 }, { scenePair: 4 }, { scenePair: 5 }]);
    const pv = new DataView(B.pairPsf);
    const read = (e: number) => [0, 1, 2, 3].map((i) => [pv.getUint32(e * PAIR_PSF_BYTES + 4 * i, true), pv.getFloat32(e * PAIR_PSF_BYTES + 16 + 4 * i, true)]);
    const n0 = 0.25 * 1 + 0.75 * 2;
    const r0 = read(0);
    expect(r0.map((x) => x[0])).toEqual([0, 1, 0, 1]);
    r0.forEach(([, w], i) => expect(w).toBeCloseTo([0.25 / n0, 0.75 / n0, 0, 0][i], 6));
    expect(read(2)).toEqual([[2, 1], [2, 0], [2, 0], [2, 0]]);
    // wrapped grid stamp
    const w = wrappedPsfStamps(b, B.tiers[0], 1, 1);
    expect(w[0]).toBeCloseTo(2 / 25, 7);
    expect(w.reduce((a, v) => a + v, 0)).toBeCloseTo(2, 5);
    // bad blends are named
    const bad = scene();
    bad.pairs[0] = { ...bad.pairs[0], psfBlend: { stamps: [0, 1, 2, 3], weights: [1, 0, 0, 0] } };
    expect(() => buildSceneLayout(bad)).toThrow(/pair 0 \(source 0, quadrant 1\) psfBlend: scene.psfGrids\[1\] is missing/);
    bad.psfGrids = [undefined, { gridNx: 2, gridNy: 1, size: 5, stamps }];
    expect(() => buildSceneLayout(bad)).toThrow(/stamp index 2 outside the 2×1 grid/);
  });

  it('counts non-finite obs with ivar > 0 per quadrant', () => {
    const b = scene();
    b.quadrants[1].obs[3] = Number.NaN;
    b.quadrants[1].obs[4] = Number.POSITIVE_INFINITY;
    b.quadrants[0].obs[9] = Number.NaN;
    const B = buildSceneLayout(b);
    expect(B.nonFiniteObsByQuadrant).toEqual([1, 2]);
    expect(B.nonFiniteObs).toBe(3);
  });
});
