// Results of the workbench as a params table (DESIGN §3, src/data/products) and back.
// Saved tables hold every fitted source (core and margin, KIND column) so reopening one restores the
// whole model; `shearwb run` tables hold core sources only — the others then keep their start values.
import { mapParamsToScene } from '../../engine/render-params';
import type { ParamRow, ParamsHeader, ReadParams } from '../../data/products/params';
import type { Scene } from '../../reference/scene';

export interface SourceMetaLike {
  objectId: number;
  kind: 'galaxy' | 'star';
  ra: number;
  dec: number;
  nQuadrants: number;
}

/** Rows of a params table for the parameter vector (scene order), with errors and per-source χ² when known. */
export function resultRows(
  sources: SourceMetaLike[],
  offsets: ArrayLike<number>,
  params: Float64Array,
  sigma: Float64Array | null,
  chi2: ArrayLike<number> | null,
): ParamRow[] {
  return sources.map((s, i) => {
    const o = offsets[i];
    const v = (k: number) => params[o + k];
    const e = (k: number) => (sigma ? sigma[o + k] : NaN);
    const gal = s.kind === 'galaxy';
    return {
      objectId: s.objectId,
      ra: s.ra,
      dec: s.dec,
      flux: v(0),
      hlr: gal ? v(1) : NaN,
      e1: gal ? v(2) : NaN,
      e2: gal ? v(3) : NaN,
      dx: gal ? v(4) : v(1),
      dy: gal ? v(5) : v(2),
      fluxErr: e(0),
      hlrErr: gal ? e(1) : NaN,
      e1Err: gal ? e(2) : NaN,
      e2Err: gal ? e(3) : NaN,
      dxErr: gal ? e(4) : e(1),
      dyErr: gal ? e(5) : e(2),
      kind: s.kind,
      nQuadrants: s.nQuadrants,
      chi2: chi2 ? chi2[i] : NaN,
    };
  });
}

export function resultHeader(params: Float64Array, g1Err: number | null, g2Err: number | null, key: Omit<ParamsHeader, 'g1' | 'g2' | 'g1Err' | 'g2Err'>): ParamsHeader {
  return { g1: params[0], g2: params[1], ...(g1Err !== null ? { g1Err } : {}), ...(g2Err !== null ? { g2Err } : {}), ...key };
}

export interface LoadedResults {
  params: Float64Array;
  /** Errors in parameter layout where the table has them (NaN elsewhere), or null without error columns. */
  sigma: Float64Array | null;
  g1Err: number | null;
  g2Err: number | null;
  /** Per scene source, from the table's CHI2 column (NaN when absent). */
  chi2: Float64Array;
  /** Scene sources the table has no row for (kept at their start values). */
  missing: number;
  unused: number;
}

/** A params table mapped onto a scene; sources without a row keep `start`'s values. */
export function resultsToParams(scene: Scene, table: ReadParams, start: Float64Array, where: string): LoadedResults {
  const mapped = mapParamsToScene(scene, table, { missing: 'zero', context: where });
  const params = Float64Array.from(mapped.vector);
  let o = 2;
  const offsets = scene.sources.map((s) => {
    const at = o;
    o += s.kind === 'galaxy' ? 6 : 3;
    return at;
  });
  for (const m of mapped.missing) {
    const k = scene.sources[m.index].kind === 'galaxy' ? 6 : 3;
    for (let j = 0; j < k; j++) params[offsets[m.index] + j] = start[offsets[m.index] + j];
  }
  const byId = new Map(table.rows.map((r) => [String(r.objectId), r]));
  const hasErr = table.rows.some((r) => r.fluxErr !== undefined);
  const sigma = hasErr ? new Float64Array(params.length).fill(NaN) : null;
  const chi2 = new Float64Array(scene.sources.length).fill(NaN);
  const num = (v: number | undefined) => (typeof v === 'number' ? v : NaN);
  const g1Err = Number(table.meta.get('G1_ERR') ?? NaN);
  const g2Err = Number(table.meta.get('G2_ERR') ?? NaN);
  if (sigma) {
    sigma[0] = g1Err;
    sigma[1] = g2Err;
  }
  scene.sources.forEach((s, i) => {
    const r = byId.get(String(s.id));
    if (!r) return;
    chi2[i] = num(r.chi2);
    if (!sigma) return;
    const errs = s.kind === 'galaxy' ? [r.fluxErr, r.hlrErr, r.e1Err, r.e2Err, r.dxErr, r.dyErr] : [r.fluxErr, r.dxErr, r.dyErr];
    errs.forEach((e, k) => (sigma[offsets[i] + k] = num(e)));
  });
  return {
    params,
    sigma,
    g1Err: Number.isFinite(g1Err) ? g1Err : null,
    g2Err: Number.isFinite(g2Err) ? g2Err : null,
    chi2,
    missing: mapped.missing.length,
    unused: mapped.unused,
  };
}
