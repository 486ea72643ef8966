import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest';
import type { Browser } from 'playwright-core';
import { launch, watchErrors } from './browser';

describe('built page in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => browser?.close());

  it('start page loads, finds a WebGPU adapter and says how to open a manifest', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(inject('baseUrl') + '/');
    await expect.poll(() => page.textContent('[data-testid=gpu-status]'), { timeout: 30_000 }).toMatch(/WebGPU ready/);
    expect(await page.textContent('body')).toContain('?manifest=');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs a compute shader with workgroup barriers over many workgroups in the page', async () => {
    const page = await browser.newPage();
    await page.goto(inject('baseUrl') + '/');
    // Prefix sums per workgroup (Hillis–Steele, a barrier per step), checked against the CPU.
    const result = await page.evaluate(async () => {
      const adapter = await navigator.gpu.requestAdapter();
      if (!adapter) return { error: 'no adapter' };
      const device = await adapter.requestDevice();
      const groups = 512;
      const n = groups * 128;
      const input = new Float32Array(n);
      for (let i = 0; i < n; i++) input[i] = (i % 13) - 6;
      const code = `
        @group(0) @binding(0) var<storage, read_write> data: array<f32>;
        var<workgroup> s: array<f32, 128>;
        @compute @workgroup_size(128)
        fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>) {
          let i = wg.x * 128u + li;
          s[li] = data[i];
          workgroupBarrier();
          for (var off = 1u; off < 128u; off = off * 2u) {
            var v = s[li];
            if (li >= off) { v = v + s[li - off]; }
            workgroupBarrier();
            s[li] = v;
            workgroupBarrier();
          }
          data[i] = s[li];
        }`;
      const buf = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC, mappedAtCreation: true });
      new Float32Array(buf.getMappedRange()).set(input);
      buf.unmap();
      const read = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code }), entryPoint: 'main' } });
      const bg = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] });
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(groups);
      pass.end();
      enc.copyBufferToBuffer(buf, 0, read, 0, n * 4);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const out = Array.from(new Float32Array(read.getMappedRange()));
      let bad = 0;
      for (let g = 0; g < groups; g++) {
        let acc = 0;
        for (let l = 0; l < 128; l++) {
          acc += input[g * 128 + l];
          if (out[g * 128 + l] !== acc) bad++;
        }
      }
      return { bad, n, adapter: adapter.info.architecture || adapter.info.vendor };
    });
    expect(result).not.toHaveProperty('error');
    expect(result.bad).toBe(0);
    expect(result.n).toBe(512 * 128);
    await page.close();
  });
});
