// Cost model of one MAP step of the engine (src/engine/engine.ts): floating-point
// operations and bytes moved per kernel, counted from what each kernel is dispatched
// over (pairs × spectrum bins, pairs × stamp pixels, image pixels, sources, parameters),
// turned into a predicted time on named GPUs by a per-kernel roofline
//   t_kernel = max(flop / (peak · eff), bytes / (bandwidth · eff)) + launch overhead,
// and the peak GPU memory of the engine's buffers. Pure: no GPU, testable in Node.
//
// Counting conventions (per invocation, read off the WGSL in shaders/):
// - an add, multiply, compare-and-select or fused multiply-add counts 1 flop per
//   arithmetic result (FMA = 2); sqrt, division, round count 1; integer index
//   arithmetic is not counted, except the accumulate kernel's per-(pixel, listed pair)
//   bounds test (2), which is its inner loop;
// - sincos2pi (model-common.wgsl: range reduction + two Horner polynomials) = 36;
// - bytes: global-memory reads and writes of each invocation's own data; per-pair and
//   per-tile records read by a whole workgroup are counted once per workgroup;
// - FFTs: the real transforms of fft.ts (N/2-point complex rows + post/pre-pass, then
//   N/2+1 complex columns), 5·M·log2(M) flop per M-point complex FFT, each pass reading
//   and writing its data once in global memory.
// The step (engine.ts): setup; per tier chunk spectrum → C2R → accumulate (gather into
// the model images); residual + χ² per tile; per chunk cut → R2C → gradPair; sources;
// loss; and an optimiser update over the parameter vector.

import { chooseTier, stampRadiusPx } from '../data/tiers';
import { estimateEngineMemory, type MemoryEstimate } from './memory';
import { mulberry32 } from '../testing/prng';

export interface GpuSpec {
  name: string;
  /** Peak fp32 (non-tensor) TFLOP/s. */
  fp32Tflops: number;
  /** Peak DRAM bandwidth, GB/s (10⁹ B/s). */
  bandwidthGBs: number;
  memoryGB: number;
  source: string;
}

/** Spec-sheet peaks (boost clock, dense fp32 on CUDA cores, not tensor cores). */
export const GPUS: readonly GpuSpec[] = [
  {
    name: 'L4',
    fp32Tflops: 30.3,
    bandwidthGBs: 300,
    memoryGB: 24,
    source: 'NVIDIA L4 Tensor Core GPU datasheet: FP32 30.3 TFLOPS, 24 GB GDDR6 at 300 GB/s',
  },
  {
    name: 'A100 40GB',
    fp32Tflops: 19.5,
    bandwidthGBs: 1555,
    memoryGB: 40,
    source: 'NVIDIA A100 Tensor Core GPU datasheet: FP32 19.5 TFLOPS, 40 GB HBM2 at 1,555 GB/s',
  },
  {
    name: 'H100 SXM',
    fp32Tflops: 67,
    bandwidthGBs: 3350,
    memoryGB: 80,
    source: 'NVIDIA H100 Tensor Core GPU datasheet (SXM5): FP32 67 TFLOPS, 80 GB HBM3 at 3.35 TB/s',
  },
];

/** Fraction of peak flop rate and bandwidth kernels are assumed to reach (stated with every prediction). */
export const DEFAULT_EFFICIENCY = 0.5;
/** Launch cost per dispatch on a GPU (µs); WebGPU dispatches inside one compute pass. */
export const DEFAULT_LAUNCH_US = 5;

