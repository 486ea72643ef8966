// `shearwb bench --quick`: a tiny FFT-only run in headless Chromium completes and prints
// the FFT table (all four implementations, PFFFT's wasm from the app's own assets).
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { REPO_ROOT } from '../src/cli/app-build';
import { FFT_HEADER } from '../src/headless/bench/report';

const run = promisify(execFile);

describe('shearwb bench --quick', () => {
  it('runs the FFT benchmark on sizes 32 and 64 and prints the table header and ratios', async () => {
    const t0 = Date.now();
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'bin', 'shearwb.mjs'), 'bench', '--quick'], {
      cwd: REPO_ROOT,
      timeout: 120_000,
    });
    expect(Date.now() - t0).toBeLessThan(60_000);
    const header = stdout.split('\n').find((l) => l.includes('implementation') && l.includes('GFLOP/s'));
    expect(header?.trim().split(/\s{2,}/)).toEqual(FFT_HEADER);
    for (const impl of ['wgsl-private', 'wgsl-workgroup', 'fft.js', 'pffft-wasm']) {
      expect(stdout).toMatch(new RegExp(`\\n\\s*32\\s+4\\s+${impl.replace('.', '\\.')}\\s+[0-9.]+\\s+[0-9.]+`));
    }
    expect(stdout).toContain('WGSL / peer');
    expect(stdout).toMatch(/PFFFT wasm loaded from http:\/\/127\.0\.0\.1:\d+\/assets\/[^ ]+\.wasm \(the app's own bundled assets\)/);
    expect(stdout).toMatch(/WebGPU adapter: /);
  });
});
