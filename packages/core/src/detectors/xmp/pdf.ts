/**
 * PDF: finds metadata streams (`/Type /Metadata`, `/Subtype /XML`) in the bytes read, inflates
 * FlateDecode ones under a cap, and tells the document's metadata (the one the catalog's
 * `/Metadata` names) from the metadata of pages, images or fonts.
 *
 * What is read: the head and tail first. Writers put the catalog near the start and the last
 * cross-reference section, trailer and any incremental update (where exiftool writes new metadata)
 * at the end. When the catalog or its metadata object is elsewhere, the cross-reference section
 * named by `startxref` (a classic table or a cross-reference stream, following `/Prev`) gives its
 * offset — or the object stream holding the catalog — and that range is asked for in a further
 * round. Without a usable xref, every metadata stream found is reported with `document: 'unknown'`,
 * and packets outside any stream dictionary that was read are found by the raw packet scan. When an
 * incremental update redefines a metadata object, only the current definition (the xref's, else the
 * last in the file) is reported: the older one is history.
 *
 * Reference: ISO 32000-1:2008 §7.3.8 (streams, /Length, /Filter), §7.5.4 (xref table), §7.5.5
 * (trailer), §7.5.6 (incremental updates: later sections win), §7.5.7 (object streams), §7.5.8
 * (cross-reference streams, /W, /Index, PNG predictors §7.4.4.4), §14.3.2 (metadata streams; the
 * catalog's /Metadata is the document's). An encrypted document's streams are ciphertext unless
 * `/EncryptMetadata false`; such metadata is reported unreadable, not guessed.
 */
import { latin1Text } from './bytes.js';
import { inflateBounded } from './inflate.js';
import { MAX_BLOCK_BYTES, STEP_BYTES, scanPackets, type Collector } from './locate.js';

/** Cross-reference sections followed at most along `/Prev`. */
const MAX_SECTIONS = 16;
/** Bytes asked for when an object is needed and its length is unknown (a catalog is a few hundred bytes; a longer metadata stream is then asked for by its /Length). */
const OBJECT_GUESS = 16 * 1024;

type XrefEntry = { type: 1; offset: number } | { type: 2; stream: number; index: number };

interface MetaStream {
  object: number;
  /** Offset of `N G obj`. */
  at: number;
  dataStart: number;
  /** End of the stream's data in the file, when known. */
  dataEnd: number;
  bytes: Uint8Array | null;
  complete: boolean;
  compressed: boolean;
  problem?: string;
}

export function locatePdf(out: Collector): void {
  const { view } = out;
  const texts = view.runs.map((r) => ({ start: r.start, bytes: r.bytes, text: latin1Text(r.bytes) }));
  const streams = findMetadataStreams(out, texts);
  const xref = readXref(out, texts);
  const encrypted = texts.some((t) => /\/Encrypt\s+\d+\s+\d+\s+R/.test(t.text) || /\/Encrypt\s*<</.test(t.text));

  // Which object is the document's metadata: the catalog's /Metadata.
  let documentObject: number | null = null;
  const root = lastMatch(texts, /\/Root\s+(\d+)\s+(\d+)\s+R/g);
  if (root) {
    const catalog = objectText(out, texts, Number(root[1]), xref);
    const meta = catalog ? /\/Metadata\s+(\d+)\s+(\d+)\s+R/.exec(catalog) : null;
    if (meta) {
      documentObject = Number(meta[1]);
      const entry = xref.get(documentObject);
      // The document's metadata stream was not in the bytes read: ask for it.
      if (entry?.type === 1 && !streams.some((s) => s.object === documentObject && s.at === entry.offset)) view.need(entry.offset, entry.offset + OBJECT_GUESS);
    }
  }

  // Several definitions of one object (incremental updates): the xref's offset, else the last in the file, is current.
  const current = new Map<number, MetaStream>();
  for (const s of streams) {
    const entry = xref.get(s.object);
    const prev = current.get(s.object);
    if (entry?.type === 1) {
      if (entry.offset === s.at) current.set(s.object, s);
      else if (!prev) current.set(s.object, s);
    } else if (!prev || prev.at < s.at) current.set(s.object, s);
  }
  for (const s of streams) {
    // An older definition replaced by an incremental update is history, not the file's metadata.
    if (current.get(s.object) !== s) continue;
    const document = documentObject === null ? 'unknown' : s.object === documentObject;
    let problem = s.problem;
    let bytes = s.bytes;
    // Ciphertext does not start like XML; say why it cannot be read rather than failing to parse it.
    if (encrypted && bytes && !/^\s*</.test(latin1Text(bytes.subarray(0, 64)))) {
      problem = 'encrypted';
      bytes = null;
    }
    out.add({
      kind: 'xmp',
      location: 'metadata-stream',
      byteOffset: s.dataStart,
      bytes,
      complete: bytes !== null && s.complete,
      compressed: s.compressed,
      ...(problem ? { problem } : {}),
      detail: { object: s.object, document },
    });
  }
  // Packets outside any metadata stream dictionary read (the dictionary was cut off, or is not marked).
  const before = out.blocks.length;
  scanPackets(
    out,
    streams.map((s) => ({ start: s.dataStart, end: Math.max(s.dataEnd, s.dataStart + 1) })),
  );
  for (let i = before; i < out.blocks.length; i++) out.blocks[i] = { ...out.blocks[i]!, detail: { document: 'unknown' } };
}

