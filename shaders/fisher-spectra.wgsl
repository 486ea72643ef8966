// Derivative half spectra ∂M/∂θ of one chunk of a tier (N prepended by the driver, after
// model-common.wgsl), natural FFT order, ready for the C2R inverse: 8 spectra per pair,
//   galaxy [flux, hlr, e1, e2, dx, dy, g1, g2],  star [flux, dx, dy, 0, 0, 0, 0, 0],
// the same analytic derivatives as grad-pair.wgsl and src/reference/fisher.ts:
//   ∂M/∂flux = M1 = F_adu/flux·Ĩ0·P·e^{−ik·δ},  ∂M/∂(dx, dy) = M·(−i q),
//   ∂M/∂hlr = M·w·2r0|v|²/1.678…,  ∂M/∂(e, g) = M·w·2r0²·v·(∂Aᵀ q),  w = −1.5/(1 + r0²|v|²).
// Nyquist: the reference's derivative stamp is Re IDFT(∂M) on the full centred grid, the
// IDFT of ∂M's Hermitian part; as in model-spectrum.wgsl, the ky = −π row of interior
// columns takes ½(∂M(kx, −π) + ∂M(kx, +π)) and the columns kx = 0, −π take ∂M as is (the
// C2R drops the imaginary part of their column transforms).
// Workgroup (x: bins / 64, y: pair of the chunk). Spectrum d of chunk pair l is at
// spec[(8l + d)·N·H].

struct FisherUniform {
  pairBase: u32,
  count: u32,
  _p0: u32,
  _p1: u32,
}

@group(0) @binding(0) var<uniform> U: FisherUniform;
@group(0) @binding(1) var<storage, read> pairs: array<PairStatic>;
@group(0) @binding(2) var<storage, read> state: array<f32>;
@group(0) @binding(3) var<storage, read> pairPsf: array<PairPsf>;
@group(0) @binding(4) var<storage, read> psfSpec: array<vec2<f32>>;
@group(0) @binding(5) var<storage, read_write> spec: array<vec2<f32>>;

const H: u32 = N / 2u + 1u;
const ND: u32 = 8u;

fn st4(base: u32, off: u32) -> vec4<f32> {
  return vec4<f32>(state[base + off], state[base + off + 1u], state[base + off + 2u], state[base + off + 3u]);
}

// The 8 derivative spectra at centred frequency (mx, my) with PSF spectrum pk there.
fn derivatives(base: u32, galaxy: bool, ji: vec4<f32>, adu: f32, pk: vec2<f32>, mx: i32, my: i32) -> array<vec2<f32>, 8> {
  var out = array<vec2<f32>, 8>();
  let kx = (TWO_PI / f32(N)) * f32(mx);
  let ky = (TWO_PI / f32(N)) * f32(my);
  let q = vec2<f32>(ji.x * kx + ji.z * ky, ji.y * kx + ji.w * ky);
  var amp = adu;
  var v = vec2<f32>(0.0, 0.0);
  var x = 1.0;
  let r0 = state[base + ST_R0];
  if (galaxy) {
    let A = st4(base, ST_A);
    v = vec2<f32>(A.x * q.x + A.z * q.y, A.y * q.x + A.w * q.y);
    x = 1.0 + r0 * r0 * dot(v, v);
    amp *= 1.0 / (x * sqrt(x));
  }
  let t = (f32(mx) * state[base + ST_DX] + f32(my) * state[base + ST_DY]) / f32(N);
  let cs = sincos2pi(t);
  let m1 = amp * cmul(pk, vec2<f32>(cs.x, -cs.y));
  let m = state[base + ST_FLUX] * m1;
  let mi = vec2<f32>(m.y, -m.x); // −i·M
  out[0] = m1;
  if (galaxy) {
    let w = -1.5 / x;
    let w2 = w * 2.0 * r0 * r0;
    out[1] = (w * 2.0 * r0 * dot(v, v) / HLR_OVER_R0) * m;
    out[2] = (w2 * vDAtq(v, st4(base, ST_DE1), q)) * m;
    out[3] = (w2 * vDAtq(v, st4(base, ST_DE2), q)) * m;
    out[4] = q.x * mi;
    out[5] = q.y * mi;
    out[6] = (w2 * vDAtq(v, st4(base, ST_DG1), q)) * m;
    out[7] = (w2 * vDAtq(v, st4(base, ST_DG2), q)) * m;
  } else {
    out[1] = q.x * mi;
    out[2] = q.y * mi;
  }
  return out;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>) {
  let f = gid.x;
  if (f >= N * H || wg.y >= U.count) { return; }
  let p = U.pairBase + wg.y;
  let st = pairs[p];
  let base = p * PS;
  let a = f % H;
  let b = f / H;
  let mx = colFreq(a, N);
  let my = rowFreq(b, N);
  let galaxy = st.kind == 1u;
  let pp = pairPsf[p];
  let pk = pp.weights.x * psfSpec[pp.slots.x * N * H + f] + pp.weights.y * psfSpec[pp.slots.y * N * H + f]
    + pp.weights.z * psfSpec[pp.slots.z * N * H + f] + pp.weights.w * psfSpec[pp.slots.w * N * H + f];
  var d = derivatives(base, galaxy, st.jinv, st.aduPerUJy, pk, mx, my);
  if (b == N / 2u && a > 0u && a < N / 2u) {
    let e = derivatives(base, galaxy, st.jinv, st.aduPerUJy, pk, mx, -my);
    for (var k = 0u; k < ND; k++) { d[k] = 0.5 * (d[k] + e[k]); }
  }
  let sgn = centringSign(a, b);
  let out = ND * wg.y * N * H + f;
  for (var k = 0u; k < ND; k++) { spec[out + k * N * H] = sgn * d[k]; }
}
