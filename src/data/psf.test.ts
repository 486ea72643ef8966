import { describe, it, expect } from 'vitest';
import { psfGridFromImage, psfAt, stampCentre } from './psf';

// A 3×3 grid of 5×5 stamps whose values encode their grid position, so blends are checkable by hand.
function synthetic(gx = 3, gy = 3, s = 5) {
  const w = gx * s;
  const h = gy * s;
  const data = new Float64Array(w * h);
  for (let iy = 0; iy < gy; iy++)
    for (let ix = 0; ix < gx; ix++)
      for (let y = 0; y < s; y++)
        for (let x = 0; x < s; x++) data[(iy * s + y) * w + ix * s + x] = 1 + ix + 10 * iy + (x === 2 && y === 2 ? 100 : 0);
  const keys: Record<string, number> = { PSFGRIDX: gx, PSFGRIDY: gy, PSFSTAMP: s };
  return { image: { shape: [h, w], data }, header: { get: (k: string) => keys[k] } };
}

describe('PSF grid', () => {
  const { image, header } = synthetic();
  const grid = psfGridFromImage(image, header, [300, 600], 'psf.fits[Q]');

  it('reproduces each stamp (normalised) at its grid centre', () => {
    for (let iy = 0; iy < 3; iy++)
      for (let ix = 0; ix < 3; ix++) {
        const [x, y] = stampCentre(grid, ix, iy);
        const p = psfAt(grid, x, y);
        const raw = 1 + ix + 10 * iy;
        const total = 25 * raw + 100;
        expect(p[12]).toBeCloseTo((raw + 100) / total, 12);
        expect(p[0]).toBeCloseTo(raw / total, 12);
      }
  });

  it('sums to one everywhere, including outside the outer stamp centres', () => {
    for (const [x, y] of [[0, 0], [599, 299], [123.4, 77.7], [-5, 400]]) {
      const p = psfAt(grid, x, y);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });

  it('blends bilinearly halfway between stamps', () => {
    const [x0, y0] = stampCentre(grid, 0, 1);
    const [x1] = stampCentre(grid, 1, 1);
    const p = psfAt(grid, (x0 + x1) / 2, y0);
    // Unnormalised blend of stamps (0,1) and (1,1): corner pixel 0.5·11 + 0.5·12.
    const blend = 0.5 * 11 + 0.5 * 12;
    const total = 25 * blend + 100;
    expect(p[0]).toBeCloseTo(blend / total, 12);
  });

  it('stamp centres follow x_i = nx/(2g) + i·nx/g', () => {
    expect(stampCentre(grid, 0, 0)).toEqual([100, 50]);
    expect(stampCentre(grid, 2, 2)).toEqual([500, 250]);
  });

  it('rejects a mosaic that is not a whole grid, naming the file', () => {
    const bad = { shape: [14, 15], data: new Float64Array(14 * 15) };
    expect(() => psfGridFromImage(bad, header, [300, 600], 'psf.fits[Q]')).toThrow(/psf\.fits\[Q\].*not a 3×3 grid/);
  });
});
