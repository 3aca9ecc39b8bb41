/**
 * Decodes the EXIF and IPTC blocks located by locate.ts with ExifReader: the EXIF fields Artist and
 * Copyright (with its photographer and editor parts), and the IPTC IIM datasets By-line (2:80),
 * Credit (2:110) and Copyright Notice (2:116), in the character set the record declares.
 *
 * ExifReader reads whole files, not blocks. An EXIF block is a TIFF structure, which it reads as a
 * TIFF file. IPTC records, and the IFD0 entries of a TIFF file whose IFD and values were read from
 * wherever they lie, are handed to it as a small TIFF made here: a header and one IFD holding those
 * entries, whose values are the bytes read (so its decoding of types, counts and character sets is
 * used, not a hand-written one).
 * Reference: TIFF 6.0 §2 (header, IFD, types); IPTC IIM 4.2 (record 2; 1:90 coded character set).
 */
import { createRequire } from 'node:module';
import type * as ExifReaderTypes from 'exifreader';
import type { IfdEntry } from './locate.js';

/** What the blocks say, field by field, as text. */
export interface DecodedRights {
  /** EXIF Copyright: the photographer's notice, then the editor's when there is one. */
  exifCopyright: string[];
  exifArtist: string[];
  iptcCopyright: string[];
  iptcByline: string[];
  iptcCredit: string[];
}

const require = createRequire(import.meta.url);
type ExifReaderModule = typeof ExifReaderTypes;
let reader: ExifReaderModule | undefined;
/** ExifReader, loaded on first use: it is a large bundle, and most scans decode no EXIF (start-up time counts). */
function exifReader(): ExifReaderModule {
  return (reader ??= require('exifreader') as ExifReaderModule);
}

const EXIF_TAGS = { exif: ['Artist', 'Copyright'] };
const IPTC_TAGS = { iptc: ['By-line', 'Credit', 'Copyright Notice'] };

type Tag = { value?: unknown; description?: unknown };

function texts(tag: Tag | undefined): string[] {
  if (!tag) return [];
  const v = tag.value;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return (v).map((s) => s.trim()).filter((s) => s !== '');
  const d = typeof tag.description === 'string' ? tag.description.trim() : '';
  return d === '' ? [] : [d];
}

/**
 * Whether IFD0 of a TIFF structure has one of the tags: a cheap look at the entry table, so that the
 * many camera files without Artist or Copyright are not decoded at all.
 */
export function ifd0Has(tiff: Uint8Array, tags: readonly number[]): boolean {
  if (tiff.length < 8) return false;
  const le = tiff[0] === 0x49;
  const u16 = (i: number) => (le ? tiff[i]! | (tiff[i + 1]! << 8) : (tiff[i]! << 8) | tiff[i + 1]!);
  const ifd = le ? (tiff[4]! | (tiff[5]! << 8) | (tiff[6]! << 16)) + tiff[7]! * 2 ** 24 : tiff[4]! * 2 ** 24 + ((tiff[5]! << 16) | (tiff[6]! << 8) | tiff[7]!);
  if (ifd + 2 > tiff.length) return false;
  const count = u16(ifd);
  for (let k = 0; k < count && ifd + 2 + k * 12 + 2 <= tiff.length; k++) if (tags.includes(u16(ifd + 2 + k * 12))) return true;
  return false;
}

/** Whether an IPTC IIM record has one of the datasets read here (2:80, 2:110, 2:116). */
export function iimHas(iim: Uint8Array): boolean {
  for (let i = iim.indexOf(0x1c); i >= 0 && i + 2 < iim.length; i = iim.indexOf(0x1c, i + 1)) {
    if (iim[i + 1] === 2 && (iim[i + 2] === 80 || iim[i + 2] === 110 || iim[i + 2] === 116)) return true;
  }
  return false;
}

/** Decodes an EXIF block (a TIFF structure). Throws when ExifReader cannot read it. */
export function decodeExif(tiff: Uint8Array): Pick<DecodedRights, 'exifCopyright' | 'exifArtist'> {
  if (!ifd0Has(tiff, [315, 33432])) return { exifCopyright: [], exifArtist: [] };
  const tags = exifReader().load(toArrayBuffer(tiff), { expanded: true, includeTags: EXIF_TAGS }) as { exif?: Record<string, Tag> };
  return { exifCopyright: texts(tags.exif?.['Copyright']), exifArtist: texts(tags.exif?.['Artist']) };
}

/** Decodes an IPTC IIM record. Throws when ExifReader cannot read it. */
export function decodeIptc(iim: Uint8Array): Pick<DecodedRights, 'iptcCopyright' | 'iptcByline' | 'iptcCredit'> {
  if (!iimHas(iim)) return { iptcCopyright: [], iptcByline: [], iptcCredit: [] };
  const tiff = syntheticTiff([{ tag: 33723, type: 7, count: iim.length, bytes: iim, at: 0 }]);
  const tags = exifReader().load(toArrayBuffer(tiff), { expanded: true, includeTags: IPTC_TAGS }) as { iptc?: Record<string, Tag> };
  const all = (name: string) => texts(tags.iptc?.[name]);
  return { iptcCopyright: all('Copyright Notice'), iptcByline: all('By-line'), iptcCredit: all('Credit') };
}

/** Decodes IFD0 entries of a TIFF file (Artist, Copyright, IPTC-NAA). */
export function decodeIfd0(entries: readonly IfdEntry[], littleEndian: boolean): Pick<DecodedRights, 'exifCopyright' | 'exifArtist'> & Partial<Pick<DecodedRights, 'iptcCopyright' | 'iptcByline' | 'iptcCredit'>> {
  const text = entries.filter((e) => e.tag === 315 || e.tag === 33432);
  const iptc = entries.find((e) => e.tag === 33723);
  const exif = text.length > 0 ? decodeExif(syntheticTiff(text, littleEndian)) : { exifCopyright: [], exifArtist: [] };
  // IPTC-NAA is written as LONG or UNDEFINED; its bytes are the IIM record either way.
  return iptc ? { ...exif, ...decodeIptc(iptc.bytes) } : exif;
}

/**
 * A TIFF holding one IFD with the given entries, values after the IFD. Entries are written as read
 * (their type and count); a value's byte order is the original file's, so the header says it too.
 */
export function syntheticTiff(entries: readonly IfdEntry[], littleEndian = true): Uint8Array {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const ifdSize = 2 + sorted.length * 12 + 4;
  let data = 8 + ifdSize;
  const total = sorted.reduce((n, e) => n + (e.bytes.length > 4 ? e.bytes.length + (e.bytes.length & 1) : 0), data);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const le = littleEndian;
  out[0] = out[1] = le ? 0x49 : 0x4d;
  dv.setUint16(2, 42, le);
  dv.setUint32(4, 8, le);
  dv.setUint16(8, sorted.length, le);
  sorted.forEach((e, k) => {
    const at = 10 + k * 12;
    dv.setUint16(at, e.tag, le);
    dv.setUint16(at + 2, e.type, le);
    dv.setUint32(at + 4, e.count, le);
    if (e.bytes.length <= 4) out.set(e.bytes, at + 8);
    else {
      dv.setUint32(at + 8, data, le);
      out.set(e.bytes, data);
      data += e.bytes.length + (e.bytes.length & 1);
    }
  });
  return out;
}

/** An ArrayBuffer of exactly these bytes. (A Node Buffer's `slice` shares the pooled buffer: copy instead.) */
function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer) return b.buffer;
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return copy.buffer;
}
