/**
 * ISO base media files — HEIF/HEIC, AVIF, MP4, MOV, 3GP: walks the top-level boxes and collects
 * - XMP in a top-level `uuid` box BE7ACFCB-97A9-42E8-9C71-999491E3AFAC (Adobe, MP4/MOV),
 * - XMP in `moov/udta/XMP_` (QuickTime),
 * - XMP as a HEIF item of type `mime` with content type `application/rdf+xml`, located with `iloc`
 *   (in the file, or in `idat`), inflated when its content encoding is `deflate`,
 * - C2PA manifest stores in a top-level `uuid` box D8FEC3D6-1B0E-483C-9297-5828877EC481 (after its
 *   version/flags, purpose string and, for `manifest`, an 8-byte offset).
 *
 * Reference: ISO/IEC 14496-12 §4.2 (box header, largesize, size 0 = to the end, `uuid`), §8.11.3
 * (`iloc` versions 0–2), §8.11.6 (`iinf`/`infe` versions 0–3); ISO/IEC 23008-12 §6.4 (HEIF
 * metadata items); XMP Specification Part 3 (2020) §1.2.5 "MPEG-4"; C2PA Specification 2.1
 * §A.4 "Embedding manifests into BMFF-based assets".
 */
import { cString, fourcc, u16be, u32be, u64be } from './bytes.js';
import { inflateBounded } from './inflate.js';
import { MAX_BLOCK_BYTES, type Collector } from './locate.js';

const XMP_UUID = 'be7acfcb97a942e89c71999491e3afac';
const C2PA_UUID = 'd8fec3d61b0e483c92975828877ec481';
const MAX_BOXES = 10_000;
/** A `meta` or `moov` box larger than this is not read whole for its metadata. */
const MAX_CONTAINER = 8 * 1024 * 1024;

interface Box {
  type: string;
  start: number;
  /** Where the payload starts (after size, type, largesize and, for `uuid`, the 16-byte type). */
  body: number;
  end: number;
  uuid?: string;
}

/** Reads the box header at `pos` from `bytes` (positioned at `base` in the file); null when it does not fit. */
function boxAt(bytes: Uint8Array, i: number, base: number, limit: number): Box | null | 'short' {
  if (i + 8 > bytes.length) return 'short';
  const size32 = u32be(bytes, i);
  const type = fourcc(bytes, i + 4);
  let header = 8;
  let size = size32;
  if (size32 === 1) {
    if (i + 16 > bytes.length) return 'short';
    size = u64be(bytes, i + 8);
    header = 16;
  } else if (size32 === 0) size = limit - (base + i);
  if (!Number.isFinite(size) || size < header || base + i + size > limit) return null;
  const box: Box = { type, start: base + i, body: base + i + header, end: base + i + size };
  if (type === 'uuid') {
    if (i + header + 16 > bytes.length) return 'short';
    box.uuid = Buffer.from(bytes.subarray(i + header, i + header + 16)).toString('hex');
    box.body += 16;
    if (box.body > box.end) return null;
  }
  return box;
}

export function locateBmff(out: Collector): void {
  const { view } = out;
  let pos = 0;
  for (let n = 0; n < MAX_BOXES && pos + 8 <= view.size; n++) {
    const bytes = view.get(pos, Math.min(view.size, pos + 32));
    if (bytes === null) {
      view.ahead(pos); // the next top-level box: one look-ahead past the box just jumped over (mdat)
      return;
    }
    const box = boxAt(bytes, 0, pos, view.size);
    if (box === 'short' || box === null) return; // truncated or lying size: stop
    if (box.type === 'uuid' && box.uuid === XMP_UUID) out.addRange('xmp', 'uuid', box.body, box.end);
    else if (box.type === 'uuid' && box.uuid === C2PA_UUID) c2paBox(out, box);
    else if (box.type === 'meta') meta(out, box);
    else if (box.type === 'moov') moov(out, box);
    pos = box.end;
  }
}

/** The bytes of a container box, or null (asked for when small enough). */
function whole(out: Collector, box: Box): Uint8Array | null {
  if (box.end - box.start > MAX_CONTAINER) return null;
  return out.view.want(box.start, box.end);
}

