// The exposure set (DESIGN §4): everything per quadrant and per (source, quadrant) that the engine
// needs, computed once on the CPU from the manifest — pixel positions, Jacobians, stamp tiers and
// corners, visibility, interpolated PSFs, background-subtracted pixels and inverse variance.
// Plain data and typed arrays only, so that it crosses a worker boundary by structured clone.
import { readCatalogue, selectSources, type DroppedRow, type DropReason, type SelectionConfig } from './catalogue';
import { openFits, type FitsFile, type HduInfo } from './fits/index';
import { aduPerMicroJy } from './flux';
import { loadManifest, type Manifest, type ManifestQuadrant } from './manifest';
import { buildInverseVariance, subtractBackground, zeroMasked, type MaskCounts } from './noise';
import { psfAt, psfGridFromImage, type PsfGrid } from './psf';
import { openSource, type StorageOptions } from './storage/index';
import type { Tier } from './tiers';
import { wcsFromHeader, type Wcs, type WcsKind } from './wcs/index';
import { stampPlacement, stampVisible, tierFor, type Jac } from './exposure/geometry';

export type { Jac } from './exposure/geometry';

export interface PrepareProgress {
  stage: 'manifest' | 'headers' | 'catalogue' | 'psf' | 'pixels' | 'geometry' | 'done';
  file?: string;
  loaded?: number;
  total?: number;
}

export interface PrepareOptions {
  storage?: StorageOptions;
  selection?: SelectionConfig;
  /** FLG bits that mask a pixel; default 0x1 (INVALID). */
  maskBits?: number;
  /** Read SCI/RMS/FLG/BKG pixels (default true); false gives headers, PSF and catalogue geometry only. */
  pixels?: boolean;
  onProgress?: (p: PrepareProgress) => void;
}

export interface QuadrantPixels {
  /** SCI − background (ADU), 0 where ivar is 0; row-major, index = y·nx + x. */
  data: Float32Array;
  /** 1/RMS², 0 for flagged pixels, RMS not finite and positive, or SCI not finite. */
  ivar: Float32Array;
  counts: MaskCounts;
  background: { method: 'map' | 'clipped-median'; level: number };
}

export interface ExposureQuadrant {
  /** Position in the manifest's quadrant list. */
  index: number;
  /** HDU name prefix, e.g. "3-4.F". */
  name: string;
  obs_id: string;
  dither: string;
  ccd: string;
  sciUrl: string;
  sciHdu: string;
  psfUrl: string;
  psfHdu: string;
  bkgUrl?: string;
  nx: number;
  ny: number;
  wcsKind: WcsKind;
  /** Sky position (degrees) of the outer corners of pixels (0,0), (nx,0), (nx,ny), (0,ny): [-0.5, -0.5] … */
  footprint: Array<[ra: number, dec: number]>;
  aduPerUJy: number;
  psf: PsfGrid;
  /** Absent when prepared with pixels: false. */
  pixels?: QuadrantPixels;
}

export interface ExposureSource {
  object_id: number;
  /** Catalogue row (0-based). */
  row: number;
  kind: 'galaxy' | 'star';
  ra: number;
  dec: number;
  /** Catalogue flux, µJy. */
  flux: number;
  snr: number;
  /** Initial half-light radius, arcsec. */
  hlr: number;
  /** Catalogue ellipticity (NaN when the column is absent). */
  ellipticity: number;
  core: boolean;
  /** Largest tier over the quadrants where the source has a position (the tier at catalogue scale otherwise). */
  tier: Tier;
}

export interface ExposurePair {
  source: number;
  quadrant: number;
  /** 0-based pixel position of the catalogue RA/Dec; NaN when the inverse WCS fails. */
  x: number;
  y: number;
  /** [dudx, dudy, dvdx, dvdy] arcsec/px at (x, y); at the quadrant centre when (x, y) is NaN. */
  jac: Jac;
  /** Stamp side N. */
  tier: Tier;
  /** Integer stamp corner (NaN with the position). */
  x0: number;
  y0: number;
  delta0: [number, number];
  visible: boolean;
  /** Index of this pair's PSF in ExposureSet.psfs (units of psfSize² values); −1 when not visible. */
  psfIndex: number;
}

export interface VisibleList {
  tier: Tier;
  quadrant: number;
  /** Indices into ExposureSet.pairs, in source order. */
  pairs: Int32Array;
}

