/**
 * WebP and GIF, two formats that keep their XMP after the image data.
 *
 * WebP (RIFF): walks the chunks (`fourcc`, little-endian size, data, pad byte to even) and collects
 * the `XMP ` chunk and the C2PA `C2PA` chunk; when the walk cannot reach the end cheaply (an
 * animation of many frames), the tail is searched for an `XMP ` chunk that ends exactly where the
 * file (or the next chunk) does.
 * Reference: Google, "WebP Container Specification" §"Extended File Format" (chunk order: … EXIF, XMP
 * last); C2PA Specification 2.1 §A.3.7 (WebP `C2PA` chunk).
 *
 * GIF: the XMP application extension (`21 FF 0B "XMP DataXMP"`) carries the packet as raw bytes,
 * followed by a 258-byte "magic trailer" that makes it a valid sub-block chain; the packet is read
 * from after the identifier to the packet's own end (`<?xpacket end …?>`).
 * Reference: GIF89a §23 (application extension); XMP Specification Part 3 (2020) §1.1.2 "GIF".
 */
import { ascii, fourcc, indexOf, u32le, type ByteView } from './bytes.js';
import { MAX_BLOCK_BYTES, STEP_BYTES, type Collector } from './locate.js';

const MAX_CHUNKS = 100_000;

/**
 * Walks a WebP file's RIFF chunks in order, asking the view to read ahead where its bytes stop, and
 * calls `visit(type, pos, size)` for each chunk that fits in the RIFF. Returns the RIFF's end and
 * whether the walk reached it (an animation of many frames may not be walked through the reads
 * allowed); null before the RIFF header is read.
 */
export function walkWebpChunks(view: ByteView, visit: (type: string, pos: number, size: number) => void): { end: number; walked: boolean } | null {
  const riff = view.get(0, 12);
  if (riff === null) return null;
  const end = Math.min(view.size, 8 + u32le(riff, 4));
  let pos = 12;
  let walked = false;
  for (let n = 0; n < MAX_CHUNKS && pos + 8 <= end; n++) {
    const hdr = view.get(pos, pos + 8);
    if (hdr === null) {
      view.ahead(pos);
      break;
    }
    const size = u32le(hdr, 4);
    if (pos + 8 + size > end) break;
    visit(fourcc(hdr, 0), pos, size);
    pos += 8 + size + (size & 1);
    if (pos >= end) walked = true;
  }
  return { end, walked };
}

export function locateWebp(out: Collector): void {
  const { view } = out;
  const seen = new Set<number>();
  const walk = walkWebpChunks(view, (type, pos, size) => {
    if (type === 'XMP ' || type === 'C2PA') {
      seen.add(pos);
      out.addRange(type === 'XMP ' ? 'xmp' : 'jumbf', type === 'XMP ' ? 'XMP-chunk' : 'C2PA-chunk', pos + 8, pos + 8 + size);
    } else if (type === 'EXIF' && size <= MAX_BLOCK_BYTES) view.want(pos + 8, pos + 8 + size); // for media-rights: the same ranges for every reader
  });
  if (walk !== null && !walk.walked) searchTail(out, walk.end, seen);
}

const XMP_FOURCC = ascii('XMP ');

function searchTail(out: Collector, end: number, seen: Set<number>): void {
  for (const run of out.view.runs) {
    if (run.start === 0) continue;
    for (let i = indexOf(run.bytes, XMP_FOURCC); i >= 0 && out.open; i = indexOf(run.bytes, XMP_FOURCC, i + 1)) {
      const pos = run.start + i;
      if (seen.has(pos) || i + 8 > run.bytes.length) continue;
      const size = u32le(run.bytes, i + 4);
      const next = pos + 8 + size + (size & 1);
      // Only a chunk that closes the file (XMP is the last chunk) is accepted: a chance match in image data is not.
      if (next !== end && pos + 8 + size !== end) continue;
      if (size > MAX_BLOCK_BYTES) continue;
      seen.add(pos);
      out.addRange('xmp', 'XMP-chunk', pos + 8, pos + 8 + size);
    }
  }
}

const GIF_XMP = new Uint8Array([0x21, 0xff, 0x0b, ...ascii('XMP DataXMP')]);
const PACKET_END = ascii('<?xpacket end');
const PI_CLOSE = ascii('?>');

export function locateGif(out: Collector): void {
  const { view } = out;
  for (const run of view.runs) {
    for (let i = indexOf(run.bytes, GIF_XMP); i >= 0 && out.open; i = indexOf(run.bytes, GIF_XMP, i + 1)) {
      const start = i + GIF_XMP.length;
      const at = run.start + start;
      const endMark = indexOf(run.bytes, PACKET_END, start);
      const close = endMark >= 0 ? indexOf(run.bytes, PI_CLOSE, endMark) : -1;
      if (close >= 0 && close - start <= MAX_BLOCK_BYTES) {
        out.add({ kind: 'xmp', location: 'application-extension', byteOffset: at, bytes: run.bytes.subarray(start, close + PI_CLOSE.length) });
        i = close; // go on after this packet
        continue;
      }
      // The packet runs past what was read: ask for the rest; report what there is.
      const runEnd = run.start + run.bytes.length;
      if (runEnd < view.size) view.need(runEnd, Math.min(view.size, at + STEP_BYTES));
      out.add({ kind: 'xmp', location: 'application-extension', byteOffset: at, bytes: run.bytes.subarray(start), complete: false, problem: runEnd < view.size ? 'not-read' : 'truncated' });
      break;
    }
  }
}
