/**
 * A small, bounded ZIP structure reader for detectors: the end of central directory record (and its
 * ZIP64 locator and record), the central directory, and single members read and inflated within
 * limits. It works on whatever bytes the engine has read ({@link ByteView}) and says which further
 * ranges it needs, so a detector can ask for a directory that does not fit in the tail, then for the
 * members it wants, in the engine's bounded rounds of `wants.ranges`.
 *
 * Reference: PKWARE APPNOTE.TXT 6.3.x — 4.3.6 overall format, 4.3.7 local file header, 4.3.12 central
 * directory header, 4.3.14 ZIP64 end of central directory record (4.3.14.2 version 2, used with an
 * encrypted directory), 4.3.15 ZIP64 locator, 4.3.16 end of central directory record, 4.4.4 general
 * purpose bit flag, 4.5.3 ZIP64 extended information extra field.
 *
 * Never throws on bad input: what does not add up is reported in `problems` (or a `broken` result),
 * and every loop is bounded by {@link ZIP_LIMITS}.
 */
import { inflateRawSync, constants as zlib } from 'node:zlib';
import type { ByteRange } from '../../source/types.js';
import { ByteView, le, startsWith, type ReadBytes } from './bytes.js';

/**
 * How much of a file's end to ask for: the end record with the longest comment (22 + 65,535 bytes),
 * which also holds the whole directory of most documents, e-books and small archives. Larger
 * directories (JARs, big archives) cost one more range. Kept small because, when hashing, the engine
 * keeps this much of every file's end in memory while it streams, before it knows the file's type.
 */
export const ZIP_TAIL_BYTES = 64 * 1024 + 22;

/** Bounds on the work a hostile archive can cause. */
export const ZIP_LIMITS = {
  /** Most central directory bytes read and parsed; a larger directory is parsed in part. */
  directoryBytes: 4 * 1024 * 1024,
  /** Most central directory entries parsed. */
  entries: 100_000,
  /** Most compressed bytes read for one member. */
  memberBytes: 1024 * 1024,
  /** Most bytes one member may inflate to. */
  output: 1024 * 1024,
  /** Most inflated bytes per compressed byte, past the first 64 KiB of output. */
  ratio: 200,
} as const;

const SIG_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const SIG_CENTRAL = [0x50, 0x4b, 0x01, 0x02];
const SIG_EOCD = new Uint8Array([0x50, 0x4b, 0x05, 0x06]);
const SIG_ZIP64_LOCATOR = [0x50, 0x4b, 0x06, 0x07];
const SIG_ZIP64_EOCD = [0x50, 0x4b, 0x06, 0x06];
/** The archive extra data record (4.3.11), placed before an encrypted or compressed directory. */
const SIG_ARCHIVE_EXTRA = [0x50, 0x4b, 0x06, 0x08];
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

/** One central directory entry. Offsets are file offsets, already corrected for bytes before the archive. */
export interface ZipEntry {
  index: number;
  /** File offset of this central directory header: the evidence for what it says. */
  offset: number;
  versionNeeded: number;
  /** General purpose bit flag (4.4.4): bit 0 encrypted, bit 3 data descriptor, bit 6 strong encryption, bit 11 UTF-8, bit 13 masked local header. */
  flags: number;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Decoded name: UTF-8 when bit 11 is set, else Latin-1 (which keeps ASCII names exact). */
  name: string;
  /** The raw extra field. */
  extra: Uint8Array;
  /** File offset of the local header. */
  localOffset: number;
}

/** What the ZIP64 end of central directory record version 2 says about an encrypted directory (4.3.14.2, 7.3.4). */
export interface ZipDirectoryEncryption {
  /** Which structure showed it. */
  signal: 'zip64-record-v2' | 'archive-extra-data-record' | 'masked-local-header';
  /** Strong encryption algorithm id (APPNOTE 7.2.3.2), when the record gives one. */
  algId?: number;
  bitLength?: number;
  /** File offset of the structure that showed it. */
  offset: number;
}

