import { describe, it, expect } from 'vitest';
import { ellipsePoints, OVERLAY_HLR_SCALE } from './overlay';
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
