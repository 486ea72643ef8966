// Arrays the page holds for Node to pull in base64 chunks (protocol.ts `read`), then release.
import type { ArrayHandle } from './protocol';

const held = new Map<string, Uint8Array>();
let next = 0;

export function holdArray(a: Float32Array, label: string): ArrayHandle {
  const id = `${label}#${next++}`;
  held.set(id, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return { id, dtype: 'float32', length: a.length, byteLength: a.byteLength };
}

function toBase64(bytes: Uint8Array): string {
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  if (typeof native === 'function') return native.call(bytes);
  let s = '';
  // String.fromCharCode takes at most ~64k arguments per call.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function readHeld(id: string, offset: number, length: number): string {
  const b = held.get(id);
  if (!b) throw new Error(`no held array '${id}' (released, or from another page load)`);
  if (!(Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0 && offset + length <= b.byteLength))
    throw new RangeError(`read(${id}): bytes [${offset}, ${offset + length}) outside [0, ${b.byteLength})`);
  return toBase64(b.subarray(offset, offset + length));
}

export function releaseHeld(id?: string): void {
  if (id === undefined) held.clear();
  else held.delete(id);
}
