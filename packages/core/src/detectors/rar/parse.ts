/**
 * A bounded walk over the block headers of RAR archives, RAR 1.5–4.x ("RAR4") and RAR 5.0, from the
 * start of the file, noting header encryption and which file headers mark their data encrypted.
 * Headers are followed as long as the bytes held reach them; the caller asks for the next one with
 * a range. Never throws on bad input: a header that cannot be right (a size of 0, a size running
 * past the file) ends the walk with a problem noted.
 *
 * Reference: RAR 5.0 archive format (rarlab.com technote: general archive layout, vint, general
 * header fields CRC32 / header size / type / flags / extra and data sizes, archive encryption header
 * type 4, file header type 2, extra area record type 0x01 "file encryption"); RAR 4.x technote
 * (unrar technote.txt: block HEAD_CRC/TYPE/FLAGS/SIZE/ADD_SIZE, MAIN_HEAD 0x73 flag 0x0080 "block
 * headers are encrypted", FILE_HEAD 0x74 flag 0x04 "file encrypted with password", directory
 * dictionary bits 0xE0, HIGH_PACK_SIZE 0x100, UNP_VER).
 */
import type { ByteRange } from '../../source/types.js';
import type { ByteView} from '../zip-common/bytes.js';
import { le, startsWith } from '../zip-common/bytes.js';

export const RAR4_SIGNATURE = [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x00] as const;
export const RAR5_SIGNATURE = [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00] as const;

/** Bounds of the walk. */
export const RAR_LIMITS = {
  /** Most headers walked. */
  headers: 100_000,
  /** Bytes asked for at once to read the next header (and, in small archives, the ones after it). */
  nextHeaderBytes: 64 * 1024,
  /** Largest header accepted (RAR 5.0 caps headers at 2 MiB). */
  headerBytes: 2 * 1024 * 1024,
} as const;

/** What a walk found. */
export interface RarInfo {
  version: 4 | 5;
  /** Set when block headers are encrypted (file names hidden): RAR4 archive flag 0x80, or a RAR5 archive encryption header. */
  headerEncryption: { offset: number; scheme: string } | null;
  /** File headers seen (directories excluded), and those whose data is encrypted. */
  files: number;
  encryptedFiles: number;
  /** Schemes of the encrypted files, with counts. */
  schemes: Record<string, number>;
  /** Offset of the first encrypted file header. */
  firstEncrypted: number | null;
  /** Whether the walk reached the end-of-archive header or the end of the file. */
  complete: boolean;
  /** Where the walk stopped short, and why, when it did. */
  stoppedAt: number | null;
  problems: string[];
}

export type RarRead = { kind: 'rar'; info: RarInfo; next: ByteRange | null } | { kind: 'none' };

/** Walks the headers held; `next` is the range to read to go on, when the walk is cut by missing bytes. */
export function readRar(view: ByteView): RarRead {
  const sig = view.get(0, 8);
  if (!sig) return { kind: 'none' };
  if (startsWith(sig, RAR5_SIGNATURE)) return walk5(view);
  if (startsWith(sig, RAR4_SIGNATURE)) return walk4(view);
  return { kind: 'none' };
}

function emptyInfo(version: 4 | 5): RarInfo {
  return { version, headerEncryption: null, files: 0, encryptedFiles: 0, schemes: {}, firstEncrypted: null, complete: false, stoppedAt: null, problems: [] };
}

function need(view: ByteView, pos: number): ByteRange {
  return { start: pos, end: Math.min(view.size, pos + RAR_LIMITS.nextHeaderBytes) };
}

function noteEncrypted(info: RarInfo, scheme: string, offset: number): void {
  info.encryptedFiles++;
  info.schemes[scheme] = (info.schemes[scheme] ?? 0) + 1;
  info.firstEncrypted ??= offset;
}

