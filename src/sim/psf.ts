// The simulator's continuous PSF: an elliptical two-Gaussian mixture (core + wider wing) whose FWHM
// and ellipticity vary smoothly over the quadrant, defined in the quadrant's pixel frame.
// The true PSF at a position is the bilinear mixture of the PSFs at the four surrounding grid nodes
// (a mixture of mixtures is still a Gaussian mixture), so the effective-PSF grid written to the PSF
// file, interpolated as DESIGN §1.3 says, is exactly the PSF the sources were drawn with.
import { type GaussComp, gaussLegendre, shearMatrix, toEval } from './gauss';
import type { Rng } from './random';

export const PSF_GRID = 9;
export const PSF_STAMP = 21;
const CORE_W = 0.8;
const WING_W = 0.2;
const WING_SCALE = 2; // wing sigma / core sigma

/** ρ = (half width at half maximum)/σ_core of the circular mixture, solved once by bisection. */
const HWHM_OVER_SIGMA = (() => {
  const f = (r: number) => CORE_W * Math.exp(-r * r / 2) + (WING_W / WING_SCALE ** 2) * Math.exp(-r * r / (2 * WING_SCALE ** 2));
  const half = f(0) / 2;
  let lo = 0;
  let hi = 5;
  for (let i = 0; i < 200; i++) {
    const m = (lo + hi) / 2;
    if (f(m) > half) lo = m;
    else hi = m;
  }
  return (lo + hi) / 2;
})();

/** Continuous PSF (pixel frame, unit integral) of FWHM `fwhmPx` pixels and reduced-shear ellipticity (eps1, eps2). */
export function psfMixture(fwhmPx: number, eps1: number, eps2: number): GaussComp[] {
  const s = fwhmPx / (2 * HWHM_OVER_SIGMA);
  const [a, b, c, d] = shearMatrix(eps1, eps2); // det 1: shape only
  // M Mᵀ
  const xx = a * a + b * b;
  const xy = a * c + b * d;
  const yy = c * c + d * d;
  const s2 = WING_SCALE * WING_SCALE;
  return [
    { w: CORE_W, xx: s * s * xx, xy: s * s * xy, yy: s * s * yy },
    { w: WING_W, xx: s2 * s * s * xx, xy: s2 * s * s * xy, yy: s2 * s * s * yy },
  ];
}

export interface PsfFieldParams {
  nx: number;
  ny: number;
  fwhmArcsec: number;
  pixelScale: number; // arcsec/px, nominal
  /** FWHM(X, Y) = fwhm · (1 + fx X + fy Y + f2 (X² + Y²)), X, Y ∈ [−1, 1] across the quadrant. */
  fx: number;
  fy: number;
  f2: number;
  /** ε1 = e10 + e1x X + e1y Y, ε2 likewise. */
  e10: number;
  e1x: number;
  e1y: number;
  e20: number;
  e2x: number;
  e2y: number;
}

export function randomPsfField(rng: Rng, nx: number, ny: number, fwhmArcsec: number, pixelScale = 0.1): PsfFieldParams {
  return {
    nx,
    ny,
    fwhmArcsec,
    pixelScale,
    fx: rng.range(-0.04, 0.04),
    fy: rng.range(-0.04, 0.04),
    f2: rng.range(0, 0.05),
    e10: rng.range(-0.03, 0.03),
    e1x: rng.range(-0.02, 0.02),
    e1y: rng.range(-0.02, 0.02),
    e20: rng.range(-0.03, 0.03),
    e2x: rng.range(-0.02, 0.02),
    e2y: rng.range(-0.02, 0.02),
  };
}

export class PsfField {
  readonly p: PsfFieldParams;
  readonly nodes: GaussComp[][]; // row-major [j * PSF_GRID + i]

  constructor(p: PsfFieldParams) {
    this.p = p;
    this.nodes = [];
    for (let j = 0; j < PSF_GRID; j++)
      for (let i = 0; i < PSF_GRID; i++) this.nodes.push(this.continuousAt(this.nodeX(i), this.nodeY(j)));
  }

  /** Stamp centres on the quadrant (0-based pixel coordinates): x_i = nx/(2·grid) + i·nx/grid (DESIGN §1.3). */
  nodeX(i: number): number {
    return this.p.nx / (2 * PSF_GRID) + (i * this.p.nx) / PSF_GRID;
  }
  nodeY(j: number): number {
    return this.p.ny / (2 * PSF_GRID) + (j * this.p.ny) / PSF_GRID;
  }

