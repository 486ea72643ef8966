// CPU peers of the WGSL FFT for the benchmark: batched 2-D complex FFTs built from each
// library's 1-D transform (rows, then columns gathered into a contiguous line and
// scattered back), on the same interleaved (re, im) stamps the GPU transforms.
//   fft.js                 radix-4 in JavaScript, float64 arrays
//   @echogarden/pffft-wasm PFFFT compiled to wasm with SIMD, float32 (its .wasm is
//                          bundled by Vite through `new URL('pffft.wasm', import.meta.url)`
//                          in the package and served from the app's assets)
// Each run() reads the pristine input and writes a separate output, so repeated runs
// do identical work.
import FFT from 'fft.js';
import createPffft, { type PffftModule } from '@echogarden/pffft-wasm/simd';

export interface Fft2dRunner {
  readonly name: string;
  /** One forward 2-D FFT of every stamp. */
  run(): void;
  /** Stamp `s` of the last output, interleaved (re, im), natural order. */
  output(s: number): Float32Array;
  dispose(): void;
}

export function fftJs2d(n: number, batch: number, input: Float32Array): Fft2dRunner {
  const fft = new FFT(n);
  const src = Float64Array.from(input);
  const out = new Float64Array(src.length);
  const lines = batch * n;
  const rowIn = Array.from({ length: lines }, (_, r) => src.subarray(2 * n * r, 2 * n * (r + 1)));
  const rowOut = Array.from({ length: lines }, (_, r) => out.subarray(2 * n * r, 2 * n * (r + 1)));
  const colIn = new Float64Array(2 * n);
  const colOut = new Float64Array(2 * n);
  return {
    name: 'fft.js',
    run() {
      for (let r = 0; r < lines; r++) fft.transform(rowOut[r], rowIn[r]);
      for (let s = 0; s < batch; s++) {
        const base = 2 * n * n * s;
        for (let c = 0; c < n; c++) {
          for (let j = 0; j < n; j++) {
            const k = base + 2 * (j * n + c);
            colIn[2 * j] = out[k];
            colIn[2 * j + 1] = out[k + 1];
          }
          fft.transform(colOut, colIn);
          for (let j = 0; j < n; j++) {
            const k = base + 2 * (j * n + c);
            out[k] = colOut[2 * j];
            out[k + 1] = colOut[2 * j + 1];
          }
        }
      }
    },
    output: (s) => Float32Array.from(out.subarray(2 * n * n * s, 2 * n * n * (s + 1))),
    dispose() {},
  };
}

let pffftModule: Promise<PffftModule> | undefined;

/** Loads the wasm once per page; the URL it was fetched from is recorded for the report. */
export function loadPffft(): Promise<PffftModule> {
  pffftModule ??= createPffft();
  return pffftModule;
}

const PFFFT_COMPLEX = 1;
const PFFFT_FORWARD = 0;

export async function pffft2d(n: number, batch: number, input: Float32Array): Promise<Fft2dRunner> {
  const m = await loadPffft();
  const setup = m._pffft_new_setup(n, PFFFT_COMPLEX);
  if (!setup) throw new Error(`pffft: no setup for complex N=${n}`);
  const floats = 2 * n * n * batch;
  const inPtr = m._pffft_aligned_malloc(4 * floats);
  const outPtr = m._pffft_aligned_malloc(4 * floats);
  const colPtr = m._pffft_aligned_malloc(8 * n);
  const workPtr = m._pffft_aligned_malloc(8 * n);
  if (!inPtr || !outPtr || !colPtr || !workPtr) throw new Error(`pffft: out of wasm memory for ${batch} stamps of ${n}×${n}`);
  // HEAPF32 is replaced when the wasm memory grows: read it after the allocations.
  m.HEAPF32.set(input, inPtr / 4);
  const lines = batch * n;
  const rowBytes = 8 * n;
  return {
    name: 'pffft-wasm',
    run() {
      for (let r = 0; r < lines; r++) m._pffft_transform_ordered(setup, inPtr + r * rowBytes, outPtr + r * rowBytes, workPtr, PFFFT_FORWARD);
      const heap = m.HEAPF32;
      const col = colPtr / 4;
      for (let s = 0; s < batch; s++) {
        const base = outPtr / 4 + 2 * n * n * s;
        for (let c = 0; c < n; c++) {
          for (let j = 0; j < n; j++) {
            const k = base + 2 * (j * n + c);
            heap[col + 2 * j] = heap[k];
            heap[col + 2 * j + 1] = heap[k + 1];
          }
          m._pffft_transform_ordered(setup, colPtr, colPtr, workPtr, PFFFT_FORWARD);
          for (let j = 0; j < n; j++) {
            const k = base + 2 * (j * n + c);
            heap[k] = heap[col + 2 * j];
            heap[k + 1] = heap[col + 2 * j + 1];
          }
        }
      }
    },
    output: (s) => m.HEAPF32.slice(outPtr / 4 + 2 * n * n * s, outPtr / 4 + 2 * n * n * (s + 1)),
    dispose() {
      for (const p of [inPtr, outPtr, colPtr, workPtr]) m._pffft_aligned_free(p);
      m._pffft_destroy_setup(setup);
    },
  };
}
