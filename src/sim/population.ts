// Sources of a simulated sub-tile: galaxies (exponential profiles) and stars, their true parameters,
// and where they fall relative to the sub-tile's core and extended areas.
import type { Rng } from './random';
import { type QuadrantLayout, type SkyBox, type SubtileGeometry, inBox, onQuadrant } from './scene';
import { fromTangentUV, tangentUV } from './tpv';

export interface TrueSource {
  objectId: number;
  ra: number; // true position
  dec: number;
  star: boolean;
  fluxUjy: number;
  hlr: number; // arcsec (0 for stars)
  e1: number; // intrinsic distortion
  e2: number;
  /** Object id of the galaxy this one is the 90°-rotated copy of (--ring). */
  ringOf?: number;
}

export interface PopulationOptions {
  galaxies: number;
  ring: boolean;
  stars: boolean;
}

/** Power law dN/dF ∝ F^−alpha between lo and hi, by inverse CDF. */
function powerLaw(rng: Rng, lo: number, hi: number, alpha: number): number {
  const a = 1 - alpha;
  return (lo ** a + rng.uniform() * (hi ** a - lo ** a)) ** (1 / a);
}

function galaxy(rng: Rng, ra: number, dec: number): Omit<TrueSource, 'objectId'> {
  const fluxUjy = powerLaw(rng, 0.8, 60, 1.8);
  const hlr = Math.min(Math.max(0.28 * (fluxUjy / 5) ** 0.15 * Math.exp(rng.gauss(0, 0.35)), 0.08), 1.2);
  // Intrinsic distortion: Rayleigh modulus (σ 0.25 per component) truncated at 0.8, uniform angle.
  let em = 1;
  while (em > 0.8) em = 0.25 * Math.sqrt(-2 * Math.log(1 - rng.uniform()));
  const phi = rng.range(0, 2 * Math.PI);
  return { ra, dec, star: false, fluxUjy, hlr, e1: em * Math.cos(phi), e2: em * Math.sin(phi) };
}

/** Uniform position in box `b` (uniform in RA × Dec; the boxes are a few arcmin). */
function inside(rng: Rng, b: SkyBox): [number, number] {
  return [rng.range(b.ra[0], b.ra[1]), rng.range(b.dec[0], b.dec[1])];
}

function boxArea(b: SkyBox): number {
  return (b.ra[1] - b.ra[0]) * Math.cos((((b.dec[0] + b.dec[1]) / 2) * Math.PI) / 180) * (b.dec[1] - b.dec[0]);
}

/**
 * Places `galaxies` galaxies uniformly in the extended area, more at the same density over the rest of
 * `field` (kept where a quadrant sees them), a few stars, and with `ring` a rotated copy of each galaxy.
 */
export function makePopulation(geo: SubtileGeometry, field: SkyBox, quads: QuadrantLayout[], opt: PopulationOptions, rng: Rng): TrueSource[] {
  const ids = new Set<number>();
  const newId = () => {
    for (;;) {
      const id = 20000000000000 + Math.floor(rng.uniform() * 1e13);
      if (!ids.has(id)) {
        ids.add(id);
        return id;
      }
    }
  };
  const seen = (ra: number, dec: number) => quads.some((q) => onQuadrant(q, ra, dec, -30));
  const out: TrueSource[] = [];
  for (let i = 0; i < opt.galaxies; i++) {
    const [ra, dec] = inside(rng, geo.extended);
    out.push({ objectId: newId(), ...galaxy(rng, ra, dec) });
  }
  // Outside the extended area at the same density: unmodelled neighbours, as in real data.
  const nOut = Math.round((opt.galaxies * (boxArea(field) - boxArea(geo.extended))) / boxArea(geo.extended));
  for (let i = 0; i < nOut; i++) {
    const [ra, dec] = inside(rng, field);
    const g = galaxy(rng, ra, dec);
    if (inBox(geo.extended, ra, dec) || !seen(ra, dec)) continue;
    out.push({ objectId: newId(), ...g });
  }
  if (opt.ring) {
    const n = out.length;
    for (let i = 0; i < n; i++) {
      const g = out[i];
      // The copy sits a few half-light radii away so that the pair is not blended.
      const d = 2.5 + 6 * g.hlr;
      const a = rng.range(0, 2 * Math.PI);
      const [ra, dec] = fromTangentUV(g.ra, g.dec, d * Math.cos(a), d * Math.sin(a));
      out.push({ ...g, objectId: newId(), ra, dec, e1: -g.e1, e2: -g.e2, ringOf: g.objectId });
    }
  }
  if (opt.stars) {
    // ~3% stars, at least one in the extended area.
    const nStars = Math.max(2, Math.round(0.03 * out.length));
    for (let i = 0; i < nStars; i++) {
      const [ra, dec] = i === 0 ? inside(rng, geo.extended) : inside(rng, field);
      const fluxUjy = Math.exp(rng.range(Math.log(3), Math.log(300)));
      if (i > 0 && !seen(ra, dec)) continue;
      out.push({ objectId: newId(), ra, dec, star: true, fluxUjy, hlr: 0, e1: 0, e2: 0 });
    }
  }
  return out;
}

/** Bounding box (RA/Dec) of the quadrant footprints and the extended area. */
export function fieldBox(geo: SubtileGeometry, quads: QuadrantLayout[]): SkyBox {
  let u0 = Infinity;
  let u1 = -Infinity;
  let v0 = Infinity;
  let v1 = -Infinity;
  const add = (ra: number, dec: number) => {
    const [u, v] = tangentUV(geo.raC, geo.decC, ra, dec);
    u0 = Math.min(u0, u);
    u1 = Math.max(u1, u);
    v0 = Math.min(v0, v);
    v1 = Math.max(v1, v);
  };
  for (const q of quads)
    for (const [x, y] of [[0, 0], [q.nx, 0], [0, q.ny], [q.nx, q.ny], [q.nx / 2, 0], [q.nx / 2, q.ny], [0, q.ny / 2], [q.nx, q.ny / 2]])
      add(...q.wcs.pixToSky(x, y));
  add(geo.extended.ra[0], geo.extended.dec[0]);
  add(geo.extended.ra[1], geo.extended.dec[1]);
  const decs = [fromTangentUV(geo.raC, geo.decC, 0, v0)[1], fromTangentUV(geo.raC, geo.decC, 0, v1)[1]];
  const dec = [Math.min(...decs), Math.max(...decs)] as [number, number];
  const cosd = Math.cos((Math.max(Math.abs(dec[0]), Math.abs(dec[1])) * Math.PI) / 180);
  const half = Math.max(Math.abs(u0), Math.abs(u1)) / 3600 / cosd;
  return { ra: [geo.raC - half, geo.raC + half], dec };
}
