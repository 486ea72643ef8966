// All products of one sub-tile, built and written together: names, contents, determinism, done-marker.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'fflate';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isSubtileDone, writeProducts } from './atomic';
import { buildProducts, type SubtileResult } from './build';
import { readParamsTable } from './params';

const result: SubtileResult = {
  shear: { tileId: 102159490, subtileRow: 2, subtileCol: 1, ra: 150.2, dec: 2.1, g1: 0.01, g2: -0.02, g1Err: 0.004, g2Err: 0.004, nSources: 2, method: 'map-lbfgs', convergence: 1e-9 },
  params: [1, 2].map((i) => ({
    objectId: i, ra: 150.2 + i * 1e-3, dec: 2.1, flux: 5 * i, hlr: 0.3, e1: 0.1, e2: 0.05, dx: 0, dy: 0,
    fluxErr: 0.2, hlrErr: 0.01, e1Err: 0.02, e2Err: 0.02, dxErr: 0.001, dyErr: 0.001, kind: 'galaxy' as const, nQuadrants: 4, chi2: 1.1,
  })),
  metadata: { code: { version: '0.1.0' }, config: { steps: 10 } },
  diagnostics: [{ label: 'q1', nx: 8, ny: 8, observed: Float32Array.from({ length: 64 }, (_, i) => i), model: new Float32Array(64) }],
};

describe('buildProducts + writeProducts', () => {
  it('writes the six DESIGN §3 products and a marker; identical inputs give identical bytes', async () => {
    const a = await buildProducts(result);
    const b = await buildProducts(result);
    const names = Object.keys(a).sort();
    expect(names).toEqual([
      'diagnostics_102159490_2_1.png',
      'metadata_102159490_2_1.yaml',
      'params_102159490_2_1.fits',
      'params_102159490_2_1.parquet',
      'shear_102159490_2_1.fits',
      'shear_102159490_2_1.parquet',
    ]);
    for (const n of names) expect(Buffer.from(a[n]!).equals(Buffer.from(b[n]!)), n).toBe(true);
    const meta = parse(new TextDecoder().decode(a['metadata_102159490_2_1.yaml']));
    expect(meta.products).toEqual(names);
    expect(meta.tile_id).toBe(102159490);
    const dir = mkdtempSync(join(tmpdir(), 'shearwb-build-'));
    try {
      await writeProducts(dir, { tileId: 102159490, row: 2, col: 1, files: a });
      expect(readdirSync(dir).sort()).toEqual(['done_102159490_2_1.json', ...names].sort());
      expect(await isSubtileDone(dir, 102159490, 2, 1, { verifyHashes: true })).toBe(true);
      const pq = await readParamsTable(new Uint8Array(readFileSync(join(dir, 'params_102159490_2_1.parquet'))), 'p.parquet');
      expect([pq.g1, pq.g2]).toEqual([0.01, -0.02]);
      expect(pq.meta.get('RA_CORE')).toBe('150.2');
      // The FITS reader path also takes whole-file gzip.
      const gz = gzipSync(new Uint8Array(readFileSync(join(dir, 'params_102159490_2_1.fits'))));
      const fz = await readParamsTable(gz, 'p.fits.gz');
      expect(fz.rows.map((r) => r.flux)).toEqual([5, 10]);
      expect(fz.meta.get('DEC_CORE')).toBe(2.1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
