/**
 * WARC crawl archives (`.warc`, `.warc.gz`): each `response` and `resource` record becomes a member
 * `record=N` (N counts the listed records from 0, in file order, so both listings agree) whose bytes
 * are the HTTP payload — the response's header block removed and a chunked transfer coding undone —
 * with `http` = { url, status, headers } for the opt-out detectors (X-Robots-Tag, tdm-reservation,
 * Content-Usage, Link rel=license), `fields` = { url } for provenance and `mtime` = WARC-Date.
 * `request`, `metadata`, `warcinfo`, `revisit`, `conversion` and `continuation` records are counted
 * ({@link WarcContainer.counts}) and nothing else: they carry no payload a model would train on.
 *
 * - Uncompressed `.warc`: listed by ranged reads of the parent (record headers and HTTP heads only;
 *   payloads are skipped unread), and members are served by ranged reads at the payload's offset, so
 *   reads are random-access and safe to run concurrently.
 * - `.warc.gz` (gzip members concatenated, usually one per record): streamed once through zlib. Each
 *   payload is held up to `limits.maxMemberBytes` to serve reads; a larger one is hashed as it passes
 *   (`entry.sha256`) and only its first and last STREAM_WINDOW_BYTES are kept (reads elsewhere:
 *   ERR_MEMBER_NOT_HELD). Decompressed bytes count against `maxExpandedBytes`, and the ratio of
 *   decompressed to compressed bytes (for the file and for each record) against `maxRatio`.
 * - A chunked payload is de-chunked while listing, in either layout (its bytes are then held like a
 *   streamed payload): its size is only known once its chunks have been walked.
 * - `Content-Encoding` (gzip, br) of a payload is NOT undone: the member is the entity body as the
 *   server sent it, the bytes WARC-Payload-Digest is computed over. Decoding would be another
 *   decompression per member with its own bomb limits; an encoded HTML page is therefore sniffed as
 *   gzip and its meta tags are not read (its HTTP headers still are).
 * - Corrupt framing (no version line, no Content-Length, a record not followed by CRLF CRLF — a lying
 *   Content-Length —, a file that ends mid-record, bad gzip) throws ERR_CONTAINER_CORRUPT from `list`
 *   after the good records. A record whose own content is unreadable (no HTTP status line, bad
 *   chunking) is listed with that error on its entry, and the listing goes on. A segmented record
 *   (WARC-Segment-Number) is listed with ERR_CONTAINER_UNSUPPORTED.
 *
 * Hand-written rather than on warcio (webrecorder's warcio.js 2.4.11, checked): it runs on Node 20
 * ESM and streams, but reads a record header or HTTP head without a length bound (a 200 MB header
 * line was buffered whole), warns on the console and reads on when a Content-Length lies, takes a
 * corrupt gzip member for uncompressed bytes, parses a response's HTTP head past the end of its
 * record, decompresses with pako (a whole input chunk's output at once) and pulls a CLI's
 * dependencies (yargs, tempy) into the runtime. None of that fits a scanner fed hostile files.
 *
 * Reference: WARC 1.1 (ISO 28500:2017; iipc/warc-specifications) §4, §5, §6.3 (response), §6.4
 * (resource), Annex D (record-at-a-time gzip); RFC 9112 §7.1 (chunked); RFC 1952 (gzip members).
 *
 * ok:     crawl.warc.gz with warcinfo, request, response(200, X-Robots-Tag: noai) → one member record=0
 * not-ok: a record whose Content-Length is 10 bytes short → ERR_CONTAINER_CORRUPT, records before it stand
 */
import { constants, gunzipSync } from 'node:zlib';
import { defineContainer, type ContainerInput, type OpenedContainer } from '../../engine/container.js';
import { SourceError } from '../../errors.js';
import type { ByteRange, CallOptions, Entry } from '../../source/types.js';
import { RangeCursor, StreamCursor, type Cursor } from './cursor.js';
import { MemberTable, PayloadSink, readHeld, type Held } from './held.js';
import { isChunked, MAX_CHUNK_LINE, MAX_HEADER_BYTES, parseChunkLine, parseHttpHead, parseWarcHeader, startsWithWarcVersion, targetUri, warcDate, type WarcHeader } from './parse.js';

