// `shearwb run <manifest> --out <dir>`: the whole sub-tile job — prepare, MAP fit and Laplace errors
// on the GPU in the headless page (src/headless/fit-job.ts), then the products of DESIGN §3
// written atomically with a done marker (src/data/products/atomic.ts): shear and params tables
// (FITS + Parquet), diagnostics PNG, metadata YAML. Progress lines go to stderr.
import type { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifest, type Manifest } from '../data/manifest';
import { writeProducts } from '../data/products/atomic';
import { metadataYaml, type InputFileInfo, type JsonValue, type RunMetadata } from '../data/products/metadata';
import { productNames } from '../data/products/names';
import { paramsTable, type ParamRow } from '../data/products/params';
import { shearTable, type ShearRow } from '../data/products/shear';
import { s3Settings } from '../data/storage/s3';
import { schemeOf } from '../data/storage/resolve';
import { waitForPage } from '../headless/client';
import { fitInPage } from '../headless/fit-client';
import type { FitJob, FitJobConfig, FitJobResult, FitProgressJson, JobStorage } from '../headless/protocol';
import { REPO_ROOT } from './app-build';
import { planInputs } from './cmd-render';
import { openHeadless } from './headless-driver';

export interface RunOptions {
  out: string;
  optimizer?: 'lbfgs' | 'adam';
  steps?: number;
  lr?: number;
  tol?: number;
  /** Progress every k steps (default 10). */
  every?: number;
  minSnr?: number;
  /** Shear prior σ (default 0.05, SHINE). */
  gPriorSigma?: number;
  verbose?: boolean;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

export interface RunOutcome {
  outdir: string;
  files: string[];
  result: FitJobResult;
  timingsS: Record<string, number>;
}

const isLocal = (u: string) => schemeOf(u) === '' || schemeOf(u) === 'file';
const localPath = (u: string) => (schemeOf(u) === 'file' ? fileURLToPath(u) : resolve(u));

function codeVersion(): RunMetadata['code'] {
  let version = '0.0.0';
  let name: string | undefined;
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string; name?: string };
    version = pkg.version ?? version;
    name = pkg.name;
  } catch {
    /* keep defaults */
  }
  let gitCommit: string | null = null;
  try {
    gitCommit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim() || null;
  } catch {
    /* not a git checkout */
  }
  return { ...(name ? { name } : {}), version, gitCommit };
}

/** Local inputs: size and (up to 256 MiB) SHA-256; http(s): ETag and size from a HEAD; s3: path only. */
async function inputInfo(m: Manifest): Promise<InputFileInfo[]> {
  const refs: Array<[string, string]> = [[m.source_catalog, m.catalogUrl]];
  for (const q of m.quadrants) {
    refs.push([q.sci_path, q.sciUrl], [q.psf_path, q.psfUrl]);
    if (q.bkg_path && q.bkgUrl) refs.push([q.bkg_path, q.bkgUrl]);
  }
  const seen = new Set<string>();
  const out: InputFileInfo[] = [];
  for (const [path, url] of refs) {
    if (seen.has(url)) continue;
    seen.add(url);
    const info: InputFileInfo = { path };
    try {
      if (isLocal(url)) {
        const p = localPath(url);
        info.size = (await stat(p)).size;
        if (info.size <= 256 << 20) {
          const h = createHash('sha256');
          for await (const chunk of createReadStream(p)) h.update(chunk as Buffer);
          info.sha256 = h.digest('hex');
        }
      } else if (/^https?:/.test(url)) {
        const r = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
        const etag = r.headers.get('etag');
        const len = r.headers.get('content-length');
        if (etag) info.etag = etag;
        if (len) info.size = Number(len);
      }
    } catch {
      /* provenance is best effort: the path stays */
    }
    out.push(info);
  }
  return out;
}

function jobStorage(manifest: string): JobStorage | undefined {
  if (schemeOf(manifest) !== 's3') return undefined;
  const s = s3Settings();
  return { region: s.region, ...(s.endpoint ? { endpoint: s.endpoint } : {}), ...(s.credentials ? { credentials: s.credentials } : { anonymous: true }) };
}

