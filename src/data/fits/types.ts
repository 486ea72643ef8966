// Public types of the FITS module (contract 2). Kept apart so that importers of types pull no code.

export type FitsValue = string | number | boolean | null;

/** One header card (CONTINUE cards already folded into the string they continue). */
export interface FitsCard {
  /** Upper-case keyword; for HIERARCH cards the words after HIERARCH joined by single spaces. */
  key: string;
  /** null for commentary cards (COMMENT, HISTORY, blank) and undefined values. */
  value: FitsValue;
  comment?: string;
  /** For COMMENT/HISTORY/blank-key cards: the text in columns 9-80. */
  text?: string;
}

export interface FitsHeader {
  cards: FitsCard[];
  get(key: string): FitsValue | undefined;
  has(key: string): boolean;
  /** Throws naming file+HDU+key when missing (and no fallback) or not a number. */
  num(key: string, fallback?: number): number;
  str(key: string, fallback?: string): string;
}

export type HduKind = 'header-only' | 'image' | 'table' | 'compressed-image';

export interface HduInfo {
  index: number;
  /** 'PRIMARY' for HDU 0 without EXTNAME; '' for other HDUs without one. */
  extname: string;
  extver: number;
  kind: HduKind;
  bitpix: number;
  /** numpy order, e.g. [ny, nx]; for tables [nrows]. */
  shape: number[];
  nrows?: number;
  columns?: string[];
  compression?: string;
  /** For compressed images: the image's logical header (ZBITPIX→BITPIX etc.). */
  header: FitsHeader;
  /** Byte offset of the header, of the data, and data length without padding (incl. heap). */
  headerOffset: number;
  dataOffset: number;
  dataBytes: number;
  /** The stored header (for compressed images, the BINTABLE's own header). */
  rawHeader: FitsHeader;
}

export interface FitsImage {
  shape: number[];
  /** Physical values after BSCALE/BZERO (BLANK → NaN); row-major, index = y*nx + x. */
  data: Float32Array | Float64Array;
  bitpix: number;
}

export type FitsColumnData =
  | Float64Array
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | string[]
  | boolean[]
  | unknown[];

export interface FitsColumn {
  name: string;
  /** TFORM as written, e.g. '3E'. */
  format: string;
  unit?: string;
  /** Elements per row (for A columns: characters). */
  repeat: number;
  data: FitsColumnData;
}

export interface FitsTable {
  nrows: number;
  /** First row read (0-based) when a row range was asked for. */
  firstRow: number;
  columns: FitsColumn[];
  /** Case-insensitive; throws naming file, HDU, the missing column and the columns present. */
  column(name: string): FitsColumnData;
  rows(): Record<string, unknown>[];
}

export type ImageProgress = (p: { loaded: number; total: number; url: string }) => void;

export interface FitsFile {
  url: string;
  hdus: HduInfo[];
  /** Throws naming the file and listing the EXTNAMEs present. */
  hdu(nameOrIndex: string | number, extver?: number): HduInfo;
  readImage(h: HduInfo | string | number, onProgress?: ImageProgress): Promise<FitsImage>;
  readTable(h: HduInfo | string | number, rows?: [number, number]): Promise<FitsTable>;
}

/** Every error of this module: names the file (and HDU) and what is wrong. */
export class FitsError extends Error {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(`${url}: ${message}`);
    this.name = 'FitsError';
  }
}
