/**
 * Finds a PDF's last trailer and its encryption dictionary from as few bytes as possible: the tail
 * (`startxref`), the cross-reference section it points at, the `/Prev` chain behind it, and the one
 * object `/Encrypt` names — all read through a {@link ByteView}, so that the same code asks for the
 * missing ranges (in `wants.ranges`) and reads them (in `detect`).
 *
 * Bounded everywhere: at most {@link MAX_SECTIONS} cross-reference sections (a cyclic `/Prev` chain
 * stops at the first repeat), subsection counts checked against the file size, xref and object
 * streams inflated with an output cap, and a fallback scan of the bytes held when offsets lie.
 *
 * Reference: ISO 32000-1:2008 §7.5.4 (cross-reference table), §7.5.5 (file trailer), §7.5.6
 * (incremental updates: the last trailer wins), §7.5.7 (object streams), §7.5.8 (cross-reference
 * streams, hybrid files), Annex F (linearized files: the first-page trailer), §7.4.4.4 (PNG predictors).
 */
import type { ByteView } from '../tpm-common/byte-view.js';
import { latin1 } from '../tpm-common/findings.js';
import { asArray, asDict, asInt, asName, asRef, type PdfDict, type PdfRef } from './lexer.js';
import { readDictAt, readIndirect, resolveObject, scanForTrailer, streamData, type Context, type Located, type XrefEntry } from './objects.js';
import { decodeStream, readBE } from './streams.js';

/** Cross-reference sections followed at most (incremental updates plus hybrid streams). */
const MAX_SECTIONS = 64;
/** Bytes of the tail searched for `startxref` (writers may append junk after `%%EOF`). */
const STARTXREF_WINDOW = 16 * 1024;
/** First guess of a cross-reference section's length, read in one range. */
export const SECTION_GUESS = 32 * 1024;

export type { Located, XrefEntry };

export interface PdfStructure extends Context {
  /** The newest trailer (a `trailer` dictionary or a cross-reference stream's dictionary). */
  trailer?: Located & { kind: 'table' | 'stream' | 'scanned' };
  /** The `/Encrypt` entry of the newest trailer: where it is, and the dictionary when it could be read. */
  encrypt?: { keyAt: number; ref?: PdfRef; dict?: Located; via?: 'xref' | 'object-stream' | 'scan' };
}

/**
 * Reads what the view holds and notes in it the ranges still needed. `final` (in `detect`, when no
 * more bytes will come) falls back to scanning the bytes held even when parts are missing, and says
 * so in a problem.
 */
export function readStructure(view: ByteView, options: { final?: boolean } = {}): PdfStructure {
  const out: PdfStructure = { pending: false, problems: [] };
  const entries = new Map<number, XrefEntry>();
  const start = findStartxref(view, out);
  if (start !== undefined) walkSections(view, start, entries, out);
  if (!out.trailer && (!out.pending || options.final)) {
    const scanned = scanForTrailer(view, out);
    if (scanned) out.trailer = scanned;
  }
  if (options.final && out.pending) out.problems.push({ message: 'the cross-reference chain could not be read within the read limits' });
  const trailer = out.trailer;
  if (!trailer) return out;
  const enc = trailer.dict.map.get('Encrypt');
  if (enc === undefined) return out;
  const keyAt = trailer.at + (trailer.dict.keyAt.get('Encrypt') ?? 0);
  const direct = asDict(enc);
  if (direct) {
    out.encrypt = { keyAt, dict: { dict: direct, at: keyAt } };
    return out;
  }
  const ref = asRef(enc);
  out.encrypt = { keyAt, ...(ref ? { ref } : {}) };
  if (!ref) {
    out.problems.push({ message: '/Encrypt is neither a dictionary nor a reference', byteOffset: keyAt });
    return out;
  }
  const found = resolveObject(view, ref, entries, out);
  if (found) {
    out.encrypt.dict = found.located;
    out.encrypt.via = found.via;
  }
  return out;
}

function findStartxref(view: ByteView, out: PdfStructure): number | undefined {
  // %%EOF should be in the last 1 KiB (§7.5.5); writers that append junk get a wider window.
  let from = Math.max(0, view.size - 1024);
  let tail = view.get(from, view.size);
  let i = tail ? latin1(tail).lastIndexOf('startxref') : -1;
  if (i < 0 && view.size > 1024) {
    from = Math.max(0, view.size - STARTXREF_WINDOW);
    tail = view.get(from, view.size);
    i = tail ? latin1(tail).lastIndexOf('startxref') : -1;
  }
  if (!tail) {
    out.pending = true;
    return undefined;
  }
  if (i < 0) {
    out.problems.push({ message: 'no startxref in the last 16 KiB', byteOffset: view.size });
    return undefined;
  }
  const m = /^startxref\s+(\d{1,15})/.exec(latin1(tail.subarray(i, i + 40)));
  if (!m) {
    out.problems.push({ message: 'startxref without an offset', byteOffset: from + i });
    return undefined;
  }
  const offset = Number(m[1]);
  if (offset >= view.size) {
    out.problems.push({ message: `startxref points past the end of the file (${offset} ≥ ${view.size})`, byteOffset: from + i });
    return undefined;
  }
  return offset;
}