const num = (what: string, integer = false) => (v: string) => {
  const x = Number(v);
  if (!Number.isFinite(x) || (integer && !Number.isInteger(x))) throw new Error(`${what}: '${v}' is not ${integer ? 'an integer' : 'a number'}`);
  return x;
};

function fitConfig(o: RunOptions): FitJobConfig {
  if (o.optimizer !== undefined && o.optimizer !== 'lbfgs' && o.optimizer !== 'adam') throw new Error(`run: --optimizer must be 'lbfgs' or 'adam', not '${o.optimizer}'`);
  if (o.steps !== undefined && !(Number.isInteger(o.steps) && o.steps >= 1)) throw new Error(`run: --steps must be an integer ≥ 1, got ${o.steps}`);
  if (o.lr !== undefined && !(o.lr > 0)) throw new Error(`run: --lr must be > 0, got ${o.lr}`);
  if (o.tol !== undefined && !(o.tol > 0)) throw new Error(`run: --tol must be > 0, got ${o.tol}`);
  if (o.lr !== undefined && o.optimizer !== 'adam') throw new Error('run: --lr applies to --optimizer adam only');
  if (o.gPriorSigma !== undefined && !(o.gPriorSigma > 0)) throw new Error(`run: --g-prior-sigma must be > 0, got ${o.gPriorSigma}`);
  return {
    ...(o.optimizer ? { optimizer: o.optimizer } : {}),
    ...(o.steps !== undefined ? { steps: o.steps } : {}),
    ...(o.lr !== undefined ? { lr: o.lr } : {}),
    ...(o.tol !== undefined ? { tol: o.tol } : {}),
    ...(o.every !== undefined ? { every: o.every } : {}),
    ...(o.gPriorSigma !== undefined ? { priors: { gSigma: o.gPriorSigma, fluxLogSigma: 0.5, hlrLogSigma: 0.3, eSigma: 0.3, offsetSigma: 0.05 } } : {}),
  };
}

function paramRows(r: FitJobResult): ParamRow[] {
  return r.sources
    .filter((s) => s.core)
    .map((s) => ({
      objectId: s.objectId,
      ra: s.ra,
      dec: s.dec,
      flux: s.flux,
      hlr: s.hlr,
      e1: s.e1,
      e2: s.e2,
      dx: s.dx,
      dy: s.dy,
      fluxErr: s.fluxErr,
      hlrErr: s.hlrErr,
      e1Err: s.e1Err,
      e2Err: s.e2Err,
      dxErr: s.dxErr,
      dyErr: s.dyErr,
      kind: s.kind,
      nQuadrants: s.nQuadrants,
      chi2: s.chi2,
    }));
}

