// Unit tests of the WCS module against independent float64 formulas: the classic gnomonic
// formula, a hand-written TPV term list, and numerical differences on the sphere.
import { describe, expect, it } from 'vitest';
import {
  headerFromEntries,
  tanHeaderEntries,
  tpvHeaderEntries,
  wcsFromHeader,
  type HeaderLike,
  type Wcs,
} from './index';

const D2R = Math.PI / 180;
type Cd = [[number, number], [number, number]];

function header(cards: Record<string, string | number>): HeaderLike {
  return headerFromEntries(Object.entries(cards));
}

/** Classic gnomonic deprojection (LONPOLE = 180°): (X, Y) in degrees → (ra, dec) degrees. */
function refTan(X: number, Y: number, ra0: number, dec0: number): [number, number] {
  const xi = X * D2R;
  const eta = Y * D2R;
  const d0 = dec0 * D2R;
  const den = Math.cos(d0) - eta * Math.sin(d0);
  let ra = ra0 + Math.atan2(xi, den) / D2R;
  ra = ((ra % 360) + 360) % 360;
  const dec = Math.atan2(Math.sin(d0) + eta * Math.cos(d0), Math.hypot(xi, den)) / D2R;
  return [ra, dec];
}

/** The 40 TPV terms written out by hand (SCAMP/IRAF TPV convention). */
function tpvTerms(x: number, y: number): number[] {
  const r = Math.hypot(x, y);
  return [
    1, x, y, r,
    x * x, x * y, y * y,
    x ** 3, x * x * y, x * y * y, y ** 3, r ** 3,
    x ** 4, x ** 3 * y, x * x * y * y, x * y ** 3, y ** 4,
    x ** 5, x ** 4 * y, x ** 3 * y * y, x * x * y ** 3, x * y ** 4, y ** 5, r ** 5,
    x ** 6, x ** 5 * y, x ** 4 * y * y, x ** 3 * y ** 3, x * x * y ** 4, x * y ** 5, y ** 6,
    x ** 7, x ** 6 * y, x ** 5 * y * y, x ** 4 * y ** 3, x ** 3 * y ** 4, x * x * y ** 5, x * y ** 6, y ** 7, r ** 7,
  ];
}

function vec(ra: number, dec: number): [number, number, number] {
  const a = ra * D2R;
  const d = dec * D2R;
  return [Math.cos(d) * Math.cos(a), Math.cos(d) * Math.sin(a), Math.sin(d)];
}

/** Jacobian by ±h central differences in the gnomonic tangent plane at the point (arcsec/px). */
function numericJacobian(w: Wcs, x: number, y: number, h = 0.5): number[] {
  const [ra, dec] = w.pixToSky(x, y);
  const P = vec(ra, dec);
  const a = ra * D2R;
  const d = dec * D2R;
  const west = [Math.sin(a), -Math.cos(a), 0];
  const north = [-Math.sin(d) * Math.cos(a), -Math.sin(d) * Math.sin(a), Math.cos(d)];
  const dot = (p: number[], q: number[]) => p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
  const plane = (px: number, py: number) => {
    const Q = vec(...w.pixToSky(px, py));
    const c = dot(P, Q);
    return [(dot(west, Q) / c) * 206264.80624709636, (dot(north, Q) / c) * 206264.80624709636];
  };
  const xp = plane(x + h, y);
  const xm = plane(x - h, y);
  const yp = plane(x, y + h);
  const ym = plane(x, y - h);
  return [(xp[0] - xm[0]) / (2 * h), (yp[0] - ym[0]) / (2 * h), (xp[1] - xm[1]) / (2 * h), (yp[1] - ym[1]) / (2 * h)];
}

const SCALE = 0.1 / 3600; // deg/px
const rot = (deg: number, flip: boolean): Cd => {
  const c = Math.cos(deg * D2R) * SCALE;
  const s = Math.sin(deg * D2R) * SCALE;
  // flip = false: East left (det < 0, the usual sky orientation); flip = true: det > 0.
  return flip ? [[c, -s], [s, c]] : [[-c, s], [s, c]];
};

function baseCards(crval: [number, number], cd: Cd, crpix: [number, number], proj: string) {
  return {
    CTYPE1: `RA---${proj}`, CTYPE2: `DEC--${proj}`, CUNIT1: 'deg', CUNIT2: 'deg',
    CRVAL1: crval[0], CRVAL2: crval[1], CRPIX1: crpix[0], CRPIX2: crpix[1],
    CD1_1: cd[0][0], CD1_2: cd[0][1], CD2_1: cd[1][0], CD2_2: cd[1][1],
  };
}

