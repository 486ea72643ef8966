// The simulator's own TPV world coordinate system (pixel → sky and back), written independently of
// src/data/wcs so that a test comparing the two can fail. Conventions of FITS WCS paper II and the
// TPV registration: intermediate coordinates (ξ, η) = CD · (p − CRPIX) in degrees, polynomial
// distortion PV1_k(ξ, η), PV2_k(η, ξ) (no r terms), gnomonic deprojection at CRVAL (LONPOLE 180).

const D2R = Math.PI / 180;
export const ARCSEC_PER_RAD = 180 / Math.PI * 3600;

/** Polynomial terms 0…10 of TPV (the odd r terms 3 and 11 are not used). */
function terms(x: number, y: number, out: Float64Array): void {
  out[0] = 1;
  out[1] = x;
  out[2] = y;
  out[3] = 0;
  out[4] = x * x;
  out[5] = x * y;
  out[6] = y * y;
  out[7] = x * x * x;
  out[8] = x * x * y;
  out[9] = x * y * y;
  out[10] = y * y * y;
}

export interface TpvParams {
  crpix: [number, number]; // FITS 1-based reference pixel
  crval: [number, number]; // degrees
  cd: [number, number, number, number]; // CD1_1, CD1_2, CD2_1, CD2_2 (deg/px)
  pv1: number[]; // 11 coefficients, index 3 ignored
  pv2: number[];
}

export class SimTpv {
  readonly p: TpvParams;
  private readonly sin0: number;
  private readonly cos0: number;
  private readonly t = new Float64Array(11);
  private readonly inv: [number, number, number, number];

  constructor(p: TpvParams) {
    this.p = p;
    this.sin0 = Math.sin(p.crval[1] * D2R);
    this.cos0 = Math.cos(p.crval[1] * D2R);
    const [a, b, c, d] = p.cd;
    const det = a * d - b * c;
    if (det === 0) throw new Error('SimTpv: singular CD matrix');
    this.inv = [d / det, -b / det, -c / det, a / det];
  }

  /** Distorted intermediate coordinates (degrees) of 0-based pixel (x, y). */
  private distort(xi: number, eta: number): [number, number] {
    const t = this.t;
    terms(xi, eta, t);
    let X = 0;
    for (let k = 0; k < 11; k++) X += this.p.pv1[k] * t[k];
    terms(eta, xi, t);
    let Y = 0;
    for (let k = 0; k < 11; k++) Y += this.p.pv2[k] * t[k];
    return [X, Y];
  }

  /** Distorted tangent-plane coordinates (radians, x East, y North) at CRVAL of 0-based pixel (x, y). */
  pixToPlane(x: number, y: number): [number, number] {
    const dx = x + 1 - this.p.crpix[0];
    const dy = y + 1 - this.p.crpix[1];
    const [a, b, c, d] = this.p.cd;
    const [X, Y] = this.distort(a * dx + b * dy, c * dx + d * dy);
    return [X * D2R, Y * D2R];
  }

  pixToSky(x: number, y: number): [number, number] {
    const dx = x + 1 - this.p.crpix[0];
    const dy = y + 1 - this.p.crpix[1];
    const [a, b, c, d] = this.p.cd;
    const [X, Y] = this.distort(a * dx + b * dy, c * dx + d * dy);
    return this.deproject(X * D2R, Y * D2R);
  }

  /** Gnomonic deprojection of tangent-plane (x East, y North) radians at CRVAL. */
  private deproject(x: number, y: number): [number, number] {
    const den = this.cos0 - y * this.sin0;
    let ra = this.p.crval[0] + Math.atan2(x, den) / D2R;
    const dec = Math.atan2(this.sin0 + y * this.cos0, Math.hypot(x, den)) / D2R;
    ra = ((ra % 360) + 360) % 360;
    return [ra, dec];
  }

  skyToPix(ra: number, dec: number): [number, number] {
    const [X, Y] = gnomonic(this.p.crval[0], this.p.crval[1], ra, dec);
    const Xd = X / D2R;
    const Yd = Y / D2R;
    // Newton on the distortion polynomial, starting from the undistorted guess.
    let xi = Xd;
    let eta = Yd;
    for (let it = 0; it < 20; it++) {
      const [fx, fy] = this.distort(xi, eta);
      const rx = fx - Xd;
      const ry = fy - Yd;
      if (Math.abs(rx) < 1e-15 && Math.abs(ry) < 1e-15) break;
      const h = 1e-7;
      const [ax, ay] = this.distort(xi + h, eta);
      const [bx, by] = this.distort(xi, eta + h);
      const j11 = (ax - fx) / h;
      const j21 = (ay - fy) / h;
      const j12 = (bx - fx) / h;
      const j22 = (by - fy) / h;
      const det = j11 * j22 - j12 * j21;
      xi -= (j22 * rx - j12 * ry) / det;
      eta -= (-j21 * rx + j11 * ry) / det;
    }
    const [ia, ib, ic, id] = this.inv;
    return [ia * xi + ib * eta + this.p.crpix[0] - 1, ic * xi + id * eta + this.p.crpix[1] - 1];
  }

