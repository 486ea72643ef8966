// Files we write must open in astropy without a single warning (an independent reader).
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFits } from './index';
import { runAstropy } from '../../testing/astropy';

const CHECK = `
import sys, json, warnings
warnings.simplefilter('error')
from astropy.io import fits
import numpy as np
out = []
with fits.open(sys.argv[1]) as hl:
    hl.verify('exception')
    for h in hl:
        d = {'name': h.name, 'type': type(h).__name__}
        if isinstance(h, fits.BinTableHDU):
            d['cols'] = {c.name: [c.format, str(h.data[c.name].dtype)] for c in h.columns}
            d['rows'] = [[(v.rstrip() if isinstance(v, str) else v) for v in r] for r in h.data.tolist()]
        elif h.data is not None:
            d['dtype'] = str(h.data.dtype); d['shape'] = list(h.data.shape); d['sum'] = float(np.nansum(h.data))
            d['first'] = float(h.data.flat[0])
        d['hdr'] = {k: h.header[k] for k in ('GAIN', 'NOTE', 'FLAG') if k in h.header}
        out.append(d)
print(json.dumps(out))
`;

describe('FITS writer output opens in astropy', () => {
  it('images and a binary table, verify("exception") with warnings as errors', () => {
    const img = new Float32Array(6 * 4).map((_, i) => i * 0.5 - 3);
    const ints = new Int32Array(3 * 5).map((_, i) => i * 1000 - 7);
    const bytes = encodeFits([
      { kind: 'image', data: img, shape: [6, 4], header: [['EXTNAME', '3-4.F.SCI'], ['GAIN', 3.48, 'e-/ADU'], ['NOTE', "it's a long note ".repeat(6)]] },
      { kind: 'image', data: ints, shape: [3, 5], header: [['EXTNAME', '3-4.F.FLG'], ['FLAG', true]] },
      {
        kind: 'table',
        header: [['EXTNAME', 'CAT']],
        columns: [
          { name: 'OBJECT_ID', data: new BigInt64Array([20003629272810n, 2n]) },
          { name: 'FLUX', data: new Float64Array([1.25, -2]), unit: 'uJy' },
          { name: 'E1', data: new Float32Array([0.5, 0.25]) },
          { name: 'N', data: new Int16Array([3, 4]) },
          { name: 'KIND', data: ['galaxy', 'star'] },
          { name: 'OK', data: [true, false] },
        ],
      },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'fits-astropy-'));
    const path = join(dir, 'w.fits');
    writeFileSync(path, bytes);
    const res = runAstropy<Array<Record<string, unknown>>>(CHECK, [path]);
    expect(res.map((h) => h.name)).toEqual(['PRIMARY', '3-4.F.SCI', '3-4.F.FLG', 'CAT']);
    expect(res[1]).toMatchObject({ dtype: '>f4', shape: [6, 4], first: -3, hdr: { GAIN: 3.48, NOTE: "it's a long note ".repeat(6).trimEnd() } });
    expect(res[1].sum).toBeCloseTo(img.reduce((a, b) => a + b, 0), 6);
    expect(res[2]).toMatchObject({ dtype: '>i4', shape: [3, 5], first: -7, hdr: { FLAG: true } });
    expect(res[3].cols).toEqual({
      OBJECT_ID: ['1K', '>i8'],
      FLUX: ['1D', '>f8'],
      E1: ['1E', '>f4'],
      N: ['1I', '>i2'],
      KIND: ['6A', '<U6'],
      OK: ['1L', 'bool'],
    });
    expect(res[3].rows).toEqual([
      [20003629272810, 1.25, 0.5, 3, 'galaxy', true],
      [2, -2, 0.25, 4, 'star', false],
    ]);
  });
});
