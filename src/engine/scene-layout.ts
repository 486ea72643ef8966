// CPU side of the engine's scene upload: groups a reference Scene's pairs into tiers,
// packs the per-pair/per-source tables, the image-tile lists used for deterministic
// gathering, and the PSF stamps to transform. Pure (no GPU): testable in Node.
//
// Engine pair order: by tier N (ascending), then quadrant, then scene order, so every
// (tier, quadrant) batch is a contiguous range and a tier's stamps and spectra are one
// contiguous block of the shared buffers (one batched FFT call per tier).

import { paramCount, sourceOffsets, validateScene, type Scene } from '../reference/scene';
import { inv2 } from '../reference/shape';

/** FFT sizes the WGSL FFT supports (src/engine/fft.ts). */
export const ENGINE_TIERS = [32, 64, 128, 256, 512] as const;
/** Image tile side of the gathering kernel (accumulate-image.wgsl). */
export const TILE = 16;
/** Largest dispatch dimension WebGPU guarantees; tier ranges are cut into chunks of this. */
export const MAX_DISPATCH = 65535;

export const PAIR_STATIC_BYTES = 80;
export const SOURCE_STATIC_BYTES = 32;
/** Floats of per-pair state (model-common.wgsl PS) and of per-pair gradient. */
export const PAIR_STATE_FLOATS = 32;
export const PAIR_GRAD_FLOATS = 8;

export interface PairChunk {
  /** First engine pair index and count (≤ MAX_DISPATCH). */
  pairBase: number;
  count: number;
}

export interface TierBatch {
  n: number;
  pairBase: number;
  count: number;
  /** First f32 of the tier's real stamps in the stamps buffer. */
  stampBase: number;
  /** First vec2 of the tier's half spectra in the spectrum buffers. */
  specBase: number;
  chunks: PairChunk[];
  /** Contiguous (tier, quadrant) ranges of engine pairs. */
  quadrants: { quadrant: number; pairBase: number; count: number }[];
}

export interface SceneLayout {
  nPairs: number;
  nSources: number;
  nParams: number;
  nQuadrants: number;
  /** Engine pair index → scene pair index. */
  sceneIndex: Int32Array;
  tiers: TierBatch[];
  pairStatic: ArrayBuffer;
  sourceStatic: ArrayBuffer;
  /** [quadrants | tiles + sentinel | tile lists | source lists] (see accumulate-image.wgsl). */
  layout: Uint32Array;
  tileBase: number;
  tileListBase: number;
  sourceListBase: number;
  nTiles: number;
  /** Interleaved (obs, ivar) for all quadrants; obs = 0 where ivar = 0. */
  obsIvar: Float32Array;
  /** Pixels with ivar > 0 but a non-finite obs: masked here (the reference would give NaN). */
  nonFiniteObs: number;
  /** First pixel of each quadrant in the image buffers. */
  pixelOffsets: number[];
  totalPixels: number;
  /** f32 count of the stamps buffer, vec2 count of the spectrum buffers. */
  stampFloats: number;
  specVec2: number;
  /** Each pair's PSF embedded with its centre at grid index (0, 0) (wrapped), in stamp slots. */
  psfStamps: Float32Array;
}

