// `shearwb jobs <list> --scheduler slurm|k8s|aws --out <file>`: writes the job-array script /
// manifest / definition that runs `shearwb batch <list> --shard auto` on every shard.
import type { Command } from 'commander';
import { mkdir } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { writeFileAtomic } from '../data/products/atomic';
import { awsBatch } from './batch/aws';
import { parseMem, parseTime, type JobSpec, type Scheduler } from './batch/job-spec';
import { k8sJob } from './batch/k8s';
import { readManifestList } from './batch/list';
import { taskCount } from './batch/shard';
import { slurmScript } from './batch/slurm';
import { intOption } from './cmd-batch';

export interface JobsCliOptions {
  scheduler: string;
  out: string;
  shards?: number;
  perTask?: number;
  image?: string;
  partition?: string;
  queue?: string;
  gpus: number;
  cpus: number;
  time?: string;
  mem?: string;
  workdir?: string;
  outdir: string;
  name: string;
  parallel?: number;
  pvc?: string;
  listPath?: string;
  retries?: number;
  steps?: number;
  optimizer?: string;
}

export interface JobsResult {
  files: string[];
  spec: JobSpec;
  notes: string[];
}

const SCHEDULERS: Scheduler[] = ['slurm', 'k8s', 'aws'];
const SLURM_ARRAY_DEFAULT_MAX = 1001; // Slurm's default MaxArraySize: indices up to 1000

/** The submission file path for AWS: job.json → job.submit.json. */
export const awsSubmitPath = (out: string) => (extname(out) === '.json' ? out.slice(0, -5) : out) + '.submit.json';

export async function writeJobs(list: string, o: JobsCliOptions): Promise<JobsResult> {
  const scheduler = o.scheduler as Scheduler;
  if (!SCHEDULERS.includes(scheduler)) throw new Error(`--scheduler '${o.scheduler}': expected one of ${SCHEDULERS.join(', ')}`);
  const { manifests, warnings } = await readManifestList(list);
  const tasks = taskCount(manifests.length, { shards: o.shards, perTask: o.perTask });
  let pvc: JobSpec['pvc'];
  if (o.pvc) {
    const [claim, mountPath = '/data'] = o.pvc.split(':');
    if (!claim || !mountPath.startsWith('/')) throw new Error(`--pvc '${o.pvc}': expected CLAIM or CLAIM:/mount/path`);
    pvc = { claim, mountPath };
  }
  const spec: JobSpec = {
    // Slurm nodes share the filesystem: an absolute path works from any --workdir. Containers see
    // their own paths, so there the list is written as given (or --list-path).
    list: o.listPath ?? (scheduler === 'slurm' ? resolve(list) : list),
    outdir: o.outdir,
    manifests: manifests.length,
    tasks,
    ...(o.perTask !== undefined ? { perTask: o.perTask } : {}),
    ...(o.retries !== undefined ? { attempts: o.retries } : {}),
    ...(o.steps !== undefined ? { steps: o.steps } : {}),
    ...(o.optimizer !== undefined ? { optimizer: o.optimizer } : {}),
    name: o.name,
    image: o.image,
    partition: o.partition,
    queue: o.queue,
    gpus: o.gpus,
    cpus: o.cpus,
    ...(o.time ? { timeSeconds: parseTime(o.time) } : {}),
    ...(o.mem ? { memMiB: parseMem(o.mem) } : {}),
    workdir: o.workdir,
    parallel: o.parallel,
    pvc,
  };
  const notes = warnings.map((w) => `warning: ${w}`);
  if (scheduler !== 'slurm' && !o.listPath)
    notes.push(`note: the containers run \`batch ${list}\`; pass --list-path if the list (and its relative manifest paths) sits elsewhere in the container`);
  if (tasks > manifests.length) notes.push(`warning: ${tasks} tasks for ${manifests.length} manifests: ${tasks - manifests.length} tasks will have nothing to do`);
  await mkdir(dirname(o.out), { recursive: true });
  const files = [o.out];
  if (scheduler === 'slurm') {
    if (tasks > SLURM_ARRAY_DEFAULT_MAX - 1)
      notes.push(`warning: --array=0-${tasks - 1} exceeds Slurm's default MaxArraySize (${SLURM_ARRAY_DEFAULT_MAX}); check \`scontrol show config | grep MaxArraySize\` or use --per-task`);
    await writeFileAtomic(o.out, slurmScript(spec));
    notes.push(`submit: sbatch ${o.out}`);
  } else if (scheduler === 'k8s') {
    await writeFileAtomic(o.out, k8sJob(spec));
    notes.push(`submit: kubectl apply -f ${o.out}`);
  } else {
    const aws = awsBatch(spec);
    const submit = awsSubmitPath(o.out);
    await writeFileAtomic(o.out, JSON.stringify(aws.jobDefinition, null, 2) + '\n');
    await writeFileAtomic(submit, JSON.stringify(aws.submitJob, null, 2) + '\n');
    files.push(submit);
    notes.push(`submit: aws batch register-job-definition --cli-input-json file://${o.out}`, `        aws batch submit-job --cli-input-json file://${submit}`, ...aws.notes.slice(3));
  }
  return { files, spec, notes };
}

export function register(program: Command): void {
  program
    .command('jobs')
    .description('write the Slurm sbatch script, Kubernetes Indexed Job or AWS Batch job definition + array submission that runs `shearwb batch` over a manifest list')
    .argument('<list>', 'manifest list (text file or folder), as for `shearwb batch`')
    .requiredOption('--scheduler <name>', 'slurm | k8s | aws')
    .requiredOption('--out <file>', 'file to write (aws: the job definition; the submission goes to <name>.submit.json beside it)')
    .option('--shards <N>', 'array size, manifest i in task i mod N (default: one task per manifest)', intOption('--shards', 1))
    .option('--per-task <K>', 'contiguous blocks of K manifests per task; array size ceil(manifests / K)', intOption('--per-task', 1))
    .option('--image <image>', 'container image (k8s, aws): this repository after `npm ci`, with Chromium')
    .option('--partition <p>', 'Slurm partition')
    .option('--queue <q>', 'AWS Batch job queue')
    .option('--gpus <n>', 'GPUs per task (0: SwiftShader on the CPU)', intOption('--gpus', 0), 1)
    .option('--cpus <n>', 'CPUs per task', intOption('--cpus', 1), 4)
    .option('--time <HH:MM:SS>', 'wall time per task')
    .option('--mem <size>', 'memory per task, e.g. 16G')
    .option('--workdir <dir>', 'folder with this repository on the nodes / in the image (commands run there)')
    .option('--outdir <dir>', 'output folder of the batch, as the nodes see it (shared storage)', 'products')
    .option('--list-path <path>', 'the list as the nodes see it (default: slurm its absolute path, k8s/aws <list> as given)')
    .option('--name <name>', 'job name', 'shearwb')
    .option('--parallel <P>', 'most tasks at once (Slurm %P, k8s parallelism)', intOption('--parallel', 1))
    .option('--pvc <claim[:path]>', 'k8s: PersistentVolumeClaim to mount (default path /data) for the list and outputs')
    .option('--retries <R>', 'attempts per sub-tile (passed to batch)', intOption('--retries', 1))
    .option('--steps <N>', 'optimiser step limit (passed to batch)', intOption('--steps', 1))
    .option('--optimizer <name>', 'optimiser (passed to batch)')
    .action(async (list: string, o: JobsCliOptions) => {
      const r = await writeJobs(list, o);
      const lines = [`wrote ${r.files.join(', ')}: ${r.spec.tasks} array tasks for ${r.spec.manifests} manifests`, ...r.notes];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