interface Text {
  start: number;
  bytes: Uint8Array;
  text: string;
}

function lastMatch(texts: readonly Text[], re: RegExp): RegExpExecArray | null {
  let best: { at: number; m: RegExpExecArray } | null = null;
  for (const t of texts) {
    re.lastIndex = 0;
    for (let m = re.exec(t.text); m; m = re.exec(t.text)) if (!best || t.start + m.index > best.at) best = { at: t.start + m.index, m };
  }
  return best?.m ?? null;
}

const META_DICT = /\/(?:Type\s*\/Metadata|Subtype\s*\/XML)\b/g;
/** Metadata dictionaries examined per file at most: each costs a look back and ahead of a few KB. */
const MAX_CANDIDATES = 256;

function findMetadataStreams(out: Collector, texts: readonly Text[]): MetaStream[] {
  const found = new Map<number, MetaStream>();
  let candidates = 0;
  for (const t of texts) {
    META_DICT.lastIndex = 0;
    for (let m = META_DICT.exec(t.text); m && candidates++ < MAX_CANDIDATES; m = META_DICT.exec(t.text)) {
      const back = t.text.slice(Math.max(0, m.index - 2048), m.index);
      const headers = [...back.matchAll(/(?<!\d)(\d+)\s+(\d+)\s+obj\b/g)];
      const h = headers[headers.length - 1];
      if (!h || /endobj/.test(back.slice(h.index))) continue;
      const at = t.start + Math.max(0, m.index - 2048) + h.index;
      if (found.has(at)) continue;
      const after = t.text.slice(m.index, m.index + 4096);
      const s = /\bstream(\r\n|\n|\r)/.exec(after);
      if (!s || /endobj/.test(after.slice(0, s.index))) continue;
      const dictEnd = m.index + s.index;
      const dict = t.text.slice(Math.max(0, m.index - 2048) + h.index, dictEnd);
      const dataStart = t.start + dictEnd + s[0].length;
      found.set(at, { object: Number(h[1]), at, dataStart, ...streamData(out, t, dict, dataStart) });
    }
  }
  return [...found.values()];
}

