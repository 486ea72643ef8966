// Which part of the manifest list this task runs. The shard comes from --shard I/N, or from the
// array index the scheduler puts in the environment (Slurm job array, Kubernetes Indexed Job,
// AWS Batch array job). Assignment is deterministic, so every task of an array agrees on it:
//   - by default, manifest i (0-based, list order) belongs to shard i mod N (round robin);
//   - with --per-task K, shard I runs the contiguous block [I·K, I·K + K) and N = ceil(M / K).

export interface Shard {
  index: number;
  /** Number of shards; undefined when only the index is known (enough with --per-task). */
  count?: number;
  /** Where it came from, for the summary: '--shard', 'SLURM_ARRAY_TASK_ID', … or 'whole list'. */
  source: string;
}

type Env = Record<string, string | undefined>;

function nonNegInt(v: string, what: string): number {
  if (!/^\s*\d+\s*$/.test(v)) throw new Error(`${what} = '${v}' is not a non-negative integer`);
  return Number(v);
}

function posInt(v: string, what: string): number {
  const n = nonNegInt(v, what);
  if (n < 1) throw new Error(`${what} = '${v}' must be at least 1`);
  return n;
}

/** Parses `I/N` (0 ≤ I < N). */
export function parseShardSpec(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new Error(`--shard '${spec}': expected I/N (0-based index I of N shards, e.g. 3/10) or 'auto'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new Error(`--shard '${spec}': N must be at least 1`);
  if (index >= count) throw new Error(`--shard '${spec}': index ${index} is out of range 0…${count - 1}`);
  return { index, count, source: '--shard' };
}

/**
 * The shard from the scheduler's environment, or undefined when none is set. `shards` is the count
 * given on the command line (--shards); SHEARWB_SHARDS is the fallback for schedulers that only
 * give an index. Slurm arrays may start at any index and have a step: index = (ID − MIN) / STEP.
 */
export function shardFromEnv(env: Env, shards?: number): Shard | undefined {
  const fallbackCount = (): number | undefined =>
    shards ?? (env.SHEARWB_SHARDS !== undefined && env.SHEARWB_SHARDS !== '' ? posInt(env.SHEARWB_SHARDS, 'SHEARWB_SHARDS') : undefined);
  const slurm = env.SLURM_ARRAY_TASK_ID;
  if (slurm !== undefined && slurm !== '') {
    const id = nonNegInt(slurm, 'SLURM_ARRAY_TASK_ID');
    const min = env.SLURM_ARRAY_TASK_MIN ? nonNegInt(env.SLURM_ARRAY_TASK_MIN, 'SLURM_ARRAY_TASK_MIN') : 0;
    const step = env.SLURM_ARRAY_TASK_STEP ? posInt(env.SLURM_ARRAY_TASK_STEP, 'SLURM_ARRAY_TASK_STEP') : 1;
    if (id < min || (id - min) % step !== 0)
      throw new Error(`SLURM_ARRAY_TASK_ID = ${id} is not on the array's grid (SLURM_ARRAY_TASK_MIN ${min}, step ${step}); use a plain range such as --array=0-9`);
    const count = env.SLURM_ARRAY_TASK_COUNT ? posInt(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT') : fallbackCount();
    return checked({ index: (id - min) / step, count, source: 'SLURM_ARRAY_TASK_ID' });
  }
  const k8s = env.JOB_COMPLETION_INDEX;
  if (k8s !== undefined && k8s !== '') {
    return checked({ index: nonNegInt(k8s, 'JOB_COMPLETION_INDEX'), count: fallbackCount(), source: 'JOB_COMPLETION_INDEX' });
  }
  const aws = env.AWS_BATCH_JOB_ARRAY_INDEX;
  if (aws !== undefined && aws !== '') {
    const size = env.AWS_BATCH_JOB_ARRAY_SIZE ? posInt(env.AWS_BATCH_JOB_ARRAY_SIZE, 'AWS_BATCH_JOB_ARRAY_SIZE') : fallbackCount();
    return checked({ index: nonNegInt(aws, 'AWS_BATCH_JOB_ARRAY_INDEX'), count: size, source: 'AWS_BATCH_JOB_ARRAY_INDEX' });
  }
  return undefined;
}

function checked(s: Shard): Shard {
  if (s.count !== undefined && s.index >= s.count)
    throw new Error(`${s.source}: index ${s.index} is out of range for ${s.count} shards (0…${s.count - 1}); check the array size against --shards / SHEARWB_SHARDS`);
  return s;
}

/**
 * The shard of this task. `spec` is the --shard value: 'I/N', 'auto' (environment required) or
 * undefined (environment if set, else the whole list as one shard).
 */
export function resolveShard(spec: string | undefined, env: Env, shards?: number): Shard {
  if (spec !== undefined && spec !== 'auto') {
    const s = parseShardSpec(spec);
    if (shards !== undefined && shards !== s.count) throw new Error(`--shard ${spec} disagrees with --shards ${shards}`);
    return s;
  }
  const fromEnv = shardFromEnv(env, shards);
  if (fromEnv) return fromEnv;
  if (spec === 'auto')
    throw new Error(
      '--shard auto: no array index in the environment (looked for SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX); give --shard I/N to run one shard by hand',
    );
  if (shards !== undefined && shards !== 1) throw new Error(`--shards ${shards} without an index: give --shard I/${shards} or run under a scheduler array`);
  return { index: 0, count: 1, source: 'whole list' };
}

/** Indices (into the list of `total` manifests) that `shard` runs, in list order. */
export function shardItems(total: number, shard: Shard, perTask?: number): number[] {
  if (perTask !== undefined) {
    if (!Number.isInteger(perTask) || perTask < 1) throw new Error(`--per-task ${perTask}: must be a positive integer`);
    const needed = Math.ceil(total / perTask);
    if (shard.count !== undefined && shard.count * perTask < total)
      throw new Error(
        `--per-task ${perTask} × ${shard.count} shards (${shard.source}) covers ${shard.count * perTask} of ${total} manifests; the array needs ${needed} tasks`,
      );
    const start = shard.index * perTask;
    const out: number[] = [];
    for (let i = start; i < Math.min(total, start + perTask); i++) out.push(i);
    return out;
  }
  if (shard.count === undefined)
    throw new Error(`${shard.source} gives the index ${shard.index} but not the number of shards: pass --shards N, set SHEARWB_SHARDS, or use --per-task K`);
  const out: number[] = [];
  for (let i = shard.index; i < total; i += shard.count) out.push(i);
  return out;
}

/** Number of array tasks for `total` manifests: ceil(total / perTask), or `shards`, or one per manifest. */
export function taskCount(total: number, opts: { shards?: number; perTask?: number }): number {
  if (opts.perTask !== undefined) {
    if (!Number.isInteger(opts.perTask) || opts.perTask < 1) throw new Error(`--per-task ${opts.perTask}: must be a positive integer`);
    if (opts.shards !== undefined) throw new Error('give --shards N or --per-task K, not both (with --per-task the number of tasks is ceil(manifests / K))');
    return Math.ceil(total / opts.perTask);
  }
  if (opts.shards !== undefined) {
    if (!Number.isInteger(opts.shards) || opts.shards < 1) throw new Error(`--shards ${opts.shards}: must be a positive integer`);
    return opts.shards;
  }
  return total;
}
