// The PSF blend handed to the engine reproduces psf.ts psfAt (the PSF the reference uses).
import { describe, expect, it } from 'vitest';
import { psfAt, type PsfGrid } from './psf';
import { psfBlendAt } from './scene';

function grid(gridNx: number, gridNy: number, size: number): PsfGrid {
  const stamps = new Float64Array(gridNx * gridNy * size * size);
  let seed = 3;
  for (let i = 0; i < stamps.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    stamps[i] = 0.1 + seed / 2 ** 32; // positive, different sums per stamp
  }
  return { gridNx, gridNy, size, quadNx: 2048, quadNy: 2066, stamps, context: 'test' };
}

function blended(g: PsfGrid, x: number, y: number): Float64Array {
  const b = psfBlendAt(g, x, y);
  const s2 = g.size * g.size;
  const out = new Float64Array(s2);
  for (let k = 0; k < 4; k++) {
    expect(b.stamps[k]).toBeGreaterThanOrEqual(0);
    expect(b.stamps[k]).toBeLessThan(g.gridNx * g.gridNy);
    for (let i = 0; i < s2; i++) out[i] += b.weights[k] * g.stamps[b.stamps[k] * s2 + i];
  }
  const sum = out.reduce((a, v) => a + v, 0);
  return out.map((v) => v / sum);
}

describe('psfBlendAt', () => {
  it('normalised blend equals psfAt inside, at the edges and beyond the outer stamp centres', () => {
    for (const g of [grid(9, 9, 5), grid(1, 3, 3), grid(4, 1, 3)]) {
      for (const [x, y] of [[1000.3, 700.8], [0, 0], [-5, 2100], [2047, 1], [113.7, 114.8], [1500, 2065]]) {
        const want = psfAt(g, x, y);
        const got = blended(g, x, y);
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-15);
      }
    }
  });
});
