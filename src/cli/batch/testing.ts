// Test helpers: tiny valid manifests (no data files are read by the batch logic) and a fake runner
// that writes real products with writeProducts, so skip / resume / marker checks run for real.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadManifest } from '../../data/manifest';
import { writeProducts, type AtomicHooks } from '../../data/products/atomic';
import { productNames } from '../../data/products/names';
import type { RunnerFactory, RunOutcome, SubtileRunner } from './runner';

export function manifestText(tile: number, row: number, col: number): string {
  return `tile_id: ${tile}
sub_tile_row: ${row}
sub_tile_col: ${col}
sky_bounds:
  core_ra: [269.123, 269.256]
  core_dec: [-28.456, -28.323]
  extended_ra: [269.106, 269.273]
  extended_dec: [-28.473, -28.306]
quadrants:
  - sci_path: exposures/a_sci.fits
    psf_path: psf/a_psf.fits
    quadrant: "3-4.F"
    obs_id: 2704
    dither: "00"
    ccd: 3-4
source_catalog: catalog.fits
source_ids: [1, 2, 3]
core_source_ids: [2]
`;
}

/** Writes `<dir>/<name>/manifest_local.yaml` for each key; returns the paths in order. */
export async function writeManifests(dir: string, keys: Array<[number, number, number]>): Promise<string[]> {
  const out: string[] = [];
  for (const [t, r, c] of keys) {
    const d = join(dir, `st_${t}_${r}_${c}`);
    await mkdir(d, { recursive: true });
    const p = join(d, 'manifest_local.yaml');
    await writeFile(p, manifestText(t, r, c));
    out.push(p);
  }
  return out;
}

/** Products of one sub-tile as a real run would name them (contents are placeholders). */
export function fakeFiles(tileId: number, row: number, col: number): Record<string, string> {
  const n = productNames({ tileId, row, col });
  return { [n.shearFits]: `shear ${tileId}`, [n.paramsParquet]: `params ${tileId} ${row} ${col}`, [n.metadata]: `tile_id: ${tileId}\n` };
}

export async function writeFakeProducts(outdir: string, tileId: number, row: number, col: number, hooks?: AtomicHooks): Promise<void> {
  await writeProducts(outdir, { tileId, row, col, files: fakeFiles(tileId, row, col) }, hooks);
}

export interface FakeRunnerLog {
  opened: number;
  closed: number;
  recovered: number;
  runs: string[];
}

/**
 * A runner that reads the manifest's key and writes products; `fail(manifest, attempt)` returning
 * an Error makes that attempt throw it (attempt counts per manifest, from 1).
 */
export function fakeRunner(fail: (manifest: string, attempt: number) => Error | undefined = () => undefined): { factory: RunnerFactory; log: FakeRunnerLog } {
  const log: FakeRunnerLog = { opened: 0, closed: 0, recovered: 0, runs: [] };
  const tries = new Map<string, number>();
  const factory: RunnerFactory = async (): Promise<SubtileRunner> => {
    log.opened++;
    return {
      run: async (manifest, outdir): Promise<RunOutcome> => {
        log.runs.push(manifest);
        const attempt = (tries.get(manifest) ?? 0) + 1;
        tries.set(manifest, attempt);
        const err = fail(manifest, attempt);
        if (err) throw err;
        const m = await loadManifest(manifest);
        await writeFakeProducts(outdir, m.tile_id, m.sub_tile_row, m.sub_tile_col);
        return { tileId: m.tile_id, row: m.sub_tile_row, col: m.sub_tile_col, files: Object.keys(fakeFiles(m.tile_id, m.sub_tile_row, m.sub_tile_col)) };
      },
      recover: async () => {
        log.recovered++;
      },
      close: async () => {
        log.closed++;
      },
    };
  };
  return { factory, log };
}