/** A parsed central directory. */
export interface ZipDirectory {
  /** File offset of the end of central directory record. */
  eocdOffset: number;
  /** File offset of the ZIP64 end record, when the archive has one. */
  zip64Offset: number | null;
  /** Bytes before the archive proper (a self-extractor stub, or prepended data); 0 for most files. */
  prefix: number;
  directoryOffset: number;
  directorySize: number;
  /** Entries the end record declares (may be a lie; `entries.length` is what was found). */
  declaredEntries: number;
  entries: ZipEntry[];
  /** False when the directory was read or parsed only in part (caps, truncation, inconsistency). */
  complete: boolean;
  /** Set when the directory itself is encrypted (its entries cannot be read). */
  encryption: ZipDirectoryEncryption | null;
  /** What did not add up, in words, for a warning finding. */
  problems: string[];
}

/** The result of reading a directory from the bytes held so far. */
export type ZipDirectoryRead =
  | { kind: 'zip'; directory: ZipDirectory }
  /** More bytes are needed: read these ranges and call again. */
  | { kind: 'need'; ranges: ByteRange[] }
  /** No end of central directory record in the bytes searched: not a ZIP (or cut before its end). */
  | { kind: 'none' }
  /** An end record was found but the archive cannot be read; `problem` says why. */
  | { kind: 'broken'; problem: string; offset: number };

/**
 * Reads the central directory from the bytes held, or says which ranges it still needs.
 *
 * ```ts
 * const read = readDirectory(ByteView.of(input));
 * if (read.kind === 'zip') for (const e of read.directory.entries) if (e.flags & 1) count++;
 * ```
 */
export function readDirectory(view: ByteView): ZipDirectoryRead {
  const eocd = findEndRecord(view);
  if (eocd === null) return { kind: 'none' };
  const end = view.get(eocd, eocd + EOCD_SIZE)!;
  const problems: string[] = [];
  if (le.u16(end, 4) !== 0 || le.u16(end, 6) !== 0) problems.push('the archive spans several disks; only this part was read');
  let declared = le.u16(end, 10);
  let size = le.u32(end, 12);
  let offset = le.u32(end, 16);
  let zip64Offset: number | null = null;
  let zip64Encryption: ZipDirectoryEncryption | null = null;
  let endOfDirectory = eocd;

  const locator = eocd >= 20 ? view.get(eocd - 20, eocd) : null;
  if (locator && startsWith(locator, SIG_ZIP64_LOCATOR)) {
    const at = le.u64(locator, 8);
    if (!(at >= 0 && at + 56 <= eocd - 20)) return { kind: 'broken', problem: `the ZIP64 locator points outside the file (offset ${at})`, offset: eocd - 20 };
    const head = view.get(at, at + 56);
    // Ask for the fixed part and room for a version 2 record's encryption fields.
    if (!head) return { kind: 'need', ranges: [{ start: at, end: Math.min(eocd - 20, at + 512) }] };
    if (!startsWith(head, SIG_ZIP64_EOCD)) return { kind: 'broken', problem: 'the ZIP64 locator does not point at a ZIP64 end record', offset: eocd - 20 };
    zip64Offset = at;
    endOfDirectory = at;
    if (declared === 0xffff) declared = le.u64(head, 32);
    if (size === 0xffffffff) size = le.u64(head, 40);
    if (offset === 0xffffffff) offset = le.u64(head, 48);
    zip64Encryption = encryptionOfZip64Record(view, at, le.u64(head, 4));
  }
  if (!Number.isFinite(size) || !Number.isFinite(offset) || size > endOfDirectory) {
    return { kind: 'broken', problem: `the end record gives a directory of ${size} bytes at offset ${offset}, past the end of the file`, offset: eocd };
  }
  // Where the directory must start if it sits right before its end record; differs from `offset`
  // when bytes were prepended (a self-extractor) or when the end record lies.
  const adjacent = endOfDirectory - size;
  const candidates = [...new Set([offset, adjacent])].filter((c) => c >= 0 && c + size <= endOfDirectory);
  if (candidates.length === 0) return { kind: 'broken', problem: `the directory offset ${offset} and size ${size} do not fit before the end record`, offset: eocd };
  const want = Math.min(size, ZIP_LIMITS.directoryBytes);
  const missing = candidates.filter((c) => !view.has(c, c + Math.min(4, size)) && size > 0).map((c) => ({ start: c, end: c + want }));
  if (missing.length > 0) return { kind: 'need', ranges: missing };

  let start: number;
  let encryption: ZipDirectoryEncryption | null = null;
  if (size === 0) start = adjacent;
  else if (startsWith(view.get(offset, offset + 4) ?? new Uint8Array(), SIG_CENTRAL)) start = offset;
  // The directory sits further on than declared: bytes were prepended and the offsets do not count them.
  else if (adjacent > offset && startsWith(view.get(adjacent, adjacent + 4) ?? new Uint8Array(), SIG_CENTRAL)) start = adjacent;
  else {
    encryption = zip64Encryption ?? maskedLocalHeader(view) ?? archiveExtraRecord(view, offset);
    if (!encryption) return { kind: 'broken', problem: `no central directory at offset ${offset} (nor right before the end record)`, offset: eocd };
    start = offset;
  }
  const prefix = start - offset;
  if (encryption) {
    return { kind: 'zip', directory: { eocdOffset: eocd, zip64Offset, prefix, directoryOffset: start, directorySize: size, declaredEntries: declared, entries: [], complete: false, encryption, problems } };
  }
  if (!view.has(start, start + want)) return { kind: 'need', ranges: [{ start, end: start + want }] };
  const bytes = view.get(start, start + want)!;
  if (want < size) problems.push(`the central directory is ${size} bytes; only the first ${want} were read`);
  const entries = parseEntries(bytes, start, prefix, declared, problems);
  checkOverlaps(entries, start, problems);
  const complete = entries.length === declared && want === size && problems.length === 0;
  return { kind: 'zip', directory: { eocdOffset: eocd, zip64Offset, prefix, directoryOffset: start, directorySize: size, declaredEntries: declared, entries, complete, encryption: null, problems } };
}

