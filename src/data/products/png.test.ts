// PNG encoder and diagnostics image, decoded back independently (chunk walk, node:zlib CRC-32,
// fflate inflate, filter-0 rows).
import { unzlibSync } from 'fflate';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BACKGROUND, MASKED, asinhStretch, diagnosticsPng, divergingColour, downsample, percentile } from './diagnostics';
import { crc32, encodePng } from './png';

interface Decoded {
  width: number;
  height: number;
  colourType: number;
  pixels: Uint8Array;
  chunks: string[];
}

/** Minimal PNG decoder for 8-bit, non-interlaced, filter-0 images; checks every chunk CRC. */
function decodePng(b: Uint8Array): Decoded {
  expect(Array.from(b.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let at = 8;
  let width = 0, height = 0, colourType = -1;
  const idat: Uint8Array[] = [];
  const chunks: string[] = [];
  while (at < b.length) {
    const len = dv.getUint32(at);
    const type = String.fromCharCode(...b.subarray(at + 4, at + 8));
    chunks.push(type);
    const body = b.subarray(at + 8, at + 8 + len);
    expect(dv.getUint32(at + 8 + len), `CRC of ${type}`).toBe(zlibCrc32(b.subarray(at + 4, at + 8 + len)));
    if (type === 'IHDR') {
      width = new DataView(body.buffer, body.byteOffset).getUint32(0);
      height = new DataView(body.buffer, body.byteOffset).getUint32(4);
      expect(body[8]).toBe(8);
      colourType = body[9]!;
      expect([body[10], body[11], body[12]]).toEqual([0, 0, 0]);
    } else if (type === 'IDAT') idat.push(body.slice());
    at += 12 + len;
  }
  const z = new Uint8Array(idat.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of idat) (z.set(c, o), (o += c.length));
  const raw = unzlibSync(z);
  const ch = colourType === 2 ? 3 : 1;
  const stride = width * ch;
  expect(raw.length).toBe((stride + 1) * height);
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (stride + 1)]).toBe(0);
    pixels.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, colourType, pixels, chunks };
}

describe('PNG encoder', () => {
  it('crc32 matches node:zlib and the "123456789" check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const b = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) & 255);
    expect(crc32(b)).toBe(zlibCrc32(b));
  });

  it('RGB and greyscale images decode back pixel for pixel', () => {
    const w = 7, h = 5;
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 31 + 7) & 255);
    const d = decodePng(encodePng(w, h, rgb, 3));
    expect([d.width, d.height, d.colourType]).toEqual([w, h, 2]);
    expect(d.chunks).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(Array.from(d.pixels)).toEqual(Array.from(rgb));
    const grey = Uint8Array.from({ length: w * h }, (_, i) => i * 5);
    const g = decodePng(encodePng(w, h, grey, 1));
    expect(g.colourType).toBe(0);
    expect(Array.from(g.pixels)).toEqual(Array.from(grey));
    expect(() => encodePng(2, 2, new Uint8Array(5), 3)).toThrow(/5 bytes for 2×2×3/);
  });
});

describe('diagnostics helpers', () => {
  it('percentile matches a direct sort with linear interpolation, ignoring NaN', () => {
    const v = [5, NaN, 1, 4, 2, 3];
    expect(percentile(v, 0)).toBe(1);
    expect(percentile(v, 100)).toBe(5);
    expect(percentile(v, 50)).toBe(3);
    expect(percentile(v, 10)).toBeCloseTo(1.4, 12);
  });
  it('downsample: block means (NaN ignored), ragged edges, sqrt normalisation', () => {
    // 5×3 image, factor 2 → 3×2.
    const img = [1, 2, 3, 4, 5, 6, 7, 8, NaN, 10, 11, 12, 13, 14, 15];
    const d = downsample(img, 5, 3, 2);
    expect([d.nx, d.ny]).toEqual([3, 2]);
    expect(Array.from(d.data)).toEqual([(1 + 2 + 6 + 7) / 4, (3 + 4 + 8) / 3, (5 + 10) / 2, (11 + 12) / 2, (13 + 14) / 2, 15]);
    expect(downsample([1, 1, 1, 1], 2, 2, 2, 'sqrt').data[0]).toBe(2);
  });
  it('asinh stretch is 0 at lo, 1 at hi, monotone, and clips', () => {
    expect(asinhStretch(0, 0, 10, 0.1)).toBe(0);
    expect(asinhStretch(10, 0, 10, 0.1)).toBeCloseTo(1, 14);
    expect(asinhStretch(20, 0, 10, 0.1)).toBeCloseTo(1, 14);
    expect(asinhStretch(1, 0, 10, 0.1)).toBeCloseTo(Math.asinh(1) / Math.asinh(10), 14);
    expect(divergingColour(0)).toEqual([247, 247, 247]);
    expect(divergingColour(-2)).toEqual([33, 102, 172]);
    expect(divergingColour(1)).toEqual([178, 24, 43]);
  });
});

