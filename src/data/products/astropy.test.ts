// The FITS products opened by astropy (an independent reader): column dtypes as DESIGN §3 says
// (int8 columns are int16 in FITS: astropy has no signed-byte table type), values and header keys.
// dtypes are those of the stored record (astropy's FITS_rec.dtype), i.e. what numpy sees on disk. Needs /usr/bin/python3 with astropy.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleCatalogue, catalogueTable } from './catalogue';
import { paramsTable, type ParamRow } from './params';
import { shearTable } from './shear';

const PY = '/usr/bin/python3';

const SCRIPT = `
import json, math, sys
from astropy.io import fits
def val(v, kind):
    if kind in 'SU': return str(v)
    if kind == 'f': return None if math.isnan(float(v)) else float(v)
    return int(v) if abs(int(v)) < 2**53 else str(int(v))
out = {}
for path in sys.argv[1:]:
    with fits.open(path) as hl:
        h = hl[1]
        d = h.data
        kinds = {n: d.dtype[n].kind for n in d.dtype.names}
        out[path] = {
            'extname': h.header['EXTNAME'],
            'dtypes': {n: d.dtype[n].kind + str(d.dtype[n].itemsize // (4 if d.dtype[n].kind == 'U' else 1)) for n in d.dtype.names},
            'fields': {n: d[n].dtype.kind + str(d[n].dtype.itemsize) for n in d.dtype.names},
            'rows': [{n: val(d[n][i], kinds[n]) for n in d.dtype.names} for i in range(len(d))],
            'header': {k: h.header[k] for k in ('G1', 'G2', 'TILE_ID', 'SUB_ROW', 'RA_CORE') if k in h.header},
        }
print(json.dumps(out))
`;

// Fails (never skips) without astropy: `npm run setup` installs Debian's python3-astropy.
describe('FITS products read by astropy', () => {
  it('shear, params and catalogue tables have the agreed dtypes and values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shearwb-astropy-'));
    try {
      const shear = shearTable({ tileId: 102159490, subtileRow: 3, subtileCol: 1, ra: 150.5, dec: 2.25, g1: 0.015, g2: -0.02, g1Err: 0.003, g2Err: 0.004, nSources: 2400, method: 'map-lbfgs', convergence: 2e-10 });
      const rows: ParamRow[] = [0, 1].map((i) => ({
        objectId: i === 0 ? 2n ** 60n + 3n : 42,
        ra: 150.5 + i * 1e-3, dec: 2.25, flux: 12.5, hlr: i ? NaN : 0.35, e1: i ? NaN : 0.1, e2: i ? NaN : -0.2, dx: 0.01, dy: -0.02,
        fluxErr: 0.5, hlrErr: 0.01, e1Err: 0.02, e2Err: 0.02, dxErr: 0.001, dyErr: 0.001, kind: i ? 'star' : 'galaxy', nQuadrants: 5, chi2: 1.25,
      }));
      const params = paramsTable(rows, { g1: 0.015, g2: -0.02, tileId: 102159490, subtileRow: 3, subtileCol: 1, coreRa: 150.5, coreDec: 2.25 });
      const cat = catalogueTable(assembleCatalogue([{ rows, g1: 0.015, g2: -0.02, tile: 102159490, row: 3, col: 1, coreRa: 150.5, coreDec: 2.25 }]));
      const files = { shear: join(dir, 'shear.fits'), params: join(dir, 'params.fits'), cat: join(dir, 'cat.fits') };
      writeFileSync(files.shear, shear.fits);
      writeFileSync(files.params, params.fits);
      writeFileSync(files.cat, cat.fits);
      const res = JSON.parse(execFileSync(PY, ['-c', SCRIPT, files.shear, files.params, files.cat], { encoding: 'utf8', timeout: 60_000 }));
      const s = res[files.shear];
      expect(s.extname).toBe('SHEAR');
      expect(s.dtypes).toEqual({
        TILE_ID: 'i8', SUBTILE_ROW: 'i2', SUBTILE_COL: 'i2', RA: 'f8', DEC: 'f8', G1: 'f4', G2: 'f4', G1_ERR: 'f4', G2_ERR: 'f4', N_SOURCES: 'i4', METHOD: 'S9', CONVERGENCE: 'f4',
      });
      // The scaled/converted field arrays too (the view astropy users index): integers stay integers.
      expect(s.fields).toMatchObject({ TILE_ID: 'i8', SUBTILE_ROW: 'i2', SUBTILE_COL: 'i2', N_SOURCES: 'i4', G1: 'f4', RA: 'f8' });
      expect(s.rows[0]).toMatchObject({ TILE_ID: 102159490, SUBTILE_ROW: 3, SUBTILE_COL: 1, RA: 150.5, N_SOURCES: 2400, METHOD: 'map-lbfgs', G1: Math.fround(0.015) });
      const p = res[files.params];
      expect(p.dtypes).toMatchObject({ OBJECT_ID: 'i8', RA: 'f8', DEC: 'f8', FLUX: 'f4', HLR: 'f4', E1: 'f4', E2: 'f4', DX: 'f4', DY: 'f4', FLUX_ERR: 'f4', KIND: 'S6', N_QUADRANTS: 'i2', CHI2: 'f4' });
      expect(p.header).toEqual({ G1: 0.015, G2: -0.02, TILE_ID: 102159490, SUB_ROW: 3, RA_CORE: 150.5 });
      expect(p.rows[0].OBJECT_ID).toBe(String(2n ** 60n + 3n)); // above 2^53: passed as a string
      expect(p.rows[1].OBJECT_ID).toBe(42);
      expect(p.rows[1].HLR).toBeNull(); // NaN
      expect(p.rows[1].KIND).toBe('star');
      expect(p.rows[0].HLR).toBe(Math.fround(0.35));
      const c = res[files.cat];
      expect(c.extname).toBe('CATALOGUE');
      expect(c.dtypes).toMatchObject({ OBJECT_ID: 'i8', TILE_ID: 'i8', SUBTILE_ROW: 'i2', SUBTILE_COL: 'i2', FLUX: 'f4' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