/**
 * The end of central directory record: searching back from the end, the first signature whose
 * comment length reaches the end of the file exactly and whose directory could fit before it (a
 * comment may hold a fake record); else the first signature found, for the error it explains.
 */
function findEndRecord(view: ByteView): number | null {
  const lowest = Math.max(0, view.size - EOCD_SIZE - MAX_COMMENT);
  let fallback: number | null = null;
  for (let from = view.size - EOCD_SIZE; from >= lowest; ) {
    const at = view.lastIndexOf(SIG_EOCD, from, lowest);
    if (at < 0) break;
    const rec = view.get(at, at + EOCD_SIZE);
    if (rec && at + EOCD_SIZE + le.u16(rec, 20) === view.size && plausible(view, rec, at)) return at;
    if (rec && fallback === null) fallback = at;
    from = at - 1;
  }
  return fallback;
}

function plausible(view: ByteView, rec: Uint8Array, at: number): boolean {
  const size = le.u32(rec, 12);
  const offset = le.u32(rec, 16);
  if (size === 0xffffffff || offset === 0xffffffff || le.u16(rec, 10) === 0xffff) return true;
  const locator = at >= 20 ? view.get(at - 20, at - 16) : null;
  if (locator && startsWith(locator, SIG_ZIP64_LOCATOR)) return true;
  return size <= at && offset <= at;
}

