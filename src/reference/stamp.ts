// One source's N×N model stamp, float64 reference of DESIGN §2.
//
// Pixel conventions (these ARE the model; the WGSL engine must match them):
// - A stamp is an N×N grid (N a power of two), row-major, index = row·N + col,
//   row ↔ pixel y, col ↔ pixel x. Grid index i ↔ pixel offset n = i − N/2 from the
//   grid centre (the centre pixel is at index N/2 on each axis).
// - Pixel frequencies k = 2π·m/N, m = i − N/2 ∈ [−N/2, N/2): k ∈ [−π, π)², stored at
//   the same centred index (k = 0 at index N/2, the Nyquist k = −π at index 0, once).
// - DFT: X(k) = Σ_n x(n) e^{−i k·n}; inverse x(n) = (1/N²) Σ_k X(k) e^{+i k·n}
//   (see fft64.ts). So a point at +δ (pixels) has phase e^{−i k·δ}.
// - J = [[du/dx, du/dy], [dv/dx, dv/dy]] (arcsec/px, either sign of det J), stored as
//   the row-major tuple [dudx, dudy, dvdx, dvdy]. Sky offset w = J·p for a pixel
//   offset p; hence the sky frequency of pixel frequency k is q = J⁻ᵀ k, and a
//   sky-unit flux density I(w) appears in pixels as |det J|·I(J p) with FT Ĩ(J⁻ᵀ k).
// - δ = source centre − grid centre (pixels) = δ0 + J⁻¹ (dx, dy), where δ0 is the
//   exact sub-pixel WCS position minus the grid-centre pixel, (dx, dy) the fitted
//   offsets in arcsec along (u, v).
// - PSF: an odd s×s unit-sum effective-PSF stamp, its centre pixel ((s−1)/2, (s−1)/2)
//   placed at grid index (N/2, N/2); P(k) is its DFT with the conventions above
//   (band-limited interpolation of the PSF samples; no extra pixel convolution).
//
// Spectra:
//   galaxy  M(k) = F_adu · Ĩ0(Aᵀ J⁻ᵀ k) · P(k) · e^{−i k·δ},   F_adu = flux[µJy]·aduPerUJy
//   star    M(k) = F_adu · P(k) · e^{−i k·δ}
// Stamp image = Re(IDFT(M)). M is Hermitian except on the Nyquist row/column (the
// sheared profile is not symmetric under flipping one frequency component and k = +π
// is absent), so the IDFT has a small imaginary part there; the model takes the real
// part, which equals the IDFT of M's Hermitian part. Σ_n image(n) = M(0) = F_adu.

import { centredFrequency, dft2Centred, idft2Centred, isPowerOfTwo, type ComplexGrid } from './fft64';
import { exponentialFt, inv2, scaleRadius, shapeMatrix, type Mat2 } from './shape';

/** Geometry of one (source, quadrant) stamp. */
export interface StampGeometry {
  /** FFT grid size N (power of two, ≥ psfSize). */
  n: number;
  /** Source position minus grid-centre pixel, in pixels: [x, y]. */
  delta0: readonly [number, number];
  /** Local WCS Jacobian [dudx, dudy, dvdx, dvdy] in arcsec/px. */
  jac: Mat2;
  /** Effective PSF stamp, psfSize×psfSize, row-major, unit sum. */
  psf: Float64Array;
  /** PSF stamp side s (odd). */
  psfSize: number;
  /** ADU per µJy of this quadrant: 10^((MAGZEROP + 2.5·log10(EXPTIME) − 23.9)/2.5). */
  aduPerUJy: number;
}

export interface GalaxyParams {
  flux: number; // µJy
  hlr: number; // arcsec
  e1: number;
  e2: number;
  dx: number; // arcsec along u
  dy: number; // arcsec along v
}

export interface StarParams {
  flux: number;
  dx: number;
  dy: number;
}

/** Throws a clear error if the geometry cannot be rendered. `where` names the stamp. */
export function checkGeometry(geom: StampGeometry, where = 'stamp'): void {
  const { n, psfSize, psf, jac, delta0, aduPerUJy } = geom;
  if (!isPowerOfTwo(n) || n < 4) throw new RangeError(`${where}: N = ${n} must be a power of two ≥ 4`);
  if (!Number.isInteger(psfSize) || psfSize < 1 || psfSize % 2 !== 1) {
    throw new RangeError(`${where}: psfSize = ${psfSize} must be an odd positive integer`);
  }
  if (psfSize > n) throw new RangeError(`${where}: PSF stamp ${psfSize}×${psfSize} does not fit in N = ${n}`);
  if (psf.length !== psfSize * psfSize) {
    throw new RangeError(`${where}: psf has ${psf.length} values, expected ${psfSize}×${psfSize}`);
  }
  let sum = 0;
  for (const v of psf) sum += v;
  if (!(Math.abs(sum - 1) <= 1e-6)) throw new RangeError(`${where}: psf sums to ${sum}, expected 1 (±1e-6)`);
  if (!jac.every(Number.isFinite) || jac[0] * jac[3] - jac[1] * jac[2] === 0) {
    throw new RangeError(`${where}: WCS Jacobian [${jac.join(', ')}] is singular or not finite`);
  }
  if (!delta0.every(Number.isFinite)) throw new RangeError(`${where}: delta0 [${delta0.join(', ')}] not finite`);
  if (!(aduPerUJy > 0 && Number.isFinite(aduPerUJy))) {
    throw new RangeError(`${where}: aduPerUJy = ${aduPerUJy} must be finite and > 0`);
  }
}