// TPV coefficients with every kind of term, including r, r³, r⁵, r⁷ (PV_3, PV_11, PV_23, PV_39).
function tpvCoefficients(seed: number): [number[], number[]] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 2;
  const mk = () => {
    const c = new Array<number>(40).fill(0);
    c[0] = 1e-5 * rnd();
    c[1] = 1 + 1e-3 * rnd();
    c[2] = 1e-3 * rnd();
    c[3] = 2e-4 * rnd();
    for (let k = 4; k <= 6; k++) c[k] = 3e-3 * rnd();
    for (let k = 7; k <= 11; k++) c[k] = 2e-2 * rnd();
    for (let k = 12; k <= 23; k++) c[k] = 0.1 * rnd();
    for (let k = 24; k <= 39; k++) c[k] = 1 * rnd();
    return c;
  };
  return [mk(), mk()];
}

const CRVALS: Array<[number, number]> = [
  [0.001, 12.3],
  [359.999, -33.1],
  [0.001, 89.99],
  [359.999, -89.99],
  [180.0, 0.0],
];

function grid(): Array<[number, number]> {
  const pts: Array<[number, number]> = [];
  for (let i = 0; i <= 6; i++) for (let j = 0; j <= 6; j++) pts.push([-10 + (i * 2068) / 6, -10 + (j * 2086) / 6]);
  return pts;
}

function makeWcs(kind: 'TAN' | 'TPV' | 'SIP' | 'SIPAP', crval: [number, number], flip: boolean, crpix: [number, number] = [1024.5, 1033.5]): Wcs {
  const cd = rot(23, flip);
  if (kind === 'TAN') return wcsFromHeader(header(baseCards(crval, cd, crpix, 'TAN')));
  if (kind === 'TPV') {
    const [pv1, pv2] = tpvCoefficients(7);
    return wcsFromHeader(headerFromEntries(tpvHeaderEntries({ crpix, crval, cd, pv1, pv2, naxis: [2048, 2066] })));
  }
  const cards: Record<string, string | number> = { ...baseCards(crval, cd, crpix, 'TAN-SIP'), A_ORDER: 3, B_ORDER: 3 };
  const a = { '2_0': 6e-7, '1_1': -4e-7, '0_2': 5e-7, '3_0': 9e-10, '2_1': -2e-10, '1_2': 3e-10, '0_3': 2.7e-10 };
  const b = { '2_0': -3e-7, '1_1': 4.6e-7, '0_2': -7e-8, '3_0': -7e-10, '2_1': 4e-10, '1_2': 7e-10, '0_3': 3.9e-10 };
  for (const [k, v] of Object.entries(a)) cards[`A_${k}`] = v;
  for (const [k, v] of Object.entries(b)) cards[`B_${k}`] = v;
  if (kind === 'SIPAP') {
    // A rough first-order inverse: only a starting point for Newton.
    cards.AP_ORDER = 2;
    cards.BP_ORDER = 2;
    for (const k of ['2_0', '1_1', '0_2'] as const) {
      cards[`AP_${k}`] = -a[k];
      cards[`BP_${k}`] = -b[k];
    }
  }
  return wcsFromHeader(header(cards));
}

describe('TAN against the classic gnomonic formula', () => {
  for (const crval of CRVALS) {
    for (const flip of [false, true]) {
      it(`CRVAL ${crval}, det CD ${flip ? '> 0' : '< 0'}`, () => {
        const cd = rot(23, flip);
        const crpix: [number, number] = [1024.5, 1033.5];
        const w = makeWcs('TAN', crval, flip, crpix);
        for (const [x, y] of grid()) {
          const u = x + 1 - crpix[0];
          const v = y + 1 - crpix[1];
          const [ra0, dec0] = refTan(cd[0][0] * u + cd[0][1] * v, cd[1][0] * u + cd[1][1] * v, crval[0], crval[1]);
          const [ra, dec] = w.pixToSky(x, y);
          expect(ra).toBeGreaterThanOrEqual(0);
          expect(ra).toBeLessThan(360);
          let dra = ra - ra0;
          dra -= 360 * Math.round(dra / 360);
          const errArcsec = Math.hypot(dra * Math.cos(dec0 * D2R), dec - dec0) * 3600;
          expect(errArcsec).toBeLessThan(1e-7);
        }
      });
    }
  }
});

