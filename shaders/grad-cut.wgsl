// Weighted residual R cut out over each pair's N×N stamp footprint of one tier
// (0 outside its quadrant), into the pair's real-stamp slot, for the forward R2C FFT.
// Workgroup (x: pixels / 64, y: pair of the tier).

struct TierUniform {
  pairBase: u32,
  count: u32,
  _p0: u32,
  _p1: u32,
}

@group(0) @binding(0) var<uniform> U: TierUniform;
@group(0) @binding(1) var<storage, read> lay: array<u32>;
@group(0) @binding(2) var<storage, read> pairs: array<PairStatic>;
@group(0) @binding(3) var<storage, read> resid: array<f32>;
@group(0) @binding(4) var<storage, read_write> stamps: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let f = gid.x;
  if (f >= N * N || wg.y >= U.count) { return; }
  let st = pairs[U.pairBase + wg.y];
  let q = st.quadrant;
  let px = st.x0 + i32(f % N);
  let py = st.y0 + i32(f / N);
  var r = 0.0;
  if (px >= 0 && py >= 0 && u32(px) < lay[4u * q] && u32(py) < lay[4u * q + 1u]) {
    r = resid[lay[4u * q + 2u] + u32(py) * lay[4u * q] + u32(px)];
  }
  stamps[st.stampOffset + f] = r;
}
