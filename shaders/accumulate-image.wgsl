// Model images by gathering: one workgroup per 16×16 image tile sums, for each of its
// pixels, the stamps listed for the tile in scene order (fixed order, no atomics:
// bit-identical results run to run). Then the weighted residual R = (obs − model)·ivar
// (0 where ivar = 0, whatever obs holds), and the tile's χ² = Σ R·(obs − model) by a
// fixed tree.
//
// layout (u32): quadrants at 0 (4 words: nx, ny, first pixel, _),
//   tiles at U.tileBase (4 words: quadrant, x origin, y origin, first list entry;
//   one sentinel tile after the last holds the list end), list at U.listBase
//   (pair indices).

struct AccUniform {
  tileBase: u32,
  listBase: u32,
  nTiles: u32,
  _p0: u32,
}

@group(0) @binding(0) var<uniform> U: AccUniform;
@group(0) @binding(1) var<storage, read> lay: array<u32>;
@group(0) @binding(2) var<storage, read> pairs: array<PairStatic>;
@group(0) @binding(3) var<storage, read> stamps: array<f32>;
@group(0) @binding(4) var<storage, read> obsIvar: array<vec2<f32>>;
@group(0) @binding(5) var<storage, read_write> model: array<f32>;
@group(0) @binding(6) var<storage, read_write> resid: array<f32>;
@group(0) @binding(7) var<storage, read_write> chi2Part: array<f32>;

const TILE: u32 = 16u;
var<workgroup> red: array<f32, 256>;

@compute @workgroup_size(16, 16)
fn main(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
  @builtin(workgroup_id) wg: vec3<u32>,
) {
  let t = wg.x + wg.y * 65535u;
  var c = 0.0;
  if (t < U.nTiles) {
    let tb = U.tileBase + 4u * t;
    let q = lay[tb];
    let nx = lay[4u * q];
    let ny = lay[4u * q + 1u];
    let px = lay[tb + 1u] + lid.x;
    let py = lay[tb + 2u] + lid.y;
    if (px < nx && py < ny) {
      var m = 0.0;
      let end = lay[tb + 7u];
      for (var l = lay[tb + 3u]; l < end; l++) {
        let st = pairs[lay[U.listBase + l]];
        let i = i32(px) - st.x0;
        let j = i32(py) - st.y0;
        let n = i32(st.n);
        if (i >= 0 && i < n && j >= 0 && j < n) {
          m += stamps[st.stampOffset + u32(j * n + i)];
        }
      }
      let pix = lay[4u * q + 2u] + py * nx + px;
      let oi = obsIvar[pix];
      let d = oi.x - m;
      let r = select(0.0, d * oi.y, oi.y > 0.0);
      model[pix] = m;
      resid[pix] = r;
      c = select(0.0, r * d, oi.y > 0.0);
    }
  }
  red[li] = c;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] += red[li + s]; }
    workgroupBarrier();
  }
  if (li == 0u && t < U.nTiles) { chi2Part[t] = red[0]; }
}
