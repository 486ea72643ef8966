// Batched 2-D FFTs in WGSL (radix-4/2 Stockham in workgroup memory, one barrier per
// stage), driven from TS so the engine can chain them with its own kernels in one
// command encoder without readbacks. Real input uses the packing trick: a real row
// of N samples is one N/2-point complex FFT plus a twiddle post-pass (fft-r2c.wgsl).
// 2-D = a row pass then a column pass (two dispatches per transform).
//
// Two memory variants with the same arithmetic (results agree bit for bit on
// SwiftShader; the test checks agreement to float tolerance): 'workgroup' for GPUs,
// 'private' (one invocation per line, no barriers, ~20× faster on SwiftShader) for
// CPU adapters. createFft picks by adapter unless told.
//
// Layouts (stamp-major, row-major, no padding between stamps):
//   complex stamp  N×N       vec2<f32> (re, im)          8·N² bytes
//   half spectrum  N×(N/2+1) vec2<f32>, columns kx=0..N/2  8·N·(N/2+1) bytes
//   real stamp     N×N       f32                          4·N² bytes
// Conventions: forward X[k] = Σ x[n]·exp(−2πi k·n/N) per axis; inverses include 1/N²,
// so inverse(forward(x)) = x. The inverse real transform returns the real part of the
// inverse of the Hermitian-extended half spectrum (imaginary parts of the kx = 0 and
// kx = N/2 columns after the column pass are ignored) and overwrites its input.

import type { GpuContext } from './device';
import { twiddleTable, kernelShape, type KernelShape, type FftVariant } from './fft-plan';
import commonWgsl from '../../shaders/fft-common.wgsl?raw';
import linesWgsl from '../../shaders/fft-lines.wgsl?raw';
import r2cWgsl from '../../shaders/fft-r2c.wgsl?raw';
import c2rWgsl from '../../shaders/fft-c2r.wgsl?raw';
import memWorkgroupWgsl from '../../shaders/fft-mem-workgroup.wgsl?raw';
import memPrivateWgsl from '../../shaders/fft-mem-private.wgsl?raw';

export type { FftVariant } from './fft-plan';

export const FFT_SIZES = [32, 64, 128, 256, 512] as const;

/** A buffer and the byte offset of the first stamp in it. */
export interface BufferRef {
  buffer: GPUBuffer;
  byteOffset?: number;
}

type Kind = 'lines' | 'r2c' | 'c2r';
const SOURCES: Record<Kind, string> = { lines: linesWgsl, r2c: r2cWgsl, c2r: c2rWgsl };
const MEMORY: Record<FftVariant, string> = { workgroup: memWorkgroupWgsl, private: memPrivateWgsl };

interface Kernel {
  pipeline: GPUComputePipeline;
  shape: KernelShape;
}

interface DeviceCache {
  kernels: Map<string, Kernel>;
  twiddles: Map<number, GPUBuffer>;
}
const deviceCaches = new WeakMap<GPUDevice, DeviceCache>();

function cacheFor(device: GPUDevice): DeviceCache {
  let c = deviceCaches.get(device);
  if (!c) {
    c = { kernels: new Map(), twiddles: new Map() };
    deviceCaches.set(device, c);
  }
  return c;
}

function getKernel(device: GPUDevice, kind: Kind, n: number, variant: FftVariant): Kernel {
  const cache = cacheFor(device);
  const key = `${kind}:${n}:${variant}`;
  let k = cache.kernels.get(key);
  if (!k) {
    const shape = kernelShape(kind === 'lines' ? n : n / 2, variant);
    const header =
      `const N: u32 = ${n}u;\nconst M: u32 = ${shape.m}u;\nconst LOGM: u32 = ${Math.log2(shape.m)}u;\n` +
      `const WG: u32 = ${shape.invocations}u;\nconst LPW: u32 = ${shape.linesInMemory}u;\n` +
      `const STRIDE: u32 = ${shape.stride}u;\n`;
    const code = header + MEMORY[variant] + commonWgsl + SOURCES[kind];
    const module = device.createShaderModule({ label: `fft-${key}`, code });
    const pipeline = device.createComputePipeline({
      label: `fft-${key}`,
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
    });
    k = { pipeline, shape };
    cache.kernels.set(key, k);
  }
  return k;
}

