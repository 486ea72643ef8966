// What a fit will model, decided once on the CPU from the exposure set: the scene handed to the
// engine (sources and visible pairs with data under them), the per-source metadata the products
// need, and a report of everything left out and why (DESIGN §1.4, §2; issue 4 "bad numbers").
//
// Rules:
// - catalogue rows the selection dropped are listed with their reasons (zero flux, low SNR, …);
// - a (source, quadrant) pair whose clipped stamp has no pixel with ivar > 0 carries no
//   information: it is left out (the source's N_QUADRANTS does not count it);
// - a source left with no pair (outside every quadrant, or every stamp fully masked) is not
//   fitted: its parameters would be its prior alone, and the Laplace block would say nothing;
// - a quadrant with no visible source is kept (its pixels simply add nothing) and noted;
// - masked pixels (flagged, RMS or SCI not finite) are counted per quadrant.
// Pure data in, pure data out: no DOM, no Node, no GPU, so the workbench worker can use it too.

import type { ExposureSet } from '../data/exposure-set';
import { exposureSetToScene } from '../data/scene';
import { forEachClipped, type Pair, type Scene } from '../reference/scene';

export interface FitSourceMeta {
  objectId: number;
  kind: 'galaxy' | 'star';
  ra: number;
  dec: number;
  /** In core_source_ids: reported in the products. */
  core: boolean;
  /** Catalogue flux (µJy) and initial hlr (arcsec): the start point and the prior medians. */
  catalogFlux: number;
  catalogHlr: number;
  /** Quadrants whose stamp has at least one unmasked pixel. */
  nQuadrants: number;
}

export type FitDropStage = 'selection' | 'visibility' | 'mask' | 'uncertainty';

export interface FitDrop {
  objectId?: number;
  /** What was dropped: 'catalogue row', 'source', 'pair <quadrant>', … */
  what: string;
  stage: FitDropStage;
  reason: string;
}

export interface QuadrantNote {
  index: number;
  name: string;
  pixels: number;
  /** Pixels with ivar > 0. */
  valid: number;
  flagged: number;
  /** RMS not finite or ≤ 0. */
  badRms: number;
  /** SCI not finite (NaN/∞). */
  badSci: number;
  /** Visible pairs kept in the fit. */
  pairs: number;
  /** Set when the quadrant has no visible source (it is kept). */
  note?: string;
}

export interface FitReport {
  /** Everything left out, with the reason; catalogue rows outside source_ids are only counted. */
  dropped: FitDrop[];
  /** Catalogue rows dropped by the selection, per first reason (all of them, incl. 'not in source_ids'). */
  selectionCounts: Record<string, number>;
  quadrants: QuadrantNote[];
  warnings: string[];
}

export interface FitPlan {
  scene: Scene;
  /** Parallel to scene.sources. */
  sources: FitSourceMeta[];
  report: FitReport;
  tileId: number;
  subTileRow: number;
  subTileCol: number;
  /** Centre of the core area, degrees. */
  coreRa: number;
  coreDec: number;
}

/** True when some pixel of the pair's clipped stamp has ivar > 0. */
function pairHasData(pair: Pair, scene: Scene): boolean {
  const q = scene.quadrants[pair.quadrant];
  let any = false;
  // forEachClipped has no early exit; stamps are at most a few hundred pixels on a side.
  forEachClipped(pair, q, (_, k) => {
    if (q.ivar[k] > 0) any = true;
  });
  return any;
}

