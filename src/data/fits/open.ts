// openFits: index the HDUs of a FITS file from its headers alone (range reads, block by block),
// then read one HDU's data by range on demand. Whole-file gzip is inflated in memory first.
import { gunzipSync } from 'fflate';
import { MemorySource, type ByteSource } from '../storage/types';
import { decompressImage, logicalHeader } from './compressed';
import { BLOCK, CARD, Header, foldCards, parseCard } from './header';
import { BITPIXES, decodeImage, imageScaling } from './image';
import { decodeColumn, makeTable, parseColumns } from './table';
import {
  FitsError,
  type FitsCard,
  type FitsColumn,
  type FitsFile,
  type FitsImage,
  type FitsTable,
  type HduInfo,
  type ImageProgress,
} from './types';

const padded = (n: number): number => Math.ceil(n / BLOCK) * BLOCK;

function label(index: number, extname: string): string {
  return extname ? `HDU ${index} '${extname}'` : `HDU ${index}`;
}

function isHeaderText(b: Uint8Array, at: number): boolean {
  for (let i = at; i < at + CARD; i++) if (b[i]! < 32 || b[i]! > 126) return false;
  return true;
}

function cardText(b: Uint8Array, at: number): string {
  let s = '';
  for (let i = at; i < at + CARD; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Read one header starting at `offset`. Chunks double (1, 2, 4... blocks) so long headers cost few reads. */
async function readHeader(
  src: ByteSource,
  offset: number,
  size: number,
  index: number,
  prefetched?: Uint8Array,
): Promise<{ cards: FitsCard[]; end: number } | null> {
  const url = src.url;
  const cards: FitsCard[] = [];
  let pos = offset;
  let nblocks = 1;
  for (;;) {
    if (pos >= size)
      throw new FitsError(url, `missing END card: the header of HDU ${index} (from byte ${offset}) runs to the end of the file (${size} bytes) without END`);
    const want = Math.min(nblocks * BLOCK, size - pos);
    const bytes = pos === offset && prefetched ? prefetched : await src.read(pos, want);
    // Bytes after the last HDU that are not an extension (padding, junk) end the index, as astropy does.
    if (pos === offset && index > 0 && cardText(bytes, 0).slice(0, 9) !== 'XTENSION=') return null;
    if (bytes.length < BLOCK)
      throw new FitsError(url, `truncated file: the header of HDU ${index} (from byte ${offset}) is cut off at byte ${pos + bytes.length}, within a 2880-byte block and before END (file is ${size} bytes)`);
    const full = Math.floor(bytes.length / BLOCK);
    for (let b = 0; b < full; b++) {
      for (let c = 0; c < BLOCK; c += CARD) {
        const at = b * BLOCK + c;
        if (!isHeaderText(bytes, at))
          throw new FitsError(url, `missing END card: the header of HDU ${index} (from byte ${offset}) has no END before non-text bytes at byte ${pos + at}`);
        const card = parseCard(cardText(bytes, at));
        if (card === null) return { cards, end: pos + (b + 1) * BLOCK };
        cards.push(card);
      }
    }
    pos += full * BLOCK;
    nblocks = Math.min(nblocks * 2, 64);
  }
}

function dataBytesOf(h: Header, bitpix: number, xtension: string): number {
  const naxis = h.int('NAXIS');
  if (naxis === 0) return 0;
  const dims: number[] = [];
  for (let i = 1; i <= naxis; i++) dims.push(h.int(`NAXIS${i}`));
  const pcount = h.int('PCOUNT', 0);
  const gcount = h.int('GCOUNT', 1);
  // Random groups (NAXIS1 = 0 in the primary) count from axis 2.
  const n = !xtension && dims[0] === 0 ? dims.slice(1).reduce((a, b) => a * b, 1) : dims.reduce((a, b) => a * b, 1);
  return (Math.abs(bitpix) / 8) * gcount * (pcount + n);
}

export async function openFits(src0: ByteSource): Promise<FitsFile> {
  let src = src0;
  const url = src.url;
  let size = await src.size();
  if (size === 0) throw new FitsError(url, 'not a FITS file: the file is empty');
  let head = await src.read(0, Math.min(BLOCK, size));
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const rest = size > head.length ? await src.read(head.length, size - head.length) : new Uint8Array(0);
    const whole = new Uint8Array(size);
    whole.set(head, 0);
    whole.set(rest, head.length);
    let inflated: Uint8Array;
    try {
      inflated = gunzipSync(whole);
    } catch (e) {
      throw new FitsError(url, `gzip-compressed but cannot be inflated (${(e as Error).message}); truncated or corrupt file?`);
    }
    src = new MemorySource(url, inflated);
    size = inflated.length;
    head = inflated.subarray(0, Math.min(BLOCK, size));
  }
  const first = head.subarray(0, CARD);
  const firstText = Array.from(first, (c) => String.fromCharCode(c)).join('');
  if (!/^SIMPLE  =\s*T/.test(firstText)) {
    const shown = /^[\x20-\x7e]*$/.test(firstText) ? `'${firstText.trimEnd().slice(0, 40)}'` : 'binary data';
    throw new FitsError(url, `not a FITS file: the first card is ${shown}, expected 'SIMPLE  = T'`);
  }

  const hdus: HduInfo[] = [];
  let offset = 0;
  while (offset < size) {
    const index = hdus.length;
    const got = await readHeader(src, offset, size, index, index === 0 ? head : undefined);
    if (!got) break;
    const { cards, end } = got;
    const folded = foldCards(cards);
    const tmp = new Header(folded, { url, hdu: `HDU ${index}` });
    const extnameRaw = tmp.get('EXTNAME');
    const extname = typeof extnameRaw === 'string' ? extnameRaw.trim() : index === 0 ? 'PRIMARY' : '';
    const raw = new Header(folded, { url, hdu: label(index, extname) });
    const bitpix = raw.num('BITPIX');
    if (!(BITPIXES as readonly number[]).includes(bitpix))
      throw new FitsError(url, `${label(index, extname)}: unknown BITPIX ${bitpix} (expected one of 8, 16, 32, 64, -32, -64)`);
    const xtension = index === 0 ? '' : raw.str('XTENSION', '').trim().toUpperCase();
    const dataBytes = dataBytesOf(raw, bitpix, xtension);
    const naxis = raw.int('NAXIS');
    const info: HduInfo = {
      index,
      extname,
      extver: raw.num('EXTVER', 1),
      kind: 'header-only',
      bitpix,
      shape: [],
      header: raw,
      rawHeader: raw,
      headerOffset: offset,
      dataOffset: end,
      dataBytes,
    };
    if (xtension === 'BINTABLE' && raw.get('ZIMAGE') === true) {
      const logical = logicalHeader(raw);
      const zn = raw.int('ZNAXIS');
      info.kind = 'compressed-image';
      info.header = logical;
      info.bitpix = raw.num('ZBITPIX');
      for (let i = zn; i >= 1; i--) info.shape.push(raw.int(`ZNAXIS${i}`));
      info.compression = raw.str('ZCMPTYPE', '').trim();
    } else if (xtension === 'BINTABLE' || xtension === 'TABLE') {
      info.kind = 'table';
      info.nrows = raw.int('NAXIS2');
      info.shape = [info.nrows];
      const tfields = raw.int('TFIELDS', 0);
      info.columns = [];
      for (let i = 1; i <= tfields; i++) info.columns.push(String(raw.get(`TTYPE${i}`) ?? `COL${i}`).trim());
      if (xtension === 'TABLE') info.compression = 'ASCII table';
    } else if (naxis > 0 && (index === 0 || xtension === 'IMAGE')) {
      info.kind = 'image';
      for (let i = naxis; i >= 1; i--) info.shape.push(raw.int(`NAXIS${i}`));
    }
    hdus.push(info);
    offset = end + padded(dataBytes);
  }
  return new FitsFileImpl(src, hdus, size);
}

class FitsFileImpl implements FitsFile {
  readonly url: string;
  constructor(
    private readonly src: ByteSource,
    readonly hdus: HduInfo[],
    private readonly size: number,
  ) {
    this.url = src.url;
  }

  private present(): string {
    return this.hdus.map((h) => `${h.index} ${h.extname || '(no EXTNAME)'}${h.extver !== 1 ? ` v${h.extver}` : ''}`).join(', ');
  }

  hdu(nameOrIndex: string | number, extver?: number): HduInfo {
    if (typeof nameOrIndex === 'number') {
      const h = this.hdus[nameOrIndex];
      if (!Number.isInteger(nameOrIndex) || !h)
        throw new FitsError(this.url, `no HDU with index ${nameOrIndex} (HDUs present: ${this.present()})`);
      return h;
    }
    const want = nameOrIndex.trim().toUpperCase();
    const h = this.hdus.find((h) => h.extname.toUpperCase() === want && (extver === undefined || h.extver === extver));
    if (!h)
      throw new FitsError(
        this.url,
        `no HDU named '${nameOrIndex}'${extver !== undefined ? ` with EXTVER ${extver}` : ''} (HDUs present: ${this.present()})`,
      );
    return h;
  }

  private resolve(h: HduInfo | string | number): HduInfo {
    return typeof h === 'object' ? h : this.hdu(h);
  }

  /** The HDU's data bytes (main table + heap), checked against what NAXIS promises. */
  private async dataOf(h: HduInfo, onProgress?: ImageProgress, start = 0, length = h.dataBytes): Promise<Uint8Array> {
    const have = Math.max(0, this.size - h.dataOffset);
    const fail = (got: number): never => {
      throw new FitsError(
        this.url,
        `${label(h.index, h.extname)}: data shorter than NAXIS says: needs ${h.dataBytes} bytes from byte ${h.dataOffset}, the file holds only ${got} (truncated file?)`,
      );
    };
    if (have < h.dataBytes) fail(have);
    const bytes = await this.src.read(h.dataOffset + start, length, onProgress);
    if (bytes.length < length) fail(start + bytes.length);
    return bytes;
  }

  async readImage(hRef: HduInfo | string | number, onProgress?: ImageProgress): Promise<FitsImage> {
    const h = this.resolve(hRef);
    const where = label(h.index, h.extname);
    if (h.kind === 'table') throw new FitsError(this.url, `${where} is a table, not an image (use readTable)`);
    if (h.kind === 'header-only') throw new FitsError(this.url, `${where} has no image data (NAXIS = 0)`);
    const n = h.shape.reduce((a, b) => a * b, 1);
    const bytes = await this.dataOf(h, onProgress);
    if (h.kind === 'compressed-image') {
      try {
        return { shape: [...h.shape], bitpix: h.bitpix, data: decompressImage(h.rawHeader as Header, h.header as Header, bytes) };
      } catch (e) {
        if (e instanceof FitsError) throw e;
        throw new FitsError(this.url, `${where}: cannot decompress ${h.compression} image: ${(e as Error).message}`);
      }
    }
    const data = decodeImage(bytes, h.bitpix, n, imageScaling(h.header as Header, h.bitpix));
    return { shape: [...h.shape], bitpix: h.bitpix, data };
  }

  async readTable(hRef: HduInfo | string | number, rows?: [number, number]): Promise<FitsTable> {
    const h = this.resolve(hRef);
    const where = label(h.index, h.extname);
    if (h.kind !== 'table') throw new FitsError(this.url, `${where} is ${h.kind === 'compressed-image' ? 'a compressed image (use readImage)' : 'not a table'}`);
    if (h.compression === 'ASCII table') throw new FitsError(this.url, `${where}: ASCII tables (XTENSION = 'TABLE') are not supported`);
    const raw = h.rawHeader as Header;
    const layout = parseColumns(raw, { url: this.url, hdu: where });
    const nrows = h.nrows!;
    const [a, b] = rows ?? [0, nrows];
    if (!(Number.isInteger(a) && Number.isInteger(b) && 0 <= a && a <= b && b <= nrows))
      throw new FitsError(this.url, `${where}: row range ${a}:${b} is outside the table's ${nrows} rows`);
    const rowBytes = raw.int('NAXIS1');
    const theap = raw.int('THEAP', nrows * rowBytes);
    let body: Uint8Array;
    let heap: Uint8Array | undefined;
    if (layout.some((c) => c.varCode)) {
      // Variable-length arrays point anywhere into the heap: read main table and heap together.
      const all = await this.dataOf(h);
      body = all.subarray(a * rowBytes, b * rowBytes);
      heap = all.subarray(theap);
    } else {
      body = await this.dataOf(h, undefined, a * rowBytes, (b - a) * rowBytes); // rows a..b only
    }
    const columns: FitsColumn[] = layout.map((c) => {
      const col: FitsColumn = { name: c.name, format: c.format, repeat: c.repeat, data: decodeColumn(c, body, b - a, rowBytes, heap) };
      if (c.unit) col.unit = c.unit;
      return col;
    });
    return makeTable(this.url, where, columns, b - a, a);
  }
}