/** Per-invocation flop counts read off the WGSL (see the conventions above). */
export const FLOP = {
  /** model-setup: ε(e) and its Jacobian, two shear matrices, five 2×2 products, δ. */
  setupGalaxy: 150,
  setupStar: 6,
  /** model-spectrum per half-spectrum bin: P(k) blended from 4 PSF slots (14), q = J⁻ᵀk, Aᵀq, Ĩ0, phase, sincos, two complex products. */
  spectrumGalaxy: 89,
  spectrumStar: 64,
  /** grad-pair per bin: the spectrum's terms plus conj(R̂)·M and the eight accumulations. */
  gradPairGalaxy: 154,
  gradPairStar: 84,
  /** r2c post-pass / c2r pre-pass per half-spectrum bin (twiddle, split/merge of the packed rows). */
  realPassPerBin: 10,
  /** accumulate: per (pixel, listed pair) bounds test; per covered pixel one add. */
  accumulateTest: 2,
  accumulateAdd: 1,
  /** residual-image per pixel: residual, χ² term, double-single tree. */
  residualPixel: 8,
  /** grad-sources: per pair six adds; per source the priors and their gradient. */
  sourcesPerPair: 6,
  sourcesPerSource: 40,
  /** Adam on the unconstrained vector: moments, bias corrections, step, transform pull-back. */
  optimizerPerParam: 20,
} as const;

/** Bytes each kernel moves per unit (see the conventions above). */
export const BYTES = {
  pairStatic: 80,
  pairPsf: 32,
  pairState: 128,
  setupPerPair: 24 + 80 + 100, // params, PairStatic, state written
  spectrumPerBin: 4 * 8 + 8, // P(k) of 4 PSF slots read, spectrum written
  gradPairPerBin: 8 + 4 * 8, // R̂ and 4 P(k) read
  gradPairPerPair: 80 + 32 + 128 + 32, // records read once per workgroup, 8 gradients written
  cutPerPixel: 4 + 4, // residual read, stamp written
  accumulatePerRecordPixel: 4 + 4, // model read (except a tile's first chunk) and written
  accumulatePerCovered: 4, // stamp value read
  accumulatePerEntry: 4 + 80, // list index and PairStatic, once per workgroup
  accumulatePerRecord: 8 + 16, // gather record, tile header
  residualPerPixel: 8 + 4 + 4, // (obs, ivar) and model read, residual written
  residualPerTile: 16 + 8, // tile header, χ² partial (double-single)
  sourcesPerSource: 32 + 24 + 24 + 4, // SourceStatic, params, gradient, −log prior
  sourcesPerPair: 4 + 24, // list entry, six pair gradients
  lossPerTile: 8,
  lossPerSource: 4,
  lossPerPair: 8,
  optimizerPerParam: 7 * 4, // x, g, m, v read; x, m, v written
} as const;

/** Engine gather-tile side (accumulate-image.wgsl). */
export const TILE = 16;
/** WebGPU's largest dispatch dimension. */
const MAX_DISPATCH = 65535;
/** Default bytes of the engine's chunk work buffers (stamps + half spectra), scene-layout.ts. */
export const CHUNK_BUDGET = 256 * 2 ** 20;

export interface TierLoad {
  /** FFT size N. */
  n: number;
  /** (source, quadrant) pairs rendered at this tier. */
  pairs: number;
  /** Of which galaxies (default: all). */
  galaxyPairs?: number;
  /** Stamp pixels inside their quadrant, summed over pairs (default pairs·N²). */
  coveredPixels?: number;
  /** (tile, pair) entries of the gather lists (default pairs·(N/16 + 1)²). */
  tileEntries?: number;
  /** Chunks the tier is processed in (default: the engine's rule for CHUNK_BUDGET). */
  chunks?: number;
  /** Gather records (tile touched by a chunk), summed over chunks (default: random-placement estimate). */
  records?: number;
}

export interface StepShape {
  galaxies: number;
  stars: number;
  quadrants: { nx: number; ny: number }[];
  tiers: TierLoad[];
}

export interface KernelCost {
  /** Kernel name as in ShearEngine.dispatches() ('spectrum', 'c2r', …), without the tier. */
  kernel: string;
  /** Tier N for per-tier kernels. */
  n?: number;
  /** Invocations dispatched (workgroups × workgroup size); 0 for the FFT calls. */
  invocations: number;
  flop: number;
  bytes: number;
  dispatches: number;
  /** Part of the gradient half of the step. */
  gradient: boolean;
}