/** Follows the chain from the newest section; the first trailer met is the newest one. */
function walkSections(view: ByteView, first: number, entries: Map<number, XrefEntry>, out: PdfStructure): void {
  const queue: number[] = [first];
  const seen = new Set<number>();
  let count = 0;
  while (queue.length > 0) {
    const offset = queue.shift()!;
    if (seen.has(offset)) {
      out.problems.push({ message: `cyclic /Prev chain: section at ${offset} is visited twice`, byteOffset: offset });
      continue;
    }
    seen.add(offset);
    if (++count > MAX_SECTIONS) {
      out.problems.push({ message: `more than ${MAX_SECTIONS} cross-reference sections; the rest are not followed`, byteOffset: offset });
      return;
    }
    if (offset < 0 || offset >= view.size) {
      out.problems.push({ message: `cross-reference offset ${offset} is past the end of the file`, byteOffset: offset });
      continue;
    }
    const section = readSection(view, offset, entries, out);
    if (section === 'pending') {
      // Later sections only add older entries; without this one their precedence is unknown.
      out.pending = true;
      return;
    }
    if (!section) continue;
    if (!out.trailer) out.trailer = { ...section.trailer, kind: section.kind };
    if (!needsOlderSections(out.trailer.dict, entries)) return;
    // A hybrid file's /XRefStm is read before its /Prev (§7.5.8.4).
    const stm = asInt(section.trailer.dict.map.get('XRefStm'));
    const prev = asInt(section.trailer.dict.map.get('Prev'));
    if (stm !== undefined && section.kind === 'table') queue.push(stm);
    if (prev !== undefined) queue.push(prev);
  }
}

/**
 * Older sections matter only while the object /Encrypt names has not been located: the newest
 * trailer is authoritative, and a newer entry always wins over an older one.
 */
function needsOlderSections(trailer: PdfDict, entries: Map<number, XrefEntry>): boolean {
  const ref = asRef(trailer.map.get('Encrypt'));
  if (!ref) return false;
  const e = entries.get(ref.num);
  if (!e) return true;
  return e.type === 2 && !entries.has(e.stream);
}

type Section = { trailer: Located; kind: 'table' | 'stream' } | null | 'pending';

function readSection(view: ByteView, offset: number, entries: Map<number, XrefEntry>, out: PdfStructure): Section {
  const chunk = view.from(offset, 32);
  if (!chunk) {
    view.want(offset, offset + SECTION_GUESS);
    return 'pending';
  }
  const lead = latin1(chunk).replace(/^[\0\t\n\f\r ]+/, '');
  if (lead.startsWith('xref')) return readTable(view, offset, entries, out);
  if (/^\d+\s+\d+\s+obj/.test(lead) || chunk.length < 32) return readXrefStream(view, offset, entries, out);
  out.problems.push({ message: `no cross-reference section at offset ${offset}`, byteOffset: offset });
  return null;
}

