/**
 * Encrypted ZIP archives, read from the central directory (the tail of the file, and a further range
 * when the directory is larger than the tail): traditional PKWARE encryption ("ZipCrypto"), WinZip
 * AES (AE-1 / AE-2, 128/192/256-bit), PKWARE strong encryption, and an encrypted central directory
 * (whose member names are then hidden). One finding per archive, with the number of encrypted
 * members, the schemes, and the offset of the first encrypted entry. file-type calls all of these
 * plain `zip` (or by their family: docx, epub, jar); an encrypted OOXML document is a CFB file and
 * belongs to the Office detector.
 *
 * Reference: PKWARE APPNOTE.TXT 6.3.x — 4.4.4 general purpose bit flag (bit 0 encrypted, bit 6
 * strong encryption, bit 13 masked local header), 4.5.12 strong encryption header extra field
 * (0x0017), 7.2.3.2 algorithm ids, 7.3 central directory encryption, 4.3.14.2 ZIP64 end record
 * version 2; WinZip "AES Encryption Information: Encryption Specification AE-1 and AE-2" (extra
 * field 0x9901, compression method 99).
 *
 * ok:     `zip -e -P pw a.zip f` → tpm.zip.encrypted, scheme ZipCrypto
 * ok:     `7z a -tzip -mem=AES256 -ppw a.zip f` → tpm.zip.encrypted, scheme WinZip AES-256
 * ok:     PKWARE SecureZIP with central directory encryption → tpm.zip.encrypted-directory
 * not-ok: `zip a.zip f` → nothing
 * not-ok: a truncated or lying archive → archive.zip.unreadable (a warning; encryption unknown)
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { ByteView, extraField, isFolder, le, readDirectory, startsWith, zipRanges, ZIP_TAIL_BYTES, type ZipDirectory, type ZipEntry } from '../zip-common/index.js';

const ID = 'zip-encryption';

/** Media types of ZIP-based files, as file-type or the extension name them. */
export const ZIP_MEDIA_TYPES = [
  'application/zip',
  'application/x-zip-compressed',
  'application/java-archive',
  'application/epub+zip',
  'application/vnd.android.package-archive',
  'application/x-xpinstall',
  'application/vnd.google-earth.kmz',
  'application/vnd.comicbook+zip',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'application/vnd.oasis.opendocument.graphics',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'model/3mf',
  'model/vnd.usdz+zip',
] as const;

/** Strong encryption algorithm ids (APPNOTE 7.2.3.2). */
const ALGORITHMS: Record<number, string> = {
  0x6601: 'DES',
  0x6602: 'RC2',
  0x6603: '3DES-168',
  0x6609: '3DES-112',
  0x660e: 'AES-128',
  0x660f: 'AES-192',
  0x6610: 'AES-256',
  0x6702: 'RC2',
  0x6720: 'Blowfish',
  0x6721: 'Twofish',
  0x6801: 'RC4',
};

/** Name of a strong encryption algorithm id. */
export function algorithmName(id: number | undefined): string {
  if (id === undefined) return 'unknown algorithm';
  return ALGORITHMS[id] ?? `algorithm 0x${id.toString(16).padStart(4, '0')}`;
}

/** How one member is encrypted, or null when it is not. */
export interface MemberEncryption {
  scheme: string;
  /** WinZip AES vendor version (AE-1, AE-2) and key bits; PKWARE strong encryption algorithm. */
  detail: string;
}

/** The encryption scheme of one directory entry, from its flag bits, method and extra fields. */
export function memberEncryption(entry: ZipEntry): MemberEncryption | null {
  if (!(entry.flags & 0x0001)) return null;
  const aes = extraField(entry.extra, 0x9901);
  if (entry.method === 99 || aes) {
    if (!aes || aes.length < 7) return { scheme: 'WinZip AES', detail: 'method 99 without its AES extra field' };
    const version = le.u16(aes, 0);
    const bits = ({ 1: 128, 2: 192, 3: 256 } as Record<number, number>)[aes[4]!];
    const ae = version === 1 ? 'AE-1' : version === 2 ? 'AE-2' : `vendor version ${version}`;
    return { scheme: bits ? `WinZip AES-${bits}` : 'WinZip AES', detail: `${ae}, ${bits ? `${bits}-bit key` : `strength ${aes[4]}`}, then method ${le.u16(aes, 5)}` };
  }
  const strong = extraField(entry.extra, 0x0017);
  if (entry.flags & 0x0040 || strong) {
    const alg = strong && strong.length >= 6 ? le.u16(strong, 2) : undefined;
    const bits = strong && strong.length >= 6 ? le.u16(strong, 4) : undefined;
    return { scheme: `PKWARE strong encryption (${algorithmName(alg)})`, detail: `flags 0x${entry.flags.toString(16).padStart(4, '0')}${bits ? `, ${bits}-bit key` : ''}` };
  }
  return { scheme: 'ZipCrypto', detail: `traditional PKWARE encryption, flags 0x${entry.flags.toString(16).padStart(4, '0')}` };
}

