// Rice decoder on streams assembled bit by bit from the algorithm's description (the int32 path is
// covered against astropy by compressed.fits.fz in the acceptance test).
import { describe, expect, it } from 'vitest';
import { riceDecode } from './rice';

describe('riceDecode', () => {
  it('low-entropy (all differences 0) and high-entropy (raw 16-bit) blocks, BYTEPIX 2', () => {
    // start 1000; block 1: fs field 0000 → four times 1000; block 2: 1111 (fsmax) then raw zig-zag
    // differences +5→10, −3→5, 0→0, +1→2.
    const b = Uint8Array.from([0x03, 0xe8, 0x0f, 0x00, 0x0a, 0x00, 0x05, 0x00, 0x00, 0x00, 0x02]);
    expect(Array.from(riceDecode(b, 8, 4, 2))).toEqual([1000, 1000, 1000, 1000, 1005, 1002, 1002, 1003]);
  });

  it('split codes: unary high part + fs low bits, BYTEPIX 2 (signed wrap)', () => {
    // start 0; fs field 0010 (fs=1); −2 → mapped 3 → "01"+"1"; +2 → mapped 4 → "001"+"0".
    // bits 0010 011 0010 → 0x26 0x40
    const b = Uint8Array.from([0x00, 0x00, 0x26, 0x40]);
    expect(Array.from(riceDecode(b, 2, 32, 2))).toEqual([-2, 0]);
  });

  it('BYTEPIX 1 values wrap to unsigned bytes', () => {
    // start 255; fs field (3 bits) 111 = fsmax+1 → raw 8-bit: +1 → mapped 2 → wraps 255+1 → 0.
    const b = Uint8Array.from([0xff, 0b11100000, 0b01000000]);
    expect(Array.from(riceDecode(b, 1, 32, 1))).toEqual([0]);
  });

  it('rejects unsupported BYTEPIX', () => {
    expect(() => riceDecode(new Uint8Array(8), 1, 32, 8)).toThrow(/BYTEPIX 8/);
  });
});
