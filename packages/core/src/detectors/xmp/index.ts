/**
 * The shared XMP library: finds XMP packets (and C2PA JUMBF manifest stores, which live in the same
 * places) in the bytes of a file, and parses packets into properties by namespace URI. It is not a
 * detector; detectors that read embedded metadata build on it (`iptc-plus`, `tdmrep-xmp`, `c2pa`).
 *
 * ```ts
 * import { EMBEDDED_WANTS, readEmbedded, readXmp } from '../xmp/index.js';
 *
 * export const myDetector = defineDetector({
 *   // …
 *   wants: EMBEDDED_WANTS, // head 16 KiB, then the ranges the container's structure points at
 *   detect(input) {
 *     const { blocks } = readEmbedded(input);
 *     for (const packet of readXmp(blocks)) {
 *       if (!packet.doc) continue; // packet.problem says why (too large, malformed, not read, …)
 *       for (const p of packet.doc.get('http://purl.org/dc/elements/1.1/', 'rights')) …
 *     }
 *   },
 * });
 * ```
 *
 * Pieces, each usable on its own:
 * - {@link ByteView}: a sparse view of the bytes read; walkers record the ranges they still need.
 * - {@link locateEmbedded}: the container walkers (JPEG, PNG, TIFF, WebP, GIF, HEIF/AVIF, MP4/MOV,
 *   PDF; a raw packet scan for anything else) — see locate.ts for where each format keeps metadata
 *   and which bytes are read.
 * - {@link parseXmp}: RDF/XML → {@link XmpDocument} (saxes; no DTD, no entity expansion, bounded).
 * - {@link mentions}: a raw byte search, to tell "this unreadable packet may hold property X" from
 *   "it cannot" without parsing it.
 */
import type { DetectorInput, DetectorWants, RangeView } from '../../engine/detector.js';
import type { ByteRange } from '../../source/types.js';
import { ascii, ByteView, coalesce, indexOf } from './bytes.js';
import { EMBEDDED_HEAD, EMBEDDED_HEAD_RAW, EMBEDDED_TAIL, locateEmbedded, type EmbeddedBlock, type Located } from './locate.js';
import { PNG_TAIL_BYTES, PNG_TAIL_MAX_BYTES, pngTailCovered } from './png.js';
import { parseXmp, type XmpDocument, type XmpLimits } from './rdf.js';

export { ByteView, coalesce, LOOKAHEAD_BYTES, MAX_NEED_BYTES, type ByteSource } from './bytes.js';
export { readIfd0, type Ifd0, type Ifd0Entry } from './tiff.js';
export { walkWebpChunks } from './riff-gif.js';
export { walkPngChunks } from './png.js';
export { brotliBounded, inflateBounded, INFLATE_MAX_BYTES, type Inflated } from './inflate.js';
export { EMBEDDED_HEAD, EMBEDDED_HEAD_RAW, EMBEDDED_TAIL, locateEmbedded, MAX_BLOCK_BYTES, scanPackets, sniffContainer, type ContainerFormat, type EmbeddedBlock, type Located } from './locate.js';
export {
  DEFAULT_XMP_LIMITS,
  fieldsOf,
  parseXmp,
  RDF_NS,
  textsOf,
  XmpDocument,
  type XmpArray,
  type XmpLimits,
  type XmpParseResult,
  type XmpProblem,
  type XmpProperty,
  type XmpStruct,
  type XmpText,
  type XmpValue,
} from './rdf.js';

/** A view of a detector's input (head, tail, whole, ranges). */
export function viewOf(input: Pick<DetectorInput, 'size' | 'head' | 'tail' | 'whole' | 'ranges'> | RangeView): ByteView {
  return new ByteView(input);
}

/**
 * The wants of a detector that reads embedded metadata: the first {@link EMBEDDED_HEAD} bytes, then
 * the ranges the container's structure points at ({@link embeddedRanges}), at most the engine's 3
 * rounds and 16 MiB. No fixed tail: a 2 MB JPEG costs its metadata segments, not 192 KiB.
 */
export const EMBEDDED_WANTS: DetectorWants = {
  head: EMBEDDED_HEAD,
  ranges: (view) => embeddedRanges(view),
};

/**
 * The ranges to read next for a file's embedded metadata, in file order, joined where close
 * ({@link coalesce}): what the container walk asks for (JPEG segments up to SOS, PNG chunks before the
 * image data, top-level ISO-BMFF boxes past `mdat`, TIFF IFD0 and its values, WebP chunks, a PDF's
 * xref, catalog and metadata objects), and where the structure cannot be walked, the file's end:
 * - PNG whose walk stops in the image data (IDAT chunks past the bytes read): its last {@link PNG_TAIL_BYTES}, and up to
 *   {@link PNG_TAIL_MAX_BYTES} when those do not reach back to the last IDAT chunk;
 * - animated WebP (frames cannot be walked): its last {@link EMBEDDED_TAIL} bytes, where EXIF and XMP are;
 * - PDF: its last 16 KiB (startxref, the trailer, usually the last xref section), from which the
 *   walk follows the xref to the catalog and the metadata object, wherever they are;
 * - GIF (image data cannot be skipped) and unrecognised formats (raw packet scan): the first
 *   {@link EMBEDDED_HEAD_RAW} and last {@link EMBEDDED_TAIL} bytes, as before reads followed the structure.
 */
/** Bytes of a PDF's end read first: startxref, the trailer and usually the last xref section; the walk follows the xref from there. */
const PDF_TAIL_BYTES = 16 * 1024;

