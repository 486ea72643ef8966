// `shearwb run` end to end on a small simulated sub-tile (headless Chromium, SwiftShader): the
// products of DESIGN §3 with a done marker, shear within 3·G_ERR of the simulator's truth, and
// determinism — two runs write byte-identical shear and params tables (FITS and Parquet).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSubtileDone } from '../data/products/atomic';
import { readParamsTable } from '../data/products/params';
import { openFits } from '../data/fits/index';
import { openSource } from '../data/storage/index';
import type { SimTruth } from '../sim/index';
import { REPO_ROOT } from './app-build';
import { runCli, writeSmallSubtile } from './run-fixtures';

let tmp: string;
let truth: SimTruth;
let manifest: string;
const STEM = '102159490_2_1';
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'shearwb-run-'));
  truth = await writeSmallSubtile(join(tmp, 'subtile'));
  manifest = join(tmp, 'subtile', 'manifest_local.yaml');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('shearwb run', () => {
  it('writes the products, recovers the shear within 3·G_ERR, and is deterministic', async () => {
    const a = join(tmp, 'a');
    const b = join(tmp, 'b');
    const r1 = await runCli(['run', manifest, '--out', a, '--json', '--every', '5'], 280_000);
    expect(r1.code, r1.stderr).toBe(0);
    // Progress on stderr every 5 steps.
    expect(r1.stderr).toMatch(/step +5 +loss/);
    expect(r1.stderr).toMatch(/step +10 +loss/);
    const res = JSON.parse(r1.stdout);
    expect(readdirSync(a).sort()).toEqual(
      [
        `diagnostics_${STEM}.png`,
        `metadata_${STEM}.yaml`,
        `params_${STEM}.fits`,
        `params_${STEM}.parquet`,
        `shear_${STEM}.fits`,
        `shear_${STEM}.parquet`,
        `done_${STEM}.json`,
      ].sort((x, y) => (x < y ? -1 : 1)),
    );
    expect(await isSubtileDone(a, 102159490, 2, 1, { verifyHashes: true })).toBe(true);

    // Shear row, and recovery of the known shear.
    const shear = await openFits(openSource(join(a, `shear_${STEM}.fits`)));
    const t = await shear.readTable(shear.hdus[1]);
    const col = (n: string) => Number((t.columns.find((c) => c.name === n)!.data as ArrayLike<number | bigint>)[0]);
    const [g1, g2, e1, e2] = ['G1', 'G2', 'G1_ERR', 'G2_ERR'].map(col);
    console.log(`run: g = (${g1.toFixed(4)} ± ${e1.toFixed(4)}, ${g2.toFixed(4)} ± ${e2.toFixed(4)}), truth (${truth.g1}, ${truth.g2}); ${res.map.steps} steps, ${(r1.ms / 1000).toFixed(1)} s`);
    expect(e1).toBeGreaterThan(0);
    expect(e2).toBeGreaterThan(0);
    expect(Math.abs(g1 - truth.g1)).toBeLessThan(3 * e1);
    expect(Math.abs(g2 - truth.g2)).toBeLessThan(3 * e2);
    expect(col('N_SOURCES')).toBe(res.nGalaxies);
    expect(res.map.converged).toBe(true);

    // Params: core sources only, stars marked by KIND.
    const params = await readParamsTable(new Uint8Array(readFileSync(join(a, `params_${STEM}.parquet`))), 'params');
    const core = new Set(res.sources.filter((s: { core: boolean }) => s.core).map((s: { objectId: number }) => String(s.objectId)));
    expect(params.rows.length).toBe(core.size);
    for (const row of params.rows) {
      expect(core.has(String(row.objectId))).toBe(true);
      expect(['galaxy', 'star']).toContain(row.kind);
      expect(row.nQuadrants).toBeGreaterThanOrEqual(1);
      expect(Number.isFinite(row.chi2)).toBe(true);
    }

    // Metadata: code version, config hash, inputs, adapter, timings, steps, convergence, dropped.
    const meta = parse(readFileSync(join(a, `metadata_${STEM}.yaml`), 'utf8'));
    expect(meta.code.version).toBe(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
    expect(meta.config_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.config.fit.optimizer).toBe('lbfgs');
    expect(meta.inputs.length).toBeGreaterThanOrEqual(3);
    expect(meta.inputs.every((f: { size: number; sha256: string }) => f.size > 0 && /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
    expect(meta.adapter.isSoftware).toBe(true);
    expect(meta.timings_s.map).toBeGreaterThan(0);
    expect(meta.steps).toBe(res.map.steps);
    expect(meta.convergence.converged).toBe(true);
    expect(Array.isArray(meta.dropped)).toBe(true);

    // Determinism: a second run writes identical tables.
    const r2 = await runCli(['run', manifest, '--out', b], 280_000);
    expect(r2.code, r2.stderr).toBe(0);
    for (const f of [`shear_${STEM}.fits`, `shear_${STEM}.parquet`, `params_${STEM}.fits`, `params_${STEM}.parquet`, `diagnostics_${STEM}.png`]) {
      expect(Buffer.compare(readFileSync(join(a, f)), readFileSync(join(b, f))), f).toBe(0);
    }
  }, 600_000);

  it('rejects bad options before starting a browser', async () => {
    const r = await runCli(['run', manifest, '--out', join(tmp, 'x'), '--optimizer', 'sgd'], 60_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shearwb: run: --optimizer must be 'lbfgs' or 'adam', not 'sgd'/);
    const r2 = await runCli(['run', join(tmp, 'nope.yaml'), '--out', join(tmp, 'x')], 60_000);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/nope\.yaml/);
  }, 120_000);
});
