import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest, ManifestError, parseManifest } from './manifest';

const FIXTURE = '/work/shared/fixtures/subtile-small/subtile/manifest_local.yaml';
const FIXTURE_TEXT = readFileSync(FIXTURE, 'utf8');

// A minimal valid manifest in the s3 form; the bad cases below each break one thing.
const GOOD = `tile_id: 102159490
sub_tile_row: 2
sub_tile_col: 1
sky_bounds:
  core_ra: [269.123, 269.256]
  core_dec: [-28.456, -28.323]
  extended_ra: [269.106, 269.273]
  extended_dec: [-28.473, -28.306]
quadrants:
  - sci_path: s3://euclid-bucket/exposures/2704_00_3-4_sci.fits
    bkg_path: s3://euclid-bucket/exposures/2704_00_3-4_bkg.fits
    wgt_path: s3://euclid-bucket/exposures/2704_00_3-4_wgt.fits
    psf_path: s3://euclid-bucket/psf/2704_00_3-4_psf.fits
    quadrant: "3-4.F"
    obs_id: 2704
    dither: 00
    ccd: 3-4
  - sci_path: s3://euclid-bucket/exposures/2704_01_3-4_sci.fits
    psf_path: psf/2704_01_3-4_psf.fits
    quadrant: 3-4.E
    obs_id: "2704"
    dither: "01"
    ccd: "3-4"
source_catalog: s3://euclid-bucket/catalog.fits
source_ids: [20003629272810, 20008200473752, 3]
core_source_ids: [20008200473752]
`;
const URL_ = 's3://euclid-bucket/tiles/102159490/manifest.yaml';

function errorOf(text: string, url = 'manifest.yaml'): ManifestError {
  try {
    parseManifest(text, url);
  } catch (e) {
    expect(e).toBeInstanceOf(ManifestError);
    return e as ManifestError;
  }
  throw new Error('expected a ManifestError');
}

