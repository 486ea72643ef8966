// Simulated sub-tile with known shear, in the layout of DESIGN §1: manifest_local.yaml, exposures
// (SCI/RMS/FLG, BKG, WGT), PSF grids, MER-like catalogue, and the truth (JSON, FITS, Parquet).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { stringify } from 'yaml';
import { type FitsHduToWrite, type HeaderEntries, encodeFits } from '../data/fits/write';
import { type CatalogueRow, measure, spuriousRows } from './catalogue';
import { applyDetector } from './detector';
import { fieldBox, makePopulation, type TrueSource } from './population';
import { PsfField, randomPsfField } from './psf';
import { Rng } from './random';
import { renderSource } from './render';
import { PIXEL_SCALE, type QuadrantLayout, inBox, layoutQuadrants, subtileGeometry, ujyToAdu } from './scene';
import { tangentUV } from './tpv';

export interface SimOptions {
  seed?: number;
  /** Galaxies in the extended area (more are placed outside it at the same density). */
  galaxies?: number;
  quadrants?: number;
  quadSize?: [number, number];
  psfFwhm?: number; // arcsec
  g1?: number;
  g2?: number;
  noise?: number; // scale of the noise sigma
  coreArcmin?: number;
  marginArcmin?: number;
  ring?: boolean;
  noiseless?: boolean;
  /** Gauss–Legendre points per pixel axis of the renderer (4 converges to < 1e-6 of the peak). */
  oversample?: number;
  ra?: number;
  dec?: number;
  tileId?: number;
  subTileRow?: number;
  subTileCol?: number;
}

export interface TruthSource {
  object_id: number;
  ra: number;
  dec: number;
  cat_ra: number;
  cat_dec: number;
  flux_ujy: number;
  hlr: number;
  e1: number;
  e2: number;
  dx: number;
  dy: number;
  star: boolean;
  in_core: boolean;
  ring_of?: number;
}

export interface SimTruth {
  g1: number;
  g2: number;
  seed: number;
  options: Required<Omit<SimOptions, 'g1' | 'g2'>>;
  n_extended: number;
  n_core: number;
  /** µJy → ADU of the first quadrant (each quadrant's own value is in `quadrants`). */
  ujy_to_adu: number;
  quadrants: { quadrant: string; sci_path: string; ujy_to_adu: number; det_cd: number; hot_column: number; cosmic_pixels: number; rendered: number }[];
  /** Sources in the extended area (what the manifest's source_ids hold, spurious rows excluded). */
  galaxies: TruthSource[];
  /** Sources outside the extended area (rendered; in the catalogue but not in source_ids). */
  outside: TruthSource[];
  /** Catalogue rows that are not real sources. */
  spurious_ids: number[];
}

export interface SimResult {
  files: Map<string, Uint8Array>;
  truth: SimTruth;
}

const FULL_QUAD: [number, number] = [2048, 2066];

