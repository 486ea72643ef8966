// `shearwb batch <list> --out <dir> [--shard I/N | auto]`: one task of a batch of sub-tiles, run on
// an existing scheduler's job array (DESIGN §6). See src/cli/batch/ for the pieces.
import type { Command } from 'commander';
import { formatSummary, runBatch } from './batch/batch';
import { readManifestList } from './batch/list';
import { headlessRunnerFactory, OPTIMIZERS } from './batch/run-adapter';
import { resolveShard } from './batch/shard';

export interface BatchCliOptions {
  out: string;
  shard?: string;
  shards?: number;
  perTask?: number;
  retries: number;
  retryDelay: number;
  steps?: number;
  optimizer?: string;
  verbose?: boolean;
  json?: boolean;
}

export const intOption = (flag: string, min: number) => (v: string) => {
  if (!/^\s*\d+\s*$/.test(v) || Number(v) < min) throw new Error(`${flag}: '${v}' is not an integer ≥ ${min}`);
  return Number(v);
};

const numOption = (flag: string) => (v: string) => {
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x) || x < 0) throw new Error(`${flag}: '${v}' is not a non-negative number`);
  return x;
};

export function register(program: Command): void {
  program
    .command('batch')
    .description('run the sub-tiles of one shard of a manifest list (skips finished ones, retries failures); exit 0 only when the whole shard is done')
    .argument('<list>', 'text file of manifest paths/URLs (one a line, # comments; relative to the file) or a folder searched for manifest*.yaml')
    .requiredOption('--out <dir>', 'output folder shared by every task')
    .option('--shard <I/N|auto>', "this task's shard: I/N (0-based), or 'auto' from SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX (default: the environment if set, else the whole list)")
    .option('--shards <N>', 'number of shards when the scheduler gives only an index (also SHEARWB_SHARDS)', intOption('--shards', 1))
    .option('--per-task <K>', 'contiguous blocks of K manifests per task (task I runs I·K … I·K+K−1) instead of round robin', intOption('--per-task', 1))
    .option('--retries <R>', 'attempts per sub-tile, the first included', intOption('--retries', 1), 3)
    .option('--retry-delay <s>', 'seconds before the 2nd attempt, doubling after (max 300)', numOption('--retry-delay'), 10)
    .option('--steps <N>', 'optimiser step limit (passed to run)', intOption('--steps', 1))
    .option('--optimizer <name>', 'optimiser (passed to run)')
    .option('--json', 'print the summary as JSON')
    .option('--verbose', "forward the page's console")
    .action(async (list: string, o: BatchCliOptions) => {
      if (o.optimizer !== undefined && !(OPTIMIZERS as readonly string[]).includes(o.optimizer))
        throw new Error(`batch: --optimizer must be one of ${OPTIMIZERS.join(', ')}, not '${o.optimizer}'`);
      const shard = resolveShard(o.shard, process.env, o.shards);
      const { manifests, warnings } = await readManifestList(list);
      const log = (l: string) => process.stderr.write(`${l}\n`);
      for (const w of warnings) log(`warning: ${w}`);
      // Schedulers send SIGTERM before killing a task: stop between sub-tiles (products are atomic,
      // so a kill mid-run loses only that sub-tile's work). A second signal exits at once.
      const ac = new AbortController();
      const onSignal = (sig: NodeJS.Signals) => {
        if (ac.signal.aborted) process.exit(sig === 'SIGINT' ? 130 : 143);
        log(`${sig}: stopping after the current sub-tile (send again to exit now)`);
        ac.abort();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      try {
        const summary = await runBatch({
          manifests,
          outdir: o.out,
          shard,
          perTask: o.perTask,
          attempts: o.retries,
          retryDelayMs: o.retryDelay * 1000,
          runOptions: { ...(o.steps !== undefined ? { steps: o.steps } : {}), ...(o.optimizer !== undefined ? { optimizer: o.optimizer } : {}) },
          runner: headlessRunnerFactory({ verbose: o.verbose, log }),
          log,
          signal: ac.signal,
        });
        if (o.json) {
          const { items, ...rest } = summary;
          process.stdout.write(
            JSON.stringify({ ...rest, items: items.map((i) => ({ ...i, key: i.key ? { ...i.key, tileId: String(i.key.tileId) } : undefined, outcome: undefined })) }, null, 2) + '\n',
          );
        } else process.stdout.write(formatSummary(summary) + '\n');
        if (!summary.ok) process.exitCode = 1;
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
