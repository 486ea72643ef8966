// Sub-tile geometry and layout for the simulator: sky bounds, quadrant exposures (several pointings
// and dithers, different orientations, both WCS parities) and the TPV WCS of each quadrant.
import type { Rng } from './random';
import { SimTpv, fromTangentUV, tangentUV } from './tpv';

export const PIXEL_SCALE = 0.1; // arcsec/px, VIS

export interface SkyBox {
  ra: [number, number];
  dec: [number, number];
}

export interface SubtileGeometry {
  raC: number;
  decC: number;
  core: SkyBox;
  extended: SkyBox;
}

/** A box of half-size `halfArcmin` around (ra, dec): Dec ± h, RA ± h / cos(Dec). */
export function skyBox(ra: number, dec: number, halfArcmin: number): SkyBox {
  const h = halfArcmin / 60;
  const hr = h / Math.cos((dec * Math.PI) / 180);
  return { ra: [ra - hr, ra + hr], dec: [dec - h, dec + h] };
}

export function inBox(b: SkyBox, ra: number, dec: number): boolean {
  return ra >= b.ra[0] && ra <= b.ra[1] && dec >= b.dec[0] && dec <= b.dec[1];
}

export function subtileGeometry(raC: number, decC: number, coreArcmin: number, marginArcmin: number): SubtileGeometry {
  return { raC, decC, core: skyBox(raC, decC, coreArcmin / 2), extended: skyBox(raC, decC, coreArcmin / 2 + marginArcmin) };
}

export type QuadLetter = 'E' | 'F' | 'G' | 'H';

export interface QuadrantLayout {
  obsId: string;
  dither: string;
  ccd: string;
  letter: QuadLetter;
  /** HDU prefix, e.g. "3-4.F". */
  name: string;
  /** Files are shared by the quadrants of one exposure and CCD. */
  fileStem: string;
  nx: number;
  ny: number;
  wcs: SimTpv;
  /** Exposure-level constants written to the headers. */
  gain: number;
  exptime: number;
  magzerop: number;
  rdnoise: number;
  pa: number; // degrees, for the record
}

/**
 * Quadrants of one CCD (2nx × 2ny pixels): E is the lower-left one in CCD pixels; F is mirrored in x,
 * H mirrored in y, G rotated by 180° (read-out from the CCD's four corners). Mirroring flips the sign of
 * det CD. Returns CCD pixel (1-based) = flip · quadrant pixel (1-based) + offset.
 */
function quadToCcd(letter: QuadLetter, nx: number, ny: number): { fx: number; fy: number; tx: number; ty: number } {
  switch (letter) {
    case 'E':
      return { fx: 1, fy: 1, tx: 0, ty: 0 };
    case 'F':
      return { fx: -1, fy: 1, tx: 2 * nx + 1, ty: 0 };
    case 'H':
      return { fx: 1, fy: -1, tx: 0, ty: 2 * ny + 1 };
    case 'G':
      return { fx: -1, fy: -1, tx: 2 * nx + 1, ty: 2 * ny + 1 };
  }
}

interface ExposureTemplate {
  obsId: string;
  dither: string;
  ccd: string;
  pa: number; // degrees, rotation of the CCD x axis from West towards North... (see makeExposure)
  letters: QuadLetter[];
  /** Sky offset (East, North) of the first quadrant's centre from the sub-tile centre, in units of the quadrant width. */
  at: [number, number];
}

// Two pointings (2704: two dithers; 2705 rotated by ~97°), then more dithers/pointings for Q > 4.
const TEMPLATES: ExposureTemplate[] = [
  { obsId: '2704', dither: '00', ccd: '3-4', pa: 12, letters: ['E', 'F'], at: [0.5, 0.36] },
  { obsId: '2704', dither: '01', ccd: '3-4', pa: 12, letters: ['H'], at: [0.42, -0.56] },
  { obsId: '2705', dither: '00', ccd: '2-5', pa: 109, letters: ['G'], at: [-0.55, -0.5] },
  { obsId: '2705', dither: '01', ccd: '2-5', pa: 109, letters: ['E', 'F'], at: [0.1, 0.55] },
  { obsId: '2704', dither: '02', ccd: '4-4', pa: 12, letters: ['F'], at: [-0.3, -0.1] },
  { obsId: '2706', dither: '00', ccd: '1-3', pa: 196, letters: ['H', 'G'], at: [0.2, -0.3] },
];

export interface LayoutOptions {
  quadrants: number;
  nx: number;
  ny: number;
}

/** Quadrant layouts around the sub-tile centre, deterministic for a given rng state. */
export function layoutQuadrants(geo: SubtileGeometry, opt: LayoutOptions, rng: Rng): QuadrantLayout[] {
  const out: QuadrantLayout[] = [];
  const widthArcsec = opt.nx * PIXEL_SCALE;
  let t = 0;
  while (out.length < opt.quadrants) {
    const base = TEMPLATES[t % TEMPLATES.length];
    const cycle = Math.floor(t / TEMPLATES.length);
    const tpl: ExposureTemplate = {
      ...base,
      obsId: String(Number(base.obsId) + 10 * cycle),
      letters: base.letters.slice(0, opt.quadrants - out.length),
      at: [base.at[0] + rng.range(-0.04, 0.04) + 0.13 * cycle, base.at[1] + rng.range(-0.04, 0.04) - 0.11 * cycle],
      pa: base.pa + rng.range(-2, 2),
    };
    out.push(...makeExposure(geo, tpl, opt.nx, opt.ny, widthArcsec, rng));
    t++;
  }
  return out;
}