describe('TPV polynomial against the hand-written term list (incl. r terms)', () => {
  it('pixel→sky equals the gnomonic formula applied to the TPV polynomial', () => {
    const [pv1, pv2] = tpvCoefficients(7);
    const crval: [number, number] = [359.999, -20];
    const cd = rot(-40, true);
    const crpix: [number, number] = [-300.25, 2500.75]; // far off the chip, as in real TPV headers
    const w = wcsFromHeader(headerFromEntries(tpvHeaderEntries({ crpix, crval, cd, pv1, pv2, naxis: [2048, 2066] })));
    expect(w.kind).toBe('TPV');
    for (const [x, y] of grid()) {
      const u = x + 1 - crpix[0];
      const v = y + 1 - crpix[1];
      const xi = cd[0][0] * u + cd[0][1] * v;
      const eta = cd[1][0] * u + cd[1][1] * v;
      const t1 = tpvTerms(xi, eta);
      const t2 = tpvTerms(eta, xi); // PV2: the roles of ξ and η are swapped
      const X = t1.reduce((s, t, k) => s + pv1[k] * t, 0);
      const Y = t2.reduce((s, t, k) => s + pv2[k] * t, 0);
      const [ra0, dec0] = refTan(X, Y, crval[0], crval[1]);
      const [ra, dec] = w.pixToSky(x, y);
      let dra = ra - ra0;
      dra -= 360 * Math.round(dra / 360);
      expect(Math.hypot(dra * Math.cos(dec0 * D2R), dec - dec0) * 3600).toBeLessThan(1e-7);
    }
  });
});

describe('round trips pixel→sky→pixel (RA 0/360, poles, both parities)', () => {
  for (const kind of ['TAN', 'TPV', 'SIP', 'SIPAP'] as const) {
    for (const crval of CRVALS) {
      for (const flip of [false, true]) {
        it(`${kind} CRVAL ${crval} det ${flip ? '>' : '<'} 0`, () => {
          const w = makeWcs(kind, crval, flip);
          let worst = 0;
          const ras: number[] = [];
          for (const [x, y] of grid()) {
            const [ra, dec] = w.pixToSky(x, y);
            ras.push(ra);
            const [x2, y2] = w.skyToPix(ra, dec);
            worst = Math.max(worst, Math.hypot(x2 - x, y2 - y));
            // A point given with RA shifted by ±360 is the same point.
            const [x3, y3] = w.skyToPix(ra + 360, dec);
            worst = Math.max(worst, Math.hypot(x3 - x, y3 - y));
          }
          expect(worst).toBeLessThan(1e-8);
          if ((crval[0] < 1 || crval[0] > 359) && Math.abs(crval[1]) < 80) {
            // The chip straddles RA = 0: both sides must appear, all in [0, 360).
            expect(ras.some((r) => r > 359)).toBe(true);
            expect(ras.some((r) => r < 1)).toBe(true);
          }
        });
      }
    }
  }
  for (const pole of [90, -90]) {
    it(`the chip at CRVAL2 = ${pole > 0 ? '+' : '-'}89.99 contains the pole; points around it round-trip`, () => {
      const w = makeWcs('TPV', [0.001, Math.sign(pole) * 89.99], true);
      const [px, py] = w.skyToPix(0, pole);
      expect(px > 0 && px < 2048 && py > 0 && py < 2066).toBe(true);
      expect(Math.abs(w.pixToSky(px, py)[1])).toBeCloseTo(90, 12);
      // A ring of points 0.3 px from the pole: every RA occurs, each round-trips.
      const ras = new Set<number>();
      for (let k = 0; k < 36; k++) {
        const x = px + 0.3 * Math.cos((k * 10 * Math.PI) / 180);
        const y = py + 0.3 * Math.sin((k * 10 * Math.PI) / 180);
        const [ra, dec] = w.pixToSky(x, y);
        ras.add(Math.floor(ra / 90));
        const [x2, y2] = w.skyToPix(ra, dec);
        expect(Math.hypot(x2 - x, y2 - y)).toBeLessThan(1e-8);
        const j = w.jacobian(x, y);
        const n = numericJacobian(w, x, y, 0.01);
        for (let i = 0; i < 4; i++) expect(Math.abs(j[i] - n[i])).toBeLessThan(1e-6);
      }
      expect(ras.size).toBe(4);
    });
  }
  it('a point on the far hemisphere has no pixel (NaN)', () => {
    const w = makeWcs('TAN', [10, 20], false);
    const [x, y] = w.skyToPix(190, -20);
    expect(Number.isNaN(x) && Number.isNaN(y)).toBe(true);
  });
});

