import { describe, it, expect } from 'vitest';
import { computeLimits, quantile, symmetric } from './limits';
import { colourLut, LUT_SIZE } from './colormaps';
import { fitView, imageToScreen, screenToImage, zoomAbout } from './view-math';

// Deterministic Gaussian noise (Box–Muller on an LCG) plus a few bright "stars".
function noisyImage(n: number, sigma: number, level: number): Float32Array {
  let s = 12345;
  const u = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = level + sigma * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  for (let i = 0; i < n; i += 997) a[i] += 1000;
  return a;
}

describe('display limits', () => {
  it('min/max ignores NaN', () => {
    expect(computeLimits(Float32Array.from([3, NaN, -2, 7]), 'minmax')).toEqual({ lo: -2, hi: 7 });
  });
  it('percentiles bracket the noise and exclude the stars', () => {
    const img = noisyImage(100_000, 2, 10);
    const l = computeLimits(img, 'p99');
    // Two-sided 1 % tails of N(10, 2): 10 ∓ 2.326·2 (stars are 0.1 % of pixels, outside the 99 %).
    expect(l.lo).toBeCloseTo(10 - 2.326 * 2, 0);
    expect(l.hi).toBeCloseTo(10 + 2.326 * 2, 0);
    expect(computeLimits(img, 'p99.9').hi).toBeGreaterThan(l.hi);
  });
  it('zscale gives a range of a few σ around the sky, not the stars', () => {
    const l = computeLimits(noisyImage(100_000, 2, 10), 'zscale');
    expect(l.lo).toBeLessThan(10);
    expect(l.hi).toBeGreaterThan(10);
    expect(l.hi - l.lo).toBeGreaterThan(4);
    expect(l.hi - l.lo).toBeLessThan(60);
  });
  it('a flat image gets a non-empty range', () => {
    const l = computeLimits(new Float32Array(100).fill(5), 'zscale');
    expect(l.hi).toBeGreaterThan(l.lo);
  });
  it('quantile interpolates and symmetric centres on 0', () => {
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    expect(symmetric({ lo: -1, hi: 3 })).toEqual({ lo: -3, hi: 3 });
  });
});

describe('colour maps and view maths', () => {
  it('LUTs run from dark to light (grey, viridis) and through white (diverging)', () => {
    const g = colourLut('grey');
    expect(g.length).toBe(LUT_SIZE * 4);
    expect([g[0], g[1], g[2]]).toEqual([0, 0, 0]);
    expect([g[1020], g[1021], g[1022]]).toEqual([255, 255, 255]);
    const lum = (l: Uint8Array, i: number) => 0.3 * l[i * 4] + 0.59 * l[i * 4 + 1] + 0.11 * l[i * 4 + 2];
    const v = colourLut('viridis');
    for (let i = 8; i < LUT_SIZE; i += 8) expect(lum(v, i)).toBeGreaterThan(lum(v, i - 8));
    const d = colourLut('diverging');
    expect(lum(d, 128)).toBeGreaterThan(240);
  });
  it('screen and image coordinates invert each other; zoom keeps the cursor point fixed', () => {
    const s = { w: 400, h: 300 };
    const v = { cx: 100, cy: 50, zoom: 2 };
    const [x, y] = screenToImage(v, s, 321, 17);
    const [sx, sy] = imageToScreen(v, s, x, y);
    expect(sx).toBeCloseTo(321, 9);
    expect(sy).toBeCloseTo(17, 9);
    const z = zoomAbout(v, s, 321, 17, 1.7);
    const [x2, y2] = screenToImage(z, s, 321, 17);
    expect(x2).toBeCloseTo(x, 9);
    expect(y2).toBeCloseTo(y, 9);
    expect(fitView(512, 517, s)).toEqual({ cx: 255.5, cy: 258, zoom: 300 / 517 });
  });
});