export function planFit(set: ExposureSet): FitPlan {
  const full = exposureSetToScene(set);
  const dropped: FitDrop[] = [];
  for (const d of set.dropped) {
    if (d.reasons[0] === 'not in source_ids') continue; // the catalogue subset's other rows: counted only
    dropped.push({ objectId: d.object_id, what: 'catalogue row', stage: 'selection', reason: d.reasons.join(', ') });
  }
  for (const id of set.missingIds) dropped.push({ objectId: id, what: 'source_ids entry', stage: 'selection', reason: 'not in the catalogue' });

  // Pairs with data, per source.
  const kept: Pair[][] = full.sources.map(() => []);
  const everVisible = new Array<boolean>(full.sources.length).fill(false);
  for (const p of full.pairs) {
    everVisible[p.source] = true;
    if (pairHasData(p, full)) kept[p.source].push(p);
    else
      dropped.push({
        objectId: set.sources[p.source].object_id,
        what: `pair in quadrant ${set.quadrants[p.quadrant].name}`,
        stage: 'mask',
        reason: 'stamp fully masked (no pixel with ivar > 0)',
      });
  }

  const newIndex = new Int32Array(full.sources.length).fill(-1);
  const sources: FitSourceMeta[] = [];
  const sceneSources: Scene['sources'] = [];
  full.sources.forEach((s, i) => {
    const es = set.sources[i];
    if (kept[i].length === 0) {
      dropped.push({
        objectId: es.object_id,
        what: 'source',
        stage: everVisible[i] ? 'mask' : 'visibility',
        reason: everVisible[i] ? 'every stamp fully masked: no data constrain it; not fitted' : 'visible in no quadrant; not fitted',
      });
      return;
    }
    newIndex[i] = sources.length;
    sceneSources.push(s);
    sources.push({
      objectId: es.object_id,
      kind: es.kind,
      ra: es.ra,
      dec: es.dec,
      core: es.core,
      catalogFlux: es.flux,
      catalogHlr: es.hlr,
      nQuadrants: new Set(kept[i].map((p) => p.quadrant)).size,
    });
  });
  // Keep the engine's pair order (tier, quadrant, source): exposureSetToScene's order, filtered.
  const keptSet = new Set(kept.flat());
  const pairs = full.pairs.filter((p) => newIndex[p.source] >= 0 && keptSet.has(p)).map((p) => ({ ...p, source: newIndex[p.source] }));
  const scene: Scene = { quadrants: full.quadrants, sources: sceneSources, pairs, ...(full.psfGrids ? { psfGrids: full.psfGrids } : {}) };

  const pairsPer = new Array<number>(set.quadrants.length).fill(0);
  for (const p of pairs) pairsPer[p.quadrant]++;
  const quadrants: QuadrantNote[] = set.quadrants.map((q, k) => {
    const c = q.pixels?.counts;
    const note: QuadrantNote = {
      index: q.index,
      name: q.name,
      pixels: q.nx * q.ny,
      valid: c?.valid ?? 0,
      flagged: c?.flagged ?? 0,
      badRms: c?.badRms ?? 0,
      badSci: c?.badSci ?? 0,
      pairs: pairsPer[k],
    };
    if (pairsPer[k] === 0) note.note = 'no visible source with data: kept, adds nothing to the fit';
    return note;
  });
  const warnings = [...set.warnings];
  for (const q of quadrants) {
    if (q.badSci || q.badRms)
      warnings.push(`quadrant ${q.name}: ${q.badSci} pixels with non-finite SCI and ${q.badRms} with non-finite or non-positive RMS masked`);
    if (q.note) warnings.push(`quadrant ${q.name}: ${q.note}`);
  }
  const selectionCounts: Record<string, number> = {};
  for (const [k, v] of Object.entries(set.dropCounts)) if (v) selectionCounts[k] = v;
  const m = set.manifest;
  const mid = (r: readonly number[]) => (r[0] + r[1]) / 2;
  // RA ranges may cross 0h (e.g. [359.9, 0.1]).
  const midRa = (r: readonly number[]) => (r[1] >= r[0] ? mid(r) : (((r[0] + r[1] + 360) / 2) % 360));
  return {
    scene,
    sources,
    report: { dropped, selectionCounts, quadrants, warnings },
    tileId: m.tile_id,
    subTileRow: m.sub_tile_row,
    subTileCol: m.sub_tile_col,
    coreRa: midRa(m.sky_bounds.core_ra),
    coreDec: mid(m.sky_bounds.core_dec),
  };
}
