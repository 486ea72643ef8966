// WCS module (contract 3): TAN, TPV and TAN-SIP celestial WCS from FITS headers.
import { parseWcsParams } from './header';
import type { HeaderLike, Wcs } from './types';
import { wcsFromParams } from './wcs';

export type { HeaderLike, Wcs, WcsKind, WcsParams } from './types';
export { WcsError } from './types';
export { parseWcsParams } from './header';
export { wcsFromParams } from './wcs';
export {
  tanHeaderEntries,
  tpvHeaderEntries,
  headerFromEntries,
  type TanHeaderParams,
  type TpvHeaderParams,
  type WcsHeaderEntry,
} from './entries';

/**
 * The celestial WCS of a header. `context` (e.g. "file.fits[3-4.F.SCI]") names the header
 * in errors: unsupported CTYPE, missing CRVAL/CRPIX/CD, singular CD, bad SIP/TPV keywords.
 */
export function wcsFromHeader(h: HeaderLike, context?: string): Wcs {
  return wcsFromParams(parseWcsParams(h, context));
}
