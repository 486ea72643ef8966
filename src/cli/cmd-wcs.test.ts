// `shearwb wcs` against the wcslib fixtures: FITS files carrying each fixture header,
// written here with a tiny block writer, converted by the command.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from './main';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = JSON.parse(readFileSync(resolve(repoRoot, '../shared/fixtures/wcs_cases.json'), 'utf8')) as {
  cases: Array<{ kind: string; header: string; samples: Array<{ x: number; y: number; ra: number; dec: number; jac: number[] }> }>;
};

const dir = mkdtempSync(join(tmpdir(), 'shearwb-wcs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const card = (s: string) => s.padEnd(80, ' ').slice(0, 80);
const kv = (k: string, v: string) => card(`${k.padEnd(8)}= ${v.padStart(20)}`);
function blocks(cards: string[]): Buffer {
  const text = [...cards, card('END')].join('');
  return Buffer.from(text.padEnd(Math.ceil(text.length / 2880) * 2880, ' '), 'latin1');
}

/** Empty primary + an 8×8 float32 image extension named SCI carrying the fixture's WCS cards. */
function writeFixtureFits(header: string, path: string): void {
  const wcsCards = header.split('\n').filter((l) => l.trim() && !/^(NAXIS|END)/.test(l)).map(card);
  const primary = blocks([kv('SIMPLE', 'T'), kv('BITPIX', '8'), kv('NAXIS', '0'), kv('EXTEND', 'T')]);
  const ext = blocks([
    kv('XTENSION', "'IMAGE   '"), kv('BITPIX', '-32'), kv('NAXIS', '2'), kv('NAXIS1', '8'), kv('NAXIS2', '8'),
    kv('PCOUNT', '0'), kv('GCOUNT', '1'), kv('EXTNAME', "'SCI     '"), ...wcsCards,
  ]);
  const data = Buffer.alloc(2880); // 8×8×4 bytes of zeros, padded
  writeFileSync(path, Buffer.concat([primary, ext, data]));
}

async function runCli(args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await main(['node', 'shearwb', ...args]);
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { out, err, code };
}

describe('shearwb wcs against the wcslib fixtures', () => {
  fixtures.cases.forEach((c, i) => {
    it(`case ${i} (${c.kind}): --to-sky and --to-pixel`, async () => {
      const fits = join(dir, `case${i}.fits`);
      writeFixtureFits(c.header, fits);
      const pix = join(dir, `pix${i}.json`);
      const sky = join(dir, `sky${i}.json`);
      writeFileSync(pix, JSON.stringify(c.samples.map((s) => [s.x, s.y])));
      writeFileSync(sky, JSON.stringify(c.samples.map((s) => [s.ra, s.dec])));

      const a = await runCli(['wcs', fits, '--hdu', 'SCI', '--to-sky', pix, '--json']);
      expect(a.err).toBe('');
      expect(a.code).toBe(0);
      const rs = JSON.parse(a.out);
      expect(rs.kind).toBe(c.kind === 'SIP' ? 'TAN-SIP' : c.kind);
      expect(rs.points.length).toBe(c.samples.length);
      const b = await runCli(['wcs', fits, '--hdu', '1', '--to-pixel', sky, '--json']);
      expect(b.code).toBe(0);
      const rp = JSON.parse(b.out);
      c.samples.forEach((s, k) => {
        const p = rs.points[k];
        const scale = Math.sqrt(Math.abs(s.jac[0] * s.jac[3] - s.jac[1] * s.jac[2]));
        let dra = p.ra - s.ra;
        dra -= 360 * Math.round(dra / 360);
        const errPx = (Math.hypot(dra * Math.cos((s.dec * Math.PI) / 180), p.dec - s.dec) * 3600) / scale;
        expect(errPx).toBeLessThan(1e-3);
        for (let j = 0; j < 4; j++) expect(Math.abs(p.jac[j] - s.jac[j])).toBeLessThan(1e-5);
        const q = rp.points[k];
        expect(Math.hypot(q.x - s.x, q.y - s.y)).toBeLessThan(1e-3);
        for (let j = 0; j < 4; j++) expect(Math.abs(q.jac[j] - s.jac[j])).toBeLessThan(1e-5);
      });
    });
  });

  it('bad input: unknown HDU, bad points file, both directions', async () => {
    const fits = join(dir, 'case0.fits');
    writeFixtureFits(fixtures.cases[0].header, fits);
    const pts = join(dir, 'bad.json');
    writeFileSync(pts, '[[1, 2], [3]]');
    const r1 = await runCli(['wcs', fits, '--hdu', 'NOPE', '--to-sky', pts, '--json']);
    expect(r1.code).toBe(2);
    expect(r1.err).toMatch(/NOPE/);
    const r2 = await runCli(['wcs', fits, '--hdu', 'SCI', '--to-sky', pts, '--json']);
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/bad\.json: point 1 is \[3\]/);
    const r3 = await runCli(['wcs', fits, '--to-sky', pts, '--to-pixel', pts]);
    expect(r3.err).toMatch(/exactly one of --to-sky/);
    // A header whose CTYPE is unsupported: the error names the file, HDU and keyword.
    const bad = join(dir, 'sin.fits');
    writeFixtureFits(fixtures.cases[0].header.replace(/RA---TAN/, 'RA---SIN').replace(/DEC--TAN/, 'DEC--SIN'), bad);
    writeFileSync(pts, '[[1, 2]]');
    const r4 = await runCli(['wcs', bad, '--hdu', 'SCI', '--to-sky', pts]);
    expect(r4.code).toBe(2);
    expect(r4.err).toMatch(/sin\.fits\[SCI\]: WCS CTYPE1: unsupported projection 'RA---SIN'/);
  });

  it('runs as a process through bin/shearwb.mjs (text output)', () => {
    const fits = join(dir, 'case1.fits');
    writeFixtureFits(fixtures.cases[1].header, fits);
    const pts = join(dir, 'one.json');
    const s = fixtures.cases[1].samples[0];
    writeFileSync(pts, JSON.stringify([[s.x, s.y]]));
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin/shearwb.mjs'), 'wcs', fits, '--to-sky', pts], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/HDU 1 \(SCI\) WCS TPV/);
    expect(r.stdout).toContain(s.ra.toFixed(8));
  });
});
