// The sub-tile manifest (DESIGN §1.1): parse, validate every field, resolve every path.
// Both forms are the same schema: manifest.yaml (s3:// paths) and manifest_local.yaml (relative paths).
import { childPath, parseYamlTree, type YValue } from './manifest/yaml-tree';
import { openSource, readAll, resolveUrl, type StorageOptions } from './storage/index';

export interface SkyBounds {
  core_ra: [number, number];
  core_dec: [number, number];
  extended_ra: [number, number];
  extended_dec: [number, number];
}

export interface ManifestQuadrant {
  /** Position in the manifest's list (0-based). */
  index: number;
  /** Paths as written in the manifest. */
  sci_path: string;
  psf_path: string;
  bkg_path?: string;
  wgt_path?: string;
  /** HDU name prefix, e.g. "3-4.F": SCI is "{quadrant}.SCI", the PSF/BKG/WGT HDUs are "{quadrant}". */
  quadrant: string;
  obs_id: string;
  dither: string;
  /** From the manifest, or the part of `quadrant` before the last '.' when absent. */
  ccd: string;
  /** Paths resolved against the manifest's URL. */
  sciUrl: string;
  psfUrl: string;
  bkgUrl?: string;
  wgtUrl?: string;
}

export interface Manifest {
  /** Where the manifest was read from; relative paths are resolved against it. */
  url: string;
  tile_id: number;
  sub_tile_row: number;
  sub_tile_col: number;
  sky_bounds: SkyBounds;
  quadrants: ManifestQuadrant[];
  source_catalog: string;
  catalogUrl: string;
  source_ids: number[];
  core_source_ids: number[];
  /** Things worth telling the user that do not stop a run (unknown fields, duplicates…). */
  warnings: string[];
}

export interface ManifestProblem {
  /** Field path, e.g. "quadrants[1].psf_path" ('' for the document). */
  field: string;
  message: string;
  line?: number;
}

/** A manifest that cannot be used: every problem found, each naming the file and the field. */
export class ManifestError extends Error {
  constructor(
    readonly url: string,
    readonly problems: ManifestProblem[],
  ) {
    super(problems.map((p) => formatProblem(url, p)).join('\n'));
    this.name = 'ManifestError';
  }
}

function formatProblem(url: string, p: ManifestProblem): string {
  const where = p.field === '' ? '' : `${p.field}: `;
  return `${url}: ${where}${p.message}${p.line !== undefined ? ` (line ${p.line})` : ''}`;
}

const TOP_FIELDS = ['tile_id', 'sub_tile_row', 'sub_tile_col', 'sky_bounds', 'quadrants', 'source_catalog', 'source_ids', 'core_source_ids'];
const QUAD_FIELDS = ['sci_path', 'bkg_path', 'wgt_path', 'psf_path', 'quadrant', 'obs_id', 'dither', 'ccd'];
const BOUNDS = ['core_ra', 'core_dec', 'extended_ra', 'extended_dec'] as const;

const INT = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Field-by-field checks that record problems instead of stopping at the first. */
class Checker {
  readonly problems: ManifestProblem[] = [];
  readonly warnings: string[] = [];
  constructor(
    readonly url: string,
    private readonly lines: Map<string, number>,
  ) {}

