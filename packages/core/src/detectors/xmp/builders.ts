/**
 * Builders of small container files around given metadata, following each format's byte layout
 * (see locate.ts for the references). For tests and examples: they make the cases real tools do not
 * (a lying length, a FlateDecode metadata stream, a packet split across extended-XMP segments).
 */
import { crc32, deflateSync } from 'node:zlib';

const enc = new TextEncoder();
const bytesOf = (x: string | Uint8Array) => (typeof x === 'string' ? enc.encode(x) : x);

function be16(n: number): Uint8Array {
  return new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
}
function be32(n: number): Uint8Array {
  return new Uint8Array([(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: (Uint8Array | string)[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map(bytesOf)));
}

/** A wrapped XMP packet around `rdf` (the content of `rdf:RDF`). */
export function xmpPacket(rdf: string): string {
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${rdf}</rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>`;
}

/** A JPEG marker segment; `declaredLength` overrides the length field (to lie). */
export function jpegSegment(marker: number, payload: Uint8Array | string, declaredLength?: number): Uint8Array {
  const p = bytesOf(payload);
  return concatBytes(new Uint8Array([0xff, marker]), be16(declaredLength ?? p.length + 2), p);
}

/** A minimal JPEG: SOI, the given segments, then SOS and EOI (no real image data). */
export function jpegFile(...segments: Uint8Array[]): Uint8Array {
  return concatBytes(new Uint8Array([0xff, 0xd8]), ...segments, new Uint8Array([0xff, 0xda, 0x00, 0x02, 0xff, 0xd9]));
}

/** The APP1 segment of a standard XMP packet. */
export function jpegXmpSegment(xml: string | Uint8Array): Uint8Array {
  return jpegSegment(0xe1, concatBytes('http://ns.adobe.com/xap/1.0/\0', bytesOf(xml)));
}

/** APP1 extended-XMP segments carrying `xml`, split in pieces of at most `piece` bytes. */
export function jpegExtendedXmpSegments(xml: string, guid: string, piece = 60_000): Uint8Array[] {
  const data = bytesOf(xml);
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length; off += piece) {
    out.push(jpegSegment(0xe1, concatBytes('http://ns.adobe.com/xmp/extension/\0', guid.padEnd(32, '0').slice(0, 32), be32(data.length), be32(off), data.subarray(off, off + piece))));
  }
  return out;
}

/** APP11 segments carrying one JUMBF box, split as JPEG XT does (the box header repeated in each). */
export function jpegJumbfSegments(box: Uint8Array, options: { instance?: number; piece?: number } = {}): Uint8Array[] {
  const piece = options.piece ?? 65_000;
  const header = box.subarray(0, 8);
  const body = box.subarray(8);
  const out: Uint8Array[] = [];
  let seq = 1;
  for (let off = 0; off < body.length || off === 0; off += piece) {
    out.push(jpegSegment(0xeb, concatBytes(new Uint8Array([0x4a, 0x50]), be16(options.instance ?? 1), be32(seq++), header, body.subarray(off, off + piece))));
    if (body.length === 0) break;
  }
  return out;
}

/** A PNG chunk with a correct CRC (or the given one). */
export function pngChunk(type: string, data: Uint8Array | string, crc?: number): Uint8Array {
  const d = bytesOf(data);
  const typed = concatBytes(type, d);
  return concatBytes(be32(d.length), typed, be32(crc ?? crc32(typed)));
}

/** A 1×1 PNG with the given chunks before its image data (and `after` behind it). */
export function pngFile(before: Uint8Array[], after: Uint8Array[] = []): Uint8Array {
  const ihdr = pngChunk('IHDR', concatBytes(be32(1), be32(1), new Uint8Array([8, 0, 0, 0, 0])));
  const idat = pngChunk('IDAT', deflateSync(Buffer.from([0, 0])));
  return concatBytes(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, ...before, idat, ...after, pngChunk('IEND', ''));
}

/** The iTXt chunk of an XMP packet, zlib-compressed when asked. */
export function pngXmpChunk(xml: string, options: { compressed?: boolean } = {}): Uint8Array {
  const text = options.compressed ? deflateSync(Buffer.from(xml, 'utf8')) : bytesOf(xml);
  return pngChunk('iTXt', concatBytes('XML:com.adobe.xmp\0', new Uint8Array([options.compressed ? 1 : 0, 0]), '\0\0', text));
}

/** An ISO-BMFF box (`uuid` when `uuid` is given, as 32 hex digits). */
export function bmffBox(type: string, payload: Uint8Array | string, uuid?: string): Uint8Array {
  const p = bytesOf(payload);
  const ext = uuid ? Buffer.from(uuid, 'hex') : new Uint8Array(0);
  return concatBytes(be32(8 + ext.length + p.length), type, ext, p);
}

export interface PdfOptions {
  /** The metadata stream's XMP; none when absent. */
  metadata?: string;
  /** Compress the metadata stream with FlateDecode. */
  flate?: boolean;
  /** Metadata streams of other objects (a page or an image), not named by the catalog. */
  objectMetadata?: string[];
  /** Make the catalog's /Metadata reference indirect through nothing (no catalog entry). */
  noCatalogReference?: boolean;
  /** Bytes of two unused streams written before and after the metadata, so that it lies far from both ends (tests of range reading). */
  filler?: number;
}

/** A small, valid PDF with a classic xref table, a catalog and optional metadata streams. */
export function pdfFile(options: PdfOptions = {}): Uint8Array {
  const objects: Uint8Array[] = [];
  const metaNums: number[] = [];
  const streams: { xml: string; flate: boolean }[] = [];
  if (options.metadata !== undefined) streams.push({ xml: options.metadata, flate: options.flate ?? false });
  for (const m of options.objectMetadata ?? []) streams.push({ xml: m, flate: false });
  // 1 catalog, 2 pages, 3 page, 4 content, then metadata streams.
  const first = options.filler ? 6 : 5;
  const docMeta = options.metadata !== undefined && !options.noCatalogReference ? ` /Metadata ${first} 0 R` : '';
  objects.push(enc.encode(`<< /Type /Catalog /Pages 2 0 R${docMeta} >>`));
  objects.push(enc.encode('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'));
  const pageMeta = options.objectMetadata?.length ? ` /Metadata ${first + (options.metadata !== undefined ? 1 : 0)} 0 R` : '';
  objects.push(enc.encode(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] /Contents 4 0 R${pageMeta} >>`));
  const content = '0 0 72 72 re f\n';
  objects.push(concatBytes(`<< /Length ${content.length} >>\nstream\n`, content, '\nendstream'));
  const filler = () => objects.push(concatBytes(`<< /Length ${options.filler} >>\nstream\n`, ' '.repeat(options.filler!), '\nendstream'));
  if (options.filler) filler();
  for (const s of streams) {
    const data = s.flate ? deflateSync(Buffer.from(s.xml, 'utf8')) : bytesOf(s.xml);
    metaNums.push(objects.length + 1);
    objects.push(concatBytes(`<< /Type /Metadata /Subtype /XML /Length ${data.length}${s.flate ? ' /Filter /FlateDecode' : ''} >>\nstream\n`, data, '\nendstream'));
  }
  if (options.filler) filler();
  const parts: Uint8Array[] = [enc.encode('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
  const offsets: number[] = [];
  let pos = parts[0]!.length;
  objects.forEach((body, i) => {
    const obj = concatBytes(`${i + 1} 0 obj\n`, body, '\nendobj\n');
    offsets.push(pos);
    parts.push(obj);
    pos += obj.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, '0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(enc.encode(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${pos}\n%%EOF\n`));
  return concatBytes(...parts);
}
