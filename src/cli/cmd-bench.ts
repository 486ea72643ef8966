// `shearwb bench`: FFT throughput (WGSL vs fft.js vs PFFFT-wasm in the same headless
// Chromium), the cost model of a MAP step (flop, bytes, predicted time on named GPUs,
// peak memory) and MAP-step timings vs scene size and visibility filtering on this
// machine's adapter. Prints tables with ratios measured in the same run.
import type { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DIST_DIR, ensureAppBuilt } from './app-build';
import { openHeadless } from './headless-driver';
import {
  adapterLines,
  costModelReport,
  dispatchMismatches,
  fftRatioTable,
  fftTable,
  fmt,
  leastSquares,
  mapPrediction,
  mapTable,
} from '../headless/bench/report';
import type { FftBenchOptions, FftBenchResult, MapBenchCase, MapMeasurement } from '../headless/bench/types';
// window.shearBench's type (a global declaration of the page module).
import type {} from '../headless/bench/main';

interface BenchOpts {
  quick?: boolean;
  fft: boolean;
  map: boolean;
  cost: boolean;
  sizes?: string;
  json?: string;
  verbose?: boolean;
}

const FULL_SIZES = [32, 64, 128, 256, 512];

function parseSizes(s: string): number[] {
  const out = s.split(',').map((x) => Number(x.trim()));
  for (const n of out) {
    if (!(Number.isInteger(n) && n >= 32 && n <= 512 && (n & (n - 1)) === 0)) {
      throw new Error(`--sizes: '${s}' must be a comma-separated list of powers of two 32…512`);
    }
  }
  return out;
}

/** Synthetic scenes small enough for SwiftShader: growth with sources, with quadrants, and filtering on/off. */
export const MAP_CASES: MapBenchCase[] = [
  { label: 'S50 Q4', sources: 50, quadrants: 4, size: 256, pairs: 'visible' },
  { label: 'S100 Q4', sources: 100, quadrants: 4, size: 256, pairs: 'visible' },
  { label: 'S200 Q4', sources: 200, quadrants: 4, size: 256, pairs: 'visible' },
  { label: 'S400 Q4', sources: 400, quadrants: 4, size: 256, pairs: 'visible' },
  { label: 'S200 Q2', sources: 200, quadrants: 2, size: 256, pairs: 'visible' },
  { label: 'S200 Q8', sources: 200, quadrants: 8, size: 256, pairs: 'visible' },
  { label: 'S200 Q6 visible', sources: 200, quadrants: 6, size: 256, pairs: 'visible' },
  { label: 'S200 Q6 every pair', sources: 200, quadrants: 6, size: 256, pairs: 'all' },
];

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const say = (s = '') => process.stdout.write(s + '\n');

async function benchPage(page: Page): Promise<void> {
  await page.waitForFunction(() => !!window.shearBench, undefined, { timeout: 60_000 });
}