const ID = 'warc';
/** Bytes of a member read at once when it is streamed from an uncompressed WARC. */
const STREAM_CHUNK = 1024 * 1024;
/** Record types counted by name; others are counted as `other`. */
const TYPES = ['warcinfo', 'response', 'resource', 'request', 'metadata', 'revisit', 'conversion', 'continuation'] as const;

/** Records seen by the last complete or interrupted listing, by WARC-Type. */
export type WarcCounts = Partial<Record<(typeof TYPES)[number] | 'other', number>>;

/** A WARC opened as a Source over its payload records. */
export interface WarcContainer extends OpenedContainer {
  /** Records of each type seen by the latest listing (members and the records that are not). */
  counts(): WarcCounts;
}

/** Where a member's bytes are: a range of the uncompressed parent, or held in memory. */
type Location = { kind: 'range'; offset: number; size: number; bytes: number } | { kind: 'held'; held: Held; bytes: number };

export const warcContainer = defineContainer({
  id: ID,
  version: '1.0.0',
  description: 'WARC crawl archives (.warc, .warc.gz): response and resource records as members, with their HTTP headers',
  match: { names: ['*.warc', '*.warc.gz'], mediaTypes: ['text/plain', 'application/octet-stream', 'application/gzip'] },
  async open(input) {
    const layout = layoutOf(input);
    if (layout === null) return null;
    return openWarc(input, layout);
  },
});

/** `plain` for an uncompressed WARC, `gzip` for a gzip-compressed one, null for anything else. */
function layoutOf(input: ContainerInput): 'plain' | 'gzip' | null {
  const { head } = input;
  if (startsWithWarcVersion(head)) return 'plain';
  if (head.length < 10 || head[0] !== 0x1f || head[1] !== 0x8b) return null;
  // The first bytes of a gzip member, decompressed as far as they go, must start a WARC record.
  try {
    const out = gunzipSync(head.subarray(0, 4096), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 1024 * 1024 });
    return startsWithWarcVersion(out) ? 'gzip' : null;
  } catch {
    // Corrupt, or 4 KiB inflating past 1 MiB: a WARC by name is opened (and its listing says what is wrong), else it is not one.
    return /\.warc\.gz$/i.test(input.entry.path) ? 'gzip' : null;
  }
}

function corrupt(message: string): SourceError {
  return new SourceError('ERR_CONTAINER_CORRUPT', message);
}

