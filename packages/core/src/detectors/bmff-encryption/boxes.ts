/**
 * A bounded ISO-BMFF box walker over a {@link ByteView}. Box sizes are checked against their parent
 * (a box may not claim more than its parent holds, nor less than its header), `size 0` runs to the
 * end of the parent, `size 1` takes the 64-bit `largesize`; the number of boxes and the depth are
 * capped, so a hostile tree ends with a problem, not a hang.
 *
 * Reference: ISO/IEC 14496-12:2022 §4.2 (Box, FullBox, largesize, size 0, uuid), §8.5.2 (sample
 * entries: VisualSampleEntry, AudioSampleEntry), Apple QuickTime File Format (sound sample
 * description versions 1 and 2).
 */
import type { ByteView } from '../tpm-common/byte-view.js';
import type { Problem } from '../tpm-common/findings.js';

export interface Box {
  type: string;
  /** Absolute offset of the box header. */
  start: number;
  /** Absolute offset of the payload (after size, type, largesize and uuid). */
  payload: number;
  /** Absolute offset one past the box's last byte. */
  end: number;
  /** The 16-byte user type of a `uuid` box, as hex. */
  uuid?: string;
}

/** Boxes visited at most per file: real files have hundreds; fragmented ones are not walked past `moov`. */
export const MAX_BOXES = 20_000;
const MAX_DEPTH = 16;

export class BoxReader {
  readonly problems: Problem[] = [];
  pending = false;
  private visited = 0;

  constructor(readonly view: ByteView) {}

  /**
   * The box whose header starts at `at`, inside a parent ending at `parentEnd`; null when its header
   * is not held (noted as missing, with `prefetch` bytes wanted) or it is malformed (a problem).
   */
  header(at: number, parentEnd: number, prefetch = 32): Box | null {
    if (at + 8 > parentEnd) return null;
    const h = this.view.get(at, Math.min(parentEnd, at + 32));
    if (!h || h.length < 8) {
      this.view.want(at, Math.min(parentEnd, at + Math.max(32, prefetch)));
      this.pending = true;
      return null;
    }
    if (this.visited >= MAX_BOXES) {
      if (this.visited++ === MAX_BOXES) this.problems.push({ message: `more than ${MAX_BOXES} boxes; the rest are not read`, byteOffset: at });
      return null;
    }
    this.visited++;
    const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
    let size = dv.getUint32(0);
    const type = fourcc(h, 4);
    let headerLen = 8;
    if (size === 1) {
      if (h.length < 16) {
        this.problems.push({ message: `box ${printable(type)} with a 64-bit size is truncated`, byteOffset: at });
        return null;
      }
      const big = dv.getBigUint64(8);
      size = big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
      headerLen = 16;
    } else if (size === 0) size = parentEnd - at;
    if (size < headerLen || at + size > parentEnd) {
      this.problems.push({ message: `box ${printable(type)} at ${at} claims ${size} bytes, ${size < headerLen ? 'less than its header' : 'more than its parent holds'}`, byteOffset: at });
      return null;
    }
    let uuid: string | undefined;
    if (type === 'uuid') {
      if (size < headerLen + 16 || h.length < headerLen + 16) return null;
      uuid = Buffer.from(h.subarray(headerLen, headerLen + 16)).toString('hex');
      headerLen += 16;
    }
    return { type, start: at, payload: at + headerLen, end: at + size, ...(uuid ? { uuid } : {}) };
  }

  /** The children of a container whose children start at `from`; stops at the first unreadable one. */
  children(from: number, end: number, depth: number, prefetch = 32): Box[] {
    if (depth > MAX_DEPTH) {
      this.problems.push({ message: `boxes nested deeper than ${MAX_DEPTH}`, byteOffset: from });
      return [];
    }
    const out: Box[] = [];
    for (let at = from; at + 8 <= end; ) {
      const b = this.header(at, end, prefetch);
      if (!b) break;
      out.push(b);
      at = b.end;
    }
    return out;
  }

  /** Payload bytes of a box, at most `max`; null when not held (noted). */
  payload(box: Box, max: number): Uint8Array | null {
    const got = this.view.get(box.payload, Math.min(box.end, box.payload + max));
    if (!got) this.pending = true;
    return got;
  }
}

export function fourcc(b: Uint8Array, at: number): string {
  return String.fromCharCode(b[at] ?? 0, b[at + 1] ?? 0, b[at + 2] ?? 0, b[at + 3] ?? 0);
}

export function printable(type: string): string {
  return /^[\x20-\x7e]{4}$/.test(type) ? type : Buffer.from(type, 'latin1').toString('hex');
}
