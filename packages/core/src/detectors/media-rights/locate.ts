/**
 * Where images keep the rights fields that are not XMP — EXIF (a TIFF structure), IPTC IIM records
 * and PNG text chunks — walked over the sparse bytes the engine read (the shared XMP library's
 * ByteView, which records the ranges still needed). XMP itself is located by the XMP library.
 *
 * | format | EXIF | IPTC IIM | text |
 * | --- | --- | --- | --- |
 * | JPEG | APP1 `Exif\0\0` | APP13 `Photoshop 3.0\0`, image resource 0x0404 | — |
 * | PNG | `eXIf` chunk; ImageMagick's `Raw profile type exif` | `Raw profile type iptc` (exiftool, ImageMagick) | `tEXt`/`zTXt`/`iTXt` `Copyright`, `Author`, `Disclaimer` |
 * | TIFF (and DNG, raw) | IFD0 tags 315 Artist, 33432 Copyright | IFD0 tag 33723 (IPTC-NAA) | — |
 * | WebP | `EXIF` chunk | — | — |
 * | HEIF / AVIF | item of type `Exif` (iinf/iloc), after its 4-byte TIFF header offset | — | — |
 *
 * Reference: CIPA DC-008-2023 (Exif 3.0) §4.5.4 (APP1) and §4.6.5 (Artist, Copyright); TIFF 6.0 §2,
 * §8 (Artist 315, Copyright 33432); Adobe Photoshop File Formats, "Image Resource Blocks" (0x0404
 * IPTC-NAA); PNG Specification (Third Edition) §11.3.3 (tEXt, zTXt, iTXt; predefined keywords),
 * §11.3.6 (eXIf); WebP Container Specification, Extended File Format (EXIF chunk); ISO/IEC 14496-12
 * §8.11.3 (iloc), §8.11.6 (iinf/infe); ISO/IEC 23008-12 Annex A.2.1 (Exif item, exif_tiff_header_offset).
 */
import { crc32 } from 'node:zlib';
import { inflateBounded, readIfd0, walkPngChunks, walkWebpChunks, type ByteView } from '../xmp/index.js';
import { fourcc, latin1, startsWith, u16be, u32be, u32le, utf8 } from './bytes.js';
import { heif } from './heif.js';

/** One metadata block found in the file. */
export type MediaBlock =
  | { kind: 'exif'; location: string; byteOffset: number; bytes: Uint8Array | null; problem?: string }
  | { kind: 'iptc'; location: string; byteOffset: number; bytes: Uint8Array | null; problem?: string }
  | { kind: 'tiff-ifd0'; location: string; byteOffset: number; entries: IfdEntry[]; littleEndian: boolean; problem?: string }
  | { kind: 'text'; location: string; byteOffset: number; keyword: string; text: string | null; problem?: string };

/** A raw IFD0 entry of a TIFF file: tag, type, count and the value's bytes. */
export interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  bytes: Uint8Array;
  at: number;
}

/** Largest block read (EXIF in JPEG is at most 64 KiB; the rest is far smaller in practice). */
export const MAX_MEDIA_BLOCK = 4 * 1024 * 1024;
const MAX_SEGMENTS = 4096;
/** PNG text keywords that carry rights (predefined keywords of the PNG specification). */
const TEXT_KEYWORDS = new Set(['Copyright', 'Author', 'Disclaimer']);
const RAW_PROFILES = new Set(['Raw profile type exif', 'Raw profile type APP1', 'Raw profile type iptc', 'Raw profile type 8bim']);
const IFD0_TAGS = new Set([315, 33432, 33723]);