  private continuousAt(x: number, y: number): GaussComp[] {
    const p = this.p;
    const X = (x - p.nx / 2) / (p.nx / 2);
    const Y = (y - p.ny / 2) / (p.ny / 2);
    const fwhm = p.fwhmArcsec * (1 + p.fx * X + p.fy * Y + p.f2 * (X * X + Y * Y));
    return psfMixture(fwhm / p.pixelScale, p.e10 + p.e1x * X + p.e1y * Y, p.e20 + p.e2x * X + p.e2y * Y);
  }

  /** The true PSF at 0-based pixel (x, y): bilinear mixture of the surrounding node PSFs (clamped at the edges). */
  at(x: number, y: number): GaussComp[] {
    const step = (v: number, n: number) => Math.min(Math.max((v - n / (2 * PSF_GRID)) / (n / PSF_GRID), 0), PSF_GRID - 1);
    const fx = step(x, this.p.nx);
    const fy = step(y, this.p.ny);
    const i0 = Math.min(Math.floor(fx), PSF_GRID - 2);
    const j0 = Math.min(Math.floor(fy), PSF_GRID - 2);
    const tx = fx - i0;
    const ty = fy - j0;
    const out: GaussComp[] = [];
    const add = (i: number, j: number, w: number) => {
      if (w <= 0) return;
      for (const c of this.nodes[j * PSF_GRID + i]) out.push({ ...c, w: c.w * w });
    };
    add(i0, j0, (1 - tx) * (1 - ty));
    add(i0 + 1, j0, tx * (1 - ty));
    add(i0, j0 + 1, (1 - tx) * ty);
    add(i0 + 1, j0 + 1, tx * ty);
    return out;
  }

  /** The 189×189 grid image of effective-PSF stamps (PSF ⊗ pixel box, sampled at pixel centres). */
  gridImage(nGL = 6): Float32Array {
    const n = PSF_GRID * PSF_STAMP;
    const img = new Float32Array(n * n);
    for (let j = 0; j < PSF_GRID; j++)
      for (let i = 0; i < PSF_GRID; i++) {
        const st = effectivePsfStamp(this.nodes[j * PSF_GRID + i], PSF_STAMP, nGL);
        for (let b = 0; b < PSF_STAMP; b++)
          for (let a = 0; a < PSF_STAMP; a++) img[(j * PSF_STAMP + b) * n + i * PSF_STAMP + a] = st[b * PSF_STAMP + a];
      }
    return img;
  }

  headerEntries(): Array<[string, string | number, string?]> {
    const p = this.p;
    return [
      ['PSFGRIDX', PSF_GRID, 'stamps along x'],
      ['PSFGRIDY', PSF_GRID, 'stamps along y'],
      ['PSFSTAMP', PSF_STAMP, 'stamp size (pixels)'],
      ['PSFNX', p.nx, 'quadrant NAXIS1 the grid spans'],
      ['PSFNY', p.ny, 'quadrant NAXIS2 the grid spans'],
      ['PSFX0', this.nodeX(0), '0-based x of first stamp centre'],
      ['PSFY0', this.nodeY(0), '0-based y of first stamp centre'],
      ['PSFDX', p.nx / PSF_GRID, 'stamp centre spacing in x (pixels)'],
      ['PSFDY', p.ny / PSF_GRID, 'stamp centre spacing in y (pixels)'],
      ['PSFCEN', (PSF_STAMP - 1) / 2, '0-based stamp pixel of the PSF centre'],
      ['PSFFWHM', p.fwhmArcsec, 'nominal FWHM (arcsec) at quadrant centre'],
      ['PSFTYPE', 'EFFECTIVE', 'PSF x pixel box, sampled at pixel centres'],
    ];
  }
}

/** Effective PSF (continuous PSF ⊗ unit pixel box) sampled at the pixel centres of an s×s stamp centred on pixel (s−1)/2. */
export function effectivePsfStamp(psf: GaussComp[], s: number, nGL: number, cx = (s - 1) / 2, cy = (s - 1) / 2): Float64Array {
  const { x: gx, w: gw } = gaussLegendre(nGL);
  const ev = psf.map(toEval);
  const out = new Float64Array(s * s);
  for (let b = 0; b < s; b++)
    for (let a = 0; a < s; a++) {
      let acc = 0;
      for (let q = 0; q < nGL; q++) {
        const dy = b - cy + gx[q];
        for (let p = 0; p < nGL; p++) {
          const dx = a - cx + gx[p];
          let v = 0;
          for (const g of ev) v += g.norm * Math.exp(-0.5 * (g.a * dx * dx + 2 * g.b * dx * dy + g.c * dy * dy));
          acc += gw[p] * gw[q] * v;
        }
      }
      out[b * s + a] = acc;
    }
  return out;
}
