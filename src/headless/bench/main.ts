// The benchmark page (bench.html): exposes window.shearBench for `shearwb bench`, which
// drives it through Playwright and prints the tables (src/cli/cmd-bench.ts).
import { acquireGpu, type GpuContext } from '../../engine/device';
import { runFftBench } from './fft-bench';
import { loadPffft } from './cpu-peers';
import type { AdapterReport, FftBenchOptions, FftBenchResult, MapBenchCase, MapMeasurement } from './types';

export interface ShearBenchApi {
  adapter(): Promise<AdapterReport>;
  fft(opts: FftBenchOptions): Promise<FftBenchResult>;
  mapCase(c: MapBenchCase, opts: { targetMs: number }): Promise<MapMeasurement>;
}

declare global {
  interface Window {
    shearBench?: ShearBenchApi;
  }
}

let gpu: Promise<GpuContext> | undefined;
const getGpu = () => (gpu ??= acquireGpu());
const status = (s: string) => {
  const el = document.getElementById('status');
  if (el) el.textContent = s;
};

async function adapter(): Promise<AdapterReport> {
  const ctx = await getGpu();
  return { ...ctx.adapterInfo, isSoftware: ctx.isSoftware };
}

window.shearBench = {
  adapter,
  async fft(opts) {
    const ctx = await getGpu();
    await loadPffft();
    const wasm = performance.getEntriesByType('resource').find((e) => /\.wasm(\?|$)/.test(e.name));
    const rows = await runFftBench(ctx, opts, (m) => status(`fft ${m.impl} ${m.n}: ${m.msPerFft?.toFixed(3) ?? 'skipped'} ms`));
    return { adapter: await adapter(), userAgent: navigator.userAgent, pffftWasmUrl: wasm?.name ?? null, rows };
  },
  async mapCase(c, opts) {
    status(`MAP step: ${c.label}`);
    // Loaded on demand: the FFT part does not depend on the engine.
    const { runMapCase } = await import('./map-bench');
    return runMapCase(await getGpu(), c, opts);
  },
};
status('ready');
