// File names of the per-sub-tile products (DESIGN §3) and of the done-marker.

export type TileId = number | bigint;

export interface SubtileKey {
  tileId: TileId;
  row: number;
  col: number;
}

export function subtileStem(k: SubtileKey): string {
  return `${String(k.tileId)}_${k.row}_${k.col}`;
}

export const productNames = (k: SubtileKey) => {
  const s = subtileStem(k);
  return {
    shearFits: `shear_${s}.fits`,
    shearParquet: `shear_${s}.parquet`,
    paramsFits: `params_${s}.fits`,
    paramsParquet: `params_${s}.parquet`,
    diagnostics: `diagnostics_${s}.png`,
    metadata: `metadata_${s}.yaml`,
    done: `done_${s}.json`,
  };
};

/** `params_102159490_2_1.parquet` → key; undefined when the name does not follow the pattern. */
export function parseProductName(name: string): (SubtileKey & { product: string; ext: string }) | undefined {
  const m = /^([a-z]+)_(-?\d+)_(-?\d+)_(-?\d+)\.([a-z.]+)$/i.exec(name);
  if (!m) return undefined;
  const id = BigInt(m[2]!);
  const tileId = id <= BigInt(Number.MAX_SAFE_INTEGER) && id >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : id;
  return { product: m[1]!, tileId, row: Number(m[3]), col: Number(m[4]), ext: m[5]! };
}

/** Header / key-value entries naming the sub-tile (FITS keywords are at most 8 characters). */
export function subtileMeta(tileId: TileId, row: number, col: number): Array<[string, string | number, string]> {
  const t = typeof tileId === 'bigint' && !Number.isSafeInteger(Number(tileId)) ? String(tileId) : Number(tileId);
  return [
    ['TILE_ID', t, 'MER tile'],
    ['SUB_ROW', row, 'sub-tile row'],
    ['SUB_COL', col, 'sub-tile column'],
  ];
}
