// Half-spectrum rows → real rows (inverse of fft-r2c, up to the scale in P).
// From X[k], k = 0..M (M = N/2): E = (X[k] + conj X[M−k])/2,
// O = (X[k] − conj X[M−k])·w^(−k)/2, Z = E + i·O; the inverse M-point FFT of Z
// gives z[m] = x[2m] + i·x[2m+1]. Imaginary parts of X[0] and X[M] are dropped,
// so the output is the real part of the inverse of the Hermitian-extended row.
// src: half spectra (vec2); dst: real stamps (f32).

@group(0) @binding(2) var<storage, read> src: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let lid = laneOf(li);
  let first = firstLine(wg.x, li);
  let sStamp = P.srcBase + wg.y * P.srcStampStride;
  let dStamp = P.dstBase + wg.y * P.dstStampStride;
  for (var f = lid; f < HALF; f += STRIDE) {
    let line = f / M;
    let k = f % M;
    if (first + line < P.lines) {
      let row = sStamp + (first + line) * P.srcLineStride;
      var a = src[row + k];
      var b = src[row + M - k];
      if (k == 0u) { a.y = 0.0; b.y = 0.0; }
      let bc = vec2<f32>(b.x, -b.y);
      let e = 0.5 * (a + bc);
      let o = 0.5 * cmul(a - bc, twiddle(k)); // P.sign = −1: twiddle is w^(−k)
      sm[f] = e + vec2<f32>(-o.y, o.x);
    }
  }
  stageSync();
  let r = stockham(lid);
  for (var f = lid; f < HALF; f += STRIDE) {
    let line = f / M;
    let m = f % M;
    if (first + line < P.lines) {
      let z = sm[r + f] * P.scale;
      let a = dStamp + (first + line) * P.dstLineStride + 2u * m;
      dst[a] = z.x;
      dst[a + 1u] = z.y;
    }
  }
}
