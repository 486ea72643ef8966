// Real rows → half-spectrum rows. A real row of N samples is packed as M = N/2
// complex values z[m] = x[2m] + i·x[2m+1]; after the M-point FFT Z, the row
// spectrum is X[k] = E[k] + w^k·O[k] for k = 0..M, with
// E = (Z[k] + conj Z[M−k])/2, O = (Z[k] − conj Z[M−k])/(2i), w = exp(−2πi/N).
// src: real stamps (f32, elements = floats); dst: half spectra (vec2, N/2+1 per row).

@group(0) @binding(2) var<storage, read> src: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<vec2<f32>>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let lid = laneOf(li);
  let first = firstLine(wg.x, li);
  let sStamp = P.srcBase + wg.y * P.srcStampStride;
  let dStamp = P.dstBase + wg.y * P.dstStampStride;
  for (var f = lid; f < HALF; f += STRIDE) {
    let line = f / M;
    let m = f % M;
    if (first + line < P.lines) {
      let a = sStamp + (first + line) * P.srcLineStride + 2u * m;
      sm[f] = vec2<f32>(src[a], src[a + 1u]);
    }
  }
  stageSync();
  let r = stockham(lid);
  for (var f = lid; f < LPW * (M + 1u); f += STRIDE) {
    let line = f / (M + 1u);
    let k = f % (M + 1u);
    if (first + line < P.lines) {
      let zk = sm[r + line * M + (k % M)];
      let zm = sm[r + line * M + ((M - k) % M)];
      let zc = vec2<f32>(zm.x, -zm.y);
      let e = 0.5 * (zk + zc);
      let d = zk - zc;
      let o = 0.5 * vec2<f32>(d.y, -d.x); // d / (2i)
      let x = e + cmul(twiddle(k), o);
      dst[dStamp + (first + line) * P.dstLineStride + k] = x * P.scale;
    }
  }
}
