// Reverse-mode, Fourier-space gradient of the loss of scene.ts (DESIGN §2), float64.
//
// Model: image = Re(IDFT(M)) per stamp (stamp.ts), clipped into its quadrant.
// With R = (obs − model)·ivar on the quadrant (0 where ivar = 0),
//   ∂(χ²/2)/∂θ = −Σ_n R(n)·∂model(n)/∂θ = −Σ_n R(n)·Re(IDFT(∂M/∂θ))(n)
//             = −(1/N²)·Re Σ_k conj(R̂(k))·∂M(k)/∂θ                     (exact for real R)
// where R(n) is the residual cut out over the stamp's N×N footprint (0 outside the
// quadrant, so clipped pixels contribute nothing) and R̂ its centred DFT with the same
// conventions as M. The sum runs over the full N×N k grid — no half-spectrum, no
// Nyquist weights; taking Re of the IDFT for the model (the Nyquist row/column is not
// Hermitian) and Re in the gradient is the same linear map, so the two are consistent.
//
// Analytic ∂M/∂θ. Write M = flux·M1 with M1 = a·Ĩ0(Aᵀq)·P·e^{−ik·δ}, q = J⁻ᵀk,
// v = Aᵀq, Q = r0²|v|², Ĩ0 = (1 + Q)^(−3/2), ∂ln Ĩ0/∂Q = −(3/2)/(1 + Q):
//   ∂M/∂flux = M1
//   ∂M/∂r0   = M·(−3/2)/(1+Q)·2 r0 |v|²,          ∂/∂hlr = ∂/∂r0 / 1.6783469900166605
//   ∂M/∂θ    = M·(−3/2)/(1+Q)·2 r0² v·(∂Aᵀ/∂θ q)  for θ ∈ {g1, g2, e1, e2}
//              (∂A/∂g via ∂S(g)/∂g; ∂A/∂e via ∂S(ε)/∂ε·∂ε/∂e, shape.ts)
//   ∂M/∂dx   = M·(−i q_u),  ∂M/∂dy = M·(−i q_v)   (δ = δ0 + J⁻¹d, so k·J⁻¹d = q·d)
// With C = conj(R̂)·M1: Re(conj(R̂)·∂M/∂flux) = Re C, Re(conj(R̂)·M·(−i q)) = flux·q·Im C.
// Stars: flux and offsets only, the same formulas with Ĩ0 ≡ 1.
// Prior gradients come from scene.ts (negLogPrior).

import { centredFrequency, dft2Centred } from './fft64';
import {
  DEFAULT_PRIORS,
  chi2,
  forEachClipped,
  negLogPrior,
  renderScene,
  sourceOffsets,
  validateScene,
  type Pair,
  type Priors,
  type Scene,
} from './scene';
import { HLR_OVER_R0, exponentialFt, inv2, scaleRadius, shapeMatrix, vDAtq } from './shape';
import { psfSpectrum, skyFrequency, stampCentre } from './stamp';

export interface LossAndGradient {
  loss: number;
  chi2: number;
  /** −log prior with constants dropped (0 when priors = null). */
  negLogPrior: number;
  grad: Float64Array;
  /** Model images per quadrant, as renderScene. */
  models: Float64Array[];
  /** Weighted residuals R = (obs − model)·ivar per quadrant (0 where ivar = 0). */
  residuals: Float64Array[];
}


/** Weighted residual over a pair's N×N footprint (0 outside the quadrant). */
function residualStamp(pair: Pair, quadrant: Scene['quadrants'][number], r: Float64Array): Float64Array {
  const out = new Float64Array(pair.n * pair.n);
  forEachClipped(pair, quadrant, (s, t) => {
    out[s] = r[t];
  });
  return out;
}

