/**
 * What protects an Office file stored in a compound file: encrypted OOXML (an `EncryptionInfo` and an
 * `EncryptedPackage` stream: Agile, Standard or Extensible encryption), Information Rights Management
 * (a DRM transform in `\x06DataSpaces`), and the legacy binary formats' own flags — Word's FIB
 * `fEncrypted`/`fObfuscated`, Excel's FILEPASS record, PowerPoint's encrypted CurrentUserAtom.
 *
 * Reference: [MS-OFFCRYPTO] §2.1.4 (Version), §2.2.4 (IRMDS: DRMEncryptedTransform), §2.3.2–2.3.3
 * (EncryptionHeader, AlgID, EncryptionVerifier), §2.3.4.5 (Standard), §2.3.4.10 (Agile XML
 * descriptor), §2.3.5.1 (RC4 CryptoAPI header), §2.3.6.1 (RC4 header); [MS-DOC] §2.5.2 (FibBase:
 * fEncrypted bit 8, fWhichTblStm bit 9, fObfuscated bit 15, lKey), §2.2.6 (encryption);
 * [MS-XLS] §2.4.117 (FilePass), §2.4.21 (BOF); [MS-PPT] §2.3.2 (CurrentUserAtom headerToken).
 */
import { latin1 } from '../tpm-common/findings.js';
import type { Cfb, DirEntry } from './cfb.js';
import { cryptoApiVerifierMatches, EXCEL_DEFAULT_PASSWORD, rc4VerifierMatches, xorVerifier } from './verifiers.js';

export interface OfficeProtection {
  code: 'tpm.office.encrypted' | 'tpm.office.drm' | 'tpm.office.restricted';
  format: 'ooxml' | 'doc' | 'xls' | 'ppt' | 'office';
  /** `agile`, `standard`, `extensible`, `rc4`, `rc4-cryptoapi`, `xor`, `irm` or `unknown`. */
  scheme: string;
  system?: string;
  needsSecret: boolean;
  byteOffset: number;
  excerpt: string;
  details: Record<string, unknown>;
  confidence: number;
}

/** A stream read in part is enough: headers sit at the start. */
const HEADER_MAX = 8192;
/** FILEPASS follows the BOF and at most a WriteProtect record; an encryption header is a few hundred bytes. */
const RECORDS_MAX = 2048;

const ALG: Record<number, string> = { 0x6801: 'RC4', 0x660e: 'AES-128', 0x660f: 'AES-192', 0x6610: 'AES-256' };
const HASH: Record<number, string> = { 0x8004: 'SHA-1' };

/** Names that only Information Rights Management writes. */
const IRM_NAMES = new Set(['DRMEncryptedTransform', 'DRMEncryptedDataSpace', '\x09DRMContent', '\x09DRMViewerContent', '\x09LZXDRMDataSpace']);

/** The protection of the file, null when it has none; `undefined` when bytes were missing to tell. */
export function analyse(cfb: Cfb): OfficeProtection | null | undefined {
  const root = cfb.root();
  if (!root) {
    if (!cfb.pending) cfb.problems.push({ message: 'no root storage in the directory' });
    return cfb.pending ? undefined : null;
  }
  const kids = cfb.children(root);
  const byName = new Map(kids.map((e) => [e.name, e]));
  const at = (e: DirEntry) => cfb.streamOffset(e) ?? cfb.entryOffset(e) ?? 0;

  const irm = cfb.entries().find((e) => IRM_NAMES.has(e.name));
  if (irm) {
    const format = byName.has('EncryptedPackage') ? 'ooxml' : byName.has('WordDocument') ? 'doc' : byName.has('Workbook') ? 'xls' : byName.has('PowerPoint Document') ? 'ppt' : 'office';
    return {
      code: 'tpm.office.drm',
      format,
      scheme: 'irm',
      system: 'Microsoft IRM',
      needsSecret: true,
      byteOffset: cfb.entryOffset(irm) ?? 0,
      excerpt: `storage ${printable(irm.name)}`,
      details: {},
      confidence: 0.95,
    };
  }

  const info = byName.get('EncryptionInfo');
  const pkg = byName.get('EncryptedPackage');
  if (info && pkg) return ooxml(cfb, info, at(info));

  const word = byName.get('WordDocument');
  if (word) {
    const got = wordDocument(cfb, word, byName, at(word));
    if (got !== null) return got;
  }
  const book = byName.get('Workbook') ?? byName.get('Book');
  if (book) {
    const got = workbook(cfb, book, at(book));
    if (got !== null) return got;
  }
  const user = byName.get('Current User');
  if (byName.has('PowerPoint Document') && user) {
    const got = powerPoint(cfb, user, byName, at(user));
    if (got !== null) return got;
  }
  return cfb.pending ? undefined : null;
}

