// Shared part of the FFT kernels: parameters, twiddles and the radix-4/2 Stockham
// stages. The TS driver prepends the constants
//   N    transform length of the 2-D grid (power of two)
//   M    length of the complex FFT this kernel runs (N, or N/2 for real rows)
//   LOGM log2(M)
//   WG   invocations per workgroup
// and one memory variant (fft-mem-workgroup.wgsl or fft-mem-private.wgsl), which
// defines LPW (lines held in `sm`), STRIDE (loop stride of one invocation), `sm`,
// laneOf(), firstLine() and stageSync(). Each size and variant gets its own pipeline.

struct Params {
  srcBase: u32,        // first element of stamp 0 (in elements of the src array)
  srcStampStride: u32,
  srcLineStride: u32,
  srcElemStride: u32,
  dstBase: u32,
  dstStampStride: u32,
  dstLineStride: u32,
  dstElemStride: u32,
  lines: u32,          // lines per stamp
  sign: f32,           // +1 forward (exp(−i…)), −1 inverse
  scale: f32,          // applied on store
  _pad: u32,
}

// tw[j] = exp(−2πi·j/N), j = 0..N−1, computed in float64 on the CPU.
@group(0) @binding(0) var<storage, read> tw: array<vec2<f32>>;
@group(0) @binding(1) var<uniform> P: Params;

// sm holds two ping-pong halves of LPW lines of M points each.
const HALF: u32 = LPW * M;

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

// Twiddle exp(∓2πi·j/N) for the current direction.
fn twiddle(j: u32) -> vec2<f32> {
  let w = tw[j];
  return vec2<f32>(w.x, P.sign * w.y);
}

// -i·x for the forward direction, +i·x for the inverse.
fn mulMinusI(x: vec2<f32>) -> vec2<f32> {
  return P.sign * vec2<f32>(x.y, -x.x);
}

// Stockham autosort FFT of the LPW lines held in sm[0 .. HALF): radix-4 stages,
// preceded by one radix-2 stage when log2(M) is odd (half the barriers of radix-2).
// A radix-R stage with sub-length p combines R transforms of length p: butterfly i
// (k = i mod p) reads i + r·M/R, twiddles input r by exp(∓2πi·r·k/(R·p)), does an
// R-point DFT and writes j + r·p with j = R(i − k) + k. Returns the offset of the
// half that holds the naturally ordered result. Ends with stageSync().
fn stockham(lid: u32) -> u32 {
  var src = 0u;
  var p = 1u;
  var s = 0u;
  if ((LOGM & 1u) == 1u) {
    // Radix-2 with p = 1: no twiddles, j = 2i.
    for (var b = lid; b < HALF / 2u; b += STRIDE) {
      let line = b / (M / 2u);
      let i = b % (M / 2u);
      let base = line * M;
      let x0 = sm[base + i];
      let x1 = sm[base + i + M / 2u];
      sm[HALF + base + 2u * i] = x0 + x1;
      sm[HALF + base + 2u * i + 1u] = x0 - x1;
    }
    stageSync();
    src = HALF;
    p = 2u;
    s = 1u;
  }
  for (; s < LOGM; s += 2u) {
    let dst = HALF - src;
    for (var b = lid; b < HALF / 4u; b += STRIDE) {
      let line = b / (M / 4u);
      let i = b % (M / 4u);
      let base = line * M;
      let k = i & (p - 1u);
      let t = k * (N / (4u * p));
      let x0 = sm[src + base + i];
      let x1 = cmul(sm[src + base + i + M / 4u], twiddle(t));
      let x2 = cmul(sm[src + base + i + M / 2u], twiddle(2u * t));
      let x3 = cmul(sm[src + base + i + 3u * (M / 4u)], twiddle(3u * t));
      let a0 = x0 + x2;
      let a1 = x0 - x2;
      let a2 = x1 + x3;
      let a3 = mulMinusI(x1 - x3);
      let j = base + ((i - k) << 2u) + k;
      sm[dst + j] = a0 + a2;
      sm[dst + j + p] = a1 + a3;
      sm[dst + j + 2u * p] = a0 - a2;
      sm[dst + j + 3u * p] = a1 - a3;
    }
    stageSync();
    src = dst;
    p = p << 2u;
  }
  return src;
}
