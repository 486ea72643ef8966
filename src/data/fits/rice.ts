// Rice decompression of one tile (the RICE_1 algorithm of the FITS tiled-image convention,
// written from its description: first pixel verbatim, then blocks of first differences, each
// block starting with a code-length field fs: fs = −1 → all differences 0, fs = fsmax → raw
// differences, otherwise each difference is a unary high part plus fs low bits; differences
// are zig-zag mapped (even → +d/2, odd → −(d+1)/2)).

const PARAMS: Record<number, { fsbits: number; fsmax: number; bbits: number }> = {
  1: { fsbits: 3, fsmax: 6, bbits: 8 },
  2: { fsbits: 4, fsmax: 14, bbits: 16 },
  4: { fsbits: 5, fsmax: 25, bbits: 32 },
};

/**
 * Decode `npix` pixels. Values come out as bytepix-wide integers: unsigned for 1, signed for 2 and 4.
 * Throws (message without file name; the caller adds it) on a stream that ends early.
 */
export function riceDecode(input: Uint8Array, npix: number, blocksize: number, bytepix: number): Int32Array {
  const prm = PARAMS[bytepix];
  if (!prm) throw new Error(`Rice BYTEPIX ${bytepix} is not supported (1, 2 or 4)`);
  const { fsbits, fsmax, bbits } = prm;
  const out = new Int32Array(npix);
  if (input.length < bytepix + 1) throw new Error(`Rice tile of ${input.length} bytes is too short`);
  const wrap = bytepix === 4 ? (v: number) => v | 0 : bytepix === 2 ? (v: number) => (v << 16) >> 16 : (v: number) => v & 0xff;

  let p = 0;
  let lastpix = 0;
  for (let k = 0; k < bytepix; k++) lastpix = lastpix * 256 + input[p++]!;
  lastpix = wrap(lastpix);
  // b holds the `nbits` not yet consumed low bits of the stream.
  let b = input[p++]!;
  let nbits = 8;
  const end = input.length;
  const next = (): number => (p < end ? input[p++]! : (p++, 0));

  for (let i = 0; i < npix; ) {
    nbits -= fsbits;
    while (nbits < 0) {
      b = (b << 8) | next();
      nbits += 8;
    }
    const fs = (b >>> nbits) - 1;
    b &= (1 << nbits) - 1;
    const imax = Math.min(i + blocksize, npix);
    if (fs < 0) {
      for (; i < imax; i++) out[i] = lastpix;
    } else if (fs === fsmax) {
      for (; i < imax; i++) {
        let k = bbits - nbits;
        let diff = k >= 32 ? 0 : (b << k) >>> 0;
        for (k -= 8; k >= 0; k -= 8) diff = (diff | (next() << k)) >>> 0;
        if (nbits > 0) {
          b = next();
          diff = (diff | (b >>> -k)) >>> 0;
          b &= (1 << nbits) - 1;
        } else b = 0;
        const d = (diff & 1) === 0 ? diff >>> 1 : ~(diff >>> 1);
        lastpix = wrap(d + lastpix);
        out[i] = lastpix;
      }
    } else {
      for (; i < imax; i++) {
        while (b === 0) {
          nbits += 8;
          b = next();
          if (p > end + 4) throw new Error('Rice tile ends before all pixels were decoded');
        }
        const top = 32 - Math.clz32(b); // bits in b up to and including its highest 1
        const nzero = nbits - top;
        nbits -= nzero + 1;
        b ^= 1 << nbits;
        nbits -= fs;
        while (nbits < 0) {
          b = (b << 8) | next();
          nbits += 8;
        }
        const diff = (nzero * 2 ** fs + (b >>> nbits)) >>> 0;
        b &= (1 << nbits) - 1;
        const d = (diff & 1) === 0 ? diff >>> 1 : ~(diff >>> 1);
        lastpix = wrap(d + lastpix);
        out[i] = lastpix;
      }
    }
    if (p > end + 1) throw new Error(`Rice tile ends before all ${npix} pixels were decoded`);
  }
  return out;
}
