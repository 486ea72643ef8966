// Packing of a Scene for the GPU: tier/quadrant batches, tile gather lists against a
// brute-force footprint test, source lists, wrapped PSF stamps, masked pixels, errors.
import { describe, expect, it } from 'vitest';
import { buildSceneLayout, TILE, PAIR_STATIC_BYTES } from './scene-layout';
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
    expect(L.tiers[1].stampBase).toBe(4 * 32 * 32);
    expect(L.tiers[1].specBase).toBe(4 * 32 * 17);
    expect(L.nParams).toBe(2 + 6 + 3 + 6);
  });

  it('lists, for every tile, exactly the pairs touching it, in scene order', () => {
    const dv = new DataView(L.pairStatic);
    let t = 0;
    sc.quadrants.forEach((q, k) => {
      for (let ty = 0; ty < Math.ceil(q.ny / TILE); ty++) {
        for (let tx = 0; tx < Math.ceil(q.nx / TILE); tx++, t++) {
          const w = L.layout.subarray(L.tileBase + 4 * t, L.tileBase + 4 * t + 8);
          expect([w[0], w[1], w[2]]).toEqual([k, tx * TILE, ty * TILE]);
          const listed = Array.from(L.layout.subarray(L.tileListBase + w[3], L.tileListBase + w[7]), (e) => L.sceneIndex[e]);
          const expected = sc.pairs.flatMap((p, s) => {
            if (p.quadrant !== k) return [];
            const x0 = Math.max(p.x0, tx * TILE, 0);
            const x1 = Math.min(p.x0 + p.n, (tx + 1) * TILE, q.nx);
            const y0 = Math.max(p.y0, ty * TILE, 0);
            const y1 = Math.min(p.y0 + p.n, (ty + 1) * TILE, q.ny);
            return x0 < x1 && y0 < y1 ? [s] : [];
          });
          expect(listed).toEqual(expected);
        }
      }
    });
    expect(t).toBe(L.nTiles);
    // the pair table agrees with the scene
    for (let e = 0; e < L.nPairs; e++) {
      const p = sc.pairs[L.sceneIndex[e]];
      expect([dv.getUint32(e * PAIR_STATIC_BYTES + 12, true), dv.getInt32(e * PAIR_STATIC_BYTES + 20, true)]).toEqual([p.quadrant, p.x0]);
    }
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
    const st = L.psfStamps.subarray(0, n * n);
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
});
