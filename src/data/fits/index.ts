// FITS reader and writer (contract 2): lazy HDU index, images, binary tables, gzip, Rice tiles.
export { openFits } from './open';
export { encodeFits } from './write';
export type { FitsHduToWrite, HeaderEntries } from './write';
export { FitsError } from './types';
export type { FitsCard, FitsColumn, FitsColumnData, FitsFile, FitsHeader, FitsImage, FitsTable, FitsValue, HduInfo, HduKind } from './types';
