// Unconstrained parameterisation of the scene parameter vector (layout: src/reference/scene.ts):
//   [g1, g2, per galaxy: flux, hlr, e1, e2, dx, dy, per star: flux, dx, dy]
// mapped to x ∈ ℝⁿ of the same length and order:
//   flux = exp(a), hlr = exp(b)                         (a, b = ln of the natural value)
//   (e1, e2) = B·tanh(|t|)·t/|t|,  (g1, g2) likewise      (|e|, |g| < B < 1)
//   dx, dy identity (arcsec)
// Like NumPyro's AutoDelta (SHINE's MAP guide), the loss stays the posterior density of the
// natural parameters: the map only reparameterises the search, no log-Jacobian is added.
// B = 1 − 1e-12 rather than 1: tanh(|t|) rounds to 1 for |t| ≳ 19, and the model (shape.ts)
// rightly refuses |e| = 1, so a wild line-search trial must still land inside the disk.
// Exponents are clamped to ±700 so exp never overflows to ∞ or underflows to 0.

import type { SourceKind } from '../../reference/scene';

export type ParamRole = 'g1' | 'g2' | 'flux' | 'hlr' | 'e1' | 'e2' | 'dx' | 'dy';

export interface ParamLayout {
  /** Length of the parameter vector. */
  n: number;
  /** What each entry is; g1/g2 and e1/e2 always come as adjacent pairs. */
  roles: ParamRole[];
  /** Index of each source's first parameter (its flux). */
  sourceOffsets: Int32Array;
  kinds: SourceKind[];
}

/** Radius of the open disk that (e1, e2) and (g1, g2) are mapped into. */
export const DISK_BOUND = 1 - 1e-12;
const EXP_CLAMP = 700;

export function layoutFromKinds(kinds: readonly SourceKind[]): ParamLayout {
  const roles: ParamRole[] = ['g1', 'g2'];
  const offsets = new Int32Array(kinds.length);
  kinds.forEach((k, i) => {
    offsets[i] = roles.length;
    if (k === 'galaxy') roles.push('flux', 'hlr', 'e1', 'e2', 'dx', 'dy');
    else if (k === 'star') roles.push('flux', 'dx', 'dy');
    else throw new RangeError(`source ${i}: unknown kind '${String(k)}'`);
  });
  return { n: roles.length, roles, sourceOffsets: offsets, kinds: [...kinds] };
}

function checkLength(layout: ParamLayout, v: ArrayLike<number>, what: string): void {
  if (v.length !== layout.n) throw new RangeError(`${what} has ${v.length} values, the layout needs ${layout.n}`);
}

/**
 * Disk map e = B·f(r)·t with f(r) = tanh(r)/r, r = |t|, and its Jacobian
 * ∂e/∂t = B·(f·I + (f'(r)/r)·t tᵀ) (symmetric). Series below r = 1e-2, where the closed
 * form of f'(r)/r cancels; truncation there is < 1e-12 relative.
 */
function diskForward(t1: number, t2: number): { e1: number; e2: number; f: number; h: number } {
  const r2 = t1 * t1 + t2 * t2;
  const r = Math.sqrt(r2);
  let f: number;
  let h: number; // f'(r)/r
  if (r < 1e-2) {
    f = 1 + r2 * (-1 / 3 + r2 * (2 / 15 - (17 / 315) * r2));
    h = -2 / 3 + r2 * (8 / 15 + r2 * (-34 / 105 + (496 / 2835) * r2));
  } else {
    const th = Math.tanh(r);
    const sech2 = 1 - th * th;
    f = th / r;
    h = (r * sech2 - th) / (r2 * r);
  }
  return { e1: DISK_BOUND * f * t1, e2: DISK_BOUND * f * t2, f: DISK_BOUND * f, h: DISK_BOUND * h };
}

function diskInverse(e1: number, e2: number, what: string): [number, number] {
  const s = Math.hypot(e1, e2) / DISK_BOUND;
  if (!(s < 1)) throw new RangeError(`${what} = (${e1}, ${e2}) has modulus ≥ ${DISK_BOUND}: outside the unit disk`);
  if (s === 0) return [0, 0];
  const k = Math.atanh(s) / s / DISK_BOUND;
  return [k * e1, k * e2];
}

function clampedExp(a: number): number {
  return Math.exp(Math.min(EXP_CLAMP, Math.max(-EXP_CLAMP, a)));
}

