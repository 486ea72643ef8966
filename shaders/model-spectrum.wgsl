// Model half spectra of one tier (N prepended by the driver), natural FFT order,
// ready for the C2R inverse: G = (−1)^(mx+my)·F_adu·Ĩ0(Aᵀ J⁻ᵀ k)·P(k)·e^{−ik·δ}.
// The reference's model is Re IDFT(M) on the full centred grid = IDFT of M's
// Hermitian part H. H = M except on the ky = −π row, where M(kx, −π) and M(−kx, −π)
// are not conjugate: for interior columns the C2R needs H = ½(M(kx, −π) + M(kx, +π))
// (the second term evaluated with the analytic formula). Columns kx = 0 and kx = −π
// take M as is: the C2R drops the imaginary part of their column transforms, which is
// exactly the Re of the reference.
// Workgroup (x: bins / 64, y: pair of the chunk); the spectra go to the chunk's buffer.

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
@group(0) @binding(5) var<storage, read_write> spec: array<vec2<f32>>;

const H: u32 = N / 2u + 1u;

// Ĩ0(Aᵀ J⁻ᵀ k)·e^{−ik·δ} at centred frequency (mx, my); Ĩ0 ≡ 1 for stars.
fn profilePhase(base: u32, galaxy: bool, ji: vec4<f32>, mx: i32, my: i32) -> vec2<f32> {
  var amp = 1.0;
  if (galaxy) {
    let kx = (TWO_PI / f32(N)) * f32(mx);
    let ky = (TWO_PI / f32(N)) * f32(my);
    let qu = ji.x * kx + ji.z * ky;
    let qv = ji.y * kx + ji.w * ky;
    let a = vec4<f32>(state[base + ST_A], state[base + ST_A + 1u], state[base + ST_A + 2u], state[base + ST_A + 3u]);
    let vu = a.x * qu + a.z * qv;
    let vv = a.y * qu + a.w * qv;
    let r0 = state[base + ST_R0];
    let x = 1.0 + r0 * r0 * (vu * vu + vv * vv);
    amp = 1.0 / (x * sqrt(x));
  }
  // Phase in turns, with exact integer frequencies: k·δ / 2π = (mx·δx + my·δy)/N.
  let t = (f32(mx) * state[base + ST_DX] + f32(my) * state[base + ST_DY]) / f32(N);
  let cs = sincos2pi(t);
  return amp * vec2<f32>(cs.x, -cs.y);
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
  var v: vec2<f32>;
  if (b == N / 2u && a > 0u && a < N / 2u) {
    v = 0.5 * (profilePhase(base, galaxy, st.jinv, mx, my) + profilePhase(base, galaxy, st.jinv, mx, -my));
  } else {
    v = profilePhase(base, galaxy, st.jinv, mx, my);
  }
  let pp = pairPsf[p];
  let pk = pp.weights.x * psfSpec[pp.slots.x * N * H + f] + pp.weights.y * psfSpec[pp.slots.y * N * H + f]
    + pp.weights.z * psfSpec[pp.slots.z * N * H + f] + pp.weights.w * psfSpec[pp.slots.w * N * H + f];
  spec[st.specOffset + f] = (centringSign(a, b) * state[base + ST_FADU]) * cmul(pk, v);
}
