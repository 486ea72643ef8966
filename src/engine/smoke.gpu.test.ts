import { describe, it, expect } from 'vitest';
import { acquireGpu } from './device';

// Proves compute shaders with workgroup barriers run across many workgroups here.
const WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
var<workgroup> tile: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let base = wg.x * 64u;
  tile[li] = src[base + li];
  workgroupBarrier();
  // Tree reduction: every stage needs the barrier.
  var stride = 32u;
  loop {
    if (stride == 0u) { break; }
    if (li < stride) { tile[li] = tile[li] + tile[li + stride]; }
    workgroupBarrier();
    stride = stride / 2u;
  }
  // Each lane writes its input reversed within the group plus the group sum.
  dst[base + li] = src[base + 63u - li] + tile[0];
}`;

describe('WebGPU smoke (SwiftShader in CI)', () => {
  it('runs a barrier-heavy compute shader over 256 workgroups with correct numbers', async () => {
    const { device, adapterInfo } = await acquireGpu();
    expect(adapterInfo).toBeDefined();
    const groups = 256;
    const n = groups * 64;
    const input = new Float32Array(n);
    for (let i = 0; i < n; i++) input[i] = ((i * 7919) % 101) - 50;
    const src = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
    new Float32Array(src.getMappedRange()).set(input);
    src.unmap();
    const dst = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const read = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const module = device.createShaderModule({ code: WGSL });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: src } }, { binding: 1, resource: { buffer: dst } }],
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(groups);
    pass.end();
    enc.copyBufferToBuffer(dst, 0, read, 0, n * 4);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    for (let g = 0; g < groups; g++) {
      let sum = 0;
      for (let i = 0; i < 64; i++) sum += input[g * 64 + i];
      for (let i = 0; i < 64; i++) expect(out[g * 64 + i]).toBe(input[g * 64 + 63 - i] + sum);
    }
  });
});