/** Adds one pair's −(1/N²) Re Σ conj(R̂)·∂M/∂θ into grad. */
function accumulatePair(scene: Scene, pair: Pair, params: Float64Array, offset: number, rStamp: Float64Array, grad: Float64Array): void {
  const n = pair.n;
  const rh = dft2Centred(rStamp, null, n);
  const pk = psfSpectrum(pair.psf, pair.psfSize, n);
  const ji = inv2(pair.jac);
  const isGalaxy = scene.sources[pair.source].kind === 'galaxy';
  const flux = params[offset];
  const [dxi, dyi] = isGalaxy ? [offset + 4, offset + 5] : [offset + 1, offset + 2];
  const [cx, cy] = stampCentre(pair, params[dxi], params[dyi]);
  const g1 = params[0];
  const g2 = params[1];
  const shape = isGalaxy ? shapeMatrix(g1, g2, params[offset + 2], params[offset + 3]) : null;
  const r0 = isGalaxy ? scaleRadius(params[offset + 1]) : 0;

  let gFlux = 0;
  let gR0 = 0;
  let gG1 = 0;
  let gG2 = 0;
  let gE1 = 0;
  let gE2 = 0;
  let gDx = 0;
  let gDy = 0;
  for (let j = 0; j < n; j++) {
    const ky = centredFrequency(j, n);
    for (let i = 0; i < n; i++) {
      const kx = centredFrequency(i, n);
      const t = j * n + i;
      const [qu, qv] = skyFrequency(ji, kx, ky);
      let amp = pair.aduPerUJy;
      let vu = 0;
      let vv = 0;
      let Q = 0;
      if (shape) {
        const A = shape.A;
        vu = A[0] * qu + A[2] * qv;
        vv = A[1] * qu + A[3] * qv;
        Q = r0 * r0 * (vu * vu + vv * vv);
        amp *= exponentialFt(vu * vu + vv * vv, r0);
      }
      // M1 = amp·P·e^{−ik·δ}
      const ph = -(kx * cx + ky * cy);
      const er = Math.cos(ph);
      const ei = Math.sin(ph);
      const m1r = amp * (pk.re[t] * er - pk.im[t] * ei);
      const m1i = amp * (pk.re[t] * ei + pk.im[t] * er);
      // C = conj(R̂)·M1
      const cr = rh.re[t] * m1r + rh.im[t] * m1i;
      const ci = rh.re[t] * m1i - rh.im[t] * m1r;
      gFlux += cr;
      gDx += qu * ci;
      gDy += qv * ci;
      if (shape) {
        const w = (cr * -1.5) / (1 + Q); // Re C · ∂ln Ĩ0/∂Q
        gR0 += w * 2 * r0 * (vu * vu + vv * vv);
        const w2 = w * 2 * r0 * r0;
        gG1 += w2 * vDAtq(vu, vv, shape.dA_dg1, qu, qv);
        gG2 += w2 * vDAtq(vu, vv, shape.dA_dg2, qu, qv);
        gE1 += w2 * vDAtq(vu, vv, shape.dA_de1, qu, qv);
        gE2 += w2 * vDAtq(vu, vv, shape.dA_de2, qu, qv);
      }
    }
  }
  const s = -1 / (n * n);
  grad[offset] += s * gFlux;
  grad[dxi] += s * flux * gDx;
  grad[dyi] += s * flux * gDy;
  if (shape) {
    grad[offset + 1] += (s * flux * gR0) / HLR_OVER_R0;
    grad[offset + 2] += s * flux * gE1;
    grad[offset + 3] += s * flux * gE2;
    grad[0] += s * flux * gG1;
    grad[1] += s * flux * gG2;
  }
}

/** loss = χ²/2 − log prior and its gradient with respect to the parameter vector (layout: scene.ts). */
export function lossAndGradient(scene: Scene, params: Float64Array, priors: Priors | null = DEFAULT_PRIORS): LossAndGradient {
  validateScene(scene, params);
  const models = renderScene(scene, params);
  const c2 = chi2(scene, models);
  const residuals = scene.quadrants.map((q, k) => {
    const r = new Float64Array(q.nx * q.ny);
    for (let t = 0; t < r.length; t++) r[t] = q.ivar[t] === 0 ? 0 : (q.obs[t] - models[k][t]) * q.ivar[t];
    return r;
  });
  const grad = new Float64Array(params.length);
  const offsets = sourceOffsets(scene);
  for (const pair of scene.pairs) {
    const q = scene.quadrants[pair.quadrant];
    accumulatePair(scene, pair, params, offsets[pair.source], residualStamp(pair, q, residuals[pair.quadrant]), grad);
  }
  const nlp = priors ? negLogPrior(scene, params, priors, grad) : 0;
  return { loss: c2 / 2 + nlp, chi2: c2, negLogPrior: nlp, grad, models, residuals };
}