function ooxml(cfb: Cfb, info: DirEntry, offset: number): OfficeProtection | undefined {
  const base = { code: 'tpm.office.encrypted' as const, format: 'ooxml' as const, needsSecret: true, byteOffset: offset };
  const b = cfb.read(info, HEADER_MAX);
  if (!b) {
    if (cfb.pending) return undefined;
    return { ...base, scheme: 'unknown', excerpt: 'EncryptionInfo + EncryptedPackage', details: {}, confidence: 0.9 };
  }
  if (b.length < 8) return { ...base, scheme: 'unknown', excerpt: 'EncryptionInfo + EncryptedPackage', details: {}, confidence: 0.9 };
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const major = dv.getUint16(0, true);
  const minor = dv.getUint16(2, true);
  const version = `${major}.${minor}`;
  const excerpt = `EncryptionInfo version ${version}`;
  if (major === 4 && minor === 4) {
    const xml = latin1(b.subarray(8));
    const keyData = attributes(xml, 'keyData');
    const encryptors = [...xml.matchAll(/<(?:\w+:)?keyEncryptor\b[^>]*\buri="([^"]*)"/g)].map((m) => m[1]!.replace(/^.*\/keyEncryptor\//, ''));
    const cipher = keyData.cipherAlgorithm && keyData.keyBits ? `${keyData.cipherAlgorithm}-${keyData.keyBits}` : keyData.cipherAlgorithm;
    return {
      ...base,
      scheme: 'agile',
      excerpt,
      details: { version, cipher, chaining: keyData.cipherChaining, hash: keyData.hashAlgorithm, keyEncryptors: encryptors },
      confidence: 0.99,
    };
  }
  if ((major === 3 || major === 4) && minor === 3) {
    return { ...base, scheme: 'extensible', excerpt, details: { version }, confidence: 0.95 };
  }
  if (major >= 2 && major <= 4 && minor === 2 && b.length >= 12 + 32) {
    const flags = dv.getUint32(4, true);
    const algId = dv.getUint32(12 + 8, true);
    const hashId = dv.getUint32(12 + 12, true);
    const keyBits = dv.getUint32(12 + 16, true);
    // AlgID 0 means "from the flags": fAES (bit 5) is AES-128, else RC4 (§2.3.2).
    const cipher = ALG[algId] ?? (algId === 0 ? ((flags & 0x20) !== 0 ? 'AES-128' : 'RC4') : `0x${algId.toString(16)}`);
    return { ...base, scheme: 'standard', excerpt, details: { version, cipher, keyBits, hash: HASH[hashId] ?? (hashId === 0 ? 'SHA-1' : `0x${hashId.toString(16)}`) }, confidence: 0.99 };
  }
  return { ...base, scheme: 'unknown', excerpt, details: { version }, confidence: 0.9 };
}