/** All product files of one fit as name → bytes (tables, PNG, metadata). */
export async function runProducts(
  r: FitJobResult,
  meta: Pick<RunMetadata, 'code' | 'manifest' | 'inputs' | 'createdAt'> & { timings: Record<string, number>; extraConfig: Record<string, JsonValue> },
): Promise<Record<string, Uint8Array>> {
  const names = productNames({ tileId: r.tileId, row: r.subTileRow, col: r.subTileCol });
  const shear: ShearRow = {
    tileId: r.tileId,
    subtileRow: r.subTileRow,
    subtileCol: r.subTileCol,
    ra: r.coreRa,
    dec: r.coreDec,
    g1: r.g1,
    g2: r.g2,
    g1Err: r.g1Err,
    g2Err: r.g2Err,
    nSources: r.nGalaxies,
    method: `map-${r.map.method}`,
    convergence: r.map.gradNorm,
  };
  const s = shearTable(shear);
  const p = paramsTable(paramRows(r), {
    g1: r.g1,
    g2: r.g2,
    g1Err: r.g1Err,
    g2Err: r.g2Err,
    tileId: r.tileId,
    subtileRow: r.subTileRow,
    subtileCol: r.subTileCol,
    coreRa: r.coreRa,
    coreDec: r.coreDec,
  });
  const files: Record<string, Uint8Array> = {
    [names.shearFits]: s.fits,
    [names.shearParquet]: s.parquet,
    [names.paramsFits]: p.fits,
    [names.paramsParquet]: p.parquet,
  };
  if (r.diagnosticsPng) files[names.diagnostics] = Uint8Array.from(Buffer.from(r.diagnosticsPng, 'base64'));
  const dropped: NonNullable<RunMetadata['dropped']> = r.dropped.map((d) => ({
    ...(d.objectId !== undefined ? { objectId: d.objectId } : {}),
    what: `${d.what} (${d.stage})`,
    reason: d.reason,
  }));
  for (const [reason, n] of Object.entries(r.selectionCounts)) dropped.push({ what: `${n} catalogue rows (selection, counted)`, reason });
  for (const q of r.quadrants) {
    if (q.badSci) dropped.push({ what: `${q.badSci} pixels of quadrant ${q.name} (mask)`, reason: 'SCI not finite' });
    if (q.badRms) dropped.push({ what: `${q.badRms} pixels of quadrant ${q.name} (mask)`, reason: 'RMS not finite or ≤ 0' });
    if (q.flagged) dropped.push({ what: `${q.flagged} pixels of quadrant ${q.name} (mask)`, reason: 'FLG & mask bits' });
    if (q.note) dropped.push({ what: `quadrant ${q.name}`, reason: q.note });
  }
  const config: Record<string, JsonValue> = {
    fit: {
      ...(r.config as unknown as Record<string, JsonValue>),
      convergence_column: 'CONVERGENCE = final scaled gradient norm ‖scale ⊙ ∇ₓL‖∞ (optim/common.ts)',
    },
    ...meta.extraConfig,
  };
  const products = [...Object.keys(files), names.metadata].sort();
  const yaml = await metadataYaml({
    tileId: r.tileId,
    subtileRow: r.subTileRow,
    subtileCol: r.subTileCol,
    code: meta.code,
    config,
    manifest: meta.manifest,
    inputs: meta.inputs,
    adapter: { ...r.adapter },
    timings: meta.timings,
    steps: r.map.steps,
    convergence: { converged: r.map.converged, reason: r.map.reason, finalLoss: r.map.loss, relLossChange: r.map.relLossChange, gradNorm: r.map.gradNorm },
    dropped,
    createdAt: meta.createdAt,
    products,
  });
  files[names.metadata] = new TextEncoder().encode(yaml);
  return files;
}

export async function runSubtile(manifest: string, opts: RunOptions): Promise<RunOutcome> {
  if (!opts.out) throw new Error('run: --out <dir> is required');
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const config = fitConfig(opts);
  const t0 = Date.now();
  const m = await loadManifest(isLocal(manifest) ? localPath(manifest) : manifest);
  const served = await planInputs(manifest, isLocal(manifest) ? localPath(manifest) : manifest);
  const session = await openHeadless('headless.html', { mounts: served.mounts, verbose: opts.verbose });
  let result: FitJobResult;
  const tStart = Date.now();
  try {
    const adapter = await waitForPage(session.page);
    log(`shearwb run: tile ${m.tile_id} sub-tile (${m.sub_tile_row}, ${m.sub_tile_col}), ${m.quadrants.length} quadrants, adapter ${[adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' ')}${adapter.isSoftware ? ' (software)' : ''}`);
    const base = session.server.url;
    const storage = jobStorage(manifest);
    const lose = process.env.SHEARWB_TEST_LOSE_DEVICE_AT_STEP;
    const job: FitJob = {
      kind: 'fit',
      manifestUrl: served.manifestUrl(base),
      config,
      ...(storage ? { storage } : {}),
      ...(opts.minSnr !== undefined ? { selection: { minSnr: opts.minSnr } } : {}),
      ...(lose !== undefined && lose !== '' ? { loseDeviceAtStep: Number(lose) } : {}),
    };
    const progress = (p: FitProgressJson) => {
      const s = (p.elapsedMs / 1000).toFixed(1);
      if (p.phase === 'map') log(`  step ${String(p.step).padStart(4)}  loss ${p.loss.toFixed(3)}  |∇| ${p.gradNorm.toExponential(2)}  g = (${p.g1.toFixed(5)}, ${p.g2.toFixed(5)})  ${s} s`);
      else log(`  ${p.phase} (after ${p.step} steps)  ${s} s`);
    };
    result = await fitInPage(session.page, job, progress).catch((e: Error) => {
      throw new Error(served.localise(e.message, base));
    });
  } finally {
    await session.close();
  }
  const tFit = Date.now();
  const timings: Record<string, number> = { headless_total: (tFit - tStart) / 1000 };
  for (const [k, v] of Object.entries(result.timingsMs)) timings[k] = v / 1000;
  const files = await runProducts(result, {
    code: codeVersion(),
    manifest,
    inputs: await inputInfo(m),
    createdAt: new Date().toISOString(),
    timings,
    extraConfig: { selection: { minSnr: opts.minSnr ?? 10 }, mask_bits: 1 },
  });
  const tWrite0 = Date.now();
  await writeProducts(opts.out, { tileId: result.tileId, row: result.subTileRow, col: result.subTileCol, files });
  const timingsS = { ...timings, write: (Date.now() - tWrite0) / 1000, total: (Date.now() - t0) / 1000 };
  return { outdir: opts.out, files: Object.keys(files).sort(), result, timingsS };
}

