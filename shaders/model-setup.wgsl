// Per-pair state of the current parameters: shape matrix A = S(g)·S(ε(e)) and its
// derivatives, r0, flux, F_adu and the stamp centre δ = δ0 + J⁻¹(dx, dy).
// One invocation per pair. Formulas: src/reference/shape.ts.

@group(0) @binding(0) var<storage, read> params: array<f32>;
@group(0) @binding(1) var<storage, read> pairs: array<PairStatic>;
@group(0) @binding(2) var<storage, read_write> state: array<f32>;

fn mul2(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(a.x * b.x + a.y * b.z, a.x * b.y + a.y * b.w, a.z * b.x + a.w * b.z, a.z * b.y + a.w * b.w);
}

struct Shear {
  s: vec4<f32>,
  d1: vec4<f32>,
  d2: vec4<f32>,
}

// S(g) = (1 − |g|²)^(−1/2)·[[1+g1, g2], [g2, 1−g1]] and ∂S/∂g1, ∂S/∂g2.
fn shearMatrix(g1: f32, g2: f32) -> Shear {
  let c = 1.0 / sqrt(1.0 - (g1 * g1 + g2 * g2));
  let c3 = c * c * c;
  let b = vec4<f32>(1.0 + g1, g2, g2, 1.0 - g1);
  return Shear(c * b, g1 * c3 * b + vec4<f32>(c, 0.0, 0.0, -c), g2 * c3 * b + vec4<f32>(0.0, c, c, 0.0));
}

fn put(base: u32, off: u32, v: vec4<f32>) {
  state[base + off] = v.x;
  state[base + off + 1u] = v.y;
  state[base + off + 2u] = v.z;
  state[base + off + 3u] = v.w;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = gid.x;
  if (p >= arrayLength(&pairs)) { return; }
  let st = pairs[p];
  let o = st.paramOffset;
  let base = p * PS;
  let flux = params[o];
  var dx: f32;
  var dy: f32;
  var r0 = 0.0;
  if (st.kind == 1u) {
    r0 = params[o + 1u] / HLR_OVER_R0;
    let e1 = params[o + 2u];
    let e2 = params[o + 3u];
    dx = params[o + 4u];
    dy = params[o + 5u];
    // ε(e) = e / (1 + sqrt(1 − |e|²)) and its Jacobian (regular at e = 0).
    let s = sqrt(1.0 - (e1 * e1 + e2 * e2));
    let f = 1.0 / (1.0 + s);
    let h = 1.0 / (s * (1.0 + s) * (1.0 + s));
    let jac = vec4<f32>(f + h * e1 * e1, h * e1 * e2, h * e2 * e1, f + h * e2 * e2);
    let sg = shearMatrix(params[0], params[1]);
    let se = shearMatrix(f * e1, f * e2);
    let dSe1 = jac.x * se.d1 + jac.z * se.d2;
    let dSe2 = jac.y * se.d1 + jac.w * se.d2;
    put(base, ST_A, mul2(sg.s, se.s));
    put(base, ST_DG1, mul2(sg.d1, se.s));
    put(base, ST_DG2, mul2(sg.d2, se.s));
    put(base, ST_DE1, mul2(sg.s, dSe1));
    put(base, ST_DE2, mul2(sg.s, dSe2));
  } else {
    dx = params[o + 1u];
    dy = params[o + 2u];
    for (var t = 0u; t < 20u; t++) { state[base + t] = 0.0; }
  }
  let ji = st.jinv;
  state[base + ST_R0] = r0;
  state[base + ST_FLUX] = flux;
  state[base + ST_FADU] = flux * st.aduPerUJy;
  state[base + ST_DX] = st.delta0.x + ji.x * dx + ji.y * dy;
  state[base + ST_DY] = st.delta0.y + ji.z * dx + ji.w * dy;
}
