// All files of one sub-tile as name → bytes, ready for writeProducts (Node) or a download (browser).
import { diagnosticsPng, type DiagnosticPanel, type DiagnosticsOptions } from './diagnostics';
import { metadataYaml, type RunMetadata } from './metadata';
import { productNames } from './names';
import { paramsTable, type ParamRow } from './params';
import { shearTable, type ShearRow } from './shear';

export interface SubtileResult {
  shear: ShearRow;
  /** Core sources only. */
  params: ParamRow[];
  /** Provenance; the sub-tile key and product list are filled in from the shear row. */
  metadata: Omit<RunMetadata, 'tileId' | 'subtileRow' | 'subtileCol'>;
  diagnostics?: DiagnosticPanel[];
  diagnosticsOptions?: DiagnosticsOptions;
}

export async function buildProducts(r: SubtileResult): Promise<Record<string, Uint8Array>> {
  const s = r.shear;
  const names = productNames({ tileId: s.tileId, row: s.subtileRow, col: s.subtileCol });
  const shear = shearTable(s);
  const params = paramsTable(r.params, {
    g1: s.g1,
    g2: s.g2,
    g1Err: s.g1Err,
    g2Err: s.g2Err,
    tileId: s.tileId,
    subtileRow: s.subtileRow,
    subtileCol: s.subtileCol,
    coreRa: s.ra,
    coreDec: s.dec,
  });
  const files: Record<string, Uint8Array> = {
    [names.shearFits]: shear.fits,
    [names.shearParquet]: shear.parquet,
    [names.paramsFits]: params.fits,
    [names.paramsParquet]: params.parquet,
  };
  if (r.diagnostics?.length) files[names.diagnostics] = diagnosticsPng(r.diagnostics, r.diagnosticsOptions);
  const products = [...Object.keys(files), names.metadata].sort();
  const yaml = await metadataYaml({ ...r.metadata, products, tileId: s.tileId, subtileRow: s.subtileRow, subtileCol: s.subtileCol });
  files[names.metadata] = new TextEncoder().encode(yaml);
  return files;
}
