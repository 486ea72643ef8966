// Size-dependent pieces of the FFT plan that need no GPU: twiddles and workgroup shapes.

/** tw[j] = exp(−2πi·j/N), j = 0..N−1, as interleaved float32, computed in float64. */
export function twiddleTable(n: number): Float32Array {
  const t = new Float32Array(2 * n);
  for (let j = 0; j < n; j++) {
    const a = (-2 * Math.PI * j) / n;
    t[2 * j] = Math.cos(a);
    t[2 * j + 1] = Math.sin(a);
  }
  return t;
}

/**
 * 'workgroup': lines shared in workgroup memory, all invocations of a workgroup
 * cooperate with a barrier per stage (what GPUs want).
 * 'private': one invocation per line in private memory, no barriers (what a CPU
 * adapter such as SwiftShader wants). Same arithmetic, same results up to float rounding.
 */
export type FftVariant = 'workgroup' | 'private';

export interface KernelShape {
  variant: FftVariant;
  /** Length of the complex FFT along one line. */
  m: number;
  /** Lines (rows or columns) per workgroup. */
  linesPerGroup: number;
  /** Invocations per workgroup. */
  invocations: number;
  /** Lines held in one invocation's view of `sm` (1 for 'private'). */
  linesInMemory: number;
  /** Loop stride of one invocation over elements/butterflies. */
  stride: number;
}

// Workgroup variant: each workgroup holds 512 complex points (two ping-pong
// copies: 8 KiB of workgroup memory), grouping short lines; one invocation per
// radix-4 butterfly (128), each doing two in the odd radix-2 stage.
const WG_ELEMENTS = 512;
const WG_MAX_INVOCATIONS = 256;
// Private variant: lines (= invocations) per workgroup.
const PRIVATE_LINES = 16;

export function kernelShape(m: number, variant: FftVariant): KernelShape {
  if (variant === 'private') {
    return { variant, m, linesPerGroup: PRIVATE_LINES, invocations: PRIVATE_LINES, linesInMemory: 1, stride: 1 };
  }
  const linesPerGroup = Math.max(1, Math.floor(WG_ELEMENTS / m));
  const invocations = Math.min(WG_MAX_INVOCATIONS, (linesPerGroup * m) / 4);
  return { variant, m, linesPerGroup, invocations, linesInMemory: linesPerGroup, stride: invocations };
}
