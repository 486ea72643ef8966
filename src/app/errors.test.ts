import { describe, it, expect } from 'vitest';
import { explainError } from './errors';

describe('explainError', () => {
  const m = 'http://127.0.0.1:4321/fixtures/no-such-subtile/manifest.yaml';
  it('a 404 of the manifest itself', () => {
    const e = explainError({ name: 'StorageError', message: `${m}: not found (HTTP 404)` }, m);
    expect(e.title).toMatch(/Manifest not found/);
    expect(e.file).toBe(m);
  });
  it('a 404 of a file the manifest names (URL with a port)', () => {
    const e = explainError({ name: 'Error', message: 'http://127.0.0.1:4321/f/exposures/nope_sci.fits: not found (HTTP 404)' }, m);
    expect(e.title).toMatch(/refers to is missing/);
    expect(e.file).toBe('http://127.0.0.1:4321/f/exposures/nope_sci.fits');
  });
  it('keeps the HDU with the file, and classifies manifest errors by name (all a worker passes on)', () => {
    expect(explainError(new Error("http://h:1/a.fits[3-4.F.SCI]: HDU 'x' not found"), m).file).toBe('http://h:1/a.fits[3-4.F.SCI]');
    const e = explainError({ name: 'ManifestError', message: `${m}: tile_id: missing` }, m);
    expect(e.title).toMatch(/malformed/);
    expect(e.file).toBe(m);
  });
});