function getTwiddles(device: GPUDevice, n: number): GPUBuffer {
  const cache = cacheFor(device);
  let b = cache.twiddles.get(n);
  if (!b) {
    const data = twiddleTable(n);
    b = device.createBuffer({
      label: `fft-twiddles-${n}`,
      size: data.byteLength,
      usage: GPUBufferUsage.STORAGE,
      mappedAtCreation: true,
    });
    new Float32Array(b.getMappedRange()).set(data);
    b.unmap();
    cache.twiddles.set(n, b);
  }
  return b;
}

interface PassParams {
  srcBase: number;
  srcStampStride: number;
  srcLineStride: number;
  srcElemStride: number;
  dstBase: number;
  dstStampStride: number;
  dstLineStride: number;
  dstElemStride: number;
  lines: number;
  sign: 1 | -1;
  scale: number;
}

interface Step {
  kernel: Kernel;
  bind: GPUBindGroup;
  uniform: GPUBuffer;
  lines: number;
}

let nextBufferId = 1;
const bufferIds = new WeakMap<GPUBuffer, number>();
function bufferId(b: GPUBuffer): number {
  let id = bufferIds.get(b);
  if (id === undefined) {
    id = nextBufferId++;
    bufferIds.set(b, id);
  }
  return id;
}

/**
 * Batched N×N FFT plan for one device; create with {@link createFft}.
 * Every method takes a command encoder (one compute pass is opened and closed) or an
 * open compute pass (dispatches are appended; the pass's pipeline and bind group 0 are
 * left changed). `count` stamps (default `batch`) starting at `byteOffset` are
 * transformed; buffers need STORAGE usage. Bind groups are cached per
 * (buffer, offset), so reuse buffers across steps.
 */
export class Fft2d {
  readonly n: number;
  readonly batch: number;
  readonly variant: FftVariant;
  /** Columns of a half spectrum: N/2 + 1. */
  readonly halfWidth: number;
  readonly complexStampBytes: number;
  readonly halfStampBytes: number;
  readonly realStampBytes: number;
  private readonly device: GPUDevice;
  private readonly twiddles: GPUBuffer;
  // Bind groups (with their uniform buffers) per call signature; see clearBindings().
  private readonly steps = new Map<string, Step[]>();

  constructor(ctx: GpuContext, n: number, batch: number, variant: FftVariant) {
    if (!Number.isInteger(n) || n < 32 || n > 512 || (n & (n - 1)) !== 0) {
      throw new Error(`createFft: size n=${n} is not supported (powers of two 32…512)`);
    }
    if (!Number.isInteger(batch) || batch < 1 || batch > 65535) {
      throw new Error(`createFft: batch=${batch} must be an integer in 1…65535`);
    }
    this.device = ctx.device;
    this.n = n;
    this.batch = batch;
    this.variant = variant;
    this.halfWidth = n / 2 + 1;
    this.complexStampBytes = 8 * n * n;
    this.halfStampBytes = 8 * n * this.halfWidth;
    this.realStampBytes = 4 * n * n;
    this.twiddles = getTwiddles(ctx.device, n);
    for (const kind of ['lines', 'r2c', 'c2r'] as const) getKernel(ctx.device, kind, n, variant);
  }

  /** In-place forward complex 2-D FFT of `count` stamps. */
  forward(enc: GPUCommandEncoder | GPUComputePassEncoder, data: BufferRef, count = this.batch): void {
    this.encode(enc, this.complexSteps(data, count, 1), count);
  }

