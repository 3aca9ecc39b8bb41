/**
 * PNG: walks the chunks from the signature and collects XMP (`iTXt` with keyword
 * `XML:com.adobe.xmp`, inflated when compressed) and C2PA manifest stores (`caBX`). Metadata chunks
 * may also follow the image data; the chunk chain cannot be followed through thousands of IDAT
 * chunks cheaply, so the tail is searched for those two chunk types, each accepted only when its
 * length fits and its CRC-32 is right (a chance match in compressed pixels fails the CRC).
 *
 * Reference: PNG Specification (Third Edition, W3C 2025) §5.3 chunk layout, §11.3.3.4 iTXt;
 * XMP Specification Part 3 (2020) §1.1.4 "PNG"; C2PA Specification 2.1 §A.3.2 "Embedding manifests
 * into PNG" (`caBX`).
 */
import { crc32 } from 'node:zlib';
import { ascii, cString, fourcc, indexOf, u32be, type ByteView } from './bytes.js';
import { inflateBounded } from './inflate.js';
import { MAX_BLOCK_BYTES, type Collector } from './locate.js';

const XMP_KEYWORD = 'XML:com.adobe.xmp';
/** Chunks looked at, at most. */
const MAX_CHUNKS = 100_000;

/**
 * Walks a PNG file's chunks in order and calls `visit(type, pos, length)` for each whole one. Where
 * the view's bytes stop before the image data, it asks to read ahead (metadata chunks are likely
 * next); after it, it stops and says so (`stoppedInImageData`): a tail search covers the end. A lying
 * length ends the walk. `ended` says the walk reached IEND.
 */
export function walkPngChunks(view: ByteView, visit: (type: string, pos: number, length: number) => void): { ended: boolean; stoppedInImageData: boolean } {
  let pos = 8;
  let afterIdat = false;
  for (let n = 0; n < MAX_CHUNKS && pos + 12 <= view.size; n++) {
    const hdr = view.get(pos, pos + 8);
    if (hdr === null) {
      if (!afterIdat) view.ahead(pos);
      return { ended: false, stoppedInImageData: afterIdat };
    }
    const len = u32be(hdr, 0);
    const type = fourcc(hdr, 4);
    if (len > 0x7fffffff || pos + 12 + len > view.size) break; // lying length: stop
    if (type === 'IDAT') afterIdat = true;
    visit(type, pos, len);
    if (type === 'IEND') return { ended: true, stoppedInImageData: false };
    pos += 12 + len;
  }
  return { ended: false, stoppedInImageData: false };
}

export function locatePng(out: Collector): void {
  const { view } = out;
  const seen = new Set<number>();
  const walk = walkPngChunks(view, (type, pos, len) => {
    if (type === 'iTXt' || type === 'caBX') {
      const data = view.want(pos + 8, pos + 8 + len);
      if (data !== null) handle(out, type, data, pos + 8);
      seen.add(pos);
    } else if ((type === 'tEXt' || type === 'zTXt' || type === 'eXIf') && len <= MAX_BLOCK_BYTES) {
      // Read by media-rights: asked for here too, so that every detector reading embedded metadata asks for the same ranges.
      view.want(pos + 8, pos + 12 + len);
    }
  });
  if (walk.ended) return;
  if (walk.stoppedInImageData) out.stoppedInImageData = true;
  searchTail(out, seen);
}

function handle(out: Collector, type: string, data: Uint8Array, at: number): void {
  if (type === 'caBX') {
    out.add({ kind: 'jumbf', location: 'caBX', byteOffset: at, bytes: data });
    return;
  }
  // iTXt: keyword NUL, compression flag, method, language tag NUL, translated keyword NUL, text.
  const keyword = cString(data, 0, 80);
  if (keyword?.text !== XMP_KEYWORD) return;
  let i = keyword.next;
  const compressed = data[i] === 1;
  i += 2;
  const lang = cString(data, i);
  if (!lang) return;
  const translated = cString(data, lang.next);
  if (!translated) return;
  const text = data.subarray(translated.next);
  if (!compressed) {
    out.add({ kind: 'xmp', location: 'iTXt', byteOffset: at + translated.next, bytes: text });
    return;
  }
  const inflated = inflateBounded(text, { maxBytes: MAX_BLOCK_BYTES });
  if (!inflated.ok) out.add({ kind: 'xmp', location: 'iTXt', byteOffset: at + translated.next, bytes: null, compressed: true, problem: inflated.problem });
  else out.add({ kind: 'xmp', location: 'iTXt', byteOffset: at + translated.next, bytes: inflated.bytes, compressed: true, complete: inflated.complete, ...(inflated.complete ? {} : { problem: 'truncated' }) });
}

const TYPES = [ascii('iTXt'), ascii('caBX')];
const IDAT = ascii('IDAT');
const IEND = ascii('IEND');

/** Bytes of a PNG's end read first when its chunks cannot be walked past the image data. */
export const PNG_TAIL_BYTES = 16 * 1024;
/** Bytes of a PNG's end read at most when the first tail does not reach back to the image data. */
export const PNG_TAIL_MAX_BYTES = 256 * 1024;

/**
 * Whether the bytes read at the end of a PNG hold every chunk after the image data: an `IDAT` chunk
 * whose length leads, chunk by chunk, to `IEND` at the very end of the file. When so, no metadata
 * chunk can lie between the image data and the tail unread; when not (metadata larger than the tail
 * after IDAT), a longer tail is worth reading.
 */
export function pngTailCovered(view: ByteView): boolean {
  for (const run of view.runs) {
    if (run.start === 0 || run.start + run.bytes.length !== view.size) continue;
    // Bounded: a tail stuffed with the letters IDAT costs at most 64 candidates of 1000 steps each.
    let candidates = 0;
    for (let i = indexOf(run.bytes, IDAT, 4); i >= 0 && candidates++ < 64; i = indexOf(run.bytes, IDAT, i + 1)) {
      let pos = i - 4;
      for (let n = 0; n < 1000 && pos + 12 <= run.bytes.length; n++) {
        const len = u32be(run.bytes, pos);
        if (pos + 12 + len === run.bytes.length && indexOf(run.bytes.subarray(pos + 4, pos + 8), IEND) === 0) return true;
        pos += 12 + len;
      }
    }
  }
  return false;
}

/** Finds metadata chunks in read bytes past the walk (the tail), checking each one's length and CRC. */
function searchTail(out: Collector, seen: Set<number>): void {
  const { view } = out;
  // Each candidate costs a CRC over its claimed length: a tail stuffed with chunk types costs at most this many.
  let candidates = 0;
  for (const run of view.runs) {
    if (run.start === 0) continue; // the head was walked
    for (const t of TYPES) {
      for (let i = indexOf(run.bytes, t, 4); i >= 0 && candidates++ < 64 && out.open; i = indexOf(run.bytes, t, i + 1)) {
        const pos = run.start + i - 4;
        if (seen.has(pos)) continue;
        const len = u32be(run.bytes, i - 4);
        if (len > 0x7fffffff || pos + 12 + len > view.size) continue;
        const chunk = view.get(pos + 4, pos + 12 + len);
        if (chunk === null) {
          // Its start is in the bytes read, its end is not: only worth asking when it is plausibly a chunk.
          if (len <= MAX_BLOCK_BYTES) view.need(pos, pos + 12 + len);
          continue;
        }
        if (crc32(chunk.subarray(0, 4 + len)) !== u32be(chunk, 4 + len)) continue;
        seen.add(pos);
        handle(out, fourcc(chunk, 0), chunk.subarray(4, 4 + len), pos + 8);
      }
    }
  }
}