function streamData(out: Collector, t: Text, dict: string, dataStart: number): Pick<MetaStream, 'bytes' | 'complete' | 'compressed' | 'problem' | 'dataEnd'> {
  const { view } = out;
  const direct = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
  let raw: Uint8Array | null = null;
  let complete = true;
  if (direct) {
    const len = Number(direct[1]);
    if (len > MAX_BLOCK_BYTES) return { bytes: null, complete: false, compressed: false, problem: 'too-large', dataEnd: dataStart + len };
    raw = view.want(dataStart, Math.min(view.size, dataStart + len));
    if (raw && dataStart + len > view.size) complete = false;
    // Asked for exactly (the want above); the next round brings it. Only a direct length that runs
    // past the file is not trusted, and the data is then looked for up to `endstream`.
    if (!raw && dataStart + len <= view.size) {
      const from = dataStart - t.start;
      return { bytes: t.bytes.subarray(from), complete: false, compressed: false, problem: 'not-read', dataEnd: dataStart + len };
    }
  }
  if (!raw) {
    // Length indirect, lying, or the data not read: up to `endstream` in the bytes held.
    const from = dataStart - t.start;
    const end = t.text.indexOf('endstream', from);
    if (end >= 0 && end - from <= MAX_BLOCK_BYTES) raw = t.bytes.subarray(from, end);
    else {
      const runEnd = t.start + t.bytes.length;
      if (runEnd < view.size) view.need(runEnd, Math.min(view.size, dataStart + STEP_BYTES));
      return { bytes: t.bytes.subarray(from), complete: false, compressed: false, problem: runEnd < view.size ? 'not-read' : 'truncated', dataEnd: runEnd };
    }
  }
  return { ...decodeStream(dict, raw, complete), dataEnd: dataStart + raw.length };
}

function decodeStream(dict: string, raw: Uint8Array, complete: boolean): Pick<MetaStream, 'bytes' | 'complete' | 'compressed' | 'problem'> {
  const declared = /\/Filter\s*(\[[^\]]*\]|\/\w+)/.exec(dict)?.[1] ?? '';
  // The Identity crypt filter (the default one) leaves the data as it is (§7.4.10): it is no filter here.
  const identity = !/\/Name\s*\/(?!Identity\b)\w+/.test(dict);
  const filters = [...declared.matchAll(/\/(\w+)/g)].map((m) => m[1]!).filter((f) => !(f === 'Crypt' && identity));
  if (filters.length === 0) return { bytes: raw, complete, compressed: false };
  if (filters.length === 1 && (filters[0] === 'FlateDecode' || filters[0] === 'Fl')) {
    const inflated = inflateBounded(raw, { maxBytes: MAX_BLOCK_BYTES });
    if (!inflated.ok) return { bytes: null, complete: false, compressed: true, problem: inflated.problem };
    return { bytes: inflated.bytes, complete: complete && inflated.complete, compressed: true, ...(inflated.complete ? {} : { problem: 'truncated' }) };
  }
  return { bytes: null, complete: false, compressed: true, problem: `unsupported filter ${filters.join(' ').slice(0, 60)}` };
}

/** The cross-reference entries newest first, from `startxref` along `/Prev`; asks for sections not read. */
function readXref(out: Collector, texts: readonly Text[]): Map<number, XrefEntry> {
  const { view } = out;
  const entries = new Map<number, XrefEntry>();
  const last = texts[texts.length - 1];
  if (!last || last.start + last.bytes.length !== view.size) return entries;
  const sx = [...last.text.slice(-4096).matchAll(/startxref\s+(\d+)/g)].pop();
  if (!sx) return entries;
  let offset = Number(sx[1]);
  const visited = new Set<number>();
  for (let n = 0; n < MAX_SECTIONS && Number.isSafeInteger(offset) && offset > 0 && offset < view.size && !visited.has(offset); n++) {
    visited.add(offset);
    const at = view.from(offset, 4 * 1024 * 1024);
    if (!at || at.length < 64) {
      view.need(offset, offset + OBJECT_GUESS);
      break;
    }
    const text = latin1Text(at);
    const prev = /^\s*xref\b/.test(text) ? readTable(text, entries) : readXrefStream(at, text, entries);
    if (prev === null) break;
    offset = prev;
  }
  return entries;
}

