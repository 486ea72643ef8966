// Primary/IMAGE HDU pixels: big-endian raw values → physical values (BSCALE/BZERO, BLANK → NaN).
import type { Header } from './header';

export const BITPIXES = [8, 16, 32, 64, -32, -64] as const;

export interface Scaling {
  bscale: number;
  bzero: number;
  /** Raw integer value marking undefined pixels (BLANK / ZBLANK), if any. */
  blank?: number;
}

export function imageScaling(h: Header, bitpix: number): Scaling {
  const s: Scaling = { bscale: h.num('BSCALE', 1), bzero: h.num('BZERO', 0) };
  if (bitpix > 0 && h.has('BLANK')) s.blank = h.num('BLANK');
  return s;
}

/** Integer images whose physical values are exact in float32 get a Float32Array (half the memory). */
export function outputArray(bitpix: number, s: Scaling, n: number): Float32Array | Float64Array {
  if (bitpix === -32 && s.bscale === 1 && s.bzero === 0) return new Float32Array(n);
  const smallInt = bitpix === 8 || bitpix === 16;
  if (smallInt && s.bscale === 1 && Number.isInteger(s.bzero) && Math.abs(s.bzero) <= 65536) return new Float32Array(n);
  return new Float64Array(n);
}

/** Decode `n` big-endian pixels of type `bitpix` from `raw`. */
export function decodeImage(raw: Uint8Array, bitpix: number, n: number, s: Scaling): Float32Array | Float64Array {
  const out = outputArray(bitpix, s, n);
  const { bscale, bzero, blank } = s;
  const scaled = bscale !== 1 || bzero !== 0;
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (bitpix === -32 || bitpix === -64) {
    const w = bitpix === -32 ? 4 : 8;
    if (!scaled && (w === 4) === out instanceof Float32Array) {
      // Byte-swap straight into the output's buffer: the fast path for float images.
      const o8 = new Uint8Array(out.buffer);
      for (let i = 0; i < n * w; i += w) for (let k = 0; k < w; k++) o8[i + k] = raw[i + w - 1 - k]!;
      return out;
    }
    for (let i = 0; i < n; i++) {
      const v = w === 4 ? dv.getFloat32(i * 4, false) : dv.getFloat64(i * 8, false);
      out[i] = v * bscale + bzero;
    }
    return out;
  }
  const hasBlank = blank !== undefined;
  switch (bitpix) {
    case 8:
      for (let i = 0; i < n; i++) {
        const v = raw[i]!;
        out[i] = hasBlank && v === blank ? NaN : v * bscale + bzero;
      }
      break;
    case 16:
      for (let i = 0; i < n; i++) {
        const v = dv.getInt16(i * 2, false);
        out[i] = hasBlank && v === blank ? NaN : v * bscale + bzero;
      }
      break;
    case 32:
      for (let i = 0; i < n; i++) {
        const v = dv.getInt32(i * 4, false);
        out[i] = hasBlank && v === blank ? NaN : v * bscale + bzero;
      }
      break;
    case 64: {
      // hi·2^32 + lo is exact below 2^53 and correctly rounded above; BLANK compared on the exact halves.
      let bhi = NaN;
      let blo = NaN;
      if (hasBlank) {
        const b = BigInt.asIntN(64, BigInt(blank));
        bhi = Number(b >> 32n);
        blo = Number(b & 0xffffffffn);
      }
      for (let i = 0; i < n; i++) {
        const hi = dv.getInt32(i * 8, false);
        const lo = dv.getUint32(i * 8 + 4, false);
        out[i] = hi === bhi && lo === blo ? NaN : (hi * 4294967296 + lo) * bscale + bzero;
      }
      break;
    }
    default:
      throw new Error(`unknown BITPIX ${bitpix}`);
  }
  return out;
}
