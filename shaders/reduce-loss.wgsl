// Final reductions in one workgroup, each a fixed strided sum then a fixed tree
// (deterministic), in double-single (hi, lo) arithmetic so that sums of ~1e5 tile
// partials (χ² of ~25M pixels) and of ~1e4 pair gradients keep ~1e-7 relative accuracy:
// χ² over the tiles' (hi, lo) partials, −log prior over the sources' terms plus the shear
// prior, and ∂/∂g1, ∂/∂g2 over all pairs (with U.useData = 1).
// out = [loss, χ², −log prior, 0, then the lo parts of the same]; grad[0], grad[1].

struct LossUniform {
  nTiles: u32,
  nSources: u32,
  nPairs: u32,
  useData: u32,
  gSigma: f32,
  priorWeight: f32,  // 1 with priors, 0 without
  _p1: f32,
  _p2: f32,
}

@group(0) @binding(0) var<uniform> U: LossUniform;
@group(0) @binding(1) var<storage, read> chi2Part: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> nlpPart: array<f32>;
@group(0) @binding(3) var<storage, read> pairGrad: array<f32>;
@group(0) @binding(4) var<storage, read> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;

const WG: u32 = 256u;
// (χ², −log prior) and (∂g1, ∂g2), each a (hi, lo) pair.
var<workgroup> redA: array<vec4<f32>, 256>;
var<workgroup> redB: array<vec4<f32>, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) li: u32) {
  var c = vec2<f32>(0.0);
  var n = vec2<f32>(0.0);
  var g1 = vec2<f32>(0.0);
  var g2 = vec2<f32>(0.0);
  for (var t = li; t < U.nTiles; t += WG) { c = dsAdd(c, chi2Part[t]); }
  for (var t = li; t < U.nSources; t += WG) { n = dsAddF(n, nlpPart[t]); }
  if (U.useData == 1u) {
    for (var t = li; t < U.nPairs; t += WG) {
      g1 = dsAddF(g1, pairGrad[8u * t + 6u]);
      g2 = dsAddF(g2, pairGrad[8u * t + 7u]);
    }
  }
  redA[li] = vec4<f32>(c, n);
  redB[li] = vec4<f32>(g1, g2);
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h >>= 1u) {
    if (li < h) {
      let a = redA[li];
      let a2 = redA[li + h];
      let b = redB[li];
      let b2 = redB[li + h];
      redA[li] = vec4<f32>(dsAdd(a.xy, a2.xy), dsAdd(a.zw, a2.zw));
      redB[li] = vec4<f32>(dsAdd(b.xy, b2.xy), dsAdd(b.zw, b2.zw));
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    let a = redA[0];
    let b = redB[0];
    let gp1 = params[0];
    let gp2 = params[1];
    let s2 = U.gSigma * U.gSigma;
    let chi = a.xy;
    let nlp = dsAddF(a.zw, U.priorWeight * (gp1 * gp1 + gp2 * gp2) / (2.0 * s2));
    let loss = dsAdd(0.5 * chi, nlp);
    out[0] = loss.x;
    out[1] = chi.x;
    out[2] = nlp.x;
    out[3] = 0.0;
    out[4] = loss.y;
    out[5] = chi.y;
    out[6] = nlp.y;
    out[7] = 0.0;
    grad[0] = dsAddF(b.xy, U.priorWeight * gp1 / s2).x;
    grad[1] = dsAddF(b.zw, U.priorWeight * gp2 / s2).x;
  }
}
