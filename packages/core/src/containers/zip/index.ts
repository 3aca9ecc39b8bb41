/**
 * ZIP archives as containers: each member gets its own record (`data.zip#images/0001.jpg`).
 *
 * Random access all the way: yauzl reads the end record (ZIP64 too) and walks the central directory
 * through ranged reads of the parent ({@link SourceReader}); a member read is a ranged read of its
 * local header and data. A stored member is served by ranged reads mapped onto its data (a stored
 * zip inside a zip is ranged reads all the way down); a deflated one is inflated from its start and
 * stopped once the range asked for is produced. On S3 a zip thus costs its directory plus the members
 * actually read.
 *
 * Only `*.zip` is opened, and a file with no extension that sniffs as `application/zip`. DOCX, XLSX,
 * EPUB, JAR, ODF, wheels and the like are documents or packages built on ZIP: detectors read them
 * (and their TPMs) as whole files, and the engine must not take them apart.
 *
 * ok:     `zip -r data.zip LICENSE images/` → records `data.zip#LICENSE`, `data.zip#images/1.jpg`
 * ok:     a ZIP64 archive (python zipfile, force_zip64) → its members, sizes from the ZIP64 fields
 * not-ok: `../evil.txt`, `/etc/x` → listed as `evil.txt`, `etc/x` with ERR_MEMBER_PATH_UNSAFE, never read
 * not-ok: `zip -P pw` members → ERR_CONTAINER_UNSUPPORTED "encrypted member" (the zip-encryption
 *         detector reports the TPM on the zip itself)
 * not-ok: a 1 GB run of zeros deflated to 1 MB → ERR_CONTAINER_LIMIT (ratio), nothing inflated
 * not-ok: many entries sharing one member's data (an overlapping-entry zip bomb) → ERR_CONTAINER_LIMIT
 * not-ok: a truncated or garbage `.zip` → ERR_CONTAINER_CORRUPT on the zip's record
 *
 * Reference: PKWARE APPNOTE.TXT 6.3.x — 4.3.7 local file header, 4.3.12 central directory header,
 * 4.4.2 version made by (upper byte 3 = UNIX, whose mode is in the high 16 bits of the external
 * attributes), 4.4.4 general purpose bits, 4.4.5 compression methods, 4.5.3 ZIP64 extra field.
 */
import type yauzl from 'yauzl';
import { defineContainer, safeMemberPath, type ContainerErrorCode, type ContainerInput, type ContainerLimits, type OpenedContainer } from '../../engine/container.js';
import { SourceError, type RecordErrorCode } from '../../errors.js';
import type { ByteRange, CallOptions, Entry } from '../../source/types.js';
import { memberEncryption } from '../../detectors/zip-encryption/index.js';
import { inflateChunks, inflateSmall } from './inflate.js';
import { decodeName } from './names.js';
import { directoryEntries, openZip, SourceReader } from './reader.js';
import { MAX_SPANS, Spans } from './spans.js';

const ID = 'zip';

/** A member up to this size is never held to the ratio limit: inflating it costs at most this much. */
export const RATIO_FLOOR_BYTES = 1024 * 1024;
/** Deflated members up to this size are inflated whole and kept (a few of them) for the next read of the same member. */
const SMALL_MEMBER_BYTES = 1024 * 1024;
/** Whole small members kept. */
const KEPT_MEMBERS = 8;
/** Local header positions kept, so a second read of a member skips its header. */
const KEPT_HEADERS = 4096;
/** Compressed bytes fetched along with a large member's local header. */
const FIRST_CHUNK = 64 * 1024;
const MAX_CHUNK = 4 * 1024 * 1024;

/** Compression method names (APPNOTE 4.4.5), for messages. */
const METHODS: Record<number, string> = {
  1: 'shrink',
  6: 'implode',
  9: 'deflate64',
  12: 'bzip2',
  14: 'LZMA',
  93: 'zstd',
  95: 'xz',
  96: 'JPEG',
  97: 'WavPack',
  98: 'PPMd',
  99: 'AES',
};

