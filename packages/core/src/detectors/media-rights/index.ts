/**
 * Rights metadata embedded in images — JPEG, PNG, TIFF (and DNG and camera raw built on it), WebP,
 * HEIF/AVIF, and GIF's XMP: who claims the work and under what terms, as its creator's software wrote
 * it. Read from the bytes the engine read (head, tail and the ranges the containers point at).
 *
 * - XMP `cc:license` (Creative Commons' licence URL) → `licence.media.xmp`, the URL read as an SPDX id
 *   with at most 0.7 confidence (metadata travels with copies and edits, and says what a tool was
 *   told); `xmpRights:WebStatement` when it is itself a licence URL → the same code, at most 0.6.
 * - XMP `dc:rights`, EXIF Copyright, IPTC Copyright Notice, PNG `Copyright` text → `provenance.media.copyright`.
 * - XMP `dc:creator`, EXIF Artist, IPTC By-line and Credit, PNG `Author` → `provenance.media.creator`.
 * - XMP `xmpRights:Marked` → `provenance.media.rights-marked`: True says the work is rights-managed,
 *   False that it is public domain. Neither is a licence nor a technical protection measure.
 * - XMP `xmpRights:UsageTerms` and `WebStatement` → `provenance.media.usage-terms` (free text: not read as a licence).
 *
 * Libraries: XMP is located and parsed by the shared XMP library (detectors/xmp, namespace-aware);
 * EXIF and IPTC are decoded by ExifReader (see decode.ts); locate.ts finds their blocks.
 * Reference: XMP Specification Part 1 (2012) §8.4 (xmpRights namespace), Part 2 (dc); Creative Commons
 * Rights Expression Language (cc:license); CIPA DC-008 Exif (Artist, Copyright); IPTC IIM 4.2 and
 * IPTC Photo Metadata Standard 2023.1 (Copyright Notice, Creator, Credit Line).
 *
 * ok:     XMP `<cc:license rdf:resource="https://creativecommons.org/licenses/by/4.0/"/>` → licence.media.xmp, CC-BY-4.0 (0.7)
 * ok:     EXIF Copyright `© 2021 Jane Doe` → provenance.media.copyright, holder Jane Doe, years 2021
 * not-ok: XMP `cc:license` `https://example.org/my-terms` → licence.media.xmp, expression null (review)
 * not-ok: an XMP packet that names the rights namespaces but does not parse → media.rights-unreadable (warning)
 */
import { defineDetector, findingUrl, type DetectorInput, type RangeView } from '../../engine/detector.js';
import type { ByteRange } from '../../source/types.js';
import type { FindingInput } from '../../schema/finding.js';
import { noticeValue, parseNotice } from '../copyright/index.js';
import { readLicence } from '../licence-names/index.js';
import { coalesce, EMBEDDED_HEAD, embeddedRanges, fileOffset, mentions, readEmbedded, readXmp, textsOf, viewOf, type XmpPacket, type XmpProperty } from '../xmp/index.js';
import { excerpt } from '../text.js';
import { decodeExif, decodeIfd0, decodeIptc, type DecodedRights } from './decode.js';
import { locateMedia, type MediaBlock } from './locate.js';

const ID = 'media-rights';
const NS = {
  rights: 'http://ns.adobe.com/xap/1.0/rights/',
  cc: 'http://creativecommons.org/ns#',
  dc: 'http://purl.org/dc/elements/1.1/',
} as const;
/** Highest confidence of a licence read from embedded metadata: `cc:license`, and a licence URL in WebStatement. */
const CC_CONFIDENCE = 0.7;
const WEB_STATEMENT_CONFIDENCE = 0.6;
const MAX_TEXT = 300;
/** Distinct values of one kind kept per file. */
const MAX_VALUES = 32;

