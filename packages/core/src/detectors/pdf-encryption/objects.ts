/**
 * Reading single objects of a PDF through a {@link ByteView}: dictionaries, indirect objects, stream
 * data, objects inside object streams, and bounded scans for a trailer or an object when the
 * cross-reference data lies. Each returns `'pending'` when bytes are missing (they are then noted in
 * the view), `null` when the bytes are there but wrong (a problem is recorded).
 *
 * Reference: ISO 32000-1:2008 §7.3.7–7.3.10 (dictionaries, streams, indirect objects), §7.5.7 (object streams).
 */
import type { ByteView } from '../tpm-common/byte-view.js';
import { latin1, type Problem } from '../tpm-common/findings.js';
import { asArray, asDict, asInt, PdfReader, PdfSyntaxError, type PdfDict, type PdfRef } from './lexer.js';
import { decodeStream, INFLATE_MAX } from './streams.js';

/** A trailer or object dictionary longer than this is not one we want to read. */
const DICT_MAX = 64 * 1024;
/** Compressed stream data read at most. */
const STREAM_MAX = 8 * 1024 * 1024;
/** First read of stream data whose length is not given directly. */
const STREAM_GUESS = 32 * 1024;

/** What object readers report into: problems met, and whether bytes were missing. */
export interface Context {
  /** True when any part was still missing: more ranges would help. */
  pending: boolean;
  problems: Problem[];
}

/** Cross-reference entries by object number: in-use at an offset (1), or inside an object stream (2). */
export type XrefEntry = { type: 1; offset: number; gen: number } | { type: 2; stream: number; index: number };

export interface Located {
  dict: PdfDict;
  /** Absolute offset of the dictionary's `<<`. */
  at: number;
}

/** A trailer found by scanning, when the cross-reference chain could not be read. */
export interface ScannedTrailer extends Located {
  kind: 'scanned';
}

/** Reads a dictionary starting at `pos` (after white space); null when it is not one. */
export function readDictAt(view: ByteView, pos: number, out: Context): Located | null | 'pending' {
  const chunk = view.from(pos, DICT_MAX);
  if (!chunk) {
    view.want(pos, pos + 8192);
    return 'pending';
  }
  const r = new PdfReader(chunk);
  r.skip();
  const at = pos + r.pos;
  try {
    const v = r.value();
    const dict = asDict(v);
    if (!dict) {
      out.problems.push({ message: 'expected a dictionary', byteOffset: at });
      return null;
    }
    return { dict, at };
  } catch (err) {
    if (err instanceof PdfSyntaxError && err.at >= chunk.length - 1 && pos + chunk.length < view.size && chunk.length < DICT_MAX) {
      // Grow in two steps: most dictionaries end within 8 KiB.
      view.want(pos, pos + (chunk.length < 8192 ? 8192 : DICT_MAX));
      return 'pending';
    }
    out.problems.push({ message: `unreadable dictionary: ${(err as Error).message}`, byteOffset: at });
    return null;
  }
}

export interface IndirectObject {
  num: number;
  gen: number;
  dict: Located;
  /** Absolute offset of the stream data, when the object is a stream. */
  streamAt?: number;
}

/** Reads `N G obj << … >> [stream]` at an offset. */
export function readIndirect(view: ByteView, offset: number, out: Context): IndirectObject | null | 'pending' {
  const chunk = view.from(offset, DICT_MAX);
  if (!chunk) {
    view.want(offset, offset + 8192);
    return 'pending';
  }
  const r = new PdfReader(chunk);
  const num = r.word();
  const gen = r.word();
  const kw = r.word();
  if (num === null || gen === null || kw !== 'obj' || !/^\d+$/.test(num) || !/^\d+$/.test(gen)) {
    if (chunk.length < 32 && offset + chunk.length < view.size) {
      view.want(offset, offset + 8192);
      return 'pending';
    }
    out.problems.push({ message: `no object at offset ${offset}`, byteOffset: offset });
    return null;
  }
  const dict = readDictAt(view, offset + r.pos, out);
  if (dict === 'pending' || dict === null) return dict;
  const after = view.from(dict.at + serialisedLength(view, dict), 32);
  let streamAt: number | undefined;
  if (after) {
    const m = /^[\0\t\n\f\r ]*stream(\r\n|\n|\r)/.exec(latin1(after));
    if (m) streamAt = dict.at + serialisedLength(view, dict) + m[0].length;
  }
  return { num: Number(num), gen: Number(gen), dict, ...(streamAt !== undefined ? { streamAt } : {}) };
}