function resolveOptions(o: SimOptions): Required<Omit<SimOptions, 'g1' | 'g2'>> & { g1?: number; g2?: number } {
  const quadSize = o.quadSize ?? FULL_QUAD;
  // Default areas scale with the quadrant so that the quadrants cover the sub-tile partially:
  // a full 2048-px quadrant (3.4') → core 4', margin 0.5' (extended 5').
  const f = quadSize[0] / FULL_QUAD[0];
  const r = {
    seed: o.seed ?? 1,
    galaxies: o.galaxies ?? 150,
    quadrants: o.quadrants ?? 4,
    quadSize,
    psfFwhm: o.psfFwhm ?? 0.25,
    noise: o.noise ?? 1,
    coreArcmin: o.coreArcmin ?? 4 * f,
    marginArcmin: o.marginArcmin ?? 0.5 * f,
    ring: o.ring ?? false,
    noiseless: o.noiseless ?? false,
    oversample: o.oversample ?? 4,
    ra: o.ra ?? 274.2675,
    dec: o.dec ?? -48.9701,
    tileId: o.tileId ?? 102159490,
    subTileRow: o.subTileRow ?? 2,
    subTileCol: o.subTileCol ?? 1,
    g1: o.g1,
    g2: o.g2,
  };
  const bad = (field: string, msg: string) => new Error(`simulate: option ${field} ${msg}`);
  if (!Number.isFinite(r.seed)) throw bad('seed', `must be a number, got ${r.seed}`);
  if (!(Number.isInteger(r.galaxies) && r.galaxies >= 0)) throw bad('galaxies', `must be a non-negative integer, got ${r.galaxies}`);
  if (!(Number.isInteger(r.quadrants) && r.quadrants >= 1 && r.quadrants <= 64)) throw bad('quadrants', `must be an integer 1…64, got ${r.quadrants}`);
  if (!(quadSize.length === 2 && quadSize.every((v) => Number.isInteger(v) && v >= 64 && v <= 8192)))
    throw bad('quad-size', `must be two integers 64…8192, got ${quadSize.join(' ')}`);
  if (!(r.psfFwhm >= 0.05 && r.psfFwhm <= 2)) throw bad('psf-fwhm', `must be 0.05…2 arcsec, got ${r.psfFwhm}`);
  if (!(r.noise >= 0)) throw bad('noise', `must be ≥ 0, got ${r.noise}`);
  if (!(r.coreArcmin > 0)) throw bad('core-arcmin', `must be > 0, got ${r.coreArcmin}`);
  if (!(r.marginArcmin >= 0)) throw bad('margin-arcmin', `must be ≥ 0, got ${r.marginArcmin}`);
  if (!(Number.isInteger(r.oversample) && r.oversample >= 1 && r.oversample <= 16)) throw bad('oversample', `must be an integer 1…16, got ${r.oversample}`);
  for (const [k, v] of [['g1', o.g1], ['g2', o.g2]] as const)
    if (v !== undefined && !(Math.abs(v) < 0.5)) throw bad(k, `must be a number with |${k}| < 0.5, got ${v}`);
  return r;
}