export interface StepOptions {
  /** Count the gradient kernels (default true). */
  gradient?: boolean;
  /** Count an optimiser update over the parameter vector (default true). */
  optimizer?: boolean;
}

export function paramCountOf(shape: StepShape): number {
  return 2 + 6 * shape.galaxies + 3 * shape.stars;
}

export function tileCount(shape: StepShape): number {
  return shape.quadrants.reduce((a, q) => a + Math.ceil(q.nx / TILE) * Math.ceil(q.ny / TILE), 0);
}

export function pixelCount(shape: StepShape): number {
  return shape.quadrants.reduce((a, q) => a + q.nx * q.ny, 0);
}

export function pairCount(shape: StepShape): number {
  return shape.tiers.reduce((a, t) => a + t.pairs, 0);
}

/** Flop of an M-point complex FFT, 5·M·log2(M). */
export function complexFftFlop(m: number): number {
  return m <= 1 ? 0 : 5 * m * Math.log2(m);
}

/** One real N×N transform as fft.ts does it (R2C and C2R cost the same). */
export function realFft2dCost(n: number): { flop: number; bytes: number } {
  const h = n / 2 + 1;
  const flop = n * (complexFftFlop(n / 2) + FLOP.realPassPerBin * h) + h * complexFftFlop(n);
  // real ↔ packed pass: N² f32 one side, N·H vec2 the other; column pass in place on N·H vec2.
  const bytes = 4 * n * n + 8 * n * h + 2 * 8 * n * h;
  return { flop, bytes };
}

/** Pairs per chunk of a tier under the engine's default budget (scene-layout.ts chunkPairsFor, 1 GiB bindings). */
export function chunkPairs(n: number, pairs: number, budget = CHUNK_BUDGET): number {
  const perPair = 4 * n * n + 8 * n * (n / 2 + 1);
  return Math.max(1, Math.min(Math.max(1, pairs), Math.floor(budget / perPair), Math.floor(2 ** 30 / (8 * n * (n / 2 + 1))), MAX_DISPATCH));
}

const ceilTo = (x: number, m: number) => Math.ceil(x / m) * m;
/** Workgroups as the engine dispatches a 1-D count: (min(c, 65535), ⌈c/65535⌉). */
const grid = (c: number) => Math.min(c, MAX_DISPATCH) * Math.ceil(c / MAX_DISPATCH);

