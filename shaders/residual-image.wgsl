// After the model images are accumulated: one workgroup per 16×16 image tile computes
// the weighted residual R = (obs − model)·ivar (0 where ivar = 0, whatever obs holds)
// and the tile's χ² = Σ R·(obs − model) as a double-single (hi, lo) by a fixed tree
// (deterministic; ~1e-7 relative accuracy kept for the 25M-pixel total in reduce-loss).
// Tiles no stamp touches hold model 0 (the buffer starts zeroed and is never written there).

struct LayoutUniform {
  tileBase: u32,
  recordBase: u32,
  listBase: u32,
  nTiles: u32,
}

@group(0) @binding(0) var<uniform> G: LayoutUniform;
@group(0) @binding(1) var<storage, read> lay: array<u32>;
@group(0) @binding(2) var<storage, read> obsIvar: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read> model: array<f32>;
@group(0) @binding(4) var<storage, read_write> resid: array<f32>;
@group(0) @binding(5) var<storage, read_write> chi2Part: array<vec2<f32>>;

var<workgroup> red: array<vec2<f32>, 256>;

@compute @workgroup_size(16, 16)
fn main(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
  @builtin(workgroup_id) wg: vec3<u32>,
) {
  let t = wg.x + wg.y * 65535u;
  var c = 0.0;
  if (t < G.nTiles) {
    let tb = G.tileBase + 4u * t;
    let q = lay[tb];
    let nx = lay[4u * q];
    let ny = lay[4u * q + 1u];
    let px = lay[tb + 1u] + lid.x;
    let py = lay[tb + 2u] + lid.y;
    if (px < nx && py < ny) {
      let pix = lay[4u * q + 2u] + py * nx + px;
      let oi = obsIvar[pix];
      let d = oi.x - model[pix];
      let r = select(0.0, d * oi.y, oi.y > 0.0);
      resid[pix] = r;
      c = select(0.0, r * d, oi.y > 0.0);
    }
  }
  red[li] = vec2<f32>(c, 0.0);
  workgroupBarrier();
  for (var s = 128u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] = dsAdd(red[li], red[li + s]); }
    workgroupBarrier();
  }
  if (li == 0u && t < G.nTiles) { chi2Part[t] = red[0]; }
}
