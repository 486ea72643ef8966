// `shearwb batch` through the real CLI, on paths that need no browser: a shard whose sub-tiles are
// all done (no Chromium is started: the runner opens lazily), and option/environment errors.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './app-build';
import { writeFakeProducts, writeManifests } from './batch/testing';

const CLI = join(REPO_ROOT, 'bin', 'shearwb.mjs');
let dir: string;
let list: string;
let out: string;

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(SLURM_|JOB_COMPLETION_INDEX|AWS_BATCH_|SHEARWB_)/.test(k)),
  ) as Record<string, string>;
  return new Promise((ok) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...clean, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => ok({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shearwb-batch-cli-'));
  out = join(dir, 'out');
  const ms = await writeManifests(join(dir, 'in'), [
    [7, 0, 0],
    [7, 0, 1],
    [7, 1, 0],
  ]);
  list = join(dir, 'list.txt');
  await writeFile(list, ms.join('\n') + '\n');
  for (const [t, r, c] of [[7, 0, 0], [7, 1, 0]]) await writeFakeProducts(out, t!, r!, c!);
}, 30_000);
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('shearwb batch (no browser needed)', () => {
  it('a Slurm task whose sub-tiles are all done skips them and exits 0', async () => {
    // Shard 0 of 2 (round robin) holds manifests 0 and 2, both done.
    const r = await cli(['batch', list, '--out', out, '--shard', 'auto'], { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/shard 0\/2: 2 sub-tiles — 0 done, 2 skipped \(already done\), 0 failed/);
    expect(r.stderr).toContain('7_0_0 already done, skipped');
    expect(r.stderr).toContain('7_1_0 already done, skipped');
    const sum = JSON.parse(await readFile(join(out, 'batch_shard_0_of_2.json'), 'utf8'));
    expect(sum).toMatchObject({ ok: true, skipped: 2, shard: { index: 0, count: 2, source: 'SLURM_ARRAY_TASK_ID' } });
  });

  it('Kubernetes index with --per-task, JSON summary', async () => {
    const r = await cli(['batch', list, '--out', out, '--per-task', '1', '--json'], { JOB_COMPLETION_INDEX: '2' });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.items.map((i: { index: number; status: string }) => [i.index, i.status])).toEqual([[2, 'skipped']]);
  });

  it('errors: auto without an array index, a bad --shard, an index without a count, a bad optimiser', async () => {
    const a = await cli(['batch', list, '--out', out, '--shard', 'auto']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--shard auto: no array index in the environment');
    const b = await cli(['batch', list, '--out', out, '--shard', '2/2']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("--shard '2/2': index 2 is out of range 0…1");
    const c = await cli(['batch', list, '--out', out], { AWS_BATCH_JOB_ARRAY_INDEX: '1' });
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('AWS_BATCH_JOB_ARRAY_INDEX gives the index 1 but not the number of shards');
    const d = await cli(['batch', list, '--out', out, '--optimizer', 'sgd']);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain("--optimizer must be one of lbfgs, adam, not 'sgd'");
  });
});
