// Real-space renderer of the simulator, written independently of the engine's Fourier renderer.
//
// Method. The unit-flux exponential profile is an exact Gaussian scale mixture:
//   exp(−r/r0)/(2π r0²) = ∫ (2/√π) τ^(1/2) e^(−τ) N(r; 2 r0² τ) dτ   (τ ~ Gamma(3/2)),
// so the galaxy, sheared by A = S(g)·S(ε) (covariances 2 r0² τ · A Aᵀ in (u West, v North) arcsec),
// convolved with the Gaussian-mixture PSF is a continuous mixture of Gaussians in closed form. The τ
// integral is done by the trapezoid rule in s = ln τ (exponentially convergent for this analytic,
// rapidly decaying integrand). Every component is at least as wide as the PSF core, so the result is
// smooth; it is integrated over each pixel box by n×n Gauss–Legendre points ("oversampling n") and
// the value is the pixel's integral (= effective-PSF convolution sampled at the pixel centre).
// Each quadrature point is mapped through the full TPV WCS (pixel → distorted tangent plane at CRVAL
// → tangent plane at the source by the exact projective map); only the PSF's pixel→sky mapping and
// the area element |det J| use the local Jacobian at the source (they vary by < 1e-5 over a stamp).
import { type GaussComp, type GaussEval, distortionToShear, gaussLegendre, matMul, shearMatrix, toEval } from './gauss';
import { ARCSEC_PER_RAD, type SimTpv, planeToPlane } from './tpv';

export const EXP_HLR_OVER_R0 = 1.6783469900166605;

export interface RenderSource {
  ra: number;
  dec: number;
  /** Total flux in ADU on this quadrant. */
  fluxAdu: number;
  /** Point source (the PSF alone) when true; then hlr/e are ignored. */
  star: boolean;
  hlr: number; // arcsec
  e1: number; // intrinsic distortion
  e2: number;
}

export interface RenderOptions {
  g1: number;
  g2: number;
  /** Gauss–Legendre points per pixel axis. */
  oversample: number;
  /** Step of the trapezoid rule in ln τ. */
  tauStep?: number;
  /** Largest stamp half-size in pixels. */
  maxRadius?: number;
  /** Enclosed-flux deficit the stamp radius is chosen for. */
  fluxTail?: number;
}

export interface Stamp {
  x0: number; // 0-based pixel of data[0]
  y0: number;
  nx: number;
  ny: number;
  data: Float64Array; // ADU per pixel
  /** 0-based pixel position of the source centre. */
  xc: number;
  yc: number;
}

/** Quadrature of the exponential's scale mixture: variances in units of r0² and weights (sum 1). */
export function exponentialMixture(tauStep = 0.5): { v: Float64Array; w: Float64Array } {
  const v: number[] = [];
  const w: number[] = [];
  let sum = 0;
  for (let s = -14; s <= 4; s += tauStep) {
    const t = Math.exp(s);
    const wt = (2 / Math.sqrt(Math.PI)) * t * Math.sqrt(t) * Math.exp(-t) * tauStep;
    if (wt < 1e-13) continue;
    v.push(2 * t);
    w.push(wt);
    sum += wt;
  }
  // The trapezoid sum equals 1 to ~1e-12; normalising makes the flux exact by construction.
  return { v: Float64Array.from(v), w: Float64Array.from(w.map((x) => x / sum)) };
}

/** Stamp half-size (pixels) such that the flux outside is below `tail` of the total. */
function stampRadius(src: RenderSource, smax: number, psf: GaussComp[], pixScale: number, tail: number, maxR: number): number {
  // PSF: radius of the widest component containing all but `tail` of its flux (2-D Gaussian: e^{-r²/2σ²}).
  let sPsf = 0;
  for (const c of psf) sPsf = Math.max(sPsf, Math.sqrt(Math.max(c.xx, c.yy)));
  const rPsf = sPsf * pixScale * Math.sqrt(2 * Math.log(1 / tail));
  let rGal = 0;
  if (!src.star) {
    // Exponential: flux outside x scale lengths = (1 + x) e^{−x}; solve (1 + x) e^{−x} = tail.
    let x = Math.log(1 / tail);
    for (let i = 0; i < 20; i++) x = Math.log((1 + x) / tail);
    rGal = (src.hlr / EXP_HLR_OVER_R0) * smax * x;
  }
  return Math.min(Math.ceil((rGal + rPsf) / pixScale) + 1, maxR);
}

/**
 * Renders one source on one quadrant. `psfPix` is the continuous PSF at the source in the quadrant's
 * pixel frame (unit integral). Returns null when the stamp misses the quadrant [0, nx) × [0, ny).
 */
