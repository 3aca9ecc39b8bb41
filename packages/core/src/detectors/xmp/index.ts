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
 *   wants: EMBEDDED_WANTS, // head 128 KiB, tail 64 KiB, further ranges the container points at
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
import { ascii, ByteView, indexOf } from './bytes.js';
import { EMBEDDED_HEAD, EMBEDDED_TAIL, locateEmbedded, type EmbeddedBlock, type Located } from './locate.js';
import { parseXmp, type XmpDocument, type XmpLimits } from './rdf.js';

export { ByteView, MAX_NEED_BYTES, type ByteSource } from './bytes.js';
export { brotliBounded, inflateBounded, INFLATE_MAX_BYTES, type Inflated } from './inflate.js';
export { EMBEDDED_HEAD, EMBEDDED_TAIL, locateEmbedded, MAX_BLOCK_BYTES, scanPackets, sniffContainer, type ContainerFormat, type EmbeddedBlock, type Located } from './locate.js';
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
 * The wants of a detector that reads embedded metadata: the first {@link EMBEDDED_HEAD} and last
 * {@link EMBEDDED_TAIL} bytes, then whatever ranges the container walk points at (at most the
 * engine's 3 rounds and 16 MiB).
 */
export const EMBEDDED_WANTS: DetectorWants = {
  head: EMBEDDED_HEAD,
  tail: EMBEDDED_TAIL,
  ranges: (view) => located(view).needs,
};

/** Locates the embedded blocks in a detector's input. */
export function readEmbedded(input: Pick<DetectorInput, 'size' | 'head' | 'tail' | 'whole' | 'ranges'>): Located {
  return located(input).located;
}

interface Memo {
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
  const hit = memo.get(src.head);
  if (hit && hit.size === src.size && hit.tail === src.tail && hit.whole === src.whole && hit.ranges === ranges) return hit;
  const view = new ByteView(src);
  const entry: Memo = { size: src.size, tail: src.tail, whole: src.whole, ranges, located: locateEmbedded(view), needs: view.needs };
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
