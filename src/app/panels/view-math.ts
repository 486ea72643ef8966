// Screen ↔ image coordinates of a panel. Image pixel (x, y) 0-based has its centre at (x, y) and
// row 0 at the bottom (FITS / DS9 convention); screen y grows downwards.
import type { View } from '../../state/share';

export interface Size {
  w: number;
  h: number;
}

export function screenToImage(v: View, s: Size, sx: number, sy: number): [number, number] {
  return [v.cx + (sx - s.w / 2) / v.zoom, v.cy - (sy - s.h / 2) / v.zoom];
}

export function imageToScreen(v: View, s: Size, x: number, y: number): [number, number] {
  return [(x - v.cx) * v.zoom + s.w / 2, s.h / 2 - (y - v.cy) * v.zoom];
}

/** Zoom by `factor` keeping the image point under screen (sx, sy) fixed. */
export function zoomAbout(v: View, s: Size, sx: number, sy: number, factor: number, limits = { min: 1 / 64, max: 128 }): View {
  const zoom = Math.min(limits.max, Math.max(limits.min, v.zoom * factor));
  const [x, y] = screenToImage(v, s, sx, sy);
  return { zoom, cx: x - (sx - s.w / 2) / zoom, cy: y + (sy - s.h / 2) / zoom };
}

/** The view that shows a whole nx × ny image in the panel. */
export function fitView(nx: number, ny: number, s: Size): View {
  const zoom = s.w > 0 && s.h > 0 ? Math.min(s.w / nx, s.h / ny) : 1;
  return { cx: (nx - 1) / 2, cy: (ny - 1) / 2, zoom };
}
