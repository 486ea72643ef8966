import { describe, it, expect } from 'vitest';
import { twiddleTable, kernelShape } from './fft-plan';

describe('FFT plan (CPU side)', () => {
  it('twiddles are exp(−2πij/N) rounded once to float32', () => {
    for (const n of [32, 512]) {
      const t = twiddleTable(n);
      expect(t.length).toBe(2 * n);
      for (let j = 0; j < n; j++) {
        expect(t[2 * j]).toBe(Math.fround(Math.cos((-2 * Math.PI * j) / n)));
        expect(t[2 * j + 1]).toBe(Math.fround(Math.sin((-2 * Math.PI * j) / n)));
      }
      expect(t[n]).toBe(-1); // j = N/2
    }
  });

  it('workgroup shapes stay inside WebGPU default limits for every size', () => {
    for (const n of [32, 64, 128, 256, 512]) {
      for (const m of [n, n / 2]) {
        const s = kernelShape(m, 'workgroup');
        expect(s.invocations).toBeLessThanOrEqual(256); // maxComputeInvocationsPerWorkgroup
        expect(2 * s.linesInMemory * m * 8).toBeLessThanOrEqual(16384); // maxComputeWorkgroupStorageSize
        expect(s.stride).toBe(s.invocations);
        const p = kernelShape(m, 'private');
        expect(p.linesInMemory).toBe(1);
        expect(p.stride).toBe(1);
      }
    }
  });
});
