/**
 * Pure parsers for the parts of a WARC record the container reads: the record header (version line
 * and named fields), the HTTP response header block at the start of a `response` record's block, and
 * the chunk-size lines of a chunked HTTP payload. Every parser works on bytes already in memory and is
 * bounded by the caller's window: it never asks for more than it was given.
 *
 * Reference: WARC 1.1 (ISO 28500:2017, iipc/warc-specifications) §4 "File and record model" (a
 * record is `header CRLF block CRLF CRLF`; named fields as in RFC 2616 with UTF-8 values and
 * continuation lines), §5 "Named fields" (Content-Length mandatory, WARC-Type, WARC-Date,
 * WARC-Target-URI), §6.3 "response" (block = full HTTP response, payload = its entity body);
 * RFC 9112 §4 (status line), §5 (field lines, obs-fold), §7.1 (chunked transfer coding: chunk-size
 * in hex, chunk extensions after `;`, last-chunk `0`, trailer section, CRLF).
 */

/** Longest WARC record header or HTTP header block read; a longer one is not a header. */
export const MAX_HEADER_BYTES = 64 * 1024;
/** Most fields kept from one header block. */
const MAX_FIELDS = 256;
/** Longest value kept of one field (a long CSP or Link header is kept whole up to this). */
const MAX_VALUE = 8192;

const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/** Index just past the first blank line (`CRLF CRLF`, or a bare `LF LF`) at or after `from`, or -1. */
export function endOfHeaders(bytes: Uint8Array, from = 0): number {
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return i + 2;
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/** Splits a header block (without its status/version line) into `[name, value]` pairs, unfolding continuation lines. */
function fieldLines(lines: readonly string[]): { fields: [string, string][]; bad: number } {
  const fields: [string, string][] = [];
  let bad = 0;
  for (const line of lines) {
    if (line === '') continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && fields.length > 0) {
      const last = fields[fields.length - 1]!;
      last[1] = `${last[1]} ${line.trim()}`.slice(0, MAX_VALUE);
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!FIELD_NAME.test(name)) {
      bad++;
      continue;
    }
    if (fields.length >= MAX_FIELDS) break;
    fields.push([name, line.slice(colon + 1).trim().slice(0, MAX_VALUE)]);
  }
  return { fields, bad };
}

/** A parsed WARC record header. */
export interface WarcHeader {
  /** `WARC/1.0`, `WARC/1.1`. */
  version: string;
  /** Fields by lower-case name (the first of repeated ones, which WARC forbids for these). */
  fields: Map<string, string>;
  /** Bytes of the header including the blank line that ends it. */
  length: number;
  /** The block length from Content-Length. */
  contentLength: number;
}

export type HeaderResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * Reads the record header at the start of `bytes` (which holds at least the header, or the whole
 * rest of the file, or {@link MAX_HEADER_BYTES}). Fails on a missing version line, a header that
 * does not end within the window, or a missing or malformed Content-Length.
 */
export function parseWarcHeader(bytes: Uint8Array): HeaderResult<WarcHeader> {
  if (!startsWithWarcVersion(bytes)) return { ok: false, problem: 'no WARC version line where a record should start' };
  const end = endOfHeaders(bytes);
  if (end < 0) return { ok: false, problem: bytes.length >= MAX_HEADER_BYTES ? `record header longer than ${MAX_HEADER_BYTES} bytes` : 'record header cut short' };
  const lines = utf8.decode(bytes.subarray(0, end)).split(/\r?\n/);
  const version = lines[0]!.trim();
  const { fields: pairs } = fieldLines(lines.slice(1));
  const fields = new Map<string, string>();
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    if (!fields.has(key)) fields.set(key, value);
  }
  const cl = fields.get('content-length');
  if (cl === undefined || !/^\d{1,15}$/.test(cl)) return { ok: false, problem: cl === undefined ? 'record without Content-Length' : `Content-Length is not a number: ${cl.slice(0, 40)}` };
  return { ok: true, value: { version, fields, length: end, contentLength: Number(cl) } };
}

/** Whether bytes start with `WARC/1.0` or `WARC/1.1` (or another `WARC/1.x`) followed by a line end. */
export function startsWithWarcVersion(bytes: Uint8Array): boolean {
  // "WARC/1."
  const sig = [0x57, 0x41, 0x52, 0x43, 0x2f, 0x31, 0x2e];
  if (bytes.length < sig.length + 2) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[i] !== sig[i]) return false;
  const d = bytes[sig.length]!;
  const next = bytes[sig.length + 1]!;
  return d >= 0x30 && d <= 0x39 && (next === 0x0d || next === 0x0a);
}

