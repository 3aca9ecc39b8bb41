/**
 * DRM in ASF files (WMA, WMV, ASF): the Header Object's Content Encryption Object (Windows Media DRM
 * version 1), Extended Content Encryption Object (Windows Media DRM 7 and later, or a PlayReady
 * header when its WRMHEADER is version 4), Advanced Content Encryption Object and PlayReady header
 * objects (inside the Header Extension Object too), and the Stream Properties "encrypted content" flag.
 * The Header Object is at the start; its size says how much to read (at most 1 MiB).
 *
 * ok:     a WMA whose header holds no encryption object and no encrypted stream → no finding
 * not-ok: Content Encryption Object 2211B3FB-BD23-11D2-B4B7-00A0C955FC6E → tpm.asf.drm, Windows Media DRM
 * not-ok: Extended Content Encryption Object 298AE614-2622-4C17-B935-DAE07EE9289C → tpm.asf.drm
 * warning: object sizes that lie, a truncated header → tpm.asf.malformed
 *
 * Reference: Advanced Systems Format (ASF) Specification rev. 01.20.06 (Microsoft, 2012) §3.1
 * (Header Object), §3.3 (Stream Properties: Encrypted Content Flag), §3.14 (Content Encryption),
 * §3.15 (Extended Content Encryption), §4.1 (Header Extension), §10 (GUIDs); PlayReady Header
 * Specification (WRMHEADER versions 4.0–4.3).
 */
