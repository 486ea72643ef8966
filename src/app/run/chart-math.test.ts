import { describe, expect, it } from 'vitest';
import { logLoss, polylinePoints } from './chart-math';

describe('chart math', () => {
  it('log axis: decades are equally spaced, non-positive values left out', () => {
    const { points, lo, hi } = polylinePoints({ xs: [0, 1, 2, 3], ys: [1000, 100, 10, -1] }, 104, 24, { log: true, pad: 2 });
    // Largest value at the top (SVG y grows downwards).
    expect(points).toBe('2.0,2.0 52.0,12.0 102.0,22.0');
    expect([lo, hi]).toEqual([10, 1000]);
  });
  it('a flat series is drawn mid-height', () => {
    expect(polylinePoints({ xs: [0, 1], ys: [5, 5] }, 10, 10).points).toBe('2.0,5.0 8.0,5.0');
  });
  it('a loss that is not positive throughout is shifted to min + 1', () => {
    expect(logLoss([-3, -5, -4])).toEqual({ values: [3, 1, 2], shifted: true });
    expect(logLoss([3, 2])).toEqual({ values: [3, 2], shifted: false });
  });
});
