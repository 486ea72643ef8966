// The one-row shear table of a sub-tile (DESIGN §3), FITS and Parquet with identical column types.
import { column, encodeTableFits, encodeTableParquet, type TableColumn, type TableMeta } from './table';
import { subtileMeta, type TileId } from './names';

export interface ShearRow {
  tileId: TileId;
  subtileRow: number;
  subtileCol: number;
  /** Core centre, degrees. */
  ra: number;
  dec: number;
  g1: number;
  g2: number;
  g1Err: number;
  g2Err: number;
  nSources: number;
  /** e.g. 'map-lbfgs', 'map-adam'. */
  method: string;
  /** Convergence measure of the fit (final relative loss change or gradient norm; the metadata says which). */
  convergence: number;
}

export function shearColumns(r: ShearRow): TableColumn[] {
  return [
    column('TILE_ID', 'int64', [r.tileId]),
    column('SUBTILE_ROW', 'int8', [r.subtileRow]),
    column('SUBTILE_COL', 'int8', [r.subtileCol]),
    column('RA', 'float64', [r.ra], 'deg'),
    column('DEC', 'float64', [r.dec], 'deg'),
    column('G1', 'float32', [r.g1]),
    column('G2', 'float32', [r.g2]),
    column('G1_ERR', 'float32', [r.g1Err]),
    column('G2_ERR', 'float32', [r.g2Err]),
    column('N_SOURCES', 'int32', [r.nSources]),
    column('METHOD', 'string', [r.method]),
    column('CONVERGENCE', 'float32', [r.convergence]),
  ];
}

const shearMeta = (r: ShearRow): TableMeta => subtileMeta(r.tileId, r.subtileRow, r.subtileCol);

/** Shear table of one sub-tile as FITS (EXTNAME SHEAR) and Parquet bytes. */
export function shearTable(r: ShearRow): { fits: Uint8Array; parquet: Uint8Array } {
  const cols = shearColumns(r);
  return { fits: encodeTableFits(cols, shearMeta(r), 'SHEAR'), parquet: encodeTableParquet(cols, shearMeta(r)) };
}
