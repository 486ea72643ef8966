// diagnostics_{tile}_{row}_{col}.png: one row per quadrant, columns observed | model | residual.
// Observed and model share one asinh stretch between percentiles of the observed image (a zscale-like
// choice robust to bright stars); residuals use a diverging map symmetric about zero.
import { encodePng } from './png';

export interface DiagnosticPanel {
  /** Quadrant name, kept for the caller's listing (no text is drawn). */
  label?: string;
  nx: number;
  ny: number;
  /** Row-major, index = y*nx + x (same layout as FITS images). */
  observed: ArrayLike<number>;
  model: ArrayLike<number>;
  /** When given, residuals are shown in units of σ (limits ±residualSigma); else by percentiles. */
  rms?: ArrayLike<number>;
  /** Non-zero = pixel left out of the fit (shown in the mask colour in all three panels). */
  mask?: ArrayLike<number>;
}

export interface DiagnosticsOptions {
  /** Largest panel side in pixels after block-averaging (default 512). */
  maxPanel?: number;
  /** Gap between panels, pixels (default 4). */
  gap?: number;
  /** Percentiles of the observed image mapped to black and white (default 0.5, 99.5). */
  percentiles?: [number, number];
  /** asinh softening as a fraction of the range (default 0.1; larger = closer to linear). */
  asinhBeta?: number;
  /** Residual colour limit in σ when rms is given (default 5). */
  residualSigma?: number;
}

export const BACKGROUND: readonly [number, number, number] = [32, 32, 32];
export const MASKED: readonly [number, number, number] = [90, 60, 110];

/** p-th percentile (0-100) of the finite values, linear interpolation; NaN when none. Samples ≤ ~200k values (strided, deterministic). */
export function percentile(values: ArrayLike<number>, p: number): number {
  const step = Math.max(1, Math.floor(values.length / 200_000));
  const v: number[] = [];
  for (let i = 0; i < values.length; i += step) if (Number.isFinite(values[i]!)) v.push(values[i]!);
  if (v.length === 0) return NaN;
  v.sort((a, b) => a - b);
  const x = (Math.min(100, Math.max(0, p)) / 100) * (v.length - 1);
  const i = Math.floor(x);
  return i + 1 < v.length ? v[i]! + (x - i) * (v[i + 1]! - v[i]!) : v[i]!;
}

/**
 * Block-average by an integer factor f (NaNs ignored; a block of only NaNs stays NaN).
 * `norm` 'mean' averages; 'sqrt' divides the sum by √n so unit-variance noise stays unit variance.
 */
export function downsample(data: ArrayLike<number>, nx: number, ny: number, f: number, norm: 'mean' | 'sqrt' = 'mean'): { data: Float64Array; nx: number; ny: number } {
  const ox = Math.ceil(nx / f);
  const oy = Math.ceil(ny / f);
  const sum = new Float64Array(ox * oy);
  const cnt = new Uint32Array(ox * oy);
  for (let y = 0; y < ny; y++) {
    const row = Math.floor(y / f) * ox;
    for (let x = 0; x < nx; x++) {
      const v = data[y * nx + x]!;
      if (!Number.isFinite(v)) continue;
      const o = row + Math.floor(x / f);
      sum[o]! += v;
      cnt[o]! += 1;
    }
  }
  for (let i = 0; i < sum.length; i++) sum[i] = cnt[i] ? sum[i]! / (norm === 'mean' ? cnt[i]! : Math.sqrt(cnt[i]!)) : NaN;
  return { data: sum, nx: ox, ny: oy };
}

/** asinh stretch of x between lo and hi to [0, 1]. */
export function asinhStretch(x: number, lo: number, hi: number, beta: number): number {
  const span = hi - lo;
  if (!(span > 0)) return x > lo ? 1 : 0;
  const t = Math.min(1, Math.max(0, (x - lo) / span));
  return Math.asinh(t / beta) / Math.asinh(1 / beta);
}

// RdBu-like end and middle colours.
const NEG = [33, 102, 172];
const MID = [247, 247, 247];
const POS = [178, 24, 43];

/** Diverging colour of t in [-1, 1] (clipped): blue — white — red. */
export function divergingColour(t: number): [number, number, number] {
  const s = Math.min(1, Math.max(-1, t));
  const end = s < 0 ? NEG : POS;
  const a = Math.abs(s);
  return [0, 1, 2].map((k) => Math.round(MID[k]! + a * (end[k]! - MID[k]!))) as [number, number, number];
}