export async function runBench(opts: BenchOpts): Promise<void> {
  const quick = !!opts.quick;
  const sizes = opts.sizes ? parseSizes(opts.sizes) : quick ? [32, 64] : FULL_SIZES;
  const started = Date.now();
  const record: Record<string, unknown> = { quick };
  // dist/ may have been built before the bench page existed: rebuild then.
  await ensureAppBuilt({ force: !existsSync(join(DIST_DIR, 'bench.html')) });
  const session = await openHeadless('bench.html', { verbose: opts.verbose });
  try {
    await benchPage(session.page);
    const page = session.page;
    const adapter = await withTimeout(page.evaluate(() => window.shearBench!.adapter()), 60_000, 'adapter request');
    say('shearwb bench' + (quick ? ' --quick (FFT only, small sizes)' : ''));
    for (const l of adapterLines(adapter)) say(l);
    say(`Browser: ${await page.evaluate(() => navigator.userAgent)}`);
    say();

    if (opts.fft) {
      const fftOpts: FftBenchOptions = quick
        ? { sizes, points: 1 << 12, targetMs: 100, maxIterMs: 5_000 }
        : { sizes, points: 1 << 20, targetMs: 1_500, maxIterMs: 20_000 };
      say(`== FFT throughput: batched 2-D complex N×N forward FFTs, batch B = ${fftOpts.points} / N² stamps`);
      say('   WGSL: wall time from submit to queue.onSubmittedWorkDone over forward+inverse iterations after a warm-up;');
      say('   CPU peers (main thread): their 1-D complex transforms over rows, then columns (gathered); fft.js in float64,');
      say('   PFFFT-wasm (SIMD) in float32. GFLOP/s = 5·N²·log2(N²) per FFT / time.');
      const fft = await withTimeout(page.evaluate((o) => window.shearBench!.fft(o), fftOpts), quick ? 120_000 : 1_800_000, 'FFT benchmark');
      record.fft = fft;
      say(fftTable(fft.rows));
      say();
      say('Throughput ratio WGSL / peer (peer ms ÷ WGSL ms; > 1 means the WGSL FFT is faster), same run:');
      say(fftRatioTable(fft.rows));
      say(pffftSourceLine(fft, session.server.url));
      if (adapter.isSoftware) say('(SwiftShader: the GPU numbers above are CPU numbers of a software rasteriser — a CI proxy, not GPU performance.)');
      say();
    }

    if (opts.cost && !quick) {
      say('== Cost model of one MAP step (src/engine/cost-model.ts), predicted on real GPUs');
      say(costModelReport());
      say();
    }

    if (opts.map && !quick) {
      say('== MAP step timing on this adapter (synthetic scenes: galaxies on a mosaic of 256-px quadrants, tiers 32/64)');
      say('   ms/step: median of single forward+gradient steps (submit → onSubmittedWorkDone), no readback; ms/evaluate: one');
      say('   evaluate({gradient: true}) call with the loss and gradient readback.');
      if (adapter.isSoftware) say('   SwiftShader: a CI proxy for scaling and ratios, not GPU performance; L4 column = cost-model prediction.');
      const rows: MapMeasurement[] = [];
      for (const c of MAP_CASES) {
        const m = await withTimeout(page.evaluate((x) => window.shearBench!.mapCase(x, { targetMs: 3000 }), c), 600_000, `MAP case ${c.label}`);
        rows.push(m);
        process.stderr.write(`  ${c.label}: ${m.nPairs} pairs, ${fmt(m.msPerStep)} ms/step\n`);
      }
      record.map = rows;
      say(mapTable(rows));
      const mism = rows.flatMap((m) => dispatchMismatches(m).map((s) => `${m.label}: ${s}`));
      say(
        mism.length === 0
          ? 'Cost model invocations = ShearEngine.dispatches() for every kernel of every case (FFT calls excepted).'
          : `Cost model vs engine dispatch mismatches: ${mism.join('; ')}`,
      );
      // Step time = per-pair work + per-pixel work (image kernels) + fixed; which count explains it?
      const px = (r: MapMeasurement) => r.quadrants * r.size * r.size;
      const y = rows.map((r) => r.msPerStep);
      const fitPairs = leastSquares(rows.map((r) => [r.nPairs, px(r) / 1e3, 1]), y);
      const fitSQ = leastSquares(rows.map((r) => [r.sources * r.quadrants, px(r) / 1e3, 1]), y);
      say(
        `Fit over all cases, ms/step = a·count + b·kpixels + c: with count = rendered pairs R² ${fmt(fitPairs.r2, 3)} ` +
          `(a = ${fmt(fitPairs.beta[0], 3)} ms/pair, b = ${fmt(fitPairs.beta[1], 3)} ms/kpx, c = ${fmt(fitPairs.beta[2], 3)} ms); ` +
          `with count = sources×quadrants R² ${fmt(fitSQ.r2, 3)}.`,
      );
      const v = rows.find((r) => r.label === 'S200 Q6 visible');
      const a = rows.find((r) => r.label === 'S200 Q6 every pair');
      if (v && a) {
        const pv = mapPrediction(v.shape).seconds;
        const pa = mapPrediction(a.shape).seconds;
        say(
          `Visibility filtering, 200 sources × 6 quadrants: ${v.nPairs} visible of ${a.nPairs} pairs; measured speed-up ` +
            `${fmt(a.msPerStep / v.msPerStep, 3)}× (${fmt(a.msPerStep)} → ${fmt(v.msPerStep)} ms/step), cost model ${fmt(pa / pv, 3)}× on L4. ` +
            `Standard sub-tile (2,500 × 6 full quadrants): see the cost-model table above (SHINE's spec expects 3–5×).`,
        );
        // The image kernels (per pixel) cost the same with and without filtering; on SwiftShader they dominate.
        const pairPart = (r: MapMeasurement) => r.msPerStep - fitPairs.beta[1] * (px(r) / 1e3) - fitPairs.beta[2];
        say(
          `  Per-pair part of the step (measured minus the fit's per-pixel and fixed parts): ${fmt(pairPart(a), 3)} → ${fmt(pairPart(v), 3)} ms, ` +
            `${fmt(pairPart(a) / pairPart(v), 3)}×.`,
        );
      }
      say();
    }
    say(`bench finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (opts.json) {
      writeFileSync(opts.json, JSON.stringify(record, null, 2));
      say(`results written to ${opts.json}`);
    }
  } finally {
    await session.close();
  }
}

function pffftSourceLine(fft: FftBenchResult, origin: string): string {
  if (!fft.rows.some((r) => r.impl === 'pffft-wasm')) return '';
  if (!fft.pffftWasmUrl) return 'WARNING: no .wasm fetch was seen for PFFFT.';
  const local = fft.pffftWasmUrl.startsWith(origin + '/');
  return `PFFFT wasm loaded from ${fft.pffftWasmUrl} (${local ? "the app's own bundled assets" : 'WARNING: not the app origin'}).`;
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('benchmarks: WGSL FFT vs fft.js / PFFFT-wasm, MAP-step cost model (L4/A100/H100), MAP-step timings in headless Chromium')
    .option('--quick', 'a tiny FFT-only run (sizes 32, 64) for smoke tests')
    .option('--sizes <list>', 'FFT sizes, e.g. 32,64,128')
    .option('--no-fft', 'skip the FFT throughput part')
    .option('--no-cost', 'skip the cost-model part')
    .option('--no-map', 'skip the MAP-step timings')
    .option('--json <file>', 'also write the measurements as JSON')
    .option('--verbose', "forward the page's console")
    .action(async (opts: BenchOpts) => runBench(opts));
}