export function embeddedRanges(view: RangeView): ByteRange[] {
  const { located: found, needs } = located(view);
  const extra: ByteRange[] = [];
  const tail = (n: number) => extra.push({ start: Math.max(0, view.size - n), end: view.size });
  if (view.round === 0) {
    switch (found.format) {
      case 'pdf':
        tail(PDF_TAIL_BYTES);
        break;
      case 'gif':
      case 'raw':
        extra.push({ start: 0, end: EMBEDDED_HEAD_RAW });
        tail(EMBEDDED_TAIL);
        break;
      case 'png':
        if (found.stoppedInImageData) tail(PNG_TAIL_BYTES);
        break;
      case 'webp':
        // An animation's frames cannot be walked in the engine's rounds; its EXIF and XMP chunks come
        // last (WebP Container Specification, Extended File Format: VP8X flags, A = 0x02).
        if (view.head.length > 20 && (view.head[20]! & 0x02) !== 0) tail(EMBEDDED_TAIL);
        break;
      default:
        break;
    }
  } else if (view.round === 1 && found.format === 'png' && found.stoppedInImageData && !pngTailCovered(viewOf(view))) tail(PNG_TAIL_MAX_BYTES);
  // Bytes already held need no read: only what lies outside head, tail and earlier ranges.
  const held = viewOf(view);
  for (const r of extra) held.need(r.start, r.end);
  return coalesce([...needs, ...held.needs]);
}

/** Locates the embedded blocks in a detector's input. */
export function readEmbedded(input: Pick<DetectorInput, 'size' | 'head' | 'tail' | 'whole' | 'ranges'>): Located {
  return located(input).located;
}

interface Memo {
  round: number | undefined;
  size: number;
  tail: Uint8Array | null;
  whole: Uint8Array | null;
  ranges: string;
  located: Located;
  needs: readonly ByteRange[];
}

/**
 * The walk of one file's bytes, shared by every detector that reads embedded metadata (iptc-plus,
 * tdmrep-xmp, c2pa): the engine hands each of them the same head, tail and whole arrays, so the walk
 * (which may inflate streams) runs once per file and read round, not once per detector. Keyed weakly
 * on the head array: nothing is kept once the engine lets go of the file.
 */
const memo = new WeakMap<Uint8Array, Memo>();

function located(src: Pick<DetectorInput, 'size' | 'head' | 'tail' | 'whole' | 'ranges'> | RangeView): { located: Located; needs: readonly ByteRange[] } {
  const ranges = src.ranges.map((r) => `${r.start}-${r.end}`).join(',');
  const round = 'round' in src ? src.round : undefined;
  const hit = memo.get(src.head);
  if (hit && hit.round === round && hit.size === src.size && hit.tail === src.tail && hit.whole === src.whole && hit.ranges === ranges) return hit;
  const view = new ByteView(src);
  const entry: Memo = { round, size: src.size, tail: src.tail, whole: src.whole, ranges, located: locateEmbedded(view), needs: view.needs };
  memo.set(src.head, entry);
  return entry;
}

/** One XMP packet: where it is, and its properties, or why they could not be read. */
export interface XmpPacket {
  block: EmbeddedBlock;
  doc: XmpDocument | null;
  /** Set when `doc` is null: the block's own problem (`not-read`, `truncated`, `too-large`, …) or the parser's ({@link XmpProblem}). */
  problem?: string;
  message?: string;
}

/** Parses every XMP block; blocks that are missing or incomplete are not parsed, and say why. */
export function readXmp(blocks: readonly EmbeddedBlock[], limits?: XmpLimits): XmpPacket[] {
  const out: XmpPacket[] = [];
  for (const block of blocks) {
    if (block.kind !== 'xmp') continue;
    if (block.bytes === null || !block.complete) {
      out.push({ block, doc: null, problem: block.problem ?? 'truncated' });
      continue;
    }
    // Parsed once per block with the default limits, whichever detector asks first.
    const cached = limits === undefined ? parsedBlocks.get(block) : undefined;
    if (cached) {
      out.push(cached);
      continue;
    }
    const parsed = parseXmp(block.bytes, limits);
    const packet: XmpPacket = parsed.ok ? { block, doc: parsed.doc } : { block, doc: null, problem: parsed.problem, message: parsed.message };
    if (limits === undefined) parsedBlocks.set(block, packet);
    out.push(packet);
  }
  return out;
}

const parsedBlocks = new WeakMap<EmbeddedBlock, XmpPacket>();

/**
 * Whether the bytes contain `text` (ASCII), as UTF-8 or as UTF-16 in either byte order. XML requires a
 * namespace URI to be written out where it is bound, so a packet whose bytes do not contain a
 * namespace's URI cannot hold a property of it (barring character references, which no writer uses).
 */
export function mentions(bytes: Uint8Array | null, text: string): boolean {
  if (!bytes || bytes.length === 0) return false;
  if (indexOf(bytes, ascii(text)) >= 0) return true;
  const wide = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) wide[2 * i + 1] = text.charCodeAt(i) & 0xff;
  if (indexOf(bytes, wide) >= 0) return true; // UTF-16BE (a leading NUL per character)
  return indexOf(bytes, wide.subarray(1)) >= 0; // UTF-16LE, from the first character on
}

/** Byte offset in the file of a property of a packet, when the packet's bytes are the file's (not inflated). */
export function fileOffset(packet: XmpPacket, at: number): number {
  const { block, doc } = packet;
  return !doc || block.compressed ? block.byteOffset : block.byteOffset + doc.byteOffset(at);
}
