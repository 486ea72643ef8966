// Per-source gradient and −log prior. One invocation per source: sums its pairs'
// gradients in scene order (fixed order: deterministic), adds the prior gradient,
// writes the source's slots of the gradient vector and its −log prior term.
// Priors (src/reference/scene.ts, constants dropped): LogNormal flux and hlr
// (z²/(2σ²) + ln x, z = ln x − ln median), Gaussian e1, e2, dx, dy.
// With U.useData = 0 only the prior terms are written (loss without gradient work);
// with U.usePriors = 0 only the data terms.

struct SourceStatic {
  paramOffset: u32,
  kind: u32,        // 1 galaxy, 0 star
  pairStart: u32,   // entries of the source's pair list in lay[U.listBase ..]
  pairEnd: u32,
  lnFlux: f32,      // ln of the prior medians
  lnHlr: f32,
  _p0: f32,
  _p1: f32,
}

struct SourceUniform {
  listBase: u32,
  useData: u32,
  nSources: u32,
  usePriors: u32,
  // σ of the priors
  fluxLog: f32,
  hlrLog: f32,
  e: f32,
  offset: f32,
}

@group(0) @binding(0) var<uniform> U: SourceUniform;
@group(0) @binding(1) var<storage, read> lay: array<u32>;
@group(0) @binding(2) var<storage, read> sources: array<SourceStatic>;
@group(0) @binding(3) var<storage, read> params: array<f32>;
@group(0) @binding(4) var<storage, read> pairGrad: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad: array<f32>;
@group(0) @binding(6) var<storage, read_write> nlpPart: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= U.nSources) { return; }
  let src = sources[i];
  let o = src.paramOffset;
  var g = array<f32, 8>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
  if (U.useData == 1u) {
    for (var l = src.pairStart; l < src.pairEnd; l++) {
      let pg = lay[U.listBase + l] * 8u;
      for (var k = 0u; k < 6u; k++) { g[k] += pairGrad[pg + k]; }
    }
  }
  var nlp = 0.0;
  var pg = array<f32, 6>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0); // prior gradient, galaxy slot order
  if (U.usePriors == 1u) {
    let flux = params[o];
    let zf = log(flux) - src.lnFlux;
    let sf2 = U.fluxLog * U.fluxLog;
    nlp = zf * zf / (2.0 * sf2) + log(flux);
    pg[0] = (zf / sf2 + 1.0) / flux;
    let so2 = U.offset * U.offset;
    var dx: f32;
    var dy: f32;
    if (src.kind == 1u) {
      let hlr = params[o + 1u];
      let zh = log(hlr) - src.lnHlr;
      let sh2 = U.hlrLog * U.hlrLog;
      nlp += zh * zh / (2.0 * sh2) + log(hlr);
      pg[1] = (zh / sh2 + 1.0) / hlr;
      let se2 = U.e * U.e;
      let e1 = params[o + 2u];
      let e2 = params[o + 3u];
      nlp += (e1 * e1 + e2 * e2) / (2.0 * se2);
      pg[2] = e1 / se2;
      pg[3] = e2 / se2;
      dx = params[o + 4u];
      dy = params[o + 5u];
    } else {
      dx = params[o + 1u];
      dy = params[o + 2u];
    }
    nlp += (dx * dx + dy * dy) / (2.0 * so2);
    pg[4] = dx / so2;
    pg[5] = dy / so2;
  }
  grad[o] = g[0] + pg[0];
  if (src.kind == 1u) {
    for (var k = 1u; k < 6u; k++) { grad[o + k] = g[k] + pg[k]; }
  } else {
    grad[o + 1u] = g[4] + pg[4];
    grad[o + 2u] = g[5] + pg[5];
  }
  nlpPart[i] = nlp;
}