describe('Jacobian vs numerical differences on the sphere', () => {
  for (const kind of ['TAN', 'TPV', 'SIP'] as const) {
    for (const crval of CRVALS) {
      for (const flip of [false, true]) {
        it(`${kind} CRVAL ${crval} det ${flip ? '>' : '<'} 0`, () => {
          const w = makeWcs(kind, crval, flip);
          let worst = 0;
          for (const [x, y] of grid()) {
            const dec = w.pixToSky(x, y)[1];
            if (Math.abs(dec) > 90 - 1e-6) continue; // West/North undefined at the pole itself
            const j = w.jacobian(x, y);
            // A small step: the test polynomials have large high-order terms, and ±0.5 px
            // would carry an h² truncation error of ~2e-6 "/px (h = 0.05 px: ~2e-8).
            const n = numericJacobian(w, x, y, 0.05);
            for (let k = 0; k < 4; k++) worst = Math.max(worst, Math.abs(j[k] - n[k]));
            // Parity: det J has the sign opposite to det CD (u points West, RA grows East).
            expect(Math.sign(j[0] * j[3] - j[1] * j[2])).toBe(flip ? -1 : 1);
          }
          expect(worst).toBeLessThan(1e-7);
        });
      }
    }
  }
  it('for a plain TAN at the reference point it is −CD (West) and CD (North) in arcsec', () => {
    const cd = rot(31, false);
    const w = wcsFromHeader(header(baseCards([200, -45], cd, [100, 200], 'TAN')));
    const j = w.jacobian(99, 199);
    const e = [-cd[0][0], -cd[0][1], cd[1][0], cd[1][1]].map((v) => v * 3600);
    for (let k = 0; k < 4; k++) expect(Math.abs(j[k] - e[k])).toBeLessThan(1e-12);
  });
});

describe('header variants', () => {
  const crval: [number, number] = [150.1, 2.2];
  const ref = wcsFromHeader(header(baseCards(crval, [[-2e-5, 1e-6], [1.5e-6, 2.1e-5]], [10, 20], 'TAN')));
  const same = (w: Wcs, base: Wcs) => {
    for (const [x, y] of grid()) {
      const a = w.pixToSky(x, y);
      const b = base.pixToSky(x, y);
      expect(Math.hypot((a[0] - b[0]) * Math.cos(a[1] * D2R), a[1] - b[1]) * 3600).toBeLessThan(1e-9);
    }
  };
  it('PC + CDELT equals CD', () => {
    const w = wcsFromHeader(header({
      CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRVAL1: crval[0], CRVAL2: crval[1], CRPIX1: 10, CRPIX2: 20,
      CDELT1: -2e-5, CDELT2: 2.1e-5, PC1_1: 1, PC1_2: -0.05, PC2_1: 1.5e-6 / 2.1e-5, PC2_2: 1,
    }));
    same(w, ref);
  });
  it('CROTA2 + CDELT equals the rotated CD', () => {
    const rho = 17;
    const c = Math.cos(rho * D2R);
    const s = Math.sin(rho * D2R);
    const d1 = -2.5e-5;
    const d2 = 2.5e-5;
    const w = wcsFromHeader(header({ CTYPE1: 'RA---TAN', CTYPE2: 'DEC--TAN', CRVAL1: 1, CRVAL2: 2, CRPIX1: 5, CRPIX2: 6, CDELT1: d1, CDELT2: d2, CROTA2: rho }));
    const base = wcsFromHeader(header(baseCards([1, 2], [[d1 * c, -d2 * s], [d1 * s, d2 * c]], [5, 6], 'TAN')));
    same(w, base);
  });
  it('LONPOLE rotates the native frame (general spherical rotation)', () => {
    const delta = 30;
    const cd: Cd = [[-2e-5, 1e-6], [1.5e-6, 2.1e-5]];
    const w = wcsFromHeader(header({ ...baseCards(crval, cd, [10, 20], 'TAN'), LONPOLE: 180 + delta }));
    // φ' = φ − Δ with φ = atan2(X, −Y): rotate (X, Y) by −Δ in that sense.
    const c = Math.cos(delta * D2R);
    const s = Math.sin(delta * D2R);
    const R = [[c, s], [-s, c]];
    const cd2: Cd = [
      [R[0][0] * cd[0][0] + R[0][1] * cd[1][0], R[0][0] * cd[0][1] + R[0][1] * cd[1][1]],
      [R[1][0] * cd[0][0] + R[1][1] * cd[1][0], R[1][0] * cd[0][1] + R[1][1] * cd[1][1]],
    ];
    same(w, wcsFromHeader(header(baseCards(crval, cd2, [10, 20], 'TAN'))));
    // And LONPOLE 180 is the default for CRVAL2 < 90.
    same(wcsFromHeader(header({ ...baseCards(crval, cd, [10, 20], 'TAN'), LONPOLE: 180 })), ref);
  });
  it('TPV without any PV keywords is plain TAN', () => {
    const cards = baseCards(crval, [[-2e-5, 1e-6], [1.5e-6, 2.1e-5]], [10, 20], 'TPV');
    same(wcsFromHeader(header(cards)), ref);
  });
});