/** The container from the first bytes; null for formats without these fields. */
export function mediaFormat(head: Uint8Array): 'jpeg' | 'png' | 'tiff' | 'webp' | 'heif' | null {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (startsWith(head, '\x89PNG\r\n\x1a\n')) return 'png';
  if ((startsWith(head, 'II') && (head[2] === 42 || head[2] === 43) && head[3] === 0) || (startsWith(head, 'MM') && head[2] === 0 && (head[3] === 42 || head[3] === 43))) return 'tiff';
  if (startsWith(head, 'RIFF') && startsWith(head, 'WEBP', 8)) return 'webp';
  if (startsWith(head, 'ftyp', 4) && /^(?:mif1|msf1|heic|heix|hevc|hevx|heim|heis|avif|avis|mif2)$/.test(latin1.decode(head.subarray(8, 12)))) return 'heif';
  return null;
}

/** Walks the file's container for EXIF, IPTC and text blocks; ranges it could not read are left in `view.needs`. Never throws on bad input. */
export function locateMedia(view: ByteView): MediaBlock[] {
  const head = view.from(0, 64) ?? new Uint8Array(0);
  const out: MediaBlock[] = [];
  switch (mediaFormat(head)) {
    case 'jpeg':
      jpeg(view, out);
      break;
    case 'png':
      png(view, out);
      break;
    case 'tiff':
      tiff(view, out);
      break;
    case 'webp':
      webp(view, out);
      break;
    case 'heif':
      heif(view, out);
      break;
    default:
      break;
  }
  return out;
}

function jpeg(view: ByteView, out: MediaBlock[]): void {
  let pos = 2;
  for (let n = 0; n < MAX_SEGMENTS && pos + 4 <= view.size; n++) {
    const hdr = view.get(pos, pos + 4);
    if (hdr === null) {
      view.ahead(pos);
      return;
    }
    if (hdr[0] !== 0xff) return;
    const marker = hdr[1]!;
    if (marker === 0xff) {
      pos += 1;
      continue;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xd8) {
      pos += 2;
      continue;
    }
    // Start of scan or end of image: no metadata segments follow in the main image.
    if (marker === 0xda || marker === 0xd9) return;
    const len = u16be(hdr, 2);
    if (len < 2) return;
    const start = pos + 4;
    const end = pos + 2 + len;
    if (end > view.size) return;
    if (marker === 0xe1 || marker === 0xed) {
      // The XMP library's walk asks for these segments (and APP11) too: the same ranges, read once.
      const payload = view.want(start, end);
      if (payload === null) {
        pos = end;
        continue;
      }
      if (marker === 0xe1 && startsWith(payload, 'Exif\0')) out.push({ kind: 'exif', location: 'app1', byteOffset: start + 6, bytes: payload.subarray(6) });
      if (marker === 0xed && startsWith(payload, 'Photoshop 3.0\0')) irb(payload.subarray(14), start + 14, 'app13', out);
    }
    pos = end;
  }
}

/** Photoshop image resource blocks: `8BIM`, id, padded Pascal name, size, data (padded to even). */
function irb(b: Uint8Array, at: number, location: string, out: MediaBlock[]): void {
  let i = 0;
  for (let n = 0; n < 1000 && i + 12 <= b.length; n++) {
    if (!startsWith(b, '8BIM', i)) return;
    const id = u16be(b, i + 4);
    const nameLen = b[i + 6]!;
    const nameField = nameLen + 1 + ((nameLen + 1) & 1);
    const sizeAt = i + 6 + nameField;
    if (sizeAt + 4 > b.length) return;
    const size = u32be(b, sizeAt);
    const data = sizeAt + 4;
    if (data + size > b.length) return;
    if (id === 0x0404) out.push({ kind: 'iptc', location, byteOffset: at + data, bytes: b.subarray(data, data + size) });
    i = data + size + (size & 1);
  }
}

