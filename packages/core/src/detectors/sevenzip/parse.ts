/**
 * A bounded reader of the parts of a 7z archive that say whether it is encrypted: the signature
 * header, the next header it points to (read with a range when it is not in the tail), the encoded
 * header's folder (unpacked when it is LZMA-compressed, as 7-Zip writes it by default), and the
 * coders of the main streams' folders. File names, times and attributes are never decoded.
 *
 * Reference: 7-Zip DOC/7zFormat.txt (signature header, property IDs, UINT64 encoding, PackInfo,
 * Folder, Coders Info, SubStreams Info, Streams Info, Header, HeaderInfo) and DOC/Methods.txt
 * (method ids: 06F10701 7zAES, 030101 LZMA, 21 LZMA2, 040108 Deflate, 00 Copy).
 */
import { inflateRawSync } from 'node:zlib';
import type { ByteRange } from '../../source/types.js';
import type { ByteView} from '../zip-common/bytes.js';
import { le, startsWith } from '../zip-common/bytes.js';
import { lzmaDecode, LzmaError } from './lzma.js';

export const SEVENZIP_SIGNATURE = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] as const;

/** Bounds on the work a hostile archive can cause. */
export const SEVENZIP_LIMITS = {
  /** Largest next header read (packed or not). */
  headerBytes: 8 * 1024 * 1024,
  /** Largest unpacked header decoded. */
  unpackedHeader: 16 * 1024 * 1024,
  /** Folders, coders per folder and streams per coder parsed. */
  folders: 1_000_000,
  coders: 64,
  /** Nested encoded headers followed. */
  nesting: 2,
} as const;

const AES = '06f10701';
const METHODS: Record<string, string> = {
  '00': 'Copy',
  '21': 'LZMA2',
  '030101': 'LZMA',
  '03030103': 'BCJ',
  '0303011b': 'BCJ2',
  '030401': 'PPMD',
  '040108': 'Deflate',
  '040109': 'Deflate64',
  '040202': 'BZip2',
  [AES]: '7zAES',
};

/** Name of a 7z method id (hex). */
export function methodName(id: string): string {
  return METHODS[id] ?? `method ${id}`;
}

interface Coder {
  id: string;
  inStreams: number;
  outStreams: number;
  props: Uint8Array;
}

interface Folder {
  coders: Coder[];
  /** Unpacked size of each coder out-stream, in order. */
  unpackSizes: number[];
  /** Index of the out-stream no bind pair consumes: the folder's result. */
  mainOut: number;
  /** Whether one of its coders is 7zAES. */
  encrypted: boolean;
}

interface StreamsInfo {
  packPos: number;
  packSizes: number[];
  folders: Folder[];
  /** Files per folder (SubStreamsInfo), when given. */
  streamsPerFolder: number[] | null;
}

/** What the 7z detector needs to know. */
export interface SevenZipInfo {
  version: string;
  /** File offset of the next header. */
  headerOffset: number;
  /** Coders of the encoded header's folder, when the header is packed. */
  headerMethods: string[] | null;
  /** Whether the header itself is encrypted (file names hidden). */
  headerEncrypted: boolean;
  /** Folders of the main streams, and how many use 7zAES (unknown when the header is encrypted). */
  folders: number;
  encryptedFolders: number;
  /** Files with data, and how many of them are in encrypted folders. */
  streams: number;
  encryptedStreams: number;
  /** Methods used by the main folders. */
  methods: string[];
}

export type SevenZipRead =
  | { kind: '7z'; info: SevenZipInfo }
  | { kind: 'need'; ranges: ByteRange[] }
  | { kind: 'none' }
  | { kind: 'broken'; problem: string; offset: number };

class ParseError extends Error {}

/** A cursor over header bytes; every read is bounds-checked and throws {@link ParseError} past the end. */
class Cursor {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.bytes.length) throw new ParseError('the header ends early');
    return this.bytes[this.pos++]!;
  }

  /** 7z UINT64: the first byte's leading one bits count the extra bytes. Values past 2^53 fail. */
  number(): number {
    const first = this.byte();
    let mask = 0x80;
    let value = 0;
    for (let i = 0; i < 8; i++) {
      if ((first & mask) === 0) {
        const high = first & (mask - 1);
        return value + high * 2 ** (8 * i);
      }
      value += this.byte() * 2 ** (8 * i);
      if (!Number.isSafeInteger(value)) throw new ParseError('a number is too large');
      mask >>>= 1;
    }
    return value;
  }

  /** A count of items that each take at least `min` bytes: never more than the bytes left allow. */
  count(min = 1, cap = Number.MAX_SAFE_INTEGER): number {
    const n = this.number();
    if (n > cap || n * min > this.bytes.length - this.pos) throw new ParseError(`a count of ${n} exceeds what the header can hold`);
    return n;
  }

  take(n: number): Uint8Array {
    if (n > this.bytes.length - this.pos) throw new ParseError('a field runs past the end of the header');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  expect(id: number): void {
    const got = this.byte();
    if (got !== id) throw new ParseError(`expected property 0x${id.toString(16)}, found 0x${got.toString(16)}`);
  }

  /** Skips a bit vector of `n` items, or an all-defined byte followed by one (Digests, 7zFormat.txt). */
  bits(n: number): boolean[] {
    const out: boolean[] = [];
    let b = 0;
    for (let i = 0; i < n; i++) {
      if (i % 8 === 0) b = this.byte();
      out.push((b & (0x80 >>> (i % 8))) !== 0);
    }
    return out;
  }

  digests(n: number): void {
    const defined = this.byte() !== 0 ? n : this.bits(n).filter(Boolean).length;
    this.take(4 * defined);
  }
}

