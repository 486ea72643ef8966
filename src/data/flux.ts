// Flux units (DESIGN §1.4): the model's flux is in µJy; each quadrant converts with its own
// zero point and exposure time, ADU = µJy × 10^((MAGZEROP + 2.5·log10(EXPTIME) − 23.9) / 2.5).
// 23.9 is the AB magnitude of 1 µJy.

export interface HeaderGetter {
  get(key: string): unknown;
}

/** AB magnitude of a flux of 1 µJy. */
export const AB_MAG_1UJY = 23.9;

function headerNumber(h: HeaderGetter, key: string, context: string): number {
  const v = h.get(key);
  if (v === undefined || v === null) throw new Error(`${context}: header keyword ${key} is missing (needed to convert µJy to ADU)`);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new Error(`${context}: header keyword ${key} = ${JSON.stringify(v)} is not a number`);
  return n;
}

/** ADU per µJy for a quadrant, from MAGZEROP (AB, for counts per second) and EXPTIME (s); `context` names the HDU in errors. */
export function aduPerMicroJy(header: HeaderGetter, context: string): number {
  const zp = headerNumber(header, 'MAGZEROP', context);
  const t = headerNumber(header, 'EXPTIME', context);
  if (!(t > 0)) throw new Error(`${context}: EXPTIME = ${t} must be positive`);
  return aduPerMicroJyFrom(zp, t);
}

export function aduPerMicroJyFrom(magzerop: number, exptime: number): number {
  return 10 ** ((magzerop + 2.5 * Math.log10(exptime) - AB_MAG_1UJY) / 2.5);
}