  /** In-place inverse complex 2-D FFT (includes 1/N²) of `count` stamps. */
  inverse(enc: GPUCommandEncoder | GPUComputePassEncoder, data: BufferRef, count = this.batch): void {
    this.encode(enc, this.complexSteps(data, count, -1), count);
  }

  /** Real stamps (src) → half spectra (dst). src is left unchanged. */
  forwardReal(enc: GPUCommandEncoder | GPUComputePassEncoder, src: BufferRef, dst: BufferRef, count = this.batch): void {
    const n = this.n;
    const h = this.halfWidth;
    const s = this.elementBase(src, 4, this.realStampBytes, count, 'forwardReal src');
    const d = this.elementBase(dst, 8, this.halfStampBytes, count, 'forwardReal dst');
    if (src.buffer === dst.buffer) throw new Error('forwardReal: src and dst must be different buffers');
    const key = `r2c|${bufferId(src.buffer)}@${s}|${bufferId(dst.buffer)}@${d}`;
    const steps = this.cached(key, () => [
      this.step('r2c', [src.buffer, dst.buffer], {
        ...strides(s, n * n, n, 1, d, n * h, h, 1),
        lines: n,
        sign: 1,
        scale: 1,
      }),
      this.step('lines', [dst.buffer], { ...strides(d, n * h, 1, h), lines: h, sign: 1, scale: 1 }),
    ]);
    this.encode(enc, steps, count);
  }

  /** Half spectra (src, overwritten) → real stamps (dst), including 1/N². */
  inverseReal(enc: GPUCommandEncoder | GPUComputePassEncoder, src: BufferRef, dst: BufferRef, count = this.batch): void {
    const n = this.n;
    const h = this.halfWidth;
    const s = this.elementBase(src, 8, this.halfStampBytes, count, 'inverseReal src');
    const d = this.elementBase(dst, 4, this.realStampBytes, count, 'inverseReal dst');
    if (src.buffer === dst.buffer) throw new Error('inverseReal: src and dst must be different buffers');
    const key = `c2r|${bufferId(src.buffer)}@${s}|${bufferId(dst.buffer)}@${d}`;
    const steps = this.cached(key, () => [
      this.step('lines', [src.buffer], { ...strides(s, n * h, 1, h), lines: h, sign: -1, scale: 1 }),
      this.step('c2r', [src.buffer, dst.buffer], {
        ...strides(s, n * h, h, 1, d, n * n, n, 1),
        lines: n,
        sign: -1,
        scale: 2 / (n * n), // 1/N for the columns, 1/(N/2) for the packed rows
      }),
    ]);
    this.encode(enc, steps, count);
  }

  /** Drop cached bind groups and uniforms (they keep the buffers they were made for alive). */
  clearBindings(): void {
    for (const steps of this.steps.values()) for (const st of steps) st.uniform.destroy();
    this.steps.clear();
  }

  private complexSteps(data: BufferRef, count: number, sign: 1 | -1): Step[] {
    const n = this.n;
    const b = this.elementBase(data, 8, this.complexStampBytes, count, sign > 0 ? 'forward' : 'inverse');
    return this.cached(`c${sign}|${bufferId(data.buffer)}@${b}`, () => [
      this.step('lines', [data.buffer], { ...strides(b, n * n, n, 1), lines: n, sign, scale: 1 }),
      this.step('lines', [data.buffer], { ...strides(b, n * n, 1, n), lines: n, sign, scale: sign > 0 ? 1 : 1 / (n * n) }),
    ]);
  }

