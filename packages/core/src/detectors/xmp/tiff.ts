/**
 * TIFF (and the camera raw formats built on it: DNG, NEF, CR2, ARW, …): the XMP packet is the value
 * of tag 700 (XMLPacket) in IFD0. The IFD and the value may lie anywhere in the file; what the head
 * does not hold is asked for, one round for the IFD and one for the value.
 *
 * Reference: TIFF 6.0 §2 (header, IFD entries, types); BigTIFF (the same with 8-byte offsets and
 * 20-byte entries); XMP Specification Part 3 (2020) §1.1.6 "TIFF" (tag 700, type BYTE or UNDEFINED).
 */
import { u16be, u16le, u32be, u32le, u64be, u64le } from './bytes.js';
import { MAX_BLOCK_BYTES, type Collector } from './locate.js';

const XMP_TAG = 700;
/** Entries in IFD0 accepted; real files have tens. */
const MAX_ENTRIES = 4096;
/** Byte sizes of the TIFF field types that can hold XMP (BYTE, ASCII, UNDEFINED are one byte). */
const ONE_BYTE_TYPES = new Set([1, 2, 7]);

export function locateTiff(out: Collector): void {
  const { view } = out;
  const header = view.get(0, 16) ?? view.get(0, 8);
  if (header === null) return;
  const le = header[0] === 0x49;
  const u16 = le ? u16le : u16be;
  const u32 = le ? u32le : u32be;
  const u64 = le ? u64le : u64be;
  const big = u16(header, 2) === 43;
  if (big && header.length < 16) return;
  const ifd = big ? u64(header, 8) : u32(header, 4);
  const countSize = big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  if (!Number.isSafeInteger(ifd) || ifd < 8 || ifd + countSize > view.size) return;
  const countBytes = view.get(ifd, ifd + countSize);
  if (countBytes === null) {
    // Read the count and a typical IFD in one go.
    view.need(ifd, ifd + countSize + 64 * entrySize);
    return;
  }
  const count = big ? u64(countBytes, 0) : u16(countBytes, 0);
  if (count > MAX_ENTRIES) return;
  const entries = view.want(ifd + countSize, ifd + countSize + count * entrySize);
  if (entries === null) return;
  for (let k = 0; k < count; k++) {
    const e = k * entrySize;
    if (u16(entries, e) !== XMP_TAG) continue;
    const type = u16(entries, e + 2);
    const n = big ? u64(entries, e + 4) : u32(entries, e + 4);
    const valueAt = ifd + countSize + e + (big ? 12 : 8);
    if (!ONE_BYTE_TYPES.has(type) || !Number.isSafeInteger(n)) {
      out.add({ kind: 'xmp', location: 'tag-700', byteOffset: valueAt, bytes: null, problem: 'malformed' });
      return;
    }
    const inline = n <= (big ? 8 : 4);
    const at = inline ? valueAt : big ? u64(entries, e + 12) : u32(entries, e + 8);
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