/** Per-kernel costs of one step, in the engine's order (chunk kernels summed per tier; FFT calls included). */
export function stepCosts(shape: StepShape, opts: StepOptions = {}): KernelCost[] {
  const withGrad = opts.gradient ?? true;
  const pairs = pairCount(shape);
  const galaxyPairs = shape.tiers.reduce((a, t) => a + (t.galaxyPairs ?? t.pairs), 0);
  const sources = shape.galaxies + shape.stars;
  const tiles = tileCount(shape);
  const pixels = pixelCount(shape);
  const out: KernelCost[] = [];
  out.push({
    kernel: 'setup',
    invocations: ceilTo(Math.max(1, pairs), 64),
    flop: FLOP.setupGalaxy * galaxyPairs + FLOP.setupStar * (pairs - galaxyPairs),
    bytes: BYTES.setupPerPair * pairs,
    dispatches: 1,
    gradient: false,
  });
  const per = shape.tiers.filter((t) => t.pairs > 0).map((t) => {
    const chunks = t.chunks ?? Math.ceil(t.pairs / chunkPairs(t.n, t.pairs));
    const entries = t.tileEntries ?? t.pairs * (t.n / TILE + 1) ** 2;
    // Tiles a chunk touches, for stamps placed at random: tiles·(1 − e^(−entries/tiles)).
    const records = t.records ?? Math.round(chunks * tiles * (1 - Math.exp(-entries / chunks / Math.max(1, tiles))));
    return { ...t, chunks, entries, records, g: t.galaxyPairs ?? t.pairs, bins: t.n * (t.n / 2 + 1), fft: realFft2dCost(t.n) };
  });
  for (const t of per) {
    out.push({
      kernel: 'spectrum',
      n: t.n,
      invocations: ceilTo(t.bins, 64) * t.pairs,
      flop: t.bins * (FLOP.spectrumGalaxy * t.g + FLOP.spectrumStar * (t.pairs - t.g)),
      bytes: t.bins * BYTES.spectrumPerBin * t.pairs + (BYTES.pairStatic + BYTES.pairPsf + BYTES.pairState) * t.pairs,
      dispatches: t.chunks,
      gradient: false,
    });
    out.push({ kernel: 'c2r', n: t.n, invocations: 0, flop: t.fft.flop * t.pairs, bytes: t.fft.bytes * t.pairs, dispatches: 2 * t.chunks, gradient: false });
    const covered = t.coveredPixels ?? t.pairs * t.n * t.n;
    out.push({
      kernel: 'accumulate',
      n: t.n,
      invocations: t.records * TILE * TILE,
      flop: FLOP.accumulateTest * t.entries * TILE * TILE + FLOP.accumulateAdd * covered,
      bytes:
        BYTES.accumulatePerRecordPixel * TILE * TILE * t.records +
        BYTES.accumulatePerRecord * t.records +
        BYTES.accumulatePerCovered * covered +
        BYTES.accumulatePerEntry * t.entries,
      dispatches: t.chunks,
      gradient: false,
    });
  }
  out.push({
    kernel: 'residual',
    invocations: grid(tiles) * TILE * TILE,
    flop: FLOP.residualPixel * pixels,
    bytes: BYTES.residualPerPixel * pixels + BYTES.residualPerTile * tiles,
    dispatches: 1,
    gradient: false,
  });
  if (withGrad) {
    for (const t of per) {
      out.push({ kernel: 'cut', n: t.n, invocations: ceilTo(t.n * t.n, 64) * t.pairs, flop: 0, bytes: BYTES.cutPerPixel * t.n * t.n * t.pairs, dispatches: t.chunks, gradient: true });
      out.push({ kernel: 'r2c', n: t.n, invocations: 0, flop: t.fft.flop * t.pairs, bytes: t.fft.bytes * t.pairs, dispatches: 2 * t.chunks, gradient: true });
      out.push({
        kernel: 'gradPair',
        n: t.n,
        invocations: 64 * t.pairs,
        flop: t.bins * (FLOP.gradPairGalaxy * t.g + FLOP.gradPairStar * (t.pairs - t.g)) + 8 * 63 * t.pairs,
        bytes: t.bins * BYTES.gradPairPerBin * t.pairs + BYTES.gradPairPerPair * t.pairs,
        dispatches: t.chunks,
        gradient: true,
      });
    }
  }
  out.push({
    kernel: 'sources',
    invocations: ceilTo(Math.max(1, sources), 64),
    flop: FLOP.sourcesPerSource * sources + (withGrad ? FLOP.sourcesPerPair * pairs : 0),
    bytes: BYTES.sourcesPerSource * sources + (withGrad ? BYTES.sourcesPerPair * pairs : 0),
    dispatches: 1,
    gradient: withGrad,
  });
  out.push({
    kernel: 'loss',
    invocations: 256,
    flop: 2 * tiles + sources + (withGrad ? 2 * pairs : 0),
    bytes: BYTES.lossPerTile * tiles + BYTES.lossPerSource * sources + (withGrad ? BYTES.lossPerPair * pairs : 0),
    dispatches: 1,
    gradient: withGrad,
  });
  if (opts.optimizer ?? true) {
    const p = paramCountOf(shape);
    out.push({ kernel: 'optimizer', invocations: ceilTo(p, 64), flop: FLOP.optimizerPerParam * p, bytes: BYTES.optimizerPerParam * p, dispatches: 1, gradient: true });
  }
  return out;
}

export function totals(costs: KernelCost[]): { flop: number; bytes: number; dispatches: number } {
  return costs.reduce((a, c) => ({ flop: a.flop + c.flop, bytes: a.bytes + c.bytes, dispatches: a.dispatches + c.dispatches }), {
    flop: 0,
    bytes: 0,
    dispatches: 0,
  });
}