describe('parseManifest', () => {
  it('reads the fixture (local form) and resolves its relative paths', async () => {
    const m = await loadManifest(FIXTURE);
    const dir = dirname(FIXTURE);
    expect(m.tile_id).toBe(102159490);
    expect([m.sub_tile_row, m.sub_tile_col]).toEqual([1, 2]);
    expect(m.sky_bounds.core_ra[0]).toBeCloseTo(274.26010548628983, 12);
    expect(m.sky_bounds.extended_dec[1]).toBeCloseTo(-48.963420277121706, 12);
    expect(m.quadrants.length).toBe(2);
    const q0 = m.quadrants[0];
    expect(q0.sci_path).toBe('exposures/2704_00_3-4_sci.fits');
    expect(q0.sciUrl).toBe(join(dir, 'exposures/2704_00_3-4_sci.fits'));
    expect(q0.psfUrl).toBe(join(dir, 'psf/2704_00_3-4_psf.fits'));
    expect(q0.bkgUrl).toBe(join(dir, 'exposures/2704_00_3-4_bkg.fits'));
    expect(q0.wgtUrl).toBe(join(dir, 'exposures/2704_00_3-4_wgt.fits'));
    expect([q0.quadrant, q0.obs_id, q0.dither, q0.ccd]).toEqual(['3-4.F', '2704', '00', '3-4']);
    expect(m.quadrants[1].quadrant).toBe('3-4.E');
    expect(m.catalogUrl).toBe(join(dir, 'catalog.fits'));
    expect(m.source_ids.length).toBe(13);
    expect(m.source_ids[0]).toBe(20003629272810);
    expect(m.core_source_ids.length).toBe(8);
    expect(m.warnings).toEqual([]);
    // Every source_id is also in the raw text as written.
    for (const id of m.source_ids) expect(FIXTURE_TEXT).toContain(String(id));
  });

  it('reads the s3 form; keeps obs_id/dither/ccd as written even unquoted', () => {
    const m = parseManifest(GOOD, URL_);
    const [a, b] = m.quadrants;
    expect([a.obs_id, a.dither, a.ccd]).toEqual(['2704', '00', '3-4']);
    expect([b.obs_id, b.dither, b.ccd]).toEqual(['2704', '01', '3-4']);
    expect(a.sciUrl).toBe('s3://euclid-bucket/exposures/2704_00_3-4_sci.fits');
    expect(b.psfUrl).toBe('s3://euclid-bucket/tiles/102159490/psf/2704_01_3-4_psf.fits');
    expect(b.bkg_path).toBeUndefined();
    expect(b.bkgUrl).toBeUndefined();
    expect(m.source_ids).toEqual([20003629272810, 20008200473752, 3]);
  });

  it('derives ccd from the quadrant name when absent, and warns about unknown fields', () => {
    const m = parseManifest(GOOD.replace('    ccd: 3-4\n', '    colour: blue\n'), 'm.yaml');
    expect(m.quadrants[0].ccd).toBe('3-4');
    expect(m.warnings.join('\n')).toContain('m.yaml: quadrants[0].colour: unknown field');
  });

  const cases: [string, string, string][] = [
    ['missing psf_path', GOOD.replace('    psf_path: psf/2704_01_3-4_psf.fits\n', ''), 'manifest.yaml: quadrants[1].psf_path: missing'],
    ['missing sci_path', GOOD.replace('  - sci_path: s3://euclid-bucket/exposures/2704_00_3-4_sci.fits\n    bkg', '  - bkg'), 'quadrants[0].sci_path: missing'],
    ['missing quadrant', GOOD.replace('    quadrant: 3-4.E\n', ''), 'quadrants[1].quadrant: missing'],
    ['tile_id not an integer', GOOD.replace('tile_id: 102159490', 'tile_id: abc'), 'manifest.yaml: tile_id: expected an integer, got "abc"'],
    ['tile_id a float', GOOD.replace('tile_id: 102159490', 'tile_id: 1.5'), 'tile_id: expected an integer, got "1.5"'],
    ['missing tile_id', GOOD.replace('tile_id: 102159490\n', ''), 'manifest.yaml: tile_id: missing'],
    ['sub_tile_row a list', GOOD.replace('sub_tile_row: 2', 'sub_tile_row: [2]'), 'sub_tile_row: expected an integer, got a list'],
    ['negative sub_tile_col', GOOD.replace('sub_tile_col: 1', 'sub_tile_col: -1'), 'sub_tile_col: expected an integer ≥ 0'],
    ['missing sky_bounds', GOOD.replace(/sky_bounds:\n(  .*\n)+/, ''), 'sky_bounds: missing'],
    ['bounds with one number', GOOD.replace('core_ra: [269.123, 269.256]', 'core_ra: [269.123]'), 'sky_bounds.core_ra: expected [lo, hi] (2 numbers), got 1 values'],
    ['bounds not numbers', GOOD.replace('core_dec: [-28.456, -28.323]', 'core_dec: [-28.456, north]'), 'sky_bounds.core_dec[1]: expected a number, got "north"'],
    ['bounds reversed', GOOD.replace('core_dec: [-28.456, -28.323]', 'core_dec: [-28.323, -28.456]'), 'sky_bounds.core_dec: lower bound -28.323 is not below upper bound -28.456'],
    ['dec out of range', GOOD.replace('extended_dec: [-28.473, -28.306]', 'extended_dec: [-128.473, -28.306]'), 'sky_bounds.extended_dec[0]: -128.473 is outside [-90, 90]'],
    ['missing extended_ra', GOOD.replace('  extended_ra: [269.106, 269.273]\n', ''), 'sky_bounds.extended_ra: missing'],
    ['quadrants empty', GOOD.replace(/quadrants:\n(  .*\n)+/, 'quadrants: []\n'), 'quadrants: empty list'],
    ['quadrants not a list', GOOD.replace(/quadrants:\n(  .*\n)+/, 'quadrants: exposures/\n'), 'quadrants: expected a list, got "exposures/"'],
    ['quadrant entry a scalar', GOOD.replace('source_catalog:', '  - just-a-path.fits\nsource_catalog:'), 'quadrants[2]: expected a mapping, got "just-a-path.fits"'],
    ['psf_path a list', GOOD.replace('psf_path: psf/2704_01_3-4_psf.fits', 'psf_path: [a, b]'), 'quadrants[1].psf_path: expected a string, got a list'],
    ['empty sci_path', GOOD.replace('  - sci_path: s3://euclid-bucket/exposures/2704_01_3-4_sci.fits', '  - sci_path: ""'), 'quadrants[1].sci_path: empty'],
    ['missing source_catalog', GOOD.replace('source_catalog: s3://euclid-bucket/catalog.fits\n', ''), 'source_catalog: missing'],
    ['source id not an integer', GOOD.replace('[20003629272810, 20008200473752, 3]', '[20003629272810, 2.5e3, 3]'), 'source_ids[1]: expected an integer, got "2.5e3"'],
    ['source id too large', GOOD.replace('[20003629272810, 20008200473752, 3]', '[20003629272810, 20008200473752, 123456789012345678901]'), 'source_ids[2]: integer 123456789012345678901 is too large'],
    ['source_ids not a list', GOOD.replace('source_ids: [20003629272810, 20008200473752, 3]', 'source_ids: 5'), 'source_ids: expected a list, got "5"'],
    ['core not subset', GOOD.replace('core_source_ids: [20008200473752]', 'core_source_ids: [20008200473752, 77, 88]'), 'core_source_ids: 2 id(s) not in source_ids: 77, 88'],
    ['missing core ids', GOOD.replace('core_source_ids: [20008200473752]\n', ''), 'core_source_ids: missing'],
    ['not a mapping', '- a\n- b\n', 'manifest.yaml: expected a YAML mapping'],
    ['empty file', '', 'manifest.yaml: expected a YAML mapping of manifest fields, got an empty document'],
    ['bad YAML', 'tile_id: [1, 2\nsub_tile_row: 3\n', 'manifest.yaml: not valid YAML'],
    ['duplicate key', GOOD + 'tile_id: 5\n', 'not valid YAML: Map keys must be unique'],
  ];
  for (const [name, text, expected] of cases) {
    it(`rejects: ${name}`, () => {
      expect(errorOf(text).message).toContain(expected);
    });
  }

  it('reports every problem at once, each with the file and line', () => {
    const text = GOOD.replace('tile_id: 102159490', 'tile_id: x').replace('    psf_path: psf/2704_01_3-4_psf.fits\n', '');
    const e = errorOf(text, 'https://h.org/m.yaml');
    expect(e.problems.map((p) => p.field)).toEqual(['tile_id', 'quadrants[1].psf_path']);
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('https://h.org/m.yaml: tile_id: expected an integer, got "x" (line 1)');
    expect(lines[1]).toMatch(/^https:\/\/h\.org\/m\.yaml: quadrants\[1\]\.psf_path: missing \(line 18\)$/);
  });

  it('accepts an RA range across 0h', () => {
    const m = parseManifest(GOOD.replace('core_ra: [269.123, 269.256]', 'core_ra: [359.9, 0.1]').replace('extended_ra: [269.106, 269.273]', 'extended_ra: [359.8, 0.2]'), 'm.yaml');
    expect(m.sky_bounds.core_ra).toEqual([359.9, 0.1]);
  });

  it('loadManifest names a missing file', async () => {
    await expect(loadManifest('/no/such/manifest.yaml')).rejects.toThrow('/no/such/manifest.yaml: no such file');
  });
});
