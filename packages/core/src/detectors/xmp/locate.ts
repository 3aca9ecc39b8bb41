/**
 * Finds embedded metadata blocks — XMP packets and C2PA JUMBF manifest stores — in the bytes of a
 * file, by walking its container format, and says which further byte ranges would complete the walk.
 *
 * Formats and where each keeps its metadata (Reference: XMP Specification Part 3, "Storage in Files",
 * 2020, §1.1 JPEG, §1.1.4 PNG, §1.1.6 TIFF, §1.1.3 GIF, §3 PDF; RIFF/WebP container spec "Extended
 * file format"; ISO/IEC 23008-12 (HEIF) §6.4 and ISO/IEC 14496-12 (ISO-BMFF) §8.11; C2PA
 * Specification 2.1 §A "Embedding manifests into assets"):
 *
 * | format | XMP | C2PA |
 * | --- | --- | --- |
 * | JPEG | APP1 `http://ns.adobe.com/xap/1.0/\0`; extended XMP in APP1 `http://ns.adobe.com/xmp/extension/\0` | APP11 JUMBF segments (`JP`, box instance, sequence), reassembled |
 * | PNG | `iTXt` keyword `XML:com.adobe.xmp`, zlib-compressed or not | `caBX` chunk |
 * | TIFF (and TIFF-based raw) | tag 700 (XMLPacket) of IFD0 | — |
 * | WebP | `XMP ` chunk | `C2PA` chunk |
 * | GIF | application extension `XMP DataXMP` | — |
 * | HEIF / AVIF | `mime` item `application/rdf+xml` (iinf / iloc) | top-level `uuid` D8FEC3D6-1B0E-483C-9297-5828877EC481 |
 * | MP4 / MOV | top-level `uuid` BE7ACFCB-97A9-42E8-9C71-999491E3AFAC, or `moov/udta/XMP_` | top-level `uuid` as for HEIF |
 * | PDF | metadata streams (`/Type /Metadata`), FlateDecode inflated under a cap; the catalog's `/Metadata` is the document's | — |
 * | anything else | raw packet scan: `<?xpacket begin` … `<?xpacket end …?>`, or `<x:xmpmeta` … `</x:xmpmeta>` | — |
 *
 * Which bytes: the detectors that use this ask for the first {@link EMBEDDED_HEAD} (16 KiB) bytes and
 * then follow the structure (`EMBEDDED_WANTS`, `embeddedRanges` in index.ts): each walker asks for the
 * metadata structures it reaches beyond the bytes read, and for a look-ahead window
 * (`LOOKAHEAD_BYTES`, 1 MiB in the engine's last round) where the next header is unread — JPEG
 * segments up to SOS, PNG chunks up to the image data, ISO-BMFF top-level boxes jumping over `mdat`,
 * TIFF IFD0 and its values, WebP chunks, a PDF's xref, catalog and metadata objects. Where the
 * structure cannot be walked cheaply, the end of the file is read: a PNG's chunks after thousands of
 * IDAT chunks (a 16 KiB tail, up to 256 KiB when that does not reach back to the image data), a PDF's
 * trailer (16 KiB; the xref then points at the catalog and metadata objects), a GIF's or an unrecognised file's first 128 KiB and last 64 KiB. A chain the
 * engine's rounds cannot follow (3 rounds, 16 MiB) is reported as not found or `not-read`.
 */
import { ascii, indexOf, latin1Text, startsWith, type ByteView } from './bytes.js';
import { locateBmff } from './bmff.js';
import { locateGif, locateWebp } from './riff-gif.js';
import { locateJpeg } from './jpeg.js';
import { locatePdf } from './pdf.js';
import { locatePng } from './png.js';
import { locateTiff } from './tiff.js';

/** Container formats this module walks; `raw` is the fallback packet scan. */
export type ContainerFormat = 'jpeg' | 'png' | 'tiff' | 'webp' | 'gif' | 'heif' | 'mp4' | 'pdf' | 'raw';

/** One embedded block: an XMP packet or a JUMBF box (a C2PA manifest store). */
export interface EmbeddedBlock {
  kind: 'xmp' | 'jumbf';
  container: ContainerFormat;
  /** Where in the container, for evidence: `app1`, `app1-extended`, `iTXt`, `tag-700`, `XMP-chunk`, `uuid`, `metadata-stream`, `packet-scan`, … */
  location: string;
  /** Offset in the file of the block's first byte (of the compressed data when `compressed`). */
  byteOffset: number;
  /** The block's bytes, decompressed when `compressed`; null when they could not be read. */
  bytes: Uint8Array | null;
  /** False when `bytes` is not the whole block (cut by what was read, or by a cap). */
  complete: boolean;
  /** True when `bytes` were inflated, so offsets inside them do not map to the file. */
  compressed: boolean;
  /** Why `bytes` is null or incomplete: `not-read`, `truncated`, `too-large`, `inflate failed: …`, `unsupported filter …`. */
  problem?: string;
  /** Container details: a JPEG extended-XMP GUID, a PDF object number and whether it is the document's metadata. */
  detail?: Readonly<Record<string, string | number | boolean>>;
}

