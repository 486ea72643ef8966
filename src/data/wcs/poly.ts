// The two polynomial distortions: TPV (in intermediate world coordinates, degrees) and
// SIP (in pixel offsets from CRPIX). Each evaluates value and gradient together.

/** One TPV term: x^px · y^py, or r^r (r = hypot(x, y)) when r > 0. */
export interface TpvTerm {
  px: number;
  py: number;
  r: number;
}

/**
 * TPV term order (SCAMP / IRAF TPV convention): per degree d = 0…7 the monomials
 * x^d, x^(d−1)y, …, y^d, followed by r^d for odd d. That gives indices 3, 11, 23, 39 for r,
 * r³, r⁵, r⁷ and 40 terms in all.
 */
export const TPV_TERMS: readonly TpvTerm[] = (() => {
  const t: TpvTerm[] = [];
  for (let d = 0; d <= 7; d++) {
    for (let py = 0; py <= d; py++) t.push({ px: d - py, py, r: 0 });
    if (d % 2 === 1) t.push({ px: 0, py: 0, r: d });
  }
  return t;
})();

export const TPV_NTERMS = TPV_TERMS.length; // 40

/**
 * Σ c_k term_k(x, y) and its partial derivatives. For the second TPV axis the caller
 * passes (η, ξ): PV2 coefficients multiply the same terms with the roles of ξ and η swapped.
 */
export function evalTpv(c: Float64Array, x: number, y: number): [number, number, number] {
  const xp = [1, x, x * x, 0, 0, 0, 0, 0];
  const yp = [1, y, y * y, 0, 0, 0, 0, 0];
  for (let i = 3; i <= 7; i++) {
    xp[i] = xp[i - 1] * x;
    yp[i] = yp[i - 1] * y;
  }
  const r = Math.hypot(x, y);
  let f = 0;
  let fx = 0;
  let fy = 0;
  for (let k = 0; k < c.length; k++) {
    const ck = c[k];
    if (ck === 0) continue;
    const t = TPV_TERMS[k];
    if (t.r > 0) {
      // d(r^p)/dx = p r^(p−2) x; for p = 1 at r = 0 the gradient is undefined, use 0.
      const p = t.r;
      f += ck * r ** p;
      if (r > 0) {
        const g = p * r ** (p - 2);
        fx += ck * g * x;
        fy += ck * g * y;
      }
    } else {
      f += ck * xp[t.px] * yp[t.py];
      if (t.px > 0) fx += ck * t.px * xp[t.px - 1] * yp[t.py];
      if (t.py > 0) fy += ck * t.py * xp[t.px] * yp[t.py - 1];
    }
  }
  return [f, fx, fy];
}

/** A SIP polynomial Σ c u^p v^q. */
export interface SipPoly {
  p: Int32Array;
  q: Int32Array;
  c: Float64Array;
}

export function evalSip(poly: SipPoly, u: number, v: number): [number, number, number] {
  let f = 0;
  let fu = 0;
  let fv = 0;
  for (let k = 0; k < poly.c.length; k++) {
    const p = poly.p[k];
    const q = poly.q[k];
    const c = poly.c[k];
    const up = u ** p;
    const vq = v ** q;
    f += c * up * vq;
    if (p > 0) fu += c * p * u ** (p - 1) * vq;
    if (q > 0) fv += c * q * up * v ** (q - 1);
  }
  return [f, fu, fv];
}