/** A classic table; returns `/Prev` (or NaN when none, or null when unreadable). */
function readTable(text: string, entries: Map<number, XrefEntry>): number | null {
  const trailer = text.indexOf('trailer');
  if (trailer < 0) return null;
  const body = text.slice(0, trailer);
  const sub = /(\d+)\s+(\d+)\s*[\r\n]/g;
  let i = body.indexOf('xref') + 4;
  for (;;) {
    sub.lastIndex = i;
    const m = sub.exec(body);
    if (!m || body.slice(i, m.index).trim() !== '') break;
    const first = Number(m[1]);
    const count = Number(m[2]);
    let p = m.index + m[0].length;
    for (let k = 0; k < count && p < body.length; k++) {
      const line = /(\d{10})\s(\d{5})\s([nf])/.exec(body.slice(p, p + 24));
      if (!line) return null;
      if (line[3] === 'n' && !entries.has(first + k)) entries.set(first + k, { type: 1, offset: Number(line[1]) });
      p += line.index + line[0].length;
    }
    i = p;
  }
  const dict = text.slice(trailer, trailer + 4096);
  const prev = /\/Prev\s+(\d+)/.exec(dict);
  return prev ? Number(prev[1]) : NaN;
}

/** A cross-reference stream (§7.5.8); returns `/Prev`, NaN when none, null when unreadable. */
function readXrefStream(bytes: Uint8Array, text: string, entries: Map<number, XrefEntry>): number | null {
  const head = /^\s*\d+\s+\d+\s+obj\s*<<([\s\S]*?)>>\s*stream(\r\n|\n|\r)/.exec(text.slice(0, 8192));
  if (!head || !/\/Type\s*\/XRef/.test(head[1]!)) return null;
  const dict = head[1]!;
  const w = /\/W\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(dict);
  const size = /\/Size\s+(\d+)/.exec(dict);
  const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
  if (!w || !size || !length) return null;
  const widths = [Number(w[1]), Number(w[2]), Number(w[3])];
  if (widths.some((x) => x > 8)) return null;
  const start = head.index + head[0].length;
  const raw = bytes.subarray(start, start + Number(length[1]));
  let data: Uint8Array = raw;
  if (/\/Filter\s*\/(?:FlateDecode|Fl)\b/.test(dict)) {
    const inflated = inflateBounded(raw, { maxBytes: MAX_BLOCK_BYTES });
    if (!inflated.ok) return null;
    data = inflated.bytes;
  } else if (/\/Filter/.test(dict)) return null;
  const rowLen = widths[0]! + widths[1]! + widths[2]!;
  const predictor = /\/Predictor\s+(\d+)/.exec(dict);
  if (predictor && Number(predictor[1]) >= 10) {
    const columns = Number(/\/Columns\s+(\d+)/.exec(dict)?.[1] ?? 1);
    if (columns !== rowLen) return null;
    data = unpredict(data, columns);
  }
  const index = /\/Index\s*\[([\d\s]*)\]/.exec(dict);
  const ranges = index ? index[1]!.trim().split(/\s+/).map(Number) : [0, Number(size[1])];
  let row = 0;
  for (let r = 0; r + 1 < ranges.length; r += 2) {
    for (let k = 0; k < ranges[r + 1]! && (row + 1) * rowLen <= data.length; k++, row++) {
      const o = row * rowLen;
      const type = widths[0] === 0 ? 1 : field(data, o, widths[0]!);
      const a = field(data, o + widths[0]!, widths[1]!);
      const b = field(data, o + widths[0]! + widths[1]!, widths[2]!);
      const num = ranges[r]! + k;
      if (entries.has(num)) continue;
      if (type === 1) entries.set(num, { type: 1, offset: a });
      else if (type === 2) entries.set(num, { type: 2, stream: a, index: b });
    }
  }
  const prev = /\/Prev\s+(\d+)/.exec(dict);
  return prev ? Number(prev[1]) : NaN;
}

function field(b: Uint8Array, at: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + b[at + i]!;
  return v;
}