export function renderSource(
  src: RenderSource,
  wcs: SimTpv,
  psfAt: (x: number, y: number) => GaussComp[],
  nx: number,
  ny: number,
  opts: RenderOptions,
): Stamp | null {
  const [xc, yc] = wcs.skyToPix(src.ra, src.dec);
  if (!Number.isFinite(xc) || !Number.isFinite(yc)) return null;
  const J = wcs.jacobian(xc, yc); // arcsec/px
  const detJ = Math.abs(J[0] * J[3] - J[1] * J[2]);
  const pixScale = Math.sqrt(detJ);
  const psfPix = psfAt(xc, yc);

  // Galaxy shape matrix A = S(g) S(ε) and G = A Aᵀ (uv arcsec, per unit variance).
  let G: [number, number, number] = [0, 0, 0];
  let smax = 1;
  if (!src.star) {
    const [eps1, eps2] = distortionToShear(src.e1, src.e2);
    const A = matMul(shearMatrix(opts.g1, opts.g2), shearMatrix(eps1, eps2));
    G = [A[0] * A[0] + A[1] * A[1], A[0] * A[2] + A[1] * A[3], A[2] * A[2] + A[3] * A[3]];
    const tr = G[0] + G[2];
    const det = G[0] * G[2] - G[1] * G[1];
    smax = Math.sqrt(tr / 2 + Math.sqrt(Math.max(tr * tr / 4 - det, 0)));
  }
  const R = stampRadius(src, smax, psfPix, pixScale, opts.fluxTail ?? 1e-5, opts.maxRadius ?? 200);
  const ix = Math.round(xc);
  const iy = Math.round(yc);
  const x0 = Math.max(ix - R, 0);
  const x1 = Math.min(ix + R, nx - 1);
  const y0 = Math.max(iy - R, 0);
  const y1 = Math.min(iy + R, ny - 1);
  if (x0 > x1 || y0 > y1) return null;

  // PSF covariances to uv: C_uv = J C_pix Jᵀ.
  const psfUv = psfPix.map((c) => {
    const [a, b, cc, d] = J;
    const m00 = a * c.xx + b * c.xy;
    const m01 = a * c.xy + b * c.yy;
    const m10 = cc * c.xx + d * c.xy;
    const m11 = cc * c.xy + d * c.yy;
    return { w: c.w, xx: m00 * a + m01 * b, xy: m00 * cc + m01 * d, yy: m10 * cc + m11 * d };
  });
  const r0 = src.hlr / EXP_HLR_OVER_R0;
  const comps: GaussEval[] = [];
  if (src.star) {
    for (const p of psfUv) comps.push(toEval(p));
  } else {
    const mix = exponentialMixture(opts.tauStep ?? 0.5);
    for (let k = 0; k < mix.v.length; k++) {
      const vg = mix.v[k] * r0 * r0;
      for (const p of psfUv)
        comps.push(toEval({ w: mix.w[k] * p.w, xx: vg * G[0] + p.xx, xy: vg * G[1] + p.xy, yy: vg * G[2] + p.yy }));
    }
  }
  const nc = comps.length;
  const ca = new Float64Array(nc);
  const cb = new Float64Array(nc);
  const cc = new Float64Array(nc);
  const cn = new Float64Array(nc);
  for (let k = 0; k < nc; k++) {
    ca[k] = comps[k].a;
    cb[k] = 2 * comps[k].b;
    cc[k] = comps[k].c;
    cn[k] = comps[k].norm;
  }

  const M = planeToPlane(wcs.p.crval[0], wcs.p.crval[1], src.ra, src.dec);
  // Far from the centre only wide components remain and the profile is smooth over a pixel: use
  // fewer quadrature points there (inner radius: 4 PSF-core sigmas plus 3 galaxy scale lengths).
  let sCore = Infinity;
  for (const c of psfPix) sCore = Math.min(sCore, Math.sqrt(Math.min(c.xx, c.yy)));
  const rInner = 4 * sCore + (src.star ? 0 : (3 * r0 * smax) / pixScale) + 2;
  const rInner2 = rInner * rInner;
  const nIn = opts.oversample;
  const nOut = Math.max(2, nIn - 2);
  const glIn = gaussLegendre(nIn);
  const glOut = gaussLegendre(nOut);
  const snx = x1 - x0 + 1;
  const sny = y1 - y0 + 1;
  const data = new Float64Array(snx * sny);
  const scale = src.fluxAdu * detJ;
  for (let py = y0; py <= y1; py++) {
    for (let px = x0; px <= x1; px++) {
      const inner = (px - xc) ** 2 + (py - yc) ** 2 <= rInner2;
      const n = inner ? nIn : nOut;
      const { x: gx, w: gw } = inner ? glIn : glOut;
      let acc = 0;
      for (let q = 0; q < n; q++) {
        for (let p = 0; p < n; p++) {
          const [X, Y] = wcs.pixToPlane(px + gx[p], py + gx[q]);
          const zz = M[6] * X + M[7] * Y + M[8];
          const u = (-(M[0] * X + M[1] * Y + M[2]) / zz) * ARCSEC_PER_RAD;
          const v = ((M[3] * X + M[4] * Y + M[5]) / zz) * ARCSEC_PER_RAD;
          const uu = u * u;
          const uv = u * v;
          const vv = v * v;
          let s = 0;
          for (let k = 0; k < nc; k++) {
            const qf = ca[k] * uu + cb[k] * uv + cc[k] * vv;
            if (qf < 60) s += cn[k] * Math.exp(-0.5 * qf);
          }
          acc += gw[p] * gw[q] * s;
        }
      }
      data[(py - y0) * snx + (px - x0)] = acc * scale;
    }
  }
  return { x0, y0, nx: snx, ny: sny, data, xc, yc };
}