import { defineDetector, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { ByteView } from '../tpm-common/byte-view.js';
import { malformedFinding, tpmFinding, type Problem } from '../tpm-common/findings.js';

const ID = 'asf-drm';
/** A header larger than this is not read whole (album art can make headers large; DRM objects come early). */
const HEADER_MAX = 1024 * 1024;
const MAX_OBJECTS = 4096;

/** GUIDs as they are written: the first three fields little-endian. */
function guid(text: string): string {
  const h = text.replace(/-/g, '').toLowerCase();
  const swap = (s: string) => s.match(/../g)!.reverse().join('');
  return swap(h.slice(0, 8)) + swap(h.slice(8, 12)) + swap(h.slice(12, 16)) + h.slice(16);
}

const HEADER = guid('75B22630-668E-11CF-A6D9-00AA0062CE6C');
const HEADER_EXTENSION = guid('5FBF03B5-A92E-11CF-8EE3-00C00C205365');
const STREAM_PROPERTIES = guid('B7DC0791-A9B7-11CF-8EE6-00C00C205365');
const CONTENT_ENCRYPTION = guid('2211B3FB-BD23-11D2-B4B7-00A0C955FC6E');
const EXTENDED_CONTENT_ENCRYPTION = guid('298AE614-2622-4C17-B935-DAE07EE9289C');
const ADVANCED_CONTENT_ENCRYPTION = guid('43058533-6981-49E6-9B74-AD12CB86D58C');
const PLAYREADY = guid('9A04F079-9840-4286-AB92-E65BE0885F95');

interface AsfProtection {
  kind: 'content-encryption' | 'extended-content-encryption' | 'advanced-content-encryption' | 'playready-header' | 'encrypted-stream';
  at: number;
  system?: string;
  details: Record<string, unknown>;
}

function isAsf(head: Uint8Array): boolean {
  return head.length >= 30 && Buffer.from(head.subarray(0, 16)).toString('hex') === HEADER;
}

/** Size of the Header Object, capped at {@link HEADER_MAX} and the file size; 0 when unknown. */
function headerSize(view: { size: number; head: Uint8Array }): number {
  if (view.head.length < 24) return 0;
  const dv = new DataView(view.head.buffer, view.head.byteOffset, view.head.byteLength);
  const size = dv.getBigUint64(16, true);
  return Math.min(view.size, size > BigInt(HEADER_MAX) ? HEADER_MAX : Number(size));
}

/** Reads the header objects; returns what protects the file, or null (bytes missing are noted in the view). */
function readHeader(view: ByteView, problems: Problem[]): AsfProtection[] | null {
  const first = view.get(0, 30) ?? new Uint8Array(0);
  const size = headerSize({ size: view.size, head: first });
  const h = size >= 30 ? view.get(0, size) : null;
  if (!h) return null;
  const declared = new DataView(first.buffer, first.byteOffset, first.byteLength).getBigUint64(16, true);
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const found: AsfProtection[] = [];
  if (declared > BigInt(view.size)) problems.push({ message: `the Header Object claims ${declared} bytes, more than the file holds`, byteOffset: 16 });
  // A header cut at HEADER_MAX ends in the middle of an object: that is our limit, not a lie.
  walk(h, dv, 30, h.length, 0, found, problems, declared > BigInt(HEADER_MAX) && h.length === HEADER_MAX);
  return found;
}

function walk(h: Uint8Array, dv: DataView, from: number, end: number, depth: number, found: AsfProtection[], problems: Problem[], capped = false): void {
  let count = 0;
  for (let at = from; at + 24 <= end; ) {
    if (++count > MAX_OBJECTS) {
      problems.push({ message: `more than ${MAX_OBJECTS} header objects`, byteOffset: at });
      return;
    }
    const id = Buffer.from(h.subarray(at, at + 16)).toString('hex');
    const big = dv.getBigUint64(at + 16, true);
    const size = big > BigInt(end - at) ? -1 : Number(big);
    if (size < 0 && capped) return;
    if (size < 24) {
      problems.push({ message: `header object at ${at} claims ${big} bytes, ${size < 0 ? 'more than the header holds' : 'less than its own header'}`, byteOffset: at });
      return;
    }
    const data = at + 24;
    if (id === CONTENT_ENCRYPTION) {
      found.push({ kind: 'content-encryption', at, system: 'Windows Media DRM', details: { version: 1, protectionType: lengthPrefixedAscii(h, dv, data, at + size) } });
    } else if (id === EXTENDED_CONTENT_ENCRYPTION) {
      const len = data + 4 <= at + size ? dv.getUint32(data, true) : 0;
      const xml = Buffer.from(h.subarray(data + 4, Math.min(at + size, data + 4 + len))).toString('utf16le');
      const version = /<WRMHEADER\b[^>]*\bversion="([\d.]+)"/i.exec(xml)?.[1];
      const playReady = version !== undefined && Number(version.split('.')[0]) >= 4;
      found.push({ kind: 'extended-content-encryption', at, system: playReady ? 'PlayReady' : 'Windows Media DRM', details: { ...(version ? { wrmHeaderVersion: version } : {}) } });
    } else if (id === ADVANCED_CONTENT_ENCRYPTION) {
      found.push({ kind: 'advanced-content-encryption', at, system: 'Windows Media DRM 10', details: {} });
    } else if (id === PLAYREADY) {
      found.push({ kind: 'playready-header', at, system: 'PlayReady', details: {} });
    } else if (id === HEADER_EXTENSION && depth === 0) {
      // Reserved GUID (16), reserved (2), data size (4), then extension objects.
      if (data + 22 <= at + size) walk(h, dv, data + 22, Math.min(at + size, data + 22 + dv.getUint32(data + 18, true)), depth + 1, found, problems);
    } else if (id === STREAM_PROPERTIES && data + 50 <= at + size) {
      // Stream type (16), error correction type (16), time offset (8), two lengths (4 + 4), then flags.
      const flags = dv.getUint16(data + 48, true);
      if ((flags & 0x8000) !== 0) found.push({ kind: 'encrypted-stream', at, details: { stream: flags & 0x7f } });
    }
    at += size;
  }
}

function lengthPrefixedAscii(h: Uint8Array, dv: DataView, at: number, end: number): string | undefined {
  // Secret data length (4) and data, then protection type length (4) and text ("DRM").
  if (at + 4 > end) return undefined;
  const secret = dv.getUint32(at, true);
  const p = at + 4 + secret;
  if (p + 4 > end) return undefined;
  const len = Math.min(dv.getUint32(p, true), 16, end - p - 4);
  return Buffer.from(h.subarray(p + 4, p + 4 + len)).toString('latin1').replace(/\0+$/, '');
}

export const asfDrm = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'Windows Media DRM and PlayReady in ASF files (WMA, WMV)',
  match: { mediaTypes: ['video/x-ms-asf', 'audio/x-ms-asf', 'application/vnd.ms-asf', 'audio/x-ms-wma', 'video/x-ms-wmv'] },
  wants: {
    ranges(view) {
      if (!isAsf(view.head)) return [];
      const size = headerSize(view);
      return size > view.head.length ? [{ start: view.head.length, end: size }] : [];
    },
  },
  codes: {
    'tpm.asf.drm': {
      title: 'ASF media protected by Windows Media DRM or PlayReady',
      meaning:
        'The ASF file (WMA, WMV) carries a content-encryption object in its header — Content Encryption (Windows Media DRM 1), Extended Content Encryption (Windows Media DRM 7 and later, or PlayReady when its WRMHEADER is version 4), Advanced Content Encryption, or a PlayReady header — or a stream marked encrypted. Playing it needs a licence from the DRM system; `system` names it.',
      action: 'Exclude the file. Circumventing the DRM is prohibited; obtain an unprotected copy from the rights holder.',
    },
    'tpm.asf.malformed': {
      title: 'ASF header could not be read',
      meaning: 'The ASF Header Object could not be read within bounds: an object claims more bytes than the header holds or fewer than its own header, or the header is truncated. `problems` lists what went wrong. Without a protection finding beside this one, whether the file is protected is not known for sure.',
      action: 'Check the file (`mediainfo`, `ffprobe`); repair or drop it.',
    },
  },
  detect(input) {
    if (!isAsf(input.head)) return [];
    const problems: Problem[] = [];
    const found = readHeader(ByteView.fromInput(input), problems);
    const out: FindingInput[] = [];
    if (found === null) problems.push({ message: 'the ASF header is truncated or out of reach', byteOffset: 0 });
    const f = found ? protectionFinding(input, found) : null;
    if (f) out.push(f);
    if (problems.length > 0) out.push(malformedFinding(ID, input, 'tpm.asf.malformed', 'asf', problems));
    return out;
  },
});

function protectionFinding(input: DetectorInput, found: AsfProtection[]): FindingInput | null {
  if (found.length === 0) return null;
  const named = found.filter((f) => f.system !== undefined);
  const first = named[0] ?? found[0]!;
  const systems = [...new Set(named.map((f) => f.system!))];
  const value = {
    format: 'asf',
    scheme: first.kind,
    ...(systems.length > 0 ? { system: systems.join(', ') } : {}),
    needsSecret: true,
    denied: [],
    objects: found.map((f) => ({ kind: f.kind, ...f.details })),
  };
  // A stream flagged encrypted without a DRM object is still encrypted; which system holds the key is unknown.
  return tpmFinding(ID, input, 'tpm.asf.drm', value, { byteOffset: first.at, excerpt: `ASF ${first.kind}` }, named.length > 0 ? 0.99 : 0.85);
}