/** What {@link locateEmbedded} found. */
export interface Located {
  /** The container recognised from its magic bytes, or `raw` when none was (packet scan only). */
  format: ContainerFormat;
  blocks: EmbeddedBlock[];
  /**
   * True when the walk stopped in image data it could not read through (a PNG's IDAT chunks): metadata
   * may follow it, and is looked for in the file's end. False when the walk ended (IEND, the bytes
   * ended) or stopped at a lying length, where the end of the file tells nothing more.
   */
  stoppedInImageData: boolean;
}

/**
 * Bytes read from the start of a file by detectors using this module: enough to sniff the format and
 * for the first segments, chunks or boxes of JPEG, PNG, WebP, GIF, TIFF, HEIF, MP4 and PDF; the rest
 * is read where the structure points.
 */
export const EMBEDDED_HEAD = 16 * 1024;
/** Bytes read from the start of a file whose structure is not walked (GIF, unrecognised: a raw packet scan). */
export const EMBEDDED_HEAD_RAW = 128 * 1024;
/** Bytes read from the end of a GIF, an animated WebP or an unrecognised file. */
export const EMBEDDED_TAIL = 64 * 1024;
/** Largest XMP packet or JUMBF store assembled; larger ones are reported `too-large`, unread. */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;
/** How far past a read window a walker asks at once when it needs the next structure header. */
export const STEP_BYTES = 1024 * 1024;

/** Blocks kept per file at most: a hostile file of thousands of tiny packets costs no more than this. */
export const MAX_BLOCKS = 64;

/** Collects blocks while walking; the view collects needed ranges. */
export class Collector {
  readonly blocks: EmbeddedBlock[] = [];
  /** Set by a walker that stopped in image data it could not read through ({@link Located.stoppedInImageData}). */
  stoppedInImageData = false;
  constructor(
    readonly view: ByteView,
    readonly container: ContainerFormat,
  ) {}

  /** False once {@link MAX_BLOCKS} blocks were collected: walkers stop looking. */
  get open(): boolean {
    return this.blocks.length < MAX_BLOCKS;
  }

  add(block: Omit<EmbeddedBlock, 'container' | 'compressed' | 'complete'> & Partial<Pick<EmbeddedBlock, 'compressed' | 'complete'>>): void {
    if (!this.open) return;
    this.blocks.push({ container: this.container, compressed: false, complete: block.bytes !== null, ...block });
  }

  /**
   * Adds a block whose bytes lie at [start, end) in the file: read when they were, else asked for
   * (and reported `not-read` if they never come). Blocks larger than {@link MAX_BLOCK_BYTES} are
   * reported `too-large` without reading them.
   */
  addRange(kind: EmbeddedBlock['kind'], location: string, start: number, end: number, detail?: EmbeddedBlock['detail']): void {
    const clipped = Math.min(end, this.view.size);
    const base = { kind, location, byteOffset: start, ...(detail ? { detail } : {}) };
    if (clipped - start > MAX_BLOCK_BYTES) {
      this.add({ ...base, bytes: null, problem: 'too-large' });
      return;
    }
    const bytes = this.view.want(start, clipped);
    if (bytes === null) {
      const partial = this.view.from(start, clipped - start);
      this.add({ ...base, bytes: partial, complete: false, problem: 'not-read' });
      return;
    }
    this.add({ ...base, bytes, complete: clipped === end, ...(clipped < end ? { problem: 'truncated' } : {}) });
  }
}

const SIG = {
  jpeg: new Uint8Array([0xff, 0xd8, 0xff]),
  png: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  tiffLE: ascii('II'),
  tiffBE: ascii('MM'),
  riff: ascii('RIFF'),
  webp: ascii('WEBP'),
  gif87: ascii('GIF87a'),
  gif89: ascii('GIF89a'),
  ftyp: ascii('ftyp'),
  pdf: ascii('%PDF-'),
};

/** HEIF-family brands: the file is an image collection, its XMP a `mime` item. */
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'avif', 'avis', 'mif2', 'jxl ']);