function parseEntries(bytes: Uint8Array, base: number, prefix: number, declared: number, problems: string[]): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const limit = Math.min(declared, ZIP_LIMITS.entries);
  let pos = 0;
  while (entries.length < limit) {
    if (pos + 46 > bytes.length) {
      if (pos < bytes.length || entries.length < declared) problems.push(`the directory ends after ${entries.length} of ${declared} declared entries`);
      break;
    }
    if (!startsWith(bytes, SIG_CENTRAL, pos)) {
      problems.push(`entry ${entries.length + 1} of ${declared} has no central directory signature (offset ${base + pos})`);
      break;
    }
    const nameLen = le.u16(bytes, pos + 28);
    const extraLen = le.u16(bytes, pos + 30);
    const commentLen = le.u16(bytes, pos + 32);
    const next = pos + 46 + nameLen + extraLen + commentLen;
    if (next > bytes.length) {
      problems.push(`entry ${entries.length + 1} runs past the end of the directory`);
      break;
    }
    const flags = le.u16(bytes, pos + 8);
    const nameBytes = bytes.subarray(pos + 46, pos + 46 + nameLen);
    const extra = bytes.subarray(pos + 46 + nameLen, pos + 46 + nameLen + extraLen);
    let compressedSize = le.u32(bytes, pos + 20);
    let uncompressedSize = le.u32(bytes, pos + 24);
    let localOffset = le.u32(bytes, pos + 42);
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localOffset === 0xffffffff) {
      // 4.5.3: the ZIP64 field holds, in order, only the values saturated in the header.
      const z = extraField(extra, 0x0001);
      let at = 0;
      const next64 = () => {
        const v = z ? le.u64(z, at) : -1;
        at += 8;
        return v < 0 ? Infinity : v;
      };
      if (uncompressedSize === 0xffffffff) uncompressedSize = next64();
      if (compressedSize === 0xffffffff) compressedSize = next64();
      if (localOffset === 0xffffffff) localOffset = next64();
    }
    entries.push({
      index: entries.length,
      offset: base + pos,
      versionNeeded: le.u16(bytes, pos + 6),
      flags,
      method: le.u16(bytes, pos + 10),
      compressedSize,
      uncompressedSize,
      name: (flags & 0x0800 ? utf8 : latin1).decode(nameBytes),
      extra,
      localOffset: localOffset + prefix,
    });
    pos = next;
  }
  if (declared > ZIP_LIMITS.entries && entries.length === ZIP_LIMITS.entries) problems.push(`the directory declares ${declared} entries; only the first ${ZIP_LIMITS.entries} were read`);
  return entries;
}

/** Flags members whose data would run into the next member or into the directory: a damaged archive, or an overlapping-entry zip bomb. */
function checkOverlaps(entries: readonly ZipEntry[], directoryStart: number, problems: string[]): void {
  const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  let overlaps = 0;
  let outside = 0;
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    // The local header is at least 30 bytes and the name; its extra field may differ from the central one.
    const end = e.localOffset + 30 + e.compressedSize;
    if (!Number.isFinite(end) || end > directoryStart) outside++;
    else if (i + 1 < sorted.length && end > sorted[i + 1]!.localOffset) overlaps++;
  }
  if (outside > 0) problems.push(`${outside} entries point past the start of the central directory`);
  if (overlaps > 0) problems.push(`${overlaps} entries overlap the next one (a damaged archive or an overlapping-entry zip bomb)`);
}

function encryptionOfZip64Record(view: ByteView, at: number, recordSize: number): ZipDirectoryEncryption | null {
  // Version 2 adds, after the 44 bytes that follow the size field: method (2), compressed size (8),
  // original size (8), AlgId (2), BitLen (2), Flags (2), HashID (2), hash length (2), hash data.
  if (!(recordSize >= 44 + 28)) return null;
  const v2 = view.get(at + 56, at + 56 + 28);
  if (!v2) return null;
  const algId = le.u16(v2, 18);
  if (algId === 0) return null;
  return { signal: 'zip64-record-v2', algId, bitLength: le.u16(v2, 20), offset: at };
}

function maskedLocalHeader(view: ByteView): ZipDirectoryEncryption | null {
  const first = view.get(0, 30);
  if (!first || !startsWith(first, SIG_LOCAL)) return null;
  return le.u16(first, 6) & 0x2000 ? { signal: 'masked-local-header', offset: 0 } : null;
}

function archiveExtraRecord(view: ByteView, at: number): ZipDirectoryEncryption | null {
  const b = view.get(at, at + 4);
  return b && startsWith(b, SIG_ARCHIVE_EXTRA) ? { signal: 'archive-extra-data-record', offset: at } : null;
}