/** The HTTP response head of a `response` record. */
export interface HttpHead {
  status: number;
  /** Header fields in order, duplicates kept, names as written. */
  headers: [string, string][];
  /** Bytes of the head (interim 1xx responses included) up to and including the blank line. */
  length: number;
}

/**
 * Reads the HTTP response head at the start of a record block. `bytes` holds the first bytes of the
 * block (at most {@link MAX_HEADER_BYTES}); `blockLength` is the whole block's length. Interim 1xx
 * responses before the final one are skipped. A head that runs to the end of the block without a
 * blank line is a response without a body.
 */
export function parseHttpHead(bytes: Uint8Array, blockLength: number): HeaderResult<HttpHead> {
  let offset = 0;
  for (let interim = 0; interim < 5; interim++) {
    const rest = bytes.subarray(offset);
    let end = endOfHeaders(rest);
    if (end < 0) {
      if (offset + rest.length < blockLength) return { ok: false, problem: `HTTP header block longer than ${MAX_HEADER_BYTES} bytes` };
      end = rest.length;
    }
    // Field values are opaque octets (RFC 9110 §5.5): Latin-1 keeps every byte as one character.
    const lines = latin1.decode(rest.subarray(0, end)).split(/\r?\n/);
    const m = /^HTTP\/\d(?:\.\d)?[ \t]+(\d{3})(?:[ \t]|$)/.exec(lines[0]!);
    if (!m) return { ok: false, problem: 'the block does not start with an HTTP status line' };
    const status = Number(m[1]);
    offset += end;
    if (status >= 100 && status < 200 && status !== 101 && offset < blockLength && startsWithHttp(bytes.subarray(offset))) continue;
    const { fields } = fieldLines(lines.slice(1));
    return { ok: true, value: { status, headers: fields, length: offset } };
  }
  return { ok: false, problem: 'more than four interim responses' };
}

function startsWithHttp(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && bytes[0] === 0x48 && bytes[1] === 0x54 && bytes[2] === 0x54 && bytes[3] === 0x50 && bytes[4] === 0x2f;
}

/** The last value of a header (case-insensitive), or undefined. */
export function headerValue(headers: readonly (readonly [string, string])[], name: string): string | undefined {
  let found: string | undefined;
  for (const [n, v] of headers) if (n.toLowerCase() === name) found = v;
  return found;
}

/** Whether the transfer codings end with `chunked` (RFC 9112 §6.1: chunked is then the final coding). */
export function isChunked(headers: readonly (readonly [string, string])[]): boolean {
  const codings = headers
    .filter(([n]) => n.toLowerCase() === 'transfer-encoding')
    .flatMap(([, v]) => v.split(','))
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '');
  return codings.length > 0 && codings[codings.length - 1] === 'chunked';
}

/** Longest chunk-size line read (size, extensions, CRLF). */
export const MAX_CHUNK_LINE = 1024;

/**
 * Reads a chunk-size line at the start of `bytes`: the chunk's size and the bytes of the line with
 * its line end, or a problem. `null` when the line does not end within `bytes` (more is needed).
 */
export function parseChunkLine(bytes: Uint8Array): HeaderResult<{ size: number; length: number }> | null {
  const lf = bytes.indexOf(0x0a);
  if (lf < 0) return bytes.length >= MAX_CHUNK_LINE ? { ok: false, problem: 'chunk-size line too long' } : null;
  const line = latin1.decode(bytes.subarray(0, lf)).replace(/\r$/, '');
  const m = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/.exec(line);
  if (!m) return { ok: false, problem: `malformed chunk-size line: ${line.slice(0, 40)}` };
  return { ok: true, value: { size: parseInt(m[1]!, 16), length: lf + 1 } };
}

/** A WARC-Target-URI without the angle brackets WARC 1.0 wrote around it. */
export function targetUri(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  return v.startsWith('<') && v.endsWith('>') ? v.slice(1, -1) : v;
}

/** A WARC-Date as an ISO 8601 instant, or undefined when it is not a date. */
export function warcDate(value: string | undefined): string | undefined {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z$/.test(value.trim())) return undefined;
  const t = Date.parse(value.trim());
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
