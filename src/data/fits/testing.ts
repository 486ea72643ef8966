// Test helpers: where the shared reference fixtures live (../shared/fixtures from the repo root),
// and a builder of raw FITS bytes from card strings (independent of our writer).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemorySource } from '../storage/types';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fitsFixtures = resolve(repoRoot, '..', 'shared', 'fixtures', 'fits');

export function fixtureSource(name: string): MemorySource {
  return new MemorySource(name, new Uint8Array(readFileSync(resolve(fitsFixtures, name))));
}

/** Header text from cards (each padded to 80) + END, padded with spaces to 2880-byte blocks. */
export function rawHeader(cards: string[], withEnd = true): Uint8Array {
  const all = withEnd ? [...cards, 'END'] : cards;
  const n = Math.ceil((all.length * 80) / 2880) * 2880;
  const out = new Uint8Array(n).fill(0x20);
  all.forEach((c, i) => {
    const s = c.padEnd(80).slice(0, 80);
    for (let j = 0; j < 80; j++) out[i * 80 + j] = s.charCodeAt(j);
  });
  return out;
}

export function rawData(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 2880) * 2880);
  out.set(bytes);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A card with a fixed-format value: `KEY     = value` (value right-justified to column 30 unless a string). */
export function card(key: string, value: string | number | boolean, comment?: string): string {
  const v =
    typeof value === 'boolean' ? (value ? 'T' : 'F').padStart(20)
    : typeof value === 'number' ? String(value).padStart(20)
    : `'${value.replace(/'/g, "''").padEnd(8)}'`.padEnd(20);
  return `${key.padEnd(8)}= ${v}${comment ? ` / ${comment}` : ''}`;
}

export const PRIMARY = [card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 0), card('EXTEND', true)];
