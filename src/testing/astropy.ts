// Runs a Python snippet with Debian's astropy (an independent reader of the files we write).
// Tests that use it fail, never skip, when astropy is missing: `npm run setup` installs it.
import { execFileSync } from 'node:child_process';

export const SYSTEM_PYTHON = process.env.SHEARWB_PYTHON ?? '/usr/bin/python3';

/** Runs `code` (which must print one JSON document on stdout) and returns the parsed result. */
export function runAstropy<T = unknown>(code: string, args: string[] = []): T {
  let out: string;
  try {
    out = execFileSync(SYSTEM_PYTHON, ['-W', 'always', '-c', code, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    if (/No module named 'astropy'/.test(err.stderr ?? '')) {
      throw new Error('astropy is not installed for ' + SYSTEM_PYTHON + ': run `npm run setup` as root or `sudo apt-get install python3-astropy`');
    }
    throw new Error(`python failed: ${err.stderr ?? err.message}`);
  }
  return JSON.parse(out) as T;
}
