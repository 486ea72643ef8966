// The manifest list of a batch: a text file (one manifest path or URL a line, '#' comments) or a
// folder searched for manifest*.yaml. Order is part of the contract: shards are cut from it.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { schemeOf } from '../../data/storage/resolve';

export interface ManifestList {
  /** Manifest paths (absolute) or URLs (http(s)://, s3://), in list order. */
  manifests: string[];
  /** Things worth telling the user (a folder holding both manifest forms…). */
  warnings: string[];
}

const MANIFEST_FILE = /^manifest.*\.ya?ml$/i;
const LOCAL_FORM = /^manifest_local\.ya?ml$/i;

/** Reads `list` (file or folder). Relative entries of a list file are relative to the list's folder. */
export async function readManifestList(list: string): Promise<ManifestList> {
  const st = await stat(list).catch((e: NodeJS.ErrnoException) => {
    throw new Error(`${list}: cannot read the manifest list (${e.code === 'ENOENT' ? 'no such file or folder' : e.message})`);
  });
  const out = st.isDirectory() ? await fromFolder(resolve(list)) : await fromFile(list);
  if (out.manifests.length === 0)
    throw new Error(st.isDirectory() ? `${list}: no manifest*.yaml found in this folder or below` : `${list}: the list names no manifest`);
  return out;
}

async function fromFile(list: string): Promise<ManifestList> {
  const text = await readFile(list, 'utf8');
  const base = dirname(resolve(list));
  const manifests: string[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) return;
    const scheme = schemeOf(line);
    let entry: string;
    if (scheme === '') entry = isAbsolute(line) ? line : resolve(base, line);
    else if (scheme === 'file') entry = line;
    else if (scheme === 'http' || scheme === 'https' || scheme === 's3') entry = line;
    else throw new Error(`${list}:${i + 1}: '${line}' is not a path, file://, http(s):// or s3:// URL`);
    const first = seen.get(entry);
    if (first !== undefined) throw new Error(`${list}:${i + 1}: '${line}' is already listed on line ${first} (a sub-tile must be run by one task only)`);
    seen.set(entry, i + 1);
    manifests.push(entry);
  });
  return { manifests, warnings: [] };
}

async function fromFolder(root: string): Promise<ManifestList> {
  const manifests: string[] = [];
  const warnings: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    let found = entries.filter((e) => e.isFile() && MANIFEST_FILE.test(e.name)).map((e) => e.name);
    // A sub-tile folder may hold both forms of the same manifest; run it once, from local paths.
    const local = found.find((n) => LOCAL_FORM.test(n));
    if (local && found.length > 1) {
      warnings.push(`${relative(root, dir) || '.'}: several manifests (${found.join(', ')}); using ${local}`);
      found = [local];
    }
    manifests.push(...found.map((n) => join(dir, n)));
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') await walk(join(dir, e.name));
  };
  await walk(root);
  return { manifests, warnings };
}
