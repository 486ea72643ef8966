// `shearwb fits <file|url>`: list HDUs, or summarise one image / print one table's rows.
import type { Command } from 'commander';
import { openFits, type FitsFile, type HduInfo } from '../data/fits/index';
import { openSource } from '../data/storage/index';

interface FitsOptions {
  json?: boolean;
  hdu?: string;
  at?: string;
  rows?: string;
}

/** A HDU by EXTNAME first, then (for digits) by index — an EXTNAME "1" wins over index 1. */
export function pickHdu(f: FitsFile, ref: string): HduInfo {
  const byName = f.hdus.find((h) => h.extname.toUpperCase() === ref.trim().toUpperCase());
  if (byName) return byName;
  if (/^\d+$/.test(ref.trim())) return f.hdu(Number(ref.trim()));
  return f.hdu(ref);
}

export function parseAt(s: string): Array<[number, number]> {
  return s
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const m = /^(-?\d+)\s*,\s*(-?\d+)$/.exec(p);
      if (!m) throw new Error(`--at: '${p}' is not 'y,x' (0-based integer pixel indices, several separated by ';')`);
      return [Number(m[1]), Number(m[2])];
    });
}

function parseRows(s: string | undefined, nrows: number): [number, number] {
  if (s === undefined) return [0, nrows];
  const m = /^(\d*):(\d*)$/.exec(s.trim());
  if (!m) throw new Error(`--rows: '${s}' is not 'a:b' (0-based, end exclusive, e.g. 0:10)`);
  const a = m[1] ? Number(m[1]) : 0;
  const b = Math.min(m[2] ? Number(m[2]) : nrows, nrows);
  if (a > b) throw new Error(`--rows: start ${a} is after end ${b} (table has ${nrows} rows)`);
  return [a, b];
}

/** JSON-safe value: bigint → number when exact else string; typed arrays → lists; NaN → null. */
export function jsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (Array.isArray(v)) return v.map(jsonValue);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>, jsonValue);
  return v;
}

function dims(h: HduInfo): string {
  if (h.kind === 'table') return `${h.nrows} rows × ${h.columns?.length ?? 0} columns`;
  return h.shape.length ? h.shape.join(' × ') : '-';
}

function listing(f: FitsFile): unknown {
  return {
    file: f.url,
    hdus: f.hdus.map((h) => {
      const o: Record<string, unknown> = { index: h.index, extname: h.extname, extver: h.extver, kind: h.kind, bitpix: h.bitpix, shape: h.shape };
      if (h.nrows !== undefined) o.nrows = h.nrows;
      if (h.columns) o.columns = h.columns;
      if (h.compression) o.compression = h.compression;
      return o;
    }),
  };
}

function table(rows: string[][]): string {
  const w = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) => r.map((c, j) => c.padEnd(w[j]!)).join('  ').trimEnd()).join('\n');
}

async function imageSummary(f: FitsFile, h: HduInfo, at: Array<[number, number]>): Promise<Record<string, unknown>> {
  const img = await f.readImage(h);
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let nan = 0;
  for (const v of img.data) {
    if (Number.isNaN(v)) {
      nan++;
      continue;
    }
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out: Record<string, unknown> = {
    hdu: { index: h.index, extname: h.extname },
    shape: img.shape,
    bitpix: img.bitpix,
    sum,
    min: nan === img.data.length ? null : min,
    max: nan === img.data.length ? null : max,
    nan_count: nan,
  };
  if (at.length) {
    if (img.shape.length !== 2) throw new Error(`${f.url}: --at needs a 2-D image, HDU ${h.index} has shape [${img.shape.join(', ')}]`);
    const [ny, nx] = img.shape as [number, number];
    out.values = at.map(([y, x]) => {
      if (y < 0 || y >= ny || x < 0 || x >= nx) throw new Error(`${f.url}: --at ${y},${x} is outside the image (shape ${ny} × ${nx}, 0-based y,x)`);
      return jsonValue(img.data[y * nx + x]);
    });
  }
  return out;
}

export async function runFits(file: string, opts: FitsOptions): Promise<string> {
  const f = await openFits(openSource(file));
  if (opts.hdu === undefined) {
    if (opts.json) return JSON.stringify(listing(f), null, 2);
    const rows = [['#', 'EXTNAME', 'kind', 'BITPIX', 'dimensions', 'compression']];
    for (const h of f.hdus) rows.push([String(h.index), h.extname, h.kind, String(h.bitpix), dims(h), h.compression ?? '']);
    return `${f.url}\n${table(rows)}`;
  }
  const h = pickHdu(f, opts.hdu);
  if (h.kind === 'table') {
    const [a, b] = parseRows(opts.rows, h.nrows!);
    const t = await f.readTable(h, [a, b]);
    const out = {
      hdu: { index: h.index, extname: h.extname },
      nrows: h.nrows,
      columns: t.columns.map((c) => ({ name: c.name, format: c.format, ...(c.unit ? { unit: c.unit } : {}) })),
      first_row: a,
      rows: t.rows().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonValue(v)]))),
    };
    return JSON.stringify(out, null, opts.json ? 2 : 1);
  }
  if (h.kind === 'header-only') {
    const out = { hdu: { index: h.index, extname: h.extname }, kind: h.kind, cards: h.header.cards.length };
    return JSON.stringify(out, null, 2);
  }
  const s = await imageSummary(f, h, opts.at ? parseAt(opts.at) : []);
  if (opts.json) return JSON.stringify(s, null, 2);
  const lines = [
    `${f.url} HDU ${h.index} '${h.extname}' (${h.kind}, BITPIX ${h.bitpix}${h.compression ? `, ${h.compression}` : ''})`,
    `shape ${(s.shape as number[]).join(' × ')}  sum ${s.sum}  min ${s.min}  max ${s.max}  NaN ${s.nan_count}`,
  ];
  if (s.values) lines.push(`values at ${opts.at}: ${JSON.stringify(s.values)}`);
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('fits <file>')
    .description('list the HDUs of a FITS file (path or URL), or summarise one image / print one table')
    .option('--json', 'print JSON')
    .option('--hdu <name|index>', 'one HDU, by EXTNAME or index')
    .option('--at <points>', 'image values at "y,x;y,x..." (0-based)')
    .option('--rows <a:b>', 'table rows a..b-1 (default: all)')
    .action(async (file: string, opts: FitsOptions) => {
      process.stdout.write(`${await runFits(file, opts)}\n`);
    });
}