function children(bytes: Uint8Array, from: number, base: number, end: number): Box[] {
  const out: Box[] = [];
  let i = from;
  while (i + 8 <= end - base && out.length < MAX_BOXES) {
    const b = boxAt(bytes, i, base, end);
    if (b === 'short' || b === null) break;
    out.push(b);
    i = b.end - base;
  }
  return out;
}

function c2paBox(out: Collector, box: Box): void {
  // FullBox version and flags, purpose (NUL-terminated), then for "manifest" an 8-byte merkle offset, then JUMBF.
  const head = out.view.want(box.body, Math.min(box.end, box.body + 64));
  if (head === null) return;
  const purpose = cString(head, 4, 32);
  if (!purpose) return;
  if (purpose.text !== 'manifest') return;
  const start = box.body + purpose.next + 8;
  if (start > box.end) return;
  out.addRange('jumbf', 'uuid', start, box.end);
}

function moov(out: Collector, box: Box): void {
  const bytes = whole(out, box);
  if (bytes === null) return;
  for (const child of children(bytes, box.body - box.start, box.start, box.end)) {
    if (child.type !== 'udta') continue;
    for (const u of children(bytes, child.body - box.start, box.start, child.end)) {
      if (u.type === 'XMP_') out.add({ kind: 'xmp', location: 'udta-XMP_', byteOffset: u.body, bytes: bytes.subarray(u.body - box.start, u.end - box.start) });
    }
  }
}

interface Item {
  id: number;
  type: string;
  contentType?: string;
  encoding?: string;
}

interface Extent {
  offset: number;
  length: number;
}

function meta(out: Collector, box: Box): void {
  const bytes = whole(out, box);
  if (bytes === null) return;
  const base = box.start;
  // meta is a FullBox: 4 bytes of version and flags before its children.
  const kids = children(bytes, box.body - base + 4, base, box.end);
  const items = new Map<number, Item>();
  const locations = new Map<number, { method: number; extents: Extent[] }>();
  let idat: Box | undefined;
  for (const k of kids) {
    const body = bytes.subarray(k.body - base, k.end - base);
    if (k.type === 'iinf') for (const it of parseIinf(body)) items.set(it.id, it);
    else if (k.type === 'iloc') for (const [id, loc] of parseIloc(body)) locations.set(id, loc);
    else if (k.type === 'idat') idat = k;
  }
  for (const it of items.values()) {
    if (it.type !== 'mime' || it.contentType?.split(';')[0]?.trim().toLowerCase() !== 'application/rdf+xml') continue;
    const loc = locations.get(it.id);
    // Construction method 2 (data from another item) is not used for metadata; not followed.
    if (!loc || loc.extents.length === 0 || loc.method > 1) continue;
    const detail = { item: it.id };
    const total = loc.extents.reduce((n, e) => n + e.length, 0);
    if (total > MAX_BLOCK_BYTES) {
      out.add({ kind: 'xmp', location: 'mime-item', byteOffset: loc.extents[0]!.offset, bytes: null, problem: 'too-large', detail });
      continue;
    }
    const parts: Uint8Array[] = [];
    let missing = false;
    for (const e of loc.extents) {
      const start = loc.method === 1 ? (idat ? idat.body + e.offset : NaN) : e.offset;
      const got = Number.isSafeInteger(start) ? out.view.want(start, start + e.length) : null;
      if (got === null) missing = true;
      else parts.push(got);
    }
    const at = loc.method === 1 && idat ? idat.body + loc.extents[0]!.offset : loc.extents[0]!.offset;
    if (missing) {
      out.add({ kind: 'xmp', location: 'mime-item', byteOffset: at, bytes: null, problem: 'not-read', detail });
      continue;
    }
    const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (it.encoding && it.encoding.toLowerCase() === 'deflate') {
      const inflated = inflateBounded(data, { maxBytes: MAX_BLOCK_BYTES });
      if (inflated.ok) out.add({ kind: 'xmp', location: 'mime-item', byteOffset: at, bytes: inflated.bytes, compressed: true, complete: inflated.complete, detail });
      else out.add({ kind: 'xmp', location: 'mime-item', byteOffset: at, bytes: null, compressed: true, problem: inflated.problem, detail });
    } else if (it.encoding) {
      out.add({ kind: 'xmp', location: 'mime-item', byteOffset: at, bytes: null, problem: `unsupported content encoding ${it.encoding.slice(0, 32)}`, detail });
    } else out.add({ kind: 'xmp', location: 'mime-item', byteOffset: at, bytes: data, detail });
  }
}

