// Provenance of a sub-tile run as YAML (DESIGN §3), with a stable key order so that two runs
// with the same inputs and config differ only where they really differ (timings, adapter).
import { stringify } from 'yaml';
import type { TileId } from './names';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue | undefined };

/** Canonical JSON: object keys sorted (by UTF-16 code units), no whitespace, undefined members dropped. */
export function canonicalJson(v: JsonValue | undefined): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`canonical JSON: non-finite number ${v} cannot be represented`);
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x)).join(',')}]`;
  const keys = Object.keys(v)
    .filter((k) => v[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
}

/** SHA-256 as lower-case hex, with WebCrypto (Node ≥ 20 and browsers). */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const d = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function configHash(config: JsonValue): Promise<string> {
  return sha256Hex(canonicalJson(config));
}

export interface InputFileInfo {
  /** Path or URL as the manifest names it. */
  path: string;
  sha256?: string;
  etag?: string;
  size?: number;
}

export interface RunMetadata {
  tileId: TileId;
  subtileRow: number;
  subtileCol: number;
  /** package.json version and, when known, the git commit of the code. */
  code: { name?: string; version: string; gitCommit?: string | null };
  config: JsonValue;
  manifest?: string;
  inputs?: InputFileInfo[];
  /** GPUAdapterInfo fields or similar (vendor, architecture, device, description, fallback). */
  adapter?: Record<string, string | number | boolean | null>;
  /** Seconds per phase (load, prepare, fit, uncertainties, write …). */
  timings?: Record<string, number>;
  steps?: number;
  convergence?: {
    converged: boolean;
    reason?: string;
    finalLoss?: number;
    relLossChange?: number;
    gradNorm?: number;
  };
  /** What the run dropped and why (masked stamps, NaN rows, …). */
  dropped?: Array<{ objectId?: number | bigint; what?: string; reason: string }>;
  /** ISO time; left to the caller so identical runs can give identical files. */
  createdAt?: string;
  products?: string[];
}

function sortedDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedDeep);
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) o[k] = sortedDeep(x);
    }
    return o;
  }
  return v;
}

function prune<T extends Record<string, unknown>>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}

/** metadata_{tile}_{row}_{col}.yaml text. Top-level keys in a fixed order; free-form maps sorted. */
export async function metadataYaml(m: RunMetadata): Promise<string> {
  const hash = await configHash(m.config);
  const doc = prune({
    product: 'shear-workbench sub-tile shear',
    tile_id: sortedDeep(m.tileId),
    sub_tile_row: m.subtileRow,
    sub_tile_col: m.subtileCol,
    created_at: m.createdAt,
    code: prune({ name: m.code.name ?? 'shear-workbench', version: m.code.version, git_commit: m.code.gitCommit ?? null }),
    config_sha256: hash,
    config: sortedDeep(m.config),
    manifest: m.manifest,
    inputs: m.inputs?.map((f) => prune({ path: f.path, size: f.size, sha256: f.sha256, etag: f.etag })),
    adapter: m.adapter ? sortedDeep(m.adapter) : undefined,
    steps: m.steps,
    convergence: m.convergence
      ? prune({
          converged: m.convergence.converged,
          reason: m.convergence.reason,
          final_loss: m.convergence.finalLoss,
          rel_loss_change: m.convergence.relLossChange,
          grad_norm: m.convergence.gradNorm,
        })
      : undefined,
    timings_s: m.timings ? sortedDeep(m.timings) : undefined,
    dropped: m.dropped?.map((d) => prune({ object_id: sortedDeep(d.objectId), what: d.what, reason: d.reason })),
    products: m.products,
  });
  return stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}