/** δ = δ0 + J⁻¹ (dx, dy): source centre relative to the grid centre, pixels. */
export function stampCentre(geom: StampGeometry, dx: number, dy: number): [number, number] {
  const ji = inv2(geom.jac);
  return [geom.delta0[0] + ji[0] * dx + ji[1] * dy, geom.delta0[1] + ji[2] * dx + ji[3] * dy];
}

/** P(k): centred DFT of the PSF stamp embedded centred in the N×N grid. */
export function psfSpectrum(psf: Float64Array, psfSize: number, n: number): ComplexGrid {
  const grid = new Float64Array(n * n);
  const off = n / 2 - (psfSize - 1) / 2; // grid index of PSF pixel 0
  for (let j = 0; j < psfSize; j++) {
    for (let i = 0; i < psfSize; i++) grid[(off + j) * n + off + i] = psf[j * psfSize + i];
  }
  return dft2Centred(grid, null, n);
}

/**
 * Sky frequency q = J⁻ᵀ k (rad/arcsec) for pixel frequency (kx, ky), given J⁻¹ = ji:
 * q_u = ji00·kx + ji10·ky, q_v = ji01·kx + ji11·ky (so that k·J⁻¹d = q·d).
 */
export function skyFrequency(ji: Mat2, kx: number, ky: number): [number, number] {
  return [ji[0] * kx + ji[2] * ky, ji[1] * kx + ji[3] * ky];
}

/** M(k) of a galaxy (see header). `pk` may pass a precomputed psfSpectrum. */
export function galaxySpectrum(
  geom: StampGeometry,
  p: GalaxyParams,
  g1: number,
  g2: number,
  pk: ComplexGrid = psfSpectrum(geom.psf, geom.psfSize, geom.n),
): ComplexGrid {
  const { n } = geom;
  const ji = inv2(geom.jac);
  const A = shapeMatrix(g1, g2, p.e1, p.e2).A;
  const r0 = scaleRadius(p.hlr);
  const [cx, cy] = stampCentre(geom, p.dx, p.dy);
  const fAdu = p.flux * geom.aduPerUJy;
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const ky = centredFrequency(j, n);
    for (let i = 0; i < n; i++) {
      const kx = centredFrequency(i, n);
      const [qu, qv] = skyFrequency(ji, kx, ky);
      // v = Aᵀ q
      const vu = A[0] * qu + A[2] * qv;
      const vv = A[1] * qu + A[3] * qv;
      const amp = fAdu * exponentialFt(vu * vu + vv * vv, r0);
      const ph = -(kx * cx + ky * cy);
      const er = Math.cos(ph);
      const ei = Math.sin(ph);
      const t = j * n + i;
      re[t] = amp * (pk.re[t] * er - pk.im[t] * ei);
      im[t] = amp * (pk.re[t] * ei + pk.im[t] * er);
    }
  }
  return { re, im };
}

/** M(k) of a point source: F_adu · P(k) · e^{−i k·δ}. */
export function starSpectrum(
  geom: StampGeometry,
  p: StarParams,
  pk: ComplexGrid = psfSpectrum(geom.psf, geom.psfSize, geom.n),
): ComplexGrid {
  const { n } = geom;
  const [cx, cy] = stampCentre(geom, p.dx, p.dy);
  const fAdu = p.flux * geom.aduPerUJy;
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const ky = centredFrequency(j, n);
    for (let i = 0; i < n; i++) {
      const kx = centredFrequency(i, n);
      const ph = -(kx * cx + ky * cy);
      const er = Math.cos(ph);
      const ei = Math.sin(ph);
      const t = j * n + i;
      re[t] = fAdu * (pk.re[t] * er - pk.im[t] * ei);
      im[t] = fAdu * (pk.re[t] * ei + pk.im[t] * er);
    }
  }
  return { re, im };
}

/** Stamp image = Re(IDFT(M)), N×N row-major, ADU. */
export function stampImage(m: ComplexGrid, n: number): Float64Array {
  return idft2Centred(m.re, m.im, n).re;
}

export function renderGalaxyStamp(geom: StampGeometry, p: GalaxyParams, g1: number, g2: number): Float64Array {
  checkGeometry(geom);
  return stampImage(galaxySpectrum(geom, p, g1, g2), geom.n);
}

export function renderStarStamp(geom: StampGeometry, p: StarParams): Float64Array {
  checkGeometry(geom);
  return stampImage(starSpectrum(geom, p), geom.n);
}
