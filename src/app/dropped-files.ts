// Dropped folders and files → a map from the relative paths a manifest_local.yaml uses to the Files,
// plus the manifest to open among them.

type Entry = FileSystemEntry;

function readAllEntries(dir: FileSystemDirectoryEntry): Promise<Entry[]> {
  const reader = dir.createReader();
  const out: Entry[] = [];
  // readEntries returns the listing in chunks; an empty chunk ends it.
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(out);
        else {
          out.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(e: Entry, out: Map<string, File>): Promise<void> {
  if (e.isFile) {
    const f = await new Promise<File>((res, rej) => (e as FileSystemFileEntry).file(res, rej));
    out.set(e.fullPath.replace(/^\/+/, ''), f);
  } else if (e.isDirectory) {
    for (const c of await readAllEntries(e as FileSystemDirectoryEntry)) await walk(c, out);
  }
}

/** Files of a drop, keyed by path relative to the drop (folders are walked). */
export async function filesFromDrop(dt: DataTransfer): Promise<Map<string, File>> {
  const out = new Map<string, File>();
  const entries = Array.from(dt.items)
    .map((i) => i.webkitGetAsEntry?.())
    .filter((e): e is Entry => !!e);
  if (entries.length > 0) for (const e of entries) await walk(e, out);
  else for (const f of Array.from(dt.files)) out.set(f.name, f);
  return out;
}

/** Files of an <input type=file> (webkitdirectory gives relative paths). */
export function filesFromInput(list: FileList): Map<string, File> {
  const out = new Map<string, File>();
  for (const f of Array.from(list)) out.set(f.webkitRelativePath || f.name, f);
  return out;
}

/** The manifest among dropped files: manifest_local.yaml first, then manifest.yaml, then any YAML. */
export function pickManifest(files: Map<string, File>): string | undefined {
  const keys = [...files.keys()].sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  const base = (k: string) => k.split('/').pop()!.toLowerCase();
  return keys.find((k) => base(k) === 'manifest_local.yaml') ?? keys.find((k) => base(k) === 'manifest.yaml') ?? keys.find((k) => /\.ya?ml$/i.test(k));
}