/** The data of extra field `id` in an extra block (4.5.1), or null. Bounded by the block. */
export function extraField(extra: Uint8Array, id: number): Uint8Array | null {
  let pos = 0;
  while (pos + 4 <= extra.length) {
    const size = le.u16(extra, pos + 2);
    if (pos + 4 + size > extra.length) return null;
    if (le.u16(extra, pos) === id) return extra.subarray(pos + 4, pos + 4 + size);
    pos += 4 + size;
  }
  return null;
}

/** Whether a directory entry names a folder rather than a file. */
export function isFolder(entry: ZipEntry): boolean {
  return entry.name.endsWith('/') && entry.compressedSize === 0;
}

/** A member's bytes, or why they could not be had. */
export type ZipMemberRead =
  | { ok: true; data: Uint8Array; partial: boolean }
  | { ok: false; reason: 'not-read' | 'encrypted' | 'unsupported-method' | 'too-large' | 'corrupt' | 'bad-offset'; message: string };

/** Limits for {@link readMember}; each defaults to {@link ZIP_LIMITS}. */
export interface MemberLimits {
  /** Most compressed bytes read. Default {@link ZIP_LIMITS}.memberBytes. */
  memberBytes?: number;
  /** Most inflated bytes. Default {@link ZIP_LIMITS}.output. */
  output?: number;
  /** Most inflated bytes per compressed byte past 64 KiB of output. Default {@link ZIP_LIMITS}.ratio. */
  ratio?: number;
  /** Accept the first bytes of a member too large to read whole (a sample); default false. */
  partial?: boolean;
}

/**
 * The range to read for a member: its local header and data, exact when the local header is held,
 * else a guess with room for a local extra field longer than the central one.
 */
export function memberRange(view: ByteView, directory: ZipDirectory, entry: ZipEntry, limits: MemberLimits = {}): ByteRange | null {
  const cap = limits.memberBytes ?? ZIP_LIMITS.memberBytes;
  const at = entry.localOffset;
  if (!(at >= 0 && at + 30 <= directory.directoryOffset)) return null;
  const local = view.get(at, at + 30);
  const data = Math.min(entry.compressedSize, cap);
  if (local && startsWith(local, SIG_LOCAL)) {
    const start = at + 30 + le.u16(local, 26) + le.u16(local, 28);
    return { start: at, end: Math.min(directory.directoryOffset, start + data) };
  }
  return { start: at, end: Math.min(directory.directoryOffset, at + 30 + entry.name.length * 4 + entry.extra.length + 256 + data) };
}

/**
 * Reads and inflates one member (stored or deflated) from the bytes held, within limits. An
 * inflated size past `output`, or past `ratio` times the compressed size, stops it: a zip bomb costs
 * at most `output` bytes and the time to make them.
 */
