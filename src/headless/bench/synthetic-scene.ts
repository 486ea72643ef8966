// Synthetic scenes for timing MAP steps: galaxies scattered over a mosaic of small
// quadrants (the cost model's mosaicLayout), with either the visible (source, quadrant)
// pairs only or every pair — the "every pair" scene renders stamps that lie fully off
// their quadrant, as an engine without visibility filtering would. Pixel values do not
// change the work done, so obs is zero and ivar constant; galaxies are small (tiers
// 32/64 on 0.1″ pixels) so SwiftShader can time a step in seconds. Pure: no GPU.
import { mosaicLayout, mulberry32, type Rect, type StepShape, type TierLoad } from '../../engine/cost-model';
import { chooseTier, stampRadiusPx } from '../../data/tiers';
import type { Pair, Scene, SourceInfo } from '../../reference/scene';
import { buildSceneLayout, type LayoutOptions } from '../../engine/scene-layout';
import type { Mat2 } from '../../reference/shape';

export interface SyntheticSceneOptions {
  sources: number;
  quadrants: number;
  /** Quadrant side in pixels. */
  size: number;
  pairs: 'visible' | 'all';
  seed?: number;
  psfSize?: number;
}

export interface SyntheticScene {
  scene: Scene;
  /** Parameter vector near the catalogue values (layout of src/reference/scene.ts). */
  params: Float64Array;
  quads: Rect[];
}

const JAC: Mat2 = [0.1, 0.002, -0.002, 0.1];
const PIXEL_SCALE = 0.1;

function gaussianPsf(size: number, sigma: number): Float64Array {
  const c = (size - 1) / 2;
  const out = new Float64Array(size * size);
  let s = 0;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const v = Math.exp(-((i - c) ** 2 + (j - c) ** 2) / (2 * sigma * sigma));
      out[j * size + i] = v;
      s += v;
    }
  }
  return out.map((v) => v / s);
}

export function syntheticScene(o: SyntheticSceneOptions): SyntheticScene {
  if (!(Number.isInteger(o.sources) && o.sources >= 1)) throw new RangeError(`synthetic scene: sources=${o.sources} must be a positive integer`);
  if (!(Number.isInteger(o.size) && o.size >= 32)) throw new RangeError(`synthetic scene: size=${o.size} must be an integer ≥ 32`);
  const psfSize = o.psfSize ?? 9;
  const psf = gaussianPsf(psfSize, 1.2);
  const quads = mosaicLayout(o.quadrants, o.size, o.size);
  const bx = Math.max(...quads.map((q) => q.x + q.w));
  const by = Math.max(...quads.map((q) => q.y + q.h));
  const r = mulberry32(o.seed ?? 1);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const sources: SourceInfo[] = [];
  const params: number[] = [0.01, -0.02];
  const pairs: Pair[] = [];
  for (let s = 0; s < o.sources; s++) {
    // Centre on some quadrant (a catalogue source is one the data sees).
    let x = 0;
    let y = 0;
    do {
      x = r() * bx;
      y = r() * by;
    } while (!quads.some((q) => x >= q.x && x < q.x + q.w && y >= q.y && y < q.y + q.h));
    const hlr = Math.min(Math.max(0.08 * Math.exp(0.35 * gauss()), 0.04), 0.2);
    const e1 = 0.2 * gauss() * 0.5;
    const e2 = 0.2 * gauss() * 0.5;
    const n = chooseTier(stampRadiusPx({ kind: 'galaxy', hlr, e: Math.hypot(e1, e2), pixelScale: PIXEL_SCALE, psfSize }));
    sources.push({ kind: 'galaxy', catalogFlux: 5, catalogHlr: hlr });
    params.push(5, hlr, e1, e2, 0, 0);
    quads.forEach((q, k) => {
      const cx = x - q.x;
      const cy = y - q.y;
      const ix = Math.round(cx);
      const iy = Math.round(cy);
      const x0 = ix - n / 2;
      const y0 = iy - n / 2;
      const visible = x0 < q.w && x0 + n > 0 && y0 < q.h && y0 + n > 0;
      if (!visible && o.pairs === 'visible') return;
      pairs.push({ source: s, quadrant: k, n, x0, y0, delta0: [cx - ix, cy - iy], jac: JAC, psf, psfSize, aduPerUJy: 20 });
    });
  }
  const quadrants = quads.map((q, k) => ({
    nx: q.w,
    ny: q.h,
    name: `synthetic-${k}`,
    obs: new Float64Array(q.w * q.h),
    ivar: new Float64Array(q.w * q.h).fill(100),
  }));
  return { scene: { quadrants, sources, pairs }, params: Float64Array.from(params), quads };
}

/**
 * The cost model's description of a scene: pairs per tier, pixels each stamp covers,
 * gather-list entries, and the engine's chunks and gather records (from its layout).
 */
export function shapeOfScene(scene: Scene, opts: LayoutOptions = {}, tile = 16): StepShape {
  const layout = buildSceneLayout(scene, { limits: { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30 }, ...opts });
  const tiers = new Map<number, TierLoad>();
  for (const p of scene.pairs) {
    const q = scene.quadrants[p.quadrant];
    const t = tiers.get(p.n) ?? { n: p.n, pairs: 0, galaxyPairs: 0, coveredPixels: 0, tileEntries: 0 };
    t.pairs++;
    if (scene.sources[p.source].kind === 'galaxy') t.galaxyPairs! += 1;
    const xa = Math.max(0, p.x0);
    const xb = Math.min(q.nx, p.x0 + p.n);
    const ya = Math.max(0, p.y0);
    const yb = Math.min(q.ny, p.y0 + p.n);
    if (xa < xb && ya < yb) {
      t.coveredPixels! += (xb - xa) * (yb - ya);
      t.tileEntries! += (Math.floor((xb - 1) / tile) - Math.floor(xa / tile) + 1) * (Math.floor((yb - 1) / tile) - Math.floor(ya / tile) + 1);
    }
    tiers.set(p.n, t);
  }
  for (const lt of layout.tiers) {
    const t = tiers.get(lt.n);
    if (!t) continue;
    t.chunks = lt.chunks.length;
    t.records = lt.chunks.reduce((a, c) => a + c.nRecords, 0);
  }
  const stars = scene.sources.filter((s) => s.kind === 'star').length;
  return {
    galaxies: scene.sources.length - stars,
    stars,
    quadrants: scene.quadrants.map((q) => ({ nx: q.nx, ny: q.ny })),
    tiers: [...tiers.values()].sort((a, b) => a.n - b.n),
  };
}
