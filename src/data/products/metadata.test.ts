// Provenance YAML: stable key order, config hash = SHA-256 of canonical JSON (checked with node:crypto).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { canonicalJson, configHash, metadataYaml, sha256Hex, type RunMetadata } from './metadata';

const nodeSha = (s: string | Uint8Array) => createHash('sha256').update(s).digest('hex');

describe('metadata', () => {
  it('sha256Hex agrees with node:crypto and the FIPS 180-2 "abc" vector', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const b = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 255);
    expect(await sha256Hex(b)).toBe(nodeSha(b));
  });

  it('canonical JSON sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 'x' }], c: undefined } })).toBe('{"a":{"d":[3,{"y":"x","z":1}]},"b":1}');
    expect(() => canonicalJson({ a: NaN })).toThrow(/non-finite/);
  });

  const base: RunMetadata = {
    tileId: 102159490,
    subtileRow: 2,
    subtileCol: 1,
    code: { version: '0.1.0', gitCommit: 'abc1234' },
    config: { optimizer: 'lbfgs', steps: 200, priors: { hlr: [0.05, 3], e_sigma: 0.3 } },
    inputs: [{ path: 's3://bucket/a.fits', etag: '"0123"', size: 10 }, { path: 'local/b.fits', sha256: 'ff' }],
    adapter: { vendor: 'google', architecture: 'swiftshader', isFallback: false },
    timings: { load: 1.5, fit: 20.25 },
    steps: 143,
    convergence: { converged: true, reason: 'relative loss change below 1e-10', finalLoss: 123.5, relLossChange: 3e-11, gradNorm: 1e-4 },
  };

  it('YAML has a fixed key order, the config hash of canonical JSON, and does not depend on key insertion order', async () => {
    const y = await metadataYaml(base);
    const doc = parse(y);
    expect(Object.keys(doc)).toEqual(['product', 'tile_id', 'sub_tile_row', 'sub_tile_col', 'code', 'config_sha256', 'config', 'inputs', 'adapter', 'steps', 'convergence', 'timings_s']);
    expect(doc.config_sha256).toBe(nodeSha('{"optimizer":"lbfgs","priors":{"e_sigma":0.3,"hlr":[0.05,3]},"steps":200}'));
    expect(await configHash(base.config)).toBe(doc.config_sha256);
    expect(doc.code).toEqual({ name: 'shear-workbench', version: '0.1.0', git_commit: 'abc1234' });
    expect(doc.inputs[0]).toEqual({ path: 's3://bucket/a.fits', size: 10, etag: '"0123"' });
    expect(doc.convergence.rel_loss_change).toBe(3e-11);
    expect(Object.keys(doc.config)).toEqual(['optimizer', 'priors', 'steps']);
    const shuffled: RunMetadata = {
      ...base,
      config: { steps: 200, priors: { e_sigma: 0.3, hlr: [0.05, 3] }, optimizer: 'lbfgs' },
      timings: { fit: 20.25, load: 1.5 },
      adapter: { isFallback: false, architecture: 'swiftshader', vendor: 'google' },
    };
    expect(await metadataYaml(shuffled)).toBe(y);
    const other = await metadataYaml({ ...base, config: { ...base.config as object, steps: 201 } });
    expect(parse(other).config_sha256).not.toBe(doc.config_sha256);
  });
});