export function buildSceneLayout(scene: Scene): SceneLayout {
  validateScene(scene);
  if (scene.quadrants.length === 0) throw new RangeError('scene: no quadrants');
  scene.pairs.forEach((p, t) => {
    if (!(ENGINE_TIERS as readonly number[]).includes(p.n)) {
      throw new RangeError(
        `pair ${t} (source ${p.source}, quadrant ${p.quadrant}): N = ${p.n} is not an engine tier (${ENGINE_TIERS.join(', ')})`,
      );
    }
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
  let stampFloats = 0;
  let specVec2 = 0;
  const stampOffset = new Float64Array(nPairs);
  const specOffset = new Float64Array(nPairs);
  for (let e = 0; e < nPairs; e++) {
    const p = scene.pairs[sceneIndex[e]];
    let tier = tiers[tiers.length - 1];
    if (!tier || tier.n !== p.n) {
      tier = { n: p.n, pairBase: e, count: 0, stampBase: stampFloats, specBase: specVec2, chunks: [], quadrants: [] };
      tiers.push(tier);
    }
    const qr = tier.quadrants[tier.quadrants.length - 1];
    if (!qr || qr.quadrant !== p.quadrant) tier.quadrants.push({ quadrant: p.quadrant, pairBase: e, count: 1 });
    else qr.count++;
    tier.count++;
    stampOffset[e] = stampFloats;
    specOffset[e] = specVec2;
    stampFloats += p.n * p.n;
    specVec2 += p.n * (p.n / 2 + 1);
  }
  for (const t of tiers) {
    for (let b = 0; b < t.count; b += MAX_DISPATCH) {
      t.chunks.push({ pairBase: t.pairBase + b, count: Math.min(MAX_DISPATCH, t.count - b) });
    }
  }
  if (stampFloats * 4 > 2 ** 31 || specVec2 * 8 > 2 ** 31) {
    throw new RangeError(`scene: ${nPairs} pairs need ${(specVec2 * 8) / 2 ** 20} MiB of spectra per buffer, more than 2 GiB`);
  }

  // Pair table and PSF stamps (centre wrapped to index 0: the DFT is then the centred P(k)).
  const pairStatic = new ArrayBuffer(Math.max(1, nPairs) * PAIR_STATIC_BYTES);
  const dv = new DataView(pairStatic);
  const psfStamps = new Float32Array(stampFloats);
  for (let e = 0; e < nPairs; e++) {
    const p = scene.pairs[sceneIndex[e]];
    const b = e * PAIR_STATIC_BYTES;
    const ji = inv2(p.jac);
    dv.setUint32(b, p.source, true);
    dv.setUint32(b + 4, offsets[p.source], true);
    dv.setUint32(b + 8, scene.sources[p.source].kind === 'galaxy' ? 1 : 0, true);
    dv.setUint32(b + 12, p.quadrant, true);
    dv.setUint32(b + 16, p.n, true);
    dv.setInt32(b + 20, p.x0, true);
    dv.setInt32(b + 24, p.y0, true);
    dv.setUint32(b + 28, stampOffset[e], true);
    dv.setUint32(b + 32, specOffset[e], true);
    for (let k = 0; k < 4; k++) dv.setFloat32(b + 48 + 4 * k, ji[k], true);
    dv.setFloat32(b + 64, p.delta0[0], true);
    dv.setFloat32(b + 68, p.delta0[1], true);
    dv.setFloat32(b + 72, p.aduPerUJy, true);
    const c = (p.psfSize - 1) / 2;
    const n = p.n;
    for (let j = 0; j < p.psfSize; j++) {
      const row = (j - c + n) % n;
      for (let i = 0; i < p.psfSize; i++) psfStamps[stampOffset[e] + row * n + ((i - c + n) % n)] = p.psf[j * p.psfSize + i];
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
  let nonFiniteObs = 0;
  scene.quadrants.forEach((q, k) => {
    const base = 2 * pixelOffsets[k];
    for (let t = 0; t < q.nx * q.ny; t++) {
      const iv = q.ivar[t];
      const masked = !(iv > 0) || !Number.isFinite(q.obs[t]);
      if (!(iv >= 0)) throw new RangeError(`quadrant ${q.name ?? k}: ivar[${t}] = ${iv} (must be ≥ 0)`);
      if (iv > 0 && !Number.isFinite(q.obs[t])) nonFiniteObs++;
      obsIvar[base + 2 * t] = masked ? 0 : q.obs[t];
      obsIvar[base + 2 * t + 1] = masked ? 0 : iv;
    }
  });

  // Tile lists: each tile's pairs whose clipped footprint touches it, in scene order.
  const tileLists: number[][] = Array.from({ length: nTiles }, () => []);
  scene.pairs.forEach((p, s) => {
    const q = scene.quadrants[p.quadrant];
    const xa = Math.max(0, p.x0);
    const xb = Math.min(q.nx, p.x0 + p.n);
    const ya = Math.max(0, p.y0);
    const yb = Math.min(q.ny, p.y0 + p.n);
    if (xa >= xb || ya >= yb) return; // no pixel in the quadrant: nothing to gather
    const tx = Math.ceil(q.nx / TILE);
    for (let ty = Math.floor(ya / TILE); ty <= Math.floor((yb - 1) / TILE); ty++) {
      for (let tX = Math.floor(xa / TILE); tX <= Math.floor((xb - 1) / TILE); tX++) {
        tileLists[tileFirst[p.quadrant] + ty * tx + tX].push(engineIndex[s]);
      }
    }
  });
  const sourceLists: number[][] = scene.sources.map(() => []);
  scene.pairs.forEach((p, s) => sourceLists[p.source].push(engineIndex[s]));

  const nQ = scene.quadrants.length;
  const tileBase = 4 * nQ;
  const tileListBase = tileBase + 4 * (nTiles + 1);
  const tileListLen = tileLists.reduce((a, l) => a + l.length, 0);
  const sourceListBase = tileListBase + tileListLen;
  const layout = new Uint32Array(sourceListBase + nPairs);
  scene.quadrants.forEach((q, k) => layout.set([q.nx, q.ny, pixelOffsets[k], 0], 4 * k));
  let l = 0;
  scene.quadrants.forEach((q, k) => {
    const tx = Math.ceil(q.nx / TILE);
    const ty = Math.ceil(q.ny / TILE);
    for (let y = 0; y < ty; y++) {
      for (let x = 0; x < tx; x++) {
        const t = tileFirst[k] + y * tx + x;
        layout.set([k, x * TILE, y * TILE, l], tileBase + 4 * t);
        for (const e of tileLists[t]) layout[tileListBase + l++] = e;
      }
    }
  });
  layout.set([0, 0, 0, l], tileBase + 4 * nTiles); // sentinel: end of the last list

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
    sourceStatic,
    layout,
    tileBase,
    tileListBase,
    sourceListBase,
    nTiles,
    obsIvar,
    nonFiniteObs,
    pixelOffsets,
    totalPixels,
    stampFloats,
    specVec2,
    psfStamps,
  };
}
