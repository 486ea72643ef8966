// FFT throughput in the page: the WGSL FFT (both memory variants) against fft.js and
// PFFFT-wasm on the same batched N×N complex stamps. GPU time is wall time from the
// first submit to queue.onSubmittedWorkDone over several forward+inverse iterations,
// after a warm-up (pipeline compilation, first-use allocation).
import { createFft, type FftVariant } from '../../engine/fft';
import type { GpuContext } from '../../engine/device';
import { fftJs2d, pffft2d, type Fft2dRunner } from './cpu-peers';
import type { FftBenchOptions, FftMeasurement } from './types';

export const FFT_IMPLS = ['wgsl-private', 'wgsl-workgroup', 'fft.js', 'pffft-wasm'] as const;

/** Flop of one complex N×N 2-D FFT by the usual convention 5·M·log2(M), M = N². */
export function fft2dFlop(n: number): number {
  return 5 * n * n * Math.log2(n * n);
}

/** Deterministic test signal: a few tones plus a hash, in [−1, 1]. */
export function benchInput(n: number, batch: number): Float32Array {
  const x = new Float32Array(2 * n * n * batch);
  for (let i = 0; i < x.length; i++) {
    const h = Math.imul(i + 1, 2654435761) >>> 0;
    x[i] = 0.5 * Math.sin(0.37 * i) + (h / 2 ** 32 - 0.5);
  }
  return x;
}

function maxRelErr(a: Float32Array, ref: Float32Array): number {
  let peak = 0;
  let err = 0;
  for (let i = 0; i < ref.length; i++) {
    peak = Math.max(peak, Math.abs(ref[i]));
    err = Math.max(err, Math.abs(a[i] - ref[i]));
  }
  return err / peak;
}

function measure(n: number, batch: number, impl: string, ms: number, fftCount: number, iterations: number): FftMeasurement {
  const msPerFft = ms / fftCount;
  return { impl, n, batch, msPerFft, gflops: fft2dFlop(n) / (msPerFft * 1e6), iterations };
}

function timeCpu(r: Fft2dRunner, n: number, batch: number, targetMs: number): FftMeasurement {
  r.run(); // warm-up (JIT, caches)
  let t0 = performance.now();
  r.run();
  const one = performance.now() - t0;
  const iters = Math.max(1, Math.min(50, Math.round(targetMs / Math.max(one, 1e-3))));
  t0 = performance.now();
  for (let i = 0; i < iters; i++) r.run();
  return measure(n, batch, r.name, performance.now() - t0, iters * batch, iters);
}

async function timeGpu(
  ctx: GpuContext,
  variant: FftVariant,
  n: number,
  batch: number,
  input: Float32Array,
  targetMs: number,
  reference: Float32Array | undefined,
): Promise<FftMeasurement> {
  const { device } = ctx;
  const fft = createFft(ctx, n, batch, { variant });
  const buf = device.createBuffer({
    label: `bench-fft-${n}`,
    size: input.byteLength,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  });
  const read = device.createBuffer({ size: 8 * n * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    device.queue.writeBuffer(buf, 0, input as Float32Array<ArrayBuffer>);
    // One iteration = forward + inverse, so the data stays bounded however many run.
    const submit = (iters: number) => {
      for (let i = 0; i < iters; i++) {
        const enc = device.createCommandEncoder();
        fft.forward(enc, { buffer: buf });
        fft.inverse(enc, { buffer: buf });
        device.queue.submit([enc.finish()]);
      }
      return device.queue.onSubmittedWorkDone();
    };
    await submit(1); // warm-up
    let t0 = performance.now();
    await submit(1);
    const one = performance.now() - t0;
    const iters = Math.max(1, Math.min(50, Math.round(targetMs / Math.max(one, 1e-3))));
    t0 = performance.now();
    await submit(iters);
    const m = measure(n, batch, `wgsl-${variant}`, performance.now() - t0, 2 * iters * batch, iters);
    if (reference) {
      device.queue.writeBuffer(buf, 0, input as Float32Array<ArrayBuffer>);
      const enc = device.createCommandEncoder();
      fft.forward(enc, { buffer: buf });
      enc.copyBufferToBuffer(buf, 0, read, 0, 8 * n * n);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      m.relErrVsPffft = maxRelErr(new Float32Array(read.getMappedRange().slice(0)), reference);
      read.unmap();
    }
    return m;
  } finally {
    fft.clearBindings();
    buf.destroy();
    read.destroy();
  }
}

/** Runs every (size, implementation) of `opts`, calling `progress` after each. */
export async function runFftBench(
  ctx: GpuContext,
  opts: FftBenchOptions,
  progress: (m: FftMeasurement) => void = () => undefined,
): Promise<FftMeasurement[]> {
  const impls = opts.impls ?? [...FFT_IMPLS];
  for (const i of impls) if (!(FFT_IMPLS as readonly string[]).includes(i)) throw new Error(`bench: unknown FFT implementation '${i}' (${FFT_IMPLS.join(', ')})`);
  const rows: FftMeasurement[] = [];
  // Last measured ms per 2-D FFT, to predict the next size's cost and skip what would not finish.
  const last = new Map<string, { n: number; ms: number }>();
  const push = (m: FftMeasurement) => {
    rows.push(m);
    if (m.msPerFft !== null) last.set(m.impl, { n: m.n, ms: m.msPerFft });
    progress(m);
  };
  for (const n of opts.sizes) {
    const batch = Math.max(1, Math.round(opts.points / (n * n)));
    const input = benchInput(n, batch);
    let reference: Float32Array | undefined;
    for (const impl of ['pffft-wasm', 'fft.js'].filter((i) => impls.includes(i))) {
      const r = impl === 'fft.js' ? fftJs2d(n, batch, input) : await pffft2d(n, batch, input);
      try {
        const m = timeCpu(r, n, batch, opts.targetMs);
        if (impl === 'pffft-wasm') reference = r.output(0);
        else if (reference) m.relErrVsPffft = maxRelErr(r.output(0), reference);
        push(m);
      } finally {
        r.dispose();
      }
    }
    for (const impl of ['wgsl-private', 'wgsl-workgroup'].filter((i) => impls.includes(i))) {
      const prev = last.get(impl);
      if (ctx.isSoftware && prev) {
        // warm-up + one timed iteration, each forward + inverse of the whole batch
        const predicted = 2 * 2 * batch * prev.ms * (fft2dFlop(n) / fft2dFlop(prev.n));
        if (predicted > opts.maxIterMs) {
          push({
            impl, n, batch, msPerFft: null, gflops: null, iterations: 0,
            note: `skipped on SwiftShader: predicted ${(predicted / 1000).toFixed(0)} s for warm-up + 1 iteration (> ${(opts.maxIterMs / 1000).toFixed(0)} s budget)`,
          });
          continue;
        }
      }
      push(await timeGpu(ctx, impl === 'wgsl-private' ? 'private' : 'workgroup', n, batch, input, opts.targetMs, reference));
    }
  }
  return rows;
}