interface Rendered {
  w: number;
  h: number;
  rgb: [Uint8Array, Uint8Array, Uint8Array];
}

function renderPanel(p: DiagnosticPanel, o: Required<DiagnosticsOptions>): Rendered {
  const n = p.nx * p.ny;
  for (const [name, a] of [['observed', p.observed], ['model', p.model], ['rms', p.rms], ['mask', p.mask]] as const) {
    if (a && a.length !== n) throw new Error(`diagnostics: panel ${p.label ?? ''} ${name} has ${a.length} values, expected ${p.nx}×${p.ny} = ${n}`);
  }
  const bad = (i: number) => (p.mask !== undefined && p.mask[i] !== 0) || !Number.isFinite(p.observed[i]!) || (p.rms !== undefined && !(p.rms[i]! > 0));
  const obs = new Float64Array(n);
  const mod = new Float64Array(n);
  const res = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (bad(i)) {
      obs[i] = mod[i] = res[i] = NaN;
      continue;
    }
    obs[i] = p.observed[i]!;
    mod[i] = p.model[i]!;
    res[i] = p.rms ? (obs[i]! - mod[i]!) / p.rms[i]! : obs[i]! - mod[i]!;
  }
  const f = Math.max(1, Math.ceil(Math.max(p.nx, p.ny) / o.maxPanel));
  const O = downsample(obs, p.nx, p.ny, f);
  const M = downsample(mod, p.nx, p.ny, f);
  const R = downsample(res, p.nx, p.ny, f, p.rms ? 'sqrt' : 'mean');
  const lo = percentile(O.data, o.percentiles[0]);
  const hi = percentile(O.data, o.percentiles[1]);
  let lim = p.rms ? o.residualSigma : percentile(R.data.map(Math.abs), 99);
  if (!(lim > 0)) lim = 1;
  const m = O.nx * O.ny;
  const out: Rendered['rgb'] = [new Uint8Array(m * 3), new Uint8Array(m * 3), new Uint8Array(m * 3)];
  for (let i = 0; i < m; i++) {
    const cols: Array<readonly number[]> = Number.isNaN(O.data[i]!)
      ? [MASKED, MASKED, MASKED]
      : [
          [0, 0, 0].fill(Math.round(255 * asinhStretch(O.data[i]!, lo, hi, o.asinhBeta))),
          [0, 0, 0].fill(Math.round(255 * asinhStretch(M.data[i]!, lo, hi, o.asinhBeta))),
          divergingColour(R.data[i]! / lim),
        ];
    for (let k = 0; k < 3; k++) out[k]!.set(cols[k]!, i * 3);
  }
  return { w: O.nx, h: O.ny, rgb: out };
}

/** The diagnostics PNG: rows = panels (quadrants), columns = observed, model, residual. */
export function diagnosticsPng(panels: DiagnosticPanel[], opts: DiagnosticsOptions = {}): Uint8Array {
  if (panels.length === 0) throw new Error('diagnostics: no quadrant panels to draw');
  const o: Required<DiagnosticsOptions> = {
    maxPanel: opts.maxPanel ?? 512,
    gap: opts.gap ?? 4,
    percentiles: opts.percentiles ?? [0.5, 99.5],
    asinhBeta: opts.asinhBeta ?? 0.1,
    residualSigma: opts.residualSigma ?? 5,
  };
  const rendered = panels.map((p) => renderPanel(p, o));
  const cellW = Math.max(...rendered.map((r) => r.w));
  const W = 3 * cellW + 4 * o.gap;
  const H = rendered.reduce((a, r) => a + r.h, 0) + (rendered.length + 1) * o.gap;
  const img = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) img.set(BACKGROUND, i * 3);
  let y0 = o.gap;
  for (const r of rendered) {
    for (let c = 0; c < 3; c++) {
      const x0 = o.gap + c * (cellW + o.gap);
      // FITS y grows upwards (as ds9 shows it), PNG rows go down: flip.
      for (let y = 0; y < r.h; y++) img.set(r.rgb[c]!.subarray(y * r.w * 3, (y + 1) * r.w * 3), ((y0 + r.h - 1 - y) * W + x0) * 3);
    }
    y0 += r.h + o.gap;
  }
  return encodePng(W, H, img, 3);
}