/** Simulates one sub-tile in memory: file path (relative to the sub-tile directory) → bytes, and the truth. */
export async function simulateSubtile(opts: SimOptions = {}): Promise<SimResult> {
  const o = resolveOptions(opts);
  const [nx, ny] = o.quadSize;
  const rngShear = new Rng(o.seed, 1);
  const g1 = o.g1 ?? (o.g2 === undefined ? Math.max(-0.08, Math.min(0.08, rngShear.gauss(0, 0.03))) : 0);
  const g2 = o.g2 ?? (o.g1 === undefined ? Math.max(-0.08, Math.min(0.08, rngShear.gauss(0, 0.03))) : 0);

  const geo = subtileGeometry(o.ra, o.dec, o.coreArcmin, o.marginArcmin);
  const quads = layoutQuadrants(geo, { quadrants: o.quadrants, nx, ny }, new Rng(o.seed, 2));
  const field = fieldBox(geo, quads);
  const sources = makePopulation(geo, field, quads, { galaxies: o.galaxies, ring: o.ring, stars: !o.noiseless }, new Rng(o.seed, 3));

  // Catalogue (noisy measurements unless noiseless) and the sub-tile's id lists from catalogue positions.
  const u2a0 = ujyToAdu(quads[0]);
  const skySigmaUjy = Math.sqrt(skyAdu(quads[0]) / quads[0].gain + (quads[0].rdnoise / quads[0].gain) ** 2) / u2a0 / Math.sqrt(3);
  const rngCat = new Rng(o.seed, 4);
  const rows = measure(sources, { exact: o.noiseless, g1, g2, psfFwhm: o.psfFwhm, skySigmaUjy }, rngCat);
  const usedIds = new Set(sources.map((s) => s.objectId));
  const newId = () => {
    for (;;) {
      const id = 20000000000000 + Math.floor(rngCat.uniform() * 1e13);
      if (!usedIds.has(id)) {
        usedIds.add(id);
        return id;
      }
    }
  };
  const inExt = sources.filter((s) => inBox(geo.extended, s.ra, s.dec));
  const spurious = o.noiseless ? [] : spuriousRows(2, inExt.length ? inExt : sources, newId, rngCat);
  const allRows = [...rows, ...spurious];
  const sourceIds = allRows.filter((r) => inBox(geo.extended, r.right_ascension, r.declination)).map((r) => r.object_id);
  const coreIds = allRows.filter((r) => inBox(geo.core, r.right_ascension, r.declination)).map((r) => r.object_id);

  // Quadrant images.
  const files = new Map<string, Uint8Array>();
  const groups = new Map<string, { q: QuadrantLayout; sci: FitsHduToWrite[]; bkg: FitsHduToWrite[]; wgt: FitsHduToWrite[]; psf: FitsHduToWrite[] }[]>();
  const quadTruth: SimTruth['quadrants'] = [];
  for (let k = 0; k < quads.length; k++) {
    const q = quads[k];
    const psf = new PsfField(randomPsfField(new Rng(o.seed, 100 + k), nx, ny, o.psfFwhm, PIXEL_SCALE));
    const u2a = ujyToAdu(q);
    const model = new Float64Array(nx * ny);
    let rendered = 0;
    for (const s of sources) {
      const st = renderSource(
        { ra: s.ra, dec: s.dec, fluxAdu: s.fluxUjy * u2a, star: s.star, hlr: s.hlr, e1: s.e1, e2: s.e2 },
        q.wcs,
        (x, y) => psf.at(x, y),
        nx,
        ny,
        { g1, g2, oversample: o.oversample },
      );
      if (!st) continue;
      rendered++;
      for (let j = 0; j < st.ny; j++) {
        const row = (st.y0 + j) * nx + st.x0;
        for (let i = 0; i < st.nx; i++) model[row + i] += st.data[j * st.nx + i];
      }
    }
    const px = applyDetector(
      model,
      { nx, ny, gain: q.gain, rdnoise: q.rdnoise, skyAdu: skyAdu(q), noiseScale: o.noise, noiseless: o.noiseless },
      new Rng(o.seed, 200 + k),
    );
    const common: HeaderEntries = [
      ['GAIN', q.gain, 'e-/ADU'],
      ['EXPTIME', q.exptime, 's'],
      ['MAGZEROP', q.magzerop, 'AB zero point for 1 ADU/s'],
      ['RDNOISE', q.rdnoise, 'e-'],
      ['OBS_ID', q.obsId],
      ['DITHOBS', q.dither],
      ['CCDID', q.ccd],
      ['QUADID', q.letter],
    ];
    const wcsCards = q.wcs.headerEntries() as HeaderEntries;
    const flagCards: HeaderEntries = [
      ['FLAGBIT0', 'INVALID', 'bit 0 (0x1): masked pixel'],
      ['FLAGBIT1', 'HOT', 'bit 1 (0x2): hot column'],
      ['FLAGBIT8', 'COSMIC', 'bit 8 (0x100): cosmic ray'],
    ];
    const sim: HeaderEntries = [['SIMULATD', true, 'shearwb simulate'], ['SIMSEED', o.seed]];
    const entry = {
      q,
      sci: [
        { kind: 'image' as const, header: [['EXTNAME', `${q.name}.SCI`], ...wcsCards, ...common, ['BUNIT', 'ADU'], ...sim] as HeaderEntries, data: px.sci, shape: [ny, nx] },
        { kind: 'image' as const, header: [['EXTNAME', `${q.name}.RMS`], ...wcsCards, ...common, ['BUNIT', 'ADU'], ...sim] as HeaderEntries, data: px.rms, shape: [ny, nx] },
        { kind: 'image' as const, header: [['EXTNAME', `${q.name}.FLG`], ...wcsCards, ...common, ...flagCards, ...sim] as HeaderEntries, data: px.flg, shape: [ny, nx] },
      ],
      bkg: [{ kind: 'image' as const, header: [['EXTNAME', q.name], ...common, ['BUNIT', 'ADU'], ...sim] as HeaderEntries, data: px.bkg, shape: [ny, nx] }],
      wgt: [{ kind: 'image' as const, header: [['EXTNAME', q.name], ...common, ['BUNIT', 'ADU-2', 'inverse variance, 0 where flagged'], ...sim] as HeaderEntries, data: px.wgt, shape: [ny, nx] }],
      psf: [{ kind: 'image' as const, header: [['EXTNAME', q.name], ...psf.headerEntries(), ['OBS_ID', q.obsId], ['DITHOBS', q.dither], ...sim] as HeaderEntries, data: psf.gridImage(), shape: [189, 189] }],
    };
    const list = groups.get(q.fileStem) ?? [];
    list.push(entry);
    groups.set(q.fileStem, list);
    const cd = q.wcs.p.cd;
    quadTruth.push({
      quadrant: q.name,
      sci_path: `exposures/${q.fileStem}_sci.fits`,
      ujy_to_adu: u2a,
      det_cd: cd[0] * cd[3] - cd[1] * cd[2],
      hot_column: px.hotColumn,
      cosmic_pixels: px.cosmicPixels,
      rendered,
    });
  }
  for (const [stem, list] of groups) {
    files.set(`exposures/${stem}_sci.fits`, encodeFits(list.flatMap((e) => e.sci)));
    files.set(`exposures/${stem}_bkg.fits`, encodeFits(list.flatMap((e) => e.bkg)));
    files.set(`exposures/${stem}_wgt.fits`, encodeFits(list.flatMap((e) => e.wgt)));
    files.set(`psf/${stem}_psf.fits`, encodeFits(list.flatMap((e) => e.psf)));
  }
  files.set('catalog.fits', encodeFits([catalogueHdu(allRows)]));

  // Truth.
  const byId = new Map(allRows.map((r) => [r.object_id, r]));
  const truthOf = (s: TrueSource): TruthSource => {
    const r = byId.get(s.objectId)!;
    const [dx, dy] = tangentUV(r.right_ascension, r.declination, s.ra, s.dec);
    return {
      object_id: s.objectId,
      ra: s.ra,
      dec: s.dec,
      cat_ra: r.right_ascension,
      cat_dec: r.declination,
      flux_ujy: s.fluxUjy,
      hlr: s.hlr,
      e1: s.e1,
      e2: s.e2,
      dx,
      dy,
      star: s.star,
      in_core: inBox(geo.core, r.right_ascension, r.declination),
      ...(s.ringOf !== undefined ? { ring_of: s.ringOf } : {}),
    };
  };
  const ext = new Set(sourceIds);
  const galaxies = sources.filter((s) => ext.has(s.objectId)).map(truthOf);
  const outside = sources.filter((s) => !ext.has(s.objectId)).map(truthOf);
  const { g1: _g1, g2: _g2, ...optRecord } = o;
  const truth: SimTruth = {
    g1,
    g2,
    seed: o.seed,
    options: optRecord,
    n_extended: galaxies.length,
    n_core: galaxies.filter((g) => g.in_core).length,
    ujy_to_adu: u2a0,
    quadrants: quadTruth,
    galaxies,
    outside,
    spurious_ids: spurious.map((r) => r.object_id),
  };
  files.set('truth.json', new TextEncoder().encode(`${JSON.stringify(truth, null, 1)}\n`));
  files.set('truth_params.fits', encodeFits([paramsHdu(galaxies, g1, g2)]));
  files.set('truth_params.parquet', paramsParquet(galaxies, g1, g2));

  // Manifest (relative paths), in the order of DESIGN §1.1.
  const manifest = {
    tile_id: o.tileId,
    sub_tile_row: o.subTileRow,
    sub_tile_col: o.subTileCol,
    sky_bounds: {
      core_ra: geo.core.ra,
      core_dec: geo.core.dec,
      extended_ra: geo.extended.ra,
      extended_dec: geo.extended.dec,
    },
    quadrants: quads.map((q) => ({
      sci_path: `exposures/${q.fileStem}_sci.fits`,
      bkg_path: `exposures/${q.fileStem}_bkg.fits`,
      wgt_path: `exposures/${q.fileStem}_wgt.fits`,
      psf_path: `psf/${q.fileStem}_psf.fits`,
      quadrant: q.name,
      obs_id: q.obsId,
      dither: q.dither,
      ccd: q.ccd,
    })),
    source_catalog: 'catalog.fits',
    source_ids: sourceIds,
    core_source_ids: coreIds,
  };
  const header = `# Simulated sub-tile (shearwb simulate, seed ${o.seed}): g1 = ${g1}, g2 = ${g2}; truth in truth.json\n`;
  files.set('manifest_local.yaml', new TextEncoder().encode(header + stringify(manifest)));
  return { files, truth };
}

