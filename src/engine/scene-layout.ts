// CPU side of the engine's scene upload: groups a reference Scene's pairs into tiers and
// chunks, packs the per-pair/per-source tables, the per-chunk gather lists used for
// deterministic accumulation, and the PSF spectrum slots. Pure (no GPU): testable in Node.
//
// Engine pair order: by tier N (ascending), then quadrant, then scene order, so every
// (tier, quadrant) batch is a contiguous range. A tier is processed in chunks of at
// most `chunkPairs` pairs that share one stamp buffer and one spectrum buffer (sized for
// the largest chunk of any tier), so GPU memory does not grow with pairs × N².
//
// Accumulation order (fixed, hence bit-identical runs): a pixel's model value is the
// sequential sum over its stamps in engine order — chunk after chunk, and inside a chunk
// in the order of the chunk's gather list for the pixel's tile.
//
// PSF spectra: each tier keeps a table of PSF "slots" whose spectra are computed once —
// a quadrant grid's stamps (pairs with `psfBlend`: the pair's P(k) is Σ w_i·P_slot_i(k),
// weights pre-divided by the blend's pixel sum, as bilinear interpolation is linear) or
// one pair's own PSF (pairs without `psfBlend`: weight 1, as the reference uses pair.psf).

import { paramCount, sourceOffsets, validateScene, type Pair, type Scene } from '../reference/scene';
import { inv2 } from '../reference/shape';

/** FFT sizes the WGSL FFT supports (src/engine/fft.ts). */
export const ENGINE_TIERS = [32, 64, 128, 256, 512] as const;
/** Image tile side of the gathering kernels (accumulate-image.wgsl, residual-image.wgsl). */
export const TILE = 16;
/** Largest dispatch dimension WebGPU guarantees; chunks hold at most this many pairs. */
export const MAX_DISPATCH = 65535;

export const PAIR_STATIC_BYTES = 80;
/** Per pair: 4 u32 PSF slots + 4 f32 weights (model-common.wgsl PairPsf). */
export const PAIR_PSF_BYTES = 32;
export const SOURCE_STATIC_BYTES = 32;
/** Floats of per-pair state (model-common.wgsl PS) and of per-pair gradient. */
export const PAIR_STATE_FLOATS = 32;
export const PAIR_GRAD_FLOATS = 8;
/** Default bytes for the chunk work buffers (real stamps + half spectra). */
export const DEFAULT_CHUNK_BUDGET = 256 * 2 ** 20;
/** WebGPU's guaranteed limits, used when no device limits are given. */
export const DEFAULT_LIMITS: DeviceLimits = { maxStorageBufferBindingSize: 128 * 2 ** 20, maxBufferSize: 256 * 2 ** 20 };

export interface DeviceLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

export interface LayoutOptions {
  /** Upper bound on pairs per chunk (all tiers); e.g. tiny in tests to force several chunks. */
  maxChunkPairs?: number;
  /** Bytes for the chunk work buffers (stamps + spectra), default DEFAULT_CHUNK_BUDGET. */
  chunkBudgetBytes?: number;
  /** Device limits the buffers must fit (default: WebGPU's guaranteed minimums). */
  limits?: DeviceLimits;
}

export interface PairChunk {
  /** First engine pair index and count (≤ the tier's chunkPairs). */
  pairBase: number;
  count: number;
  /** First gather record (index, 2 words each from layout.recordBase) and record count. */
  recordStart: number;
  nRecords: number;
}

/** What a PSF slot's stamp is: a quadrant grid's stamp, or a pair's own PSF. */
export type PsfSlot = { quadrant: number; stamp: number } | { scenePair: number };

export interface TierBatch {
  n: number;
  pairBase: number;
  count: number;
  /** Pairs per chunk (the last chunk may hold fewer). */
  chunkPairs: number;
  chunks: PairChunk[];
  /** Contiguous (tier, quadrant) ranges of engine pairs. */
  quadrants: { quadrant: number; pairBase: number; count: number }[];
  /** PSF spectrum slots of this tier, in slot order. */
  psfSlots: PsfSlot[];
}