export function readMember(view: ByteView, directory: ZipDirectory, entry: ZipEntry, limits: MemberLimits = {}): ZipMemberRead {
  const cap = limits.memberBytes ?? ZIP_LIMITS.memberBytes;
  const output = limits.output ?? ZIP_LIMITS.output;
  const ratio = limits.ratio ?? ZIP_LIMITS.ratio;
  if (entry.flags & 0x0001) return { ok: false, reason: 'encrypted', message: `${entry.name} is encrypted` };
  const at = entry.localOffset;
  if (!(at >= 0 && at + 30 <= directory.directoryOffset)) return { ok: false, reason: 'bad-offset', message: `${entry.name}: local header offset ${at} lies outside the archive` };
  const local = view.get(at, at + 30);
  if (!local) return { ok: false, reason: 'not-read', message: `${entry.name}: local header not read` };
  if (!startsWith(local, SIG_LOCAL)) return { ok: false, reason: 'bad-offset', message: `${entry.name}: no local header at offset ${at}` };
  const start = at + 30 + le.u16(local, 26) + le.u16(local, 28);
  const whole = entry.compressedSize <= cap;
  if (!whole && !limits.partial) return { ok: false, reason: 'too-large', message: `${entry.name}: ${entry.compressedSize} compressed bytes, more than the ${cap} read` };
  const end = start + Math.min(entry.compressedSize, cap);
  if (!Number.isFinite(end) || end > directory.directoryOffset) return { ok: false, reason: 'bad-offset', message: `${entry.name}: data runs past the start of the central directory` };
  const raw = view.get(start, end);
  if (!raw) return { ok: false, reason: 'not-read', message: `${entry.name}: data not read` };
  const max = Math.min(output, Math.max(64 * 1024, raw.length * ratio));
  if (entry.method === 0) {
    if (raw.length > max && !limits.partial) return { ok: false, reason: 'too-large', message: `${entry.name}: ${raw.length} bytes, more than ${max}` };
    return { ok: true, data: raw.subarray(0, max), partial: !whole || raw.length > max };
  }
  if (entry.method !== 8) return { ok: false, reason: 'unsupported-method', message: `${entry.name}: compression method ${entry.method} is not read` };
  if (!limits.partial && entry.uncompressedSize > max) return { ok: false, reason: 'too-large', message: `${entry.name}: declares ${entry.uncompressedSize} bytes inflated, more than ${max}` };
  try {
    const data = inflateRawSync(raw, { maxOutputLength: max, ...(limits.partial ? { finishFlush: zlib.Z_SYNC_FLUSH } : {}) });
    return { ok: true, data, partial: !whole };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      if (limits.partial) return partialInflate(raw, max, entry);
      return { ok: false, reason: 'too-large', message: `${entry.name}: inflates past ${max} bytes (limit; a zip bomb or a very large file)` };
    }
    return { ok: false, reason: 'corrupt', message: `${entry.name}: deflate data is damaged (${code ?? 'error'})` };
  }
}

/** The first `max` inflated bytes of a member read as a sample. */
function partialInflate(raw: Uint8Array, max: number, entry: ZipEntry): ZipMemberRead {
  // Inflate a prefix small enough that even the densest deflate stream (about 1032:1) stays under the cap.
  const prefix = raw.subarray(0, Math.max(1, Math.floor(max / 1100)));
  try {
    const data = inflateRawSync(prefix, { maxOutputLength: max, finishFlush: zlib.Z_SYNC_FLUSH });
    return { ok: true, data, partial: true };
  } catch {
    return { ok: false, reason: 'too-large', message: `${entry.name}: inflates past ${max} bytes` };
  }
}

/** Options of {@link zipRanges}. */
export interface ZipRangesOptions {
  /** The members to read once the directory is known (e.g. META-INF/encryption.xml). Default none. */
  members?: (directory: ZipDirectory) => readonly ZipEntry[];
  /** Limits for reading those members: one set for all, or per member. */
  limits?: MemberLimits | ((entry: ZipEntry) => MemberLimits);
}

/**
 * A ready `wants.ranges` for ZIP detectors: asks for the ZIP64 record and the central directory when
 * the tail does not hold them, then for the members chosen, then for any local header whose extra
 * field was longer than guessed. Stateless: each round re-reads what is held.
 *
 * ```ts
 * wants: { tail: ZIP_TAIL_BYTES, ranges: (view) => zipRanges(view, { members: (d) => d.entries.filter(isEncryptionXml) }) }
 * ```
 */
export function zipRanges(read: ReadBytes, options: ZipRangesOptions = {}): ByteRange[] {
  const view = ByteView.of(read);
  const dir = readDirectory(view);
  if (dir.kind === 'need') return dir.ranges.map((r) => unheld(view, r)).filter((r) => r.end > r.start);
  if (dir.kind !== 'zip' || !options.members) return [];
  const out: ByteRange[] = [];
  for (const entry of options.members(dir.directory)) {
    if (entry.flags & 0x0001) continue;
    const limits = typeof options.limits === 'function' ? options.limits(entry) : options.limits;
    const r = memberRange(view, dir.directory, entry, limits);
    if (r && !view.has(r.start, r.end)) out.push(unheld(view, r));
  }
  return out;
}

/** A range without the part at its end that is already held (a directory reaching into the tail). */
function unheld(view: ByteView, r: ByteRange): ByteRange {
  return { start: r.start, end: Math.max(r.start, Math.min(r.end, view.heldFrom(r.end))) };
}

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');