/** Recognises the container from its first bytes. */
export function sniffContainer(head: Uint8Array): ContainerFormat {
  if (startsWith(head, SIG.jpeg)) return 'jpeg';
  if (startsWith(head, SIG.png)) return 'png';
  if ((startsWith(head, SIG.tiffLE) && (head[2] === 42 || head[2] === 43) && head[3] === 0) || (startsWith(head, SIG.tiffBE) && head[2] === 0 && (head[3] === 42 || head[3] === 43))) return 'tiff';
  if (startsWith(head, SIG.riff) && startsWith(head, SIG.webp, 8)) return 'webp';
  if (startsWith(head, SIG.gif87) || startsWith(head, SIG.gif89)) return 'gif';
  if (startsWith(head, SIG.ftyp, 4)) {
    const major = latin1Text(head.subarray(8, 12));
    return HEIF_BRANDS.has(major) ? 'heif' : 'mp4';
  }
  // A PDF header may follow up to 1024 bytes of junk (ISO 32000-1 §7.5.2, as readers tolerate).
  if (indexOf(head.subarray(0, 1024), SIG.pdf) >= 0) return 'pdf';
  return 'raw';
}

/**
 * Walks the container and returns every XMP packet and JUMBF store found. Needed ranges are left in
 * `view.needs`. Never throws on malformed input: bad structure ends the walk, and what was found
 * until then is returned.
 */
export function locateEmbedded(view: ByteView): Located {
  const head = view.from(0, 4096) ?? new Uint8Array(0);
  const format = sniffContainer(head);
  const out = new Collector(view, format);
  switch (format) {
    case 'jpeg':
      locateJpeg(out);
      break;
    case 'png':
      locatePng(out);
      break;
    case 'tiff':
      locateTiff(out);
      break;
    case 'webp':
      locateWebp(out);
      break;
    case 'gif':
      locateGif(out);
      break;
    case 'heif':
    case 'mp4':
      locateBmff(out);
      break;
    case 'pdf':
      locatePdf(out);
      break;
    case 'raw':
      scanPackets(out);
      break;
  }
  return { format, blocks: out.blocks, stoppedInImageData: out.stoppedInImageData };
}

const XPACKET_BEGIN = ascii('<?xpacket begin');
const XPACKET_END = ascii('<?xpacket end');
const XMPMETA_OPEN = ascii('<x:xmpmeta');
const XMPMETA_CLOSE = ascii('</x:xmpmeta>');
const PI_CLOSE = ascii('?>');

/**
 * The fallback: finds XMP packets by their wrappers in every run of bytes read. A packet whose end
 * was not read is asked for (up to {@link STEP_BYTES} more) and reported incomplete if it never comes.
 * `skip` excludes spans already reported by a structural walker (a PDF metadata stream).
 */
export function scanPackets(out: Collector, skip: readonly { start: number; end: number }[] = []): void {
  const spans = [...skip, ...out.blocks.map((b) => ({ start: b.byteOffset, end: b.byteOffset + (b.bytes?.length ?? 1) }))];
  const covered = (at: number) => spans.some((s) => s.start <= at && at < s.end);
  for (const run of out.view.runs) {
    const runEnd = run.start + run.bytes.length;
    for (const [open, close, closeIsPi] of [
      [XPACKET_BEGIN, XPACKET_END, true],
      [XMPMETA_OPEN, XMPMETA_CLOSE, false],
    ] as const) {
      for (let i = indexOf(run.bytes, open); i >= 0 && out.open; i = indexOf(run.bytes, open, i + open.length)) {
        const start = run.start + i;
        if (covered(start)) continue;
        let c = indexOf(run.bytes, close, i + open.length);
        let pi = closeIsPi;
        if (c < 0 && closeIsPi) {
          // Some writers leave out the closing `<?xpacket end?>`: the packet then ends with its root element.
          c = indexOf(run.bytes, XMPMETA_CLOSE, i + open.length);
          pi = false;
          if (c >= 0) c += XMPMETA_CLOSE.length - close.length;
        }
        if (c < 0) {
          // The end lies past what was read: ask for more, report what there is.
          if (runEnd < out.view.size) out.view.need(runEnd, Math.min(out.view.size, start + STEP_BYTES));
          out.add({ kind: 'xmp', location: 'packet-scan', byteOffset: start, bytes: run.bytes.subarray(i), complete: false, problem: runEnd < out.view.size ? 'not-read' : 'truncated' });
          spans.push({ start, end: runEnd });
          break;
        }
        let end = c + close.length;
        if (pi) {
          const pi = indexOf(run.bytes, PI_CLOSE, end);
          end = pi >= 0 && pi - end < 64 ? pi + PI_CLOSE.length : end;
        }
        out.add({ kind: 'xmp', location: 'packet-scan', byteOffset: start, bytes: run.bytes.subarray(i, end) });
        spans.push({ start, end: run.start + end });
        i = end - open.length; // go on after this packet
      }
    }
  }
}
