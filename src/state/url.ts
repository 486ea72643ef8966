// The parts of the view that live in the page URL (so a link restores them).

export interface UrlState {
  manifest?: string;
  results?: string;
}

export function readUrlState(search: string): UrlState {
  const p = new URLSearchParams(search);
  const out: UrlState = {};
  const m = p.get('manifest');
  if (m) out.manifest = m;
  const r = p.get('results');
  if (r) out.results = r;
  return out;
}

export function writeUrlState(s: UrlState): string {
  const p = new URLSearchParams();
  if (s.manifest) p.set('manifest', s.manifest);
  if (s.results) p.set('results', s.results);
  const q = p.toString();
  return q ? `?${q}` : '';
}
