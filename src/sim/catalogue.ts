// The MER-like catalogue of a simulated sub-tile: noisy measurements of the true sources (DESIGN §1.4
// columns, lower-case names as in ADQL extracts), plus a few spurious detections.
import { distortionToShear, shearToDistortion } from './gauss';
import type { TrueSource } from './population';
import type { Rng } from './random';
import { PIXEL_SCALE } from './scene';
import { fromTangentUV, tangentUV } from './tpv';

export interface CatalogueRow {
  object_id: number;
  right_ascension: number;
  declination: number;
  flux_detection_total: number; // µJy
  fluxerr_detection_total: number;
  semimajor_axis: number; // pixels
  ellipticity: number;
  position_angle: number; // degrees, ½ atan2(e2, e1) in (u West, v North)
  vis_det: number;
  spurious_flag: number;
  point_like_flag: number;
  det_quality_flag: number;
  deblended_flag: number;
}

export interface MeasureOptions {
  exact: boolean; // noiseless: exact positions, fluxes and shapes
  g1: number;
  g2: number;
  psfFwhm: number; // arcsec
  /** Sky noise per pixel in µJy (of the stacked detection image). */
  skySigmaUjy: number;
}

/** Complex (ε + g) / (1 + g* ε): the sheared reduced shear of an intrinsic ε. */
function addShear(e1: number, e2: number, g1: number, g2: number): [number, number] {
  const nr = e1 + g1;
  const ni = e2 + g2;
  const dr = 1 + (g1 * e1 + g2 * e2);
  const di = g1 * e2 - g2 * e1;
  const d = dr * dr + di * di;
  return [(nr * dr + ni * di) / d, (ni * dr - nr * di) / d];
}

export function measure(sources: TrueSource[], opt: MeasureOptions, rng: Rng): CatalogueRow[] {
  const rows: CatalogueRow[] = [];
  for (const s of sources) {
    const sigPsf = opt.psfFwhm / 2.355;
    const sigGal = s.star ? 0 : s.hlr / 1.18;
    const area = 4 * Math.PI * ((sigPsf * sigPsf + sigGal * sigGal) / (PIXEL_SCALE * PIXEL_SCALE)); // effective pixels
    const fluxErr = Math.sqrt(opt.skySigmaUjy ** 2 * area + s.fluxUjy * 1e-3);
    const snr = s.fluxUjy / fluxErr;
    // Observed shape: intrinsic ε sheared by g.
    const [ie1, ie2] = distortionToShear(s.e1, s.e2);
    const [oe1, oe2] = s.star ? [0, 0] : shearToDistortion(...addShear(ie1, ie2, opt.g1, opt.g2));
    let ra = s.ra;
    let dec = s.dec;
    let flux = s.fluxUjy;
    let a = s.star ? opt.psfFwhm / 2 / PIXEL_SCALE : s.hlr / PIXEL_SCALE;
    let ell = Math.hypot(oe1, oe2);
    let pa = (0.5 * Math.atan2(oe2, oe1) * 180) / Math.PI;
    if (!opt.exact) {
      const sigPos = Math.max((0.6 * Math.sqrt(opt.psfFwhm ** 2 + (2 * sigGal) ** 2)) / snr, 0.002);
      [ra, dec] = fromTangentUV(s.ra, s.dec, rng.gauss(0, sigPos), rng.gauss(0, sigPos));
      flux = s.fluxUjy + rng.gauss(0, fluxErr);
      a *= Math.exp(rng.gauss(0, 0.15));
      ell = Math.min(Math.max(ell + rng.gauss(0, Math.min(0.3, 2 / snr + 0.03)), 0), 0.95);
      pa += rng.gauss(0, 5);
      if (pa > 90) pa -= 180;
      if (pa < -90) pa += 180;
    }
    rows.push({
      object_id: s.objectId,
      right_ascension: ra,
      declination: dec,
      flux_detection_total: flux,
      fluxerr_detection_total: fluxErr,
      semimajor_axis: a,
      ellipticity: ell,
      position_angle: pa,
      vis_det: 1,
      spurious_flag: 0,
      point_like_flag: s.star ? 1 : 0,
      det_quality_flag: 0,
      deblended_flag: 0,
    });
  }
  // Neighbours within 1.5": deblended.
  for (let i = 0; i < rows.length; i++)
    for (let j = i + 1; j < rows.length; j++) {
      const [u, v] = tangentUV(rows[i].right_ascension, rows[i].declination, rows[j].right_ascension, rows[j].declination);
      if (u * u + v * v < 1.5 * 1.5) rows[i].deblended_flag = rows[j].deblended_flag = 1;
    }
  if (!opt.exact) {
    // A few rows with a bad detection-quality bit (0x80, in the 0x78C mask) to exercise the selection.
    for (const r of rows) if (rng.uniform() < 0.02) r.det_quality_flag = 0x80;
  }
  return rows;
}

/** Spurious detections (no light in the images), flagged spurious_flag = 1. */
export function spuriousRows(n: number, near: TrueSource[], newId: () => number, rng: Rng): CatalogueRow[] {
  const out: CatalogueRow[] = [];
  for (let i = 0; i < n && near.length > 0; i++) {
    const s = near[rng.int(near.length)];
    const [ra, dec] = fromTangentUV(s.ra, s.dec, rng.range(-20, 20), rng.range(-20, 20));
    out.push({
      object_id: newId(),
      right_ascension: ra,
      declination: dec,
      flux_detection_total: rng.range(0.3, 2),
      fluxerr_detection_total: 0.08,
      semimajor_axis: rng.range(1, 3),
      ellipticity: rng.range(0, 0.5),
      position_angle: rng.range(-90, 90),
      vis_det: 1,
      spurious_flag: 1,
      point_like_flag: 0,
      det_quality_flag: 0,
      deblended_flag: 0,
    });
  }
  return out;
}
