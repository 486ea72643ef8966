import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { awsBatch } from './aws';
import { batchArgv, formatTime, parseMem, parseTime, shellQuote, type JobSpec } from './job-spec';
import { k8sJob } from './k8s';
import { slurmScript } from './slurm';

const spec: JobSpec = {
  list: 'lists/tile 1.txt',
  outdir: '/shared/out',
  manifests: 23,
  tasks: 23,
  attempts: 2,
  steps: 50,
  optimizer: 'adam',
  name: 'shear-run',
  image: 'registry.example/shearwb:1',
  partition: 'gpu',
  queue: 'gpu-queue',
  gpus: 1,
  cpus: 4,
  timeSeconds: 2 * 3600 + 30 * 60,
  memMiB: 16384,
  workdir: '/opt/shearwb',
  parallel: 8,
  pvc: { claim: 'shear-data', mountPath: '/shared' },
};

describe('resource strings', () => {
  it('parses Slurm time forms and memory sizes', () => {
    expect(parseTime('02:30:00')).toBe(9000);
    expect(parseTime('90')).toBe(5400);
    expect(parseTime('30:15')).toBe(1815);
    expect(parseTime('1-12')).toBe(129600);
    expect(parseTime('1-02:00:30')).toBe(93630);
    expect(() => parseTime('2h')).toThrow(/--time '2h'/);
    expect(() => parseTime('01:75:00')).toThrow(/below 60/);
    expect(formatTime(93630)).toBe('1-02:00:30');
    expect(parseMem('16G')).toBe(16384);
    expect(parseMem('16Gi')).toBe(16384);
    expect(parseMem('1500M')).toBe(1500);
    expect(parseMem('2048')).toBe(2048);
    expect(() => parseMem('lots')).toThrow(/--mem 'lots'/);
  });

  it('quotes shell words only when needed', () => {
    expect(shellQuote('lists/a.txt')).toBe('lists/a.txt');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
  });
});

describe('scheduler templates', () => {
  const argv = batchArgv(spec);
  it('the batch command carries the list, output, auto shard and the pass-through options', () => {
    expect(argv).toEqual(['npx', 'shearwb', 'batch', 'lists/tile 1.txt', '--out', '/shared/out', '--shard', 'auto', '--retries', '2', '--steps', '50', '--optimizer', 'adam']);
  });

  it('Slurm: array 0…N−1 (throttled), GPU gres, resources, and the command', () => {
    const s = slurmScript(spec);
    const directives = s.split('\n').filter((l) => l.startsWith('#SBATCH '));
    expect(directives).toEqual([
      '#SBATCH --job-name=shear-run',
      '#SBATCH --array=0-22%8',
      '#SBATCH --gres=gpu:1',
      '#SBATCH --partition=gpu',
      '#SBATCH --time=02:30:00',
      '#SBATCH --mem=16384M',
      '#SBATCH --cpus-per-task=4',
      '#SBATCH --ntasks=1',
      '#SBATCH --chdir=/opt/shearwb',
      '#SBATCH --output=shear-run-%A_%a.log',
    ]);
    expect(s.startsWith('#!/bin/bash\n')).toBe(true);
    // sbatch stops reading directives at the first command line: every #SBATCH comes before `set`.
    expect(s.indexOf('set -euo pipefail')).toBeGreaterThan(s.lastIndexOf('#SBATCH'));
    expect(s).toContain("exec npx shearwb batch 'lists/tile 1.txt' --out /shared/out --shard auto --retries 2 --steps 50 --optimizer adam\n");
    expect(s).toContain('export SHEARWB_WEBGPU=hardware\n');
    expect(slurmScript({ ...spec, gpus: 0, parallel: undefined })).not.toContain('--gres');
    expect(slurmScript({ ...spec, gpus: 0 })).toContain('export SHEARWB_WEBGPU=swiftshader\n');
    expect(slurmScript({ ...spec, parallel: undefined })).toContain('#SBATCH --array=0-22\n');
  });

  it('Kubernetes: an Indexed Job that parses, with completions, GPU limit, SHEARWB_SHARDS and the command', () => {
    const y = k8sJob(spec);
    const j = parseYaml(y);
    expect(j.kind).toBe('Job');
    expect(j.spec.completionMode).toBe('Indexed');
    expect(j.spec.completions).toBe(23);
    expect(j.spec.parallelism).toBe(8);
    const pod = j.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.activeDeadlineSeconds).toBe(9000);
    expect(pod.volumes).toEqual([{ name: 'shearwb-data', persistentVolumeClaim: { claimName: 'shear-data' } }]);
    const c = pod.containers[0];
    expect(c.image).toBe('registry.example/shearwb:1');
    expect(c.command).toEqual(argv);
    expect(c.workingDir).toBe('/opt/shearwb');
    expect(c.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(c.resources.limits.memory).toBe('16384Mi');
    const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.SHEARWB_SHARDS).toBe('23');
    expect(env.NVIDIA_DRIVER_CAPABILITIES).toContain('graphics');
    expect(env.SHEARWB_WEBGPU).toBe('hardware');
    expect(y.startsWith('#')).toBe(true);
    expect(() => k8sJob({ ...spec, image: undefined })).toThrow(/--image/);
  });

  it('AWS Batch: job definition and array submission that parse, with size, GPU and the command', () => {
    const a = awsBatch(spec);
    const def = JSON.parse(JSON.stringify(a.jobDefinition));
    const sub = JSON.parse(JSON.stringify(a.submitJob));
    expect(def.type).toBe('container');
    expect(def.containerProperties.image).toBe('registry.example/shearwb:1');
    expect(def.containerProperties.command).toEqual(['sh', '-c', `cd /opt/shearwb && exec ${argv.map(shellQuote).join(' ')}`]);
    expect(def.containerProperties.resourceRequirements).toEqual([
      { type: 'VCPU', value: '4' },
      { type: 'MEMORY', value: '16384' },
      { type: 'GPU', value: '1' },
    ]);
    expect(def.timeout.attemptDurationSeconds).toBe(9000);
    expect(def.containerProperties.environment).toContainEqual({ name: 'SHEARWB_WEBGPU', value: 'hardware' });
    expect(sub).toEqual({
      jobName: 'shear-run',
      jobQueue: 'gpu-queue',
      jobDefinition: 'shear-run',
      arrayProperties: { size: 23 },
      containerOverrides: { environment: [{ name: 'SHEARWB_SHARDS', value: '23' }] },
    });
    // One task: no array (AWS needs ≥ 2 children), the shard is given explicitly.
    const one = awsBatch({ ...spec, tasks: 1, workdir: undefined });
    expect(one.submitJob.arrayProperties).toBeUndefined();
    expect((one.jobDefinition.containerProperties as { command: string[] }).command).toContain('0/1');
    expect(() => awsBatch({ ...spec, queue: undefined, partition: undefined })).toThrow(/--queue/);
    expect(() => awsBatch({ ...spec, tasks: 10_001 })).toThrow(/array limit/);
  });
});
