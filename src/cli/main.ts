// `shearwb` command line. Each subcommand lives in its own module and registers itself here.
import { Command } from 'commander';
import { registerCommands } from './commands';

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name('shearwb')
    .description('Shear Workbench: weak-lensing shear inference on Euclid sub-tiles')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  try {
    await program.parseAsync(argv);
  } catch (err: unknown) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (e.code?.startsWith('commander.')) {
      process.exitCode = e.exitCode ?? 1;
      return;
    }
    // A user-facing error: one line that names the file/field and what is wrong, no stack.
    process.stderr.write(`shearwb: ${e.message ?? String(err)}\n`);
    if (process.env.SHEARWB_DEBUG) console.error(err);
    process.exitCode = 2;
  }
}
