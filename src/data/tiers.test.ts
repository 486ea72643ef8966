import { describe, it, expect } from 'vitest';
import { chooseTier, stampRadiusPx, EXP_RADIUS_1E3 } from './tiers';

describe('stamp tiers', () => {
  it('the 1e-3 radius solves (1+x)e^-x = 1e-3', () => {
    const x = EXP_RADIUS_1E3;
    expect((1 + x) * Math.exp(-x)).toBeCloseTo(1e-3, 12);
  });

  it('picks the smallest power of two whose half-width holds the radius', () => {
    expect(chooseTier(10)).toBe(32);
    expect(chooseTier(16)).toBe(32);
    expect(chooseTier(16.01)).toBe(64);
    expect(chooseTier(200)).toBe(512);
    expect(chooseTier(1e4)).toBe(512);
  });

  it('stars need only the PSF; big or elongated galaxies need more', () => {
    const base = { hlr: 0.3, e: 0, pixelScale: 0.1, psfSize: 21 };
    expect(chooseTier(stampRadiusPx({ ...base, kind: 'star' }))).toBe(32);
    const round = stampRadiusPx({ ...base, kind: 'galaxy' });
    const flat = stampRadiusPx({ ...base, kind: 'galaxy', e: 0.7 });
    expect(flat).toBeGreaterThan(round);
    expect(chooseTier(stampRadiusPx({ ...base, kind: 'galaxy', hlr: 2 }))).toBe(512);
  });
});