export interface ExposureSet {
  manifest: Manifest;
  catalogueUrl: string;
  catalogueRows: number;
  quadrants: ExposureQuadrant[];
  sources: ExposureSource[];
  /** Every (source, quadrant): index = source · quadrants.length + quadrant. */
  pairs: ExposurePair[];
  /** PSF side s (the same for all quadrants). */
  psfSize: number;
  /** Unit-sum interpolated PSFs of the visible pairs, s² values each (float64 keeps the sum at 1). */
  psfs: Float64Array;
  /** Visible pairs per (tier, quadrant), sorted by tier then quadrant. */
  visible: VisibleList[];
  dropped: Array<{ object_id: number; row: number; reasons: DropReason[] }>;
  /** Dropped rows per first reason. */
  dropCounts: Partial<Record<DropReason, number>>;
  /** source_ids the catalogue does not have. */
  missingIds: number[];
  maskBits: number;
  warnings: string[];
}

/** One FitsFile per distinct URL: several quadrants may share a file. */
class FitsCache {
  private readonly files = new Map<string, Promise<FitsFile>>();
  constructor(private readonly storage: StorageOptions | undefined) {}
  open(url: string): Promise<FitsFile> {
    let f = this.files.get(url);
    if (!f) {
      f = openFits(openSource(url, this.storage));
      this.files.set(url, f);
    }
    return f;
  }
}

function quadLabel(q: ManifestQuadrant): string {
  return `quadrants[${q.index}] (${q.quadrant})`;
}

/** The HDU, or an error naming the manifest entry, the file and the HDUs present. */
function findHdu(f: FitsFile, name: string, q: ManifestQuadrant, field: string): HduInfo {
  try {
    return f.hdu(name);
  } catch {
    const present = f.hdus.map((h) => h.extname || String(h.index)).join(', ');
    throw new Error(`${f.url}: HDU '${name}' not found (needed by ${quadLabel(q)}.${field}); HDUs present: ${present}`);
  }
}

function imageShape(h: HduInfo, url: string): [ny: number, nx: number] {
  if ((h.kind !== 'image' && h.kind !== 'compressed-image') || h.shape.length !== 2)
    throw new Error(`${url}[${h.extname}]: expected a 2-D image, found ${h.kind} of shape [${h.shape.join(', ')}]`);
  return [h.shape[0], h.shape[1]];
}

async function prepareQuadrant(
  q: ManifestQuadrant,
  cache: FitsCache,
  opts: PrepareOptions,
  maskBits: number,
): Promise<{ quad: ExposureQuadrant; wcs: Wcs }> {
  const progress = opts.onProgress;
  progress?.({ stage: 'headers', file: q.sciUrl });
  const sci = await cache.open(q.sciUrl);
  const sciName = `${q.quadrant}.SCI`;
  const sciHdu = findHdu(sci, sciName, q, 'sci_path');
  const [ny, nx] = imageShape(sciHdu, sci.url);
  const ctx = `${sci.url}[${sciName}]`;
  const wcs = wcsFromHeader(sciHdu.header, ctx);
  const adu = aduPerMicroJy(sciHdu.header, ctx);
  const footprint: Array<[number, number]> = [
    wcs.pixToSky(-0.5, -0.5),
    wcs.pixToSky(nx - 0.5, -0.5),
    wcs.pixToSky(nx - 0.5, ny - 0.5),
    wcs.pixToSky(-0.5, ny - 0.5),
  ];

  progress?.({ stage: 'psf', file: q.psfUrl });
  const psfFile = await cache.open(q.psfUrl);
  const psfHdu = findHdu(psfFile, q.quadrant, q, 'psf_path');
  const psfImage = await psfFile.readImage(psfHdu);
  const psf = psfGridFromImage(psfImage, psfHdu.header, [ny, nx], `${psfFile.url}[${q.quadrant}]`);

  const quad: ExposureQuadrant = {
    index: q.index,
    name: q.quadrant,
    obs_id: q.obs_id,
    dither: q.dither,
    ccd: q.ccd,
    sciUrl: sci.url,
    sciHdu: sciName,
    psfUrl: psfFile.url,
    psfHdu: q.quadrant,
    ...(q.bkgUrl !== undefined ? { bkgUrl: q.bkgUrl } : {}),
    nx,
    ny,
    wcsKind: wcs.kind,
    footprint,
    aduPerUJy: adu,
    psf,
  };
  if (opts.pixels !== false) quad.pixels = await readPixels(q, sci, sciHdu, [ny, nx], cache, maskBits, progress);
  return { quad, wcs };
}

