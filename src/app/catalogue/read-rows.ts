// The catalogue rows as the data layer reads them, on the page: the manifest and the MER table are
// read again (the prepared exposure set keeps only selected sources and drop reasons by row), and
// the same selection is applied, so every dropped row carries its reasons.
import { readCatalogue, selectSources, type CatalogueRow, type DropReason } from '../../data/catalogue';
import { openFits } from '../../data/fits/index';
import { loadManifest } from '../../data/manifest';
import { openSource, type StorageOptions } from '../../data/storage/index';

export interface CatalogueRead {
  url: string;
  rows: CatalogueRow[];
  dropReasons: Map<number, DropReason[]>;
  coreIds: Set<number>;
}

export async function readCatalogueRows(manifestUrl: string, files?: Map<string, Blob>): Promise<CatalogueRead> {
  const storage: StorageOptions = files ? { files } : {};
  const manifest = await loadManifest(manifestUrl, storage);
  const f = await openFits(openSource(manifest.catalogUrl, storage));
  const h = f.hdus.find((x) => x.kind === 'table');
  if (!h) throw new Error(`${f.url}: no binary table HDU for the source catalogue`);
  const rows = readCatalogue(await f.readTable(h), f.url);
  const sel = selectSources(rows, manifest);
  return {
    url: f.url,
    rows,
    dropReasons: new Map(sel.dropped.map((d) => [d.row.row, d.reasons])),
    coreIds: new Set(manifest.core_source_ids),
  };
}
