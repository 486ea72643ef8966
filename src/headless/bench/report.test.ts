// Formatting and fits of `shearwb bench` (pure parts).
import { describe, it, expect } from 'vitest';
import { FFT_HEADER, costModelReport, fftRatioTable, fftTable, leastSquares, linearFit, table } from './report';
import { fft2dFlop } from './fft-bench';
import type { FftMeasurement } from './types';

describe('bench report', () => {
  it('aligns table columns', () => {
    const t = table(['a', 'bb'], [['x', 1], ['yyy', 22]]);
    expect(t.split('\n')).toEqual(['a    bb', '---  --', 'x     1', 'yyy  22']);
  });

  it('prints FFT rows and WGSL/peer throughput ratios from the same measurements', () => {
    const m = (impl: string, ms: number | null): FftMeasurement => ({ impl, n: 64, batch: 2, msPerFft: ms, gflops: ms ? fft2dFlop(64) / (ms * 1e6) : null, iterations: 3 });
    const rows = [m('fft.js', 2), m('pffft-wasm', 1), m('wgsl-private', 0.5), m('wgsl-workgroup', null)];
    const t = fftTable(rows);
    expect(t.split('\n')[0].trim().split(/\s{2,}/)).toEqual(FFT_HEADER);
    expect(t).toContain('wgsl-private');
    const r = fftRatioTable(rows).split('\n');
    expect(r[0]).toContain('wgsl-private / fft.js');
    // 2/0.5 = 4 and 1/0.5 = 2; skipped workgroup variant gives '–'
    expect(r[2].split(/\s+/)).toEqual(['64', '4.000', '2.000', '–', '–']);
    // 5·N²·log2(N²) for N = 64: 5 · 4096 · 12
    expect(fft2dFlop(64)).toBe(245760);
  });

  it('fits lines and planes exactly on exact data', () => {
    const x = [1, 2, 3, 4];
    expect(linearFit(x, x.map((v) => 3 * v + 1))).toEqual({ slope: 3, intercept: 1, r2: 1 });
    const X = [[1, 0, 1], [0, 1, 1], [2, 3, 1], [5, 1, 1]];
    const f = leastSquares(X, X.map(([a, b]) => 2 * a - b + 7));
    expect(f.beta[0]).toBeCloseTo(2, 10);
    expect(f.beta[1]).toBeCloseTo(-1, 10);
    expect(f.beta[2]).toBeCloseTo(7, 10);
    expect(f.r2).toBeCloseTo(1, 12);
  });

  it('prints the cost model with the GPUs, SHINE estimate and the 4 GB memory check', () => {
    const r = costModelReport();
    for (const s of ['L4', 'A100 40GB', 'H100 SXM', 'SHINE: 5–15 min', 'within the 4 GB budget', '2,500 galaxies']) expect(r).toContain(s);
  });
});