async function readPixels(
  q: ManifestQuadrant,
  sci: FitsFile,
  sciHdu: HduInfo,
  shape: [number, number],
  cache: FitsCache,
  maskBits: number,
  progress: PrepareOptions['onProgress'],
): Promise<QuadrantPixels> {
  const read = async (f: FitsFile, h: HduInfo) => {
    const got = imageShape(h, f.url);
    if (got[0] !== shape[0] || got[1] !== shape[1])
      throw new Error(`${f.url}[${h.extname}]: shape [${got.join(', ')}] differs from ${sci.url}[${sciHdu.extname}] [${shape.join(', ')}] (${quadLabel(q)})`);
    const img = await f.readImage(h, (p) => progress?.({ stage: 'pixels', file: `${f.url}[${h.extname}]`, loaded: p.loaded, total: p.total }));
    return img.data;
  };
  const sciData = await read(sci, sciHdu);
  const rms = await read(sci, findHdu(sci, `${q.quadrant}.RMS`, q, 'sci_path'));
  const flg = await read(sci, findHdu(sci, `${q.quadrant}.FLG`, q, 'sci_path'));
  let bkg: Float32Array | Float64Array | null = null;
  if (q.bkgUrl !== undefined) {
    const bf = await cache.open(q.bkgUrl);
    bkg = await read(bf, findHdu(bf, q.quadrant, q, 'bkg_path'));
  }
  const ctx = `${sci.url}[${q.quadrant}]`;
  const { ivar, counts } = buildInverseVariance(rms, flg, { maskBits, sci: sciData, context: ctx });
  // The clipped median (no map) leaves out flagged pixels: cosmic rays and hot columns would bias it.
  const exclude = bkg ? undefined : Uint8Array.from(ivar, (w) => (w > 0 ? 0 : 1));
  const sub = subtractBackground(sciData, bkg, { context: ctx, exclude });
  return { data: zeroMasked(sub.image, ivar), ivar, counts, background: { method: sub.method, level: sub.level } };
}

/** Prepare the exposure set of a manifest (see the file header). */
export async function prepareExposureSet(manifestUrl: string, opts: PrepareOptions = {}): Promise<ExposureSet> {
  const maskBits = opts.maskBits ?? 0x1;
  const progress = opts.onProgress;
  progress?.({ stage: 'manifest', file: manifestUrl });
  const manifest = await loadManifest(manifestUrl, opts.storage);
  const cache = new FitsCache(opts.storage);

  // Quadrants one after another: bounded memory, and shared files are opened once by the cache.
  const quadrants: ExposureQuadrant[] = [];
  const wcses: Wcs[] = [];
  for (const q of manifest.quadrants) {
    const { quad, wcs } = await prepareQuadrant(q, cache, opts, maskBits);
    quadrants.push(quad);
    wcses.push(wcs);
  }

  progress?.({ stage: 'catalogue', file: manifest.catalogUrl });
  const cat = await openFits(openSource(manifest.catalogUrl, opts.storage));
  const tableHdu = cat.hdus.find((h) => h.kind === 'table');
  if (!tableHdu)
    throw new Error(`${cat.url}: no binary table HDU for the source catalogue; HDUs present: ${cat.hdus.map((h) => `${h.extname || h.index} (${h.kind})`).join(', ')}`);
  const rows = readCatalogue(await cat.readTable(tableHdu), cat.url);
  const selection = selectSources(rows, manifest, opts.selection);

  progress?.({ stage: 'geometry' });
  const set = computeGeometry(quadrants, wcses, selection.sources, manifestUrl);
  const warnings = [...manifest.warnings];
  if (selection.missingIds.length > 0)
    warnings.push(`${cat.url}: ${selection.missingIds.length} of the manifest's source_ids are not in the catalogue (${selection.missingIds.slice(0, 5).join(', ')}${selection.missingIds.length > 5 ? ', …' : ''})`);
  const result: ExposureSet = {
    manifest,
    catalogueUrl: cat.url,
    catalogueRows: rows.length,
    quadrants,
    ...set,
    dropped: selection.dropped.map((d: DroppedRow) => ({ object_id: d.row.object_id, row: d.row.row, reasons: d.reasons })),
    dropCounts: selection.counts,
    missingIds: selection.missingIds,
    maskBits,
    warnings,
  };
  progress?.({ stage: 'done' });
  return result;
}