/** Length in bytes of a dictionary already parsed at `dict.at` (re-reads it to find its end). */
function serialisedLength(view: ByteView, dict: Located): number {
  const chunk = view.from(dict.at, DICT_MAX)!;
  const r = new PdfReader(chunk);
  r.value();
  return r.pos;
}

/** The raw data of a stream object, bounded; null when unreadable, 'pending' when not yet read. */
export function streamData(view: ByteView, obj: IndirectObject, out: Context): Uint8Array | null | 'pending' {
  if (obj.streamAt === undefined) {
    out.problems.push({ message: 'expected a stream', byteOffset: obj.dict.at });
    return null;
  }
  const len = asInt(obj.dict.dict.map.get('Length'));
  if (len !== undefined && len >= 0) {
    if (len > STREAM_MAX || obj.streamAt + len > view.size) {
      out.problems.push({ message: `stream /Length ${len} is past the end of the file or too large`, byteOffset: obj.dict.at });
      return null;
    }
    const data = view.get(obj.streamAt, obj.streamAt + len);
    return data ?? 'pending';
  }
  // An indirect /Length: find `endstream` instead, within bounds.
  const data = view.from(obj.streamAt, STREAM_MAX);
  if (!data) {
    view.want(obj.streamAt, obj.streamAt + STREAM_GUESS);
    return 'pending';
  }
  const end = latin1(data).indexOf('endstream');
  if (end < 0) {
    if (obj.streamAt + data.length < view.size && data.length < STREAM_MAX) {
      view.want(obj.streamAt, Math.min(view.size, obj.streamAt + STREAM_MAX));
      return 'pending';
    }
    out.problems.push({ message: 'stream without endstream', byteOffset: obj.streamAt });
    return null;
  }
  return data.subarray(0, end);
}

/** Finds object `ref` through the cross-reference entries, an object stream, or a bounded scan. */
export function resolveObject(view: ByteView, ref: PdfRef, entries: Map<number, XrefEntry>, out: Context): { located: Located; via: 'xref' | 'object-stream' | 'scan' } | null {
  const e = entries.get(ref.num);
  if (e?.type === 1) {
    if (e.offset >= view.size) out.problems.push({ message: `object ${ref.num} offset ${e.offset} is past the end of the file`, byteOffset: e.offset });
    else {
      const obj = readIndirect(view, e.offset, out);
      if (obj === 'pending') {
        out.pending = true;
        return null;
      }
      if (obj && obj.num === ref.num) return { located: obj.dict, via: 'xref' };
      if (obj) out.problems.push({ message: `cross-reference offset of object ${ref.num} points at object ${obj.num}`, byteOffset: e.offset });
    }
  } else if (e?.type === 2) {
    const got = fromObjectStream(view, ref.num, e, entries, out);
    if (got === 'pending') {
      out.pending = true;
      return null;
    }
    if (got) return { located: got, via: 'object-stream' };
  }
  const scanned = scanForObject(view, ref, out);
  return scanned ? { located: scanned, via: 'scan' } : null;
}

