import { describe, expect, it } from 'vitest';
import { aduPerMicroJy } from './flux';

const header = (cards: Record<string, unknown>) => ({ get: (k: string) => cards[k] });

describe('aduPerMicroJy', () => {
  it('matches a hand computation', () => {
    // ZP 24.6, 565 s: 10^((24.6 - 23.9)/2.5) * 565 = 10^0.28 * 565 = 1.9054607179632472 * 565
    const f = aduPerMicroJy(header({ MAGZEROP: 24.6, EXPTIME: 565 }), 'x.fits[3-4.F.SCI]');
    expect(f).toBeCloseTo(1.9054607179632472 * 565, 9);
    // ZP 23.9 and 1 s: 1 µJy is one ADU.
    expect(aduPerMicroJy(header({ MAGZEROP: 23.9, EXPTIME: 1 }), 'x')).toBeCloseTo(1, 14);
    // 5 magnitudes brighter zero point: 100× the ADU.
    expect(aduPerMicroJy(header({ MAGZEROP: 28.9, EXPTIME: '2' }), 'x')).toBeCloseTo(200, 10);
  });

  it('names the missing or bad keyword and the HDU', () => {
    expect(() => aduPerMicroJy(header({ EXPTIME: 565 }), 'a.fits[3-4.F.SCI]')).toThrow('a.fits[3-4.F.SCI]: header keyword MAGZEROP is missing');
    expect(() => aduPerMicroJy(header({ MAGZEROP: 24.6 }), 'a.fits[3-4.F.SCI]')).toThrow('a.fits[3-4.F.SCI]: header keyword EXPTIME is missing');
    expect(() => aduPerMicroJy(header({ MAGZEROP: 'abc', EXPTIME: 1 }), 'h')).toThrow('MAGZEROP = "abc" is not a number');
    expect(() => aduPerMicroJy(header({ MAGZEROP: 24, EXPTIME: 0 }), 'h')).toThrow('EXPTIME = 0 must be positive');
  });
});
