// The WCS itself: pixel → [SIP] → CD → [TPV] → TAN deprojection → rotation to the sky,
// exact in that direction; the inverse inverts each step, with Newton iterations for the
// polynomial distortions; the Jacobian is analytic through the whole chain.
import { evalSip, evalTpv, type SipPoly } from './poly';
import {
  ARCSEC_PER_RAD,
  dot3,
  mulMat3,
  mulMat3T,
  nativeToCelestialMatrix,
  nativeToTan,
  skyToVec,
  tanToNative,
  tanToNativeDerivs,
  vecToSky,
  westNorth,
  type Mat3,
  type Vec3,
} from './sphere';
import type { Wcs, WcsKind, WcsParams } from './types';

type M2 = [number, number, number, number]; // row-major 2×2

function inv2(m: M2): M2 {
  const det = m[0] * m[3] - m[1] * m[2];
  return [m[3] / det, -m[1] / det, -m[2] / det, m[0] / det];
}
function mul2(a: M2, b: M2): M2 {
  return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]];
}

function sipPoly(terms: Array<[number, number, number]>): SipPoly {
  return {
    p: Int32Array.from(terms.map((t) => t[0])),
    q: Int32Array.from(terms.map((t) => t[1])),
    c: Float64Array.from(terms.map((t) => t[2])),
  };
}

/** Newton stops once a step is below this (pixels); results are accepted below ACCEPT_PX. */
const STEP_PX = 1e-11;
const ACCEPT_PX = 1e-9;
const MAX_ITER = 50;

class WcsImpl implements Wcs {
  readonly kind: WcsKind;
  private readonly crpix: [number, number];
  private readonly cd: M2;
  private readonly cdInv: M2;
  private readonly rot: Mat3;
  private readonly pv1?: Float64Array;
  private readonly pv2?: Float64Array;
  private readonly tpvLinInv?: M2;
  private readonly sipA?: SipPoly;
  private readonly sipB?: SipPoly;
  private readonly sipAP?: SipPoly;
  private readonly sipBP?: SipPoly;

  constructor(p: WcsParams) {
    this.kind = p.kind;
    this.crpix = [p.crpix[0], p.crpix[1]];
    this.cd = [p.cd[0][0], p.cd[0][1], p.cd[1][0], p.cd[1][1]];
    this.cdInv = inv2(this.cd);
    // Zenithal: the native pole is the reference point, so (αp, δp) = (CRVAL1, CRVAL2).
    this.rot = nativeToCelestialMatrix(p.crval[0], p.crval[1], p.lonpole);
    if (p.kind === 'TPV') {
      this.pv1 = Float64Array.from(p.pv1 ?? []);
      this.pv2 = Float64Array.from(p.pv2 ?? []);
      // ξ' ≈ PV1_0 + PV1_1 ξ + PV1_2 η, η' ≈ PV2_0 + PV2_2 ξ + PV2_1 η: the Newton start.
      this.tpvLinInv = inv2([this.pv1[1], this.pv1[2], this.pv2[2], this.pv2[1]]);
    }
    if (p.kind === 'TAN-SIP' && p.sip) {
      this.sipA = sipPoly(p.sip.a);
      this.sipB = sipPoly(p.sip.b);
      if (p.sip.ap && p.sip.bp) {
        this.sipAP = sipPoly(p.sip.ap);
        this.sipBP = sipPoly(p.sip.bp);
      }
    }
  }

  /** Intermediate world coordinates (degrees, after any distortion) and d(X, Y)/d(x, y). */
  private pixToIwc(x: number, y: number): { X: number; Y: number; J: M2 } {
    let u = x + 1 - this.crpix[0];
    let v = y + 1 - this.crpix[1];
    let J: M2 = [1, 0, 0, 1];
    if (this.sipA && this.sipB) {
      const [f, fu, fv] = evalSip(this.sipA, u, v);
      const [g, gu, gv] = evalSip(this.sipB, u, v);
      J = [1 + fu, fv, gu, 1 + gv];
      u += f;
      v += g;
    }
    const cd = this.cd;
    let X = cd[0] * u + cd[1] * v;
    let Y = cd[2] * u + cd[3] * v;
    J = mul2(cd, J);
    if (this.pv1 && this.pv2) {
      const [f, fx, fy] = evalTpv(this.pv1, X, Y);
      const [g, gy, gx] = evalTpv(this.pv2, Y, X);
      J = mul2([fx, fy, gx, gy], J);
      X = f;
      Y = g;
    }
    return { X, Y, J };
  }

  pixToSky(x: number, y: number): [number, number] {
    const { X, Y } = this.pixToIwc(x, y);
    return vecToSky(mulMat3(this.rot, tanToNative(X, Y)));
  }

