// `shearwb assemble <dir|files…> --out <file.parquet>`: merge sub-tile parameter tables into one
// catalogue of core sources (duplicates removed), written as Parquet and FITS.
import type { Command } from 'commander';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../data/products/atomic';
import { assembleCatalogue, catalogueTable, type ParamsTableInput } from '../data/products/catalogue';
import { parseProductName } from '../data/products/names';
import { readParamsTable } from '../data/products/params';
import { getCI, metaNumber } from '../data/products/table';

interface AssembleOptions {
  out: string;
  fits?: string | boolean;
}

const PARAMS_FILE = /^params_.*\.(parquet|fits|fits\.gz)$/i;

/** Files to read: folders give their params_* files, one per sub-tile (Parquet preferred over FITS). */
export async function listParamsFiles(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of inputs) {
    let s;
    try {
      s = await stat(p);
    } catch {
      throw new Error(`${p}: no such file or folder`);
    }
    if (!s.isDirectory()) {
      out.push(p);
      continue;
    }
    const names = (await readdir(p)).filter((n) => PARAMS_FILE.test(n)).sort();
    const stems = new Set(names.filter((n) => /\.parquet$/i.test(n)).map((n) => n.replace(/\.parquet$/i, '')));
    const picked = names.filter((n) => /\.parquet$/i.test(n) || !stems.has(n.replace(/\.fits(\.gz)?$/i, '')));
    if (picked.length === 0) throw new Error(`${p}: no params_*.parquet or params_*.fits files in this folder`);
    out.push(...picked.map((n) => join(p, n)));
  }
  return out;
}

/** One parameter table with its sub-tile key and core centre from the header (file name as fallback for the key). */
export async function loadParamsInput(path: string): Promise<ParamsTableInput> {
  const t = await readParamsTable(new Uint8Array(await readFile(path)), path);
  const fromName = parseProductName(basename(path));
  const key = (k: string, fallback: number | bigint | undefined): number | bigint => {
    const raw = getCI(t.meta, k);
    if (typeof raw === 'string' && /^-?\d+$/.test(raw.trim())) return BigInt(raw.trim());
    const v = metaNumber(raw);
    if (v !== undefined && Number.isInteger(v)) return v;
    if (fallback !== undefined) return fallback;
    throw new Error(`${path}: no ${k} in the table metadata and the file name is not params_{tile}_{row}_{col}.*`);
  };
  const core = (k: string): number => {
    const v = metaNumber(getCI(t.meta, k));
    if (v === undefined || !Number.isFinite(v)) throw new Error(`${path}: no finite ${k} (sub-tile core centre) in the table metadata; needed to resolve duplicates`);
    return v;
  };
  return {
    rows: t.rows,
    g1: t.g1,
    g2: t.g2,
    tile: key('TILE_ID', fromName?.tileId),
    row: Number(key('SUB_ROW', fromName?.row)),
    col: Number(key('SUB_COL', fromName?.col)),
    coreRa: core('RA_CORE'),
    coreDec: core('DEC_CORE'),
    source: path,
  };
}

export function register(program: Command): void {
  program
    .command('assemble')
    .description('merge sub-tile parameter tables (params_*.parquet/.fits) into one catalogue of core sources, duplicates removed')
    .argument('<inputs...>', 'folders holding params_* files, or the files themselves')
    .requiredOption('--out <file.parquet>', 'output Parquet catalogue')
    .option('--fits <file.fits>', 'output FITS catalogue (default: --out with .fits)')
    .option('--no-fits', 'do not write the FITS catalogue')
    .action(async (inputs: string[], opts: AssembleOptions) => {
      if (!/\.parquet$/i.test(opts.out)) throw new Error(`--out ${opts.out}: give a .parquet file name`);
      const files = await listParamsFiles(inputs);
      const tables = [];
      for (const f of files) tables.push(await loadParamsInput(f));
      const cat = assembleCatalogue(tables);
      const bytes = catalogueTable(cat);
      await writeFileAtomic(opts.out, bytes.parquet);
      const fitsOut = opts.fits === false ? undefined : typeof opts.fits === 'string' ? opts.fits : opts.out.replace(/\.parquet$/i, '.fits');
      if (fitsOut) await writeFileAtomic(fitsOut, bytes.fits);
      const nin = tables.reduce((a, t) => a + t.rows.length, 0);
      process.stdout.write(
        `assembled ${files.length} tables: ${nin} rows, ${cat.duplicatesRemoved} duplicates removed, ${cat.rows.length} sources → ${opts.out}${fitsOut ? ` and ${fitsOut}` : ''}\n`,
      );
    });
}
