// Scales of the small line charts (loss curve, parameter sparklines): pure, tested in Node.

export interface Series {
  xs: number[];
  ys: number[];
}

/**
 * SVG polyline points for a series in a w×h box. log: log10 of y (values ≤ 0 and non-finite left
 * out); a flat series is drawn mid-height.
 */
export function polylinePoints(s: Series, w: number, h: number, opts: { log?: boolean; pad?: number } = {}): { points: string; lo: number; hi: number } {
  const pad = opts.pad ?? 2;
  const xs: number[] = [];
  const ys: number[] = [];
  s.xs.forEach((x, i) => {
    const y = s.ys[i];
    if (!Number.isFinite(y) || !Number.isFinite(x) || (opts.log && !(y > 0))) return;
    xs.push(x);
    ys.push(opts.log ? Math.log10(y) : y);
  });
  if (xs.length === 0) return { points: '', lo: NaN, hi: NaN };
  const x0 = Math.min(...xs), x1 = Math.max(...xs);
  const y0 = Math.min(...ys), y1 = Math.max(...ys);
  const sx = (x: number) => (x1 > x0 ? pad + ((x - x0) / (x1 - x0)) * (w - 2 * pad) : w / 2);
  const sy = (y: number) => (y1 > y0 ? h - pad - ((y - y0) / (y1 - y0)) * (h - 2 * pad) : h / 2);
  const points = xs.map((x, i) => `${sx(x).toFixed(1)},${sy(ys[i]).toFixed(1)}`).join(' ');
  return { points, lo: opts.log ? 10 ** y0 : y0, hi: opts.log ? 10 ** y1 : y1 };
}

/**
 * What the loss chart plots on its log axis: loss − min + 1 when the loss is not positive
 * throughout (a negative log density can be), the loss itself otherwise.
 */
export function logLoss(losses: number[]): { values: number[]; shifted: boolean } {
  const finite = losses.filter(Number.isFinite);
  const min = finite.length ? Math.min(...finite) : 0;
  if (min > 0) return { values: losses, shifted: false };
  return { values: losses.map((l) => l - min + 1), shifted: true };
}