function readTable(view: ByteView, offset: number, entries: Map<number, XrefEntry>, out: PdfStructure): Section {
  let pos = offset + latin1(view.from(offset, 64)!).indexOf('xref') + 4;
  for (let subsections = 0; subsections < 100_000; subsections++) {
    const line = view.from(pos, 64);
    if (!line || (line.length < 64 && pos + line.length < view.size)) {
      view.want(pos, pos + SECTION_GUESS);
      return 'pending';
    }
    const text = latin1(line);
    const trailer = /^\s*trailer/.exec(text);
    if (trailer) return readTrailerDict(view, pos + trailer[0].length, out);
    const head = /^\s*(\d{1,10})\s+(\d{1,10})[ \t]*(?:\r\n|\r|\n)?/.exec(text);
    if (!head) {
      out.problems.push({ message: 'malformed cross-reference subsection', byteOffset: pos });
      return null;
    }
    const firstNum = Number(head[1]);
    const n = Number(head[2]);
    const at = pos + head[0].length;
    // Each entry is 20 bytes; a count the rest of the file cannot hold is a lie.
    if (n * 19 > view.size - at) {
      out.problems.push({ message: `cross-reference subsection claims ${n} entries, more than the file holds`, byteOffset: pos });
      return null;
    }
    const stride = entryStride(view.from(at, 21));
    if (stride === null) {
      if (n === 0) {
        pos = at;
        continue;
      }
      if (!view.has(at, at + 21)) {
        view.want(at, at + SECTION_GUESS);
        return 'pending';
      }
      out.problems.push({ message: 'malformed cross-reference entry', byteOffset: at });
      return null;
    }
    const body = view.get(at, at + n * stride);
    if (!body) {
      view.want(at, at + n * stride + 4096);
      return 'pending';
    }
    for (let k = 0; k < n; k++) {
      const num = firstNum + k;
      if (entries.has(num)) continue;
      const e = k * stride;
      const kind = body[e + 17];
      if (kind === 0x6e /* n */) {
        entries.set(num, { type: 1, offset: Number(latin1(body.subarray(e, e + 10))), gen: Number(latin1(body.subarray(e + 11, e + 16))) });
      } else if (kind !== 0x66 /* f */) {
        out.problems.push({ message: 'malformed cross-reference entry', byteOffset: at + e });
        return null;
      }
    }
    pos = at + n * stride;
  }
  return null;
}

/** 20 bytes per entry as the spec says, or 19 for writers that end lines with a lone LF. */
function entryStride(b: Uint8Array | null): number | null {
  if (!b || b.length < 19) return null;
  if (!/^\d{10} \d{5} [nf]/.test(latin1(b.subarray(0, 18)))) return null;
  const c18 = b[18];
  const c19 = b[19];
  const eol = (c: number | undefined) => c === 0x0a || c === 0x0d;
  if ((c18 === 0x20 || c18 === 0x0d) && eol(c19)) return 20;
  if (c18 === 0x0a && c19 !== 0x0a && c19 !== 0x0d) return 19;
  return eol(c18) ? 20 : null;
}

function readTrailerDict(view: ByteView, pos: number, out: PdfStructure): Section {
  const got = readDictAt(view, pos, out);
  if (got === 'pending') return 'pending';
  if (!got) return null;
  return { trailer: got, kind: 'table' };
}

function readXrefStream(view: ByteView, offset: number, entries: Map<number, XrefEntry>, out: PdfStructure): Section {
  const obj = readIndirect(view, offset, out);
  if (obj === 'pending' || obj === null) return obj;
  const d = obj.dict.dict;
  if (asName(d.map.get('Type')) !== 'XRef') {
    out.problems.push({ message: `object at ${offset} is not a cross-reference stream`, byteOffset: offset });
    return null;
  }
  const w = (asArray(d.map.get('W')) ?? []).map((x) => asInt(x) ?? -1);
  const size = asInt(d.map.get('Size')) ?? 0;
  const index = (asArray(d.map.get('Index')) ?? [0, size]).map((x) => asInt(x) ?? -1);
  const rowLen = w.reduce((a, b) => a + b, 0);
  if (w.length !== 3 || w.some((x) => x < 0 || x > 8) || rowLen === 0 || index.length % 2 !== 0 || index.some((x) => x < 0)) {
    out.problems.push({ message: 'malformed cross-reference stream dictionary (/W or /Index)', byteOffset: obj.dict.at });
    return { trailer: obj.dict, kind: 'stream' };
  }
  let rows = 0;
  for (let i = 1; i < index.length; i += 2) rows += index[i]!;
  const data = streamData(view, obj, out);
  if (data === 'pending') return 'pending';
  if (data !== null) {
    const cap = rows * (rowLen + 1) + 1024;
    const decoded = decodeStream(d, data, cap, obj.streamAt ?? offset, out);
    if (decoded) {
      let row = 0;
      for (let i = 0; i < index.length; i += 2) {
        for (let k = 0; k < index[i + 1]! && (row + 1) * rowLen <= decoded.length; k++, row++) {
          const num = index[i]! + k;
          if (entries.has(num)) continue;
          const p = row * rowLen;
          const f = (j: number, start: number) => readBE(decoded, start, w[j]!);
          const type = w[0] === 0 ? 1 : f(0, p);
          const a = f(1, p + w[0]!);
          const b = f(2, p + w[0]! + w[1]!);
          if (type === 1) entries.set(num, { type: 1, offset: a, gen: b });
          else if (type === 2) entries.set(num, { type: 2, stream: a, index: b });
        }
      }
    }
  }
  // The dictionary is the trailer even when the entries cannot be read.
  return { trailer: obj.dict, kind: 'stream' };
}

export { documentId } from './objects.js';
