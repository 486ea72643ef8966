// Header cards: value types, string escapes, CONTINUE, HIERARCH, commentary cards, lookups.
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../storage/types';
import { Header, foldCards, parseCard } from './header';
import { openFits } from './index';
import { PRIMARY, card, concat, rawHeader } from './testing';

const ctx = { url: 'h.fits', hdu: "HDU 1 'SCI'" };
function header(cards: string[]): Header {
  return new Header(foldCards(cards.map((c) => parseCard(c.padEnd(80))!)), ctx);
}

describe('header cards', () => {
  it('parses logical, integer, float (E and D exponents), undefined and string values with comments', () => {
    const h = header([
      'SIMPLE  =                    T / conforms',
      'FLAG    =                    F',
      'NAXIS1  =                 2048 / length',
      'NEG     =                  -17',
      'GAIN    =              3.48E+00 / e-/ADU',
      'DEXP    =            1.25D-3',
      'PLAIN   = 0.5',
      "EXTNAME = '3-4.F.SCI'          / extension name",
      "QUOTE   = 'it''s a / slash'    / comment / with slash",
      "LEAD    = '  lead'",
      "EMPTY   = ''",
      'UNDEF   =                      / no value',
    ]);
    expect(h.get('SIMPLE')).toBe(true);
    expect(h.get('flag')).toBe(false);
    expect(h.num('NAXIS1')).toBe(2048);
    expect(h.num('NEG')).toBe(-17);
    expect(h.num('GAIN')).toBe(3.48);
    expect(h.num('DEXP')).toBe(0.00125);
    expect(h.num('PLAIN')).toBe(0.5);
    expect(h.str('EXTNAME')).toBe('3-4.F.SCI');
    expect(h.str('QUOTE')).toBe("it's a / slash");
    expect(h.cards.find((c) => c.key === 'QUOTE')!.comment).toBe('comment / with slash');
    expect(h.str('LEAD')).toBe('  lead');
    expect(h.str('EMPTY')).toBe('');
    expect(h.get('UNDEF')).toBeNull();
    expect(h.has('MISSING')).toBe(false);
    expect(h.num('MISSING', 7)).toBe(7);
  });

  it('folds CONTINUE long strings', () => {
    const h = header(["LONGSTR = 'This is the first part of a long string that goes &'", "CONTINUE  'on and on&'", "CONTINUE  ' and ends here.' / final"]);
    expect(h.str('LONGSTR')).toBe('This is the first part of a long string that goes on and on and ends here.');
    expect(h.cards).toHaveLength(1);
  });

  it('reads HIERARCH keywords by their long name, with or without the prefix', () => {
    const h = header(["HIERARCH ESO DET CHIP NAME = 'CCD-3'  / chip", 'HIERARCH ESO TEL AIRM START = 1.234']);
    expect(h.get('ESO DET CHIP NAME')).toBe('CCD-3');
    expect(h.get('HIERARCH ESO TEL AIRM START')).toBe(1.234);
    expect(h.get('hierarch eso det chip name')).toBe('CCD-3');
  });

  it('keeps COMMENT/HISTORY cards as text, even with "=" in column 9', () => {
    const h = header(['COMMENT   first comment', 'HISTORY = processed by x', 'COMMENT second', '        blank-key commentary']);
    expect(h.get('COMMENT')).toBe('  first comment\nsecond');
    expect(h.get('HISTORY')).toBe('= processed by x');
    expect(h.cards.filter((c) => c.value === null)).toHaveLength(4);
  });

  it('num() and str() errors name the file, HDU and keyword', () => {
    const h = header(["OBJECT  = 'M31'"]);
    expect(() => h.num('EXPTIME')).toThrow("h.fits: HDU 1 'SCI': header keyword EXPTIME is missing");
    expect(() => h.num('OBJECT')).toThrow(/OBJECT is not a number \("M31"\)/);
    expect(() => h.str('FILTER')).toThrow(/FILTER is missing/);
  });

  it('reads a header spanning several blocks through openFits', async () => {
    const many = Array.from({ length: 100 }, (_, i) => card(`KEY${i}`, i * 0.5));
    const bytes = concat(rawHeader([...PRIMARY, ...many, "LONG    = 'abc&'", "CONTINUE  'def'"]));
    const f = await openFits(new MemorySource('multi.fits', bytes));
    expect(f.hdus).toHaveLength(1);
    expect(f.hdus[0]!.header.num('KEY99')).toBe(49.5);
    expect(f.hdus[0]!.header.str('LONG')).toBe('abcdef');
    expect(f.hdus[0]!.dataOffset).toBe(3 * 2880); // 107 cards → 3 blocks
  });
});
