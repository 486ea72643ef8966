// Shared declarations of the engine kernels (prepended by src/engine/pipelines.ts).
// Conventions are those of src/reference (stamp.ts, scene.ts): centred DFT, stamp
// grid index (i, j) on quadrant pixel (x0 + i, y0 + j), δ = δ0 + J⁻¹(dx, dy).
// 2×2 matrices are row-major vec4 [m00, m01, m10, m11], as in the reference.

// Static description of one (source, quadrant) pair; written once by scene-layout.ts.
struct PairStatic {
  source: u32,
  paramOffset: u32,   // index of the source's flux in the parameter vector
  kind: u32,          // 1 galaxy, 0 star
  quadrant: u32,
  n: u32,             // FFT grid size of the pair's tier
  x0: i32,            // quadrant pixel of stamp index (0, 0)
  y0: i32,
  stampOffset: u32,   // first f32 of the pair's N×N real stamp in its chunk's stamp buffer
  specOffset: u32,    // first vec2 of the pair's N×(N/2+1) half spectrum in the chunk's spectrum buffer
  _p0: u32,
  _p1: u32,
  _p2: u32,
  jinv: vec4<f32>,    // J⁻¹ (px per arcsec)
  delta0: vec2<f32>,  // source position − grid centre, pixels
  aduPerUJy: f32,
  _p3: f32,
}

// The pair's PSF spectrum: P(k) = Σ_i weights[i]·psfSpec[slots[i]·N(N/2+1) + bin] over its
// tier's table of PSF spectra (grid stamps blended bilinearly, weights already divided by
// the blend's pixel sum; or the pair's own PSF with weights (1, 0, 0, 0)).
struct PairPsf {
  slots: vec4<u32>,
  weights: vec4<f32>,
}

// Per-pair state of the current parameters (model-setup.wgsl), PS floats a pair:
// A, ∂A/∂g1, ∂A/∂g2, ∂A/∂e1, ∂A/∂e2 (5 × vec4), r0, flux, F_adu, δx, δy.
const PS: u32 = 32u;
const ST_A: u32 = 0u;
const ST_DG1: u32 = 4u;
const ST_DG2: u32 = 8u;
const ST_DE1: u32 = 12u;
const ST_DE2: u32 = 16u;
const ST_R0: u32 = 20u;
const ST_FLUX: u32 = 21u;
const ST_FADU: u32 = 22u;
const ST_DX: u32 = 23u;
const ST_DY: u32 = 24u;

const HLR_OVER_R0: f32 = 1.6783469900166605;
const TWO_PI: f32 = 6.283185307179586;

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

// (cos 2πt, sin 2πt) for any t with |t| well below 2^23. Range reduction is exact
// (t − round(t), then quarter turns), and the polynomials on [−π/4, π/4] are accurate
// to ~1 ulp, so the phase does not depend on the platform's sin/cos (WGSL allows
// 2^−11 absolute error for those).
fn sincos2pi(t: f32) -> vec2<f32> {
  let u = 4.0 * (t - round(t));   // [−2, 2] quarter turns
  let q = round(u);
  let x = (u - q) * 1.5707963267948966; // [−π/4, π/4]
  let x2 = x * x;
  let s = x * (1.0 - x2 / 6.0 * (1.0 - x2 / 20.0 * (1.0 - x2 / 42.0 * (1.0 - x2 / 72.0))));
  let c = 1.0 - x2 / 2.0 * (1.0 - x2 / 12.0 * (1.0 - x2 / 30.0 * (1.0 - x2 / 56.0 * (1.0 - x2 / 90.0))));
  let qi = (i32(q) + 4) % 4;
  if (qi == 0) { return vec2<f32>(c, s); }
  if (qi == 1) { return vec2<f32>(-s, c); }
  if (qi == 2) { return vec2<f32>(-c, -s); }
  return vec2<f32>(s, -c);
}

// Centred frequency index of half-spectrum column a (0..N/2) and row b (0..N−1) of an
// N-grid in the FFT's natural order: the column N/2 and row N/2 are k = −π (m = −N/2),
// as in the reference's centred grid.
fn colFreq(a: u32, n: u32) -> i32 {
  return select(i32(a), -i32(n / 2u), a == n / 2u);
}
fn rowFreq(b: u32, n: u32) -> i32 {
  return select(i32(b), i32(b) - i32(n), b >= n / 2u);
}

// (−1)^(mx+my): the centred convention's spectrum is the natural-order one times this.
fn centringSign(a: u32, b: u32) -> f32 {
  return select(1.0, -1.0, ((a + b) & 1u) == 1u);
}

// Double-single (hi, lo) arithmetic for long sums: error-free TwoSum (Knuth), then a
// fast renormalisation. Deterministic like any fixed-order f32 code; needs IEEE adds
// (no reassociation), which WGSL's f32 addition is.
fn twoSum(a: f32, b: f32) -> vec2<f32> {
  let s = a + b;
  let bb = s - a;
  return vec2<f32>(s, (a - (s - bb)) + (b - bb));
}
fn dsAdd(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let s = twoSum(a.x, b.x);
  let lo = s.y + (a.y + b.y);
  let hi = s.x + lo;
  return vec2<f32>(hi, lo - (hi - s.x));
}
fn dsAddF(a: vec2<f32>, b: f32) -> vec2<f32> {
  let s = twoSum(a.x, b);
  let lo = s.y + a.y;
  let hi = s.x + lo;
  return vec2<f32>(hi, lo - (hi - s.x));
}

// v·(∂Aᵀ q) = Σ_a v_a Σ_b (∂A)_{ba} q_b with v = Aᵀq: the chain-rule factor of ∂|Aᵀq|²/∂θ
// (grad-pair.wgsl and fisher-spectra.wgsl; src/reference/shape.ts vDAtq).
fn vDAtq(v: vec2<f32>, d: vec4<f32>, q: vec2<f32>) -> f32 {
  return v.x * (d.x * q.x + d.z * q.y) + v.y * (d.y * q.x + d.w * q.y);
}
