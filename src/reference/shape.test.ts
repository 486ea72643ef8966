import { describe, expect, it } from 'vitest';
import {
  HLR_OVER_R0,
  det2,
  distortionToShear,
  exponentialFt,
  exponentialProfile,
  mul2,
  scaleRadius,
  shapeMatrix,
  shearMatrix,
  transpose2,
  type Mat2,
} from './shape';

// Composite Simpson rule on [a, b] with an even number of intervals.
function simpson(f: (x: number) => number, a: number, b: number, intervals: number): number {
  const h = (b - a) / intervals;
  let s = f(a) + f(b);
  for (let i = 1; i < intervals; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

// Symmetric eigenvalues of a 2×2 symmetric matrix, largest first, and the major-axis angle.
function symEig(m: Mat2): { l1: number; l2: number; angle: number } {
  const tr = m[0] + m[3];
  const d = Math.sqrt(((m[0] - m[3]) / 2) ** 2 + m[1] * m[1]);
  return { l1: tr / 2 + d, l2: tr / 2 - d, angle: 0.5 * Math.atan2(2 * m[1], m[0] - m[3]) };
}

describe('profile', () => {
  it('hlr encloses half the flux of the numerically integrated exponential', () => {
    const hlr = 0.7;
    const r0 = scaleRadius(hlr);
    const ring = (r: number): number => 2 * Math.PI * r * exponentialProfile(r, r0);
    const total = simpson(ring, 0, 60 * r0, 20000);
    const inner = simpson(ring, 0, hlr, 20000);
    expect(total).toBeCloseTo(1, 10);
    expect(inner / total).toBeCloseTo(0.5, 10);
    // and the constant itself solves 1 − (1 + x) e^{−x} = 1/2
    expect(1 - (1 + HLR_OVER_R0) * Math.exp(-HLR_OVER_R0)).toBeCloseTo(0.5, 14);
  });

  it('Ĩ0 is the 2-D Fourier transform of the unit-flux exponential (polar quadrature)', () => {
    const r0 = 0.3;
    const nTheta = 512; // trapezoid in θ: exponentially accurate for the periodic integrand
    for (const q of [0, 1, 3, 7, 15]) {
      // Ĩ0(q) = ∫ r dr ∫ dθ I0(r) e^{−i q r cos θ} (the sine part integrates to zero)
      const radial = (r: number): number => {
        let s = 0;
        for (let t = 0; t < nTheta; t++) s += Math.cos(q * r * Math.cos((2 * Math.PI * t) / nTheta));
        return r * exponentialProfile(r, r0) * (2 * Math.PI * s) / nTheta;
      };
      const got = simpson(radial, 0, 45 * r0, 6000);
      expect(Math.abs(got - exponentialFt(q * q, r0))).toBeLessThan(1e-8);
    }
  });
});

describe('shape matrices', () => {
  it('S(g) has determinant 1 and is symmetric', () => {
    for (const [g1, g2] of [[0, 0], [0.05, -0.02], [0.3, 0.4], [-0.7, 0.1]]) {
      const { S } = shearMatrix(g1, g2);
      expect(det2(S)).toBeCloseTo(1, 14);
      expect(S[1]).toBe(S[2]);
    }
    expect(() => shearMatrix(0.8, 0.6)).toThrow(/\|g\| ≥ 1/);
  });

  it('ε(e) is the reduced shear whose ellipse has distortion e', () => {
    for (const [e1, e2] of [[0.6, 0], [0.2, -0.5], [-0.1, 0.05], [0, 0.9]]) {
      const { eps1, eps2 } = distortionToShear(e1, e2);
      // Image of the unit circle under S(ε): covariance S Sᵀ with eigenvalues a², b².
      const { S } = shearMatrix(eps1, eps2);
      const { l1, l2, angle } = symEig(mul2(S, transpose2(S)));
      const e = (l1 - l2) / (l1 + l2);
      expect(e).toBeCloseTo(Math.hypot(e1, e2), 12);
      // Major axis at half the position angle of e (e1 > 0: along u).
      const want = 0.5 * Math.atan2(e2, e1);
      expect(Math.cos(2 * (angle - want))).toBeCloseTo(1, 12);
    }
    expect(() => distortionToShear(1, 0)).toThrow(/\|e\| ≥ 1/);
  });

  it('e1 > 0 stretches along u, e2 > 0 along the u = v diagonal', () => {
    const a = shapeMatrix(0, 0, 0.4, 0).A;
    expect(Math.abs(a[0])).toBeGreaterThan(Math.abs(a[3]));
    const b = shapeMatrix(0, 0, 0, 0.4).A;
    const cov = mul2(b, transpose2(b));
    expect(cov[1]).toBeGreaterThan(0);
  });

  it('∂A/∂(g1, g2, e1, e2) match central finite differences', () => {
    const p = [0.07, -0.04, 0.45, -0.3];
    const h = 1e-6;
    const s = shapeMatrix(p[0], p[1], p[2], p[3]);
    const analytic = [s.dA_dg1, s.dA_dg2, s.dA_de1, s.dA_de2];
    for (let j = 0; j < 4; j++) {
      const up = [...p];
      const dn = [...p];
      up[j] += h;
      dn[j] -= h;
      const Au = shapeMatrix(up[0], up[1], up[2], up[3]).A;
      const Ad = shapeMatrix(dn[0], dn[1], dn[2], dn[3]).A;
      for (let c = 0; c < 4; c++) {
        expect(Math.abs((Au[c] - Ad[c]) / (2 * h) - analytic[j][c])).toBeLessThan(1e-8);
      }
    }
    // also at e = 0, where ε(e) has its removable singularity
    const z = shapeMatrix(0.01, 0.02, 0, 0);
    const Au = shapeMatrix(0.01, 0.02, h, 0).A;
    const Ad = shapeMatrix(0.01, 0.02, -h, 0).A;
    for (let c = 0; c < 4; c++) expect(Math.abs((Au[c] - Ad[c]) / (2 * h) - z.dA_de1[c])).toBeLessThan(1e-8);
  });
});
