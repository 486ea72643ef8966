// Text tables of `shearwb bench` (pure: formats results the page measured and the cost
// model's predictions; testable in Node).
import {
  DEFAULT_EFFICIENCY,
  DEFAULT_LAUNCH_US,
  GPUS,
  isComputeBound,
  memoryForShape,
  pairCount,
  predictSeconds,
  stepCosts,
  subtileShape,
  totals,
  galaxyTierMix,
  type GpuSpec,
  type StepShape,
} from '../../engine/cost-model';
import type { AdapterReport, FftMeasurement, MapMeasurement } from './types';

export const SWIFTSHADER_NOTE =
  'NOTE: SwiftShader is a CPU implementation of Vulkan. Timings on it are a CI proxy that tracks relative ' +
  'changes and scaling, not GPU performance; use the cost-model predictions (or a run on a real GPU) for that.';

/** SHINE's estimate for 200 MAP steps of a standard sub-tile on an L4 (minutes). */
export const SHINE_L4_MINUTES: readonly [number, number] = [5, 15];

export function table(headers: string[], rows: (string | number)[][], rightAlign: boolean[] = headers.map((_, i) => i > 0)): string {
  const cells = rows.map((r) => r.map(String));
  const w = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (rightAlign[i] ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  return [line(headers), line(w.map((n) => '-'.repeat(n))), ...cells.map(line)].join('\n');
}

/** Number with `d` significant-ish decimals; '–' for null. */
export function fmt(x: number | null | undefined, d = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(Math.max(0, d - 2));
  if (a >= 10) return x.toFixed(Math.max(0, d - 1));
  if (a >= 1) return x.toFixed(d);
  if (a === 0) return '0';
  return x.toPrecision(d);
}

export function adapterLines(a: AdapterReport): string[] {
  const name = [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ') || '(no adapter info)';
  const out = [`WebGPU adapter: ${name}${a.isSoftware ? '  [software adapter]' : ''}`];
  if (a.isSoftware) out.push(SWIFTSHADER_NOTE);
  return out;
}

export const FFT_HEADER = ['N', 'batch', 'implementation', 'ms / 2-D FFT', 'GFLOP/s', 'max rel. diff vs pffft', 'note'];

export function fftTable(rows: FftMeasurement[]): string {
  return table(
    FFT_HEADER,
    rows.map((m) => [m.n, m.batch, m.impl, fmt(m.msPerFft, 4), fmt(m.gflops, 3), m.relErrVsPffft === undefined ? '' : m.relErrVsPffft.toExponential(1), m.note ?? '']),
    [true, true, false, true, true, true, false],
  );
}

/** Throughput ratios WGSL/peer (= peer ms ÷ WGSL ms; > 1: the WGSL FFT is faster), per size. */
export function fftRatioTable(rows: FftMeasurement[]): string {
  const sizes = [...new Set(rows.map((r) => r.n))];
  const get = (n: number, impl: string) => rows.find((r) => r.n === n && r.impl === impl)?.msPerFft ?? null;
  const pairs: [string, string][] = [
    ['wgsl-private', 'fft.js'],
    ['wgsl-private', 'pffft-wasm'],
    ['wgsl-workgroup', 'fft.js'],
    ['wgsl-workgroup', 'pffft-wasm'],
  ];
  const ratio = (a: number | null, b: number | null) => (a && b ? fmt(b / a, 3) : '–');
  return table(
    ['N', ...pairs.map(([w, p]) => `${w} / ${p}`)],
    sizes.map((n) => [n, ...pairs.map(([w, p]) => ratio(get(n, w), get(n, p)))]),
  );
}

const ms = (s: number) => s * 1000;

export interface CostReportOptions {
  efficiency?: number;
  launchUs?: number;
  steps?: number;
}

function gpuRow(g: GpuSpec): string {
  return `  ${g.name.padEnd(10)} ${String(g.fp32Tflops).padStart(5)} TFLOP/s fp32, ${String(g.bandwidthGBs).padStart(5)} GB/s — ${g.source}`;
}

/** The cost-model section: per-kernel counts for the standard sub-tile, predicted times, memory, and the sources × quadrants grid. */
export function costModelReport(opts: CostReportOptions = {}): string {
  const eff = opts.efficiency ?? DEFAULT_EFFICIENCY;
  const launchUs = opts.launchUs ?? DEFAULT_LAUNCH_US;
  const steps = opts.steps ?? 200;
  const mix = galaxyTierMix();
  const vis = subtileShape({ sources: 2500, quadrants: 6, pairs: 'visible', mix });
  const all = subtileShape({ sources: 2500, quadrants: 6, pairs: 'all', mix });
  const costs = stepCosts(vis);
  const costsAll = stepCosts(all);
  const t = totals(costs);
  const tAll = totals(costsAll);
  const l4 = GPUS.find((g) => g.name === 'L4')!;
  const out: string[] = [];
  out.push('Peak figures (spec sheets):');
  for (const g of GPUS) out.push(gpuRow(g));
  out.push(
    `Prediction per kernel: max(flop / (peak·${eff}), bytes / (bandwidth·${eff})) + ${launchUs} µs per dispatch, summed over the step's kernels;`,
    `efficiency ${eff} of peak is an assumption (a well-tuned memory-bound kernel reaches 0.6–0.8 of DRAM bandwidth, these are not tuned).`,
    '',
    'Standard sub-tile: 2,500 galaxies, 6 full VIS quadrants (2048×2066 px) in a 3×2 mosaic overlapping by 40% (each',
    `source seen by ${vis.meanQuadrantsPerSource.toFixed(2)} quadrants on average; uniform over the mosaic);`,
    `tier mix from the simulator's hlr/|e| distribution through src/data/tiers.ts: ${[...mix].map(([n, f]) => `${n}: ${(100 * f).toFixed(1)}%`).join(', ')}.`,
    `Pairs: ${pairCount(vis)} visible, ${pairCount(all)} = 2,500 × 6 when every pair is rendered.`,
    '',
  );
  out.push(
    table(
      ['kernel', 'N', 'GFLOP', 'MB moved', 'bound on L4', 'L4 ms'],
      costs.map((c) => [
        c.kernel,
        c.n ?? '',
        fmt(c.flop / 1e9, 3),
        fmt(c.bytes / 1e6, 3),
        isComputeBound(c, l4) ? 'compute' : 'memory',
        fmt(ms(predictSeconds([c], l4, { efficiency: eff, launchUs })), 3),
      ]),
      [false, true, true, true, false, true],
    ),
  );
  out.push(
    `Total per MAP step (forward + gradient + Adam update): ${fmt(t.flop / 1e9, 3)} GFLOP, ${fmt(t.bytes / 1e9, 3)} GB moved ` +
      `(${fmt(t.flop / t.bytes, 3)} flop/byte), ${t.dispatches} dispatches; every pair: ${fmt(tAll.flop / 1e9, 3)} GFLOP, ${fmt(tAll.bytes / 1e9, 3)} GB.`,
    '',
  );
  const rows = GPUS.map((g) => {
    const s = predictSeconds(costs, g, { efficiency: eff, launchUs });
    const sPeak = predictSeconds(costs, g, { efficiency: 1, launchUs });
    const sAll = predictSeconds(costsAll, g, { efficiency: eff, launchUs });
    return [
      g.name,
      fmt(ms(s), 3),
      fmt(ms(sPeak), 3),
      fmt((steps * s) / 60, 3),
      fmt(ms(sAll), 3),
      fmt(sAll / s, 3),
      g.name === 'L4' ? `SHINE: ${SHINE_L4_MINUTES[0]}–${SHINE_L4_MINUTES[1]} min` : '',
    ];
  });
  out.push(
    table(
      ['GPU', `ms/step (eff ${eff})`, 'ms/step (at peak)', `${steps} steps, min`, 'every pair, ms/step', 'visibility speed-up', 'SHINE estimate, 200 steps'],
      rows,
      [false, true, true, true, true, true, false],
    ),
  );
  const mem = memoryForShape(vis);
  const memAll = memoryForShape(all);
  out.push('', 'Peak GPU memory, standard sub-tile (the engine\'s buffer inventory, src/engine/memory.ts; 9×9 PSF grid per quadrant;');
  out.push('chunk buffers at the default 256 MiB budget; model-image readbacks excluded):');
  out.push(table(['category', 'MB'], Object.entries(mem.byCategory).map(([k, b]) => [k, fmt(b / 1e6, 3)]), [false, true]));
  out.push(
    `Total ${fmt(mem.total / 1e9, 3)} GB (${fmt(mem.total / 2 ** 30, 3)} GiB) — ${mem.total <= 4e9 ? 'within' : 'OVER'} the 4 GB budget` +
      ` (every pair rendered: ${fmt(memAll.total / 1e9, 3)} GB).`,
    '',
  );
  out.push(`Predicted ms per MAP step on L4 (eff ${eff}) over the sub-tile grid: visible pairs only vs every (source, quadrant) pair.`);
  const grid: (string | number)[][] = [];
  for (const s of [500, 1000, 2500, 5000]) {
    for (const q of [2, 4, 6, 8, 16]) {
      const v = subtileShape({ sources: s, quadrants: q, pairs: 'visible', mix });
      const a = subtileShape({ sources: s, quadrants: q, pairs: 'all', mix });
      const tv = predictSeconds(stepCosts(v), l4, { efficiency: eff, launchUs });
      const ta = predictSeconds(stepCosts(a), l4, { efficiency: eff, launchUs });
      grid.push([s, q, pairCount(v), s * q, fmt(ms(tv), 3), fmt(ms(ta), 3), fmt(ta / tv, 3), fmt((steps * tv) / 60, 3), fmt(memoryForShape(v).total / 1e9, 3)]);
    }
  }
  out.push(
    table(['sources', 'quadrants', 'visible pairs', 'sources×quadrants', 'ms/step', 'every pair ms/step', 'speed-up', `${steps} steps, min`, 'memory GB'], grid),
  );
  return out.join('\n');
}

/** Predicted L4 time and the cost model's flop for a measured scene. */
export function mapPrediction(shape: StepShape, gpu: GpuSpec = GPUS[0], opts: CostReportOptions = {}): { seconds: number; flop: number } {
  const costs = stepCosts(shape, { optimizer: false });
  return { seconds: predictSeconds(costs, gpu, { efficiency: opts.efficiency, launchUs: opts.launchUs }), flop: totals(costs).flop };
}

/** Kernels whose invocation count differs between the cost model and ShearEngine.dispatches(). */
export function dispatchMismatches(m: MapMeasurement): string[] {
  const model = new Map<string, number>();
  for (const c of stepCosts(m.shape, { optimizer: false })) {
    if (c.invocations === 0) continue; // FFT calls: their shape depends on the variant
    model.set(c.kernel, (model.get(c.kernel) ?? 0) + c.invocations);
  }
  const out: string[] = [];
  const engine = Object.keys(m.dispatched).filter((k) => !k.startsWith('fft'));
  for (const k of new Set([...model.keys(), ...engine])) {
    if ((model.get(k) ?? 0) !== (m.dispatched[k] ?? 0)) out.push(`${k}: model ${model.get(k) ?? 0}, engine ${m.dispatched[k] ?? 0}`);
  }
  return out;
}

export function mapTable(rows: MapMeasurement[], opts: CostReportOptions = {}): string {
  return table(
    ['case', 'sources', 'quads', 'px', 'pairs', 'S×Q', 'tiers (N:pairs)', 'create ms', 'ms/step', 'ms forward', 'ms/step/100 pairs', 'ms/evaluate', 'GFLOP/step', 'GFLOP/s', 'L4 pred. ms', 'GPU MB'],
    rows.map((m) => {
      const p = mapPrediction(m.shape, GPUS[0], opts);
      return [
        m.label,
        m.sources,
        m.quadrants,
        m.size,
        m.nPairs,
        m.sources * m.quadrants,
        Object.entries(m.tiers).map(([n, c]) => `${n}:${c}`).join(' '),
        fmt(m.msCreate, 3),
        fmt(m.msPerStep, 3),
        fmt(m.msForward, 3),
        fmt((100 * m.msPerStep) / m.nPairs, 3),
        fmt(m.msPerEvaluate, 3),
        fmt(p.flop / 1e9, 3),
        fmt(p.flop / (m.msPerStep * 1e6), 3),
        fmt(ms(p.seconds), 3),
        fmt(m.gpuBytes / 1e6, 3),
      ];
    }),
    [false, ...Array(15).fill(true)],
  );
}

/** Ordinary least squares y ≈ X·β (X rows include a 1 for an intercept); returns β and R². */
export function leastSquares(X: number[][], y: number[]): { beta: number[]; r2: number } {
  const k = X[0].length;
  const A = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  X.forEach((row, i) => {
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) A[a][b] += row[a] * row[b];
      A[a][k] += row[a] * y[i];
    }
  });
  // Gauss–Jordan with partial pivoting on the normal equations (k is 2 or 3 here).
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    if (A[c][c] === 0) return { beta: new Array<number>(k).fill(Number.NaN), r2: Number.NaN };
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let j = c; j <= k; j++) A[r][j] -= f * A[c][j];
    }
  }
  const beta = A.map((row, i) => row[k] / row[i]);
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let ssr = 0;
  let sst = 0;
  X.forEach((row, i) => {
    const f = row.reduce((a, v, j) => a + v * beta[j], 0);
    ssr += (y[i] - f) ** 2;
    sst += (y[i] - my) ** 2;
  });
  return { beta, r2: sst > 0 ? 1 - ssr / sst : Number.NaN };
}

/** Least-squares slope and R² of y on x. */
export function linearFit(x: number[], y: number[]): { slope: number; intercept: number; r2: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { slope, intercept: my - slope * mx, r2: sxx > 0 && syy > 0 ? (sxy * sxy) / (sxx * syy) : 0 };
}
