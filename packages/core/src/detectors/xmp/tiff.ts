/**
 * TIFF (and the camera raw formats built on it: DNG, NEF, CR2, ARW, …): the XMP packet is the value
 * of tag 700 (XMLPacket) in IFD0. The IFD and the value may lie anywhere in the file; what the head
 * does not hold is asked for, one round for the IFD and one for the value.
 *
 * Reference: TIFF 6.0 §2 (header, IFD entries, types); BigTIFF (the same with 8-byte offsets and
 * 20-byte entries); XMP Specification Part 3 (2020) §1.1.6 "TIFF" (tag 700, type BYTE or UNDEFINED).
 */
import { u16be, u16le, u32be, u32le, u64be, u64le, type ByteView } from './bytes.js';
import { MAX_BLOCK_BYTES, type Collector } from './locate.js';

const XMP_TAG = 700;
/** Entries in IFD0 accepted; real files have tens. */
const MAX_ENTRIES = 4096;
/** Byte sizes of the TIFF field types that can hold XMP (BYTE, ASCII, UNDEFINED are one byte). */
const ONE_BYTE_TYPES = new Set([1, 2, 7]);

/** One IFD0 entry: its tag, type and count, where its value field is, and where its value is for a given byte size. */
export interface Ifd0Entry {
  tag: number;
  type: number;
  count: number;
  /** Offset of the entry's value field (the value itself when it fits there). */
  valueAt: number;
  /** Offset of a value of `size` bytes: in the value field when it fits, else where the field points. */
  valueOffset: (size: number) => number;
}

/** IFD0 of a TIFF or BigTIFF file, once its table has been read. */
export interface Ifd0 {
  littleEndian: boolean;
  /** Offset of IFD0. */
  at: number;
  count: number;
  entry: (k: number) => Ifd0Entry;
}

/**
 * Reads the header and IFD0's entry table, asking the view for what it does not hold yet (the count
 * with a typical table in one go, then the whole table); null until they are read, or when the
 * structure is not sound or has more than `maxEntries` entries.
 */
export function readIfd0(view: ByteView, maxEntries: number): Ifd0 | null {
  const header = view.get(0, 16) ?? view.get(0, 8);
  if (header === null) return null;
  const le = header[0] === 0x49;
  const u16 = le ? u16le : u16be;
  const u32 = le ? u32le : u32be;
  const u64 = le ? u64le : u64be;
  const big = u16(header, 2) === 43;
  if (big && header.length < 16) return null;
  const ifd = big ? u64(header, 8) : u32(header, 4);
  const countSize = big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  if (!Number.isSafeInteger(ifd) || ifd < 8 || ifd + countSize > view.size) return null;
  const countBytes = view.get(ifd, ifd + countSize);
  if (countBytes === null) {
    // Read the count and a typical IFD in one go.
    view.need(ifd, ifd + countSize + 64 * entrySize);
    return null;
  }
  const count = big ? u64(countBytes, 0) : u16(countBytes, 0);
  if (count > maxEntries) return null;
  const table = view.want(ifd + countSize, ifd + countSize + count * entrySize);
  if (table === null) return null;
  return {
    littleEndian: le,
    at: ifd,
    count,
    entry: (k) => {
      const e = k * entrySize;
      const valueAt = ifd + countSize + e + (big ? 12 : 8);
      return {
        tag: u16(table, e),
        type: u16(table, e + 2),
        count: big ? u64(table, e + 4) : u32(table, e + 4),
        valueAt,
        valueOffset: (size) => (size <= (big ? 8 : 4) ? valueAt : big ? u64(table, e + 12) : u32(table, e + 8)),
      };
    },
  };
}

export function locateTiff(out: Collector): void {
  const ifd0 = readIfd0(out.view, MAX_ENTRIES);
  if (ifd0 === null) return;
  const { view } = out;
  for (let k = 0; k < ifd0.count; k++) {
    const { tag, type, count: n, valueAt, valueOffset } = ifd0.entry(k);
    if (tag !== XMP_TAG) continue;
    if (!ONE_BYTE_TYPES.has(type) || !Number.isSafeInteger(n)) {
      out.add({ kind: 'xmp', location: 'tag-700', byteOffset: valueAt, bytes: null, problem: 'malformed' });
      return;
    }
    const at = valueOffset(n);
    if (!Number.isSafeInteger(at) || at + n > view.size) {
      out.add({ kind: 'xmp', location: 'tag-700', byteOffset: valueAt, bytes: null, problem: 'truncated' });
      return;
    }
    if (n > MAX_BLOCK_BYTES) {
      out.add({ kind: 'xmp', location: 'tag-700', byteOffset: at, bytes: null, problem: 'too-large' });
      return;
    }
    out.addRange('xmp', 'tag-700', at, at + n);
    return;
  }
}
