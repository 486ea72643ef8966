// `shearwb render <manifest> --params <table> --out <dir>`: the engine's model images of a
// parameter table, written as model_{tile}_{row}_{col}.fits (src/headless/model-file.ts).
// The GPU work runs in the headless page (headless.html) in Chromium; local sub-tiles are served
// to it on loopback, remote ones (http(s), s3) are read by the page directly.
import type { Command } from 'commander';
import { access, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifest } from '../data/manifest';
import { writeFileAtomic } from '../data/products/atomic';
import { s3Settings } from '../data/storage/s3';
import { schemeOf } from '../data/storage/resolve';
import { renderInPage, waitForPage } from '../headless/client';
import { encodeModelFits, modelFileName } from '../headless/model-file';
import type { JobStorage, RenderJob, RenderReport } from '../headless/protocol';
import type { MissingPolicy } from '../engine/render-params';
import { openHeadless } from './headless-driver';
import type { Mount } from './static-server';

export interface RenderOptions {
  params: string;
  out: string;
  missing?: MissingPolicy;
  /** Catalogue selection: minimum SNR (default 10, as the fit uses). */
  minSnr?: number;
  verbose?: boolean;
}

export interface RenderOutcome {
  file: string;
  report: RenderReport;
}

const DATA_PREFIX = '/data/';
const PARAMS_PREFIX = '/params/';

const isLocal = (u: string) => schemeOf(u) === '' || schemeOf(u) === 'file';
const localPath = (u: string) => (schemeOf(u) === 'file' ? fileURLToPath(u) : resolve(u));
const urlPath = (rel: string) => rel.split(sep).map(encodeURIComponent).join('/');

