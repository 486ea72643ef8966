// PSF grids (DESIGN §1.3): a mosaic of grid_ny × grid_nx effective-PSF stamps of s × s pixels,
// row-major, with stamp centres on a uniform grid over the quadrant. The PSF at a pixel position is
// the bilinear interpolation of the four surrounding stamps, normalised to unit sum.

export interface PsfGrid {
  gridNx: number;
  gridNy: number;
  /** Stamp side s (odd, e.g. 21). */
  size: number;
  /** Quadrant size the grid spans. */
  quadNx: number;
  quadNy: number;
  /** gridNy·gridNx stamps of size² values each, stamp-major (iy·gridNx + ix), row-major inside. */
  stamps: Float64Array;
  context: string;
}

interface HeaderLike {
  get(key: string): string | number | boolean | null | undefined;
}

/**
 * Cuts a PSF mosaic into stamps. The grid shape comes from PSFGRIDX/PSFGRIDY/PSFSTAMP when the
 * header has them, otherwise the Euclid default of 9×9 stamps (s = side / 9).
 */
export function psfGridFromImage(
  image: { shape: number[]; data: ArrayLike<number> },
  header: HeaderLike | null,
  quadShape: [ny: number, nx: number],
  context: string,
): PsfGrid {
  if (image.shape.length !== 2) throw new Error(`${context}: PSF grid must be a 2-D image, got shape [${image.shape}]`);
  const [h, w] = image.shape;
  const num = (k: string): number | undefined => {
    const v = header?.get(k);
    return typeof v === 'number' ? v : undefined;
  };
  const gridNx = num('PSFGRIDX') ?? 9;
  const gridNy = num('PSFGRIDY') ?? 9;
  const size = num('PSFSTAMP') ?? w / gridNx;
  if (!Number.isInteger(size) || size <= 0 || size * gridNx !== w || size * gridNy !== h) {
    throw new Error(
      `${context}: PSF image ${w}×${h} is not a ${gridNx}×${gridNy} grid of ${size}×${size} stamps ` +
        '(set PSFGRIDX, PSFGRIDY, PSFSTAMP in the header)',
    );
  }
  const stamps = new Float64Array(gridNx * gridNy * size * size);
  for (let iy = 0; iy < gridNy; iy++)
    for (let ix = 0; ix < gridNx; ix++) {
      const base = (iy * gridNx + ix) * size * size;
      let sum = 0;
      for (let y = 0; y < size; y++)
        for (let x = 0; x < size; x++) {
          const v = image.data[(iy * size + y) * w + ix * size + x];
          if (!Number.isFinite(v)) throw new Error(`${context}: PSF stamp (${ix}, ${iy}) has a non-finite value at (${x}, ${y})`);
          stamps[base + y * size + x] = v;
          sum += v;
        }
      if (!(sum > 0)) throw new Error(`${context}: PSF stamp (${ix}, ${iy}) sums to ${sum}, expected a positive total`);
    }
  return { gridNx, gridNy, size, quadNx: quadShape[1], quadNy: quadShape[0], stamps, context };
}

/** Centre of stamp (ix, iy) in 0-based quadrant pixels: x_i = nx/(2·grid_nx) + i·nx/grid_nx. */
export function stampCentre(grid: PsfGrid, ix: number, iy: number): [x: number, y: number] {
  return [grid.quadNx / (2 * grid.gridNx) + (ix * grid.quadNx) / grid.gridNx, grid.quadNy / (2 * grid.gridNy) + (iy * grid.quadNy) / grid.gridNy];
}

/** Fractional grid coordinate along one axis, clamped to the outermost stamp centres. */
function gridCoord(p: number, n: number, g: number): [i0: number, t: number] {
  const f = Math.min(g - 1, Math.max(0, (p - n / (2 * g)) / (n / g)));
  const i0 = Math.min(g - 2, Math.floor(f));
  return g === 1 ? [0, 0] : [i0, f - i0];
}

/** The unit-sum PSF at pixel (x, y): bilinear blend of the four surrounding stamps. */
export function psfAt(grid: PsfGrid, x: number, y: number): Float64Array {
  const s2 = grid.size * grid.size;
  const out = new Float64Array(s2);
  const [ix, tx] = gridCoord(x, grid.quadNx, grid.gridNx);
  const [iy, ty] = gridCoord(y, grid.quadNy, grid.gridNy);
  const corners: Array<[number, number, number]> = [
    [ix, iy, (1 - tx) * (1 - ty)],
    [ix + 1, iy, tx * (1 - ty)],
    [ix, iy + 1, (1 - tx) * ty],
    [ix + 1, iy + 1, tx * ty],
  ];
  for (const [cx, cy, w] of corners) {
    if (w === 0 || cx >= grid.gridNx || cy >= grid.gridNy) continue;
    const base = (cy * grid.gridNx + cx) * s2;
    for (let i = 0; i < s2; i++) out[i] += w * grid.stamps[base + i];
  }
  let sum = 0;
  for (let i = 0; i < s2; i++) sum += out[i];
  for (let i = 0; i < s2; i++) out[i] /= sum;
  return out;
}
