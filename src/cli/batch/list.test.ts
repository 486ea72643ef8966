import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifestList } from './list';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shearwb-list-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('readManifestList', () => {
  it('reads a list file: comments, blank lines, paths relative to the list, URLs kept', async () => {
    const p = join(dir, 'lists', 'a.txt');
    await mkdir(join(dir, 'lists'), { recursive: true });
    await writeFile(p, '# sub-tiles of tile 1\n\nst1/manifest_local.yaml   # first\n/abs/manifest.yaml\ns3://bucket/t/manifest.yaml\nhttps://h/x/manifest.yaml\n');
    const l = await readManifestList(p);
    expect(l.manifests).toEqual([join(dir, 'lists', 'st1/manifest_local.yaml'), '/abs/manifest.yaml', 's3://bucket/t/manifest.yaml', 'https://h/x/manifest.yaml']);
  });

  it('rejects duplicates, unknown schemes and empty lists with the file and line', async () => {
    const p = join(dir, 'dup.txt');
    await writeFile(p, 'a.yaml\nb.yaml\n./a.yaml\n');
    await expect(readManifestList(p)).rejects.toThrow(`${p}:3: './a.yaml' is already listed on line 1`);
    await writeFile(p, 'ftp://x/m.yaml\n');
    await expect(readManifestList(p)).rejects.toThrow(`${p}:1: 'ftp://x/m.yaml' is not a path`);
    await writeFile(p, '# nothing\n');
    await expect(readManifestList(p)).rejects.toThrow(/names no manifest/);
    await expect(readManifestList(join(dir, 'missing.txt'))).rejects.toThrow(/missing.txt: cannot read the manifest list \(no such file/);
  });

  it('searches a folder for manifest*.yaml in sorted order, one manifest per sub-tile folder', async () => {
    const root = join(dir, 'tree');
    for (const d of ['b', 'a/x', 'a/y', '.hidden']) await mkdir(join(root, d), { recursive: true });
    await writeFile(join(root, 'b', 'manifest.yaml'), '');
    await writeFile(join(root, 'a', 'x', 'manifest.yaml'), '');
    await writeFile(join(root, 'a', 'x', 'manifest_local.yaml'), '');
    await writeFile(join(root, 'a', 'y', 'manifest_local.yml'), '');
    await writeFile(join(root, 'a', 'y', 'notes.yaml'), '');
    await writeFile(join(root, '.hidden', 'manifest.yaml'), '');
    const l = await readManifestList(root);
    expect(l.manifests).toEqual([join(root, 'a/x/manifest_local.yaml'), join(root, 'a/y/manifest_local.yml'), join(root, 'b/manifest.yaml')]);
    expect(l.warnings.join()).toMatch(/a\/x: several manifests/);
    await mkdir(join(dir, 'empty'));
    await expect(readManifestList(join(dir, 'empty'))).rejects.toThrow(/no manifest\*\.yaml found/);
  });
});