function parseIinf(body: Uint8Array): Item[] {
  if (body.length < 6) return [];
  const version = body[0]!;
  let i = 4;
  const count = version === 0 ? u16be(body, i) : u32be(body, i);
  i += version === 0 ? 2 : 4;
  const out: Item[] = [];
  for (const b of children(body, i, 0, body.length)) {
    if (b.type !== 'infe' || out.length >= count) continue;
    const it = parseInfe(body.subarray(b.body, b.end));
    if (it) out.push(it);
  }
  return out;
}

function parseInfe(b: Uint8Array): Item | null {
  if (b.length < 8) return null;
  const version = b[0]!;
  let i = 4;
  if (version < 2) {
    // item_ID, protection index, name, content type, content encoding.
    const id = u16be(b, i);
    i += 4;
    const name = cString(b, i);
    if (!name) return null;
    const ct = cString(b, name.next);
    const enc = ct ? cString(b, ct.next) : null;
    return { id, type: 'mime', ...(ct ? { contentType: ct.text } : {}), ...(enc?.text ? { encoding: enc.text } : {}) };
  }
  const idSize = version === 2 ? 2 : 4;
  if (b.length < i + idSize + 6) return null;
  const id = version === 2 ? u16be(b, i) : u32be(b, i);
  i += idSize + 2;
  const type = fourcc(b, i);
  i += 4;
  const name = cString(b, i);
  if (!name) return { id, type };
  if (type !== 'mime') return { id, type };
  const ct = cString(b, name.next);
  const enc = ct ? cString(b, ct.next) : null;
  return { id, type, ...(ct ? { contentType: ct.text } : {}), ...(enc?.text ? { encoding: enc.text } : {}) };
}

function readSized(b: Uint8Array, i: number, size: number): number {
  switch (size) {
    case 0:
      return 0;
    case 4:
      return u32be(b, i);
    case 8:
      return u64be(b, i);
    default:
      return NaN;
  }
}

function parseIloc(b: Uint8Array): Map<number, { method: number; extents: Extent[] }> {
  const out = new Map<number, { method: number; extents: Extent[] }>();
  if (b.length < 8) return out;
  const version = b[0]!;
  if (version > 2) return out;
  const offsetSize = b[4]! >> 4;
  const lengthSize = b[4]! & 15;
  const baseSize = b[5]! >> 4;
  const indexSize = version > 0 ? b[5]! & 15 : 0;
  let i = 6;
  const count = version < 2 ? u16be(b, i) : u32be(b, i);
  i += version < 2 ? 2 : 4;
  for (let k = 0; k < count && k < MAX_BOXES; k++) {
    const idSize = version < 2 ? 2 : 4;
    if (i + idSize > b.length) break;
    const id = version < 2 ? u16be(b, i) : u32be(b, i);
    i += idSize;
    let method = 0;
    if (version > 0) {
      if (i + 2 > b.length) break;
      method = u16be(b, i) & 15;
      i += 2;
    }
    i += 2; // data reference index
    if (i + baseSize + 2 > b.length) break;
    const base = readSized(b, i, baseSize);
    i += baseSize;
    const extentCount = u16be(b, i);
    i += 2;
    const extents: Extent[] = [];
    for (let e = 0; e < extentCount; e++) {
      if (i + indexSize + offsetSize + lengthSize > b.length) return out;
      i += indexSize;
      const off = readSized(b, i, offsetSize);
      i += offsetSize;
      const len = readSized(b, i, lengthSize);
      i += lengthSize;
      if (Number.isSafeInteger(base + off) && Number.isSafeInteger(len)) extents.push({ offset: base + off, length: len });
    }
    out.set(id, { method, extents });
  }
  return out;
}