export const mediaRights = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'Rights metadata in images: XMP cc:license, xmpRights, dc:rights/creator; EXIF Copyright/Artist; IPTC; PNG text',
  match: {
    mediaTypes: ['image/jpeg', 'image/png', 'image/apng', 'image/tiff', 'image/webp', 'image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence', 'image/avif', 'image/gif', 'image/x-adobe-dng', 'image/x-canon-cr2', 'image/x-nikon-nef', 'image/x-sony-arw'],
  },
  wants: {
    head: EMBEDDED_HEAD,
    // The XMP library's ranges already cover EXIF, IPTC and text blocks (its walkers ask for them so
    // that every detector reading embedded metadata asks for the same ranges, which the engine reads
    // once); what EXIF/IPTC alone point at (TIFF IFD0 values, HEIF Exif items) is added.
    ranges: (view: RangeView): ByteRange[] => {
      const v = viewOf(view);
      locateMedia(v);
      return coalesce([...embeddedRanges(view), ...v.needs]).slice(0, 64);
    },
  },
  codes: {
    'licence.media.xmp': {
      title: 'Licence in an image\'s XMP',
      meaning: 'The image\'s XMP names a licence: `cc:license` (Creative Commons\' property), or `xmpRights:WebStatement` pointing at a licence page. The URL is read as an SPDX id with at most 0.7 confidence (0.6 for WebStatement): embedded metadata is what the creator\'s software was told, and it travels with copies and edits. A URL that names no known licence gives no expression. It is the file\'s own statement, so it outranks licence files and cards of its folder.',
      action: 'Check the licence against the image\'s source; a licence that is not identified needs a person to read the URL.',
    },
    'provenance.media.copyright': {
      title: 'Copyright notice in an image\'s metadata',
      meaning: 'The image\'s metadata states a copyright notice — XMP `dc:rights`, EXIF Copyright, IPTC Copyright Notice or a PNG `Copyright` text — with its holder and years when they can be told apart (`value.fields` says where). It says who claims the work, not what may be done with it.',
      action: 'Keep it with the record; a notice without a licence means the work is not licensed for training by default.',
    },
    'provenance.media.creator': {
      title: 'Creator named in an image\'s metadata',
      meaning: 'The image\'s metadata names its creator or credit — XMP `dc:creator`, EXIF Artist, IPTC By-line or Credit, a PNG `Author` text.',
      action: 'Keep it with the record for attribution.',
    },
    'provenance.media.rights-marked': {
      title: 'Image marked as rights-managed or public domain',
      meaning: 'The image\'s XMP has `xmpRights:Marked`: `True` means it is rights-managed (copyright is claimed), `False` that it is public domain. `value.copyrighted` is true, false, or null for any other value. It is a statement, not a licence and not a technical protection measure.',
      action: 'Read it with the licence: `True` without a licence means all rights reserved.',
    },
    'provenance.media.usage-terms': {
      title: 'Usage terms in an image\'s XMP',
      meaning: 'The image\'s XMP states `xmpRights:UsageTerms` (free text on how it may be used) or `xmpRights:WebStatement` (a page with the rights statement). Free text is not read as a licence.',
      action: 'Read the terms when the image\'s licence is not otherwise known.',
    },
    'media.rights-unreadable': {
      title: 'Image rights metadata that could not be read',
      meaning: 'The image has a metadata block that may hold rights — an XMP packet naming the rights, Creative Commons or Dublin Core namespaces, an EXIF or IPTC block — that could not be read: malformed, too large, or outside the bytes read.',
      action: 'Inspect the file (for example with exiftool) if its rights matter.',
    },
  },
  detect(input) {
    const out: FindingInput[] = [];
    const { blocks } = readEmbedded(input);
    for (const packet of readXmp(blocks.map(unpadded))) fromXmp(input, packet, out);
    const decoded: DecodedRights & { at: Record<string, number> } = { exifCopyright: [], exifArtist: [], iptcCopyright: [], iptcByline: [], iptcCredit: [], at: {} };
    for (const block of locateMedia(viewOf(input))) fromBlock(input, block, decoded, out);
    notices(input, decoded, out);
    return out;
  },
});

const XMPMETA_CLOSE = new TextEncoder().encode('</x:xmpmeta>');

/**
 * An XMP block without the padding writers leave before `<?xpacket end…?>` (2 KiB or more of spaces
 * in most JPEGs): the padding is not XML, and cutting after `</x:xmpmeta>` spares the parser reading
 * it while keeping every property and its offset. UTF-8 packets only; others are passed as they are.
 */
function unpadded<B extends { kind: string; bytes: Uint8Array | null }>(block: B): B {
  const b = block.bytes;
  if (block.kind !== 'xmp' || b === null || b.length < 1024) return block;
  const from = Math.max(0, b.length - 256 * 1024);
  for (let i = b.length - XMPMETA_CLOSE.length; i >= from; i--) {
    if (b[i] !== 0x3c) continue;
    let k = 1;
    while (k < XMPMETA_CLOSE.length && b[i + k] === XMPMETA_CLOSE[k]) k++;
    if (k === XMPMETA_CLOSE.length) return { ...block, bytes: b.subarray(0, i + k) };
  }
  return block;
}

