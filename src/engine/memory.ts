// GPU memory of the engine, predicted from a scene's shape (no GPU, no scene): the same
// buffer sizes engine.ts allocates, by category, so a benchmark can check the standard
// sub-tile against a budget and engine.memoryBytes() can be checked against it.

import {
  chunkPairsFor,
  DEFAULT_LIMITS,
  PAIR_GRAD_FLOATS,
  PAIR_PSF_BYTES,
  PAIR_STATE_FLOATS,
  PAIR_STATIC_BYTES,
  SOURCE_STATIC_BYTES,
  TILE,
  type LayoutOptions,
  type SceneLayout,
} from './scene-layout';

export type MemoryCategory = 'images' | 'chunk' | 'psf' | 'pairs' | 'tables' | 'params' | 'uniforms' | 'readback';

export interface TierSummary {
  n: number;
  pairs: number;
  /** PSF spectra kept for the tier: grid stamps in use (≤ stamps × quadrants), or one per pair without a blend. */
  psfSlots: number;
}

export interface LayoutSummary {
  quadrants: { nx: number; ny: number }[];
  tiers: TierSummary[];
  nSources: number;
  nParams: number;
  /** u32 words of the layout table; estimated (upper bound) from the tiers when absent. */
  layoutWords?: number;
}

export interface MemoryItem {
  label: string;
  category: MemoryCategory;
  bytes: number;
}

export interface MemoryEstimate {
  total: number;
  byCategory: Record<MemoryCategory, number>;
  items: MemoryItem[];
  /** Pairs per chunk of each tier (summary order). */
  chunkPairs: number[];
  /** Buffers bound whole that exceed min(maxStorageBufferBindingSize, maxBufferSize): the engine would refuse the scene. */
  oversized: string[];
}

/** Byte sizes as engine.ts rounds them. */
export const f32Bytes = (n: number): number => 4 * Math.max(4, Math.ceil(n));
export const uploadBytes = (bytes: number): number => Math.max(16, Math.ceil(bytes / 4) * 4);
const halfBins = (n: number) => n * (n / 2 + 1);

export function tileCount(quadrants: { nx: number; ny: number }[]): number {
  return quadrants.reduce((a, q) => a + Math.ceil(q.nx / TILE) * Math.ceil(q.ny / TILE), 0);
}

/** The shape of a built layout (exact layout size). */
export function summarizeLayout(L: SceneLayout, quadrants: { nx: number; ny: number }[]): LayoutSummary {
  return {
    quadrants: quadrants.map((q) => ({ nx: q.nx, ny: q.ny })),
    tiers: L.tiers.map((t) => ({ n: t.n, pairs: t.count, psfSlots: t.psfSlots.length })),
    nSources: L.nSources,
    nParams: L.nParams,
    layoutWords: L.layout.length,
  };
}

/** Every buffer the engine allocates for a scene of this shape (plus the loss and gradient readback). */
export function estimateEngineMemory(s: LayoutSummary, opts: LayoutOptions = {}): MemoryEstimate {
  const pixels = s.quadrants.reduce((a, q) => a + q.nx * q.ny, 0);
  const nTiles = tileCount(s.quadrants);
  const pairs = s.tiers.reduce((a, t) => a + t.pairs, 0);
  const chunkPairs = s.tiers.map((t) => chunkPairsFor(t.n, t.pairs, opts));
  const chunks = s.tiers.reduce((a, t, i) => a + Math.ceil(t.pairs / chunkPairs[i]), 0);
  const stampFloats = Math.max(0, ...s.tiers.map((t, i) => chunkPairs[i] * t.n * t.n));
  const specVec2 = Math.max(0, ...s.tiers.map((t, i) => chunkPairs[i] * halfBins(t.n)));
  // Gather entries: a stamp of side N touches at most (N/TILE + 1)² tiles; records ≤ entries.
  const entries = s.tiers.reduce((a, t) => a + t.pairs * (t.n / TILE + 1) ** 2, 0);
  const layoutWords = s.layoutWords ?? 4 * s.quadrants.length + 4 * nTiles + 2 * entries + 2 + entries + pairs;
  const P = Math.max(1, pairs);
  const items: MemoryItem[] = [
    { label: 'obs-ivar', category: 'images', bytes: uploadBytes(8 * pixels) },
    { label: 'model', category: 'images', bytes: f32Bytes(pixels) },
    { label: 'residual', category: 'images', bytes: f32Bytes(pixels) },
    { label: 'stamps (chunk)', category: 'chunk', bytes: f32Bytes(stampFloats) },
    { label: 'spectra (chunk)', category: 'chunk', bytes: 2 * f32Bytes(specVec2) },
    ...s.tiers.map((t): MemoryItem => ({ label: `psf-spectra:${t.n}`, category: 'psf', bytes: 2 * f32Bytes(t.psfSlots * halfBins(t.n)) })),
    { label: 'pair-static', category: 'pairs', bytes: uploadBytes(P * PAIR_STATIC_BYTES) },
    { label: 'pair-psf', category: 'pairs', bytes: uploadBytes(P * PAIR_PSF_BYTES) },
    { label: 'pair-state', category: 'pairs', bytes: f32Bytes(P * PAIR_STATE_FLOATS) },
    { label: 'pair-grad', category: 'pairs', bytes: f32Bytes(P * PAIR_GRAD_FLOATS) },
    { label: 'layout', category: 'tables', bytes: uploadBytes(4 * layoutWords) },
    { label: 'source-static', category: 'tables', bytes: uploadBytes(Math.max(1, s.nSources) * SOURCE_STATIC_BYTES) },
    { label: 'chi2-part', category: 'tables', bytes: 2 * f32Bytes(nTiles) },
    { label: 'nlp-part', category: 'tables', bytes: f32Bytes(s.nSources) },
    { label: 'params', category: 'params', bytes: f32Bytes(s.nParams) },
    { label: 'grad', category: 'params', bytes: f32Bytes(s.nParams) },
    { label: 'loss', category: 'params', bytes: 32 },
    // one per chunk, the layout globals, and sources/loss (with and without gradient)
    { label: 'uniforms', category: 'uniforms', bytes: 16 * chunks + 16 + 4 * 32 },
    { label: 'readback (loss, grad)', category: 'readback', bytes: 32 + Math.max(16, 4 * s.nParams) },
  ];
  const byCategory = { images: 0, chunk: 0, psf: 0, pairs: 0, tables: 0, params: 0, uniforms: 0, readback: 0 } as Record<MemoryCategory, number>;
  for (const i of items) byCategory[i.category] += i.bytes;
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const maxBinding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const oversized = items.filter((i) => i.category !== 'uniforms' && i.category !== 'readback' && i.bytes > maxBinding).map((i) => `${i.label} (${i.bytes} B > ${maxBinding} B)`);
  return { total: items.reduce((a, i) => a + i.bytes, 0), byCategory, items, chunkPairs, oversized };
}

/** The standard sub-tile (issue 4): 2,500 sources, 6 full 2048×2066 quadrants, ~15,000 visible pairs. */
export function standardSubtileSummary(): LayoutSummary {
  const quadrants = Array.from({ length: 6 }, () => ({ nx: 2048, ny: 2066 }));
  // 9×9 PSF grids: every stamp of every quadrant may be in use by each tier.
  const slots = 81 * quadrants.length;
  return {
    quadrants,
    tiers: [
      { n: 64, pairs: 7500, psfSlots: slots },
      { n: 128, pairs: 6500, psfSlots: slots },
      { n: 256, pairs: 1000, psfSlots: slots },
    ],
    nSources: 2500,
    nParams: 2 + 6 * 2500,
  };
}
