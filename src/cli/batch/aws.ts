// AWS Batch: a job definition (register-job-definition input) and an array-job submission
// (submit-job input). Each child gets AWS_BATCH_JOB_ARRAY_INDEX; the shard count is SHEARWB_SHARDS.
import { batchArgv, GPU_NOTES, shellQuote, type JobSpec } from './job-spec';

export interface AwsBatchFiles {
  jobDefinition: Record<string, unknown>;
  submitJob: Record<string, unknown>;
  notes: string[];
}

/** AWS Batch array jobs have 2 … 10,000 children. */
export const AWS_ARRAY_MAX = 10_000;

export function awsBatch(s: JobSpec): AwsBatchFiles {
  if (!s.image) throw new Error('jobs --scheduler aws: --image <container image> is required (an image with this repository after `npm ci`, and Chromium)');
  const queue = s.queue ?? s.partition;
  if (!queue) throw new Error('jobs --scheduler aws: --queue <job queue> is required (the AWS Batch job queue of GPU instances)');
  if (s.tasks > AWS_ARRAY_MAX) throw new Error(`jobs --scheduler aws: ${s.tasks} tasks exceed AWS Batch's array limit of ${AWS_ARRAY_MAX}; use --per-task or --shards`);
  // An array job needs at least 2 children; a single task runs the whole list without an index.
  const argv = batchArgv(s, s.tasks === 1 ? '0/1' : 'auto');
  const command = s.workdir ? ['sh', '-c', `cd ${shellQuote(s.workdir)} && exec ${argv.map(shellQuote).join(' ')}`] : argv;
  const resources = [
    { type: 'VCPU', value: String(s.cpus) },
    { type: 'MEMORY', value: String(s.memMiB ?? 16384) },
    ...(s.gpus > 0 ? [{ type: 'GPU', value: String(s.gpus) }] : []),
  ];
  const jobDefinition: Record<string, unknown> = {
    jobDefinitionName: s.name,
    type: 'container',
    platformCapabilities: ['EC2'],
    containerProperties: {
      image: s.image,
      command,
      resourceRequirements: resources,
      environment: [
        { name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'compute,utility,graphics' },
        // On GPU nodes Chromium must use the node's Vulkan driver, not SwiftShader.
        { name: 'SHEARWB_WEBGPU', value: s.gpus > 0 ? 'hardware' : 'swiftshader' },
      ],
    },
    // A second attempt covers a lost instance; sub-tile retries are shearwb's own (--retries).
    retryStrategy: { attempts: 2 },
    ...(s.timeSeconds ? { timeout: { attemptDurationSeconds: Math.max(60, s.timeSeconds) } } : {}),
  };
  const submitJob: Record<string, unknown> = {
    jobName: s.name,
    jobQueue: queue,
    jobDefinition: s.name,
    ...(s.tasks > 1 ? { arrayProperties: { size: s.tasks } } : {}),
    containerOverrides: { environment: [{ name: 'SHEARWB_SHARDS', value: String(s.tasks) }] },
  };
  const notes = [
    `${s.manifests} manifests in ${s.list}, ${s.tasks} array children` +
      (s.perTask !== undefined ? ` of ${s.perTask} sub-tiles each.` : ' (manifest i runs in child i mod N).'),
    'aws batch register-job-definition --cli-input-json file://<job definition>',
    'aws batch submit-job --cli-input-json file://<submission>',
    `The output folder ${s.outdir} must be shared storage (e.g. EFS: add volumes/mountPoints to containerProperties).`,
    'Resubmitting reruns only what is not finished: sub-tiles with a done-marker are skipped.',
    ...GPU_NOTES,
  ];
  return { jobDefinition, submitJob, notes };
}
