// Small numerical pieces shared by the simulator's PSF model and renderer: 2-D Gaussian components,
// Gauss–Legendre nodes for integrating over the pixel box, and the shear matrices of DESIGN §2.

/** A weighted 2-D Gaussian, covariance [[xx, xy], [xy, yy]]. */
export interface GaussComp {
  w: number;
  xx: number;
  xy: number;
  yy: number;
}

/** Precomputed evaluation form: value(dx, dy) = norm · exp(−(a dx² + 2 b dx dy + c dy²)/2). */
export interface GaussEval {
  norm: number;
  a: number;
  b: number;
  c: number;
}

export function toEval(g: GaussComp): GaussEval {
  const det = g.xx * g.yy - g.xy * g.xy;
  if (!(det > 0)) throw new Error(`Gaussian component with non-positive covariance determinant ${det}`);
  return { norm: g.w / (2 * Math.PI * Math.sqrt(det)), a: g.yy / det, b: -g.xy / det, c: g.xx / det };
}

const glCache = new Map<number, { x: Float64Array; w: Float64Array }>();

/** Gauss–Legendre nodes and weights on [−1/2, 1/2] (weights sum to 1). */
export function gaussLegendre(n: number): { x: Float64Array; w: Float64Array } {
  const hit = glCache.get(n);
  if (hit) return hit;
  if (!(n >= 1 && n <= 64 && Number.isInteger(n))) throw new Error(`Gauss–Legendre order must be 1…64, got ${n}`);
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Newton on P_n from the Chebyshev-like first guess.
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let dp = 1;
    for (let it = 0; it < 100; it++) {
      let p0 = 1;
      let p1 = z;
      for (let k = 2; k <= n; k++) {
        const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
        p0 = p1;
        p1 = p2;
      }
      const pn = n === 1 ? z : p1;
      const pm = n === 1 ? 1 : p0;
      dp = (n * (z * pn - pm)) / (z * z - 1);
      const dz = pn / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    if (n === 1) {
      z = 0;
      dp = 1;
    }
    x[i] = z / 2;
    w[i] = n === 1 ? 1 : 1 / ((1 - z * z) * dp * dp);
  }
  const r = { x, w };
  glCache.set(n, r);
  return r;
}

/** S(g) = (1 − |g|²)^(−1/2) [[1+g1, g2], [g2, 1−g1]] as [a, b, c, d] (row-major). */
export function shearMatrix(g1: number, g2: number): [number, number, number, number] {
  const gg = g1 * g1 + g2 * g2;
  if (!(gg < 1)) throw new Error(`|g| must be < 1, got ${Math.sqrt(gg)}`);
  const s = 1 / Math.sqrt(1 - gg);
  return [s * (1 + g1), s * g2, s * g2, s * (1 - g1)];
}

/** Reduced-shear equivalent ε of a distortion e: |ε| = |e| / (1 + sqrt(1 − |e|²)), same direction. */
export function distortionToShear(e1: number, e2: number): [number, number] {
  const ee = e1 * e1 + e2 * e2;
  if (!(ee < 1)) throw new Error(`|e| must be < 1, got ${Math.sqrt(ee)}`);
  const f = 1 / (1 + Math.sqrt(1 - ee));
  return [e1 * f, e2 * f];
}

/** Distortion e of a reduced shear ε (inverse of distortionToShear): e = 2ε / (1 + |ε|²). */
export function shearToDistortion(g1: number, g2: number): [number, number] {
  const f = 2 / (1 + g1 * g1 + g2 * g2);
  return [g1 * f, g2 * f];
}

export function matMul(a: number[] | [number, number, number, number], b: number[] | [number, number, number, number]): [number, number, number, number] {
  return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]];
}