function openWarc(input: ContainerInput, layout: 'plain' | 'gzip'): WarcContainer {
  const { source, entry: parent, limits, signal } = input;
  const members = new MemberTable<Location>(4096, Math.max(64 * 1024 * 1024, 4 * limits.maxMemberBytes));
  let counts: WarcCounts = {};

  async function* list(opts?: CallOptions): AsyncGenerator<Entry> {
    const sig = opts?.signal ?? signal;
    const cursor: Cursor = layout === 'plain' ? new RangeCursor(source, parent, sig) : new StreamCursor(source, parent, limits, sig);
    counts = {};
    let index = 0;
    let expanded = 0;
    try {
      for (;;) {
        sig?.throwIfAborted();
        // Extra line ends between records are tolerated (some writers add them); anything else is not.
        const lead = await cursor.peek(16);
        let blank = 0;
        while (blank < lead.length && (lead[blank] === 0x0d || lead[blank] === 0x0a)) blank++;
        if (blank === lead.length && lead.length < 16) break;
        if (blank > 0) await cursor.skip(blank);
        cursor.markRecord();
        const start = cursor.pos;
        const header = parseWarcHeader(await peekHeaders(cursor, MAX_HEADER_BYTES));
        if (!header.ok) throw corrupt(`record at byte ${start}: ${header.problem}`);
        const h = header.value;
        await cursor.skip(h.length);
        if (layout === 'plain' && cursor.pos + h.contentLength + 4 > parent.size) {
          throw corrupt(`record at byte ${start}: its Content-Length (${h.contentLength}) runs past the end of the file`);
        }
        const type = h.fields.get('warc-type')?.toLowerCase() ?? '';
        const key = (TYPES as readonly string[]).includes(type) ? (type as (typeof TYPES)[number]) : 'other';
        counts[key] = (counts[key] ?? 0) + 1;
        let member: Entry | null = null;
        if (type === 'response' || type === 'resource') {
          if (index >= limits.maxMembers) throw new SourceError('ERR_CONTAINER_LIMIT', `more than ${limits.maxMembers} payload records (limits.maxMembers)`);
          member = await readMember(cursor, h, type, `record=${index}`);
          index++;
          expanded += member.size;
          if (expanded > limits.maxExpandedBytes) throw new SourceError('ERR_CONTAINER_LIMIT', `payloads add up to more than ${limits.maxExpandedBytes} bytes (limits.maxExpandedBytes)`);
        } else await cursor.skip(h.contentLength);
        const end = await cursor.peek(4);
        if (end.length !== 4 || end[0] !== 0x0d || end[1] !== 0x0a || end[2] !== 0x0d || end[3] !== 0x0a) {
          throw corrupt(
            end.length < 4
              ? `record at byte ${start}: the file ends before the CRLF CRLF that closes the record`
              : `record at byte ${start}: not followed by CRLF CRLF, so its Content-Length (${h.contentLength}) does not match its block`,
          );
        }
        await cursor.skip(4);
        if (member) yield member;
      }
      await cursor.finish();
    } finally {
      await cursor.close();
    }
  }

  /** Reads one payload record's block (the cursor at its start) into a member entry. */
  async function readMember(cursor: Cursor, h: WarcHeader, type: string, path: string): Promise<Entry> {
    const url = targetUri(h.fields.get('warc-target-uri'));
    const mtime = warcDate(h.fields.get('warc-date'));
    const base: Entry = { path, size: 0, ...(mtime ? { mtime } : {}), ...(url !== undefined ? { fields: { url } } : {}) };
    let left = h.contentLength;
    const fail = async (code: 'ERR_CONTAINER_CORRUPT' | 'ERR_CONTAINER_UNSUPPORTED', message: string): Promise<Entry> => {
      await cursor.skip(left);
      return { ...base, error: { code, message } };
    };
    if (h.fields.has('warc-segment-number')) return fail('ERR_CONTAINER_UNSUPPORTED', 'a segmented record (WARC-Segment-Number): segments are not joined');
    let chunked = false;
    if (type === 'response' && isHttpBlock(h.fields.get('content-type'))) {
      const parsed = parseHttpHead(await peekHeaders(cursor, Math.min(left, MAX_HEADER_BYTES)), left);
      if (!parsed.ok) return fail('ERR_CONTAINER_CORRUPT', `the response record's HTTP head cannot be read: ${parsed.problem}`);
      const { status, headers, length } = parsed.value;
      base.http = { ...(url !== undefined ? { url } : {}), status, headers };
      await cursor.skip(length);
      left -= length;
      chunked = isChunked(headers);
    }
    if (layout === 'plain' && !chunked) {
      const loc: Location = { kind: 'range', offset: cursor.pos, size: left, bytes: 64 };
      await cursor.skip(left);
      const e = { ...base, size: loc.size };
      members.set(e, loc);
      return e;
    }
    const sink = new PayloadSink(limits.maxMemberBytes);
    if (chunked) {
      const problem = await dechunk(cursor, left, sink.push);
      left = problem.left;
      if (problem.problem !== null) return fail('ERR_CONTAINER_CORRUPT', `chunked payload: ${problem.problem}`);
      await cursor.skip(left);
    } else await cursor.pipe(left, sink.push);
    const { held, sha256 } = sink.finish();
    const e: Entry = { ...base, size: held.size, sha256 };
    members.set(e, { kind: 'held', held, bytes: (held.whole ?? held.head).length + (held.whole ? 0 : held.tail.length) });
    return e;
  }

  const read = async (entry: Entry, range: ByteRange, opts?: CallOptions): Promise<Uint8Array> => {
    const loc = members.get(entry);
    if (!loc) throw new SourceError('ERR_MEMBER_NOT_HELD', `${entry.path}: not a member listed from this WARC, or no longer held`);
    if (loc.kind === 'held') return readHeld(loc.held, range, entry.path);
    const start = Math.max(0, range.start);
    const end = Math.min(range.end, loc.size);
    if (end <= start) return new Uint8Array(0);
    const sig = opts?.signal ?? signal;
    const bytes = await source.read(parent, { start: loc.offset + start, end: loc.offset + end }, sig ? { signal: sig } : {});
    return bytes.length > end - start ? bytes.subarray(0, end - start) : bytes;
  };

  return {
    name: ID,
    location: `${source.location.replace(/\/$/, '')}/${parent.path}`,
    kind: ID,
    // Payload records are addressed by number, never by a name a marker detector would match.
    markers: false,
    rows: false,
    list,
    read,
    async *stream(entry: Entry, opts?: CallOptions): AsyncGenerator<Uint8Array> {
      const loc = members.get(entry);
      if (loc?.kind === 'held') {
        if (!loc.held.whole) throw new SourceError('ERR_MEMBER_NOT_HELD', `${entry.path}: a ${loc.held.size}-byte streamed payload is held only in part`);
        yield loc.held.whole;
        return;
      }
      const size = loc?.size ?? entry.size;
      for (let at = 0; at < size; at += STREAM_CHUNK) {
        const chunk = await read(entry, { start: at, end: Math.min(size, at + STREAM_CHUNK) }, opts);
        if (chunk.length === 0) throw corrupt(`${entry.path}: the WARC ended inside the payload`);
        yield chunk;
      }
    },
    counts: () => ({ ...counts }),
  };
}

