// Public types of the WCS module (contract 3).

/** Anything that can answer header keyword look-ups (FitsHeader satisfies it). */
export interface HeaderLike {
  get(key: string): string | number | boolean | null | undefined;
}

export type WcsKind = 'TAN' | 'TPV' | 'TAN-SIP';

/**
 * A celestial WCS. Pixels are 0-based (FITS pixel = x + 1), sky in degrees (RA in [0, 360)),
 * the Jacobian in arcsec/pixel with u = −ΔRA·cos(Dec) (West), v = ΔDec (North) at the point.
 */
export interface Wcs {
  kind: WcsKind;
  pixToSky(x: number, y: number): [ra: number, dec: number];
  /** NaN, NaN when the point lies on the far side of the projection or the inverse does not converge. */
  skyToPix(ra: number, dec: number): [x: number, y: number];
  jacobian(x: number, y: number): [dudx: number, dudy: number, dvdx: number, dvdy: number];
}

/** Everything a WCS needs, as parsed from a header (angles in degrees, CRPIX 1-based as in FITS). */
export interface WcsParams {
  kind: WcsKind;
  crpix: [number, number];
  crval: [number, number];
  cd: [[number, number], [number, number]];
  /** LONPOLE (native longitude of the celestial pole), degrees. */
  lonpole: number;
  /** TPV coefficients PV1_0…PV1_39 and PV2_0…PV2_39 (missing ones 0). */
  pv1?: number[];
  pv2?: number[];
  /** SIP forward (A, B) and optional inverse (AP, BP) coefficients, [p, q, value]. */
  sip?: {
    a: Array<[number, number, number]>;
    b: Array<[number, number, number]>;
    ap?: Array<[number, number, number]>;
    bp?: Array<[number, number, number]>;
  };
}

/** A WCS problem in a header: names where (file/HDU) and which keyword. */
export class WcsError extends Error {
  constructor(
    readonly context: string,
    readonly keyword: string | undefined,
    message: string,
  ) {
    super(`${context}: WCS ${keyword ? `${keyword}: ` : ''}${message}`);
    this.name = 'WcsError';
  }
}
