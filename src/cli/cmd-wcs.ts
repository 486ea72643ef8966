// `shearwb wcs <file> --hdu NAME|INDEX (--to-sky POINTS | --to-pixel POINTS) [--json]`:
// converts points with an HDU's WCS and prints the local Jacobian at each.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { openFits, type FitsFile, type HduInfo } from '../data/fits';
import { openSource } from '../data/storage';
import { wcsFromHeader, type WcsKind } from '../data/wcs';

export interface WcsCliPoint {
  x: number;
  y: number;
  ra: number;
  dec: number;
  /** [dudx, dudy, dvdx, dvdy] in arcsec/pixel, u West, v North. */
  jac: [number, number, number, number];
}

export interface WcsCliResult {
  file: string;
  hdu: { index: number; extname: string };
  kind: WcsKind;
  points: WcsCliPoint[];
}

/** Read a POINTS file: a JSON array of [a, b] pairs of finite numbers. */
export function readPoints(path: string): Array<[number, number]> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read points file (${(e as Error).message})`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(v)) throw new Error(`${path}: expected a JSON array of [a, b] pairs, found ${typeof v}`);
  return v.map((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((c) => typeof c === 'number' && Number.isFinite(c)))
      throw new Error(`${path}: point ${i} is ${JSON.stringify(p)}, expected [a, b] with two finite numbers`);
    return [p[0], p[1]] as [number, number];
  });
}

function pickHdu(f: FitsFile, hdu: string | undefined): HduInfo {
  if (hdu !== undefined) return f.hdu(/^\d+$/.test(hdu.trim()) ? Number(hdu) : hdu);
  // Without --hdu: the first HDU that carries a celestial WCS.
  const found = f.hdus.find((h) => h.header.has('CTYPE1'));
  if (!found) throw new Error(`${f.url}: no HDU has a WCS (CTYPE1); HDUs present: ${f.hdus.map((h) => h.extname || h.index).join(', ')}`);
  return found;
}

export async function runWcs(
  file: string,
  opts: { hdu?: string; toSky?: string; toPixel?: string },
): Promise<WcsCliResult> {
  if ((opts.toSky === undefined) === (opts.toPixel === undefined))
    throw new Error('wcs: give exactly one of --to-sky POINTS (pixels) or --to-pixel POINTS (degrees)');
  const fits = await openFits(openSource(file));
  const h = pickHdu(fits, opts.hdu);
  const context = `${file}[${h.extname || h.index}]`;
  const wcs = wcsFromHeader(h.header, context);
  const points: WcsCliPoint[] = [];
  if (opts.toSky !== undefined) {
    for (const [x, y] of readPoints(opts.toSky)) {
      const [ra, dec] = wcs.pixToSky(x, y);
      points.push({ x, y, ra, dec, jac: wcs.jacobian(x, y) });
    }
  } else {
    for (const [ra, dec] of readPoints(opts.toPixel!)) {
      const [x, y] = wcs.skyToPix(ra, dec);
      const jac: WcsCliPoint['jac'] = Number.isFinite(x) ? wcs.jacobian(x, y) : [NaN, NaN, NaN, NaN];
      points.push({ x, y, ra, dec, jac });
    }
  }
  return { file, hdu: { index: h.index, extname: h.extname }, kind: wcs.kind, points };
}

function formatText(r: WcsCliResult): string {
  const lines = [`${r.file} HDU ${r.hdu.index} ${r.hdu.extname ? `(${r.hdu.extname}) ` : ''}WCS ${r.kind}`];
  lines.push('         x          y            ra           dec      dudx      dudy      dvdx      dvdy ["/px]');
  for (const p of r.points) {
    const j = p.jac.map((v) => v.toFixed(6).padStart(10)).join('');
    lines.push(`${p.x.toFixed(4).padStart(10)} ${p.y.toFixed(4).padStart(10)} ${p.ra.toFixed(8).padStart(13)} ${p.dec.toFixed(8).padStart(13)}${j}`);
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('wcs')
    .description('convert pixels (0-based) to sky (degrees) or back with an HDU\'s WCS, with the local Jacobian [dudx, dudy, dvdx, dvdy] in arcsec/px (u West, v North)')
    .argument('<file>', 'FITS file (path or URL)')
    .option('--hdu <NAME|INDEX>', 'HDU by EXTNAME or index (default: the first HDU with a WCS)')
    .option('--to-sky <POINTS>', 'JSON file of [[x, y], …] 0-based pixels')
    .option('--to-pixel <POINTS>', 'JSON file of [[ra, dec], …] in degrees')
    .option('--json', 'print JSON: {"kind", "points": [{"x","y","ra","dec","jac"}]} (null where a point has no solution)')
    .action(async (file: string, opts: { hdu?: string; toSky?: string; toPixel?: string; json?: boolean }) => {
      const r = await runWcs(file, opts);
      process.stdout.write(opts.json ? JSON.stringify(r) + '\n' : formatText(r));
    });
}
