// Test support (Node only, not a test file): small simulated sub-tiles for `shearwb run` and the
// fit's bad-number handling, modified in place at the byte level so that the damage is exactly
// what the tests say (FITS data are big-endian; the HDU reader gives each data offset).
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { prepareExposureSet, type ExposureSet } from '../data/exposure-set';
import { openFits } from '../data/fits/index';
import { openSource } from '../data/storage/index';
import { writeSubtile, type SimOptions, type SimTruth } from '../sim/index';
import { REPO_ROOT } from './app-build';

const CLI = join(REPO_ROOT, 'bin', 'shearwb.mjs');

/** Spawn the CLI (node bin/shearwb.mjs …) and collect its output, killing it after timeoutMs. */
export function runCli(args: string[], timeoutMs: number, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((ok) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, SHEARWB_DEBUG: '', ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}


/** The small sub-tile the run tests use: 2 quadrants of 256², ~10 galaxies (stamps of 64 px mostly) and a star. */
export const SMALL_SUBTILE: SimOptions = { seed: 2, galaxies: 10, quadrants: 2, quadSize: [256, 256], g1: 0.03, g2: -0.02 };

export async function writeSmallSubtile(dir: string, opts: SimOptions = {}): Promise<SimTruth> {
  return (await writeSubtile(dir, { ...SMALL_SUBTILE, ...opts })).truth;
}

/** Overwrite pixels of an image HDU (BITPIX −32 or 32) of a local FITS file. */
export async function patchImage(file: string, extname: string, pixels: Array<[x: number, y: number]>, value: number | ((old: number) => number)): Promise<void> {
  const f = await openFits(openSource(file));
  const h = f.hdu(extname);
  const bitpix = h.header.get('BITPIX');
  const nx = Number(h.header.get('NAXIS1'));
  const bytes = new Uint8Array(await readFile(file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [x, y] of pixels) {
    const off = h.dataOffset + 4 * (y * nx + x);
    if (bitpix === -32) {
      const old = view.getFloat32(off, false);
      view.setFloat32(off, typeof value === 'function' ? value(old) : value, false);
    } else if (bitpix === 32) {
      const old = view.getInt32(off, false);
      view.setInt32(off, typeof value === 'function' ? value(old) : value, false);
    } else throw new Error(`${file}[${extname}]: BITPIX ${bitpix} not supported by patchImage`);
  }
  await writeFile(file, bytes);
}

/** Set a float32 column of one catalogue row (found by object_id) of the simulator's catalogue. */
export async function patchCatalogue(file: string, objectId: number, column: string, value: number): Promise<void> {
  const f = await openFits(openSource(file));
  const h = f.hdus.find((x) => x.kind === 'table');
  if (!h) throw new Error(`${file}: no table`);
  const hd = h.header;
  const rowBytes = Number(hd.get('NAXIS1'));
  const nrows = Number(hd.get('NAXIS2'));
  const nf = Number(hd.get('TFIELDS'));
  const sizes: Record<string, number> = { K: 8, D: 8, E: 4, J: 4, I: 2, B: 1 };
  let off = 0;
  let idOff = -1;
  let colOff = -1;
  for (let i = 1; i <= nf; i++) {
    const name = String(hd.get(`TTYPE${i}`)).trim();
    const form = String(hd.get(`TFORM${i}`)).trim();
    const m = /^(\d*)([A-Z])$/.exec(form);
    if (!m) throw new Error(`TFORM${i} = ${form}`);
    if (name === 'object_id') idOff = off;
    if (name === column) {
      if (m[2] !== 'E') throw new Error(`${column} is ${form}, expected E`);
      colOff = off;
    }
    off += (m[1] ? Number(m[1]) : 1) * sizes[m[2]];
  }
  const bytes = new Uint8Array(await readFile(file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let r = 0; r < nrows; r++) {
    const base = h.dataOffset + r * rowBytes;
    if (Number(view.getBigInt64(base + idOff, false)) === objectId) {
      view.setFloat32(base + colOff, value, false);
      await writeFile(file, bytes);
      return;
    }
  }
  throw new Error(`${file}: object_id ${objectId} not found`);
}

export interface BadSubtile {
  dir: string;
  manifest: string;
  truth: SimTruth;
  /** Galaxy whose only stamp is fully masked (FLG bit 0 over it). */
  maskedId: number;
  /** Galaxy with catalogue flux set to 0. */
  zeroFluxId: number;
  /** Pixels of quadrant 0 set to NaN in SCI and in RMS. */
  nanSci: number;
  nanRms: number;
  /** Quadrant left with no visible source (its sources removed from source_ids). */
  emptyQuadrant: string;
  /** Sources removed from source_ids to empty that quadrant. */
  removedIds: number[];
}

/**
 * The small sub-tile with every bad number of issue 4: a fully masked stamp, NaNs in SCI and
 * RMS, a zero-flux catalogue row, and a quadrant with no visible source.
 */
export async function writeBadSubtile(dir: string): Promise<BadSubtile> {
  const truth = await writeSmallSubtile(dir);
  const manifest = join(dir, 'manifest_local.yaml');
  const set: ExposureSet = await prepareExposureSet(manifest);
  const q0 = set.quadrants[0];
  const q1 = set.quadrants[1];
  const sciFile = join(dir, set.manifest.quadrants[0].sci_path);
  const visIn = (k: number) => set.pairs.filter((p) => p.visible && p.quadrant === k);
  const onlyIn0 = visIn(0).filter((p) => set.sources[p.source].kind === 'galaxy' && !set.pairs.some((o) => o.source === p.source && o.quadrant !== 0 && o.visible));
  if (onlyIn0.length < 3) throw new Error(`bad sub-tile: need 3 galaxies seen only in quadrant 0, found ${onlyIn0.length}`);
  const [masked, nanNear, zero] = onlyIn0;

  // 1. The masked galaxy's whole stamp (clipped) gets FLG bit 0.
  const box: Array<[number, number]> = [];
  for (let y = Math.max(0, masked.y0); y < Math.min(q0.ny, masked.y0 + masked.tier); y++)
    for (let x = Math.max(0, masked.x0); x < Math.min(q0.nx, masked.x0 + masked.tier); x++) box.push([x, y]);
  await patchImage(sciFile, `${q0.name}.FLG`, box, (old) => old | 1);

  // 2. NaNs in SCI beside another galaxy, NaNs in RMS in a corner, away from the mask.
  const cx = Math.round(nanNear.x);
  const cy = Math.round(nanNear.y);
  const sciNan: Array<[number, number]> = [];
  for (let d = -3; d <= 3; d++) for (let e = -3; e <= 3; e++) if (!isInBox(cx + d, cy + e, masked, q0)) sciNan.push([cx + d, cy + e]);
  const rmsNan: Array<[number, number]> = [];
  for (let i = 0; i < 30; i++) if (!isInBox(250, 5 + i, masked, q0)) rmsNan.push([250, 5 + i]);
  await patchImage(sciFile, `${q0.name}.SCI`, sciNan, Number.NaN);
  await patchImage(sciFile, `${q0.name}.RMS`, rmsNan, Number.NaN);

  // 3. A zero-flux catalogue row.
  const zeroFluxId = set.sources[zero.source].object_id;
  await patchCatalogue(join(dir, 'catalog.fits'), zeroFluxId, 'flux_detection_total', 0);

  // 4. Quadrant 1 loses every source visible in it (from source_ids; the light stays in the data).
  const removedIds = [...new Set(visIn(1).map((p) => set.sources[p.source].object_id))];
  const doc = parse(await readFile(manifest, 'utf8')) as { source_ids: number[]; core_source_ids: number[] };
  doc.source_ids = doc.source_ids.filter((id) => !removedIds.includes(id));
  doc.core_source_ids = doc.core_source_ids.filter((id) => !removedIds.includes(id));
  await writeFile(manifest, stringify(doc));
  return {
    dir,
    manifest,
    truth,
    maskedId: set.sources[masked.source].object_id,
    zeroFluxId,
    nanSci: sciNan.length,
    nanRms: rmsNan.length,
    emptyQuadrant: q1.name,
    removedIds,
  };
}

function isInBox(x: number, y: number, p: { x0: number; y0: number; tier: number }, q: { nx: number; ny: number }): boolean {
  if (x < 0 || y < 0 || x >= q.nx || y >= q.ny) return true; // outside: skip it too
  return x >= p.x0 && x < p.x0 + p.tier && y >= p.y0 && y < p.y0 + p.tier;
}
