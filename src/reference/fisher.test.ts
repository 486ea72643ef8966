// Fisher (Gauss–Newton) matrix of χ²/2 against finite differences:
// - derivative stamps against central differences of the rendered stamp;
// - the dense Fisher against the finite-difference Hessian of χ²/2 at a noiseless truth,
//   where the residual term vanishes and Gauss–Newton is the exact Hessian;
// - the per-source blocks against the dense matrix, and cross-source terms = 0 for disjoint stamps.
import { describe, expect, it } from 'vitest';
import { tinyScene } from '../engine/optim/test-scenes';
import { denseFisher, fisherBlocks, pairDerivativeStamps } from './fisher';
import { lossAndGradient } from './gradient';
import { paramNames, renderPairStamp, sourceOffsets } from './scene';

/** Typical size of each natural parameter (finite-difference steps, comparison scale). */
function scalesFor(truth: Float64Array, kinds: string[]): Float64Array {
  const s = new Float64Array(truth.length).fill(0.05);
  let o = 2;
  for (const k of kinds) {
    s[o] = truth[o];
    if (k === 'galaxy') {
      s[o + 1] = truth[o + 1];
      s[o + 2] = s[o + 3] = 0.3;
      o += 6;
    } else o += 3;
  }
  return s;
}

describe('reference Fisher matrix', () => {
  const { scene, truth } = tinyScene({ noiseSigma: 0, arrangement: 'overlap' });
  const kinds = scene.sources.map((s) => s.kind);
  const scales = scalesFor(truth, kinds);
  const n = truth.length;

  it('derivative stamps match central differences of the stamp (every parameter, galaxy and star)', () => {
    const offsets = sourceOffsets(scene);
    let worst = 0;
    for (const pair of [scene.pairs[0], scene.pairs[3]]) {
      const d = pairDerivativeStamps(scene, pair, truth, offsets);
      d.indices.forEach((idx, a) => {
        const h = 1e-5 * scales[idx];
        const up = Float64Array.from(truth);
        const dn = Float64Array.from(truth);
        up[idx] += h;
        dn[idx] -= h;
        const su = renderPairStamp(scene, pair, up, offsets);
        const sd = renderPairStamp(scene, pair, dn, offsets);
        let peak = 0;
        let err = 0;
        for (let t = 0; t < su.length; t++) {
          const fd = (su[t] - sd[t]) / (2 * h);
          peak = Math.max(peak, Math.abs(fd));
          err = Math.max(err, Math.abs(fd - d.stamps[a][t]));
        }
        worst = Math.max(worst, err / peak);
      });
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('dense Fisher = finite-difference Hessian of χ²/2 at the noiseless truth (1e-5 of the scaled matrix)', () => {
    const F = denseFisher(scene, truth);
    let maxScaled = 0;
    let worst = 0;
    let worstAt = '';
    const names = paramNames(scene);
    const H = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      const h = 1e-5 * scales[j];
      const up = Float64Array.from(truth);
      const dn = Float64Array.from(truth);
      up[j] += h;
      dn[j] -= h;
      const gu = lossAndGradient(scene, up, null).grad;
      const gd = lossAndGradient(scene, dn, null).grad;
      for (let i = 0; i < n; i++) H[i * n + j] = (gu[i] - gd[i]) / (2 * h);
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) maxScaled = Math.max(maxScaled, Math.abs(F[i * n + j] * scales[i] * scales[j]));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const e = Math.abs(F[i * n + j] - H[i * n + j]) * scales[i] * scales[j];
        if (e > worst) {
          worst = e;
          worstAt = `${names[i]}×${names[j]}: F ${F[i * n + j]}, FD ${H[i * n + j]}`;
        }
      }
    }
    expect(worst / maxScaled, worstAt).toBeLessThan(1e-5);
    // symmetric and with a positive diagonal
    for (let i = 0; i < n; i++) {
      expect(F[i * n + i]).toBeGreaterThan(0);
      for (let j = 0; j < i; j++) expect(F[i * n + j]).toBe(F[j * n + i]);
    }
  });

  it('per-source blocks equal the dense entries; cross-source terms vanish for disjoint stamps', () => {
    const { scene: dj, truth: t } = tinyScene({ noiseSigma: 0, arrangement: 'disjoint' });
    const F = denseFisher(dj, t);
    const B = fisherBlocks(dj, t);
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
    let worst = 0;
    for (const b of B.sources) {
      for (let i = 0; i < b.k; i++) {
        for (let j = 0; j < b.k; j++) worst = Math.max(worst, Math.abs(b.ss[i * b.k + j] - F[(b.offset + i) * n + b.offset + j]) / F[(b.offset + i) * n + b.offset + i]);
        for (let r = 0; r < 2; r++) if (b.gs[r * b.k + i] !== 0) worst = Math.max(worst, rel(b.gs[r * b.k + i], F[r * n + b.offset + i]));
      }
    }
    for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) worst = Math.max(worst, rel(B.gg[r * 2 + c], F[r * n + c]));
    expect(worst).toBeLessThan(1e-12);
    // cross-source entries of the dense matrix are exactly 0
    for (const a of B.sources) {
      for (const b of B.sources) {
        if (a === b) continue;
        for (let i = 0; i < a.k; i++) for (let j = 0; j < b.k; j++) expect(F[(a.offset + i) * n + b.offset + j]).toBe(0);
      }
    }
    // a star does not couple to the shear
    const star = B.sources[3];
    expect(Array.from(star.gs).every((v) => v === 0)).toBe(true);
  });

  it('rejects two pairs of one source in one quadrant', () => {
    const s = { ...scene, pairs: [...scene.pairs, scene.pairs[0]] };
    expect(() => fisherBlocks(s, truth)).toThrow(/source 0 has a second pair in quadrant 0/);
  });
});
