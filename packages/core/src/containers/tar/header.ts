/**
 * Tar header blocks and the records that change the next member's name or size (GNU long names,
 * PAX extended headers), decoded from bytes already read. Used by the ranged listing of an
 * uncompressed tar, where tar-stream (a streaming parser) cannot seek past member data.
 *
 * Reference: POSIX.1-2017 `pax` utility, "ustar Interchange Format" (header layout, octal fields,
 * prefix + name) and "pax Extended Header" (`"%d %s=%s\n"` records; `path`, `size`, `mtime`
 * override the ustar fields); GNU tar manual, "Basic Tar Format" (typeflags `L`/`K` long names,
 * `S` sparse, base-256 numbers when the high bit of the field's first byte is set).
 */
import { SourceError } from '../../errors.js';
import { escapeName } from '../../source/fs-names.js';

/** One decoded 512-byte header block. */
export interface TarHeader {
  /** Raw name bytes (ustar prefix + `/` + name when the magic is POSIX ustar). */
  name: Uint8Array;
  size: number;
  /** Seconds since the epoch, or null when the field is unreadable. */
  mtime: number | null;
  /** The typeflag character (`0`, `5`, `L`, `x`, …); NUL is given as `0`. */
  type: string;
}

const BLOCK = 512;

/** True when the block is all zeros (the end-of-archive marker). */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** Bytes up to the first NUL. */
function cstr(block: Uint8Array, start: number, length: number): Uint8Array {
  const end = block.subarray(start, start + length).indexOf(0);
  return block.subarray(start, end === -1 ? start + length : start + end);
}

/**
 * A numeric field: octal digits (space or NUL padded, leading spaces allowed), or GNU base-256 when
 * the high bit of the first byte is set. Null when the field holds anything else, or a negative or
 * unsafe number.
 */
export function parseNumber(block: Uint8Array, start: number, length: number): number | null {
  const first = block[start]!;
  if (first & 0x80) {
    if (first === 0xff) return null; // negative base-256
    let value = first & 0x7f;
    for (let i = start + 1; i < start + length; i++) {
      value = value * 256 + block[i]!;
      if (value > Number.MAX_SAFE_INTEGER) return null;
    }
    return value;
  }
  let i = start;
  const end = start + length;
  while (i < end && block[i] === 0x20) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = block[i]!;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return null;
    value = value * 8 + (c - 0x30);
    digits++;
  }
  // Everything after the digits must be terminators.
  for (; i < end; i++) if (block[i] !== 0 && block[i] !== 0x20) return null;
  return digits === 0 ? 0 : value;
}

/**
 * Decodes a header block; null when its checksum does not match (not a tar header, or corrupt).
 * Both the unsigned and the historical signed sums are accepted, as GNU tar does.
 */
export function parseHeader(block: Uint8Array): TarHeader | null {
  const stored = parseNumber(block, 148, 8);
  if (stored === null) return null;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored !== unsigned && stored !== signed) return null;
  const size = parseNumber(block, 124, 12);
  if (size === null) return null;
  const flag = block[156]!;
  let type = flag === 0 ? '0' : String.fromCharCode(flag);
  let name = cstr(block, 0, 100);
  // POSIX ustar ("ustar\0" + "00"): a non-empty prefix goes before the name. GNU's "ustar  \0" uses
  // those bytes for other fields, so its prefix is not read.
  const posix = block[257] === 0x75 && block[258] === 0x73 && block[259] === 0x74 && block[260] === 0x61 && block[261] === 0x72 && block[262] === 0;
  if (posix && block[345] !== 0) {
    const prefix = cstr(block, 345, 155);
    const joined = new Uint8Array(prefix.length + 1 + name.length);
    joined.set(prefix, 0);
    joined[prefix.length] = 0x2f;
    joined.set(name, prefix.length + 1);
    name = joined;
  }
  // Old tars mark a directory by a trailing slash on a regular-file entry.
  if (type === '0' && name.length > 0 && name[name.length - 1] === 0x2f) type = '5';
  return { name, size, mtime: parseNumber(block, 136, 12), type };
}

/**
 * PAX extended header records (`"<len> <key>=<value>\n"`), values as UTF-8. A malformed record
 * throws ERR_CONTAINER_CORRUPT: a PAX header that cannot be read may hide the member's real name
 * or size, so nothing after it can be trusted.
 */
export function parsePax(data: Uint8Array): Map<string, string> {
  const out = new Map<string, string>();
  const decoder = new TextDecoder('utf-8');
  let pos = 0;
  while (pos < data.length) {
    // Trailing NUL padding after the last record is tolerated.
    if (data[pos] === 0) break;
    const space = data.indexOf(0x20, pos);
    if (space === -1 || space - pos > 20) throw corrupt('a PAX record has no length');
    const lenText = new TextDecoder().decode(data.subarray(pos, space));
    if (!/^[0-9]+$/.test(lenText)) throw corrupt('a PAX record length is not a number');
    const len = Number(lenText);
    const end = pos + len;
    if (len <= space - pos + 1 || end > data.length || data[end - 1] !== 0x0a) throw corrupt('a PAX record runs past its header or lacks its newline');
    const record = decoder.decode(data.subarray(space + 1, end - 1));
    const eq = record.indexOf('=');
    if (eq <= 0) throw corrupt('a PAX record has no key');
    out.set(record.slice(0, eq), record.slice(eq + 1));
    pos = end;
  }
  return out;
}

/** The value of a PAX `size` record, or null when it is not a plain decimal number. */
export function paxSize(value: string): number | null {
  if (!/^[0-9]{1,16}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** Seconds (a PAX `mtime` may carry a fraction) as an ISO 8601 string, or undefined when unusable. */
export function isoTime(seconds: number | null): string | undefined {
  if (seconds === null || !Number.isFinite(seconds)) return undefined;
  const ms = seconds * 1000;
  if (Math.abs(ms) > 8.64e15) return undefined;
  return new Date(ms).toISOString();
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A raw member name as text: UTF-8 when it is valid, else with the bad bytes written `%XX` (as the
 * local source does for file names) and the raw bytes in hex for `Entry.pathBytes`.
 */
export function decodeName(raw: Uint8Array): { name: string; pathBytes?: string } {
  try {
    return { name: strictUtf8.decode(raw) };
  } catch {
    const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    return { name: escapeName(buf), pathBytes: buf.toString('hex') };
  }
}

/** GNU long name data: the name up to its first NUL. */
export function longName(data: Uint8Array): Uint8Array {
  const end = data.indexOf(0);
  return end === -1 ? data : data.subarray(0, end);
}

/** Bytes of a member's data padded to whole blocks. */
export function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

export function corrupt(message: string): SourceError {
  return new SourceError('ERR_CONTAINER_CORRUPT', `tar: ${message}`);
}
