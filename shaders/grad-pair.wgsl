// Per-pair gradient of χ²/2 from the residual's half spectrum R̂ (natural order, one
// tier, N prepended): ∂(χ²/2)/∂θ = −(1/N²)·Re Σ_k conj(R̂c(k))·∂M(k)/∂θ over the full
// centred grid (src/reference/gradient.ts), folded onto the half spectrum: R is real
// and the model is the IDFT of M's Hermitian part, so interior columns count twice,
// columns kx = 0 and kx = −π once with M itself, and the ky = −π row of interior
// columns once at ky = −π and once at ky = +π (the analytic M at each). R̂c = (−1)^(mx+my)·R̂.
// One workgroup per pair of the chunk (R̂ in the chunk's spectrum buffer); fixed per-invocation order then a fixed tree: deterministic.
// Output per pair (8 floats): ∂/∂flux, hlr, e1, e2, dx, dy, g1, g2 (stars: flux, dx, dy
// in slots 0, 4, 5; zeros elsewhere).

struct TierUniform {
  pairBase: u32,
  count: u32,
  _p0: u32,
  _p1: u32,
}

@group(0) @binding(0) var<uniform> U: TierUniform;
@group(0) @binding(1) var<storage, read> pairs: array<PairStatic>;
@group(0) @binding(2) var<storage, read> state: array<f32>;
@group(0) @binding(3) var<storage, read> pairPsf: array<PairPsf>;
@group(0) @binding(4) var<storage, read> psfSpec: array<vec2<f32>>;
@group(0) @binding(5) var<storage, read> rspec: array<vec2<f32>>;
@group(0) @binding(6) var<storage, read_write> pairGrad: array<f32>;

const H: u32 = N / 2u + 1u;
const WG: u32 = 64u;
const NS: u32 = 8u;
var<workgroup> red: array<f32, 512>; // NS × WG

fn st4(base: u32, off: u32) -> vec4<f32> {
  return vec4<f32>(state[base + off], state[base + off + 1u], state[base + off + 2u], state[base + off + 3u]);
}

@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let pl = wg.x + wg.y * 65535u;
  let valid = pl < U.count;
  let p = U.pairBase + min(pl, U.count - 1u);
  let st = pairs[p];
  let base = p * PS;
  let galaxy = st.kind == 1u;
  let ji = st.jinv;
  let A = st4(base, ST_A);
  let dG1 = st4(base, ST_DG1);
  let dG2 = st4(base, ST_DG2);
  let dE1 = st4(base, ST_DE1);
  let dE2 = st4(base, ST_DE2);
  let r0 = state[base + ST_R0];
  let cx = state[base + ST_DX];
  let cy = state[base + ST_DY];
  let pp = pairPsf[p];
  // sums: flux, dx, dy, r0, g1, g2, e1, e2 (before the common factors)
  var s = array<f32, 8>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
  if (valid) {
    for (var f = li; f < N * H; f += WG) {
      let a = f % H;
      let b = f / H;
      let mx = colFreq(a, N);
      let my0 = rowFreq(b, N);
      let interior = a > 0u && a < N / 2u;
      let twoRows = interior && b == N / 2u;
      let w = select(1.0, 2.0, interior && !twoRows);
      let rc = centringSign(a, b) * rspec[st.specOffset + f];
      let pk = pp.weights.x * psfSpec[pp.slots.x * N * H + f] + pp.weights.y * psfSpec[pp.slots.y * N * H + f]
        + pp.weights.z * psfSpec[pp.slots.z * N * H + f] + pp.weights.w * psfSpec[pp.slots.w * N * H + f];
      let nEval = select(1u, 2u, twoRows);
      for (var e = 0u; e < nEval; e++) {
        let my = select(my0, -my0, e == 1u);
        let kx = (TWO_PI / f32(N)) * f32(mx);
        let ky = (TWO_PI / f32(N)) * f32(my);
        let q = vec2<f32>(ji.x * kx + ji.z * ky, ji.y * kx + ji.w * ky);
        var amp = st.aduPerUJy;
        var v = vec2<f32>(0.0, 0.0);
        var x = 1.0;
        if (galaxy) {
          v = vec2<f32>(A.x * q.x + A.z * q.y, A.y * q.x + A.w * q.y);
          x = 1.0 + r0 * r0 * dot(v, v);
          amp *= 1.0 / (x * sqrt(x));
        }
        let t = (f32(mx) * cx + f32(my) * cy) / f32(N);
        let cs = sincos2pi(t);
        let m1 = amp * cmul(pk, vec2<f32>(cs.x, -cs.y));
        // C = conj(R̂c)·M1
        let cr = rc.x * m1.x + rc.y * m1.y;
        let ci = rc.x * m1.y - rc.y * m1.x;
        s[0] += w * cr;
        s[1] += w * q.x * ci;
        s[2] += w * q.y * ci;
        if (galaxy) {
          let wq = w * cr * -1.5 / x; // Re C · ∂ln Ĩ0/∂Q
          s[3] += wq * dot(v, v);
          s[4] += wq * vDAtq(v, dG1, q);
          s[5] += wq * vDAtq(v, dG2, q);
          s[6] += wq * vDAtq(v, dE1, q);
          s[7] += wq * vDAtq(v, dE2, q);
        }
      }
    }
  }
  for (var k = 0u; k < NS; k++) { red[k * WG + li] = s[k]; }
  workgroupBarrier();
  for (var h = WG / 2u; h > 0u; h >>= 1u) {
    if (li < h) {
      for (var k = 0u; k < NS; k++) { red[k * WG + li] += red[k * WG + li + h]; }
    }
    workgroupBarrier();
  }
  if (li == 0u && valid) {
    let sc = -1.0 / f32(N * N);
    let flux = state[base + ST_FLUX];
    let sf = sc * flux;
    let o = p * NS;
    pairGrad[o] = sc * red[0];
    pairGrad[o + 1u] = sf * 2.0 * r0 * red[3 * WG] / HLR_OVER_R0;
    pairGrad[o + 2u] = sf * 2.0 * r0 * r0 * red[6u * WG];
    pairGrad[o + 3u] = sf * 2.0 * r0 * r0 * red[7u * WG];
    pairGrad[o + 4u] = sf * red[WG];
    pairGrad[o + 5u] = sf * red[2u * WG];
    pairGrad[o + 6u] = sf * 2.0 * r0 * r0 * red[4u * WG];
    pairGrad[o + 7u] = sf * 2.0 * r0 * r0 * red[5u * WG];
  }
}
