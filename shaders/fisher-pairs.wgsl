// Per-pair Gauss–Newton block of χ²/2 from the pair's 8 derivative stamps (fisher-spectra
// + C2R): F_ab = Σ_pixels ivar·∂m_a·∂m_b over the stamp's footprint clipped to its quadrant
// (ivar = 0 on masked pixels), the 36 entries a ≤ b of the 8×8 matrix in row order.
// One workgroup per pair of the chunk: each invocation sums its pixels (stride 64, fixed
// order) in double-single, then a fixed tree per entry: deterministic. Output per engine
// pair: 36 (hi, lo) pairs at out[36·p].

struct FisherUniform {
  pairBase: u32,
  count: u32,
  _p0: u32,
  _p1: u32,
}

@group(0) @binding(0) var<uniform> U: FisherUniform;
@group(0) @binding(1) var<storage, read> quads: array<vec4<u32>>; // nx, ny, first pixel, _
@group(0) @binding(2) var<storage, read> pairs: array<PairStatic>;
@group(0) @binding(3) var<storage, read> obsIvar: array<vec2<f32>>;
@group(0) @binding(4) var<storage, read> stamps: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<vec2<f32>>;

const WG: u32 = 64u;
const ND: u32 = 8u;
const NE: u32 = 36u;
const PASS: u32 = 12u; // entries reduced per pass (3 passes: 6 KiB of workgroup memory)
var<workgroup> red: array<vec2<f32>, 768>; // PASS × WG

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  if (wg.x >= U.count) { return; }
  let p = U.pairBase + wg.x;
  let st = pairs[p];
  let q = quads[st.quadrant];
  let sb = ND * wg.x * N * N;
  var acc = array<vec2<f32>, 36>();
  for (var f = li; f < N * N; f += WG) {
    let px = st.x0 + i32(f % N);
    let py = st.y0 + i32(f / N);
    if (px >= 0 && py >= 0 && u32(px) < q.x && u32(py) < q.y) {
      let w = obsIvar[q.z + u32(py) * q.x + u32(px)].y;
      if (w > 0.0) {
        var d: array<f32, 8>;
        for (var a = 0u; a < ND; a++) { d[a] = stamps[sb + a * N * N + f]; }
        var e = 0u;
        for (var a = 0u; a < ND; a++) {
          let wa = w * d[a];
          for (var b = a; b < ND; b++) {
            acc[e] = dsAddF(acc[e], wa * d[b]);
            e++;
          }
        }
      }
    }
  }
  for (var r = 0u; r < NE / PASS; r++) {
    for (var j = 0u; j < PASS; j++) { red[j * WG + li] = acc[r * PASS + j]; }
    workgroupBarrier();
    for (var h = WG / 2u; h > 0u; h >>= 1u) {
      if (li < h) {
        for (var j = 0u; j < PASS; j++) { red[j * WG + li] = dsAdd(red[j * WG + li], red[j * WG + li + h]); }
      }
      workgroupBarrier();
    }
    if (li == 0u) {
      for (var j = 0u; j < PASS; j++) { out[NE * p + r * PASS + j] = red[j * WG]; }
    }
    workgroupBarrier();
  }
}