/** RAR 1.5–4.x blocks: HEAD_CRC (2), HEAD_TYPE (1), HEAD_FLAGS (2), HEAD_SIZE (2), ADD_SIZE (4, when flag 0x8000). */
function walk4(view: ByteView): RarRead {
  const info = emptyInfo(4);
  let pos = 7;
  for (let n = 0; n < RAR_LIMITS.headers; n++) {
    if (pos >= view.size) return broken(info, pos, 'the archive ends without its end-of-archive header (truncated?)');
    const fixed = view.get(pos, Math.min(view.size, pos + 11));
    if (!fixed || fixed.length < 7) {
      if (!fixed) return cut(info, pos, need(view, pos));
      return broken(info, pos, 'the archive ends inside a block header');
    }
    const type = fixed[2]!;
    const flags = le.u16(fixed, 3);
    const size = le.u16(fixed, 5);
    if (size < 7) return broken(info, pos, `a block header at offset ${pos} declares ${size} bytes (less than its own fixed fields)`);
    const block = view.get(pos, pos + size);
    if (!block) return pos + size > view.size ? broken(info, pos, 'a block header runs past the end of the file') : cut(info, pos, { start: pos, end: Math.min(view.size, pos + Math.max(size, RAR_LIMITS.nextHeaderBytes)) });
    let add = flags & 0x8000 && size >= 11 ? le.u32(block, 7) : 0;
    if (type === 0x73) {
      if (flags & 0x0080) {
        info.headerEncryption = { offset: pos, scheme: 'RAR 3.x AES-128' };
        info.complete = true;
        return { kind: 'rar', info, next: null };
      }
    } else if (type === 0x74) {
      if (size < 32) return broken(info, pos, `a file header at offset ${pos} is ${size} bytes, too short`);
      if (flags & 0x0100 && size >= 36) add += le.u32(block, 32) * 0x100000000;
      const directory = (flags & 0x00e0) === 0x00e0;
      if (!directory) {
        info.files++;
        if (flags & 0x0004) noteEncrypted(info, rar4Scheme(block[24]!), pos);
      }
    } else if (type === 0x7b) {
      info.complete = true;
      return { kind: 'rar', info, next: null };
    }
    pos += size + add;
  }
  return broken(info, pos, `more than ${RAR_LIMITS.headers} blocks; the walk stopped`);
}

/** The cipher RAR 1.5–4.x used, by the version needed to unpack (UNP_VER). */
function rar4Scheme(unpVer: number): string {
  if (unpVer >= 29) return 'RAR 3.x AES-128';
  if (unpVer >= 20) return 'RAR 2.0 cipher';
  return 'RAR 1.5 cipher';
}

/** RAR 5.0 headers: CRC32 (4), header size (vint), type (vint), flags (vint), [extra size], [data size], fields, extra area. */
function walk5(view: ByteView): RarRead {
  const info = emptyInfo(5);
  let pos = 8;
  for (let n = 0; n < RAR_LIMITS.headers; n++) {
    if (pos >= view.size) return broken(info, pos, 'the archive ends without its end-of-archive header (truncated?)');
    const start = view.get(pos, Math.min(view.size, pos + 4 + 3));
    if (!start) return cut(info, pos, need(view, pos));
    const hs = vint(start, 4);
    if (!hs || hs.value === 0) return broken(info, pos, `a header at offset ${pos} declares a size of ${hs ? 0 : 'nothing readable'}`);
    if (hs.value > RAR_LIMITS.headerBytes) return broken(info, pos, `a header at offset ${pos} declares ${hs.value} bytes, more than RAR allows`);
    const bodyStart = pos + 4 + hs.length;
    const bodyEnd = bodyStart + hs.value;
    if (bodyEnd > view.size) return broken(info, pos, 'a header runs past the end of the file');
    const body = view.get(bodyStart, bodyEnd);
    if (!body) return cut(info, pos, { start: pos, end: Math.min(view.size, Math.max(bodyEnd, pos + RAR_LIMITS.nextHeaderBytes)) });
    const h = header5(body);
    if (!h) return broken(info, pos, `the header at offset ${pos} is malformed`);
    if (h.type === 4) {
      const version = vint(body, h.fieldsAt);
      info.headerEncryption = { offset: pos, scheme: version?.value === 0 ? 'RAR5 AES-256' : `RAR5 encryption version ${version?.value ?? '?'}` };
      info.complete = true;
      return { kind: 'rar', info, next: null };
    }
    if (h.type === 2) {
      const file = file5(body, h.fieldsAt);
      if (!file) return broken(info, pos, `the file header at offset ${pos} is malformed`);
      if (!file.directory) {
        info.files++;
        const enc = h.extraAt >= 0 ? encryptionRecord(body, h.extraAt) : null;
        if (enc) noteEncrypted(info, enc, pos);
      }
    } else if (h.type === 5) {
      info.complete = true;
      return { kind: 'rar', info, next: null };
    }
    const next = bodyEnd + h.dataSize;
    if (!Number.isSafeInteger(next) || next <= pos) return broken(info, pos, 'a header declares a data size that cannot be right');
    pos = next;
  }
  return broken(info, pos, `more than ${RAR_LIMITS.headers} headers; the walk stopped`);
}

