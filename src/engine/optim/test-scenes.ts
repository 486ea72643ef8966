// Tiny reference scenes for the optimiser and uncertainty tests (not a test file itself).
// Built directly on src/reference so the tests do not depend on the simulator.

import { renderScene, type Pair, type Scene, type SourceInfo } from '../../reference/scene';
import type { Mat2 } from '../../reference/shape';

import { mulberry32 as rng, gaussian } from '../../testing/prng';
import { gaussianPsfStamp } from '../../testing/psf';

export { rng, gaussian };

/** Unit-sum, slightly elliptical Gaussian PSF stamp (odd size). */
export function gaussianPsf(size: number, sx: number, sy: number, rho = 0): Float64Array {
  return gaussianPsfStamp(size, sx, sy, rho);
}

export interface TinyScene {
  scene: Scene;
  truth: Float64Array;
}

export interface TinySceneOptions {
  /** Pixel noise σ (ADU); 0 = noiseless (ivar then 1/0.3²). */
  noiseSigma: number;
  seed?: number;
  /** 'disjoint': stamp footprints do not overlap; 'overlap': sources 0 and 1 blend. */
  arrangement?: 'disjoint' | 'overlap';
  g?: [number, number];
}

const N = 32;
const PSF_SIZE = 11;
const J_FLIPPED: Mat2 = [-0.1, 0.002, 0.001, 0.1]; // VIS-like 0.1"/px, det < 0
const ADU_PER_UJY = 20;

/**
 * One 64×64 quadrant, three galaxies and a star, N = 32 stamps. With 'disjoint' each source
 * owns one 32×32 quarter of the quadrant, so cross-source Fisher terms vanish exactly.
 * 15 + 3 + 2 = 23 parameters.
 */
export function tinyScene(opts: TinySceneOptions): TinyScene {
  const arrangement = opts.arrangement ?? 'disjoint';
  const [g1, g2] = opts.g ?? [0.03, -0.02];
  const sources: SourceInfo[] = [
    { kind: 'galaxy', catalogFlux: 6, catalogHlr: 0.3 },
    { kind: 'galaxy', catalogFlux: 4, catalogHlr: 0.25 },
    { kind: 'galaxy', catalogFlux: 8, catalogHlr: 0.4 },
    { kind: 'star', catalogFlux: 5 },
  ];
  const truth = Float64Array.from([
    g1, g2,
    6.3, 0.32, 0.25, -0.15, 0.01, -0.012,
    3.8, 0.24, -0.2, 0.35, -0.008, 0.015,
    8.5, 0.42, 0.1, 0.2, 0.004, 0.006,
    5.2, 0.007, -0.005,
  ]);
  const psf = gaussianPsf(PSF_SIZE, 1.2, 1.05, 0.1);
  const corners: [number, number][] =
    arrangement === 'disjoint' ? [[0, 0], [32, 0], [0, 32], [32, 32]] : [[4, 6], [12, 10], [0, 32], [32, 32]];
  const delta0: [number, number][] = [[0.23, -0.31], [-0.4, 0.12], [0.05, 0.44], [-0.17, -0.26]];
  const pairs: Pair[] = corners.map(([x0, y0], s) => ({
    source: s, quadrant: 0, x0, y0, n: N, delta0: delta0[s], jac: J_FLIPPED, psf, psfSize: PSF_SIZE, aduPerUJy: ADU_PER_UJY,
  }));
  const nx = 64;
  const ny = 64;
  const sigma = opts.noiseSigma > 0 ? opts.noiseSigma : 0.3;
  const quadrant = { nx, ny, name: 'tiny', obs: new Float64Array(nx * ny), ivar: new Float64Array(nx * ny).fill(1 / (sigma * sigma)) };
  const scene: Scene = { quadrants: [quadrant], sources, pairs };
  const model = renderScene(scene, truth)[0];
  const r = rng(opts.seed ?? 1);
  for (let t = 0; t < model.length; t++) quadrant.obs[t] = model[t] + (opts.noiseSigma > 0 ? opts.noiseSigma * gaussian(r) : 0);
  return { scene, truth };
}

/** Deterministic perturbation of the truth by `frac` of each parameter's typical size. */
export function perturb(scene: Scene, truth: Float64Array, frac: number, seed = 5): Float64Array {
  const p = Float64Array.from(truth);
  const r = rng(seed);
  const step = (i: number, s: number) => (p[i] += frac * s * (2 * r() - 1));
  step(0, 0.05);
  step(1, 0.05);
  let o = 2;
  for (const src of scene.sources) {
    p[o] *= 1 + frac * (2 * r() - 1);
    if (src.kind === 'galaxy') {
      p[o + 1] *= 1 + frac * (2 * r() - 1);
      step(o + 2, 0.3);
      step(o + 3, 0.3);
      step(o + 4, 0.05);
      step(o + 5, 0.05);
      o += 6;
    } else {
      step(o + 1, 0.05);
      step(o + 2, 0.05);
      o += 3;
    }
  }
  return p;
}
