// The list of subcommands. One line per command module; each exports `register(program)`.
import type { Command } from 'commander';
import { register as registerFits } from './cmd-fits';
import { register as registerWcs } from './cmd-wcs';
import { register as registerSimulate } from './cmd-simulate';
import { register as registerServe } from './cmd-serve';
import { register as registerInspect } from './cmd-inspect';
import { register as registerAssemble } from './cmd-assemble';
import { register as registerRender } from './cmd-render';
import { register as registerBench } from './cmd-bench';
import { register as registerRun } from './cmd-run';
import { register as registerBatch } from './cmd-batch';
import { register as registerJobs } from './cmd-jobs';

export function registerCommands(program: Command): void {
  registerFits(program);
  registerWcs(program);
  registerInspect(program);
  registerSimulate(program);
  registerServe(program);
  registerAssemble(program);
  registerRender(program);
  registerBench(program);
  registerRun(program);
  registerBatch(program);
  registerJobs(program);
}
