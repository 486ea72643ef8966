// CPU side of the GPU Fisher pass (fisher-gpu.ts), no GPU: chunking of each tier's pairs
// (8 derivative stamps a pair, so chunks are smaller than the engine's) and the assembly
// of the per-pair 8×8 blocks read back from the GPU into src/reference/fisher.ts's
// FisherBlocks, summed in float64 in scene pair order (deterministic).
//
// Per-pair derivative slots (shaders/fisher-spectra.wgsl):
//   galaxy [flux, hlr, e1, e2, dx, dy, g1, g2],  star [flux, dx, dy, –, –, –, –, –].
// Per-pair output: the 36 entries a ≤ b of the 8×8 matrix, row order, each a
// double-single (hi, lo) f32 pair.

import type { FisherBlocks, SourceFisherBlock } from '../reference/fisher';
import { sourceOffsets, type Scene } from '../reference/scene';
import { DEFAULT_CHUNK_BUDGET, DEFAULT_LIMITS, MAX_DISPATCH, type DeviceLimits, type SceneLayout } from './scene-layout';

/** Derivative stamps per pair and entries of their upper-triangular Gram matrix. */
export const FISHER_DERIVS = 8;
export const FISHER_ENTRIES = (FISHER_DERIVS * (FISHER_DERIVS + 1)) / 2;

export interface FisherPlanOptions {
  /** Upper bound on pairs per chunk (e.g. tiny in tests to force several chunks). */
  maxChunkPairs?: number;
  /** Bytes for the chunk work buffers, 8 real stamps + 8 half spectra a pair (default 256 MiB). */
  chunkBudgetBytes?: number;
  limits?: DeviceLimits;
}

export interface FisherChunk {
  /** Index into layout.tiers. */
  tier: number;
  n: number;
  /** First engine pair and count. */
  pairBase: number;
  count: number;
}

export interface FisherPlan {
  chunks: FisherChunk[];
  /** Pairs per chunk of each tier (layout.tiers order). */
  chunkPairs: number[];
  /** f32 count of the shared derivative-stamp buffer, vec2 count of the spectrum buffer. */
  stampFloats: number;
  specVec2: number;
}

const halfBins = (n: number) => n * (n / 2 + 1);

/** Pairs per chunk for tier n: budget, binding limits, and 8·count ≤ the FFT's batch limit. */
export function fisherChunkPairs(n: number, count: number, opts: FisherPlanOptions = {}): number {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const budget = opts.chunkBudgetBytes ?? DEFAULT_CHUNK_BUDGET;
  const perPair = FISHER_DERIVS * (4 * n * n + 8 * halfBins(n));
  const maxBuf = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const k = Math.min(
    Math.max(1, count),
    opts.maxChunkPairs ?? Infinity,
    Math.floor(budget / perPair),
    Math.floor(maxBuf / (FISHER_DERIVS * 8 * halfBins(n))),
    Math.floor(MAX_DISPATCH / FISHER_DERIVS),
  );
  if (!(k >= 1)) {
    throw new RangeError(`Fisher: one ${n}×${n} pair needs ${perPair} bytes of derivative stamps and spectra, more than the chunk budget or device buffer limit`);
  }
  return k;
}

export function planFisherChunks(layout: SceneLayout, opts: FisherPlanOptions = {}): FisherPlan {
  const chunks: FisherChunk[] = [];
  const chunkPairs: number[] = [];
  let stampFloats = 0;
  let specVec2 = 0;
  layout.tiers.forEach((t, ti) => {
    const k = fisherChunkPairs(t.n, t.count, opts);
    chunkPairs.push(k);
    for (let b = 0; b < t.count; b += k) chunks.push({ tier: ti, n: t.n, pairBase: t.pairBase + b, count: Math.min(k, t.count - b) });
    stampFloats = Math.max(stampFloats, FISHER_DERIVS * k * t.n * t.n);
    specVec2 = Math.max(specVec2, FISHER_DERIVS * k * halfBins(t.n));
  });
  return { chunks, chunkPairs, stampFloats, specVec2 };
}

/** Index of entry (a, b), a ≤ b, in the row-order upper triangle of the 8×8 matrix. */
export function entryIndex(a: number, b: number): number {
  const [i, j] = a <= b ? [a, b] : [b, a];
  return i * FISHER_DERIVS - (i * (i - 1)) / 2 + (j - i);
}

/**
 * FisherBlocks from the per-pair Gram matrices (`perPair`: FISHER_ENTRIES (hi, lo) f32
 * pairs per engine pair, engine order), summed over each source's pairs in scene order.
 */
export function assembleFisherBlocks(scene: Scene, layout: SceneLayout, perPair: Float32Array): FisherBlocks {
  if (perPair.length < 2 * FISHER_ENTRIES * layout.nPairs) {
    throw new RangeError(`Fisher: ${perPair.length} values read back, expected ${2 * FISHER_ENTRIES * layout.nPairs}`);
  }
  const offsets = sourceOffsets(scene);
  const blocks: SourceFisherBlock[] = scene.sources.map((s, i) => {
    const k = s.kind === 'galaxy' ? 6 : 3;
    return { source: i, offset: offsets[i], k, ss: new Float64Array(k * k), gs: new Float64Array(2 * k), gg: new Float64Array(4) };
  });
  const engineIndex = new Int32Array(layout.nPairs);
  layout.sceneIndex.forEach((s, e) => (engineIndex[s] = e));
  scene.pairs.forEach((pair, p) => {
    const base = 2 * FISHER_ENTRIES * engineIndex[p];
    const F = (a: number, b: number) => {
      const t = base + 2 * entryIndex(a, b);
      return perPair[t] + perPair[t + 1];
    };
    const b = blocks[pair.source];
    for (let a = 0; a < b.k; a++) for (let c = 0; c < b.k; c++) b.ss[a * b.k + c] += F(a, c);
    if (b.k === 6) {
      for (let r = 0; r < 2; r++) for (let c = 0; c < 6; c++) b.gs[r * 6 + c] += F(6 + r, c);
      for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) b.gg[r * 2 + c] += F(6 + r, 6 + c);
    }
  });
  const gg = new Float64Array(4);
  for (const b of blocks) for (let i = 0; i < 4; i++) gg[i] += b.gg[i];
  return { n: layout.nParams, gg, sources: blocks };
}
