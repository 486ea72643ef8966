// Gnomonic (TAN) projection and the spherical rotation between native and celestial
// frames (Calabretta & Greisen 2002), written with unit vectors so it stays exact at
// RA = 0/360, at the poles and at the reference point (no asin/acos near ±1).

export const D2R = Math.PI / 180;
export const R2D = 180 / Math.PI;
export const ARCSEC_PER_RAD = R2D * 3600;

export type Vec3 = [number, number, number];
/** Row-major 3×3 matrix. */
export type Mat3 = [Vec3, Vec3, Vec3];

/**
 * Rotation taking native unit vectors to celestial ones, for a projection whose native
 * pole sits at celestial (alphaP, deltaP) and where the celestial pole has native
 * longitude phiP (LONPOLE). All in degrees.
 */
export function nativeToCelestialMatrix(alphaP: number, deltaP: number, phiP: number): Mat3 {
  const ca = Math.cos(alphaP * D2R);
  const sa = Math.sin(alphaP * D2R);
  const cd = Math.cos(deltaP * D2R);
  const sd = Math.sin(deltaP * D2R);
  const cp = Math.cos(phiP * D2R);
  const sp = Math.sin(phiP * D2R);
  // Image of a native vector n = (cosθcosφ, cosθsinφ, sinθ):
  //   c = cosθ cos(φ−φp) = n0 cp + n1 sp,   s = cosθ sin(φ−φp) = n1 cp − n0 sp,   z = n2
  //   cosδ cos(α−αp) = z cd − c sd,  cosδ sin(α−αp) = −s,  sinδ = z sd + c cd
  // then a rotation by αp about the celestial z axis. Linear in n, so build it column by column.
  const apply = (n: Vec3): Vec3 => {
    const c = n[0] * cp + n[1] * sp;
    const s = n[1] * cp - n[0] * sp;
    const z = n[2];
    const px = z * cd - c * sd;
    const py = -s;
    const pz = z * sd + c * cd;
    return [px * ca - py * sa, px * sa + py * ca, pz];
  };
  const c0 = apply([1, 0, 0]);
  const c1 = apply([0, 1, 0]);
  const c2 = apply([0, 0, 1]);
  return [
    [c0[0], c1[0], c2[0]],
    [c0[1], c1[1], c2[1]],
    [c0[2], c1[2], c2[2]],
  ];
}

export function mulMat3(m: Mat3, v: Vec3): Vec3 {
  return [
    m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
    m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
    m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
  ];
}

/** Transpose times vector: the inverse rotation. */
export function mulMat3T(m: Mat3, v: Vec3): Vec3 {
  return [
    m[0][0] * v[0] + m[1][0] * v[1] + m[2][0] * v[2],
    m[0][1] * v[0] + m[1][1] * v[1] + m[2][1] * v[2],
    m[0][2] * v[0] + m[1][2] * v[1] + m[2][2] * v[2],
  ];
}

export function skyToVec(raDeg: number, decDeg: number): Vec3 {
  const a = raDeg * D2R;
  const d = decDeg * D2R;
  const cd = Math.cos(d);
  return [cd * Math.cos(a), cd * Math.sin(a), Math.sin(d)];
}

/** Unit (or any non-zero) vector to [ra in [0, 360), dec] degrees. */
export function vecToSky(v: Vec3): [number, number] {
  let ra = Math.atan2(v[1], v[0]) * R2D;
  if (ra < 0) ra += 360;
  if (ra >= 360) ra -= 360;
  const dec = Math.atan2(v[2], Math.hypot(v[0], v[1])) * R2D;
  return [ra, dec];
}

/**
 * TAN deprojection: intermediate world coordinates (X, Y) in degrees to the native unit
 * vector. With R = hypot(X, Y), φ = atan2(X, −Y) and tanθ = (180/π)/R, the native vector
 * (cosθcosφ, cosθsinφ, sinθ) is simply (−Y, X, 180/π) normalised.
 */
export function tanToNative(X: number, Y: number): Vec3 {
  const s = Math.sqrt(X * X + Y * Y + R2D * R2D);
  return [-Y / s, X / s, R2D / s];
}

/** d(native vector)/dX and d/dY, per degree of intermediate coordinate. */
export function tanToNativeDerivs(X: number, Y: number): [Vec3, Vec3] {
  const s2 = X * X + Y * Y + R2D * R2D;
  const s = Math.sqrt(s2);
  const s3 = s2 * s;
  // n = (−Y, X, ρ)/s; ∂n/∂X = (0, 1, 0)/s − (−Y, X, ρ)·X/s³
  const dX: Vec3 = [Y * X / s3, 1 / s - (X * X) / s3, -R2D * X / s3];
  const dY: Vec3 = [-1 / s + (Y * Y) / s3, -X * Y / s3, -R2D * Y / s3];
  return [dX, dY];
}

/** TAN projection of a native unit vector; null on or behind the native equator. */
export function nativeToTan(n: Vec3): [number, number] | null {
  if (!(n[2] > 0)) return null;
  return [(R2D * n[1]) / n[2], (-R2D * n[0]) / n[2]];
}

/**
 * Local (West, North) unit vectors at a celestial direction, so that a small change dS of
 * the unit vector is du = −east·dS, dv = north·dS (radians).
 */
export function westNorth(raDeg: number, decDeg: number): [Vec3, Vec3] {
  const a = raDeg * D2R;
  const d = decDeg * D2R;
  const sa = Math.sin(a);
  const ca = Math.cos(a);
  const sd = Math.sin(d);
  const cd = Math.cos(d);
  return [
    [sa, -ca, 0],
    [-sd * ca, -sd * sa, cd],
  ];
}

export function dot3(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}
