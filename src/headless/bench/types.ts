// Results the benchmark page hands back to `shearwb bench` (plain JSON through Playwright).
import type { StepShape } from '../../engine/cost-model';

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isSoftware: boolean;
}

export interface FftBenchOptions {
  sizes: number[];
  /** Complex points per batch (B·N²); B = points / N², at least 1. */
  points: number;
  /** Aim for about this much timed work per measurement (ms). */
  targetMs: number;
  /** On a software adapter, skip a measurement whose predicted iteration exceeds this (ms). */
  maxIterMs: number;
  /** Implementations to run (default all): wgsl-private, wgsl-workgroup, fft.js, pffft-wasm. */
  impls?: string[];
}

export interface FftMeasurement {
  impl: string;
  n: number;
  batch: number;
  /** Milliseconds per 2-D N×N complex FFT (null when skipped). */
  msPerFft: number | null;
  /** 5·N²·log2(N²) flop per transform over msPerFft. */
  gflops: number | null;
  iterations: number;
  /** Max |X − X_pffft| / max |X_pffft| over stamp 0 (same input, forward transform). */
  relErrVsPffft?: number;
  note?: string;
}

export interface FftBenchResult {
  adapter: AdapterReport;
  userAgent: string;
  /** URL the PFFFT wasm was fetched from (must be the app's own assets). */
  pffftWasmUrl: string | null;
  rows: FftMeasurement[];
}

export interface MapBenchCase {
  label: string;
  sources: number;
  quadrants: number;
  /** Quadrant side (px) of the synthetic scene. */
  size: number;
  /** 'visible': only pairs whose stamp overlaps the quadrant; 'all': every (source, quadrant). */
  pairs: 'visible' | 'all';
  seed?: number;
}

export interface MapMeasurement extends MapBenchCase {
  nPairs: number;
  /** Pairs per tier N. */
  tiers: Record<string, number>;
  /** Median milliseconds per evaluate-with-gradient step (GPU work only, no readback). */
  msPerStep: number;
  /** Median milliseconds per forward-only step (model, χ², priors). */
  msForward: number;
  /** Full evaluate({gradient: true}) call including the gradient readback. */
  msPerEvaluate: number;
  iterations: number;
  /** Time of ShearEngine.create (upload, pipelines, PSF spectra). */
  msCreate: number;
  /** The scene as the cost model sees it. */
  shape: StepShape;
  /** Invocations per kernel from ShearEngine.dispatches() (FFT calls excluded). */
  dispatched: Record<string, number>;
  /** ShearEngine.memoryBytes().total: the engine's live GPU buffers. */
  gpuBytes: number;
}

