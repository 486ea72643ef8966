// Atomic writes and done-markers: no partial file after a failure, markers written last and verified.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSubtileDone, readDoneMarker, writeFileAtomic, writeProducts } from './atomic';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'shearwb-atomic-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const bytes = (s: string) => new TextEncoder().encode(s);

describe('writeFileAtomic', () => {
  it('writes, overwrites, and leaves no temporary file', async () => {
    const p = join(dir, 'a.bin');
    await writeFileAtomic(p, bytes('first'));
    await writeFileAtomic(p, bytes('second, longer'));
    expect(readFileSync(p, 'utf8')).toBe('second, longer');
    expect(readdirSync(dir)).toEqual(['a.bin']);
  });

  it('a failure before the rename keeps the old file whole and removes the temporary file', async () => {
    const p = join(dir, 'a.bin');
    writeFileSync(p, 'old content');
    let tmpSeen = '';
    await expect(
      writeFileAtomic(p, bytes('new content that never lands'), {
        beforeRename: (tmp) => {
          tmpSeen = tmp;
          expect(readFileSync(tmp, 'utf8')).toBe('new content that never lands'); // complete and synced before rename
          throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow(/a\.bin: could not write \(simulated crash\)/);
    expect(tmpSeen).toMatch(new RegExp(`a\\.bin\\.tmp-${process.pid}-[0-9a-f]{8}$`));
    expect(readFileSync(p, 'utf8')).toBe('old content');
    expect(readdirSync(dir)).toEqual(['a.bin']);
  });

  it('a target whose parent is a file gives an error naming the path and leaves nothing behind', async () => {
    // (Permissions do not stop root, so an ENOTDIR parent stands in for an unwritable folder.)
    writeFileSync(join(dir, 'plain'), 'not a folder');
    await expect(writeFileAtomic(join(dir, 'plain', 'x.fits'), bytes('x'))).rejects.toThrow(/plain\/x\.fits: could not write/);
    expect(readdirSync(dir)).toEqual(['plain']);
  });

  it('a missing folder gives an error naming the path', async () => {
    await expect(writeFileAtomic(join(dir, 'nope', 'x.fits'), bytes('x'))).rejects.toThrow(/nope\/x\.fits: could not write .*ENOENT/);
  });
});

describe('writeProducts / isSubtileDone', () => {
  const files = { 'shear_7_1_2.fits': bytes('F'.repeat(2880)), 'shear_7_1_2.parquet': bytes('PAR1xxPAR1'), 'metadata_7_1_2.yaml': 'a: 1\n' };

  it('writes all files, then a marker with sizes and SHA-256; isSubtileDone checks it', async () => {
    expect(await isSubtileDone(dir, 7, 1, 2)).toBe(false);
    const m = await writeProducts(dir, { tileId: 7, row: 1, col: 2, files });
    expect(readdirSync(dir).sort()).toEqual(['done_7_1_2.json', 'metadata_7_1_2.yaml', 'shear_7_1_2.fits', 'shear_7_1_2.parquet']);
    const onDisk = JSON.parse(readFileSync(join(dir, 'done_7_1_2.json'), 'utf8'));
    expect(onDisk).toEqual(m);
    expect(m.files.map((f) => f.name)).toEqual(['metadata_7_1_2.yaml', 'shear_7_1_2.fits', 'shear_7_1_2.parquet']);
    for (const f of m.files) {
      const b = readFileSync(join(dir, f.name));
      expect(f.size).toBe(b.length);
      expect(f.sha256).toBe(createHash('sha256').update(b).digest('hex'));
    }
    expect(await isSubtileDone(dir, 7, 1, 2)).toBe(true);
    expect(await isSubtileDone(dir, 7, 1, 2, { verifyHashes: true })).toBe(true);
    expect(await isSubtileDone(dir, 7, 2, 1)).toBe(false);
    expect((await readDoneMarker(dir, 7, 1, 2))?.tile_id).toBe(7);
  });

  it('a changed size or a missing file makes the sub-tile not done; same-size corruption needs verifyHashes', async () => {
    await writeProducts(dir, { tileId: 7, row: 1, col: 2, files });
    writeFileSync(join(dir, 'shear_7_1_2.parquet'), 'PAR1yyPAR1'); // same size, other bytes
    expect(await isSubtileDone(dir, 7, 1, 2)).toBe(true);
    expect(await isSubtileDone(dir, 7, 1, 2, { verifyHashes: true })).toBe(false);
    writeFileSync(join(dir, 'shear_7_1_2.parquet'), 'PAR1PAR1');
    expect(await isSubtileDone(dir, 7, 1, 2)).toBe(false);
    rmSync(join(dir, 'shear_7_1_2.parquet'));
    expect(await isSubtileDone(dir, 7, 1, 2)).toBe(false);
    writeFileSync(join(dir, 'done_7_1_2.json'), '{ not json');
    expect(await isSubtileDone(dir, 7, 1, 2)).toBe(false);
  });

  it('a rerun killed midway leaves no marker (the old one is removed first), so the sub-tile is redone', async () => {
    await writeProducts(dir, { tileId: 7, row: 1, col: 2, files });
    expect(await isSubtileDone(dir, 7, 1, 2)).toBe(true);
    let n = 0;
    await expect(
      writeProducts(dir, { tileId: 7, row: 1, col: 2, files: { ...files, 'shear_7_1_2.parquet': bytes('PAR1 new PAR1') } }, {
        beforeRename: () => {
          if (++n === 2) throw new Error('killed');
        },
      }),
    ).rejects.toThrow(/killed/);
    expect(existsSync(join(dir, 'done_7_1_2.json'))).toBe(false);
    expect(await isSubtileDone(dir, 7, 1, 2)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('rejects file names that would escape the folder', async () => {
    await expect(writeProducts(dir, { tileId: 7, row: 1, col: 2, files: { '../evil': bytes('x') } })).rejects.toThrow(/must be a plain file name/);
  });
});
