// Mapping a parameter table onto a scene's parameter vector: by OBJECT_ID, in scene order,
// missing sources (error or flux 0), unused rows counted, kind and value checks.
import { describe, expect, it } from 'vitest';
import { paramNames, type Scene } from '../reference/scene';
import { mapParamsToScene, type ParamsTableLike } from './render-params';

const scene: Scene = {
  quadrants: [],
  pairs: [],
  sources: [
    { kind: 'galaxy', catalogFlux: 5, catalogHlr: 0.3, id: 101 },
    { kind: 'star', catalogFlux: 9, id: 102 },
    { kind: 'galaxy', catalogFlux: 2, catalogHlr: 0.2, id: 103 },
  ],
};

const row = (id: number | bigint, v: Partial<{ flux: number; hlr: number; e1: number; e2: number; dx: number; dy: number }> = {}, kind?: 'galaxy' | 'star') => ({
  objectId: id,
  flux: 1,
  hlr: 0.4,
  e1: 0.1,
  e2: -0.2,
  dx: 0.01,
  dy: -0.02,
  ...(kind ? { kind } : {}),
  ...v,
});

const table = (rows: ParamsTableLike['rows']): ParamsTableLike => ({ g1: 0.02, g2: -0.03, rows });

describe('mapParamsToScene', () => {
  it('fills the vector in scene order whatever the table order, counting unused rows', () => {
    const t = table([
      row(103, { flux: 3, hlr: 0.25, e1: 0.3, e2: 0.4, dx: 0.05, dy: 0.06 }),
      row(999n, { flux: 7 }),
      row(102, { flux: 8, hlr: NaN, e1: NaN, e2: NaN, dx: -0.01, dy: 0.02 }, 'star'),
      row(BigInt(101), { flux: 4, hlr: 0.35, e1: -0.1, e2: 0.2, dx: 0.0, dy: 0.01 }),
    ]);
    const m = mapParamsToScene(scene, t);
    expect(paramNames(scene).length).toBe(m.vector.length);
    expect(Array.from(m.vector)).toEqual([0.02, -0.03, 4, 0.35, -0.1, 0.2, 0, 0.01, 8, -0.01, 0.02, 3, 0.25, 0.3, 0.4, 0.05, 0.06]);
    expect(m.rendered).toBe(3);
    expect(m.missing).toEqual([]);
    expect(m.unused).toBe(1);
    expect(m.unusedIds).toEqual(['999']);
  });

  it('a star row without KIND is recognised by its NaN HLR', () => {
    const m = mapParamsToScene(scene, table([row(101), row(102, { hlr: NaN }), row(103)]));
    expect(m.rendered).toBe(3);
  });

  it('lists missing sources in the error by default', () => {
    expect(() => mapParamsToScene(scene, table([row(101)]), { context: 'p.fits' })).toThrow(
      /p\.fits: 2 of the scene's 3 sources have no row \(OBJECT_ID 102, 103\).*--missing zero/,
    );
  });

  it("renders missing sources with flux 0 under 'zero' and reports them", () => {
    const m = mapParamsToScene(scene, table([row(102, { hlr: NaN })]), { missing: 'zero' });
    expect(m.missing).toEqual([
      { index: 0, id: '101', kind: 'galaxy' },
      { index: 2, id: '103', kind: 'galaxy' },
    ]);
    expect(m.vector[2]).toBe(0); // flux of 101
    expect(m.vector[3]).toBe(0.3); // its catalogue hlr keeps the vector valid
    expect(m.vector[11]).toBe(0);
  });

  it('rejects kind mismatches, duplicates and bad values with the row and OBJECT_ID', () => {
    expect(() => mapParamsToScene(scene, table([row(101), row(102), row(103)]))).toThrow(/row 1 \(OBJECT_ID 102\) is a galaxy in the table but a star/);
    expect(() => mapParamsToScene(scene, table([row(101), row(101)]))).toThrow(/OBJECT_ID 101 appears twice \(rows 0 and 1\)/);
    expect(() => mapParamsToScene(scene, table([row(101, { e1: 0.9, e2: 0.5 }), row(102, { hlr: NaN }), row(103)]))).toThrow(/OBJECT_ID 101\): \|E\|/);
    expect(() => mapParamsToScene(scene, table([row(101, { hlr: 0 }), row(102, { hlr: NaN }), row(103)]))).toThrow(/HLR = 0 must be > 0/);
    expect(() => mapParamsToScene(scene, table([row(101, { dx: NaN }), row(102, { hlr: NaN }), row(103)]))).toThrow(/DX = NaN is not finite/);
    expect(() => mapParamsToScene(scene, { g1: 0.9, g2: 0.5, rows: [] })).toThrow(/\|G\|/);
  });
});
