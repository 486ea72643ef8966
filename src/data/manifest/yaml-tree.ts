// YAML → plain values with every scalar kept as its source string (failsafe schema), so that
// `dither: 00` stays "00" and `obs_id: 2704` stays "2704"; numbers are parsed by the validator,
// which knows which fields are numbers. Line numbers are kept per field path for error messages.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

/** A scalar read as text; `null` for an empty value or a plain `~` / `null`. */
export type YValue = string | null | YValue[] | { [key: string]: YValue };

export interface YTree {
  value: YValue;
  /** 1-based line of each field path ('quadrants[1].psf_path'); '' is the document. */
  lines: Map<string, number>;
}

const PLAIN_NULL = new Set(['', '~', 'null', 'Null', 'NULL']);

export function childPath(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
}

/** Parse YAML text; throws an Error whose message lists the syntax problems (with lines). */
export function parseYamlTree(text: string): YTree {
  const lc = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new Error(doc.errors.map((e) => e.message.split('\n')[0]).join('; '));
  }
  const lines = new Map<string, number>();
  const lineOf = (n: Node | null | undefined) => (n?.range ? lc.linePos(n.range[0]).line : undefined);

  function walk(node: unknown, path: string, depth: number): YValue {
    if (depth > 64) throw new Error(`nesting too deep at ${path || 'top level'}`);
    if (isAlias(node)) return walk(node.resolve(doc as Document), path, depth + 1);
    const line = lineOf(node as Node);
    if (line !== undefined && !lines.has(path)) lines.set(path, line);
    if (node == null) return null;
    if (isScalar(node)) {
      const s = String(node.value ?? '');
      const plain = node.type === 'PLAIN' || node.type === undefined;
      return plain && PLAIN_NULL.has(s) ? null : s;
    }
    if (isSeq(node)) return node.items.map((it, i) => walk(it, childPath(path, i), depth + 1));
    if (isMap(node)) {
      const out: { [key: string]: YValue } = {};
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const kp = childPath(path, k);
        const kl = lineOf(pair.key as Node);
        if (kl !== undefined) lines.set(kp, kl);
        out[k] = walk(pair.value, kp, depth + 1);
      }
      return out;
    }
    return null;
  }
  return { value: walk(doc.contents, '', 0), lines };
}
