// Final reductions in one workgroup, each a fixed strided sum then a fixed tree
// (deterministic): χ² over the tiles' partials, −log prior over the sources' terms
// plus the shear prior, and ∂/∂g1, ∂/∂g2 over all pairs (with U.useData = 1).
// out = [loss, χ², −log prior, 0]; grad[0], grad[1].

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
@group(0) @binding(1) var<storage, read> chi2Part: array<f32>;
@group(0) @binding(2) var<storage, read> nlpPart: array<f32>;
@group(0) @binding(3) var<storage, read> pairGrad: array<f32>;
@group(0) @binding(4) var<storage, read> params: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;

const WG: u32 = 256u;
var<workgroup> red: array<vec4<f32>, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) li: u32) {
  var acc = vec4<f32>(0.0);
  for (var t = li; t < U.nTiles; t += WG) { acc.x += chi2Part[t]; }
  for (var t = li; t < U.nSources; t += WG) { acc.y += nlpPart[t]; }
  if (U.useData == 1u) {
    for (var t = li; t < U.nPairs; t += WG) {
      acc.z += pairGrad[8u * t + 6u];
      acc.w += pairGrad[8u * t + 7u];
    }
  }
  red[li] = acc;
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h >>= 1u) {
    if (li < h) { red[li] += red[li + h]; }
    workgroupBarrier();
  }
  if (li == 0u) {
    let r = red[0];
    let g1 = params[0];
    let g2 = params[1];
    let s2 = U.gSigma * U.gSigma;
    let nlp = r.y + U.priorWeight * (g1 * g1 + g2 * g2) / (2.0 * s2);
    out[0] = 0.5 * r.x + nlp;
    out[1] = r.x;
    out[2] = nlp;
    out[3] = 0.0;
    grad[0] = r.z + U.priorWeight * g1 / s2;
    grad[1] = r.w + U.priorWeight * g2 / s2;
  }
}