function fromObjectStream(view: ByteView, num: number, e: { stream: number; index: number }, entries: Map<number, XrefEntry>, out: Context): Located | null | 'pending' {
  const host = entries.get(e.stream);
  if (host?.type !== 1) {
    out.problems.push({ message: `object stream ${e.stream} holding object ${num} has no offset` });
    return null;
  }
  const obj = readIndirect(view, host.offset, out);
  if (obj === 'pending' || obj === null) return obj;
  const n = asInt(obj.dict.dict.map.get('N')) ?? 0;
  const first = asInt(obj.dict.dict.map.get('First')) ?? 0;
  if (n < 0 || n > 1_000_000 || first < 0) {
    out.problems.push({ message: 'malformed object stream dictionary', byteOffset: obj.dict.at });
    return null;
  }
  const data = streamData(view, obj, out);
  if (data === 'pending' || data === null) return data;
  const decoded = decodeStream(obj.dict.dict, data, INFLATE_MAX, obj.streamAt ?? host.offset, out);
  if (!decoded) return null;
  const r = new PdfReader(decoded.subarray(0, Math.min(first, decoded.length)));
  for (let i = 0; i < n; i++) {
    const a = r.word();
    const b = r.word();
    if (a === null || b === null) break;
    if (Number(a) === num) {
      const at = first + Number(b);
      const rr = new PdfReader(decoded, at);
      try {
        const dict = asDict(rr.value());
        // The offset is inside the decoded stream, not the file: evidence points at the object stream.
        if (dict) return { dict, at: host.offset };
      } catch {
        break;
      }
    }
  }
  out.problems.push({ message: `object ${num} not found in object stream ${e.stream}`, byteOffset: host.offset });
  return null;
}

/** Looks for `N G obj <<` in every byte held (last match wins, as an update's copy is newer). */
export function scanForObject(view: ByteView, ref: PdfRef, out: Context): Located | null {
  const re = new RegExp(`(?:^|[^0-9])(${ref.num}[\\0\\t\\n\\f\\r ]+${ref.gen}[\\0\\t\\n\\f\\r ]+obj)`, 'g');
  let best: number | undefined;
  for (const seg of view.held()) {
    const text = latin1(seg.bytes);
    for (const m of text.matchAll(re)) best = seg.start + m.index + m[0].length - m[1]!.length;
  }
  if (best === undefined) return null;
  const obj = readIndirect(view, best, out);
  return obj && obj !== 'pending' ? obj.dict : null;
}

/**
 * When the cross-reference chain cannot be read: the last `trailer` dictionary or XRef stream held.
 * Only the last few occurrences of each keyword are looked at, so a file stuffed with them costs little.
 */
export function scanForTrailer(view: ByteView, out: Context): ScannedTrailer | null {
  const best: { at: number; kind: 'table' | 'stream' } = { at: -1, kind: 'table' };
  const better = (at: number, kind: 'table' | 'stream') => {
    if (at > best.at) Object.assign(best, { at, kind });
  };
  for (const seg of view.held()) {
    const text = latin1(seg.bytes);
    let i = text.length;
    for (let tries = 0; tries < 8 && i > 0; tries++) {
      i = text.lastIndexOf('trailer', i - 1);
      if (i < 0) break;
      if (/^trailer[\0\t\n\f\r ]*<</.test(text.slice(i, i + 64))) {
        better(seg.start + i + 7, 'table');
        break;
      }
    }
    i = text.length;
    for (let tries = 0; tries < 8 && i > 0; tries++) {
      i = text.lastIndexOf('/XRef', i - 1);
      if (i < 0) break;
      if (/[A-Za-z0-9]/.test(text[i + 5] ?? ' ')) continue;
      const window = text.slice(Math.max(0, i - 2000), i);
      let obj: RegExpExecArray | null = null;
      for (const m of window.matchAll(/(\d+)[\0\t\n\f\r ]+\d+[\0\t\n\f\r ]+obj[\0\t\n\f\r ]*<</g)) obj = m;
      if (obj) {
        better(seg.start + Math.max(0, i - 2000) + obj.index, 'stream');
        break;
      }
    }
  }
  const found = best;
  if (found.at < 0) return null;
  if (found.kind === 'table') {
    const got = readDictAt(view, found.at, out);
    return got && got !== 'pending' ? { ...got, kind: 'scanned' } : null;
  }
  const obj = readIndirect(view, found.at, out);
  return obj && obj !== 'pending' ? { ...obj.dict, kind: 'scanned' } : null;
}

/** The first string of the newest trailer's /ID, needed to check the empty user password (R2–R4). */
export function documentId(trailer: PdfDict | undefined): Uint8Array | undefined {
  const id = asArray(trailer?.map.get('ID'))?.[0];
  return id !== null && typeof id === 'object' && !Array.isArray(id) && id.t === 'str' ? id.v : undefined;
}
