// Where the system Chromium lives and how to start it for WebGPU on SwiftShader.
// Shared by Vitest's browser mode, the e2e tests and the CLI's headless runs.
import { existsSync } from 'node:fs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
  '--use-webgpu-adapter=swiftshader',
];

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