function wordDocument(cfb: Cfb, word: DirEntry, byName: Map<string, DirEntry>, offset: number): OfficeProtection | null | undefined {
  const fib = cfb.read(word, 32);
  if (!fib) return cfb.pending ? undefined : null;
  if (fib.length < 18) return null;
  const dv = new DataView(fib.buffer, fib.byteOffset, fib.byteLength);
  const ident = dv.getUint16(0, true);
  if (ident !== 0xa5ec && ident !== 0xa5dc) {
    cfb.problems.push({ message: `WordDocument stream without a FIB (wIdent 0x${ident.toString(16)})`, byteOffset: offset });
    return null;
  }
  const flags = dv.getUint16(0x0a, true);
  const encrypted = (flags & 0x0100) !== 0;
  const obfuscated = (flags & 0x8000) !== 0;
  if (!encrypted) return null;
  const base = { code: 'tpm.office.encrypted' as const, format: 'doc' as const, needsSecret: true, byteOffset: offset + 0x0a };
  const excerpt = `FIB flags 0x${flags.toString(16).padStart(4, '0')} (fEncrypted${obfuscated ? ', fObfuscated' : ''})`;
  if (obfuscated) return { ...base, scheme: 'xor', excerpt, details: { nFib: dv.getUint16(2, true) }, confidence: 0.99 };
  const table = byName.get((flags & 0x0200) !== 0 ? '1Table' : '0Table');
  const header = table ? cfb.read(table, RECORDS_MAX) : null;
  if (!header && cfb.pending) return undefined;
  const enc = header ? binaryEncryptionHeader(header, 0) : undefined;
  return { ...base, scheme: enc?.scheme ?? 'unknown', excerpt, details: { nFib: dv.getUint16(2, true), ...(enc?.details ?? {}) }, confidence: enc ? 0.99 : 0.9 };
}

/** An RC4 or RC4 CryptoAPI header (EncryptionVersionInfo first), as Word and Excel write them. */
function binaryEncryptionHeader(b: Uint8Array, at: number): { scheme: string; details: Record<string, unknown>; verifier?: { salt: Uint8Array; verifier: Uint8Array; hash: Uint8Array; keyBits?: number } } | undefined {
  if (b.length < at + 4) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const major = dv.getUint16(at, true);
  const minor = dv.getUint16(at + 2, true);
  const version = `${major}.${minor}`;
  if (major === 1 && minor === 1) {
    if (b.length < at + 52) return { scheme: 'rc4', details: { version, cipher: 'RC4-40' } };
    return { scheme: 'rc4', details: { version, cipher: 'RC4-40', hash: 'MD5' }, verifier: { salt: b.subarray(at + 4, at + 20), verifier: b.subarray(at + 20, at + 36), hash: b.subarray(at + 36, at + 52) } };
  }
  if (major >= 2 && major <= 4 && minor === 2 && b.length >= at + 12) {
    const headerSize = dv.getUint32(at + 8, true);
    const h = at + 12;
    if (headerSize < 32 || b.length < h + 32) return { scheme: 'rc4-cryptoapi', details: { version } };
    const algId = dv.getUint32(h + 8, true);
    const keyBits = dv.getUint32(h + 16, true) || 40;
    const v = h + headerSize;
    const details = { version, cipher: `${ALG[algId] ?? 'RC4'}-${keyBits}`, hash: 'SHA-1' };
    if (b.length < v + 4 + 16 + 16 + 4 + 20) return { scheme: 'rc4-cryptoapi', details };
    return { scheme: 'rc4-cryptoapi', details, verifier: { salt: b.subarray(v + 4, v + 20), verifier: b.subarray(v + 20, v + 36), hash: b.subarray(v + 40, v + 60), keyBits } };
  }
  return { scheme: 'unknown', details: { version } };
}

function workbook(cfb: Cfb, book: DirEntry, offset: number): OfficeProtection | null | undefined {
  const b = cfb.read(book, RECORDS_MAX);
  if (!b) return cfb.pending ? undefined : null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const biff5 = book.name === 'Book';
  // FILEPASS follows the globals' BOF; a bounded walk of the first records finds it (§2.4.117).
  for (let pos = 0, n = 0; pos + 4 <= b.length && n < 256; n++) {
    const type = dv.getUint16(pos, true);
    const len = dv.getUint16(pos + 2, true);
    const data = pos + 4;
    if (n === 0 && type !== 0x0809 && type !== 0x0209 && type !== 0x0409) {
      cfb.problems.push({ message: 'workbook stream does not start with a BOF record', byteOffset: offset });
      return null;
    }
    if (type === 0x000a /* EOF */) return null;
    if (type === 0x002f /* FILEPASS */) return filePass(b.subarray(data, Math.min(b.length, data + len)), offset + data, biff5);
    pos = data + len;
  }
  return null;
}

