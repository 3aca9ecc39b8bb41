/**
 * JPEG: walks the marker segments before the image data (SOS) and collects XMP (APP1), extended XMP
 * (APP1, reassembled by GUID) and JUMBF boxes (APP11, reassembled by box instance and sequence).
 *
 * What is read: the segments lie one after another from SOI, each header giving its length, so the
 * walk asks for the metadata segments it reaches beyond the bytes read (APP1, APP11, APP13) and a
 * look-ahead window where the next header is unread; it stops at SOS. The image data, which is
 * nearly all of the file, is never read.
 *
 * Reference: ITU T.81 Annex B (marker segments); XMP Specification Part 3 (2020) §1.1.3 "JPEG"
 * (standard and extended XMP: signature, 32-byte GUID, full length, offset); ISO/IEC 19566-5
 * (JUMBF) and ISO/IEC 18477-3 (JPEG XT box-based APP11 segments: `JP`, En, Z, then the box header
 * repeated in every segment); C2PA Specification 2.1 §A.3.1 "Embedding manifests into JPEG".
 */
import { ascii, startsWith, u16be, u32be, u64be } from './bytes.js';
import { MAX_BLOCK_BYTES, type Collector } from './locate.js';

const XMP_SIG = ascii('http://ns.adobe.com/xap/1.0/\0');
const EXT_SIG = ascii('http://ns.adobe.com/xmp/extension/\0');
/** Segments looked at, at most: a hostile file of millions of empty segments ends here. */
const MAX_SEGMENTS = 4096;

interface ExtendedPart {
  total: number;
  offset: number;
  data: Uint8Array;
  at: number;
}

interface JumbfPart {
  seq: number;
  header: Uint8Array;
  declared: number;
  data: Uint8Array;
  at: number;
}

export function locateJpeg(out: Collector): void {
  const { view } = out;
  const extended = new Map<string, ExtendedPart[]>();
  const jumbf = new Map<number, JumbfPart[]>();
  let pos = 2;
  for (let n = 0; n < MAX_SEGMENTS && pos + 4 <= view.size; n++) {
    const hdr = view.get(pos, pos + 4);
    if (hdr === null) {
      view.ahead(pos);
      break;
    }
    if (hdr[0] !== 0xff) break; // not a marker: corrupt, stop rather than guess
    const marker = hdr[1]!;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xd8) {
      pos += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // image data or end: no metadata segments follow in the main image
    const len = u16be(hdr, 2);
    if (len < 2) break;
    const start = pos + 4;
    const end = pos + 2 + len;
    if (end > view.size) break; // truncated segment
    if (marker === 0xe1 || marker === 0xeb || marker === 0xed) {
      // APP1 (EXIF, XMP), APP11 (JUMBF) and APP13 (Photoshop IPTC, read by media-rights) are asked for
      // whole: every detector reading embedded metadata then asks for the same ranges, read once.
      // Past an unread one the walk goes on, so that the next header is asked for in the same round.
      const payload = view.want(start, end);
      if (payload !== null && marker === 0xe1) app1(out, payload, start, extended);
      else if (payload !== null && marker === 0xeb) app11(payload, start, jumbf);
    }
    pos = end;
  }
  for (const [guid, parts] of extended) assembleExtended(out, guid, parts);
  for (const [instance, parts] of jumbf) assembleJumbf(out, instance, parts);
}

function app1(out: Collector, payload: Uint8Array, at: number, extended: Map<string, ExtendedPart[]>): void {
  if (startsWith(payload, XMP_SIG)) {
    out.add({ kind: 'xmp', location: 'app1', byteOffset: at + XMP_SIG.length, bytes: payload.subarray(XMP_SIG.length) });
    return;
  }
  if (startsWith(payload, EXT_SIG) && payload.length >= EXT_SIG.length + 40) {
    const p = EXT_SIG.length;
    const guid = String.fromCharCode(...payload.subarray(p, p + 32));
    const total = u32be(payload, p + 32);
    const offset = u32be(payload, p + 36);
    const list = extended.get(guid) ?? [];
    list.push({ total, offset, data: payload.subarray(p + 40), at: at + p + 40 });
    extended.set(guid, list);
  }
}

