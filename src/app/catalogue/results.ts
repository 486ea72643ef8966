// Query results as plain cells for the table, and DuckDB's error messages in plain words.
// Arrow tables are read through the few methods used here (no direct apache-arrow import).

export type ResultCell = number | string | boolean | null;

export interface QueryResult {
  columns: string[];
  rows: ResultCell[][];
  /** Rows the query returned (rows holds at most the first maxRows). */
  total: number;
}

interface ArrowVectorLike {
  get(i: number): unknown;
}
export interface ArrowTableLike {
  numRows: number;
  schema: { fields: Array<{ name: string }> };
  getChildAt(i: number): ArrowVectorLike | null;
}

/** One Arrow value as a cell: 64-bit integers as numbers when exact, lists as "[a, b]", dates as ISO text. */
export function toCell(v: unknown): ResultCell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && v !== null && typeof (v as { toArray?: unknown }).toArray === 'function') {
    const items = Array.from((v as { toArray(): ArrayLike<unknown> }).toArray(), toCell);
    return `[${items.map((x) => (x === null ? 'NULL' : String(x))).join(', ')}]`;
  }
  if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(v);
  return String(v);
}

export function toResult(t: ArrowTableLike, maxRows: number): QueryResult {
  const columns = t.schema.fields.map((f) => f.name);
  const n = Math.min(t.numRows, maxRows);
  const vecs = columns.map((_, j) => t.getChildAt(j));
  const rows: ResultCell[][] = [];
  for (let i = 0; i < n; i++) rows.push(vecs.map((v) => toCell(v?.get(i))));
  return { columns, rows, total: t.numRows };
}

/** A cell for the eye: numbers to 6 significant digits (integers in full), NULL as an em dash. */
export function formatCell(v: ResultCell): string {
  if (v === null) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v);
  return String(v);
}

const KINDS: Array<[RegExp, string]> = [
  [/^Parser Error:\s*/i, 'The query could not be read (SQL syntax): '],
  [/^Catalog Error:\s*/i, 'The query names something that does not exist (the table is called "catalogue"): '],
  [/^Binder Error:\s*/i, 'The query refers to a column or function that does not fit: '],
  [/^Conversion Error:\s*/i, 'A value could not be converted: '],
  [/^Invalid Input Error:\s*/i, 'Invalid input: '],
  [/^Out of Range Error:\s*/i, 'A value is out of range: '],
];

/** DuckDB's "Kind Error: detail" as a sentence a person can act on. */
export function explainSqlError(e: unknown): string {
  const raw = (e instanceof Error ? e.message : String(e)).trim();
  for (const [re, lead] of KINDS) if (re.test(raw)) return lead + raw.replace(re, '');
  return `The query failed: ${raw}`;
}

/** The object_id column's index in a result, or −1. */
export function objectIdColumn(columns: string[]): number {
  return columns.findIndex((c) => c.toLowerCase() === 'object_id');
}