/** Undoes PNG row predictors (one filter-type byte per row), as xref streams use with /Predictor ≥ 10. */
function unpredict(data: Uint8Array, columns: number): Uint8Array {
  const rows = Math.floor(data.length / (columns + 1));
  const out = new Uint8Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (columns + 1)]!;
    for (let c = 0; c < columns; c++) {
      const x = data[r * (columns + 1) + 1 + c]!;
      const up = r > 0 ? out[(r - 1) * columns + c]! : 0;
      const left = c > 0 ? out[r * columns + c - 1]! : 0;
      const upLeft = r > 0 && c > 0 ? out[(r - 1) * columns + c - 1]! : 0;
      let v = x;
      if (type === 1) v = x + left;
      else if (type === 2) v = x + up;
      else if (type === 3) v = x + ((left + up) >> 1);
      else if (type === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        v = x + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
      }
      out[r * columns + c] = v & 0xff;
    }
  }
  return out;
}

/**
 * The text of object `num` (its dictionary, up to `endobj`): from the bytes read (the last
 * definition), else from its xref offset or its object stream — asking for those bytes when needed.
 */
function objectText(out: Collector, texts: readonly Text[], num: number, xref: Map<number, XrefEntry>): string | null {
  const { view } = out;
  const entry = xref.get(num);
  if (entry?.type === 1) {
    const got = view.from(entry.offset, OBJECT_GUESS);
    if (got) {
      const text = latin1Text(got);
      if (new RegExp(`^\\s*${num}\\s+\\d+\\s+obj\\b`).test(text)) return untilEndobj(text);
    } else {
      view.need(entry.offset, entry.offset + OBJECT_GUESS);
      return null;
    }
  }
  if (entry?.type === 2) return fromObjectStream(out, num, entry, xref);
  const m = lastMatch(texts, new RegExp(`(?<![0-9])${num}\\s+\\d+\\s+obj\\b`, 'g'));
  if (!m) return null;
  return untilEndobj(m.input.slice(m.index));
}

function untilEndobj(text: string): string {
  const end = text.indexOf('endobj');
  return text.slice(0, end >= 0 ? Math.min(end, OBJECT_GUESS) : OBJECT_GUESS);
}

function fromObjectStream(out: Collector, num: number, entry: { stream: number; index: number }, xref: Map<number, XrefEntry>): string | null {
  const { view } = out;
  const holder = xref.get(entry.stream);
  if (holder?.type !== 1) return null;
  const got = view.from(holder.offset, MAX_BLOCK_BYTES);
  if (!got) {
    view.need(holder.offset, holder.offset + OBJECT_GUESS);
    return null;
  }
  const text = latin1Text(got.subarray(0, 8192));
  const head = /^\s*\d+\s+\d+\s+obj\s*<<([\s\S]*?)>>\s*stream(\r\n|\n|\r)/.exec(text);
  if (!head) return null;
  const dict = head[1]!;
  const length = Number(/\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict)?.[1] ?? NaN);
  const first = Number(/\/First\s+(\d+)/.exec(dict)?.[1] ?? NaN);
  if (!Number.isSafeInteger(length) || !Number.isSafeInteger(first)) return null;
  const start = head.index + head[0].length;
  if (start + length > got.length) {
    view.need(holder.offset, holder.offset + start + length);
    return null;
  }
  let data = got.subarray(start, start + length);
  if (/\/Filter\s*\/(?:FlateDecode|Fl)\b/.test(dict)) {
    const inflated = inflateBounded(data, { maxBytes: MAX_BLOCK_BYTES });
    if (!inflated.ok) return null;
    data = inflated.bytes;
  } else if (/\/Filter/.test(dict)) return null;
  const body = latin1Text(data);
  const pairs = body.slice(0, first).trim().split(/\s+/).map(Number);
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    if (pairs[i] !== num) continue;
    const from = first + pairs[i + 1]!;
    const next = i + 3 < pairs.length ? first + pairs[i + 3]! : body.length;
    return body.slice(from, Math.max(from, next));
  }
  return null;
}
