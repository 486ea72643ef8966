// `shearwb jobs` through the real CLI: the files it writes parse and carry the array size and command.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from './app-build';

const CLI = join(REPO_ROOT, 'bin', 'shearwb.mjs');
let dir: string;
let list: string;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, SHEARWB_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => ok({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shearwb-jobs-'));
  list = join(dir, 'subtiles.txt');
  // The list is only counted here; the manifests need not exist where `jobs` runs.
  await writeFile(list, ['# seven sub-tiles', ...Array.from({ length: 7 }, (_, i) => `s3://bucket/tile/${i}/manifest.yaml`)].join('\n'));
}, 30_000);
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('shearwb jobs', () => {
  it('slurm: --per-task 3 → --array=0-2 and the batch command', async () => {
    const out = join(dir, 'run.sbatch');
    const r = await cli(['jobs', list, '--scheduler', 'slurm', '--out', out, '--per-task', '3', '--partition', 'gpu', '--time', '01:00:00', '--outdir', '/scratch/out']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 array tasks for 7 manifests');
    const s = await readFile(out, 'utf8');
    expect(s).toContain('#SBATCH --array=0-2\n');
    expect(s).toContain('#SBATCH --gres=gpu:1\n');
    expect(s).toContain(`exec npx shearwb batch ${list} --out /scratch/out --shard auto --per-task 3\n`);
  });

  it('k8s: YAML that parses, one completion per manifest by default', async () => {
    const out = join(dir, 'job.yaml');
    const r = await cli(['jobs', list, '--scheduler', 'k8s', '--out', out, '--image', 'shearwb:dev', '--list-path', '/data/subtiles.txt', '--outdir', '/data/out', '--pvc', 'shear']);
    expect(r.code).toBe(0);
    const j = parseYaml(await readFile(out, 'utf8'));
    expect(j.spec.completions).toBe(7);
    expect(j.spec.completionMode).toBe('Indexed');
    const c = j.spec.template.spec.containers[0];
    expect(c.command).toEqual(['npx', 'shearwb', 'batch', '/data/subtiles.txt', '--out', '/data/out', '--shard', 'auto']);
    expect(c.env).toContainEqual({ name: 'SHEARWB_SHARDS', value: '7' });
    expect(c.resources.limits['nvidia.com/gpu']).toBe(1);
    expect(j.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe('shear');
  });

  it('aws: job definition + submission JSON with arrayProperties.size', async () => {
    const out = join(dir, 'jobdef.json');
    const r = await cli(['jobs', list, '--scheduler', 'aws', '--out', out, '--image', 'shearwb:dev', '--queue', 'gpu-q', '--shards', '4', '--mem', '30G']);
    expect(r.code).toBe(0);
    const def = JSON.parse(await readFile(out, 'utf8'));
    const sub = JSON.parse(await readFile(join(dir, 'jobdef.submit.json'), 'utf8'));
    expect(def.containerProperties.command).toEqual(['npx', 'shearwb', 'batch', list, '--out', 'products', '--shard', 'auto']);
    expect(def.containerProperties.resourceRequirements).toContainEqual({ type: 'MEMORY', value: '30720' });
    expect(sub.arrayProperties.size).toBe(4);
    expect(sub.jobQueue).toBe('gpu-q');
    expect(sub.containerOverrides.environment).toContainEqual({ name: 'SHEARWB_SHARDS', value: '4' });
  });

  it('bad input: clear one-line errors and exit status 2', async () => {
    const a = await cli(['jobs', list, '--scheduler', 'pbs', '--out', join(dir, 'x')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("shearwb: --scheduler 'pbs': expected one of slurm, k8s, aws");
    const b = await cli(['jobs', join(dir, 'nope.txt'), '--scheduler', 'slurm', '--out', join(dir, 'x')]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('nope.txt: cannot read the manifest list');
    const c = await cli(['jobs', list, '--scheduler', 'k8s', '--out', join(dir, 'x')]);
    expect(c.stderr).toContain('--image <container image> is required');
  });
});