/** Whether a response record's block is an HTTP message (WARC 1.1 §6.3: `application/http`); a missing Content-Type is taken as HTTP. */
function isHttpBlock(contentType: string | undefined): boolean {
  return contentType === undefined || /^\s*application\/http\b/i.test(contentType);
}

/** Peeks a header: a small window first, a larger one only when the header does not end in it. */
async function peekHeaders(cursor: Cursor, max: number): Promise<Uint8Array> {
  let n = Math.min(8192, max);
  for (;;) {
    const bytes = await cursor.peek(n);
    if (bytes.length < n || n >= max) return bytes;
    if (bytes.indexOf(0x0a) >= 0 && hasBlankLine(bytes)) return bytes;
    n = Math.min(max, n * 4);
  }
}

function hasBlankLine(bytes: Uint8Array): boolean {
  for (let i = bytes.indexOf(0x0a); i >= 0 && i + 1 < bytes.length; i = bytes.indexOf(0x0a, i + 1)) {
    if (bytes[i + 1] === 0x0a || (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a)) return true;
  }
  return false;
}

/**
 * Undoes the chunked transfer coding of a payload of `left` bytes, handing the data to `sink`.
 * Returns the bytes of the block still unread (trailer fields) and a problem, or null.
 */
async function dechunk(cursor: Cursor, left: number, sink: (chunk: Uint8Array) => void): Promise<{ left: number; problem: string | null }> {
  for (;;) {
    const line = parseChunkLine(await cursor.peek(Math.min(left, MAX_CHUNK_LINE)));
    if (line === null) return { left, problem: 'a chunk-size line runs past the end of the record' };
    if (!line.ok) return { left, problem: line.problem };
    await cursor.skip(line.value.length);
    left -= line.value.length;
    const size = line.value.size;
    if (size === 0) return { left, problem: null };
    if (size > left) return { left, problem: `a chunk of ${size} bytes runs past the end of the record` };
    await cursor.pipe(size, sink);
    left -= size;
    const crlf = await cursor.peek(Math.min(left, 2));
    const n = crlf[0] === 0x0d && crlf[1] === 0x0a ? 2 : crlf[0] === 0x0a ? 1 : 0;
    if (n === 0) return { left, problem: 'a chunk is not followed by CRLF' };
    await cursor.skip(n);
    left -= n;
  }
}
