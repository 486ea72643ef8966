// `shearwb render` end to end: spawns the CLI on the shared fixture subtile-small-noiseless (builds the
// app when stale, drives headless Chromium) and checks the file against the independent renderer's
// truth_model.fits: HDUs, headers, shapes, WCS cards and values (tolerance of independent.gpu.test.ts).
import { spawnSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './app-build';
import { planInputs } from './cmd-render';
import { openFits } from '../data/fits/index';
import { openSource } from '../data/storage/index';

const FIXTURE = resolve(REPO_ROOT, '..', 'shared', 'fixtures', 'subtile-small-noiseless');
const CLI = join(REPO_ROOT, 'bin', 'shearwb.mjs');
// Same tolerances as src/engine/independent.gpu.test.ts (whole quadrant).
const TOL_IMAGE = 1.3e-3;
const TOL_FLUX = 1e-4;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'shearwb-render-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function runCli(args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, SHEARWB_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    });
  });
}

describe('shearwb render', () => {
  it('writes model_{tile}_{row}_{col}.fits matching the independent truth_model.fits', async () => {
    const out = join(tmp, 'out');
    const r = await runCli(['render', join(FIXTURE, 'subtile', 'manifest_local.yaml'), '--params', join(FIXTURE, 'truth_params.fits'), '--out', out], 280_000);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sources rendered 12 of 12/);
    const file = join(out, 'model_102159490_1_2.fits');
    expect(readdirSync(out)).toEqual(['model_102159490_1_2.fits']); // no temporary left behind

    const got = await openFits(openSource(file));
    const want = await openFits(openSource(join(FIXTURE, 'truth_model.fits')));
    const sci = await Promise.all(
      ['00', '01'].map((d) => openFits(openSource(join(FIXTURE, 'subtile', 'exposures', `2704_${d}_3-4_sci.fits`)))),
    );
    expect(got.hdus[0].kind).toBe('header-only');
    const images = got.hdus.slice(1);
    const truth = want.hdus.slice(1);
    expect(images.length).toBe(2);
    for (let k = 0; k < 2; k++) {
      const h = images[k];
      const t = truth[k];
      expect(h.kind).toBe('image');
      expect(h.extname).toBe('MODEL');
      for (const key of ['EXTVER', 'QUADRANT', 'SCIPATH']) expect(h.header.get(key), key).toEqual(t.header.get(key));
      expect(h.header.get('EXTVER')).toBe(k + 1);
      // Same pixel grid as the SCI HDU: shape and WCS cards.
      const s = sci[k].hdu(`${t.header.get('QUADRANT')}.SCI`);
      expect(h.shape).toEqual(s.shape);
      for (const c of s.header.cards.filter((c) => /^(CTYPE|CRPIX|CRVAL|CD\d_|CUNIT|PV\d_)/.test(c.key))) {
        expect(h.header.get(c.key), c.key).toEqual(c.value);
      }
      const m = (await got.readImage(h)).data;
      const tv = (await want.readImage(t)).data;
      let peak = 0;
      let err = 0;
      let sm = 0;
      let st = 0;
      for (let i = 0; i < tv.length; i++) {
        peak = Math.max(peak, tv[i]);
        err = Math.max(err, Math.abs(m[i] - tv[i]));
        sm += m[i];
        st += tv[i];
      }
      expect(err / peak, `${h.header.get('QUADRANT')}: max |Δ| / peak`).toBeLessThan(TOL_IMAGE);
      expect(Math.abs(sm / st - 1)).toBeLessThan(TOL_FLUX);
    }
  }, 300_000);

  it('fails with a clear message before starting a browser when the table does not exist', () => {
    const r = spawnSync(process.execPath, [CLI, 'render', join(FIXTURE, 'subtile', 'manifest_local.yaml'), '--params', join(tmp, 'nope.fits'), '--out', tmp], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/shearwb: --params .*nope\.fits.* does not exist/);
  }, 60_000);

  it('serves the common ancestor of a manifest and the files it references with ../', async () => {
    const root = join(tmp, 'tree');
    cpSync(join(FIXTURE, 'subtile'), join(root, 'subtile'), { recursive: true });
    mkdirSync(join(root, 'manifests'));
    const text = readFileSync(join(FIXTURE, 'subtile', 'manifest_local.yaml'), 'utf8')
      .replace(/(sci_path|bkg_path|wgt_path|psf_path): /g, '$1: ../subtile/')
      .replace('source_catalog: catalog.fits', 'source_catalog: ../subtile/catalog.fits');
    writeFileSync(join(root, 'manifests', 'm 1.yaml'), text);
    const plan = await planInputs(join(root, 'manifests', 'm 1.yaml'), join(FIXTURE, 'truth_params.fits'));
    expect(plan.mounts).toEqual([
      { prefix: '/data/', dir: root },
      { prefix: '/params/', dir: FIXTURE },
    ]);
    expect(plan.manifestUrl('http://h')).toBe('http://h/data/manifests/m%201.yaml');
    expect(plan.paramsUrl('http://h')).toBe('http://h/params/truth_params.fits');
    // Messages from the page name the local files, not their loopback URLs.
    expect(plan.localise("x http://h/data/manifests/m%201.yaml: bad, 'http://h/params/truth_params.fits'", 'http://h')).toBe(
      `x ${join(root, 'manifests', 'm 1.yaml')}: bad, '${join(FIXTURE, 'truth_params.fits')}'`,
    );
    // Remote inputs pass through untouched; a missing referenced file is named.
    const remote = await planInputs('https://example.org/m.yaml', 's3://b/p.parquet');
    expect(remote.mounts).toEqual([]);
    expect(remote.manifestUrl('http://h')).toBe('https://example.org/m.yaml');
    rmSync(join(root, 'subtile', 'catalog.fits'));
    await expect(planInputs(join(root, 'manifests', 'm 1.yaml'), join(FIXTURE, 'truth_params.fits'))).rejects.toThrow(
      /source_catalog = '\.\.\/subtile\/catalog\.fits' → .*catalog\.fits does not exist/,
    );
    expect(existsSync(join(root, 'subtile', 'psf'))).toBe(true);
  });
});
