// Acquiring a WebGPU device, with a message that says what to do when there is none.

export interface GpuContext {
  device: GPUDevice;
  adapterInfo: { vendor: string; architecture: string; device: string; description: string };
  /** True on SwiftShader (a CPU): kernels may pick CPU-friendly variants, never different results. */
  isSoftware: boolean;
}

export class NoWebGpuError extends Error {
  constructor(reason: string) {
    super(
      `WebGPU is not available: ${reason}. ` +
        'Use a recent Chrome/Chromium. Without a GPU, start Chromium with --enable-unsafe-webgpu ' +
        '(SwiftShader adapter; Debian: `apt-get install chromium`).',
    );
    this.name = 'NoWebGpuError';
  }
}

export async function acquireGpu(opts: { requiredLimits?: Record<string, number> } = {}): Promise<GpuContext> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new NoWebGpuError('navigator.gpu is undefined (browser without WebGPU, or not a secure context)');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new NoWebGpuError('requestAdapter() returned null (no adapter: flag missing or GPU blocked)');
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const limits: Record<string, number> = {};
  // Ask for what the adapter offers up to what we need: storage buffers are large for full quadrants.
  const want: Record<string, number> = {
    maxStorageBufferBindingSize: 1 << 30,
    maxBufferSize: 1 << 30,
    maxComputeWorkgroupStorageSize: 32768,
    maxStorageBuffersPerShaderStage: 10,
    ...(opts.requiredLimits ?? {}),
  };
  for (const [k, v] of Object.entries(want)) {
    const have = (adapter.limits as unknown as Record<string, number>)[k];
    if (typeof have === 'number') limits[k] = Math.min(have, v);
  }
  const device = await adapter.requestDevice({ requiredLimits: limits });
  const adapterInfo = {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
  };
  const text = Object.values(adapterInfo).join(' ').toLowerCase();
  return { device, adapterInfo, isSoftware: text.includes('swiftshader') };
}
