// Galaxy profile and shape matrices of DESIGN §2 (float64 reference).
//
// Frames: sky tangent plane (u, v) in arcsec, u = −ΔRA·cos(Dec) (West), v = ΔDec (North).
// Matrices are 2×2, row-major tuples [m00, m01, m10, m11] = [[m00, m01], [m10, m11]].
//
// Profile: exponential, unit flux, scale radius r0 = hlr / 1.6783469900166605 (the
// half-light radius of exp(−r/r0) in units of r0), real space
//     I0(w) = exp(−|w|/r0) / (2π r0²),
// Fourier transform (convention Ĩ(q) = ∫ I(w) e^{−i q·w} d²w, q in rad/arcsec)
//     Ĩ0(q) = (1 + |q|² r0²)^(−3/2).
//
// Shape: intrinsic distortion e = (e1, e2), |e| = (a² − b²)/(a² + b²), converted to its
// reduced-shear equivalent ε (same direction, |ε| = |e| / (1 + sqrt(1 − |e|²)) =
// (a − b)/(a + b)), then sheared by the reduced shear g:
//     S(g) = (1 − |g|²)^(−1/2) · [[1 + g1, g2], [g2, 1 − g1]]   (det S = 1)
//     A    = S(g) · S(ε)
// The sheared profile is I(w) = I0(A⁻¹ w), so Ĩ(q) = Ĩ0(Aᵀ q) (det A = 1: flux unchanged).
// With these signs e1 > 0 (or g1 > 0) stretches along u, e2 > 0 along u = v.

export type Mat2 = readonly [number, number, number, number];

/** hlr / r0 for the exponential profile: the root of 1 − (1 + x) e^{−x} = 1/2. */
export const HLR_OVER_R0 = 1.6783469900166605;

export function scaleRadius(hlr: number): number {
  return hlr / HLR_OVER_R0;
}

/** Unit-flux exponential surface brightness at radius r (arcsec) for scale radius r0. */
export function exponentialProfile(r: number, r0: number): number {
  return Math.exp(-r / r0) / (2 * Math.PI * r0 * r0);
}

/** Ĩ0 at |q|² (rad²/arcsec²) for scale radius r0: (1 + |q|² r0²)^(−3/2). */
export function exponentialFt(q2: number, r0: number): number {
  const x = 1 + q2 * r0 * r0;
  return 1 / (x * Math.sqrt(x));
}

export function mul2(a: Mat2, b: Mat2): Mat2 {
  return [
    a[0] * b[0] + a[1] * b[2],
    a[0] * b[1] + a[1] * b[3],
    a[2] * b[0] + a[3] * b[2],
    a[2] * b[1] + a[3] * b[3],
  ];
}

export function det2(m: Mat2): number {
  return m[0] * m[3] - m[1] * m[2];
}

export function inv2(m: Mat2): Mat2 {
  const d = det2(m);
  if (!(Number.isFinite(d) && d !== 0)) throw new RangeError(`singular 2×2 matrix [${m.join(', ')}]`);
  return [m[3] / d, -m[1] / d, -m[2] / d, m[0] / d];
}

export function transpose2(m: Mat2): Mat2 {
  return [m[0], m[2], m[1], m[3]];
}

export interface ShearMatrix {
  S: Mat2;
  /** ∂S/∂g1, ∂S/∂g2 */
  dS1: Mat2;
  dS2: Mat2;
}

/** S(g) and its derivatives. Throws for |g| ≥ 1 (no such reduced shear). */
export function shearMatrix(g1: number, g2: number): ShearMatrix {
  const g2sum = g1 * g1 + g2 * g2;
  if (!(g2sum < 1)) throw new RangeError(`shear (${g1}, ${g2}) has |g| ≥ 1 or is not finite`);
  const c = 1 / Math.sqrt(1 - g2sum);
  const c3 = c * c * c;
  const B: Mat2 = [1 + g1, g2, g2, 1 - g1];
  // S = c·B, ∂c/∂g_i = g_i c³, ∂B/∂g1 = diag(1, −1), ∂B/∂g2 = [[0, 1], [1, 0]].
  return {
    S: [c * B[0], c * B[1], c * B[2], c * B[3]],
    dS1: [g1 * c3 * B[0] + c, g1 * c3 * B[1], g1 * c3 * B[2], g1 * c3 * B[3] - c],
    dS2: [g2 * c3 * B[0], g2 * c3 * B[1] + c, g2 * c3 * B[2] + c, g2 * c3 * B[3]],
  };
}

export interface DistortionShear {
  eps1: number;
  eps2: number;
  /** ∂ε_i/∂e_j as a row-major matrix [∂ε1/∂e1, ∂ε1/∂e2, ∂ε2/∂e1, ∂ε2/∂e2]. */
  jac: Mat2;
}

/** Reduced-shear equivalent ε of a distortion e, with its Jacobian. Throws for |e| ≥ 1. */
export function distortionToShear(e1: number, e2: number): DistortionShear {
  const t2 = e1 * e1 + e2 * e2;
  if (!(t2 < 1)) throw new RangeError(`distortion (${e1}, ${e2}) has |e| ≥ 1 or is not finite`);
  const s = Math.sqrt(1 - t2);
  const f = 1 / (1 + s);
  // ε = f(|e|)·e with f(t) = 1/(1 + sqrt(1 − t²)); f'(t)/t = 1/(s (1 + s)²), regular at e = 0.
  const h = 1 / (s * (1 + s) * (1 + s));
  return {
    eps1: f * e1,
    eps2: f * e2,
    jac: [f + h * e1 * e1, h * e1 * e2, h * e2 * e1, f + h * e2 * e2],
  };
}

export interface ShapeMatrix {
  A: Mat2;
  dA_dg1: Mat2;
  dA_dg2: Mat2;
  dA_de1: Mat2;
  dA_de2: Mat2;
}

function lin(a: number, x: Mat2, b: number, y: Mat2): Mat2 {
  return [a * x[0] + b * y[0], a * x[1] + b * y[1], a * x[2] + b * y[2], a * x[3] + b * y[3]];
}

/** A = S(g)·S(ε(e)) and its derivatives with respect to g1, g2, e1, e2. */
export function shapeMatrix(g1: number, g2: number, e1: number, e2: number): ShapeMatrix {
  const sg = shearMatrix(g1, g2);
  const d = distortionToShear(e1, e2);
  const se = shearMatrix(d.eps1, d.eps2);
  // ∂S(ε)/∂e_j = Σ_i ∂S/∂ε_i · ∂ε_i/∂e_j
  const dSe_de1 = lin(d.jac[0], se.dS1, d.jac[2], se.dS2);
  const dSe_de2 = lin(d.jac[1], se.dS1, d.jac[3], se.dS2);
  return {
    A: mul2(sg.S, se.S),
    dA_dg1: mul2(sg.dS1, se.S),
    dA_dg2: mul2(sg.dS2, se.S),
    dA_de1: mul2(sg.S, dSe_de1),
    dA_de2: mul2(sg.S, dSe_de2),
  };
}

/**
 * v·(∂Aᵀ/∂θ q) = Σ_a v_a Σ_b (∂A)_{ba} q_b, with v = Aᵀq: the chain-rule factor of ∂|Aᵀq|²/∂θ
 * shared by the gradient and the Fisher derivative stamps.
 */
export function vDAtq(vu: number, vv: number, dA: Mat2, qu: number, qv: number): number {
  return vu * (dA[0] * qu + dA[2] * qv) + vv * (dA[1] * qu + dA[3] * qv);
}