  jacobian(x: number, y: number): [number, number, number, number] {
    const { X, Y, J } = this.pixToIwc(x, y);
    const n = tanToNative(X, Y);
    const [ra, dec] = vecToSky(mulMat3(this.rot, n));
    const [dX, dY] = tanToNativeDerivs(X, Y);
    const dnx: Vec3 = [dX[0] * J[0] + dY[0] * J[2], dX[1] * J[0] + dY[1] * J[2], dX[2] * J[0] + dY[2] * J[2]];
    const dny: Vec3 = [dX[0] * J[1] + dY[0] * J[3], dX[1] * J[1] + dY[1] * J[3], dX[2] * J[1] + dY[2] * J[3]];
    const dSx = mulMat3(this.rot, dnx); // radians per pixel along x
    const dSy = mulMat3(this.rot, dny);
    const [w, nn] = westNorth(ra, dec);
    return [
      dot3(w, dSx) * ARCSEC_PER_RAD,
      dot3(w, dSy) * ARCSEC_PER_RAD,
      dot3(nn, dSx) * ARCSEC_PER_RAD,
      dot3(nn, dSy) * ARCSEC_PER_RAD,
    ];
  }

  skyToPix(ra: number, dec: number): [number, number] {
    const xy = nativeToTan(mulMat3T(this.rot, skyToVec(ra, dec)));
    if (!xy) return [NaN, NaN];
    let [X, Y] = xy;
    const ci = this.cdInv;
    if (this.pv1 && this.pv2 && this.tpvLinInv) {
      const sol = this.invertTpv(X, Y);
      if (!sol) return [NaN, NaN];
      [X, Y] = sol;
    }
    let u = ci[0] * X + ci[1] * Y;
    let v = ci[2] * X + ci[3] * Y;
    if (this.sipA && this.sipB) {
      const sol = this.invertSip(u, v);
      if (!sol) return [NaN, NaN];
      [u, v] = sol;
    }
    return [u + this.crpix[0] - 1, v + this.crpix[1] - 1];
  }

  /** Solve TPV(ξ, η) = (X, Y); convergence is measured in pixels through CD⁻¹. */
  private invertTpv(X: number, Y: number): [number, number] | null {
    const pv1 = this.pv1!;
    const pv2 = this.pv2!;
    const L = this.tpvLinInv!;
    const ci = this.cdInv;
    const bx = X - pv1[0];
    const by = Y - pv2[0];
    let xi = L[0] * bx + L[1] * by;
    let eta = L[2] * bx + L[3] * by;
    let stepPx = Infinity;
    for (let it = 0; it < MAX_ITER && stepPx > STEP_PX; it++) {
      const [f, fx, fy] = evalTpv(pv1, xi, eta);
      const [g, gy, gx] = evalTpv(pv2, eta, xi);
      const Ji = inv2([fx, fy, gx, gy]);
      const rx = f - X;
      const ry = g - Y;
      const sx = Ji[0] * rx + Ji[1] * ry;
      const sy = Ji[2] * rx + Ji[3] * ry;
      xi -= sx;
      eta -= sy;
      stepPx = Math.hypot(ci[0] * sx + ci[1] * sy, ci[2] * sx + ci[3] * sy);
    }
    return Number.isFinite(xi) && Number.isFinite(eta) && stepPx < ACCEPT_PX ? [xi, eta] : null;
  }

  /** Solve (u + A(u, v), v + B(u, v)) = (U, V), starting from AP/BP when present. */
  private invertSip(U: number, V: number): [number, number] | null {
    const A = this.sipA!;
    const B = this.sipB!;
    let u = U;
    let v = V;
    if (this.sipAP && this.sipBP) {
      u = U + evalSip(this.sipAP, U, V)[0];
      v = V + evalSip(this.sipBP, U, V)[0];
    }
    let step = Infinity;
    for (let it = 0; it < MAX_ITER && step > STEP_PX; it++) {
      const [f, fu, fv] = evalSip(A, u, v);
      const [g, gu, gv] = evalSip(B, u, v);
      const Ji = inv2([1 + fu, fv, gu, 1 + gv]);
      const rx = u + f - U;
      const ry = v + g - V;
      const su = Ji[0] * rx + Ji[1] * ry;
      const sv = Ji[2] * rx + Ji[3] * ry;
      u -= su;
      v -= sv;
      step = Math.hypot(su, sv);
    }
    return Number.isFinite(u) && Number.isFinite(v) && step < ACCEPT_PX ? [u, v] : null;
  }
}

/** A WCS from already-parsed parameters (the simulator builds these directly). */
export function wcsFromParams(p: WcsParams): Wcs {
  return new WcsImpl(p);
}
