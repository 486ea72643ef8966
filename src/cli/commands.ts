// The list of subcommands. One line per command module; each exports `register(program)`.
import type { Command } from 'commander';
import { register as registerFits } from './cmd-fits';
import { register as registerWcs } from './cmd-wcs';
import { register as registerSimulate } from './cmd-simulate';

export function registerCommands(program: Command): void {
  void program;
  registerFits(program);
  registerWcs(program);
  registerSimulate(program);
}
