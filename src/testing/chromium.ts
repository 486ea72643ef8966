// Where the system Chromium lives and how to start it for WebGPU on SwiftShader.
// Shared by Vitest's browser mode, the e2e tests and the CLI's headless runs.
import { existsSync } from 'node:fs';

const COMMON_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
];

/**
 * WebGPU adapter choice, from SHEARWB_WEBGPU: 'swiftshader' (default; a CPU, works everywhere, the
 * CI proxy) or 'hardware' (GPU nodes: Vulkan driver, GPU blocklist ignored). The adapter a run used
 * is recorded in its metadata, so a run that silently fell back to the CPU shows it.
 */
export function webgpuMode(env: Record<string, string | undefined> = process.env): 'swiftshader' | 'hardware' {
  const v = (env.SHEARWB_WEBGPU ?? 'swiftshader').toLowerCase();
  if (v !== 'swiftshader' && v !== 'hardware') throw new Error(`SHEARWB_WEBGPU=${v}: expected 'swiftshader' or 'hardware'`);
  return v;
}

export function chromiumArgs(env: Record<string, string | undefined> = process.env): string[] {
  return webgpuMode(env) === 'hardware'
    ? [...COMMON_ARGS, '--use-angle=vulkan', '--ignore-gpu-blocklist']
    : [...COMMON_ARGS, '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader'];
}

export const CHROMIUM_ARGS = chromiumArgs();
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Path of the Chromium to drive; CHROMIUM_PATH overrides. Throws with the fix when none is found. */
export function chromiumPath(): string {
  const env = process.env.CHROMIUM_PATH;
  if (env) {
    if (!existsSync(env)) throw new Error(`CHROMIUM_PATH=${env} does not exist`);
    return env;
  }
  for (const c of CANDIDATES) if (existsSync(c)) return c;
  throw new Error(
    'No Chromium found (looked for ' + CANDIDATES.join(', ') + '). ' +
      'Install Debian\'s package: `sudo apt-get install chromium`, or run `npm run setup` as root, ' +
      'or set CHROMIUM_PATH to a Chromium/Chrome binary.',
  );
}