describe('diagnosticsPng', () => {
  it('rows = quadrants, columns = observed | model | residual, FITS y up, masked pixels marked', () => {
    const gap = 4;
    // Quadrant A: 10×6 ramp, model equals observed except one pixel; one masked pixel.
    const nx = 10, ny = 6;
    const obs = Float32Array.from({ length: nx * ny }, (_, i) => i);
    const mod = Float32Array.from(obs);
    mod[2 * nx + 3] = obs[2 * nx + 3]! - 5; // positive residual at (x=3, y=2)
    const mask = new Uint8Array(nx * ny);
    mask[0] = 1; // (0,0): bottom-left in the PNG
    // Quadrant B: 1100×20 (downsampled by 3 → 367×7), constant.
    const bx = 1100, by = 20;
    const bObs = new Float32Array(bx * by).fill(2);
    const png = diagnosticsPng(
      [
        { label: 'A', nx, ny, observed: obs, model: mod, mask },
        { label: 'B', nx: bx, ny: by, observed: bObs, model: bObs },
      ],
      { maxPanel: 512, gap },
    );
    const d = decodePng(png);
    const cellW = Math.ceil(bx / 3);
    expect(d.width).toBe(3 * cellW + 4 * gap);
    expect(d.height).toBe(ny + Math.ceil(by / 3) + 3 * gap);
    const px = (x: number, y: number) => Array.from(d.pixels.subarray((y * d.width + x) * 3, (y * d.width + x) * 3 + 3));
    // Panel A pixel (x, yFits) in column c sits at PNG (gap + c*(cellW+gap) + x, gap + ny-1-yFits).
    const at = (c: number, x: number, yFits: number) => px(gap + c * (cellW + gap) + x, gap + ny - 1 - yFits);
    expect(px(0, 0)).toEqual([...BACKGROUND]);
    for (const c of [0, 1, 2]) expect(at(c, 0, 0)).toEqual([...MASKED]);
    // Brightest observed pixel (top-right in FITS) is white; a faint one is grey; grey panels have r=g=b.
    expect(at(0, nx - 1, ny - 1)).toEqual([255, 255, 255]);
    const v = at(0, 2, 1);
    expect(v[0]).toBe(v[1]);
    expect(v[0]).toBeGreaterThan(0);
    expect(v[0]).toBeLessThan(255);
    // Observed and model share the stretch: identical where they agree.
    expect(at(1, 2, 1)).toEqual(v);
    // Residual: zero → the diverging map's white; the one positive residual → red end (limit = 99th percentile of |res|).
    expect(at(2, 5, 4)).toEqual([247, 247, 247]);
    expect(at(2, 3, 2)).toEqual([178, 24, 43]);
    // Quadrant B (constant, zero residual) below A; columns beyond its own width are background only where cellW exceeds it.
    const yB = gap + ny + gap;
    expect(px(gap + 2 * (cellW + gap), yB)).toEqual([247, 247, 247]);
    // Determinism.
    expect(Buffer.from(diagnosticsPng([{ nx, ny, observed: obs, model: mod, mask }])).equals(Buffer.from(diagnosticsPng([{ nx, ny, observed: obs, model: mod, mask }])))).toBe(true);
  });

  it('with rms the residual is in σ: +5σ saturates red, -2.5σ is halfway to blue', () => {
    const nx = 4, ny = 1;
    const obs = Float32Array.from([0, 10, 0, 0]);
    const mod = Float32Array.from([0, 0, 5, 0]);
    const rms = Float32Array.from([2, 2, 2, 2]);
    const d = decodePng(diagnosticsPng([{ nx, ny, observed: obs, model: mod, rms }], { gap: 0 }));
    const res = (x: number) => Array.from(d.pixels.subarray((2 * nx + x) * 3, (2 * nx + x) * 3 + 3));
    expect(res(1)).toEqual([178, 24, 43]);
    expect(res(2)).toEqual(divergingColour(-0.5));
    expect(res(2)).toEqual([Math.round(247 + 0.5 * (33 - 247)), Math.round(247 + 0.5 * (102 - 247)), Math.round(247 + 0.5 * (172 - 247))]);
  });

  it('bad input is reported', () => {
    expect(() => diagnosticsPng([])).toThrow(/no quadrant panels/);
    expect(() => diagnosticsPng([{ label: 'q1', nx: 3, ny: 3, observed: new Float32Array(9), model: new Float32Array(8) }])).toThrow(/q1 model has 8 values, expected 3×3 = 9/);
  });
});