function makeExposure(geo: SubtileGeometry, tpl: ExposureTemplate, nx: number, ny: number, widthArcsec: number, rng: Rng): QuadrantLayout[] {
  const s = PIXEL_SCALE / 3600;
  const pa = (tpl.pa * Math.PI) / 180;
  // CCD frame → intermediate (ξ East, η North): x runs West at PA 0 (east-left images have det CD < 0).
  const c = Math.cos(pa);
  const sn = Math.sin(pa);
  const cdCcd = [-s * c, -s * sn, -s * sn, s * c]; // R(pa) · diag(−s, s) in (East, North)
  // The boresight sits far off the CCD (the focal plane is ~0.7°): its CCD pixel position.
  const off = [0.21 + rng.range(-0.02, 0.02), -0.13 + rng.range(-0.02, 0.02)]; // degrees along CCD x, y
  const crpixCcd = [nx + 0.5 - off[0] / s, ny + 0.5 - off[1] / s];
  // Distortion (degrees in, degrees out): radial k r² plus small quadratic terms, as a focal plane has.
  const k = 0.02 + rng.range(-0.005, 0.005);
  const q = () => rng.gauss(0, 2e-4);
  const pv1 = [0, 1, 0, 0, q(), q(), q(), k, 0, k, 0];
  const pv2 = [0, 1, 0, 0, q(), q(), q(), k, 0, k, 0];
  const magzerop = 24.57 + rng.range(-0.05, 0.05);
  const gain = 3.48;
  const exptime = 560.52;
  const rdnoise = 4.4;

  // Place the exposure so that the first quadrant's centre falls at the requested sky offset.
  const first = quadToCcd(tpl.letters[0], nx, ny);
  const cqx = first.fx * ((nx + 1) / 2) + first.tx; // CCD pixel of quadrant centre (1-based)
  const cqy = first.fy * ((ny + 1) / 2) + first.ty;
  const dx = cqx - crpixCcd[0];
  const dy = cqy - crpixCcd[1];
  const xi = cdCcd[0] * dx + cdCcd[1] * dy;
  const eta = cdCcd[2] * dx + cdCcd[3] * dy;
  const r2 = xi * xi + eta * eta;
  const xiD = xi + k * xi * r2; // distorted (quadratic terms ignored for placement)
  const etaD = eta + k * eta * r2;
  const target = fromTangentUV(geo.raC, geo.decC, -tpl.at[0] * widthArcsec, tpl.at[1] * widthArcsec);
  // Boresight: the point from which the target appears at (xiD, etaD). u = −East.
  const crval = fromTangentUV(target[0], target[1], xiD * 3600, -etaD * 3600);

  return tpl.letters.map((letter) => {
    const f = quadToCcd(letter, nx, ny);
    const cd: [number, number, number, number] = [cdCcd[0] * f.fx, cdCcd[1] * f.fy, cdCcd[2] * f.fx, cdCcd[3] * f.fy];
    const crpix: [number, number] = [f.fx * (crpixCcd[0] - f.tx), f.fy * (crpixCcd[1] - f.ty)];
    const wcs = new SimTpv({ crpix, crval: [crval[0], crval[1]], cd, pv1, pv2 });
    return {
      obsId: tpl.obsId,
      dither: tpl.dither,
      ccd: tpl.ccd,
      letter,
      name: `${tpl.ccd}.${letter}`,
      fileStem: `${tpl.obsId}_${tpl.dither}_${tpl.ccd}`,
      nx,
      ny,
      wcs,
      gain,
      exptime,
      magzerop,
      rdnoise,
      pa: tpl.pa,
    };
  });
}

/** µJy → ADU for a quadrant: 10^((MAGZEROP + 2.5 log10(EXPTIME) − 23.9) / 2.5). */
export function ujyToAdu(q: { magzerop: number; exptime: number }): number {
  return 10 ** ((q.magzerop + 2.5 * Math.log10(q.exptime) - 23.9) / 2.5);
}

/** Sky footprint corners of a quadrant as (u, v) arcsec around the sub-tile centre. */
export function footprintUV(q: QuadrantLayout, geo: SubtileGeometry): [number, number][] {
  const pts: [number, number][] = [];
  for (const [x, y] of [[-0.5, -0.5], [q.nx - 0.5, -0.5], [q.nx - 0.5, q.ny - 0.5], [-0.5, q.ny - 0.5]]) {
    const [ra, dec] = q.wcs.pixToSky(x, y);
    pts.push(tangentUV(geo.raC, geo.decC, ra, dec));
  }
  return pts;
}

/** Is (ra, dec) on quadrant q, with `marginPx` pixels to spare (negative: allow outside)? */
export function onQuadrant(q: QuadrantLayout, ra: number, dec: number, marginPx = 0): boolean {
  const [x, y] = q.wcs.skyToPix(ra, dec);
  return x >= -0.5 + marginPx && x <= q.nx - 0.5 - marginPx && y >= -0.5 + marginPx && y <= q.ny - 0.5 - marginPx;
}
