// Laplace uncertainties: the Schur-complement / block-inverse form against the inverse of
// the full dense Hessian (Fisher incl. cross-source terms + exact prior Hessian), and the
// prior Hessian against finite differences of the prior gradient.
import { describe, expect, it } from 'vitest';
import { denseFisher, fisherBlocks } from '../../reference/fisher';
import { DEFAULT_PRIORS, negLogPrior, paramNames, type Priors } from '../../reference/scene';
import { tinyScene } from '../optim/test-scenes';
import { laplaceUncertainties } from './laplace';
import { priorHessianDiagonal } from './prior-hessian';
import { referenceLaplace } from './reference-laplace';

/** Gauss–Jordan inverse with partial pivoting (independent of the Cholesky code under test). */
function inverse(A: Float64Array, n: number): Float64Array {
  const M = Float64Array.from(A);
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]) > Math.abs(M[p * n + c])) p = r;
    for (let k = 0; k < n; k++) {
      [M[c * n + k], M[p * n + k]] = [M[p * n + k], M[c * n + k]];
      [I[c * n + k], I[p * n + k]] = [I[p * n + k], I[c * n + k]];
    }
    const d = M[c * n + c];
    for (let k = 0; k < n; k++) {
      M[c * n + k] /= d;
      I[c * n + k] /= d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r * n + c];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) {
        M[r * n + k] -= f * M[c * n + k];
        I[r * n + k] -= f * I[c * n + k];
      }
    }
  }
  return I;
}

function denseSigma(scene: Parameters<typeof denseFisher>[0], params: Float64Array, priors: Priors | null) {
  const n = params.length;
  const H = denseFisher(scene, params);
  if (priors) {
    const p = priorHessianDiagonal(scene.sources, params, priors);
    for (let i = 0; i < n; i++) H[i * n + i] += p[i];
  }
  const C = inverse(H, n);
  return { C, sigma: Float64Array.from({ length: n }, (_, i) => Math.sqrt(C[i * n + i])) };
}

describe('Laplace uncertainties', () => {
  it('prior Hessian matches finite differences of the prior gradient (flux far from its median too)', () => {
    const { scene, truth } = tinyScene({ noiseSigma: 0.3 });
    const p = Float64Array.from(truth);
    p[2] = 20; // 3.3× the catalogue flux: LogNormal curvature turns negative there
    const h = priorHessianDiagonal(scene.sources, p, DEFAULT_PRIORS);
    const names = paramNames(scene);
    for (let i = 0; i < p.length; i++) {
      const step = 1e-6 * Math.max(Math.abs(p[i]), 0.01);
      const up = Float64Array.from(p);
      const dn = Float64Array.from(p);
      up[i] += step;
      dn[i] -= step;
      const gu = new Float64Array(p.length);
      const gd = new Float64Array(p.length);
      negLogPrior(scene, up, DEFAULT_PRIORS, gu);
      negLogPrior(scene, dn, DEFAULT_PRIORS, gd);
      const fd = (gu[i] - gd[i]) / (2 * step);
      expect(Math.abs(fd - h[i]), names[i]).toBeLessThan(1e-6 * Math.max(Math.abs(h[i]), 1));
    }
    expect(h[2]).toBeLessThan(0);
  });

  // Only the ellipticity prior kept informative: without it shear and intrinsic shapes are
  // exactly degenerate (a round profile sees only S(g)·S(ε)²·S(g)), see the next test.
  const WEAK: Priors = { gSigma: 10, fluxLogSigma: 10, hlrLogSigma: 10, eSigma: 0.3, offsetSigma: 10 };
  for (const [label, priors] of [['default priors', DEFAULT_PRIORS], ['weak priors but e', WEAK]] as const) {
    it(`disjoint stamps: Schur-complement G errors and marginal source errors = dense inverse (${label})`, () => {
      const { scene, truth } = tinyScene({ noiseSigma: 0.3, arrangement: 'disjoint' });
      const res = referenceLaplace(scene, truth, priors);
      const dense = denseSigma(scene, truth, priors);
      const n = truth.length;
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(res.sigma[i] / dense.sigma[i] - 1));
      const covRel = Math.abs(res.covG[1] - dense.C[1]) / Math.sqrt(dense.C[0] * dense.C[n + 1]);
      console.log(
        `disjoint, ${label}: G1_ERR ${res.g1Err.toExponential(4)} (dense ${dense.sigma[0].toExponential(4)}), ` +
          `G2_ERR ${res.g2Err.toExponential(4)} (dense ${dense.sigma[1].toExponential(4)}), worst relative difference ${worst.toExponential(2)}`,
      );
      expect(worst).toBeLessThan(1e-9);
      expect(covRel).toBeLessThan(1e-9);
      // marginal errors are never smaller than conditional ones
      for (let i = 2; i < n; i++) expect(res.sigma[i]).toBeGreaterThanOrEqual(res.sigmaConditional[i] * (1 - 1e-12));
    });
  }

  it('no ellipticity prior: shear is degenerate with the intrinsic shapes, reported as an error', () => {
    const { scene, truth } = tinyScene({ noiseSigma: 0.3, arrangement: 'disjoint' });
    expect(() => referenceLaplace(scene, truth, null)).toThrow(/shear Schur complement not positive definite.*g is unconstrained/);
  });

  it('blended stamps: the block form (cross-source terms dropped) stays close to the dense inverse', () => {
    const { scene, truth } = tinyScene({ noiseSigma: 0.3, arrangement: 'overlap' });
    const res = referenceLaplace(scene, truth, DEFAULT_PRIORS);
    const dense = denseSigma(scene, truth, DEFAULT_PRIORS);
    const d1 = res.g1Err / dense.sigma[0] - 1;
    const d2 = res.g2Err / dense.sigma[1] - 1;
    console.log(`overlap: G1_ERR block/dense − 1 = ${d1.toExponential(2)}, G2_ERR ${d2.toExponential(2)}`);
    // Not exact (that is the point of the test): the approximation must stay within 10% here.
    expect(Math.abs(d1)).toBeLessThan(0.1);
    expect(Math.abs(d2)).toBeLessThan(0.1);
  });

  it('clear errors for an unconstrained source and for wrong sizes', () => {
    const { scene, truth } = tinyScene({ noiseSigma: 0.3 });
    const blocks = fisherBlocks(scene, truth);
    // a fully masked galaxy without priors has a zero block
    blocks.sources[1].ss.fill(0);
    blocks.sources[1].gs.fill(0);
    expect(() => laplaceUncertainties(blocks, null)).toThrow(/source 1 \(parameters 8…13\): Hessian block not positive definite/);
    expect(() => laplaceUncertainties(blocks, new Float64Array(3))).toThrow(/prior Hessian has 3 values, expected 23/);
  });
});
