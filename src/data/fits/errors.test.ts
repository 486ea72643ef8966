// Bad input: each error names the file (and HDU) and says what is wrong.
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../storage/types';
import { encodeFits, openFits } from './index';
import { PRIMARY, card, concat, fixtureSource, rawData, rawHeader } from './testing';

const img = (extname: string, bitpix = 16, nx = 10, ny = 4) => [
  card('XTENSION', 'IMAGE'), card('BITPIX', bitpix), card('NAXIS', 2), card('NAXIS1', nx), card('NAXIS2', ny),
  card('PCOUNT', 0), card('GCOUNT', 1), card('EXTNAME', extname),
];
const src = (name: string, b: Uint8Array) => new MemorySource(name, b);

describe('FITS errors', () => {
  it('truncated file: header cut inside a block', async () => {
    const full = concat(rawHeader(PRIMARY), rawHeader(img('SCI')), rawData(new Uint8Array(80)));
    const cut = full.subarray(0, 2880 + 1000);
    await expect(openFits(src('cut.fits', cut))).rejects.toThrow(/^cut\.fits: truncated file: the header of HDU 1 .*before END/);
  });

  it('truncated file: a real fixture cut in the middle of the big HDU → data shorter than NAXIS says', async () => {
    const whole = fixtureSource('bitpix.fits');
    const bytes = await whole.read(0, 6_000_000);
    const f = await openFits(src('bitpix-cut.fits', bytes));
    await expect(f.readImage('3-4.F.SCI')).rejects.toThrow(
      /^bitpix-cut\.fits: HDU 5 '3-4\.F\.SCI': data shorter than NAXIS says: needs 16924672 bytes/,
    );
  });

  it('not FITS: first card is not SIMPLE', async () => {
    const b = new TextEncoder().encode('<html><body>404 not found</body></html>'.padEnd(3000));
    await expect(openFits(src('page.fits', b))).rejects.toThrow(/^page\.fits: not a FITS file: the first card is '<html>.*expected 'SIMPLE  = T'/);
    await expect(openFits(src('empty.fits', new Uint8Array(0)))).rejects.toThrow(/^empty\.fits: not a FITS file: the file is empty/);
    await expect(openFits(src('bin.fits', new Uint8Array(2880).fill(7)))).rejects.toThrow(/not a FITS file: the first card is binary data/);
  });

  it('missing END: header runs into data or to the end of the file', async () => {
    const noEnd = concat(rawHeader(PRIMARY), rawHeader(img('SCI'), false), rawData(new Uint8Array(80).fill(200)));
    await expect(openFits(src('noend.fits', noEnd))).rejects.toThrow(/^noend\.fits: missing END card: the header of HDU 1 \(from byte 2880\) has no END/);
    const noEnd2 = rawHeader(PRIMARY, false);
    await expect(openFits(src('noend2.fits', noEnd2))).rejects.toThrow(/^noend2\.fits: missing END card: the header of HDU 0 .*without END/);
  });

  it('data shorter than NAXIS says', async () => {
    const b = concat(rawHeader(PRIMARY), rawHeader(img('SCI', 16, 100, 100)), new Uint8Array(5000));
    const f = await openFits(src('short.fits', b));
    await expect(f.readImage('SCI')).rejects.toThrow("short.fits: HDU 1 'SCI': data shorter than NAXIS says: needs 20000 bytes from byte 5760, the file holds only 5000");
  });

  it('unknown BITPIX', async () => {
    const b = concat(rawHeader(PRIMARY), rawHeader(img('SCI', 12)), rawData(new Uint8Array(80)));
    await expect(openFits(src('bp.fits', b))).rejects.toThrow("bp.fits: HDU 1 'SCI': unknown BITPIX 12 (expected one of 8, 16, 32, 64, -32, -64)");
  });

  it('HDU name not found lists the EXTNAMEs present', async () => {
    const f = await openFits(fixtureSource('exposure.fits.gz'));
    expect(() => f.hdu('3-4.F.RMS')).toThrow("exposure.fits.gz: no HDU named '3-4.F.RMS' (HDUs present: 0 PRIMARY, 1 3-4.F.SCI, 2 3-4.F.FLG)");
    expect(() => f.hdu(7)).toThrow(/no HDU with index 7 \(HDUs present: 0 PRIMARY/);
    await expect(f.readImage('NOPE')).rejects.toThrow(/no HDU named 'NOPE'/);
  });

  it('table column not found lists the columns', async () => {
    const f = await openFits(fixtureSource('catalogue.fits'));
    const t = await f.readTable('CATALOGUE');
    expect(t.column('OBJECT_ID')).toBe(t.column('object_id'));
    expect(() => t.column('semimajor_axis')).toThrow(
      "catalogue.fits: HDU 1 'CATALOGUE': no column 'semimajor_axis' (columns present: object_id, right_ascension, declination, flux_detection_total, vis_det, det_quality_flag, point_like_flag, spurious_flag, tile_name, vec3)",
    );
  });

  it('wrong HDU kind and bad row ranges are named', async () => {
    const f = await openFits(src('w.fits', encodeFits([{ kind: 'image', data: new Float32Array(4), shape: [2, 2] }])));
    await expect(f.readImage(0)).rejects.toThrow("w.fits: HDU 0 'PRIMARY' has no image data (NAXIS = 0)");
    await expect(f.readTable(1)).rejects.toThrow('w.fits: HDU 1 is not a table');
    const c = await openFits(fixtureSource('catalogue.fits'));
    await expect(c.readTable(1, [10, 300])).rejects.toThrow(/row range 10:300 is outside the table's 257 rows/);
  });

  it('corrupt gzip is named', async () => {
    const gz = (await fixtureSource('exposure.fits.gz').read(0, 1000)).slice();
    await expect(openFits(src('x.fits.gz', gz))).rejects.toThrow(/^x\.fits\.gz: gzip-compressed but cannot be inflated/);
  });
});
