// FITS header cards: 80-character cards in 2880-byte blocks, up to END.
// Handles quoted strings with '' escapes, CONTINUE long strings, HIERARCH keywords,
// commentary cards, logical T/F, integers and floats (including Fortran D exponents).
import { FitsError, type FitsCard, type FitsHeader, type FitsValue } from './types';

export const BLOCK = 2880;
export const CARD = 80;

const COMMENTARY = new Set(['COMMENT', 'HISTORY', '']);

/** Split a value field (text after '= ') into value and comment. */
export function parseValueField(s: string): { value: FitsValue; comment?: string } {
  let i = 0;
  while (i < s.length && s[i] === ' ') i++;
  if (s[i] === "'") {
    let j = i + 1;
    let out = '';
    while (j < s.length) {
      if (s[j] === "'") {
        if (s[j + 1] === "'") {
          out += "'";
          j += 2;
          continue;
        }
        break;
      }
      out += s[j];
      j++;
    }
    // Trailing spaces in FITS strings are not significant; leading ones are.
    const value = out.replace(/ +$/, '');
    const rest = s.slice(j + 1);
    const slash = rest.indexOf('/');
    return slash >= 0 ? { value, comment: rest.slice(slash + 1).trim() } : { value };
  }
  const slash = s.indexOf('/', i);
  const raw = (slash >= 0 ? s.slice(i, slash) : s.slice(i)).trim();
  const comment = slash >= 0 ? s.slice(slash + 1).trim() : undefined;
  return comment === undefined ? { value: parseScalar(raw) } : { value: parseScalar(raw), comment };
}

function parseScalar(raw: string): FitsValue {
  if (raw === '') return null;
  if (raw === 'T') return true;
  if (raw === 'F') return false;
  if (/^[+-]?\d+$/.test(raw)) return Number(raw);
  if (/^[+-]?(\d+\.?\d*|\.\d+)([EeDd][+-]?\d+)?$/.test(raw)) return Number(raw.replace(/[Dd]/, 'E'));
  return raw; // complex values "(re, im)" and anything non-standard stay as text
}

/** Parse one card. Returns null for the END card. */
export function parseCard(card: string): FitsCard | null {
  const key8 = card.slice(0, 8).trimEnd().toUpperCase();
  if (key8 === 'END' && card.slice(8).trim() === '') return null;
  if (key8 === 'HIERARCH') {
    const eq = card.indexOf('=', 8);
    if (eq > 0) {
      const key = card.slice(8, eq).trim().replace(/\s+/g, ' ').toUpperCase();
      return { key, ...parseValueField(card.slice(eq + 1)) };
    }
    return { key: 'HIERARCH', value: null, text: card.slice(8).trimEnd() };
  }
  if (key8 === 'CONTINUE') return { key: 'CONTINUE', ...parseValueField(card.slice(8)) };
  if (card.slice(8, 10) === '= ' && !COMMENTARY.has(key8)) {
    return { key: key8, ...parseValueField(card.slice(10)) };
  }
  return { key: key8, value: null, text: card.slice(8).trimEnd() };
}

/** Cards of one header; folds CONTINUE cards into the long string they continue. */
export function foldCards(cards: FitsCard[]): FitsCard[] {
  const out: FitsCard[] = [];
  for (const c of cards) {
    const prev = out[out.length - 1];
    if (c.key === 'CONTINUE' && prev && typeof prev.value === 'string' && prev.value.endsWith('&')) {
      const piece = typeof c.value === 'string' ? c.value : '';
      prev.value = prev.value.slice(0, -1) + piece;
      if (c.comment) prev.comment = prev.comment ? `${prev.comment} ${c.comment}` : c.comment;
      continue;
    }
    out.push({ ...c });
  }
  return out;
}

export class Header implements FitsHeader {
  readonly cards: FitsCard[];
  private readonly index = new Map<string, number>();

  constructor(
    cards: FitsCard[],
    /** e.g. "file.fits HDU 3 '3-4.F.SCI'", used in errors. */
    readonly context: { url: string; hdu: string },
  ) {
    this.cards = cards;
    cards.forEach((c, i) => {
      if (c.value !== null || !COMMENTARY.has(c.key)) if (!this.index.has(c.key)) this.index.set(c.key, i);
    });
  }

  private norm(key: string): string {
    let k = key.trim().replace(/\s+/g, ' ').toUpperCase();
    if (k.startsWith('HIERARCH ')) k = k.slice(9);
    return k;
  }

  get(key: string): FitsValue | undefined {
    const k = this.norm(key);
    if (k === 'COMMENT' || k === 'HISTORY') {
      const lines = this.cards.filter((c) => c.key === k).map((c) => c.text ?? '');
      return lines.length ? lines.join('\n') : undefined;
    }
    const i = this.index.get(k);
    return i === undefined ? undefined : this.cards[i]!.value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  private fail(key: string, what: string): never {
    throw new FitsError(this.context.url, `${this.context.hdu}: header keyword ${this.norm(key)} ${what}`);
  }

  num(key: string, fallback?: number): number {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      this.fail(key, 'is missing');
    }
    if (typeof v !== 'number') this.fail(key, `is not a number (${JSON.stringify(v)})`);
    return v;
  }

  str(key: string, fallback?: string): string {
    const v = this.get(key);
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      this.fail(key, 'is missing');
    }
    return typeof v === 'string' ? v : String(v);
  }

  /** Like num() but for values that must be non-negative integers (NAXISn, PCOUNT...). */
  int(key: string, fallback?: number): number {
    const v = this.num(key, fallback);
    if (!Number.isInteger(v) || v < 0) this.fail(key, `must be a non-negative integer, got ${v}`);
    return v;
  }
}
