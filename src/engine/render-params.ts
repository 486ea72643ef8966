// A parameter table (DESIGN §3: OBJECT_ID, FLUX, HLR, E1, E2, DX, DY; G1, G2 in the header)
// mapped onto a scene's parameter vector (layout of src/reference/scene.ts), by OBJECT_ID.
//
// Scene sources without a row: by default an error that lists them — a table written for another
// sub-tile, or a catalogue selection that differs from the one the table was fitted with, would
// otherwise render a quietly incomplete model. With `missing: 'zero'` they are rendered with flux 0
// (and reported), for tables that deliberately cover part of a scene.
// Rows whose OBJECT_ID is not in the scene (outside the extended area, dropped by the selection)
// are ignored and counted: a table may describe more than one manifest selects.
import { paramCount, sourceOffsets, type Scene } from '../reference/scene';

export type MissingPolicy = 'error' | 'zero';

/** One row of a parameter table as far as rendering needs it (src/data/products readParamsTable rows fit). */
export interface ParamsTableRow {
  objectId: number | bigint | string;
  /** Absent: galaxy unless hlr is NaN. */
  kind?: 'galaxy' | 'star';
  flux: number;
  hlr: number;
  e1: number;
  e2: number;
  dx: number;
  dy: number;
}

export interface ParamsTableLike {
  g1: number;
  g2: number;
  rows: ParamsTableRow[];
}

export interface MappedParams {
  /** Parameter vector in scene order (float64). */
  vector: Float64Array;
  /** Scene sources that took their values from a row. */
  rendered: number;
  /** Scene sources without a row (rendered with flux 0; empty under the default policy, which throws). */
  missing: Array<{ index: number; id: string; kind: 'galaxy' | 'star' }>;
  /** Rows whose OBJECT_ID is not in the scene. */
  unused: number;
  /** The first few unused OBJECT_IDs, for messages. */
  unusedIds: string[];
}

const idKey = (v: number | bigint | string | undefined): string => String(v).trim();

function listIds(ids: string[], max = 10): string {
  return ids.slice(0, max).join(', ') + (ids.length > max ? `, … (${ids.length} in all)` : '');
}

export function mapParamsToScene(
  scene: Scene,
  table: ParamsTableLike,
  opts: { missing?: MissingPolicy; context?: string } = {},
): MappedParams {
  const where = opts.context ?? 'parameter table';
  const policy = opts.missing ?? 'error';
  if (!(Number.isFinite(table.g1) && Number.isFinite(table.g2)))
    throw new RangeError(`${where}: G1, G2 = (${table.g1}, ${table.g2}) must be finite`);
  if (!(table.g1 * table.g1 + table.g2 * table.g2 < 1)) throw new RangeError(`${where}: |G| = ${Math.hypot(table.g1, table.g2)} must be below 1`);

  const byId = new Map<string, { row: ParamsTableRow; index: number }>();
  table.rows.forEach((row, index) => {
    const k = idKey(row.objectId);
    const prev = byId.get(k);
    if (prev) throw new Error(`${where}: OBJECT_ID ${k} appears twice (rows ${prev.index} and ${index})`);
    byId.set(k, { row, index });
  });

  const vector = new Float64Array(paramCount(scene));
  vector[0] = table.g1;
  vector[1] = table.g2;
  const offsets = sourceOffsets(scene);
  const missing: MappedParams['missing'] = [];
  const used = new Set<string>();
  let rendered = 0;
  scene.sources.forEach((s, i) => {
    if (s.id === undefined) throw new Error(`${where}: scene source ${i} has no object id to match OBJECT_ID against`);
    const k = idKey(s.id);
    const o = offsets[i];
    const hit = byId.get(k);
    if (!hit) {
      missing.push({ index: i, id: k, kind: s.kind });
      // Flux 0 renders nothing; the shape values only have to be valid.
      if (s.kind === 'galaxy') vector.set([0, s.catalogHlr ?? 0.3, 0, 0, 0, 0], o);
      else vector.set([0, 0, 0], o);
      return;
    }
    used.add(k);
    const r = hit.row;
    const at = `${where}: row ${hit.index} (OBJECT_ID ${k})`;
    const rowKind = r.kind ?? (Number.isNaN(r.hlr) ? 'star' : 'galaxy');
    if (rowKind !== s.kind)
      throw new Error(
        `${at} is a ${rowKind} in the table but a ${s.kind} in the scene (catalogue point_like_flag ${s.kind === 'star' ? '= 1' : '≠ 1'})`,
      );
    const finite = (name: string, v: number) => {
      if (!Number.isFinite(v)) throw new RangeError(`${at}: ${name} = ${v} is not finite`);
      return v;
    };
    const flux = finite('FLUX', r.flux);
    if (flux < 0) throw new RangeError(`${at}: FLUX = ${flux} is negative`);
    if (s.kind === 'galaxy') {
      const hlr = finite('HLR', r.hlr);
      if (!(hlr > 0)) throw new RangeError(`${at}: HLR = ${hlr} must be > 0`);
      const e1 = finite('E1', r.e1);
      const e2 = finite('E2', r.e2);
      if (!(e1 * e1 + e2 * e2 < 1)) throw new RangeError(`${at}: |E| = ${Math.hypot(e1, e2)} must be below 1`);
      vector.set([flux, hlr, e1, e2, finite('DX', r.dx), finite('DY', r.dy)], o);
    } else {
      vector.set([flux, finite('DX', r.dx), finite('DY', r.dy)], o);
    }
    rendered++;
  });

  if (missing.length > 0 && policy === 'error')
    throw new Error(
      `${where}: ${missing.length} of the scene's ${scene.sources.length} sources have no row (OBJECT_ID ${listIds(missing.map((m) => m.id))}); ` +
        `the table does not match this manifest's selection (render them with flux 0: missing = 'zero', CLI --missing zero)`,
    );
  const unusedIds = [...byId.keys()].filter((k) => !used.has(k));
  return { vector, rendered, missing, unused: unusedIds.length, unusedIds: unusedIds.slice(0, 10) };
}