function png(view: ByteView, out: MediaBlock[]): void {
  const seen = new Set<number>();
  const walk = walkPngChunks(view, (type, pos, len) => {
    if (!isPngMeta(type)) return;
    seen.add(pos);
    if (len > MAX_MEDIA_BLOCK) out.push({ kind: 'exif', location: type, byteOffset: pos + 8, bytes: null, problem: 'too-large' });
    else {
      const data = view.want(pos + 8, pos + 8 + len);
      if (data !== null) pngChunk(type, data, pos + 8, out);
    }
  });
  if (walk.ended) return;
  // Metadata written after the image data: find the chunks in the bytes read past the walk, each
  // accepted only when its length fits and its CRC-32 is right (a chance match in pixels fails the CRC).
  for (const run of view.runs) {
    if (run.start === 0) continue;
    for (let i = 4; i + 4 <= run.bytes.length; i++) {
      const t = run.bytes[i];
      if (t !== 0x74 && t !== 0x7a && t !== 0x69 && t !== 0x65) continue; // t z i e
      const type = fourcc(run.bytes, i);
      if (!isPngMeta(type)) continue;
      const at = run.start + i - 4;
      if (seen.has(at)) continue;
      const len = u32be(run.bytes, i - 4);
      if (len > MAX_MEDIA_BLOCK || at + 12 + len > view.size) continue;
      const chunk = view.get(at + 4, at + 12 + len);
      if (chunk === null) continue;
      if (crc32(chunk.subarray(0, 4 + len)) !== u32be(chunk, 4 + len)) continue;
      seen.add(at);
      pngChunk(type, chunk.subarray(4, 4 + len), at + 8, out);
    }
  }
}

const isPngMeta = (type: string) => type === 'eXIf' || type === 'tEXt' || type === 'zTXt' || type === 'iTXt';

function pngChunk(type: string, data: Uint8Array, at: number, out: MediaBlock[]): void {
  if (type === 'eXIf') {
    out.push({ kind: 'exif', location: 'eXIf', byteOffset: at, bytes: data });
    return;
  }
  const nul = data.indexOf(0);
  if (nul < 1 || nul > 79) return;
  const keyword = latin1.decode(data.subarray(0, nul));
  if (!TEXT_KEYWORDS.has(keyword) && !RAW_PROFILES.has(keyword)) return;
  let text: string | null = null;
  let problem: string | undefined;
  if (type === 'tEXt') text = latin1.decode(data.subarray(nul + 1));
  else if (type === 'zTXt') {
    const inflated = inflateBounded(data.subarray(nul + 2), { maxBytes: MAX_MEDIA_BLOCK });
    if (inflated.ok) text = latin1.decode(inflated.bytes);
    else problem = inflated.problem;
  } else {
    // iTXt: keyword NUL, compression flag, method, language NUL, translated keyword NUL, UTF-8 text.
    const compressed = data[nul + 1] === 1;
    const lang = data.indexOf(0, nul + 3);
    const translated = lang < 0 ? -1 : data.indexOf(0, lang + 1);
    if (translated < 0) return;
    const body = data.subarray(translated + 1);
    if (!compressed) text = utf8.decode(body);
    else {
      const inflated = inflateBounded(body, { maxBytes: MAX_MEDIA_BLOCK });
      if (inflated.ok) text = utf8.decode(inflated.bytes);
      else problem = inflated.problem;
    }
  }
  if (RAW_PROFILES.has(keyword)) {
    if (text !== null) rawProfile(keyword, text, at, out);
    return;
  }
  out.push({ kind: 'text', location: type, byteOffset: at, keyword, text, ...(problem ? { problem } : {}) });
}

/**
 * ImageMagick's "Raw profile type <name>": a newline, the name, the length in decimal, then the
 * profile in hexadecimal. EXIF may start with `Exif\0\0`; IPTC is IIM or a Photoshop IRB.
 */
