// Reading the WCS keywords of a header into WcsParams, with errors that name the
// context (file and HDU) and the keyword.
import { TPV_NTERMS } from './poly';
import { WcsError, type HeaderLike, type WcsKind, type WcsParams } from './types';

type Sip = NonNullable<WcsParams['sip']>;

class Reader {
  constructor(
    private readonly h: HeaderLike,
    readonly context: string,
  ) {}

  has(key: string): boolean {
    const v = this.h.get(key);
    return v !== undefined && v !== null;
  }

  /** A number, or `fallback` when absent; throws when absent without fallback or not a number. */
  num(key: string, fallback?: number): number {
    const v = this.h.get(key);
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      throw new WcsError(this.context, key, 'keyword missing');
    }
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    // Some writers quote numbers; accept a string only if it is exactly a finite number.
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v.trim()))) return Number(v.trim());
    throw new WcsError(this.context, key, `expected a finite number, found ${JSON.stringify(v)}`);
  }

  str(key: string): string | undefined {
    const v = this.h.get(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new WcsError(this.context, key, `expected a string, found ${JSON.stringify(v)}`);
    return v.trim();
  }

  fail(key: string | undefined, message: string): never {
    throw new WcsError(this.context, key, message);
  }
}

function parseCtypes(r: Reader): WcsKind {
  const c1 = r.str('CTYPE1');
  const c2 = r.str('CTYPE2');
  if (c1 === undefined) r.fail('CTYPE1', "keyword missing (expected 'RA---TAN', 'RA---TPV' or 'RA---TAN-SIP')");
  if (c2 === undefined) r.fail('CTYPE2', "keyword missing (expected 'DEC--TAN', 'DEC--TPV' or 'DEC--TAN-SIP')");
  const t1 = c1.toUpperCase();
  const t2 = c2.toUpperCase();
  if (t1.startsWith('DEC-') && t2.startsWith('RA--'))
    r.fail('CTYPE1', `'${c1}': axes with declination first are not supported (CTYPE1 must be RA, CTYPE2 DEC)`);
  if (!t1.startsWith('RA--')) r.fail('CTYPE1', `unsupported '${c1}': only equatorial RA/DEC axes are supported`);
  if (!t2.startsWith('DEC-')) r.fail('CTYPE2', `unsupported '${c2}': only equatorial RA/DEC axes are supported`);
  const p1 = t1.slice(4).replace(/^-+/, '');
  const p2 = t2.slice(4).replace(/^-+/, '');
  const known: WcsKind[] = ['TAN', 'TPV', 'TAN-SIP'];
  if (!known.includes(p1 as WcsKind))
    r.fail('CTYPE1', `unsupported projection '${c1}' (supported: RA---TAN, RA---TPV, RA---TAN-SIP)`);
  if (p1 !== p2) r.fail('CTYPE2', `'${c2}' does not match CTYPE1 '${c1}'`);
  return p1 as WcsKind;
}

function parseCd(r: Reader): [[number, number], [number, number]] {
  const cdKeys = ['CD1_1', 'CD1_2', 'CD2_1', 'CD2_2'];
  let cd: [[number, number], [number, number]];
  if (cdKeys.some((k) => r.has(k))) {
    // FITS: missing CDi_j default to 0 when any is present.
    cd = [
      [r.num('CD1_1', 0), r.num('CD1_2', 0)],
      [r.num('CD2_1', 0), r.num('CD2_2', 0)],
    ];
  } else {
    if (!r.has('CDELT1') || !r.has('CDELT2'))
      r.fail(r.has('CDELT1') ? 'CDELT2' : 'CDELT1', 'no CDi_j matrix and no CDELT1/CDELT2 scale: the pixel scale is unknown');
    const d1 = r.num('CDELT1');
    const d2 = r.num('CDELT2');
    const pcKeys = ['PC1_1', 'PC1_2', 'PC2_1', 'PC2_2'];
    if (pcKeys.some((k) => r.has(k))) {
      cd = [
        [d1 * r.num('PC1_1', 1), d1 * r.num('PC1_2', 0)],
        [d2 * r.num('PC2_1', 0), d2 * r.num('PC2_2', 1)],
      ];
    } else {
      // AIPS convention: CROTA2 rotates the latitude axis.
      const rho = (r.has('CROTA2') ? r.num('CROTA2') : r.num('CROTA1', 0)) * (Math.PI / 180);
      const c = Math.cos(rho);
      const s = Math.sin(rho);
      cd = [
        [d1 * c, -d2 * s],
        [d1 * s, d2 * c],
      ];
    }
  }
  const det = cd[0][0] * cd[1][1] - cd[0][1] * cd[1][0];
  if (!(Number.isFinite(det) && det !== 0))
    r.fail('CD1_1', `the linear transformation (CD matrix ${JSON.stringify(cd)}) is singular (determinant ${det})`);
  return cd;
}