/** Sky per pixel (ADU): 22.3 mag/arcsec² AB, like VIS's zodiacal background. */
function skyAdu(q: QuadrantLayout): number {
  return 10 ** ((23.9 - 22.3) / 2.5) * PIXEL_SCALE * PIXEL_SCALE * ujyToAdu(q);
}

function catalogueHdu(rows: CatalogueRow[]): FitsHduToWrite {
  const f64 = (k: keyof CatalogueRow) => Float64Array.from(rows, (r) => r[k]);
  const f32 = (k: keyof CatalogueRow) => Float32Array.from(rows, (r) => r[k]);
  const i16 = (k: keyof CatalogueRow) => Int16Array.from(rows, (r) => r[k]);
  return {
    kind: 'table',
    header: [['EXTNAME', 'CATALOGUE'], ['SIMULATD', true, 'shearwb simulate']],
    columns: [
      { name: 'object_id', data: BigInt64Array.from(rows, (r) => BigInt(r.object_id)) },
      { name: 'right_ascension', data: f64('right_ascension'), unit: 'deg' },
      { name: 'declination', data: f64('declination'), unit: 'deg' },
      { name: 'flux_detection_total', data: f32('flux_detection_total'), unit: 'uJy' },
      { name: 'fluxerr_detection_total', data: f32('fluxerr_detection_total'), unit: 'uJy' },
      { name: 'semimajor_axis', data: f32('semimajor_axis'), unit: 'pixel' },
      { name: 'ellipticity', data: f32('ellipticity') },
      { name: 'position_angle', data: f32('position_angle'), unit: 'deg' },
      { name: 'vis_det', data: i16('vis_det') },
      { name: 'spurious_flag', data: i16('spurious_flag') },
      { name: 'point_like_flag', data: i16('point_like_flag') },
      { name: 'det_quality_flag', data: Int32Array.from(rows, (r) => r.det_quality_flag) },
      { name: 'deblended_flag', data: i16('deblended_flag') },
    ],
  };
}