  /** Local Jacobian [du/dx, du/dy, dv/dx, dv/dy] in arcsec/px, u West, v North, central differences. */
  jacobian(x: number, y: number): [number, number, number, number] {
    const [ra0, dec0] = this.pixToSky(x, y);
    const h = 0.5;
    const uv = (px: number, py: number) => {
      const [r, d] = this.pixToSky(px, py);
      return tangentUV(ra0, dec0, r, d);
    };
    const [uxp, vxp] = uv(x + h, y);
    const [uxm, vxm] = uv(x - h, y);
    const [uyp, vyp] = uv(x, y + h);
    const [uym, vym] = uv(x, y - h);
    return [(uxp - uxm) / (2 * h), (uyp - uym) / (2 * h), (vxp - vxm) / (2 * h), (vyp - vym) / (2 * h)];
  }

  /** Header cards of this WCS (values as numbers; the FITS writer formats them). */
  headerEntries(): Array<[string, string | number, string?]> {
    const p = this.p;
    const e: Array<[string, string | number, string?]> = [
      ['CTYPE1', 'RA---TPV', 'TAN projection with polynomial distortion'],
      ['CTYPE2', 'DEC--TPV'],
      ['CRPIX1', p.crpix[0]],
      ['CRPIX2', p.crpix[1]],
      ['CRVAL1', p.crval[0]],
      ['CRVAL2', p.crval[1]],
      ['CD1_1', p.cd[0]],
      ['CD1_2', p.cd[1]],
      ['CD2_1', p.cd[2]],
      ['CD2_2', p.cd[3]],
      ['CUNIT1', 'deg'],
      ['CUNIT2', 'deg'],
      ['RADESYS', 'ICRS'],
    ];
    for (const [axis, pv] of [[1, p.pv1], [2, p.pv2]] as const) {
      for (let k = 0; k < 11; k++) if (k !== 3) e.push([`PV${axis}_${k}`, pv[k]]);
    }
    return e;
  }
}

/** Gnomonic projection (radians, x East, y North) of (ra, dec) about (ra0, dec0), all in degrees. */
export function gnomonic(ra0: number, dec0: number, ra: number, dec: number): [number, number] {
  const d0 = dec0 * D2R;
  const d = dec * D2R;
  const da = (ra - ra0) * D2R;
  const cosc = Math.sin(d0) * Math.sin(d) + Math.cos(d0) * Math.cos(d) * Math.cos(da);
  const x = (Math.cos(d) * Math.sin(da)) / cosc;
  const y = (Math.cos(d0) * Math.sin(d) - Math.sin(d0) * Math.cos(d) * Math.cos(da)) / cosc;
  return [x, y];
}

/** Inverse gnomonic: tangent-plane (x East, y North) radians about (ra0, dec0) → (ra, dec) degrees. */
export function deprojectGnomonic(ra0: number, dec0: number, x: number, y: number): [number, number] {
  const s0 = Math.sin(dec0 * D2R);
  const c0 = Math.cos(dec0 * D2R);
  const den = c0 - y * s0;
  let ra = ra0 + Math.atan2(x, den) / D2R;
  ra = ((ra % 360) + 360) % 360;
  return [ra, Math.atan2(s0 + y * c0, Math.hypot(x, den)) / D2R];
}

/** (u West, v North) in arcsec of (ra, dec) in the tangent plane at (ra0, dec0). */
export function tangentUV(ra0: number, dec0: number, ra: number, dec: number): [number, number] {
  const [x, y] = gnomonic(ra0, dec0, ra, dec);
  return [-x * ARCSEC_PER_RAD, y * ARCSEC_PER_RAD];
}

/** Inverse of tangentUV. */
export function fromTangentUV(ra0: number, dec0: number, u: number, v: number): [number, number] {
  return deprojectGnomonic(ra0, dec0, -u / ARCSEC_PER_RAD, v / ARCSEC_PER_RAD);
}

function basis(ra: number, dec: number): [number[], number[], number[]] {
  const a = ra * D2R;
  const d = dec * D2R;
  const c = [Math.cos(d) * Math.cos(a), Math.cos(d) * Math.sin(a), Math.sin(d)];
  const e = [-Math.sin(a), Math.cos(a), 0];
  const n = [-Math.sin(d) * Math.cos(a), -Math.sin(d) * Math.sin(a), Math.cos(d)];
  return [e, n, c];
}

/**
 * Gnomonic planes about two points are related by a projective map (both are central projections of
 * the sphere). Returns the 3×3 matrix (row-major) taking the direction (x, y, 1) of plane 0 (about
 * ra0, dec0) to (X, Y, Z) with source-plane coordinates (X/Z, Y/Z) (radians, East, North).
 */
export function planeToPlane(ra0: number, dec0: number, ra1: number, dec1: number): Float64Array {
  const [e0, n0, c0] = basis(ra0, dec0);
  const [e1, n1, c1] = basis(ra1, dec1);
  const m = new Float64Array(9);
  const rows = [e1, n1, c1];
  const cols = [e0, n0, c0];
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) m[i * 3 + j] = rows[i][0] * cols[j][0] + rows[i][1] * cols[j][1] + rows[i][2] * cols[j][2];
  return m;
}
