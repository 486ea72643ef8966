// Opening a sub-tile for the UI: the exposure set is prepared in a worker (the page never freezes);
// the main thread only re-reads what cannot cross the worker boundary as data — each SCI header
// (a few kB by range) for a pixel→sky function, and the catalogue's position angles for overlays.
import { readCatalogue } from '../data/catalogue';
import type { ExposureSet, PrepareProgress } from '../data/exposure-set';
import { openFits } from '../data/fits/index';
import { prepareInWorker } from '../data/prepare-client';
import { openSource, schemeOf, type StorageOptions } from '../data/storage/index';
import { wcsFromHeader } from '../data/wcs/index';
import type { UiQuadrant, UiSource, WorkbenchData } from '../state/workbench-data';

/** Absolute URL of a manifest typed by the user: relative to the page unless it is a dropped file. */
export function absoluteManifestUrl(url: string, files?: Map<string, Blob>): string {
  if (files?.has(url) || schemeOf(url) !== '') return url;
  return new URL(url, location.href).href;
}

/** The UI's view of the sub-tile, and the exposure set itself (the engine worker gets a copy). */
export async function loadSubtile(
  manifestUrl: string,
  opts: { files?: Map<string, Blob>; onProgress?: (p: PrepareProgress) => void },
): Promise<{ data: WorkbenchData; set: ExposureSet }> {
  const storage: StorageOptions = opts.files ? { files: opts.files } : {};
  const url = absoluteManifestUrl(manifestUrl, opts.files);
  const set = await prepareInWorker(url, { storage, onProgress: opts.onProgress });
  return { data: await toWorkbenchData(set, storage), set };
}

async function positionAngles(set: ExposureSet, storage: StorageOptions): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  try {
    const f = await openFits(openSource(set.catalogueUrl, storage));
    const h = f.hdus.find((x) => x.kind === 'table');
    if (!h) return out;
    for (const r of readCatalogue(await f.readTable(h), f.url)) out.set(r.object_id, r.position_angle);
  } catch {
    // Overlays fall back to circles; the worker already validated the catalogue.
  }
  return out;
}

export async function toWorkbenchData(set: ExposureSet, storage: StorageOptions): Promise<WorkbenchData> {
  const pa = positionAngles(set, storage);
  const quadrants: UiQuadrant[] = await Promise.all(
    set.quadrants.map(async (q) => {
      const f = await openFits(openSource(q.sciUrl, storage));
      const wcs = wcsFromHeader(f.hdu(q.sciHdu).header, `${q.sciUrl}[${q.sciHdu}]`);
      if (!q.pixels) throw new Error(`${q.sciUrl}[${q.sciHdu}]: pixels were not prepared`);
      return {
        index: q.index,
        name: q.name,
        label: `${q.obs_id}/${q.dither} ${q.name}`,
        nx: q.nx,
        ny: q.ny,
        pixToSky: (x: number, y: number) => wcs.pixToSky(x, y),
        footprint: q.footprint,
        observed: q.pixels.data,
        ivar: q.pixels.ivar,
      };
    }),
  );
  const pas = await pa;
  const nq = set.quadrants.length;
  const sources: UiSource[] = set.sources.map((s, i) => ({
    index: i,
    object_id: s.object_id,
    ra: s.ra,
    dec: s.dec,
    kind: s.kind,
    core: s.core,
    snr: s.snr,
    flux: s.flux,
    hlr: s.hlr,
    ellipticity: s.ellipticity,
    pa: pas.get(s.object_id) ?? NaN,
    perQuadrant: Array.from({ length: nq }, (_, k) => {
      const p = set.pairs[i * nq + k];
      return { x: p.x, y: p.y, jac: p.jac, visible: p.visible };
    }),
  }));
  const m = set.manifest;
  return {
    manifestUrl: m.url,
    title: `tile ${m.tile_id} · sub-tile ${m.sub_tile_row},${m.sub_tile_col}`,
    skyBounds: m.sky_bounds,
    quadrants,
    sources,
    warnings: set.warnings,
    droppedCount: set.dropped.length,
  };
}