/** Reads what the bytes held say about a 7z archive, or the ranges still needed. */
export function readSevenZip(view: ByteView): SevenZipRead {
  const start = view.get(0, 32);
  if (!start || !startsWith(start, SEVENZIP_SIGNATURE)) return { kind: 'none' };
  const version = `${start[6]}.${start[7]}`;
  const offset = le.u64(start, 12);
  const size = le.u64(start, 20);
  const at = 32 + offset;
  if (!Number.isFinite(at) || !Number.isFinite(size) || at + size > view.size) {
    return { kind: 'broken', problem: `the start header points at a next header of ${size} bytes at offset ${at}, past the end of the file (${view.size} bytes; truncated?)`, offset: 12 };
  }
  const empty: SevenZipInfo = { version, headerOffset: at, headerMethods: null, headerEncrypted: false, folders: 0, encryptedFolders: 0, streams: 0, encryptedStreams: 0, methods: [] };
  if (size === 0) return { kind: '7z', info: empty };
  if (size > SEVENZIP_LIMITS.headerBytes) return { kind: 'broken', problem: `the next header is ${size} bytes, more than the ${SEVENZIP_LIMITS.headerBytes} read`, offset: at };
  let header = view.get(at, at + size);
  if (!header) return { kind: 'need', ranges: [{ start: at, end: at + size }] };
  try {
    const info = { ...empty };
    for (let depth = 0; ; depth++) {
      const c = new Cursor(header);
      const id = c.byte();
      if (id === 0x01) {
        readHeader(c, info);
        return { kind: '7z', info };
      }
      if (id !== 0x17) throw new ParseError(`the next header starts with 0x${id.toString(16)}, neither a header nor an encoded header`);
      if (depth >= SEVENZIP_LIMITS.nesting) throw new ParseError('encoded headers nest too deeply');
      const streams = readStreamsInfo(c);
      const folder = streams.folders[0];
      if (!folder || streams.packSizes.length === 0) throw new ParseError('the encoded header has no folder');
      info.headerMethods = folder.coders.map((k) => methodName(k.id));
      if (folder.encrypted) {
        info.headerEncrypted = true;
        return { kind: '7z', info };
      }
      const packStart = 32 + streams.packPos;
      const packEnd = packStart + streams.packSizes[0]!;
      if (!Number.isFinite(packEnd) || packEnd > at || packStart < 32) throw new ParseError('the packed header lies outside the archive');
      if (packEnd - packStart > SEVENZIP_LIMITS.headerBytes) throw new ParseError('the packed header is too large to read');
      const packed = view.get(packStart, packEnd);
      if (!packed) return { kind: 'need', ranges: [{ start: packStart, end: packEnd }] };
      header = unpack(folder, packed);
    }
  } catch (err) {
    if (err instanceof ParseError || err instanceof LzmaError) return { kind: 'broken', problem: err.message, offset: at };
    throw err;
  }
}

function unpack(folder: Folder, packed: Uint8Array): Uint8Array {
  if (folder.coders.length !== 1) throw new ParseError(`the header is packed with ${folder.coders.map((k) => methodName(k.id)).join(' + ')}, which is not unpacked here`);
  const coder = folder.coders[0]!;
  const size = folder.unpackSizes[folder.mainOut] ?? 0;
  if (size > SEVENZIP_LIMITS.unpackedHeader) throw new ParseError(`the header unpacks to ${size} bytes, more than the ${SEVENZIP_LIMITS.unpackedHeader} allowed`);
  switch (coder.id) {
    case '00':
      return packed.subarray(0, size);
    case '030101':
      return lzmaDecode(packed, coder.props, size);
    case '040108':
      try {
        return inflateRawSync(packed, { maxOutputLength: Math.max(1, size) });
      } catch {
        throw new ParseError('the deflated header is damaged');
      }
    default:
      throw new ParseError(`the header is packed with ${methodName(coder.id)}, which is not unpacked here`);
  }
}

