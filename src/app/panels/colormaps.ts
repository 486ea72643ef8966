// Colour maps as 256-entry RGBA lookup tables, computed by interpolating a few anchor colours.
import type { ColourMap } from '../../state/share';

type Rgb = [number, number, number];

// Anchors of a perceptually ordered dark-blue → green → yellow ramp (viridis-like, 0–255).
const VIRIDISH: Rgb[] = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [109, 205, 89], [180, 222, 44], [253, 231, 37],
];
// Blue → white → red, for signed images (residuals, χ): zero is white.
const DIVERGING: Rgb[] = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240],
  [247, 247, 247], [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
];
const GREY: Rgb[] = [[0, 0, 0], [255, 255, 255]];

function ramp(anchors: Rgb[], n: number): Uint8Array {
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    const t = (i / (n - 1)) * (anchors.length - 1);
    const k = Math.min(anchors.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) out[i * 4 + c] = Math.round(anchors[k][c] * (1 - f) + anchors[k + 1][c] * f);
    out[i * 4 + 3] = 255;
  }
  return out;
}

export const LUT_SIZE = 256;

const cache = new Map<ColourMap, Uint8Array>();

/** RGBA bytes, LUT_SIZE entries, low values first. */
export function colourLut(name: ColourMap): Uint8Array {
  let l = cache.get(name);
  if (!l) {
    l = ramp(name === 'grey' ? GREY : name === 'viridis' ? VIRIDISH : DIVERGING, LUT_SIZE);
    cache.set(name, l);
  }
  return l;
}

/** CSS colour of a LUT entry at t ∈ [0, 1] (overlays, legends). */
export function lutCss(name: ColourMap, t: number): string {
  const l = colourLut(name);
  const i = Math.max(0, Math.min(LUT_SIZE - 1, Math.round((Number.isFinite(t) ? t : 0) * (LUT_SIZE - 1))));
  return `rgb(${l[i * 4]}, ${l[i * 4 + 1]}, ${l[i * 4 + 2]})`;
}