function parseSipPoly(r: Reader, prefix: string, order: number, minDegree: number): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let p = 0; p <= order; p++) {
    for (let q = 0; p + q <= order; q++) {
      const key = `${prefix}_${p}_${q}`;
      if (p + q < minDegree && !r.has(key)) continue;
      const v = r.num(key, 0);
      if (v !== 0) out.push([p, q, v]);
    }
  }
  return out;
}

function parseOrder(r: Reader, key: string): number {
  const o = r.num(key);
  if (!(Number.isInteger(o) && o >= 0 && o <= 20)) r.fail(key, `expected an integer order 0…20, found ${o}`);
  return o;
}

function parseSip(r: Reader): Sip {
  if (!r.has('A_ORDER')) r.fail('A_ORDER', "keyword missing (CTYPE is TAN-SIP)");
  if (!r.has('B_ORDER')) r.fail('B_ORDER', "keyword missing (CTYPE is TAN-SIP)");
  const sip: Sip = {
    a: parseSipPoly(r, 'A', parseOrder(r, 'A_ORDER'), 0),
    b: parseSipPoly(r, 'B', parseOrder(r, 'B_ORDER'), 0),
  };
  if (r.has('AP_ORDER') && r.has('BP_ORDER')) {
    sip.ap = parseSipPoly(r, 'AP', parseOrder(r, 'AP_ORDER'), 0);
    sip.bp = parseSipPoly(r, 'BP', parseOrder(r, 'BP_ORDER'), 0);
  }
  return sip;
}

function parsePv(r: Reader, axis: 1 | 2): number[] {
  const c = new Array<number>(TPV_NTERMS).fill(0);
  let any = false;
  for (let k = 0; k < TPV_NTERMS; k++) {
    const key = `PV${axis}_${k}`;
    if (r.has(key)) {
      c[k] = r.num(key);
      any = true;
    }
  }
  // No coefficients at all: the axis is undistorted (ξ' = ξ), as for plain TAN.
  if (!any) c[1] = 1;
  return c;
}

/** Parse the WCS keywords of a header. `context` (e.g. "file.fits[3-4.F.SCI]") goes into every error. */
export function parseWcsParams(h: HeaderLike, context = 'header'): WcsParams {
  const r = new Reader(h, context);
  const kind = parseCtypes(r);
  for (const k of ['CUNIT1', 'CUNIT2']) {
    const u = r.str(k);
    if (u !== undefined && u !== '' && u.toLowerCase() !== 'deg')
      r.fail(k, `unsupported unit '${u}' (celestial axes must be in 'deg')`);
  }
  const crval: [number, number] = [r.num('CRVAL1'), r.num('CRVAL2')];
  if (Math.abs(crval[1]) > 90) r.fail('CRVAL2', `declination ${crval[1]} is outside [-90, 90]`);
  const crpix: [number, number] = [r.num('CRPIX1'), r.num('CRPIX2')];
  const cd = parseCd(r);
  // Zenithal projection (θ0 = 90°): default LONPOLE is 180° unless δ0 ≥ θ0 (Calabretta & Greisen 2002, §2.5).
  const lonpole = r.num('LONPOLE', crval[1] < 90 ? 180 : 0);
  const p: WcsParams = { kind, crpix, crval, cd, lonpole };
  if (kind === 'TPV') {
    p.pv1 = parsePv(r, 1);
    p.pv2 = parsePv(r, 2);
    const det = p.pv1[1] * p.pv2[1] - p.pv1[2] * p.pv2[2];
    if (!(det !== 0 && Number.isFinite(det)))
      r.fail('PV1_1', `TPV linear terms (PV1_1, PV1_2, PV2_1, PV2_2) are singular`);
  }
  if (kind === 'TAN-SIP') p.sip = parseSip(r);
  return p;
}