  /** The field's line, or for a missing field the line of the nearest parent that exists. */
  private lineOf(field: string): number | undefined {
    for (let f = field; ; ) {
      const l = this.lines.get(f);
      if (l !== undefined || f === '') return l;
      f = f.replace(/(\.[^.[\]]*|\[\d+\])$/, '');
      if (!/[.[]/.test(f) && !this.lines.has(f)) return this.lines.get(f);
    }
  }
  fail(field: string, message: string): void {
    this.problems.push({ field, message, line: this.lineOf(field) });
  }
  warn(field: string, message: string): void {
    this.warnings.push(formatProblem(this.url, { field, message, line: this.lineOf(field) }));
  }

  private describe(v: YValue): string {
    if (v === null) return 'nothing';
    if (Array.isArray(v)) return 'a list';
    if (typeof v === 'object') return 'a mapping';
    return JSON.stringify(v);
  }

  /** An integer (safe in float64). */
  int(v: YValue | undefined, field: string, opts: { min?: number } = {}): number | undefined {
    if (v === undefined) return this.fail(field, 'missing'), undefined;
    if (typeof v !== 'string' || !INT.test(v.trim())) return this.fail(field, `expected an integer, got ${this.describe(v)}`), undefined;
    const n = Number(v.trim());
    if (!Number.isSafeInteger(n)) return this.fail(field, `integer ${v} is too large (beyond 2^53)`), undefined;
    if (opts.min !== undefined && n < opts.min) return this.fail(field, `expected an integer ≥ ${opts.min}, got ${n}`), undefined;
    return n;
  }

  num(v: YValue | undefined, field: string): number | undefined {
    if (v === undefined) return this.fail(field, 'missing'), undefined;
    if (typeof v !== 'string' || !FLOAT.test(v.trim())) return this.fail(field, `expected a number, got ${this.describe(v)}`), undefined;
    return Number(v.trim());
  }

  /** A non-empty string (any scalar, as written). */
  str(v: YValue | undefined, field: string): string | undefined {
    if (v === undefined || v === null) return this.fail(field, v === undefined ? 'missing' : 'empty'), undefined;
    if (typeof v !== 'string') return this.fail(field, `expected a string, got ${this.describe(v)}`), undefined;
    if (v.trim() === '') return this.fail(field, 'empty'), undefined;
    return v.trim();
  }

  optStr(v: YValue | undefined, field: string): string | undefined {
    if (v === undefined || v === null || v === '') return undefined;
    return this.str(v, field);
  }

  map(v: YValue | undefined, field: string): { [k: string]: YValue } | undefined {
    if (v === undefined) return this.fail(field, 'missing'), undefined;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return this.fail(field, `expected a mapping, got ${this.describe(v)}`), undefined;
    return v;
  }

  list(v: YValue | undefined, field: string): YValue[] | undefined {
    if (v === undefined) return this.fail(field, 'missing'), undefined;
    if (!Array.isArray(v)) return this.fail(field, `expected a list, got ${this.describe(v)}`), undefined;
    return v;
  }

  unknownKeys(m: { [k: string]: YValue }, known: string[], path: string): void {
    for (const k of Object.keys(m)) if (!known.includes(k)) this.warn(childPath(path, k), 'unknown field (ignored)');
  }
}

function checkRange(c: Checker, v: YValue | undefined, field: string, lim: [number, number], isRa: boolean): [number, number] | undefined {
  const l = c.list(v, field);
  if (!l) return undefined;
  if (l.length !== 2) return c.fail(field, `expected [lo, hi] (2 numbers), got ${l.length} values`), undefined;
  const lo = c.num(l[0], `${field}[0]`);
  const hi = c.num(l[1], `${field}[1]`);
  if (lo === undefined || hi === undefined) return undefined;
  for (const [x, i] of [[lo, 0], [hi, 1]] as const) {
    if (x < lim[0] || x > lim[1]) return c.fail(`${field}[${i}]`, `${x} is outside [${lim[0]}, ${lim[1]}] degrees`), undefined;
  }
  if (!(lo < hi)) {
    // An RA range may cross 0h (e.g. [359.9, 0.1]); a Dec range may not.
    if (isRa && lo > hi && lo - hi > 180) return [lo, hi];
    return c.fail(field, `lower bound ${lo} is not below upper bound ${hi}`), undefined;
  }
  return [lo, hi];
}

function checkIds(c: Checker, v: YValue | undefined, field: string): number[] | undefined {
  const l = c.list(v, field);
  if (!l) return undefined;
  const out: number[] = [];
  let ok = true;
  const seen = new Set<number>();
  const dups: number[] = [];
  for (let i = 0; i < l.length; i++) {
    const n = c.int(l[i], `${field}[${i}]`);
    if (n === undefined) {
      ok = false;
      continue;
    }
    if (seen.has(n)) dups.push(n);
    seen.add(n);
    out.push(n);
  }
  if (dups.length > 0) c.warn(field, `${dups.length} duplicate id(s): ${dups.slice(0, 10).join(', ')}${dups.length > 10 ? ', …' : ''}`);
  return ok ? out : undefined;
}

function resolveOrFail(c: Checker, base: string, ref: string, field: string): string {
  try {
    return resolveUrl(base, ref);
  } catch (e) {
    c.fail(field, `cannot resolve path: ${(e as Error).message}`);
    return ref;
  }
}

/** Parse and validate a manifest's text; `url` names the file in errors and is the base for relative paths. */
export function parseManifest(text: string, url: string): Manifest {
  let tree;
  try {
    tree = parseYamlTree(text);
  } catch (e) {
    throw new ManifestError(url, [{ field: '', message: `not valid YAML: ${(e as Error).message}` }]);
  }
  const c = new Checker(url, tree.lines);
  const top = tree.value;
  if (top === null || typeof top !== 'object' || Array.isArray(top)) {
    throw new ManifestError(url, [{ field: '', message: `expected a YAML mapping of manifest fields, got ${top === null ? 'an empty document' : Array.isArray(top) ? 'a list' : 'a scalar'}` }]);
  }
  c.unknownKeys(top, TOP_FIELDS, '');

  const tile_id = c.int(top.tile_id, 'tile_id', { min: 0 });
  const sub_tile_row = c.int(top.sub_tile_row, 'sub_tile_row', { min: 0 });
  const sub_tile_col = c.int(top.sub_tile_col, 'sub_tile_col', { min: 0 });

  let sky_bounds: SkyBounds | undefined;
  const sb = c.map(top.sky_bounds, 'sky_bounds');
  if (sb) {
    c.unknownKeys(sb, [...BOUNDS], 'sky_bounds');
    const r: Partial<SkyBounds> = {};
    for (const k of BOUNDS) {
      const isRa = k.endsWith('_ra');
      r[k] = checkRange(c, sb[k], `sky_bounds.${k}`, isRa ? [-360, 360] : [-90, 90], isRa);
    }
    if (BOUNDS.every((k) => r[k])) {
      sky_bounds = r as SkyBounds;
      const inside = (a: [number, number], b: [number, number]) => a[0] >= b[0] - 1e-9 && a[1] <= b[1] + 1e-9;
      if (sky_bounds.core_ra[0] < sky_bounds.core_ra[1] && sky_bounds.extended_ra[0] < sky_bounds.extended_ra[1]) {
        if (!inside(sky_bounds.core_ra, sky_bounds.extended_ra)) c.warn('sky_bounds.core_ra', 'core RA range is not inside the extended one');
      }
      if (!inside(sky_bounds.core_dec, sky_bounds.extended_dec)) c.warn('sky_bounds.core_dec', 'core Dec range is not inside the extended one');
    }
  }

  const quadrants: ManifestQuadrant[] = [];
  const ql = c.list(top.quadrants, 'quadrants');
  if (ql && ql.length === 0) c.fail('quadrants', 'empty list: a sub-tile needs at least one quadrant exposure');
  const seenQuad = new Map<string, number>();
  ql?.forEach((qv, i) => {
    const p = `quadrants[${i}]`;
    const q = c.map(qv, p);
    if (!q) return;
    c.unknownKeys(q, QUAD_FIELDS, p);
    const sci_path = c.str(q.sci_path, `${p}.sci_path`);
    const psf_path = c.str(q.psf_path, `${p}.psf_path`);
    const quadrant = c.str(q.quadrant, `${p}.quadrant`);
    const bkg_path = c.optStr(q.bkg_path, `${p}.bkg_path`);
    const wgt_path = c.optStr(q.wgt_path, `${p}.wgt_path`);
    const obs_id = c.optStr(q.obs_id, `${p}.obs_id`) ?? '';
    const dither = c.optStr(q.dither, `${p}.dither`) ?? '';
    const ccdGiven = c.optStr(q.ccd, `${p}.ccd`);
    if (sci_path === undefined || psf_path === undefined || quadrant === undefined) return;
    const key = `${sci_path}\u0000${quadrant}`;
    if (seenQuad.has(key)) c.warn(p, `same sci_path and quadrant as quadrants[${seenQuad.get(key)}]`);
    seenQuad.set(key, i);
    quadrants.push({
      index: i,
      sci_path,
      psf_path,
      ...(bkg_path !== undefined ? { bkg_path, bkgUrl: resolveOrFail(c, url, bkg_path, `${p}.bkg_path`) } : {}),
      ...(wgt_path !== undefined ? { wgt_path, wgtUrl: resolveOrFail(c, url, wgt_path, `${p}.wgt_path`) } : {}),
      quadrant,
      obs_id,
      dither,
      ccd: ccdGiven ?? (quadrant.includes('.') ? quadrant.slice(0, quadrant.lastIndexOf('.')) : quadrant),
      sciUrl: resolveOrFail(c, url, sci_path, `${p}.sci_path`),
      psfUrl: resolveOrFail(c, url, psf_path, `${p}.psf_path`),
    });
  });

  const source_catalog = c.str(top.source_catalog, 'source_catalog');
  const source_ids = checkIds(c, top.source_ids, 'source_ids');
  const core_source_ids = checkIds(c, top.core_source_ids, 'core_source_ids');
  if (source_ids && source_ids.length === 0) c.warn('source_ids', 'empty list: no sources to model');
  if (source_ids && core_source_ids) {
    const all = new Set(source_ids);
    const stray = core_source_ids.filter((id) => !all.has(id));
    if (stray.length > 0) {
      c.fail('core_source_ids', `${stray.length} id(s) not in source_ids: ${stray.slice(0, 10).join(', ')}${stray.length > 10 ? ', …' : ''}`);
    }
  }

  if (c.problems.length > 0) throw new ManifestError(url, c.problems);
  return {
    url,
    tile_id: tile_id!,
    sub_tile_row: sub_tile_row!,
    sub_tile_col: sub_tile_col!,
    sky_bounds: sky_bounds!,
    quadrants,
    source_catalog: source_catalog!,
    catalogUrl: resolveUrl(url, source_catalog!),
    source_ids: source_ids!,
    core_source_ids: core_source_ids!,
    warnings: c.warnings,
  };
}

/** Read a manifest from a path or URL (http(s), s3, local) and parse it. */
export async function loadManifest(url: string, opts?: StorageOptions): Promise<Manifest> {
  const bytes = await readAll(openSource(url, opts));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ManifestError(url, [{ field: '', message: 'not UTF-8 text (is this a YAML manifest?)' }]);
  }
  return parseManifest(text, url);
}
