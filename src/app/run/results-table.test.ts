// Results written by the page (src/data/products paramsTable) read back onto the scene.
import { describe, expect, it } from 'vitest';
import { paramsTable, readParamsTable } from '../../data/products/params';
import { tinyScene } from '../../engine/optim/test-scenes';
import { sourceOffsets } from '../../reference/scene';
import { resultHeader, resultRows, resultsToParams } from './results-table';

describe('results tables', () => {
  const { scene, truth } = tinyScene({ noiseSigma: 0.05 });
  scene.sources.forEach((s, i) => (s.id = 1000 + i));
  const meta = scene.sources.map((s, i) => ({ objectId: 1000 + i, kind: s.kind, ra: 10 + i * 1e-4, dec: -5, nQuadrants: 1 }));
  const off = sourceOffsets(scene);
  const sigma = truth.map((v, i) => 0.01 + i * 1e-3);
  const chi2 = Float64Array.from(scene.sources, (_, i) => 100 + i);

  for (const fmt of ['fits', 'parquet'] as const) {
    it(`${fmt}: parameters, errors, shear errors and χ² come back in scene layout`, async () => {
      const rows = resultRows(meta, off, truth, sigma, chi2);
      const t = paramsTable(rows, resultHeader(truth, 0.011, 0.012, { tileId: 7, subtileRow: 1, subtileCol: 2 }));
      const read = await readParamsTable(t[fmt], `mem.${fmt}`);
      const r = resultsToParams(scene, read, new Float64Array(truth.length), `mem.${fmt}`);
      expect(r.missing).toBe(0);
      for (let i = 0; i < truth.length; i++) {
        // float32 columns; G1/G2 headers are float64.
        expect(Math.abs(r.params[i] - truth[i])).toBeLessThanOrEqual(2e-7 * Math.max(1, Math.abs(truth[i])));
        expect(Math.abs(r.sigma![i] - (i < 2 ? [0.011, 0.012][i] : sigma[i]))).toBeLessThanOrEqual(1e-7 * Math.max(1, sigma[i]));
      }
      expect(r.g1Err).toBeCloseTo(0.011, 9);
      expect(Array.from(r.chi2)).toEqual([100, 101, 102, 103]);
    });
  }

  it('sources without a row keep the start values', async () => {
    const rows = resultRows(meta, off, truth, null, null).filter((r) => r.objectId !== 1001);
    const read = await readParamsTable(paramsTable(rows, resultHeader(truth, null, null, {})).parquet, 'part.parquet');
    const start = truth.map((v) => v * 1.5);
    const r = resultsToParams(scene, read, start, 'part.parquet');
    expect(r.missing).toBe(1);
    for (let k = 0; k < 6; k++) expect(r.params[off[1] + k]).toBe(start[off[1] + k]);
    expect(Math.abs(r.params[off[2]] - truth[off[2]])).toBeLessThan(1e-5);
    expect(r.g1Err).toBeNull();
  });
});