export interface SceneLayout {
  nPairs: number;
  nSources: number;
  nParams: number;
  nQuadrants: number;
  /** Engine pair index → scene pair index. */
  sceneIndex: Int32Array;
  tiers: TierBatch[];
  /** Per engine pair; stampOffset / specOffset are relative to the pair's chunk. */
  pairStatic: ArrayBuffer;
  /** Per engine pair: PSF slots and weights (see the file header). */
  pairPsf: ArrayBuffer;
  sourceStatic: ArrayBuffer;
  /**
   * u32 table: [quadrants (4 words: nx, ny, first pixel, _) | tiles (4 words: quadrant,
   * x, y, _) | gather records (2 words: tile | first-touch bit 31, list start; one
   * sentinel) | gather lists (engine pair indices) | source lists].
   */
  layout: Uint32Array;
  tileBase: number;
  recordBase: number;
  /** First word of the gather lists (the entries of all chunks, back to back). */
  tileListBase: number;
  sourceListBase: number;
  nTiles: number;
  /** Interleaved (obs, ivar) for all quadrants; obs = 0 where ivar = 0. */
  obsIvar: Float32Array;
  /** Pixels with ivar > 0 but a non-finite obs, all quadrants: masked here (the reference would give NaN). */
  nonFiniteObs: number;
  /** The same count per quadrant. */
  nonFiniteObsByQuadrant: number[];
  /** First pixel of each quadrant in the image buffers. */
  pixelOffsets: number[];
  totalPixels: number;
  /** f32 count of the (shared) chunk stamp buffer, vec2 count of the chunk spectrum buffer. */
  stampFloats: number;
  specVec2: number;
  /** Pairs whose PSF comes from a grid blend (the others carry their own PSF slot). */
  blendedPairs: number;
}

const halfBins = (n: number) => n * (n / 2 + 1);

/** Pairs per chunk for tier n: the budget and the device's binding/buffer limits. */
export function chunkPairsFor(n: number, count: number, opts: LayoutOptions = {}): number {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const budget = opts.chunkBudgetBytes ?? DEFAULT_CHUNK_BUDGET;
  const stampBytes = 4 * n * n;
  const specBytes = 8 * halfBins(n);
  const maxBuf = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const k = Math.min(
    Math.max(1, count),
    opts.maxChunkPairs ?? Infinity,
    Math.floor(budget / (stampBytes + specBytes)),
    Math.floor(maxBuf / specBytes),
    MAX_DISPATCH,
  );
  if (!(k >= 1)) {
    throw new RangeError(`scene: one ${n}×${n} stamp needs ${stampBytes + specBytes} bytes, more than the chunk budget or device buffer limit`);
  }
  return k;
}

function checkBlend(scene: Scene, p: Pair, t: number): void {
  const b = p.psfBlend!;
  const where = `pair ${t} (source ${p.source}, quadrant ${p.quadrant}) psfBlend`;
  const g = scene.psfGrids?.[p.quadrant];
  if (!g) throw new RangeError(`${where}: scene.psfGrids[${p.quadrant}] is missing`);
  const nStamps = g.gridNx * g.gridNy;
  if (g.stamps.length !== nStamps * g.size * g.size) {
    throw new RangeError(`scene.psfGrids[${p.quadrant}]: ${g.stamps.length} values, expected ${g.gridNx}×${g.gridNy} stamps of ${g.size}²`);
  }
  if (g.size % 2 !== 1 || g.size > p.n) throw new RangeError(`scene.psfGrids[${p.quadrant}]: stamp side ${g.size} must be odd and ≤ N = ${p.n}`);
  if (b.stamps.length !== 4 || b.weights.length !== 4) throw new RangeError(`${where}: needs 4 stamps and 4 weights`);
  for (let i = 0; i < 4; i++) {
    if (!(Number.isInteger(b.stamps[i]) && b.stamps[i] >= 0 && b.stamps[i] < nStamps)) {
      throw new RangeError(`${where}: stamp index ${b.stamps[i]} outside the ${g.gridNx}×${g.gridNy} grid`);
    }
    if (!(b.weights[i] >= 0 && Number.isFinite(b.weights[i]))) throw new RangeError(`${where}: weight ${b.weights[i]} must be finite and ≥ 0`);
  }
}

