import { describe, expect, it } from 'vitest';
import { parseShardSpec, resolveShard, shardFromEnv, shardItems, taskCount } from './shard';

describe('shard from --shard and the environment', () => {
  it('parses I/N and rejects the rest', () => {
    expect(parseShardSpec('3/10')).toEqual({ index: 3, count: 10, source: '--shard' });
    expect(() => parseShardSpec('10/10')).toThrow(/out of range 0…9/);
    expect(() => parseShardSpec('3')).toThrow(/expected I\/N/);
    expect(() => parseShardSpec('1/0')).toThrow(/at least 1/);
  });

  it('Slurm: SLURM_ARRAY_TASK_ID with COUNT, an offset MIN and a STEP', () => {
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '8' })).toEqual({ index: 4, count: 8, source: 'SLURM_ARRAY_TASK_ID' });
    // --array=1-8: ids 1…8 are shards 0…7
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '8', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' })).toMatchObject({ index: 7, count: 8 });
    // --array=10-20:5 → ids 10, 15, 20
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '15', SLURM_ARRAY_TASK_MIN: '10', SLURM_ARRAY_TASK_STEP: '5', SLURM_ARRAY_TASK_COUNT: '3' })).toMatchObject({ index: 1, count: 3 });
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: 'x' })).toThrow(/SLURM_ARRAY_TASK_ID = 'x'/);
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '8', SLURM_ARRAY_TASK_COUNT: '8' })).toThrow(/out of range for 8 shards/);
  });

  it('Kubernetes: JOB_COMPLETION_INDEX with the count from --shards or SHEARWB_SHARDS', () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '2', SHEARWB_SHARDS: '5' })).toEqual({ index: 2, count: 5, source: 'JOB_COMPLETION_INDEX' });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '2', SHEARWB_SHARDS: '5' }, 7)).toMatchObject({ count: 7 }); // the flag wins
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '2' })).toEqual({ index: 2, count: undefined, source: 'JOB_COMPLETION_INDEX' });
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '2', SHEARWB_SHARDS: '0' })).toThrow(/SHEARWB_SHARDS/);
  });

  it('AWS Batch: AWS_BATCH_JOB_ARRAY_INDEX with AWS_BATCH_JOB_ARRAY_SIZE if set, else the flag', () => {
    expect(shardFromEnv({ AWS_BATCH_JOB_ARRAY_INDEX: '9', AWS_BATCH_JOB_ARRAY_SIZE: '10' })).toEqual({ index: 9, count: 10, source: 'AWS_BATCH_JOB_ARRAY_INDEX' });
    expect(shardFromEnv({ AWS_BATCH_JOB_ARRAY_INDEX: '9' }, 12)).toMatchObject({ index: 9, count: 12 });
    expect(shardFromEnv({ AWS_BATCH_JOB_ARRAY_INDEX: '9', SHEARWB_SHARDS: '10' })).toMatchObject({ count: 10 });
  });

  it('resolveShard: --shard wins, auto needs the environment, nothing means the whole list', () => {
    const env = { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4' };
    expect(resolveShard('0/2', env)).toMatchObject({ index: 0, count: 2, source: '--shard' });
    expect(resolveShard('auto', env)).toMatchObject({ index: 1, count: 4 });
    expect(resolveShard(undefined, env)).toMatchObject({ index: 1, count: 4 });
    expect(resolveShard(undefined, {})).toEqual({ index: 0, count: 1, source: 'whole list' });
    expect(() => resolveShard('auto', {})).toThrow(/no array index in the environment/);
    expect(() => resolveShard('1/3', {}, 4)).toThrow(/disagrees/);
  });
});

describe('assignment of manifests to shards', () => {
  it('round robin: every manifest in exactly one shard, shard I holds i ≡ I (mod N)', () => {
    const M = 23;
    const N = 5;
    const seen: number[] = [];
    for (let I = 0; I < N; I++) {
      const items = shardItems(M, { index: I, count: N, source: 't' });
      for (const i of items) expect(i % N).toBe(I);
      seen.push(...items);
    }
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(M).keys()]);
  });

  it('--per-task K: contiguous blocks, the count is not needed, a too-small array is an error', () => {
    expect(shardItems(10, { index: 0, source: 't' }, 4)).toEqual([0, 1, 2, 3]);
    expect(shardItems(10, { index: 2, source: 't' }, 4)).toEqual([8, 9]);
    expect(shardItems(10, { index: 3, source: 't' }, 4)).toEqual([]);
    expect(() => shardItems(10, { index: 0, count: 2, source: 'SLURM_ARRAY_TASK_ID' }, 4)).toThrow(/covers 8 of 10 manifests; the array needs 3 tasks/);
    expect(() => shardItems(10, { index: 0, source: 'JOB_COMPLETION_INDEX' })).toThrow(/not the number of shards/);
  });

  it('taskCount: one per manifest by default, --shards, or ceil(M / K)', () => {
    expect(taskCount(7, {})).toBe(7);
    expect(taskCount(7, { shards: 3 })).toBe(3);
    expect(taskCount(7, { perTask: 3 })).toBe(3);
    expect(() => taskCount(7, { perTask: 3, shards: 3 })).toThrow(/not both/);
  });
});