function app11(payload: Uint8Array, at: number, jumbf: Map<number, JumbfPart[]>): void {
  // CI "JP", En (box instance), Z (sequence, from 1), then LBox, TBox and, when LBox is 1, XLBox.
  if (payload.length < 16 || payload[0] !== 0x4a || payload[1] !== 0x50) return;
  const instance = u16be(payload, 2);
  const seq = u32be(payload, 4);
  const lbox = u32be(payload, 8);
  let headerLen = 8;
  let declared = lbox;
  if (lbox === 1) {
    if (payload.length < 24) return;
    declared = u64be(payload, 16);
    headerLen = 16;
  }
  const list = jumbf.get(instance) ?? [];
  list.push({ seq, header: payload.subarray(8, 8 + headerLen), declared, data: payload.subarray(8 + headerLen), at: at + 8 });
  jumbf.set(instance, list);
}

function assembleExtended(out: Collector, guid: string, parts: ExtendedPart[]): void {
  const total = parts[0]!.total;
  const at = parts[0]!.at;
  const detail = { guid };
  if (total > MAX_BLOCK_BYTES) {
    out.add({ kind: 'xmp', location: 'app1-extended', byteOffset: at, bytes: null, problem: 'too-large', detail });
    return;
  }
  // A part that lies about its place or the total is dropped, not written out of bounds; memory
  // follows the parts present, not the total a segment claims.
  const valid = parts.filter((p) => p.total === total && p.offset + p.data.length <= total).sort((a, b) => a.offset - b.offset);
  const reach = valid.reduce((m, p) => Math.max(m, p.offset + p.data.length), 0);
  const covered = valid.reduce((n, p) => n + p.data.length, 0);
  const complete = covered === total && reach === total;
  if (!complete) {
    // Not parsed, only searched: the parts in order, without the gaps a lying offset would make us allocate.
    out.add({ kind: 'xmp', location: 'app1-extended', byteOffset: at, bytes: concat(valid.map((p) => p.data)), complete: false, problem: 'truncated', detail });
    return;
  }
  const bytes = new Uint8Array(total);
  for (const p of valid) bytes.set(p.data, p.offset);
  out.add({ kind: 'xmp', location: 'app1-extended', byteOffset: at, bytes, detail });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function assembleJumbf(out: Collector, instance: number, parts: JumbfPart[]): void {
  parts.sort((a, b) => a.seq - b.seq);
  const first = parts[0]!;
  const declared = first.declared;
  const detail = { instance };
  if (!Number.isFinite(declared) || declared > MAX_BLOCK_BYTES) {
    out.add({ kind: 'jumbf', location: 'app11', byteOffset: first.at, bytes: null, problem: 'too-large', detail });
    return;
  }
  if (declared < first.header.length) {
    out.add({ kind: 'jumbf', location: 'app11', byteOffset: first.at, bytes: null, problem: 'malformed', detail });
    return;
  }
  // The box header once, then each segment's data in sequence order; duplicates and gaps make it incomplete.
  // Memory follows the bytes present, not the length the box claims.
  const present = parts.reduce((n, p) => n + p.data.length, first.header.length);
  const bytes = new Uint8Array(Math.min(declared, present));
  bytes.set(first.header, 0);
  let pos = first.header.length;
  let expected = first.seq;
  let complete = true;
  for (const p of parts) {
    // A gap or a repeat makes the box incomplete; the data is still kept (unparsed) so that a reader can
    // tell what it mentions.
    if (p.seq !== expected) complete = false;
    expected = p.seq + 1;
    const take = Math.min(p.data.length, declared - pos);
    bytes.set(p.data.subarray(0, take), pos);
    pos += take;
  }
  complete = complete && pos === declared;
  out.add({
    kind: 'jumbf',
    location: 'app11',
    byteOffset: first.at,
    bytes: complete ? bytes : bytes.subarray(0, pos),
    complete,
    ...(complete ? {} : { problem: 'truncated' }),
    detail,
  });
}