function readHeader(c: Cursor, info: SevenZipInfo): void {
  let id = c.byte();
  if (id === 0x02) {
    // ArchiveProperties: type, size, data, until type 0.
    for (let t = c.byte(); t !== 0; t = c.byte()) c.take(c.count());
    id = c.byte();
  }
  if (id === 0x03) {
    readStreamsInfo(c);
    id = c.byte();
  }
  if (id === 0x04) {
    const main = readStreamsInfo(c);
    info.folders = main.folders.length;
    const methods = new Set<string>();
    main.folders.forEach((f, i) => {
      const files = main.streamsPerFolder?.[i] ?? 1;
      info.streams += files;
      for (const k of f.coders) methods.add(methodName(k.id));
      if (f.encrypted) {
        info.encryptedFolders++;
        info.encryptedStreams += files;
      }
    });
    info.methods = [...methods];
  }
  // FilesInfo (names, times, attributes) is not needed and not decoded.
}

function readStreamsInfo(c: Cursor): StreamsInfo {
  const out: StreamsInfo = { packPos: 0, packSizes: [], folders: [], streamsPerFolder: null };
  for (let id = c.byte(); id !== 0x00; id = c.byte()) {
    if (id === 0x06) readPackInfo(c, out);
    else if (id === 0x07) readCodersInfo(c, out);
    else if (id === 0x08) {
      readSubStreams(c, out);
      // The rest (sizes, digests) is not needed; the folders are known.
      return out;
    } else throw new ParseError(`unexpected property 0x${id.toString(16)} in streams info`);
  }
  return out;
}

function readPackInfo(c: Cursor, out: StreamsInfo): void {
  out.packPos = c.number();
  const n = c.count();
  for (let id = c.byte(); id !== 0x00; id = c.byte()) {
    if (id === 0x09) for (let i = 0; i < n; i++) out.packSizes.push(c.number());
    else if (id === 0x0a) c.digests(n);
    else throw new ParseError(`unexpected property 0x${id.toString(16)} in pack info`);
  }
}

function readCodersInfo(c: Cursor, out: StreamsInfo): void {
  c.expect(0x0b);
  const n = c.count(2, SEVENZIP_LIMITS.folders);
  if (c.byte() !== 0) throw new ParseError('external folder data is not supported');
  for (let i = 0; i < n; i++) out.folders.push(readFolder(c));
  c.expect(0x0c);
  for (const f of out.folders) {
    const outs = f.coders.reduce((s, k) => s + k.outStreams, 0);
    for (let i = 0; i < outs; i++) f.unpackSizes.push(c.number());
  }
  for (let id = c.byte(); id !== 0x00; id = c.byte()) {
    if (id === 0x0a) c.digests(n);
    else throw new ParseError(`unexpected property 0x${id.toString(16)} in coders info`);
  }
}

function readFolder(c: Cursor): Folder {
  const n = c.count(2, SEVENZIP_LIMITS.coders);
  if (n === 0) throw new ParseError('a folder has no coders');
  const coders: Coder[] = [];
  let ins = 0;
  let outs = 0;
  for (let i = 0; i < n; i++) {
    const flags = c.byte();
    if (flags & 0x80) throw new ParseError('alternative coder methods are not allowed');
    const id = Array.from(c.take(flags & 0x0f), (b) => b.toString(16).padStart(2, '0')).join('');
    const inStreams = flags & 0x10 ? c.count(0, SEVENZIP_LIMITS.coders) : 1;
    const outStreams = flags & 0x10 ? c.count(0, SEVENZIP_LIMITS.coders) : 1;
    const props = flags & 0x20 ? c.take(c.count()) : new Uint8Array(0);
    coders.push({ id, inStreams, outStreams, props });
    ins += inStreams;
    outs += outStreams;
  }
  if (outs === 0) throw new ParseError('a folder has no output stream');
  const bound = new Set<number>();
  for (let i = 0; i < outs - 1; i++) {
    c.number();
    bound.add(c.number());
  }
  const packed = ins - (outs - 1);
  if (packed < 1) throw new ParseError('a folder binds more streams than it has');
  if (packed > 1) for (let i = 0; i < packed; i++) c.number();
  let mainOut = 0;
  while (bound.has(mainOut) && mainOut < outs) mainOut++;
  return { coders, unpackSizes: [], mainOut, encrypted: coders.some((k) => k.id === AES) };
}

function readSubStreams(c: Cursor, out: StreamsInfo): void {
  const id = c.byte();
  if (id === 0x0d) out.streamsPerFolder = out.folders.map(() => c.number());
}