/** Natural parameters → unconstrained x. Throws on flux/hlr ≤ 0, |e| or |g| ≥ 1, non-finite values. */
export function toUnconstrained(layout: ParamLayout, params: ArrayLike<number>): Float64Array {
  checkLength(layout, params, 'parameter vector');
  const x = new Float64Array(layout.n);
  const { roles } = layout;
  for (let i = 0; i < layout.n; i++) {
    const v = params[i];
    if (!Number.isFinite(v)) throw new RangeError(`parameter ${i} (${roles[i]}) = ${v} is not finite`);
    switch (roles[i]) {
      case 'flux':
      case 'hlr':
        if (!(v > 0)) throw new RangeError(`parameter ${i} (${roles[i]}) = ${v} must be > 0`);
        x[i] = Math.log(v);
        break;
      case 'g1':
      case 'e1': {
        const [a, b] = diskInverse(v, params[i + 1], `parameters ${i}, ${i + 1} (${roles[i]}, ${roles[i + 1]})`);
        x[i] = a;
        x[i + 1] = b;
        i++;
        break;
      }
      default:
        x[i] = v;
    }
  }
  return x;
}

/** Unconstrained x → natural parameters. */
export function fromUnconstrained(layout: ParamLayout, x: ArrayLike<number>): Float64Array {
  checkLength(layout, x, 'unconstrained vector');
  const p = new Float64Array(layout.n);
  const { roles } = layout;
  for (let i = 0; i < layout.n; i++) {
    switch (roles[i]) {
      case 'flux':
      case 'hlr':
        p[i] = clampedExp(x[i]);
        break;
      case 'g1':
      case 'e1': {
        const d = diskForward(x[i], x[i + 1]);
        p[i] = d.e1;
        p[i + 1] = d.e2;
        i++;
        break;
      }
      default:
        p[i] = x[i];
    }
  }
  return p;
}

/**
 * Jacobian-vector products of θ(x). The Jacobian is block diagonal with symmetric 2×2 disk
 * blocks, so J v (pushforward of a tangent) and Jᵀ w (pullback of a gradient) share one
 * routine up to the transpose, which is the same matrix.
 */
function applyJacobian(layout: ParamLayout, x: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
  checkLength(layout, x, 'unconstrained vector');
  checkLength(layout, v, 'vector');
  const out = new Float64Array(layout.n);
  const { roles } = layout;
  for (let i = 0; i < layout.n; i++) {
    switch (roles[i]) {
      case 'flux':
      case 'hlr': {
        // d exp(a)/da = exp(a), except where the clamp flattens it
        const a = x[i];
        out[i] = Math.abs(a) < EXP_CLAMP ? Math.exp(a) * v[i] : 0;
        break;
      }
      case 'g1':
      case 'e1': {
        const t1 = x[i];
        const t2 = x[i + 1];
        const d = diskForward(t1, t2);
        const tv = t1 * v[i] + t2 * v[i + 1];
        out[i] = d.f * v[i] + d.h * t1 * tv;
        out[i + 1] = d.f * v[i + 1] + d.h * t2 * tv;
        i++;
        break;
      }
      default:
        out[i] = v[i];
    }
  }
  return out;
}

/** J(x)·v: the change of the natural parameters along the unconstrained direction v. */
export function pushforward(layout: ParamLayout, x: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
  return applyJacobian(layout, x, v);
}

/** J(x)ᵀ·g: the gradient with respect to x of a loss whose natural-parameter gradient is g. */
export function pullbackGradient(layout: ParamLayout, x: ArrayLike<number>, gradNatural: ArrayLike<number>): Float64Array {
  return applyJacobian(layout, x, gradNatural);
}

/**
 * Default per-coordinate scales of x, roughly the posterior width of each kind of
 * parameter for a galaxy at S/N of a few tens: the optimiser works in x/scale so that
 * all coordinates have comparable curvature (they differ by orders of magnitude in raw
 * units: offsets in arcsec vs log flux vs shear).
 */
export const DEFAULT_SCALES: Readonly<Record<ParamRole, number>> = {
  g1: 0.01,
  g2: 0.01,
  flux: 0.02, // ln flux
  hlr: 0.03, // ln hlr
  e1: 0.03,
  e2: 0.03,
  dx: 0.005, // arcsec (≈ 1/20 of a VIS pixel)
  dy: 0.005,
};

export function defaultScales(layout: ParamLayout, overrides: Partial<Record<ParamRole, number>> = {}): Float64Array {
  const table = { ...DEFAULT_SCALES, ...overrides };
  return Float64Array.from(layout.roles, (r) => {
    const s = table[r];
    if (!(s > 0 && Number.isFinite(s))) throw new RangeError(`scale for ${r} = ${s} must be finite and > 0`);
    return s;
  });
}