/** Where a member's bytes are, from its central directory entry. */
interface Member {
  name: string;
  localOffset: number;
  compressedSize: number;
  size: number;
  method: number;
  nameLength: number;
  extraLength: number;
  error?: { code: RecordErrorCode; message: string };
}

/** Whether an entry is a ZIP this container should open (see the module comment). */
function isZipEntry(path: string, mediaType: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (name.endsWith('.zip')) return true;
  const dot = name.lastIndexOf('.');
  return mediaType === 'application/zip' && dot <= 0;
}

/** yauzl's errors are plain Errors: say which are not damage. */
function fromYauzl(err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  const message = (err as Error).message ?? String(err);
  if (/strong encryption|multi-disk/i.test(message)) return new SourceError('ERR_CONTAINER_UNSUPPORTED', `zip: ${message}`, { cause: err });
  return new SourceError('ERR_CONTAINER_CORRUPT', `zip: ${message}`, { cause: err });
}

/** Little-endian u16 of `b` at `at` (the caller has checked the bounds). */
function u16(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}

class OpenedZip implements OpenedContainer {
  readonly kind = ID;
  readonly markers = true;
  readonly name = ID;
  readonly location: string;
  readonly #parent: Entry;
  readonly #reader: SourceReader;
  readonly #limits: ContainerLimits;
  readonly #problem: ContainerInput['problem'];
  readonly #reported = new Set<string>();
  /** The archive opened by `open`, handed to the first listing. */
  #first: yauzl.ZipFile | null;
  /** Where the central directory starts: no member's data may reach it. */
  readonly #directoryStart: number;
  readonly #members = new WeakMap<Entry, Member>();
  readonly #dataStarts = new Map<number, number>();
  readonly #kept = new Map<number, Promise<Uint8Array>>();

  constructor(input: ContainerInput, reader: SourceReader, first: yauzl.ZipFile) {
    this.location = `${input.source.location}#${input.entry.path}`;
    this.#parent = input.entry;
    this.#reader = reader;
    this.#limits = input.limits;
    this.#problem = (code, message) => input.problem(code, message);
    this.#first = first;
    // yauzl's cursor starts at the directory; its typings call it a boolean.
    this.#directoryStart = (first as unknown as { readEntryCursor: number }).readEntryCursor;
  }