function filePass(d: Uint8Array, offset: number, biff5: boolean): OfficeProtection {
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const base = { format: 'xls' as const, byteOffset: offset - 4 };
  const xor = biff5 || (d.length >= 2 && dv.getUint16(0, true) === 0);
  let scheme = 'unknown';
  let details: Record<string, unknown> = {};
  let opensWithDefault: boolean | undefined;
  if (xor) {
    scheme = 'xor';
    const at = biff5 ? 0 : 2;
    if (d.length >= at + 4) opensWithDefault = dv.getUint16(at + 2, true) === xorVerifier(EXCEL_DEFAULT_PASSWORD);
  } else if (d.length >= 2 && dv.getUint16(0, true) === 1) {
    const enc = binaryEncryptionHeader(d, 2);
    if (enc) {
      scheme = enc.scheme;
      details = enc.details;
      const v = enc.verifier;
      if (v && enc.scheme === 'rc4') opensWithDefault = rc4VerifierMatches(EXCEL_DEFAULT_PASSWORD, v.salt, v.verifier, v.hash);
      if (v && enc.scheme === 'rc4-cryptoapi') opensWithDefault = cryptoApiVerifierMatches(EXCEL_DEFAULT_PASSWORD, v.keyBits ?? 40, v.salt, v.verifier, v.hash);
    }
  }
  const excerpt = `FILEPASS ${scheme}`;
  const password = opensWithDefault === true ? 'default' : opensWithDefault === false ? 'required' : 'unknown';
  if (opensWithDefault === true) {
    // Excel's own default password: the workbook opens without a prompt; it was protected against changes.
    return { ...base, code: 'tpm.office.restricted', scheme, needsSecret: false, excerpt, details: { ...details, password }, confidence: 0.95 };
  }
  return { ...base, code: 'tpm.office.encrypted', scheme, needsSecret: true, excerpt, details: { ...details, password }, confidence: opensWithDefault === false ? 0.99 : 0.8 };
}

function powerPoint(cfb: Cfb, user: DirEntry, byName: Map<string, DirEntry>, offset: number): OfficeProtection | null | undefined {
  const b = cfb.read(user, 16);
  if (!b) return cfb.pending ? undefined : null;
  if (b.length < 16) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const token = dv.getUint32(12, true);
  if (token !== 0xf3d1c4df && !byName.has('EncryptedSummary')) return null;
  // PowerPoint 2002 and later encrypt with RC4 CryptoAPI only ([MS-PPT] §2.3.7 CryptSession10Container).
  return {
    code: 'tpm.office.encrypted',
    format: 'ppt',
    scheme: 'rc4-cryptoapi',
    needsSecret: true,
    byteOffset: offset + 12,
    excerpt: `CurrentUserAtom headerToken 0x${token.toString(16)}`,
    details: { encryptedSummary: byName.has('EncryptedSummary') },
    confidence: token === 0xf3d1c4df ? 0.99 : 0.9,
  };
}

/** Attributes of the first element with this local name, from a small fixed-schema XML descriptor. */
function attributes(xml: string, local: string): Record<string, string> {
  const m = new RegExp(`<(?:\\w+:)?${local}\\b([^>]*)>`).exec(xml);
  const out: Record<string, string> = {};
  if (!m) return out;
  for (const a of m[1]!.matchAll(/([\w:]+)\s*=\s*"([^"]*)"/g)) out[a[1]!.replace(/^\w+:/, '')] = a[2]!;
  return out;
}

function printable(name: string): string {
  let out = '';
  for (const c of name) out += c.charCodeAt(0) < 0x20 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c;
  return out;
}