function computeGeometry(
  quadrants: ExposureQuadrant[],
  wcses: Wcs[],
  selected: ReturnType<typeof selectSources>['sources'],
  manifestUrl: string,
): Pick<ExposureSet, 'sources' | 'pairs' | 'psfSize' | 'psfs' | 'visible'> {
  const psfSize = quadrants.length > 0 ? quadrants[0].psf.size : 0;
  for (const q of quadrants)
    if (q.psf.size !== psfSize)
      throw new Error(`${q.psfUrl}[${q.psfHdu}]: PSF stamps are ${q.psf.size}×${q.psf.size}, other quadrants' are ${psfSize}×${psfSize} (${manifestUrl})`);
  const centreJac = quadrants.map((q, k) => wcses[k].jacobian((q.nx - 1) / 2, (q.ny - 1) / 2) as Jac);

  const pairs: ExposurePair[] = [];
  const psfChunks: Float64Array[] = [];
  const sources: ExposureSource[] = selected.map((s, si) => {
    const shape = { kind: s.kind, hlr: s.hlr, e: s.row.ellipticity };
    let tier: Tier | 0 = 0;
    quadrants.forEach((q, k) => {
      const [x, y] = wcses[k].skyToPix(s.row.ra, s.row.dec);
      const positioned = Number.isFinite(x) && Number.isFinite(y);
      const jac = (positioned ? wcses[k].jacobian(x, y) : centreJac[k]) as Jac;
      const n = tierFor(shape, jac, q.psf.size);
      if (positioned && n > tier) tier = n;
      const { x0, y0, delta0 } = stampPlacement(x, y, n);
      const visible = stampVisible(x0, y0, n, q.nx, q.ny);
      let psfIndex = -1;
      if (visible) {
        psfIndex = psfChunks.length;
        psfChunks.push(psfAt(q.psf, x, y));
      }
      pairs.push({ source: si, quadrant: k, x, y, jac, tier: n, x0, y0, delta0, visible, psfIndex });
    });
    if (tier === 0) tier = tierFor(shape, centreJac[0] ?? [0.1, 0, 0, 0.1], psfSize || 21);
    return {
      object_id: s.object_id,
      row: s.row.row,
      kind: s.kind,
      ra: s.row.ra,
      dec: s.row.dec,
      flux: s.row.flux,
      snr: s.snr,
      hlr: s.hlr,
      ellipticity: s.row.ellipticity,
      core: s.core,
      tier: tier as Tier,
    };
  });

  const psfs = new Float64Array(psfChunks.length * psfSize * psfSize);
  psfChunks.forEach((p, i) => psfs.set(p, i * psfSize * psfSize));

  const lists = new Map<string, { tier: Tier; quadrant: number; idx: number[] }>();
  pairs.forEach((p, i) => {
    if (!p.visible) return;
    const key = `${p.tier}/${p.quadrant}`;
    let l = lists.get(key);
    if (!l) lists.set(key, (l = { tier: p.tier, quadrant: p.quadrant, idx: [] }));
    l.idx.push(i);
  });
  const visible = [...lists.values()]
    .sort((a, b) => a.tier - b.tier || a.quadrant - b.quadrant)
    .map((l) => ({ tier: l.tier, quadrant: l.quadrant, pairs: Int32Array.from(l.idx) }));
  return { sources, pairs, psfSize, psfs, visible };
}

/** The big buffers of a set, to hand to postMessage / Comlink.transfer (the set is unusable afterwards). */
export function exposureSetTransferables(set: ExposureSet): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const add = (a: { buffer: ArrayBufferLike }) => {
    if (a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  };
  add(set.psfs);
  for (const q of set.quadrants) {
    add(q.psf.stamps);
    if (q.pixels) {
      add(q.pixels.data);
      add(q.pixels.ivar);
    }
  }
  for (const l of set.visible) add(l.pairs);
  return [...out];
}
