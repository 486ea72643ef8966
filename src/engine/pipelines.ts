// Compute pipelines of the engine kernels (shaders/model-*, accumulate-*, grad-*,
// reduce-*), cached per device; tier kernels are specialised by their FFT size N.

import commonWgsl from '../../shaders/model-common.wgsl?raw';
import setupWgsl from '../../shaders/model-setup.wgsl?raw';
import spectrumWgsl from '../../shaders/model-spectrum.wgsl?raw';
import accumulateWgsl from '../../shaders/accumulate-image.wgsl?raw';
import residualWgsl from '../../shaders/residual-image.wgsl?raw';
import cutWgsl from '../../shaders/grad-cut.wgsl?raw';
import gradPairWgsl from '../../shaders/grad-pair.wgsl?raw';
import sourcesWgsl from '../../shaders/grad-sources.wgsl?raw';
import lossWgsl from '../../shaders/reduce-loss.wgsl?raw';

export type GlobalKernel = 'setup' | 'accumulate' | 'residual' | 'sources' | 'loss';
export type TierKernel = 'spectrum' | 'cut' | 'gradPair';

/** Workgroup sizes (invocations) of each kernel, for dispatch reports and cost models. */
export const WORKGROUP_SIZE: Record<GlobalKernel | TierKernel, number> = {
  setup: 64,
  spectrum: 64,
  accumulate: 256,
  residual: 256,
  cut: 64,
  gradPair: 64,
  sources: 64,
  loss: 256,
};

const GLOBAL_SOURCES: Record<GlobalKernel, string> = {
  setup: setupWgsl,
  accumulate: accumulateWgsl,
  residual: residualWgsl,
  sources: sourcesWgsl,
  loss: lossWgsl,
};
const TIER_SOURCES: Record<TierKernel, string> = { spectrum: spectrumWgsl, cut: cutWgsl, gradPair: gradPairWgsl };

const caches = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

function build(device: GPUDevice, key: string, code: string): GPUComputePipeline {
  let cache = caches.get(device);
  if (!cache) {
    cache = new Map();
    caches.set(device, cache);
  }
  let p = cache.get(key);
  if (!p) {
    const module = device.createShaderModule({ label: `engine-${key}`, code });
    p = device.createComputePipeline({ label: `engine-${key}`, layout: 'auto', compute: { module, entryPoint: 'main' } });
    cache.set(key, p);
  }
  return p;
}

export function globalPipeline(device: GPUDevice, kind: GlobalKernel): GPUComputePipeline {
  return build(device, kind, commonWgsl + GLOBAL_SOURCES[kind]);
}

export function tierPipeline(device: GPUDevice, kind: TierKernel, n: number): GPUComputePipeline {
  return build(device, `${kind}:${n}`, `const N: u32 = ${n}u;\n` + commonWgsl + TIER_SOURCES[kind]);
}

/** Surfaces WGSL compile errors of every engine kernel (createComputePipeline only warns asynchronously). */
export async function checkShaders(device: GPUDevice, tiers: number[]): Promise<void> {
  const codes: [string, string][] = (Object.keys(GLOBAL_SOURCES) as GlobalKernel[]).map((k) => [k, commonWgsl + GLOBAL_SOURCES[k]]);
  for (const n of tiers) {
    for (const k of Object.keys(TIER_SOURCES) as TierKernel[]) codes.push([`${k}:${n}`, `const N: u32 = ${n}u;\n` + commonWgsl + TIER_SOURCES[k]]);
  }
  for (const [key, code] of codes) {
    const info = await device.createShaderModule({ label: key, code }).getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length) {
      throw new Error(`engine shader ${key}: ${errors.map((m) => `line ${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
    }
  }
}