export interface PredictOptions {
  /** Fraction of peak flop rate and bandwidth reached (default DEFAULT_EFFICIENCY). */
  efficiency?: number;
  /** Per-dispatch launch cost in µs (default DEFAULT_LAUNCH_US). */
  launchUs?: number;
}

/** Predicted seconds for the kernels: Σ max(flop/(peak·eff), bytes/(bw·eff)) + dispatches·launch. */
export function predictSeconds(costs: KernelCost[], gpu: GpuSpec, opts: PredictOptions = {}): number {
  const eff = opts.efficiency ?? DEFAULT_EFFICIENCY;
  if (!(eff > 0 && eff <= 1)) throw new RangeError(`efficiency ${eff} must be in (0, 1]`);
  const launch = (opts.launchUs ?? DEFAULT_LAUNCH_US) * 1e-6;
  let t = 0;
  for (const c of costs) {
    t += Math.max(c.flop / (gpu.fp32Tflops * 1e12 * eff), c.bytes / (gpu.bandwidthGBs * 1e9 * eff)) + c.dispatches * launch;
  }
  return t;
}

/** Which bound each kernel hits on `gpu`: its arithmetic intensity against the ridge point. */
export function isComputeBound(c: KernelCost, gpu: GpuSpec): boolean {
  return c.flop / Math.max(1, c.bytes) > (gpu.fp32Tflops * 1e12) / (gpu.bandwidthGBs * 1e9);
}

/**
 * Peak GPU memory of the engine for a scene of this shape: the engine's own buffer
 * inventory (memory.ts, the sizes engine.ts allocates), with `psfSlots` PSF spectra per
 * tier (a 9×9 PSF grid per quadrant: 81 × quadrants).
 */
export function memoryForShape(shape: StepShape, psfSlotsPerQuadrant = 81): MemoryEstimate {
  return estimateEngineMemory({
    quadrants: shape.quadrants,
    tiers: shape.tiers.filter((t) => t.pairs > 0).map((t) => ({ n: t.n, pairs: t.pairs, psfSlots: psfSlotsPerQuadrant * shape.quadrants.length })),
    nSources: shape.galaxies + shape.stars,
    nParams: paramCountOf(shape),
  }, { limits: { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30 } });
}

// ---------------------------------------------------------------------------
// Scenes for predictions: quadrant mosaics, visible pairs and the tier mix.

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * nq quadrants of w×h pixels on a common pixel grid: a near-square mosaic whose
 * neighbours are offset by `step` of a quadrant (0.6: 40% overlap, as dithered
 * exposures of several pointings overlap), so most sky is seen more than once.
 */
export function mosaicLayout(nq: number, w: number, h: number, step = 0.6): Rect[] {
  if (!(Number.isInteger(nq) && nq >= 1)) throw new RangeError(`mosaicLayout: quadrants=${nq} must be a positive integer`);
  const cols = Math.ceil(Math.sqrt(nq));
  return Array.from({ length: nq }, (_, k) => ({ x: Math.round((k % cols) * step * w), y: Math.round(Math.floor(k / cols) * step * h), w, h }));
}

export function boundingBox(rects: Rect[]): Rect {
  const x = Math.min(...rects.map((r) => r.x));
  const y = Math.min(...rects.map((r) => r.y));
  const x1 = Math.max(...rects.map((r) => r.x + r.w));
  const y1 = Math.max(...rects.map((r) => r.y + r.h));
  return { x, y, w: x1 - x, h: y1 - y };
}