describe('header writers', () => {
  it('tpvHeaderEntries writes CTYPE, CUNIT, RADESYS, EQUINOX, CD and every PV', () => {
    const e = tpvHeaderEntries({ crpix: [1, 2], crval: [3, 4], cd: [[5e-6, 0], [0, 5e-6]], pv1: [0, 1, 0, 0.5], pv2: [0, 1], naxis: [10, 20] });
    const m = new Map(e.map(([k, v]) => [k, v]));
    expect(m.get('CTYPE1')).toBe('RA---TPV');
    expect(m.get('CTYPE2')).toBe('DEC--TPV');
    expect(m.get('CUNIT1')).toBe('deg');
    expect(m.get('RADESYS')).toBe('ICRS');
    expect(m.get('EQUINOX')).toBe(2000);
    expect(m.get('CD1_1')).toBe(5e-6);
    expect(m.get('PV1_3')).toBe(0.5);
    expect(m.get('PV2_1')).toBe(1);
    expect(m.has('PV2_3')).toBe(false);
    expect(() => tpvHeaderEntries({ crpix: [1, 2], crval: [3, 4], cd: [[1, 1], [1, 1]], pv1: [], pv2: [], naxis: [1, 1] })).toThrow(/singular/);
  });
  it('tanHeaderEntries round-trips through wcsFromHeader', () => {
    const w = wcsFromHeader(headerFromEntries(tanHeaderEntries({ crpix: [1, 2], crval: [3, 4], cd: [[-5e-6, 0], [0, 5e-6]], naxis: [10, 20] })));
    expect(w.kind).toBe('TAN');
    const [ra, dec] = w.pixToSky(0, 1);
    expect(ra).toBeCloseTo(3, 12);
    expect(dec).toBeCloseTo(4, 12);
  });
});

describe('errors name the context and the keyword', () => {
  const good = baseCards([1, 2], [[-2e-5, 0], [0, 2e-5]], [1, 1], 'TAN');
  const ctx = 'exp.fits[3-4.F.SCI]';
  const bad = (cards: Record<string, string | number>, re: RegExp) =>
    expect(() => wcsFromHeader(header(cards), ctx)).toThrow(re);
  it('unsupported CTYPE', () => {
    bad({ ...good, CTYPE1: 'RA---SIN', CTYPE2: 'DEC--SIN' }, /exp\.fits\[3-4\.F\.SCI\]: WCS CTYPE1: unsupported projection 'RA---SIN'/);
    bad({ ...good, CTYPE1: 'GLON-TAN', CTYPE2: 'GLAT-TAN' }, /CTYPE1: unsupported 'GLON-TAN'/);
    bad({ ...good, CTYPE2: 'DEC--TPV' }, /CTYPE2: 'DEC--TPV' does not match CTYPE1 'RA---TAN'/);
    const { CTYPE1: _drop, ...noCtype } = good;
    bad(noCtype, /CTYPE1: keyword missing/);
  });
  it('missing CRVAL / CRPIX / CD', () => {
    for (const k of ['CRVAL1', 'CRVAL2', 'CRPIX1', 'CRPIX2'] as const) {
      const c: Record<string, string | number> = { ...good };
      delete c[k];
      bad(c, new RegExp(`exp\\.fits\\[3-4\\.F\\.SCI\\]: WCS ${k}: keyword missing`));
    }
    const c: Record<string, string | number> = { ...good };
    for (const k of ['CD1_1', 'CD1_2', 'CD2_1', 'CD2_2']) delete c[k];
    bad(c, /CDELT1: no CDi_j matrix and no CDELT1\/CDELT2/);
  });
  it('singular CD, bad values, SIP without orders, wrong unit', () => {
    bad({ ...good, CD1_1: 1e-5, CD1_2: 2e-5, CD2_1: 1e-5, CD2_2: 2e-5 }, /CD1_1: .*singular/);
    bad({ ...good, CRVAL1: 'abc' }, /CRVAL1: expected a finite number, found "abc"/);
    bad({ ...good, CRVAL2: 95 }, /CRVAL2: declination 95/);
    bad({ ...good, CTYPE1: 'RA---TAN-SIP', CTYPE2: 'DEC--TAN-SIP' }, /A_ORDER: keyword missing/);
    bad({ ...good, CUNIT1: 'rad' }, /CUNIT1: unsupported unit 'rad'/);
  });
});