interface Header5 {
  type: number;
  fieldsAt: number;
  /** Offset of the extra area in the body, or -1. */
  extraAt: number;
  dataSize: number;
}

function header5(body: Uint8Array): Header5 | null {
  const type = vint(body, 0);
  if (!type) return null;
  const flags = vint(body, type.length);
  if (!flags) return null;
  let at = type.length + flags.length;
  let extraSize = 0;
  let dataSize = 0;
  if (flags.value & 0x0001) {
    const e = vint(body, at);
    if (!e) return null;
    extraSize = e.value;
    at += e.length;
  }
  if (flags.value & 0x0002) {
    const d = vint(body, at);
    if (!d) return null;
    dataSize = d.value;
    at += d.length;
  }
  if (extraSize > body.length - at) return null;
  return { type: type.value, fieldsAt: at, extraAt: extraSize > 0 ? body.length - extraSize : -1, dataSize };
}

function file5(body: Uint8Array, at: number): { directory: boolean } | null {
  const flags = vint(body, at);
  return flags ? { directory: (flags.value & 0x0001) !== 0 } : null;
}

/** The scheme of a file encryption record (type 0x01) in an extra area, or null when there is none. */
function encryptionRecord(body: Uint8Array, at: number): string | null {
  let pos = at;
  for (let i = 0; i < 64 && pos < body.length; i++) {
    const size = vint(body, pos);
    if (!size || size.value === 0) return null;
    const recStart = pos + size.length;
    const recEnd = recStart + size.value;
    if (recEnd > body.length) return null;
    const type = vint(body, recStart);
    if (type?.value === 0x01) {
      const version = vint(body, recStart + type.length);
      return version?.value === 0 ? 'RAR5 AES-256' : `RAR5 encryption version ${version?.value ?? '?'}`;
    }
    pos = recEnd;
  }
  return null;
}

/** A RAR 5.0 vint: 7 bits per byte, low first, high bit continues; at most 10 bytes. Values past 2^53 fail. */
export function vint(bytes: Uint8Array, at: number): { value: number; length: number } | null {
  let value = 0;
  for (let i = 0; i < 10; i++) {
    if (at + i >= bytes.length) return null;
    const b = bytes[at + i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if (!Number.isSafeInteger(value)) return null;
    if ((b & 0x80) === 0) return { value, length: i + 1 };
  }
  return null;
}

function cut(info: RarInfo, pos: number, next: ByteRange): RarRead {
  info.stoppedAt = pos;
  return { kind: 'rar', info, next };
}

function broken(info: RarInfo, pos: number, problem: string): RarRead {
  info.stoppedAt = pos;
  info.problems.push(problem);
  return { kind: 'rar', info, next: null };
}
