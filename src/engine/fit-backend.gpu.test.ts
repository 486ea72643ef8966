// gpuBackend's Fisher choice: by default the GPU Fisher of the backend's own engine (its Laplace
// shear errors equal the float64 reference's within 1e-4 relative); `referenceFisher` on request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu, type GpuContext } from './device';
import { gpuBackend, referenceFisher, type FitBackend } from './fit-backend';
import { laplaceUncertainties } from './uncertainty/laplace';
import { priorHessianDiagonal } from './uncertainty/prior-hessian';
import { fisherBlocks } from '../reference/fisher';
import { DEFAULT_PRIORS, renderScene, type Pair, type Scene } from '../reference/scene';

function gaussPsf(size: number, s: number): Float64Array {
  const c = (size - 1) / 2;
  const out = Float64Array.from({ length: size * size }, (_, t) => Math.exp(-(((t % size) - c) ** 2 + (Math.floor(t / size) - c) ** 2) / (2 * s * s)));
  const sum = out.reduce((a, b) => a + b, 0);
  return out.map((v) => v / sum);
}

// One 64² quadrant, two galaxies (one clipped at the edge) and a star; noise σ = 0.05.
function tinyScene(): { scene: Scene; params: Float64Array } {
  const psf = gaussPsf(15, 1.2);
  const jac = [-0.1, 0.003, 0.002, 0.1] as const;
  const pair = (source: number, x0: number, y0: number, d: [number, number]): Pair => ({ source, quadrant: 0, n: 32, x0, y0, delta0: d, psfSize: 15, jac: [...jac], psf, aduPerUJy: 20 });
  const ivar = new Float64Array(64 * 64).fill(1 / 0.05 ** 2);
  const scene: Scene = {
    quadrants: [{ nx: 64, ny: 64, name: 'q0', obs: new Float64Array(64 * 64), ivar }],
    sources: [
      { kind: 'galaxy', catalogFlux: 5, catalogHlr: 0.3 },
      { kind: 'galaxy', catalogFlux: 4, catalogHlr: 0.4 },
      { kind: 'star', catalogFlux: 3 },
    ],
    pairs: [pair(0, 4, 6, [0.2, -0.3]), pair(1, 40, 20, [-0.1, 0.25]), pair(2, 20, 36, [0.1, 0.1])],
  };
  const params = Float64Array.from([0.03, -0.02, 5.1, 0.31, 0.2, -0.1, 0.01, 0, 3.9, 0.42, -0.25, 0.3, 0, 0.02, 3.1, 0.01, -0.01].map(Math.fround));
  const m = renderScene(scene, params)[0];
  let a = 12345;
  const u = () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296);
  for (let t = 0; t < m.length; t++) scene.quadrants[0].obs[t] = m[t] + 0.05 * Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return { scene, params };
}

let ctx: GpuContext;
let backend: FitBackend;
const { scene, params } = tinyScene();
beforeAll(async () => {
  ctx = await acquireGpu();
  backend = await gpuBackend(ctx, scene, DEFAULT_PRIORS);
}, 120_000);
afterAll(() => backend?.destroy());

describe('gpuBackend Fisher', () => {
  it('defaults to the GPU Fisher: Laplace G_ERR within 1e-4 relative of the float64 reference', async () => {
    expect(backend.fisher).not.toBe(referenceFisher);
    const prior = priorHessianDiagonal(scene.sources, params, DEFAULT_PRIORS);
    const a = laplaceUncertainties(await backend.fisher(scene, params), prior);
    const b = laplaceUncertainties(fisherBlocks(scene, params), prior);
    const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);
    console.log(`backend G1_ERR ${a.g1Err} vs reference ${b.g1Err}; G2_ERR ${a.g2Err} vs ${b.g2Err}`);
    expect(rel(a.g1Err, b.g1Err)).toBeLessThan(1e-4);
    expect(rel(a.g2Err, b.g2Err)).toBeLessThan(1e-4);
  });

  it('uses the Fisher it is given', async () => {
    const other = await gpuBackend(ctx, scene, DEFAULT_PRIORS, referenceFisher);
    try {
      expect(other.fisher).toBe(referenceFisher);
    } finally {
      other.destroy();
    }
  });
});