function overlap1(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

/**
 * Expected number of quadrants whose image an N-pixel stamp overlaps, for a source centre
 * uniform over the mosaic's bounding box: Σ_q area(q grown by N/2 ∩ box) / area(box).
 */
export function meanVisibleQuadrants(quads: Rect[], n: number): number {
  const b = boundingBox(quads);
  const half = n / 2;
  let s = 0;
  for (const q of quads) {
    s += overlap1(q.x - half, q.x + q.w + half, b.x, b.x + b.w) * overlap1(q.y - half, q.y + q.h + half, b.y, b.y + b.h);
  }
  return s / (b.w * b.h);
}

export { mulberry32 } from '../testing/prng';

export interface TierMixOptions {
  /** Monte-Carlo draws (default 20,000; deterministic seed). */
  draws?: number;
  seed?: number;
  pixelScale?: number;
  psfSize?: number;
}

/**
 * Fraction of galaxies in each tier, for the hlr and |e| distribution of our simulator
 * (src/sim/population.ts: flux ∝ F^−1.8 on 0.8…60 µJy, hlr = 0.28″·(F/5 µJy)^0.15·LogNormal(σ 0.35)
 * clipped to 0.08…1.2″, |e| Rayleigh σ 0.25 below 0.8), Euclid VIS pixels (0.1″) and a 21-px
 * PSF stamp, through the engine's tier rule (src/data/tiers.ts).
 */
export function galaxyTierMix(opts: TierMixOptions = {}): Map<number, number> {
  const draws = opts.draws ?? 20000;
  const r = mulberry32(opts.seed ?? 12345);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const counts = new Map<number, number>();
  for (let i = 0; i < draws; i++) {
    const a = 1 - 1.8;
    const flux = (0.8 ** a + r() * (60 ** a - 0.8 ** a)) ** (1 / a);
    const hlr = Math.min(Math.max(0.28 * (flux / 5) ** 0.15 * Math.exp(0.35 * gauss()), 0.08), 1.2);
    let e = 1;
    while (e > 0.8) e = 0.25 * Math.sqrt(-2 * Math.log(1 - r()));
    const n = chooseTier(stampRadiusPx({ kind: 'galaxy', hlr, e, pixelScale: opts.pixelScale ?? 0.1, psfSize: opts.psfSize ?? 21 }));
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  const mix = new Map<number, number>();
  for (const n of [...counts.keys()].sort((x, y) => x - y)) mix.set(n, counts.get(n)! / draws);
  return mix;
}

export const VIS_QUADRANT = { nx: 2048, ny: 2066 } as const;

export interface SubtileShapeOptions {
  sources: number;
  quadrants: number;
  /** 'visible' renders only pairs whose stamp overlaps the quadrant; 'all' every (source, quadrant). */
  pairs?: 'visible' | 'all';
  mix?: Map<number, number>;
  quadrant?: { nx: number; ny: number };
}

/** A sub-tile for predictions: galaxies on a mosaic of full VIS quadrants, tiers from `mix`. */
export function subtileShape(o: SubtileShapeOptions): StepShape & { meanQuadrantsPerSource: number } {
  const q = o.quadrant ?? VIS_QUADRANT;
  const mix = o.mix ?? galaxyTierMix();
  const rects = mosaicLayout(o.quadrants, q.nx, q.ny);
  let perSource = 0;
  const tiers: TierLoad[] = [];
  for (const [n, f] of mix) {
    const seen = o.pairs === 'all' ? o.quadrants : meanVisibleQuadrants(rects, n);
    perSource += f * seen;
    const pairs = Math.round(o.sources * f * seen);
    // Every pair renders a full stamp; only the visible part of a stamp is gathered.
    const visible = Math.round(o.sources * f * meanVisibleQuadrants(rects, n));
    tiers.push({ n, pairs, coveredPixels: visible * n * n, tileEntries: visible * (n / TILE + 1) ** 2 });
  }
  return {
    galaxies: o.sources,
    stars: 0,
    quadrants: rects.map(() => ({ nx: q.nx, ny: q.ny })),
    tiers,
    meanQuadrantsPerSource: perSource,
  };
}

/** The standard sub-tile of the issue: 2,500 sources on 6 full VIS quadrants. */
export function standardSubtile(pairs: 'visible' | 'all' = 'visible'): ReturnType<typeof subtileShape> {
  return subtileShape({ sources: 2500, quadrants: 6, pairs });
}