const PARAM_COLS = [
  ['FLUX', 'flux_ujy', 'uJy'],
  ['HLR', 'hlr', 'arcsec'],
  ['E1', 'e1', ''],
  ['E2', 'e2', ''],
  ['DX', 'dx', 'arcsec'],
  ['DY', 'dy', 'arcsec'],
] as const;

function paramsHdu(g: TruthSource[], g1: number, g2: number): FitsHduToWrite {
  return {
    kind: 'table',
    header: [['EXTNAME', 'PARAMS'], ['G1', g1, 'true reduced shear'], ['G2', g2, 'true reduced shear'], ['SIMULATD', true, 'shearwb simulate']],
    columns: [
      { name: 'OBJECT_ID', data: BigInt64Array.from(g, (s) => BigInt(s.object_id)) },
      ...PARAM_COLS.map(([name, k, unit]) => ({ name, data: Float64Array.from(g, (s) => s[k]), ...(unit ? { unit } : {}) })),
    ],
  };
}

function paramsParquet(g: TruthSource[], g1: number, g2: number): Uint8Array {
  const buf = parquetWriteBuffer({
    columnData: [
      { name: 'OBJECT_ID', data: BigInt64Array.from(g, (s) => BigInt(s.object_id)), type: 'INT64' },
      ...PARAM_COLS.map(([name, k]) => ({ name, data: Float64Array.from(g, (s) => s[k]), type: 'DOUBLE' as const })),
    ],
    kvMetadata: [
      { key: 'G1', value: String(g1) },
      { key: 'G2', value: String(g2) },
    ],
    createdBy: 'shearwb simulate',
  });
  return new Uint8Array(buf);
}

/** Writes a simulated sub-tile under `outdir` (created if needed); returns the truth. */
export async function writeSubtile(outdir: string, opts: SimOptions = {}): Promise<SimResult> {
  const res = await simulateSubtile(opts);
  for (const [rel, bytes] of res.files) {
    const p = join(outdir, rel);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, bytes);
  }
  return res;
}