function commonAncestor(paths: string[]): string {
  let common = dirname(paths[0]);
  for (const p of paths) {
    while (relative(common, p).startsWith('..') || isAbsolute(relative(common, p))) {
      const up = dirname(common);
      if (up === common) break;
      common = up;
    }
  }
  return common;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export interface ServedInputs {
  mounts: Mount[];
  /** Loopback URLs in a message turned back into the local paths they serve. */
  localise(message: string, base: string): string;
  /** Job URLs given the static server's base URL. */
  manifestUrl(base: string): string;
  paramsUrl(base: string): string;
}

/**
 * What to serve for a manifest and a parameter table: a local manifest's folder (or the common
 * ancestor of every local file it references, for `../` paths) and the table's folder.
 */
export async function planInputs(manifest: string, params: string): Promise<ServedInputs> {
  const mounts: Mount[] = [];
  let manifestUrl = (_: string) => manifest;
  if (isLocal(manifest)) {
    const path = localPath(manifest);
    const m = await loadManifest(path);
    const refs: Array<[string, string]> = [
      ['source_catalog', m.source_catalog],
      ...m.quadrants.flatMap((q) =>
        (
          [
            ['sci_path', q.sci_path],
            ['psf_path', q.psf_path],
            ['bkg_path', q.bkg_path],
            ['wgt_path', q.wgt_path],
          ] as Array<[string, string | undefined]>
        )
          .filter((e): e is [string, string] => e[1] !== undefined)
          .map(([k, v]) => [`quadrants[${q.index}].${k}`, v] as [string, string]),
      ),
    ];
    const files = [path];
    for (const [field, ref] of refs) {
      if (!isLocal(ref)) continue; // http(s) / s3: the page reads it directly
      if (isAbsolute(ref) || schemeOf(ref) === 'file')
        throw new Error(`${path}: ${field} = '${ref}' is an absolute local path; render serves local sub-tiles over HTTP and needs paths relative to the manifest`);
      const f = resolve(dirname(path), ref);
      await access(f).catch(() => {
        throw new Error(`${path}: ${field} = '${ref}' → ${f} does not exist`);
      });
      files.push(f);
    }
    const root = commonAncestor(files);
    mounts.push({ prefix: DATA_PREFIX, dir: root });
    manifestUrl = (base) => `${base}${DATA_PREFIX}${urlPath(relative(root, path))}`;
  }
  let paramsUrl = (_: string) => params;
  if (isLocal(params)) {
    const p = localPath(params);
    await access(p).catch(() => {
      throw new Error(`--params ${params}: ${p} does not exist`);
    });
    mounts.push({ prefix: PARAMS_PREFIX, dir: dirname(p) });
    paramsUrl = (base) => `${base}${PARAMS_PREFIX}${encodeURIComponent(relative(dirname(p), p))}`;
  }
  const localise = (message: string, base: string) =>
    mounts.reduce(
      (m, mt) =>
        m.replace(new RegExp(`${escapeRe(base + mt.prefix)}([^\\s'"(),]*)`, 'g'), (_, rest: string) => join(mt.dir, safeDecode(rest))),
      message,
    );
  return { mounts, manifestUrl, paramsUrl, localise };
}

/** S3 settings from this process's environment, for the page (which has none). */
function jobStorage(manifest: string, params: string): JobStorage | undefined {
  if (schemeOf(manifest) !== 's3' && schemeOf(params) !== 's3') return undefined;
  const s = s3Settings();
  return { region: s.region, ...(s.endpoint ? { endpoint: s.endpoint } : {}), ...(s.credentials ? { credentials: s.credentials } : { anonymous: true }) };
}

export async function renderToFile(manifest: string, opts: RenderOptions): Promise<RenderOutcome> {
  if (!opts.params) throw new Error('render: --params <table> is required');
  if (!opts.out) throw new Error('render: --out <dir> is required');
  const missing = opts.missing ?? 'error';
  if (missing !== 'error' && missing !== 'zero') throw new Error(`render: --missing must be 'error' or 'zero', not '${String(missing)}'`);
  const served = await planInputs(manifest, opts.params);
  const session = await openHeadless('headless.html', { mounts: served.mounts, verbose: opts.verbose });
  try {
    await waitForPage(session.page);
    const base = session.server.url;
    const storage = jobStorage(manifest, opts.params);
    const job: RenderJob = {
      kind: 'render',
      manifestUrl: served.manifestUrl(base),
      params: { url: served.paramsUrl(base) },
      missing,
      ...(storage ? { storage } : {}),
      ...(opts.minSnr !== undefined ? { selection: { minSnr: opts.minSnr } } : {}),
    };
    const { result, models } = await renderInPage(session.page, job).catch((e: Error) => {
      throw new Error(served.localise(e.message, base));
    });
    // Report the inputs as the user named them, not as served on loopback.
    const report: RenderReport = { ...result.report, manifestUrl: manifest, params: opts.params };
    const bytes = encodeModelFits(report, result.quadrants, models, opts.params);
    await mkdir(opts.out, { recursive: true });
    const file = join(opts.out, modelFileName(report));
    await writeFileAtomic(file, bytes);
    return { file, report };
  } finally {
    await session.close();
  }
}

export function register(program: Command): void {
  program
    .command('render')
    .description("write the engine's model images of a parameter table: model_{tile}_{row}_{col}.fits, one MODEL HDU per quadrant")
    .argument('<manifest>', 'sub-tile manifest: local path, http(s):// or s3:// URL')
    .requiredOption('--params <table>', 'parameter table (FITS or Parquet): OBJECT_ID, FLUX, HLR, E1, E2, DX, DY; G1, G2 in the header')
    .requiredOption('--out <dir>', 'output folder')
    .option('--missing <policy>', "scene sources without a row: 'error' or 'zero' (render with flux 0)", 'error')
    .option('--min-snr <x>', 'catalogue selection: minimum SNR (default 10)', (v) => {
      const x = Number(v);
      if (!Number.isFinite(x)) throw new Error(`--min-snr: '${v}' is not a number`);
      return x;
    })
    .option('--json', 'print the report as JSON')
    .option('--verbose', "forward the page's console")
    .action(async (manifest: string, o: { params: string; out: string; missing: string; minSnr?: number; json?: boolean; verbose?: boolean }) => {
      const { file, report } = await renderToFile(manifest, {
        params: o.params,
        out: o.out,
        missing: o.missing as MissingPolicy,
        minSnr: o.minSnr,
        verbose: o.verbose,
      });
      if (o.json) {
        process.stdout.write(JSON.stringify({ file, ...report }, null, 2) + '\n');
        return;
      }
      const lines = [
        `wrote ${file}`,
        `  sources rendered ${report.sourcesRendered} of ${report.sourcesInScene} in the scene (${report.galaxies} galaxies, ${report.stars} stars), ${report.pairs} visible pairs`,
        `  g = (${report.g1}, ${report.g2})`,
      ];
      if (report.sourcesMissing.length) lines.push(`  ${report.sourcesMissing.length} scene sources without a row, rendered with flux 0: ${report.sourcesMissing.slice(0, 10).map((m) => m.id).join(', ')}`);
      if (report.rowsUnused) lines.push(`  ${report.rowsUnused} table rows not in the scene (ignored): ${report.rowsUnusedIds.join(', ')}${report.rowsUnused > report.rowsUnusedIds.length ? ', …' : ''}`);
      for (const w of report.warnings) lines.push(`  warning: ${w}`);
      const a = report.adapter;
      lines.push(`  adapter ${[a.vendor, a.architecture, a.description].filter(Boolean).join(' ')}${a.isSoftware ? ' (software)' : ''}`);
      const t = report.timingsMs;
      lines.push(`  prepare ${(t.prepare / 1000).toFixed(2)} s, engine setup ${(t.engine / 1000).toFixed(2)} s, evaluate ${(t.evaluate / 1000).toFixed(2)} s`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