  private elementBase(ref: BufferRef, elemBytes: number, stampBytes: number, count: number, what: string): number {
    const off = ref.byteOffset ?? 0;
    if (!Number.isInteger(count) || count < 1 || count > 65535) {
      throw new Error(`fft ${what}: count=${count} must be an integer in 1…65535`);
    }
    if (off < 0 || off % elemBytes !== 0) {
      throw new Error(`fft ${what}: byteOffset ${off} must be a non-negative multiple of ${elemBytes}`);
    }
    // Whole buffers are bound (offsets go in the uniform), so they must fit one binding.
    const maxBinding = this.device.limits.maxStorageBufferBindingSize;
    if (ref.buffer.size > maxBinding) {
      throw new Error(
        `fft ${what}: buffer '${ref.buffer.label}' has ${ref.buffer.size} bytes, more than the device's ` +
          `maxStorageBufferBindingSize ${maxBinding}; split the batch over smaller buffers`,
      );
    }
    const need = off + count * stampBytes;
    if (ref.buffer.size < need) {
      throw new Error(
        `fft ${what}: buffer '${ref.buffer.label}' has ${ref.buffer.size} bytes, needs ${need} ` +
          `(${count} stamps of ${this.n}×${this.n} from byte ${off})`,
      );
    }
    return off / elemBytes;
  }

  private cached(key: string, make: () => Step[]): Step[] {
    let s = this.steps.get(key);
    if (!s) {
      s = make();
      this.steps.set(key, s);
    }
    return s;
  }

  private step(kind: Kind, buffers: GPUBuffer[], p: PassParams): Step {
    const kernel = getKernel(this.device, kind, this.n, this.variant);
    const u = new ArrayBuffer(48);
    const ui = new Uint32Array(u);
    const uf = new Float32Array(u);
    ui.set([p.srcBase, p.srcStampStride, p.srcLineStride, p.srcElemStride]);
    ui.set([p.dstBase, p.dstStampStride, p.dstLineStride, p.dstElemStride], 4);
    ui[8] = p.lines;
    uf[9] = p.sign;
    uf[10] = p.scale;
    const uniform = this.device.createBuffer({
      label: `fft-${kind}-${this.n}-params`,
      size: 48,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.device.queue.writeBuffer(uniform, 0, u);
    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: { buffer: this.twiddles } },
      { binding: 1, resource: { buffer: uniform } },
    ];
    buffers.forEach((buffer, i) => entries.push({ binding: 2 + i, resource: { buffer } }));
    const bind = this.device.createBindGroup({ layout: kernel.pipeline.getBindGroupLayout(0), entries });
    return { kernel, bind, uniform, lines: p.lines };
  }

  private encode(enc: GPUCommandEncoder | GPUComputePassEncoder, steps: Step[], count: number): void {
    const own = 'beginComputePass' in enc;
    const pass = own ? enc.beginComputePass({ label: `fft-${this.n}` }) : enc;
    for (const st of steps) {
      pass.setPipeline(st.kernel.pipeline);
      pass.setBindGroup(0, st.bind);
      pass.dispatchWorkgroups(Math.ceil(st.lines / st.kernel.shape.linesPerGroup), count);
    }
    if (own) pass.end();
  }
}

/** Source and destination strides (elements); in-place passes use the source ones for both. */
function strides(
  srcBase: number,
  srcStampStride: number,
  srcLineStride: number,
  srcElemStride: number,
  dstBase = srcBase,
  dstStampStride = srcStampStride,
  dstLineStride = srcLineStride,
  dstElemStride = srcElemStride,
) {
  return { srcBase, srcStampStride, srcLineStride, srcElemStride, dstBase, dstStampStride, dstLineStride, dstElemStride };
}

/**
 * Plan batched N×N FFTs (N a power of two, 32…512); pipelines are cached per device,
 * size and variant. The variant defaults by adapter ('private' on a CPU adapter such
 * as SwiftShader, 'workgroup' otherwise); both give the same results to float rounding.
 */
export function createFft(ctx: GpuContext, n: number, batch: number, opts: { variant?: FftVariant } = {}): Fft2d {
  return new Fft2d(ctx, n, batch, opts.variant ?? (ctx.isSoftware ? 'private' : 'workgroup'));
}
