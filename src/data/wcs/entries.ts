// Header cards for writing a WCS (the simulator writes TPV headers). Structural cards
// (NAXISn) are left to the FITS writer, which derives them from the data shape.
import { TPV_NTERMS } from './poly';
import type { HeaderLike } from './types';

export type WcsHeaderEntry = [key: string, value: number | string, comment?: string];

export interface TanHeaderParams {
  /** CRPIX1, CRPIX2 as written in the header (FITS, 1-based). */
  crpix: [number, number];
  /** CRVAL1 (RA), CRVAL2 (Dec) in degrees. */
  crval: [number, number];
  /** [[CD1_1, CD1_2], [CD2_1, CD2_2]] in degrees/pixel. */
  cd: [[number, number], [number, number]];
  /** Image size [NAXIS1, NAXIS2]; only checked, not written. */
  naxis: [number, number];
}

export interface TpvHeaderParams extends TanHeaderParams {
  /** PV1_0… (at most 40; missing ones are 0 by convention, PV1_1 should be 1 for no distortion). */
  pv1: number[];
  pv2: number[];
}

function check(p: TanHeaderParams): void {
  const nums = [...p.crpix, ...p.crval, ...p.cd[0], ...p.cd[1]];
  if (!nums.every(Number.isFinite)) throw new Error(`WCS header: CRPIX/CRVAL/CD must be finite numbers, got ${JSON.stringify(p)}`);
  if (!p.naxis.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`WCS header: naxis must be positive integers, got ${JSON.stringify(p.naxis)}`);
  const det = p.cd[0][0] * p.cd[1][1] - p.cd[0][1] * p.cd[1][0];
  if (det === 0) throw new Error('WCS header: CD matrix is singular');
}

function baseEntries(p: TanHeaderParams, proj: 'TAN' | 'TPV'): WcsHeaderEntry[] {
  return [
    ['WCSAXES', 2, 'number of WCS axes'],
    ['CTYPE1', `RA---${proj}`, 'gnomonic projection' + (proj === 'TPV' ? ' + TPV distortion' : '')],
    ['CTYPE2', `DEC--${proj}`, 'gnomonic projection' + (proj === 'TPV' ? ' + TPV distortion' : '')],
    ['CUNIT1', 'deg', 'unit of CRVAL1 and CD1_j'],
    ['CUNIT2', 'deg', 'unit of CRVAL2 and CD2_j'],
    ['CRPIX1', p.crpix[0], 'reference pixel x (1-based)'],
    ['CRPIX2', p.crpix[1], 'reference pixel y (1-based)'],
    ['CRVAL1', p.crval[0], '[deg] RA at the reference pixel'],
    ['CRVAL2', p.crval[1], '[deg] Dec at the reference pixel'],
    ['CD1_1', p.cd[0][0], '[deg/px]'],
    ['CD1_2', p.cd[0][1], '[deg/px]'],
    ['CD2_1', p.cd[1][0], '[deg/px]'],
    ['CD2_2', p.cd[1][1], '[deg/px]'],
    ['RADESYS', 'ICRS', 'reference frame'],
    ['EQUINOX', 2000.0, 'equinox of the coordinates'],
  ];
}

/** Cards of a plain TAN WCS. */
export function tanHeaderEntries(p: TanHeaderParams): WcsHeaderEntry[] {
  check(p);
  return baseEntries(p, 'TAN');
}

/** Cards of a TPV WCS: the TAN cards with CTYPE RA---TPV/DEC--TPV plus PV1_j, PV2_j. */
export function tpvHeaderEntries(p: TpvHeaderParams): WcsHeaderEntry[] {
  check(p);
  for (const [name, c] of [['pv1', p.pv1], ['pv2', p.pv2]] as const) {
    if (c.length > TPV_NTERMS) throw new Error(`WCS header: ${name} has ${c.length} coefficients, TPV allows ${TPV_NTERMS}`);
    if (!c.every(Number.isFinite)) throw new Error(`WCS header: ${name} coefficients must be finite numbers`);
  }
  const out = baseEntries(p, 'TPV');
  // Write every coefficient up to the last given one, zeros included, so readers that
  // treat an absent PVi_1 differently still agree.
  for (let k = 0; k < p.pv1.length; k++) out.push([`PV1_${k}`, p.pv1[k], 'TPV distortion (xi)']);
  for (let k = 0; k < p.pv2.length; k++) out.push([`PV2_${k}`, p.pv2[k], 'TPV distortion (eta)']);
  return out;
}

/** A HeaderLike over header entries (keys case-insensitive), e.g. to build a Wcs from what will be written. */
export function headerFromEntries(entries: ReadonlyArray<readonly [string, string | number | boolean, string?]>): HeaderLike {
  const m = new Map<string, string | number | boolean>();
  for (const [k, v] of entries) m.set(k.trim().toUpperCase(), v);
  return { get: (key: string) => m.get(key.trim().toUpperCase()) };
}
