// The `model_{tile}_{row}_{col}.fits` file of `shearwb render`: one MODEL image HDU per manifest
// quadrant, in manifest order (EXTVER 1…n), on the SCI HDU's pixel grid with its WCS cards.
import { encodeFits, type FitsHduToWrite, type HeaderEntries } from '../data/fits/index';
import type { RenderReport, RenderedQuadrant } from './protocol';

export function modelFileName(r: Pick<RenderReport, 'tileId' | 'subTileRow' | 'subTileCol'>): string {
  return `model_${r.tileId}_${r.subTileRow}_${r.subTileCol}.fits`;
}

/** FITS string values must be printable ASCII and fit one card; long paths are shortened from the left. */
function ascii(s: string, max = 68): string {
  const a = s.replace(/[^\x20-\x7e]/g, '?');
  return a.length <= max ? a : `...${a.slice(a.length - max + 3)}`;
}

export function encodeModelFits(report: RenderReport, quadrants: RenderedQuadrant[], models: Float32Array[], paramsName?: string): Uint8Array {
  if (models.length !== quadrants.length) throw new Error(`model file: ${models.length} images for ${quadrants.length} quadrants`);
  const hdus: FitsHduToWrite[] = quadrants.map((q, k) => {
    const m = models[k];
    if (m.length !== q.nx * q.ny) throw new Error(`model file: quadrant ${q.quadrant} image has ${m.length} pixels, expected ${q.nx}×${q.ny}`);
    const header: HeaderEntries = [
      ['EXTNAME', 'MODEL'],
      ['EXTVER', k + 1, 'manifest quadrant index + 1'],
      ['QUADRANT', ascii(q.quadrant), 'HDU name prefix in the manifest'],
      ['SCIPATH', ascii(q.sciPath), 'sci_path in the manifest'],
      ['BUNIT', 'ADU', 'engine model, no background'],
      ...q.sciCards,
      ['G1', report.g1, 'reduced shear rendered'],
      ['G2', report.g2, 'reduced shear rendered'],
      ['NSOURCES', report.sourcesRendered, 'sources rendered from the table'],
      ['NMISSING', report.sourcesMissing.length, 'scene sources without a row (flux 0)'],
      ['NPAIRS', q.pairs, 'visible sources rendered into this quadrant'],
    ];
    if (paramsName) header.push(['PARAMS', ascii(paramsName), 'parameter table']);
    return { kind: 'image', header, data: m, shape: [q.ny, q.nx] };
  });
  return encodeFits(hdus);
}
