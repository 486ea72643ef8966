// Recently opened manifests (localStorage), newest first.
const KEY = 'shearwb.recentManifests';
const MAX = 10;

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function recentManifests(): string[] {
  try {
    const v = JSON.parse(storage()?.getItem(KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberManifest(url: string): void {
  const s = storage();
  if (!s) return;
  const list = [url, ...recentManifests().filter((u) => u !== url)].slice(0, MAX);
  s.setItem(KEY, JSON.stringify(list));
}
