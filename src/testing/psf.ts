// Unit-sum elliptical Gaussian PSF stamps for tests and tiny scenes. An off-centre one (ox, oy ≠ 0)
// makes P(k) complex, which exercises the phase handling of the model and gradient.

export function gaussianPsfStamp(size: number, sx: number, sy: number, rho = 0, ox = 0, oy = 0): Float64Array {
  const out = new Float64Array(size * size);
  const c = (size - 1) / 2;
  let s = 0;
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const x = (i - c - ox) / sx;
      const y = (j - c - oy) / sy;
      const v = Math.exp(-(x * x - 2 * rho * x * y + y * y) / (2 * (1 - rho * rho)));
      out[j * size + i] = v;
      s += v;
    }
  }
  for (let t = 0; t < out.length; t++) out[t] /= s;
  return out;
}