const base = (input: DetectorInput, code: string) => ({ detector: ID, url: findingUrl(code), scope: { kind: 'file' as const, root: input.path } });
const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 3)}...` : s);

/** The x-default (or first) text of a property. */
function text(p: XmpProperty): string | null {
  const all = textsOf(p.value);
  const t = all.find((x) => x.lang === 'x-default') ?? all[0];
  const v = t?.value.trim();
  return v ? v : null;
}

function fromXmp(input: DetectorInput, packet: XmpPacket, out: FindingInput[]): void {
  const { doc, block } = packet;
  if (!doc) {
    // Unreadable: worth a notice only when the packet could hold rights (XML binds a namespace by its URI).
    const relevant = block.bytes === null || mentions(block.bytes, NS.rights) || mentions(block.bytes, NS.cc) || mentions(block.bytes, NS.dc);
    if (relevant) out.push({ code: 'media.rights-unreadable', category: 'notice', severity: 'warning', confidence: 1, value: { block: 'xmp', location: block.location, problem: String(packet.problem ?? 'unreadable') }, evidence: { path: input.path, byteOffset: block.byteOffset }, ...base(input, 'media.rights-unreadable') });
    return;
  }
  const at = (p: XmpProperty) => fileOffset(packet, p.at);
  for (const p of doc.get(NS.cc, 'license').slice(0, 4)) {
    const written = text(p);
    if (written) out.push(licenceFinding(input, written, 'cc:license', CC_CONFIDENCE, at(p)));
  }
  const web = doc.get(NS.rights, 'WebStatement')[0];
  const webText = web ? text(web) : null;
  const terms = doc.get(NS.rights, 'UsageTerms')[0];
  const termsText = terms ? text(terms) : null;
  if (webText) {
    const r = readLicence(webText);
    if (r.method === 'url' && r.expression !== null) out.push(licenceFinding(input, webText, 'xmpRights:WebStatement', WEB_STATEMENT_CONFIDENCE, at(web!)));
  }
  if (webText || termsText) {
    out.push({ code: 'provenance.media.usage-terms', category: 'provenance', confidence: 0.9, value: { ...(termsText ? { usageTerms: clip(termsText) } : {}), ...(webText ? { webStatement: clip(webText) } : {}) }, evidence: { path: input.path, byteOffset: at(terms ?? web!), excerpt: excerpt(termsText ?? webText!) }, ...base(input, 'provenance.media.usage-terms') });
  }
  const marked = doc.get(NS.rights, 'Marked')[0];
  const markedText = marked ? text(marked) : null;
  if (markedText) {
    const copyrighted = /^true$/i.test(markedText) ? true : /^false$/i.test(markedText) ? false : null;
    out.push({ code: 'provenance.media.rights-marked', category: 'provenance', confidence: copyrighted === null ? 0.5 : 0.9, value: { marked: clip(markedText), copyrighted }, evidence: { path: input.path, byteOffset: at(marked!), excerpt: excerpt(`xmpRights:Marked ${markedText}`) }, ...base(input, 'provenance.media.rights-marked') });
  }
  for (const p of doc.get(NS.dc, 'rights').slice(0, 4)) {
    const t = text(p);
    if (t) copyrightFinding(input, t, 'XMP dc:rights', at(p), out);
  }
  for (const p of doc.get(NS.dc, 'creator').slice(0, 4)) {
    for (const t of textsOf(p.value).slice(0, MAX_VALUES)) if (t.value.trim()) creatorFinding(input, t.value.trim(), 'XMP dc:creator', at(p), out);
  }
}

function licenceFinding(input: DetectorInput, written: string, field: string, cap: number, byteOffset: number): FindingInput {
  const r = readLicence(written);
  return {
    code: 'licence.media.xmp',
    category: 'licence',
    confidence: r.expression === null ? 0 : Math.min(cap, r.confidence),
    value: { expression: r.expression, written: clip(written), field, method: r.method, ...(r.note ? { note: r.note } : {}) },
    evidence: { path: input.path, byteOffset, excerpt: excerpt(`${field} ${written}`) },
    ...base(input, 'licence.media.xmp'),
  };
}

/** Statements in a rights field that are not a holder's notice. */
const NOT_A_HOLDER = /rights reserved|public domain|licen[cs]e|creative commons|\bcc[ -]?(?:by|0|zero)\b|^(?:none|unknown|n\/a)$/i;

/**
 * Adds a copyright finding, or a field to the finding of the same text. EXIF Copyright and IPTC
 * Copyright Notice are notices by definition, so a bare name is the holder; other fields (dc:rights,
 * PNG text) name a holder only when written as a notice (© or Copyright, or a year).
 */
function copyrightFinding(input: DetectorInput, t: string, field: string, byteOffset: number, out: FindingInput[], byDefinition = false): void {
  const same = out.find((f) => f.code === 'provenance.media.copyright' && (f.value as { text: string }).text === clip(t));
  if (same) {
    (same.value as { fields: string[] }).fields.push(field);
    return;
  }
  if (out.filter((f) => f.code === 'provenance.media.copyright').length >= MAX_VALUES) return;
  const strict = parseNotice(t);
  const n = strict ?? (byDefinition && !NOT_A_HOLDER.test(t) ? parseNotice(t, { field: true }) : null);
  out.push({
    code: 'provenance.media.copyright',
    category: 'provenance',
    confidence: n ? 0.9 : 0.6,
    value: { text: clip(t), fields: [field], ...(n ? noticeValue(n) : {}) },
    evidence: { path: input.path, byteOffset, excerpt: excerpt(t) },
    ...base(input, 'provenance.media.copyright'),
  });
}

function creatorFinding(input: DetectorInput, name: string, field: string, byteOffset: number, out: FindingInput[]): void {
  const same = out.find((f) => f.code === 'provenance.media.creator' && (f.value as { name: string }).name === clip(name));
  if (same) {
    (same.value as { fields: string[] }).fields.push(field);
    return;
  }
  if (out.filter((f) => f.code === 'provenance.media.creator').length >= MAX_VALUES) return;
  out.push({ code: 'provenance.media.creator', category: 'provenance', confidence: 0.9, value: { name: clip(name), fields: [field] }, evidence: { path: input.path, byteOffset, excerpt: excerpt(name) }, ...base(input, 'provenance.media.creator') });
}

function fromBlock(input: DetectorInput, block: MediaBlock, decoded: DecodedRights & { at: Record<string, number> }, out: FindingInput[]): void {
  const unreadable = (problem: string) =>
    out.push({ code: 'media.rights-unreadable', category: 'notice', severity: 'warning', confidence: 1, value: { block: block.kind, location: block.location, problem: clip(problem) }, evidence: { path: input.path, byteOffset: block.byteOffset }, ...base(input, 'media.rights-unreadable') });
  if (block.problem) {
    unreadable(block.problem);
    if (block.kind !== 'tiff-ifd0') return;
  }
  try {
    switch (block.kind) {
      case 'exif':
        if (block.bytes) add(decoded, decodeExif(block.bytes), block.byteOffset);
        break;
      case 'iptc':
        if (block.bytes) add(decoded, decodeIptc(block.bytes), block.byteOffset);
        break;
      case 'tiff-ifd0':
        if (block.entries.length > 0) add(decoded, decodeIfd0(block.entries, block.littleEndian), block.byteOffset);
        break;
      case 'text':
        if (block.text === null) break;
        if (block.keyword === 'Copyright') copyrightFinding(input, block.text.trim(), `PNG ${block.location} Copyright`, block.byteOffset, out, true);
        else if (block.keyword === 'Author') creatorFinding(input, block.text.trim(), `PNG ${block.location} Author`, block.byteOffset, out);
        else if (block.keyword === 'Disclaimer') out.push({ code: 'provenance.media.usage-terms', category: 'provenance', confidence: 0.9, value: { disclaimer: clip(block.text.trim()) }, evidence: { path: input.path, byteOffset: block.byteOffset, excerpt: excerpt(block.text) }, ...base(input, 'provenance.media.usage-terms') });
        break;
    }
  } catch (err) {
    // A block ExifReader cannot decode is data, not a failure of the scan.
    unreadable(`not decodable: ${(err as Error).message}`);
  }
}

function add(into: DecodedRights & { at: Record<string, number> }, got: Partial<DecodedRights>, at: number): void {
  for (const key of ['exifCopyright', 'exifArtist', 'iptcCopyright', 'iptcByline', 'iptcCredit'] as const) {
    const values = got[key] ?? [];
    if (values.length > 0 && into.at[key] === undefined) into.at[key] = at;
    for (const v of values) if (!into[key].includes(v) && into[key].length < MAX_VALUES) into[key].push(v);
  }
}

function notices(input: DetectorInput, d: DecodedRights & { at: Record<string, number> }, out: FindingInput[]): void {
  d.exifCopyright.forEach((t, i) => copyrightFinding(input, t, i === 0 ? 'EXIF Copyright' : 'EXIF Copyright (editor)', d.at['exifCopyright']!, out, true));
  for (const t of d.iptcCopyright) copyrightFinding(input, t, 'IPTC Copyright Notice', d.at['iptcCopyright']!, out, true);
  for (const t of d.exifArtist) creatorFinding(input, t, 'EXIF Artist', d.at['exifArtist']!, out);
  for (const t of d.iptcByline) creatorFinding(input, t, 'IPTC By-line', d.at['iptcByline']!, out);
  for (const t of d.iptcCredit) creatorFinding(input, t, 'IPTC Credit', d.at['iptcCredit']!, out);
}
