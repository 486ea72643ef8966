// `shearwb serve`: the workbench on localhost, with local folders of sub-tiles served beside it.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { ensureAppBuilt } from './app-build';
import { startStaticServer, type Mount } from './static-server';

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the workbench on localhost (builds it first when needed)')
    .option('--port <n>', 'port', '5173')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--data <dir>', 'a folder served at /data/ (open its manifests with ?manifest=data/…)')
    .option('--demo', 'open the demo sub-tile (made with the simulator on first start)')
    .action(async (opts: { port: string; host: string; data?: string; demo?: boolean }) => {
      const dist = await ensureAppBuilt();
      const mounts: Mount[] = [{ prefix: '/', dir: dist }];
      let start = '/';
      if (opts.data) {
        const dir = resolve(opts.data);
        if (!existsSync(dir)) throw new Error(`--data ${opts.data}: no such folder`);
        mounts.push({ prefix: '/data/', dir });
      }
      if (opts.demo) {
        const { ensureDemoSubtile } = await import('./demo');
        const demo = await ensureDemoSubtile();
        mounts.push({ prefix: '/demo/', dir: demo.dir });
        start = `/?manifest=${encodeURIComponent('demo/' + demo.manifest)}`;
      }
      const srv = await startStaticServer(mounts, { port: Number(opts.port), host: opts.host });
      process.stdout.write(`Shear Workbench: ${srv.url}${start}\n`);
      await new Promise(() => undefined); // serve until interrupted
    });
}
