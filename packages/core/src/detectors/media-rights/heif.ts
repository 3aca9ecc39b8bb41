/**
 * HEIF and AVIF: the EXIF of an image collection is an item of type `Exif`, found through the `meta`
 * box (`iinf` names the items, `iloc` says where their bytes are: in the file, or in `idat`). The
 * item starts with a 4-byte offset to the TIFF header.
 * Reference: ISO/IEC 14496-12 §8.11.3 (iloc versions 0–2), §8.11.6 (iinf/infe versions 2–3);
 * ISO/IEC 23008-12 Annex A.2.1 (Exif item, exif_tiff_header_offset).
 */
import type { ByteView } from '../xmp/index.js';
import { fourcc, u16be, u32be } from './bytes.js';
import { MAX_MEDIA_BLOCK, type MediaBlock } from './locate.js';

/** HEIF/AVIF: the `meta` box's `Exif` items, located with `iloc` (in the file or in `idat`). */
export function heif(view: ByteView, out: MediaBlock[]): void {
  let pos = 0;
  for (let n = 0; n < 1000 && pos + 8 <= view.size; n++) {
    const hdr = view.get(pos, pos + 16) ?? view.get(pos, pos + 8);
    if (hdr === null) {
      view.ahead(pos);
      return;
    }
    let size = u32be(hdr, 0);
    let header = 8;
    if (size === 1) {
      if (hdr.length < 16) return;
      size = u32be(hdr, 8) * 2 ** 32 + u32be(hdr, 12);
      header = 16;
    } else if (size === 0) size = view.size - pos;
    if (size < header || pos + size > view.size) return;
    if (fourcc(hdr, 4) === 'meta') {
      if (size > 8 * 1024 * 1024) return;
      const meta = view.want(pos, pos + size);
      if (meta !== null) heifMeta(view, meta, pos, header, out);
      return;
    }
    pos += size;
  }
}

function heifMeta(view: ByteView, meta: Uint8Array, base: number, header: number, out: MediaBlock[]): void {
  const exifItems = new Set<number>();
  let iloc: Uint8Array | null = null;
  let idat: { at: number; bytes: Uint8Array } | null = null;
  // meta is a FullBox: version and flags before its children.
  for (let i = header + 4, n = 0; i + 8 <= meta.length && n < 1000; n++) {
    const size = u32be(meta, i);
    if (size < 8 || i + size > meta.length) break;
    const type = fourcc(meta, i + 4);
    const body = meta.subarray(i + 8, i + size);
    if (type === 'iinf') for (const id of exifItemIds(body)) exifItems.add(id);
    else if (type === 'iloc') iloc = body;
    else if (type === 'idat') idat = { at: base + i + 8, bytes: body };
    i += size;
  }
  if (exifItems.size === 0 || iloc === null) return;
  for (const loc of ilocEntries(iloc)) {
    if (!exifItems.has(loc.id) || loc.extents.length !== 1) continue;
    const { offset, length } = loc.extents[0]!;
    if (length > MAX_MEDIA_BLOCK || length < 4) continue;
    let bytes: Uint8Array | null;
    let at: number;
    if (loc.method === 0) {
      at = loc.base + offset;
      bytes = view.want(at, at + length);
    } else if (loc.method === 1 && idat) {
      at = idat.at + loc.base + offset;
      bytes = loc.base + offset + length <= idat.bytes.length ? idat.bytes.subarray(loc.base + offset, loc.base + offset + length) : null;
    } else continue;
    if (bytes === null) continue;
    // exif_tiff_header_offset: bytes to skip after this field (the JPEG "Exif\0\0" some writers keep).
    const skip = u32be(bytes, 0);
    if (4 + skip >= bytes.length) continue;
    out.push({ kind: 'exif', location: 'Exif-item', byteOffset: at + 4 + skip, bytes: bytes.subarray(4 + skip) });
  }
}

/** Item ids of type `Exif` in an `iinf` body (infe versions 2 and 3). */
function exifItemIds(body: Uint8Array): number[] {
  if (body.length < 6) return [];
  const version = body[0]!;
  let i = version === 0 ? 6 : 8;
  const ids: number[] = [];
  for (let n = 0; n < 10_000 && i + 8 <= body.length; n++) {
    const size = u32be(body, i);
    if (size < 8 || i + size > body.length) break;
    if (fourcc(body, i + 4) === 'infe') {
      const v = body[i + 8]!;
      if (v >= 2) {
        const idSize = v === 2 ? 2 : 4;
        const id = idSize === 2 ? u16be(body, i + 12) : u32be(body, i + 12);
        const typeAt = i + 12 + idSize + 2;
        if (typeAt + 4 <= i + size && fourcc(body, typeAt) === 'Exif') ids.push(id);
      }
    }
    i += size;
  }
  return ids;
}

/** Item locations from an `iloc` body (versions 0, 1 and 2). */
function ilocEntries(b: Uint8Array): { id: number; method: number; base: number; extents: { offset: number; length: number }[] }[] {
  if (b.length < 8) return [];
  const version = b[0]!;
  const offsetSize = b[4]! >> 4;
  const lengthSize = b[4]! & 15;
  const baseSize = b[5]! >> 4;
  const indexSize = version >= 1 ? b[5]! & 15 : 0;
  let i = 6;
  const read = (n: number): number => {
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 256 + b[i + k]!;
    i += n;
    return v;
  };
  if (![0, 4, 8].includes(offsetSize) || ![0, 4, 8].includes(lengthSize) || ![0, 4, 8].includes(baseSize)) return [];
  const count = version < 2 ? read(2) : read(4);
  const out: { id: number; method: number; base: number; extents: { offset: number; length: number }[] }[] = [];
  for (let n = 0; n < count && n < 10_000; n++) {
    const need = (version < 2 ? 2 : 4) + (version >= 1 ? 2 : 0) + 2 + baseSize + 2;
    if (i + need > b.length) break;
    const id = version < 2 ? read(2) : read(4);
    const method = version >= 1 ? read(2) & 15 : 0;
    read(2); // data_reference_index
    const base = read(baseSize);
    const extentCount = read(2);
    const extents: { offset: number; length: number }[] = [];
    for (let e = 0; e < extentCount; e++) {
      if (i + indexSize + offsetSize + lengthSize > b.length) return out;
      read(indexSize);
      extents.push({ offset: read(offsetSize), length: read(lengthSize) });
    }
    out.push({ id, method, base, extents });
  }
  return out;
}