function rawProfile(keyword: string, text: string, at: number, out: MediaBlock[]): void {
  // "\n<name, which may have spaces>\n<spaces><length>\n<hex lines>"
  const m = /^\s*[^\n]*\n\s*(\d+)\s*\n([0-9a-fA-F\s]+)$/.exec(text.slice(0, 2 * MAX_MEDIA_BLOCK + 256));
  if (!m) return;
  const length = Number(m[1]);
  const hex = m[2]!.replace(/\s+/g, '');
  if (length > MAX_MEDIA_BLOCK || hex.length < length * 2) return;
  const bytes = Uint8Array.from(Buffer.from(hex.slice(0, length * 2), 'hex'));
  const location = `zTXt ${keyword}`;
  if (/exif|APP1/i.test(keyword)) out.push({ kind: 'exif', location, byteOffset: at, bytes: startsWith(bytes, 'Exif\0') ? bytes.subarray(6) : bytes });
  else if (startsWith(bytes, '8BIM')) irb(bytes, at, location, out);
  else if (bytes[0] === 0x1c) out.push({ kind: 'iptc', location, byteOffset: at, bytes });
}

/** IFD0 of a TIFF file: the entries for Artist, Copyright and IPTC, with their values wherever they lie. */
function tiff(view: ByteView, out: MediaBlock[]): void {
  const ifd0 = readIfd0(view, 4096);
  if (ifd0 === null) return;
  const entries: IfdEntry[] = [];
  let missing = false;
  for (let k = 0; k < ifd0.count; k++) {
    const { tag, type, count: n, valueOffset } = ifd0.entry(k);
    if (!IFD0_TAGS.has(tag)) continue;
    const unit = type === 4 || type === 9 ? 4 : type === 3 || type === 8 ? 2 : 1;
    const size = n * unit;
    if (!Number.isSafeInteger(size) || size > MAX_MEDIA_BLOCK) continue;
    const at = valueOffset(size);
    if (!Number.isSafeInteger(at) || at + size > view.size) continue;
    const bytes = view.want(at, at + size);
    if (bytes === null) {
      missing = true;
      continue;
    }
    entries.push({ tag, type, count: n, bytes, at });
  }
  if (entries.length > 0 || missing) out.push({ kind: 'tiff-ifd0', location: 'ifd0', byteOffset: ifd0.at, entries, littleEndian: ifd0.littleEndian, ...(missing ? { problem: 'not-read' } : {}) });
}

function webp(view: ByteView, out: MediaBlock[]): void {
  const seen = new Set<number>();
  const walk = walkWebpChunks(view, (type, pos, size) => {
    if (type !== 'EXIF') return;
    seen.add(pos);
    exifChunk(view, pos, size, out);
  });
  if (walk === null || walk.walked) return;
  const { end } = walk;
  // An animation of many frames cannot be walked through the reads allowed: EXIF is written after the
  // image data, before XMP, so a chunk in the tail that ends at the file's end or at an XMP chunk is taken.
  for (const run of view.runs) {
    if (run.start === 0) continue;
    for (let i = run.bytes.indexOf(0x45); i >= 0 && i + 8 <= run.bytes.length; i = run.bytes.indexOf(0x45, i + 1)) {
      if (fourcc(run.bytes, i) !== 'EXIF') continue;
      const at = run.start + i;
      if (seen.has(at)) continue;
      const size = u32le(run.bytes, i + 4);
      const next = at + 8 + size + (size & 1);
      const follower = view.get(next, next + 4);
      if (!(next === end || at + 8 + size === end || (follower !== null && fourcc(follower, 0) === 'XMP '))) continue;
      seen.add(at);
      exifChunk(view, at, size, out);
    }
  }
}

function exifChunk(view: ByteView, pos: number, size: number, out: MediaBlock[]): void {
  if (size > MAX_MEDIA_BLOCK) {
    out.push({ kind: 'exif', location: 'EXIF-chunk', byteOffset: pos + 8, bytes: null, problem: 'too-large' });
    return;
  }
  const data = view.want(pos + 8, pos + 8 + size);
  // Some writers keep the JPEG signature in the chunk.
  if (data !== null) out.push({ kind: 'exif', location: 'EXIF-chunk', byteOffset: pos + 8, bytes: startsWith(data, 'Exif\0') ? data.subarray(6) : data });
}
