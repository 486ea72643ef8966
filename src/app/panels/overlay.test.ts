import { describe, it, expect } from 'vitest';
import { ellipsePoints, fittedEllipsePoints, OVERLAY_HLR_SCALE } from './overlay';
import type { UiSource } from '../../state/workbench-data';

// Pixel offsets of the ellipse's extreme point along each image axis.
function extent(pts: Array<[number, number]>, x0: number, y0: number) {
  return { x: Math.max(...pts.map((p) => Math.abs(p[0] - x0))), y: Math.max(...pts.map((p) => Math.abs(p[1] - y0))) };
}

function src(pa: number, jac: [number, number, number, number]): UiSource {
  return { index: 0, object_id: 1, ra: 0, dec: 0, kind: 'galaxy', core: true, snr: 10, flux: 1, hlr: 0.5, ellipticity: 0.5, pa, perQuadrant: [{ x: 50, y: 60, jac, visible: true }] };
}

describe('overlay ellipses through the WCS Jacobian', () => {
  // 0.1"/px, North up (+y), East left (x increases to the West: u = +0.1·x).
  const northUp: [number, number, number, number] = [0.1, 0, 0, 0.1];
  it('PA 0 (major axis North) is tall; PA 90 (East) is wide', () => {
    const a = (OVERLAY_HLR_SCALE * 0.5) / 0.1;
    const tall = extent(ellipsePoints(src(0, northUp), 0, 72), 50, 60);
    expect(tall.y).toBeCloseTo(a, 6);
    expect(tall.x).toBeCloseTo(a / 2, 1);
    const wide = extent(ellipsePoints(src(90, northUp), 0, 72), 50, 60);
    expect(wide.x).toBeCloseTo(a, 6);
    expect(wide.y).toBeCloseTo(a / 2, 1);
  });
  it('a quadrant rotated by 90° turns the ellipse with it (parity handled by J⁻¹)', () => {
    // x points North, y points West: u = 0.1·y, v = 0.1·x.
    const rotated: [number, number, number, number] = [0, 0.1, 0.1, 0];
    const e = extent(ellipsePoints(src(0, rotated), 0, 72), 50, 60);
    expect(e.x).toBeCloseTo((OVERLAY_HLR_SCALE * 0.5) / 0.1, 6);
  });
});

describe('fitted ellipses (A = S(g)·S(ε))', () => {
  const northUp: [number, number, number, number] = [0.1, 0, 0, 0.1];
  const s = src(0, northUp);
  const axes = (pts: Array<[number, number]>) => {
    const r = pts.map(([x, y]) => Math.hypot(x - 50, y - 60));
    return { max: Math.max(...r), min: Math.min(...r) };
  };
  it('round and unsheared: a circle of OVERLAY_HLR_SCALE·hlr', () => {
    const { max, min } = axes(fittedEllipsePoints(s, 0, { hlr: 0.4, e1: 0, e2: 0 }, [0, 0], 72));
    expect(max).toBeCloseTo((OVERLAY_HLR_SCALE * 0.4) / 0.1, 9);
    expect(min).toBeCloseTo(max, 9);
  });
  it('a shear alone gives axis ratio (1 − |g|)/(1 + |g|) with area preserved', () => {
    const { max, min } = axes(fittedEllipsePoints(s, 0, { hlr: 0.4, e1: 0, e2: 0 }, [0.2, 0], 720));
    expect(min / max).toBeCloseTo(0.8 / 1.2, 4);
    expect(Math.sqrt(min * max)).toBeCloseTo((OVERLAY_HLR_SCALE * 0.4) / 0.1, 3);
  });
  it('a distortion e has axis ratio √((1 − e)/(1 + e)) (b/a of a distortion), along u for e1 > 0', () => {
    const e = 0.6;
    const pts = fittedEllipsePoints(s, 0, { hlr: 0.4, e1: e, e2: 0 }, [0, 0], 720);
    const { max, min } = axes(pts);
    expect(min / max).toBeCloseTo(Math.sqrt((1 - e) / (1 + e)), 4);
    // u = +0.1·x here: the major axis lies along x.
    expect(Math.max(...pts.map((p) => Math.abs(p[0] - 50)))).toBeCloseTo(max, 3);
  });
});
