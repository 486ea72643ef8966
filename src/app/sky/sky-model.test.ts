import { describe, it, expect } from 'vitest';
import { boxCorners, chi2Colour, chi2Range, initialView, markerStyle, raMid, wrapRa } from './sky-model';
import { offlineOptions } from './offline-options';
import type { UiSource } from '../../state/workbench-data';

const src = (o: Partial<UiSource>): UiSource =>
  ({ index: 0, object_id: 1, ra: 10, dec: 0, kind: 'galaxy', core: true, snr: 10, flux: 1, hlr: 0.3, ellipticity: 0, pa: 0, perQuadrant: [], ...o }) as UiSource;

describe('sky model', () => {
  it('box corners go round the box, also across RA 0°', () => {
    expect(boxCorners([10, 11], [-1, 1])).toEqual([[10, -1], [11, -1], [11, 1], [10, 1]]);
    expect(boxCorners([359.5, 0.5], [0, 1])).toEqual([[359.5, 0], [0.5, 0], [0.5, 1], [359.5, 1]]);
  });

  it('RA mid-point follows increasing RA across 0°', () => {
    expect(raMid([10, 12])).toBeCloseTo(11, 12);
    expect(raMid([359, 1])).toBeCloseTo(0, 12);
    expect(raMid([358, 0.5])).toBeCloseTo(359.25, 12);
    expect(wrapRa(-1)).toBe(359);
  });

  it('initial view: core centre, field covering the extended box (RA span shrunk by cos Dec) with a margin', () => {
    const v = initialView({ core_ra: [150, 150.2], core_dec: [60, 60.1], extended_ra: [149.9, 150.3], extended_dec: [59.95, 60.15] });
    expect(v.ra).toBeCloseTo(150.1, 12);
    expect(v.dec).toBeCloseTo(60.05, 12);
    // Width 0.4° × cos(60.05°) ≈ 0.1997 < height 0.2 → field 1.3 × 0.2.
    expect(v.fov).toBeCloseTo(0.26, 10);
  });

  it('χ² range skips missing, non-finite and non-positive values; colours run blue → red on a log scale', () => {
    expect(chi2Range({})).toBeNull();
    const r = chi2Range({ 1: { chi2: 1 }, 2: { chi2: 100 }, 3: { chi2: NaN }, 4: { chi2: 0 }, 5: {} })!;
    expect(r).toEqual({ lo: 1, hi: 100 });
    expect(chi2Colour(1, r)).toBe('hsl(220, 90%, 55%)');
    expect(chi2Colour(10, r)).toBe('hsl(110, 90%, 55%)');
    expect(chi2Colour(100, r)).toBe('hsl(0, 90%, 55%)');
    expect(chi2Colour(1e6, r)).toBe('hsl(0, 90%, 55%)');
  });

  it('marker styles: selected over excluded over kind; χ² colours kinds once fits exist', () => {
    const none = new Set<number>();
    expect(markerStyle(src({ object_id: 7 }), 7, new Set([7]), {}, null).category).toBe('selected');
    expect(markerStyle(src({ object_id: 7 }), null, new Set([7]), {}, null).category).toBe('excluded');
    expect(markerStyle(src({ kind: 'star' }), null, none, {}, null)).toMatchObject({ category: 'star', shape: 'square' });
    expect(markerStyle(src({ core: false }), null, none, {}, null).category).toBe('neighbour');
    const g = markerStyle(src({}), null, none, {}, null);
    const fits = { 1: { chi2: 100 } };
    const c = markerStyle(src({}), null, none, fits, { lo: 1, hi: 100 });
    expect(c.category).toBe('galaxy');
    expect(c.colour).toBe('hsl(0, 90%, 55%)');
    expect(c.colour).not.toBe(g.colour);
  });

  it('offline options switch off every default that fetches from CDS', () => {
    const o = offlineOptions({ ra: 150.1, dec: 2.2, fov: 0.3 });
    expect(o.survey).toEqual([]);
    expect(o.hipsList).toEqual([]);
    expect(o.log).toBe(false);
    expect(o.samp).toBe(false);
    expect(o.showLayersControl).toBe(false);
    expect(o.showSimbadPointerControl).toBe(false);
    // Coordinates, not a name: a name would be sent to the Sesame resolver.
    expect(o.target).toBe('150.10000000 +2.20000000');
    expect(offlineOptions({ ra: 0, dec: -1e-9, fov: 1 }).target).toBe('0.00000000 -0.00000000');
  });
});