export function buildSceneLayout(scene: Scene, opts: LayoutOptions = {}): SceneLayout {
  validateScene(scene);
  if (scene.quadrants.length === 0) throw new RangeError('scene: no quadrants');
  scene.pairs.forEach((p, t) => {
    if (!(ENGINE_TIERS as readonly number[]).includes(p.n)) {
      throw new RangeError(
        `pair ${t} (source ${p.source}, quadrant ${p.quadrant}): N = ${p.n} is not an engine tier (${ENGINE_TIERS.join(', ')})`,
      );
    }
    if (p.psfBlend) checkBlend(scene, p, t);
  });
  const offsets = sourceOffsets(scene);
  const nPairs = scene.pairs.length;

  // Engine order: tier, quadrant, scene order (a stable sort keeps scene order).
  const sceneIndex = Int32Array.from(
    scene.pairs.map((_, i) => i).sort((a, b) => {
      const pa = scene.pairs[a];
      const pb = scene.pairs[b];
      return pa.n - pb.n || pa.quadrant - pb.quadrant || a - b;
    }),
  );
  const engineIndex = new Int32Array(nPairs);
  sceneIndex.forEach((s, e) => (engineIndex[s] = e));

  const tiers: TierBatch[] = [];
  for (let e = 0; e < nPairs; e++) {
    const p = scene.pairs[sceneIndex[e]];
    let tier = tiers[tiers.length - 1];
    if (!tier || tier.n !== p.n) {
      tier = { n: p.n, pairBase: e, count: 0, chunkPairs: 0, chunks: [], quadrants: [], psfSlots: [] };
      tiers.push(tier);
    }
    const qr = tier.quadrants[tier.quadrants.length - 1];
    if (!qr || qr.quadrant !== p.quadrant) tier.quadrants.push({ quadrant: p.quadrant, pairBase: e, count: 1 });
    else qr.count++;
    tier.count++;
  }
  let stampFloats = 0;
  let specVec2 = 0;
  for (const t of tiers) {
    t.chunkPairs = chunkPairsFor(t.n, t.count, opts);
    for (let b = 0; b < t.count; b += t.chunkPairs) {
      t.chunks.push({ pairBase: t.pairBase + b, count: Math.min(t.chunkPairs, t.count - b), recordStart: 0, nRecords: 0 });
    }
    stampFloats = Math.max(stampFloats, t.chunkPairs * t.n * t.n);
    specVec2 = Math.max(specVec2, t.chunkPairs * halfBins(t.n));
  }

  // Pair table (chunk-relative offsets) and PSF slots.
  const pairStatic = new ArrayBuffer(Math.max(1, nPairs) * PAIR_STATIC_BYTES);
  const dv = new DataView(pairStatic);
  const pairPsf = new ArrayBuffer(Math.max(1, nPairs) * PAIR_PSF_BYTES);
  const pv = new DataView(pairPsf);
  let blendedPairs = 0;
  for (const tier of tiers) {
    const slotOf = new Map<string, number>();
    const slot = (key: string, s: PsfSlot): number => {
      let i = slotOf.get(key);
      if (i === undefined) {
        i = tier.psfSlots.length;
        tier.psfSlots.push(s);
        slotOf.set(key, i);
      }
      return i;
    };
    for (let e = tier.pairBase; e < tier.pairBase + tier.count; e++) {
      const p = scene.pairs[sceneIndex[e]];
      const local = (e - tier.pairBase) % tier.chunkPairs;
      const b = e * PAIR_STATIC_BYTES;
      const ji = inv2(p.jac);
      dv.setUint32(b, p.source, true);
      dv.setUint32(b + 4, offsets[p.source], true);
      dv.setUint32(b + 8, scene.sources[p.source].kind === 'galaxy' ? 1 : 0, true);
      dv.setUint32(b + 12, p.quadrant, true);
      dv.setUint32(b + 16, p.n, true);
      dv.setInt32(b + 20, p.x0, true);
      dv.setInt32(b + 24, p.y0, true);
      dv.setUint32(b + 28, local * p.n * p.n, true);
      dv.setUint32(b + 32, local * halfBins(p.n), true);
      for (let k = 0; k < 4; k++) dv.setFloat32(b + 48 + 4 * k, ji[k], true);
      dv.setFloat32(b + 64, p.delta0[0], true);
      dv.setFloat32(b + 68, p.delta0[1], true);
      dv.setFloat32(b + 72, p.aduPerUJy, true);
      const pb = e * PAIR_PSF_BYTES;
      if (p.psfBlend) {
        blendedPairs++;
        const g = scene.psfGrids![p.quadrant]!;
        const s2 = g.size * g.size;
        // Normalise by the blend's pixel sum in float64 (psfAt's unit-sum step).
        let norm = 0;
        for (let i = 0; i < 4; i++) {
          if (p.psfBlend.weights[i] === 0) continue;
          let sum = 0;
          for (let t = p.psfBlend.stamps[i] * s2, end = t + s2; t < end; t++) sum += g.stamps[t];
          norm += p.psfBlend.weights[i] * sum;
        }
        if (!(norm > 0)) throw new RangeError(`pair ${sceneIndex[e]}: psfBlend sums to ${norm}, expected a positive total`);
        for (let i = 0; i < 4; i++) {
          const st = p.psfBlend.stamps[i];
          pv.setUint32(pb + 4 * i, slot(`g${p.quadrant}:${st}`, { quadrant: p.quadrant, stamp: st }), true);
          pv.setFloat32(pb + 16 + 4 * i, p.psfBlend.weights[i] / norm, true);
        }
      } else {
        const s = slot(`p${sceneIndex[e]}`, { scenePair: sceneIndex[e] });
        for (let i = 0; i < 4; i++) {
          pv.setUint32(pb + 4 * i, s, true);
          pv.setFloat32(pb + 16 + 4 * i, i === 0 ? 1 : 0, true);
        }
      }
    }
  }

  // Quadrant images and tiles.
  const pixelOffsets: number[] = [];
  let totalPixels = 0;
  let nTiles = 0;
  const tileFirst: number[] = [];
  for (const q of scene.quadrants) {
    pixelOffsets.push(totalPixels);
    tileFirst.push(nTiles);
    totalPixels += q.nx * q.ny;
    nTiles += Math.ceil(q.nx / TILE) * Math.ceil(q.ny / TILE);
  }
  const obsIvar = new Float32Array(2 * totalPixels);
  const nonFiniteObsByQuadrant = scene.quadrants.map(() => 0);
  scene.quadrants.forEach((q, k) => {
    const base = 2 * pixelOffsets[k];
    for (let t = 0; t < q.nx * q.ny; t++) {
      const iv = q.ivar[t];
      const masked = !(iv > 0) || !Number.isFinite(q.obs[t]);
      if (!(iv >= 0)) throw new RangeError(`quadrant ${q.name ?? k}: ivar[${t}] = ${iv} (must be ≥ 0)`);
      if (!Number.isFinite(iv)) throw new RangeError(`quadrant ${q.name ?? k}: ivar[${t}] = ${iv} (must be finite)`);
      if (iv > 0 && !Number.isFinite(q.obs[t])) nonFiniteObsByQuadrant[k]++;
      obsIvar[base + 2 * t] = masked ? 0 : q.obs[t];
      obsIvar[base + 2 * t + 1] = masked ? 0 : iv;
    }
  });

  // Gather records and lists: per chunk, each touched tile with the chunk's pairs on it
  // in engine order; bit 31 marks the tile's first chunk (the kernel starts from 0 there).
  const records: number[] = [];
  const lists: number[] = [];
  const touched = new Uint8Array(nTiles);
  const tileTouches = (e: number, f: (tile: number) => void) => {
    const p = scene.pairs[sceneIndex[e]];
    const q = scene.quadrants[p.quadrant];
    const xa = Math.max(0, p.x0);
    const xb = Math.min(q.nx, p.x0 + p.n);
    const ya = Math.max(0, p.y0);
    const yb = Math.min(q.ny, p.y0 + p.n);
    if (xa >= xb || ya >= yb) return; // no pixel in the quadrant: nothing to gather
    const tx = Math.ceil(q.nx / TILE);
    for (let ty = Math.floor(ya / TILE); ty <= Math.floor((yb - 1) / TILE); ty++) {
      for (let tX = Math.floor(xa / TILE); tX <= Math.floor((xb - 1) / TILE); tX++) f(tileFirst[p.quadrant] + ty * tx + tX);
    }
  };
  for (const tier of tiers) {
    for (const c of tier.chunks) {
      const perTile = new Map<number, number[]>();
      for (let e = c.pairBase; e < c.pairBase + c.count; e++) {
        tileTouches(e, (t) => {
          let l = perTile.get(t);
          if (!l) perTile.set(t, (l = []));
          l.push(e);
        });
      }
      c.recordStart = records.length / 2;
      for (const t of [...perTile.keys()].sort((a, b) => a - b)) {
        records.push((t | (touched[t] ? 0 : 0x80000000)) >>> 0, lists.length);
        touched[t] = 1;
        for (const e of perTile.get(t)!) lists.push(e);
      }
      c.nRecords = records.length / 2 - c.recordStart;
    }
  }
  records.push(0, lists.length); // sentinel: end of the last list

  const nQ = scene.quadrants.length;
  const tileBase = 4 * nQ;
  const recordBase = tileBase + 4 * nTiles;
  const tileListBase = recordBase + records.length;
  const sourceListBase = tileListBase + lists.length;
  const layout = new Uint32Array(sourceListBase + nPairs);
  scene.quadrants.forEach((q, k) => layout.set([q.nx, q.ny, pixelOffsets[k], 0], 4 * k));
  scene.quadrants.forEach((q, k) => {
    const tx = Math.ceil(q.nx / TILE);
    const ty = Math.ceil(q.ny / TILE);
    for (let y = 0; y < ty; y++) {
      for (let x = 0; x < tx; x++) layout.set([k, x * TILE, y * TILE, 0], tileBase + 4 * (tileFirst[k] + y * tx + x));
    }
  });
  layout.set(records, recordBase);
  layout.set(lists, tileListBase);

  const sourceLists: number[][] = scene.sources.map(() => []);
  scene.pairs.forEach((p, s) => sourceLists[p.source].push(engineIndex[s]));
  const sourceStatic = new ArrayBuffer(Math.max(1, scene.sources.length) * SOURCE_STATIC_BYTES);
  const sv = new DataView(sourceStatic);
  let sl = 0;
  scene.sources.forEach((src, i) => {
    const b = i * SOURCE_STATIC_BYTES;
    sv.setUint32(b, offsets[i], true);
    sv.setUint32(b + 4, src.kind === 'galaxy' ? 1 : 0, true);
    sv.setUint32(b + 8, sl, true);
    for (const e of sourceLists[i]) layout[sourceListBase + sl++] = e;
    sv.setUint32(b + 12, sl, true);
    sv.setFloat32(b + 16, Math.log(src.catalogFlux), true);
    sv.setFloat32(b + 20, src.kind === 'galaxy' ? Math.log(src.catalogHlr ?? Number.NaN) : 0, true);
  });

  return {
    nPairs,
    nSources: scene.sources.length,
    nParams: paramCount(scene),
    nQuadrants: nQ,
    sceneIndex,
    tiers,
    pairStatic,
    pairPsf,
    sourceStatic,
    layout,
    tileBase,
    recordBase,
    tileListBase,
    sourceListBase,
    nTiles,
    obsIvar,
    nonFiniteObs: nonFiniteObsByQuadrant.reduce((a, b) => a + b, 0),
    nonFiniteObsByQuadrant,
    pixelOffsets,
    totalPixels,
    stampFloats,
    specVec2,
    blendedPairs,
  };
}

/**
 * Real N×N stamps of `count` PSF slots of a tier from slot `first`, each PSF's centre
 * pixel wrapped to grid index (0, 0), so that their DFT is the centred P(k).
 */
export function wrappedPsfStamps(scene: Scene, tier: TierBatch, first: number, count: number): Float32Array {
  const n = tier.n;
  const out = new Float32Array(count * n * n);
  for (let k = 0; k < count; k++) {
    const s = tier.psfSlots[first + k];
    let src: Float64Array;
    let size: number;
    let off = 0;
    if ('scenePair' in s) {
      const p = scene.pairs[s.scenePair];
      src = p.psf;
      size = p.psfSize;
    } else {
      const g = scene.psfGrids![s.quadrant]!;
      src = g.stamps;
      size = g.size;
      off = s.stamp * size * size;
    }
    const c = (size - 1) / 2;
    const base = k * n * n;
    for (let j = 0; j < size; j++) {
      const row = (j - c + n) % n;
      for (let i = 0; i < size; i++) out[base + row * n + ((i - c + n) % n)] = src[off + j * size + i];
    }
  }
  return out;
}
