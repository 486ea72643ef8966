// Exact Hessian of −log prior (src/reference/scene.ts priors) in the natural parameters.
// Every prior term is a function of one parameter, so the Hessian is diagonal:
//   Gaussian N(0, σ)                : 1/σ²
//   LogNormal(ln m, σ) incl. + ln x : d²/dx² [z²/(2σ²) + ln x] = (1 − σ² − z)/(σ² x²), z = ln(x/m)
// The LogNormal term is negative for x ≳ m·e^{1−σ²}: far above its median the prior is
// not log-concave in x. The Laplace code reports that rather than hiding it.

import type { Priors, SourceInfo } from '../../reference/scene';

export function priorHessianDiagonal(sources: readonly SourceInfo[], params: Float64Array, priors: Priors): Float64Array {
  const h = new Float64Array(params.length);
  const gauss = (s: number) => 1 / (s * s);
  const logNormal = (x: number, m: number, s: number, what: string) => {
    if (!(x > 0) || !(m > 0)) throw new RangeError(`${what}: value ${x} and prior median ${m} must be > 0`);
    const z = Math.log(x / m);
    return (1 - s * s - z) / (s * s * x * x);
  };
  h[0] = h[1] = gauss(priors.gSigma);
  let o = 2;
  sources.forEach((src, i) => {
    h[o] = logNormal(params[o], src.catalogFlux, priors.fluxLogSigma, `source ${i} flux`);
    if (src.kind === 'galaxy') {
      if (src.catalogHlr === undefined) throw new RangeError(`source ${i}: galaxy without catalogHlr (hlr prior median)`);
      h[o + 1] = logNormal(params[o + 1], src.catalogHlr, priors.hlrLogSigma, `source ${i} hlr`);
      h[o + 2] = h[o + 3] = gauss(priors.eSigma);
      h[o + 4] = h[o + 5] = gauss(priors.offsetSigma);
      o += 6;
    } else {
      h[o + 1] = h[o + 2] = gauss(priors.offsetSigma);
      o += 3;
    }
  });
  if (o !== params.length) throw new RangeError(`parameter vector has ${params.length} values, the sources need ${o}`);
  return h;
}