function summary(o: RunOutcome): string {
  const r = o.result;
  const lines = [
    `wrote ${o.files.length} products to ${o.outdir} (done marker written last)`,
    `  g1 = ${r.g1.toFixed(5)} ± ${r.g1Err.toFixed(5)}   g2 = ${r.g2.toFixed(5)} ± ${r.g2Err.toFixed(5)}`,
    `  ${r.nGalaxies} galaxies, ${r.nStars} stars fitted over ${r.pairs} visible pairs; ${r.sources.filter((s) => s.core).length} core sources in params`,
    `  MAP ${r.map.method}: ${r.map.steps} steps, ${r.map.evaluations} evaluations, ${r.map.converged ? 'converged' : 'NOT converged'} (${r.map.reason}), |∇| ${r.map.gradNorm.toExponential(2)}, Δloss/loss ${r.map.relLossChange.toExponential(2)}`,
    `  χ² = ${r.chi2.toFixed(1)} over ${r.validPixels} unmasked pixels`,
  ];
  const drops = r.dropped.filter((d) => d.stage !== 'selection');
  const sel = r.dropped.filter((d) => d.stage === 'selection');
  if (sel.length) lines.push(`  catalogue rows dropped by the selection: ${sel.length} (${Object.entries(r.selectionCounts).map(([k, v]) => `${k}: ${v}`).join(', ')})`);
  for (const d of sel.slice(0, 20)) lines.push(`    dropped ${d.objectId ?? ''} ${d.what}: ${d.reason}`);
  for (const d of drops) lines.push(`  dropped ${d.objectId ?? ''} ${d.what}: ${d.reason}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  lines.push(`  time: ${Object.entries(o.timingsS).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(', ')}`);
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('run')
    .description('fit one sub-tile (MAP + Laplace errors on the GPU, headless Chromium) and write the products of DESIGN §3')
    .argument('<manifest>', 'sub-tile manifest: local path, http(s):// or s3:// URL')
    .requiredOption('--out <dir>', 'output folder')
    .option('--steps <n>', 'step limit (L-BFGS default 500; Adam default 200)', num('--steps', true))
    .option('--optimizer <name>', "'lbfgs' (default) or 'adam' (SHINE's)")
    .option('--lr <x>', 'Adam learning rate (default 0.002)', num('--lr'))
    .option('--tol <x>', 'stop when the relative loss change over 3 steps is below x (L-BFGS default 1e-7)', num('--tol'))
    .option('--every <k>', 'progress line every k steps (default 10)', num('--every', true))
    .option('--min-snr <x>', 'catalogue selection: minimum SNR (default 10)', num('--min-snr'))
    .option('--g-prior-sigma <x>', 'σ of the Gaussian shear prior (default 0.05, SHINE)', num('--g-prior-sigma'))
    .option('--json', 'print the result summary as JSON on stdout')
    .option('--verbose', "forward the page's console")
    .action(async (manifest: string, o: Omit<RunOptions, 'log'> & { json?: boolean; optimizer?: 'lbfgs' | 'adam' }) => {
      const out = await runSubtile(manifest, o);
      if (o.json) {
        const { diagnosticsPng: _png, ...result } = out.result;
        process.stdout.write(`${JSON.stringify({ outdir: out.outdir, files: out.files, timings_s: out.timingsS, ...result }, null, 1)}\n`);
      } else process.stdout.write(`${summary(out)}\n`);
    });
}
