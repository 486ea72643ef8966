// The unconstrained map: round trips, bounds, and J·v / Jᵀ·g against central finite differences.
import { describe, expect, it } from 'vitest';
import { DISK_BOUND, defaultScales, fromUnconstrained, layoutFromKinds, pullbackGradient, pushforward, toUnconstrained } from './transform';

const layout = layoutFromKinds(['galaxy', 'star', 'galaxy']);
const params = Float64Array.from([
  0.04, -0.03,
  5.2, 0.32, 0.35, -0.2, 0.02, -0.01,
  4.1, 0.01, -0.02,
  2.8, 0.22, -0.3, 0.52, -0.015, 0.03,
]);

function fdJacobianColumn(x: Float64Array, j: number, h: number): Float64Array {
  const up = Float64Array.from(x);
  const dn = Float64Array.from(x);
  up[j] += h;
  dn[j] -= h;
  const a = fromUnconstrained(layout, up);
  const b = fromUnconstrained(layout, dn);
  return Float64Array.from(a, (v, i) => (v - b[i]) / (2 * h));
}

describe('unconstrained parameterisation', () => {
  it('layout roles follow the scene parameter vector', () => {
    expect(layout.n).toBe(params.length);
    expect(layout.roles.slice(0, 8)).toEqual(['g1', 'g2', 'flux', 'hlr', 'e1', 'e2', 'dx', 'dy']);
    expect(layout.roles.slice(8, 11)).toEqual(['flux', 'dx', 'dy']);
    expect(Array.from(layout.sourceOffsets)).toEqual([2, 8, 11]);
  });

  it('round trip natural → x → natural to 1e-15', () => {
    const back = fromUnconstrained(layout, toUnconstrained(layout, params));
    for (let i = 0; i < params.length; i++) expect(Math.abs(back[i] - params[i])).toBeLessThan(1e-15 * Math.max(1, Math.abs(params[i])));
  });

  it('e and g at 0 and near 0 map smoothly (series branch) and round-trip', () => {
    for (const e of [0, 1e-9, 3e-3, 9.99e-3, 1.001e-2, 0.5, 0.95]) {
      const p = Float64Array.from(params);
      p[4] = e * 0.6;
      p[5] = -e * 0.8;
      p[0] = e * 0.8;
      p[1] = e * 0.6;
      const back = fromUnconstrained(layout, toUnconstrained(layout, p));
      for (const i of [0, 1, 4, 5]) expect(Math.abs(back[i] - p[i])).toBeLessThan(1e-15);
    }
  });

  it('bounded: |e|, |g| < 1 and flux, hlr > 0 for any x, even huge', () => {
    for (const big of [1e3, -1e3, 40, 1e300]) {
      const x = new Float64Array(layout.n).fill(big);
      const p = fromUnconstrained(layout, x);
      expect(Math.hypot(p[0], p[1])).toBeLessThan(1);
      expect(Math.hypot(p[4], p[5])).toBeLessThan(1);
      expect(Math.hypot(p[4], p[5])).toBeLessThan(1 - 0.5 * (1 - DISK_BOUND)); // margin for the model's 1 − |e|²
      expect(p[2]).toBeGreaterThan(0);
      expect(p[3]).toBeGreaterThan(0);
      expect(Number.isFinite(p[2])).toBe(true);
    }
  });

  it('rejects values outside the domain with a clear message', () => {
    const p = Float64Array.from(params);
    p[4] = 0.9;
    p[5] = 0.5;
    expect(() => toUnconstrained(layout, p)).toThrow(/parameters 4, 5 \(e1, e2\).*outside the unit disk/);
    const q = Float64Array.from(params);
    q[8] = -1;
    expect(() => toUnconstrained(layout, q)).toThrow(/parameter 8 \(flux\) = -1 must be > 0/);
    expect(() => toUnconstrained(layout, params.subarray(1))).toThrow(/16 values, the layout needs 17/);
  });

  for (const [label, scale] of [['typical point', 1], ['near 0 (series branch)', 1e-3], ['large |t|', 30]] as const) {
    it(`J·v and Jᵀ·g match central finite differences (${label})`, () => {
      const x = toUnconstrained(layout, params);
      // move the disk coordinates to the regime under test
      for (const i of [0, 1, 4, 5, 13, 14]) x[i] = x[i] * scale + (scale === 30 ? 0.3 : 0);
      const h = 1e-6;
      const J: Float64Array[] = [];
      for (let j = 0; j < layout.n; j++) J.push(fdJacobianColumn(x, j, h));
      const v = Float64Array.from({ length: layout.n }, (_, i) => Math.sin(1.3 * i + 0.2));
      const jv = pushforward(layout, x, v);
      const jtv = pullbackGradient(layout, x, v);
      let worst = 0;
      for (let i = 0; i < layout.n; i++) {
        let fdJv = 0;
        let fdJtv = 0;
        for (let j = 0; j < layout.n; j++) {
          fdJv += J[j][i] * v[j];
          fdJtv += J[i][j] * v[j];
        }
        worst = Math.max(worst, Math.abs(fdJv - jv[i]), Math.abs(fdJtv - jtv[i]));
      }
      expect(worst).toBeLessThan(1e-8);
    });
  }

  it('default scales per role, with overrides and validation', () => {
    const s = defaultScales(layout, { dx: 0.01 });
    expect(s[6]).toBe(0.01);
    expect(s[0]).toBe(0.01);
    expect(() => defaultScales(layout, { hlr: 0 })).toThrow(/scale for hlr/);
  });
});
