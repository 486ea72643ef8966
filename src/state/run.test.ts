import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_TRAJECTORY, sourceParams, useRun } from './run';

describe('run store', () => {
  beforeEach(() => useRun.getState().reset());

  it('counts fit steps from progress events and keeps the loss history', () => {
    const r = useRun.getState();
    r.beginRun('all sources');
    for (const step of [0, 5, 10, 12]) useRun.getState().progress({ step, loss: 100 - step, gradNorm: 1 / (step + 1), params: Float64Array.of(step, 0) });
    const s = useRun.getState();
    expect(s.counters).toEqual({ fitSteps: 12, renders: 0, fits: 1 });
    expect(s.history.map((h) => h.loss)).toEqual([100, 95, 90, 88]);
    expect(s.origin).toBe('fit');
    expect(s.params![0]).toBe(12);
  });

  it('thins trajectories to at most MAX_TRAJECTORY points, keeping the newest', () => {
    useRun.getState().beginRun('x');
    const n = MAX_TRAJECTORY * 3;
    for (let step = 1; step <= n; step++) useRun.getState().progress({ step, loss: 1, gradNorm: 1, params: Float64Array.of(step) });
    const t = useRun.getState().trajectory;
    expect(t.steps.length).toBeLessThanOrEqual(MAX_TRAJECTORY);
    expect(t.steps.at(-1)).toBe(n);
    expect(t.params.at(-1)![0]).toBe(n);
    expect([...t.steps].sort((a, b) => a - b)).toEqual(t.steps);
    expect(useRun.getState().history.length).toBe(n);
  });

  it('sourceParams names a galaxy\'s and a star\'s parameters with their errors', () => {
    const index = { names: [], objectIds: [7, 9], kinds: ['galaxy', 'star'] as Array<'galaxy' | 'star'>, offsets: [2, 8], core: [true, true], nQuadrants: [1, 1] };
    const p = Float64Array.from({ length: 11 }, (_, i) => i);
    const e = p.map((v) => v / 10);
    expect(sourceParams(index, p, e, 9)).toEqual([
      { name: 'flux', value: 8, error: 0.8 },
      { name: 'dx', value: 9, error: 0.9 },
      { name: 'dy', value: 10, error: 1 },
    ]);
    expect(sourceParams(index, p, null, 7)!.map((x) => x.name)).toEqual(['flux', 'hlr', 'e1', 'e2', 'dx', 'dy']);
    expect(sourceParams(index, p, null, 8)).toBeNull();
  });
});
