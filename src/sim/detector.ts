// Detector effects of a simulated quadrant: sky background with a gradient, per-pixel RMS (sky + source
// Poisson with GAIN, read noise), Gaussian noise, cosmic rays and a hot column (flagged).
import type { Rng } from './random';

export const FLAG_INVALID = 0x1; // bit 0: masked (DESIGN §1.2)
export const FLAG_HOT = 0x2; // bit 1: hot column
export const FLAG_COSMIC = 0x100; // bit 8: cosmic ray

export interface DetectorOptions {
  nx: number;
  ny: number;
  gain: number; // e-/ADU
  rdnoise: number; // e-
  skyAdu: number; // mean background per pixel
  noiseScale: number; // multiplies sigma
  noiseless: boolean;
}

export interface QuadrantPixels {
  sci: Float32Array;
  rms: Float32Array;
  flg: Int32Array;
  bkg: Float32Array;
  wgt: Float32Array;
  cosmicPixels: number;
  hotColumn: number; // -1 when none
}

export function backgroundMap(opt: DetectorOptions, rng: Rng): Float32Array {
  const { nx, ny } = opt;
  const gx = rng.range(-0.06, 0.06);
  const gy = rng.range(-0.06, 0.06);
  const gxy = rng.range(-0.02, 0.02);
  const bkg = new Float32Array(nx * ny);
  for (let y = 0; y < ny; y++) {
    const Y = (2 * y) / (ny - 1) - 1;
    for (let x = 0; x < nx; x++) {
      const X = (2 * x) / (nx - 1) - 1;
      bkg[y * nx + x] = opt.skyAdu * (1 + gx * X + gy * Y + gxy * X * Y);
    }
  }
  return bkg;
}

/** Turns the noise-free source image (ADU, float64) into SCI/RMS/FLG/BKG/WGT. */
export function applyDetector(model: Float64Array, opt: DetectorOptions, rng: Rng): QuadrantPixels {
  const { nx, ny, gain } = opt;
  const n = nx * ny;
  const bkg = backgroundMap(opt, rng);
  const sci = new Float32Array(n);
  const rms = new Float32Array(n);
  const flg = new Int32Array(n);
  const rd2 = (opt.rdnoise / gain) ** 2;
  for (let i = 0; i < n; i++) {
    const m = model[i];
    const sigma = opt.noiseScale * Math.sqrt((bkg[i] + Math.max(m, 0)) / gain + rd2);
    rms[i] = sigma;
    sci[i] = bkg[i] + m + (opt.noiseless ? 0 : sigma * rng.normal());
  }
  let cosmicPixels = 0;
  let hotColumn = -1;
  if (!opt.noiseless) {
    // Cosmic rays: short straight tracks over ~0.5% of the pixels, a few hundred to thousands of ADU.
    const tracks = Math.max(3, Math.round((n * 0.005) / 4));
    for (let t = 0; t < tracks; t++) {
      let x = rng.range(0, nx);
      let y = rng.range(0, ny);
      const len = 1 + rng.int(8);
      const a = rng.range(0, 2 * Math.PI);
      const amp = Math.exp(rng.range(Math.log(200), Math.log(5000)));
      for (let s = 0; s < len; s++) {
        const ix = Math.floor(x);
        const iy = Math.floor(y);
        if (ix >= 0 && ix < nx && iy >= 0 && iy < ny) {
          const i = iy * nx + ix;
          sci[i] += amp * rng.range(0.5, 1);
          if (!(flg[i] & FLAG_COSMIC)) cosmicPixels++;
          flg[i] |= FLAG_INVALID | FLAG_COSMIC;
        }
        x += Math.cos(a);
        y += Math.sin(a);
      }
    }
    // A hot column with garbage: huge values, a few NaNs, RMS zero on part of it.
    hotColumn = Math.floor(rng.range(0.2, 0.8) * nx);
    for (let y = 0; y < ny; y++) {
      const i = y * nx + hotColumn;
      const r = rng.uniform();
      sci[i] = r < 0.02 ? Number.NaN : rng.range(5000, 60000);
      if (y < ny / 3) rms[i] = 0;
      flg[i] |= FLAG_INVALID | FLAG_HOT;
    }
  }
  const wgt = new Float32Array(n);
  for (let i = 0; i < n; i++) wgt[i] = flg[i] & FLAG_INVALID || !(rms[i] > 0) ? 0 : 1 / (rms[i] * rms[i]);
  return { sci, rms, flg, bkg, wgt, cosmicPixels, hotColumn };
}