export const zipEncryption = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'Encrypted ZIP members (ZipCrypto, WinZip AES, PKWARE strong encryption) and encrypted ZIP central directories',
  match: { mediaTypes: ZIP_MEDIA_TYPES, names: ['*.zip', '*.zipx'] },
  wants: { tail: ZIP_TAIL_BYTES, ranges: (view) => zipRanges(view) },
  codes: {
    'tpm.zip.encrypted': {
      title: 'Encrypted ZIP members',
      meaning: 'The ZIP central directory marks one or more members as encrypted (general purpose bit 0): traditional PKWARE encryption ("ZipCrypto"), WinZip AES (AE-1/AE-2, compression method 99 with extra field 0x9901) or PKWARE strong encryption (bit 6, extra field 0x0017). Their contents cannot be read without the password or key, and opening them would mean circumventing the measure. The value counts encrypted members, names the schemes, and gives the first encrypted entry\'s offset.',
      action: 'Exclude the archive, or obtain an unencrypted copy (or the key) from the rights holder with permission to use it.',
    },
    'tpm.zip.encrypted-directory': {
      title: 'Encrypted ZIP central directory',
      meaning: 'The archive uses PKWARE central directory encryption: the directory (member names, sizes, offsets) is encrypted, shown by a version 2 ZIP64 end record naming an algorithm, by local headers with masked values (bit 13), or by an archive extra data record. Nothing in it can be read without the key.',
      action: 'Exclude the archive, or obtain an unencrypted copy from the rights holder.',
    },
    'archive.zip.unreadable': {
      title: 'ZIP archive whose directory cannot be read',
      meaning: 'The file looks like a ZIP archive, but its end of central directory record or central directory is missing, truncated or inconsistent (offsets or sizes past the end of the file, no directory where the end record says). Whether its members are encrypted is unknown.',
      action: 'Check the file (it may be truncated or damaged); re-obtain it, or review it by hand.',
    },
    'archive.zip.inconsistent': {
      title: 'ZIP archive read only in part',
      meaning: 'The central directory was read, but it does not add up (fewer entries than the end record declares, entries that overlap or point past the directory) or it is larger than the read limits. Encryption findings cover only the entries read.',
      action: 'Check the archive; overlapping entries are the layout of a zip bomb. Re-obtain or repair it before use.',
    },
  },
  detect(input) {
    const view = ByteView.of(input);
    const read = readDirectory(view);
    const looksZip = startsWith(input.head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(input.head, [0x50, 0x4b, 0x05, 0x06]);
    switch (read.kind) {
      case 'none':
        return looksZip ? [unreadable(input, 'no end of central directory record in the last 64 KiB (the file may be truncated)', 0)] : [];
      case 'need':
        return [unreadable(input, 'the central directory could not be read within the read limits', input.size)];
      case 'broken':
        return [unreadable(input, read.problem, read.offset)];
      case 'zip':
        return findings(input, read.directory);
    }
  },
});

function findings(input: DetectorInput, dir: ZipDirectory): FindingInput[] {
  const out: FindingInput[] = [];
  if (dir.encryption) {
    const e = dir.encryption;
    const alg = e.algId !== undefined ? ` (${algorithmName(e.algId)})` : '';
    out.push({
      code: 'tpm.zip.encrypted-directory',
      category: 'tpm',
      detector: ID,
      confidence: e.signal === 'zip64-record-v2' ? 0.98 : 0.9,
      value: { format: 'zip', scheme: `PKWARE central directory encryption${alg}`, needsSecret: true, denied: [], namesHidden: true, signal: e.signal, ...(e.bitLength ? { keyBits: e.bitLength } : {}), declaredEntries: dir.declaredEntries },
      evidence: { path: input.path, byteOffset: e.offset, excerpt: `${e.signal}${alg}` },
      scope: { kind: 'file', root: input.path },
      url: findingUrl('tpm.zip.encrypted-directory'),
    });
    return out;
  }
  const schemes = new Map<string, number>();
  let first: { entry: ZipEntry; enc: MemberEncryption } | null = null;
  let files = 0;
  let encrypted = 0;
  for (const entry of dir.entries) {
    if (isFolder(entry)) continue;
    files++;
    const enc = memberEncryption(entry);
    if (!enc) continue;
    encrypted++;
    schemes.set(enc.scheme, (schemes.get(enc.scheme) ?? 0) + 1);
    first ??= { entry, enc };
  }
  if (first) {
    out.push({
      code: 'tpm.zip.encrypted',
      category: 'tpm',
      detector: ID,
      confidence: 0.99,
      value: {
        format: 'zip',
        scheme: [...schemes.keys()].join(' + '),
        needsSecret: true,
        denied: [],
        encryptedMembers: encrypted,
        members: files,
        schemes: Object.fromEntries(schemes),
        firstEncryptedLocalOffset: first.entry.localOffset,
        complete: dir.complete,
      },
      evidence: { path: input.path, byteOffset: first.entry.offset, excerpt: `entry ${first.entry.index + 1}: ${first.enc.scheme}; ${first.enc.detail}` },
      scope: { kind: 'file', root: input.path },
      url: findingUrl('tpm.zip.encrypted'),
    });
  }
  if (dir.problems.length > 0) {
    out.push({
      code: 'archive.zip.inconsistent',
      category: 'notice',
      detector: ID,
      severity: 'warning',
      confidence: 0.9,
      value: { problems: dir.problems.slice(0, 5), declaredEntries: dir.declaredEntries, entriesRead: dir.entries.length },
      evidence: { path: input.path, byteOffset: dir.directoryOffset, excerpt: short(dir.problems[0]!) },
      scope: { kind: 'file', root: input.path },
      url: findingUrl('archive.zip.inconsistent'),
    });
  }
  return out;
}

function unreadable(input: DetectorInput, problem: string, offset: number): FindingInput {
  return {
    code: 'archive.zip.unreadable',
    category: 'notice',
    detector: ID,
    severity: 'warning',
    confidence: 0.9,
    value: { problem },
    evidence: { path: input.path, byteOffset: Math.max(0, Math.min(offset, Math.max(0, input.size - 1))), excerpt: short(problem) },
    scope: { kind: 'file', root: input.path },
    url: findingUrl('archive.zip.unreadable'),
  };
}

function short(text: string): string {
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}
