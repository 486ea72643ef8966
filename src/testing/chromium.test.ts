import { describe, it, expect, afterEach } from 'vitest';
import { chromiumPath } from './chromium';
import { acquireGpu, NoWebGpuError } from '../engine/device';

describe('finding a browser and an adapter fails loudly, with the fix', () => {
  const saved = process.env.CHROMIUM_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
  });

  it('names a missing CHROMIUM_PATH', () => {
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    expect(() => chromiumPath()).toThrow(/CHROMIUM_PATH=\/nonexistent\/chromium does not exist/);
  });

  it('without navigator.gpu, says why and what to install', async () => {
    // Node has no navigator.gpu: exactly the "no WebGPU" case.
    const err = await acquireGpu().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoWebGpuError);
    expect((err as Error).message).toMatch(/navigator\.gpu is undefined/);
    expect((err as Error).message).toMatch(/apt-get install chromium/);
  });
});

describe('WebGPU adapter mode', () => {
  it('defaults to SwiftShader and switches to the hardware flags with SHEARWB_WEBGPU=hardware', async () => {
    const { chromiumArgs } = await import('./chromium');
    expect(chromiumArgs({})).toContain('--use-webgpu-adapter=swiftshader');
    const hw = chromiumArgs({ SHEARWB_WEBGPU: 'hardware' });
    expect(hw).toContain('--enable-unsafe-webgpu');
    expect(hw.some((a) => a.includes('swiftshader'))).toBe(false);
    expect(() => chromiumArgs({ SHEARWB_WEBGPU: 'cuda' })).toThrow(/SHEARWB_WEBGPU=cuda/);
  });
});