  /** Parent reads so far, and the bytes they returned. */
  get reads(): { requests: number; bytes: number } {
    return { requests: this.#reader.requests, bytes: this.#reader.bytesRead };
  }

  #report(code: ContainerErrorCode, message: string): void {
    if (this.#reported.has(message)) return;
    this.#reported.add(message);
    this.#problem(code, message);
  }

  async *list(opts?: CallOptions): AsyncGenerator<Entry> {
    let zipfile = this.#first;
    this.#first = null;
    try {
      zipfile ??= await openZip(this.#reader, this.#parent.size);
    } catch (err) {
      throw fromYauzl(err);
    }
    const limits = this.#limits;
    if (zipfile.entryCount > limits.maxMembers) {
      this.#report('ERR_CONTAINER_LIMIT', `zip: the directory lists ${zipfile.entryCount} entries, more than the ${limits.maxMembers} scanned; the rest were not listed`);
    }
    const spans = new Spans();
    let listed = 0;
    let expanded = 0;
    let overlaps = 0;
    const entries = directoryEntries(zipfile);
    try {
      for (;;) {
        let next: IteratorResult<yauzl.Entry>;
        try {
          next = await entries.next();
        } catch (err) {
          throw fromYauzl(err);
        }
        if (next.done) break;
        opts?.signal?.throwIfAborted();
        const z = next.value;
        const raw = z.fileNameRaw;
        // Folders hold nothing to scan.
        if (raw.length > 0 && (raw[raw.length - 1] === 0x2f || raw[raw.length - 1] === 0x5c)) continue;
        if (listed >= limits.maxMembers) return;
        const decoded = decodeName(raw, z.generalPurposeBitFlag, z.extraFields);
        const safe = safeMemberPath(decoded.name);
        const member: Member = {
          name: safe.path,
          localOffset: z.relativeOffsetOfLocalHeader,
          compressedSize: z.compressedSize,
          size: z.uncompressedSize,
          method: z.compressionMethod,
          nameLength: z.fileNameLength,
          extraLength: z.extraFieldLength,
        };
        const fail = (code: RecordErrorCode, message: string) => (member.error ??= { code, message });
        // Every member claims its bytes, failed ones too, so that entries sharing data are all caught.
        // The span leaves out the local name and extra field (their lengths are only known from the
        // local header, which is not read here): it may be short, never too long, so no honest
        // member is ever taken for an overlap.
        const spanEnd = member.localOffset + 30 + member.compressedSize;
        if (!(spanEnd <= this.#directoryStart)) fail('ERR_CONTAINER_CORRUPT', `${safe.path}: its data (local header at offset ${member.localOffset}, ${member.compressedSize} bytes) runs into the central directory at ${this.#directoryStart}`);
        else {
          const claim = spans.claim(member.localOffset, spanEnd);
          if (claim === 'overlap') {
            overlaps++;
            fail('ERR_CONTAINER_LIMIT', `${safe.path}: its data overlaps another member's (offset ${member.localOffset}): an overlapping-entry zip bomb or a damaged archive; not read`);
          } else if (claim === 'untracked') this.#report('ERR_CONTAINER_LIMIT', `zip: members lie scattered in more than ${MAX_SPANS} separate spans; overlaps among the rest were not looked for`);
        }
        if (safe.unsafe) fail('ERR_MEMBER_PATH_UNSAFE', `member name ${JSON.stringify(decoded.name.slice(0, 200))} leaves the archive's root; listed as ${safe.path}, not read`);
        const unixMode = z.versionMadeBy >> 8 === 3 ? z.externalFileAttributes >>> 16 : 0;
        if ((unixMode & 0o170000) === 0o120000) fail('ERR_NOT_REGULAR_FILE', `${safe.path} is a symbolic link; not followed`);
        const encryption = z.generalPurposeBitFlag & 0x0001 || member.method === 99 ? encryptionOf(z) : null;
        if (encryption !== null) fail('ERR_CONTAINER_UNSUPPORTED', `${safe.path}: encrypted member (${encryption}); not read`);
        if (member.method !== 0 && member.method !== 8) {
          fail('ERR_CONTAINER_UNSUPPORTED', `${safe.path}: compression method ${member.method}${METHODS[member.method] ? ` (${METHODS[member.method]})` : ''} is not supported; not read`);
        }
        if (member.size > RATIO_FLOOR_BYTES && member.size > limits.maxRatio * member.compressedSize) {
          fail('ERR_CONTAINER_LIMIT', `${safe.path}: declares ${member.size} bytes from ${member.compressedSize} compressed, a ratio past the limit of ${limits.maxRatio}; not inflated`);
        }
        if (!member.error) {
          expanded += member.size;
          if (expanded > limits.maxExpandedBytes) {
            this.#report('ERR_CONTAINER_LIMIT', `zip: members expand past ${limits.maxExpandedBytes} bytes; the rest were not listed`);
            return;
          }
          if (expanded > RATIO_FLOOR_BYTES && expanded > limits.maxRatio * this.#parent.size) {
            this.#report('ERR_CONTAINER_LIMIT', `zip: members expand to more than ${limits.maxRatio} times the archive's ${this.#parent.size} bytes; the rest were not listed`);
            return;
          }
        }
        const entry: Entry = { path: safe.path, size: member.size };
        if (decoded.rawHex !== undefined) entry.pathBytes = decoded.rawHex;
        const mtime = modified(z);
        if (mtime) entry.mtime = mtime;
        if (member.error) entry.error = member.error;
        this.#members.set(entry, member);
        listed++;
        yield entry;
      }
    } finally {
      await entries.return(undefined);
      if (overlaps > 0) this.#report('ERR_CONTAINER_LIMIT', `zip: ${overlaps} members share data with another member (an overlapping-entry zip bomb or a damaged archive); they were not read`);
    }
  }

  /** The member an entry names: the one listed, or (for a copy of the entry) found again by path. */
  async #member(entry: Entry): Promise<Member> {
    const known = this.#members.get(entry);
    if (known) return known;
    for await (const e of this.list()) {
      if (e.path === entry.path) {
        const m = this.#members.get(e);
        if (m) {
          this.#members.set(entry, m);
          return m;
        }
      }
    }
    throw new SourceError('ERR_ENTRY_VANISHED', `zip: no member ${entry.path}`);
  }

  /** A readable member, or the SourceError saying why not. */
  async #readable(entry: Entry): Promise<Member> {
    const m = await this.#member(entry);
    if (m.error) throw new SourceError(m.error.code, m.error.message);
    return m;
  }

  /** Where a member's data starts, and up to `dataWanted` bytes of it fetched along with its local header. */
  async #header(m: Member, dataWanted: number): Promise<{ dataStart: number; data: Uint8Array }> {
    const known = this.#dataStarts.get(m.localOffset);
    if (known !== undefined) return { dataStart: known, data: new Uint8Array(0) };
    // The local extra field may be longer than the central one (Info-ZIP adds access times); a guess
    // with room to spare usually gets header and data in one request.
    const guess = m.localOffset + 30 + m.nameLength + m.extraLength + 64;
    const end = Math.max(m.localOffset + 30, Math.min(this.#directoryStart, guess + dataWanted));
    const b = await this.#reader.fetch(m.localOffset, end);
    if (!(b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04)) {
      throw new SourceError('ERR_CONTAINER_CORRUPT', `zip: ${m.name}: no local header at offset ${m.localOffset}`);
    }
    const dataStart = m.localOffset + 30 + u16(b, 26) + u16(b, 28);
    if (dataStart + m.compressedSize > this.#directoryStart) {
      throw new SourceError('ERR_CONTAINER_CORRUPT', `zip: ${m.name}: its data (${m.compressedSize} bytes from offset ${dataStart}) runs into the central directory`);
    }
    if (this.#dataStarts.size >= KEPT_HEADERS) this.#dataStarts.delete(this.#dataStarts.keys().next().value!);
    this.#dataStarts.set(m.localOffset, dataStart);
    const from = dataStart - m.localOffset;
    return { dataStart, data: from < b.length ? b.subarray(from, Math.min(b.length, from + m.compressedSize)) : new Uint8Array(0) };
  }

  /** A member's compressed bytes in growing chunks, fetched only as they are consumed. */
  async *#compressed(m: Member, first: number): AsyncGenerator<Uint8Array> {
    const { dataStart, data } = await this.#header(m, Math.min(m.compressedSize, first));
    let at = 0;
    if (data.length > 0) {
      yield data;
      at = data.length;
    }
    for (let chunk = 256 * 1024; at < m.compressedSize; chunk = Math.min(MAX_CHUNK, chunk * 2)) {
      const n = Math.min(m.compressedSize - at, chunk);
      yield await this.#reader.fetch(dataStart + at, dataStart + at + n);
      at += n;
    }
  }

  /** A small deflated member inflated whole, shared by concurrent reads and kept for the next few. */
  #whole(m: Member): Promise<Uint8Array> {
    const kept = this.#kept.get(m.localOffset);
    if (kept) {
      this.#kept.delete(m.localOffset);
      this.#kept.set(m.localOffset, kept);
      return kept;
    }
    const made = (async () => {
      const parts: Uint8Array[] = [];
      for await (const c of this.#compressed(m, m.compressedSize)) parts.push(c);
      return inflateSmall(parts.length === 1 ? parts[0]! : Buffer.concat(parts), m.size, m.name);
    })();
    made.catch(() => this.#kept.delete(m.localOffset));
    if (this.#kept.size >= KEPT_MEMBERS) this.#kept.delete(this.#kept.keys().next().value!);
    this.#kept.set(m.localOffset, made);
    return made;
  }

  async read(entry: Entry, range: ByteRange): Promise<Uint8Array> {
    const m = await this.#readable(entry);
    const start = Math.max(0, range.start);
    const end = Math.min(range.end, m.size);
    if (end <= start) return new Uint8Array(0);
    if (m.method === 0) {
      const { dataStart, data } = await this.#header(m, start < SMALL_MEMBER_BYTES ? end : 0);
      if (data.length >= end) return data.subarray(start, end);
      return this.#reader.fetch(dataStart + start, dataStart + end);
    }
    if (m.size <= SMALL_MEMBER_BYTES) return (await this.#whole(m)).subarray(start, end);
    // A large member: inflate from its start, keep only the range, stop at its end.
    const out = Buffer.alloc(end - start);
    let at = 0;
    for await (const c of inflateChunks(this.#compressed(m, FIRST_CHUNK), m.size, end, m.name)) {
      const from = Math.max(0, start - at);
      const upto = Math.min(c.length, end - at);
      if (upto > from) out.set(c.subarray(from, upto), at + from - start);
      at += c.length;
    }
    return out.subarray(0, Math.max(0, Math.min(at, end) - start));
  }

  async *stream(entry: Entry): AsyncGenerator<Uint8Array> {
    const m = await this.#readable(entry);
    if (m.method === 0) {
      yield* this.#compressed(m, FIRST_CHUNK);
      return;
    }
    yield* inflateChunks(this.#compressed(m, FIRST_CHUNK), m.size, Infinity, m.name);
  }

  async close(): Promise<void> {
    this.#first?.close();
    this.#first = null;
    this.#kept.clear();
    this.#dataStarts.clear();
  }
}

/** The encryption scheme of a member, in words (the zip-encryption detector's reading of it). */
function encryptionOf(z: yauzl.Entry): string {
  const found = memberEncryption({
    index: 0,
    offset: 0,
    versionNeeded: z.versionNeededToExtract,
    flags: z.generalPurposeBitFlag | 0x0001,
    method: z.compressionMethod,
    compressedSize: z.compressedSize,
    uncompressedSize: z.uncompressedSize,
    name: '',
    extra: z.extraFieldRaw,
    localOffset: z.relativeOffsetOfLocalHeader,
  });
  return found ? found.scheme : 'encrypted';
}

/** The member's modification time: the UT or NTFS extra field, else the DOS time read as UTC (it has no zone); none when unset. */
function modified(z: yauzl.Entry): string | undefined {
  const extended = z.extraFields.some((f) => f.id === 0x5455 || f.id === 0x000a);
  if (!extended && z.lastModFileDate === 0) return undefined;
  const d = z.getLastModDate({ timezone: 'UTC' });
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * The ZIP container format (id `zip`): members of `*.zip` archives, read at random through ranged
 * reads of the archive. Limits: members whose declared size is past `maxRatio` times their
 * compressed size (and over 1 MiB), members sharing bytes with another, encrypted members and
 * methods other than stored and deflate are listed with an error and never read.
 */
export const zipContainer = defineContainer({
  id: ID,
  version: '1.0.0',
  description: 'ZIP archives (stored, deflate; ZIP64): members read at random through ranged reads of the archive',
  match: { names: ['*.zip'], mediaTypes: ['application/zip'] },
  async open(input) {
    if (!isZipEntry(input.entry.path, input.mediaType)) return null;
    const reader = new SourceReader(input.source, input.entry, input.head, input.complete, input.signal);
    reader.setMaxListeners(0);
    let first: yauzl.ZipFile;
    try {
      first = await openZip(reader, input.entry.size);
    } catch (err) {
      throw fromYauzl(err);
    }
    return new OpenedZip(input, reader, first);
  },
});

export type { OpenedZip };
