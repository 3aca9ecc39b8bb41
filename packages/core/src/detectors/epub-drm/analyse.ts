/**
 * What an EPUB's container says about protection: META-INF/encryption.xml (which resources are
 * encrypted, with which algorithm; font obfuscation kept apart), the DRM systems' own files
 * (Readium LCP license.lcpl, Adobe ADEPT rights.xml, Apple FairPlay sinf.xml) and, when nothing is
 * declared, whether a content document is readable at all (Kobo's KDRM encrypts content files and
 * keeps its keys on the reader, declaring nothing in the book).
 *
 * Reference: EPUB Open Container Format 3.3, §4.2.6.3.2 encryption.xml (XML Encryption
 * EncryptedData / EncryptionMethod@Algorithm / CipherData/CipherReference@URI) and §4.3 font
 * obfuscation (algorithm http://www.idpf.org/2008/embedding, "only fonts"); Adobe's obfuscation
 * algorithm http://ns.adobe.com/pdf/enc#RC; Readium LCP 1.0 §3 license document (`encryption`,
 * §3.6 `rights`: `print`, `copy`, `start`, `end`); Adobe ADEPT rights.xml in the
 * http://ns.adobe.com/adept namespace (licenseToken, encryptedKey, permissions).
 */
import { looksLikeText } from '../../engine/media-type.js';
import { attr, childrenOf, descendants, parseXml, readDirectory, readMember, type ByteView, type MemberLimits, type ZipDirectory, type ZipEntry } from '../zip-common/index.js';

export const ENCRYPTION_XML = 'META-INF/encryption.xml';
export const RIGHTS_XML = 'META-INF/rights.xml';
export const LCP_LICENSE = 'META-INF/license.lcpl';
export const SINF_XML = 'META-INF/sinf.xml';

const XMLENC = 'http://www.w3.org/2001/04/xmlenc#';
const XMLDSIG = 'http://www.w3.org/2000/09/xmldsig#';
const ADEPT = 'http://ns.adobe.com/adept';
/** Font obfuscation algorithms: the key is derived from the book's own identifier, so no secret is needed. */
export const OBFUSCATION = new Set(['http://www.idpf.org/2008/embedding', 'http://ns.adobe.com/pdf/enc#RC']);
const FONT = /\.(?:otf|ttf|ttc|woff2?|sfnt|pfb|pfa|dfont|fon|cff)$/i;
const CONTENT = /\.(?:xhtml|html|htm)$/i;

/** Limits for the metadata files read (encryption.xml and the rest). */
export const METADATA_LIMITS: MemberLimits = { memberBytes: 1024 * 1024, output: 2 * 1024 * 1024, ratio: 100 };
/** Limits for the content sample: the first 16 KiB of one document is enough to see whether it is text. */
export const SAMPLE_LIMITS: MemberLimits = { memberBytes: 64 * 1024, output: 16 * 1024, partial: true };

/** One resource declared in encryption.xml. */
export interface EncryptedResource {
  uri: string;
  algorithm: string;
  /** True for font obfuscation (IDPF or Adobe algorithm). */
  obfuscation: boolean;
  /** Where the key comes from, when KeyInfo says (a RetrievalMethod URI, a KeyName, an ADEPT resource). */
  keyFrom?: string;
}

/** A DRM system found by its marker file. */
export interface DrmSystem {
  system: 'Readium LCP' | 'Adobe ADEPT' | 'Barnes & Noble (ADEPT)' | 'Apple FairPlay';
  /** Path of the marker file in the container. */
  marker: string;
  denied: string[];
  /** Limits that restrict without denying (LCP print pages, copy characters, rental end). */
  limits?: Record<string, string | number>;
}

export interface EpubProtection {
  directory: ZipDirectory;
  resources: EncryptedResource[];
  systems: DrmSystem[];
  /** The entry of the first file that told us something, for evidence. */
  evidence: ZipEntry | null;
  /** A content document that reads as binary while nothing is declared encrypted. */
  unreadableContent: ZipEntry | null;
  /** Metadata files that could not be read (zip bomb, damage, XML problems), in words. */
  problems: string[];
}

/** The members the detector reads: metadata files, and a content sample when nothing is declared encrypted. */
export function wantedMembers(view: ByteView, directory: ZipDirectory): ZipEntry[] {
  const byName = new Map(directory.entries.map((e) => [e.name, e]));
  const out: ZipEntry[] = [];
  for (const name of [ENCRYPTION_XML, RIGHTS_XML, LCP_LICENSE]) {
    const e = byName.get(name);
    if (e) out.push(e);
  }
  const enc = byName.get(ENCRYPTION_XML);
  // The sample is wanted only once encryption.xml is known to declare no encrypted resource.
  if (!enc || (readMember(view, directory, enc, METADATA_LIMITS).ok && readEncryptionXml(view, directory, enc, []).every((r) => r.obfuscation))) {
    const sample = contentSample(directory, enc ? readEncryptionXml(view, directory, enc, []) : []);
    if (sample) out.push(sample);
  }
  return out;
}

/** Limits for one wanted member. */
export function limitsFor(entry: ZipEntry): MemberLimits {
  return CONTENT.test(entry.name) ? SAMPLE_LIMITS : METADATA_LIMITS;
}

function contentSample(directory: ZipDirectory, declared: readonly EncryptedResource[]): ZipEntry | null {
  const listed = new Set(declared.map((r) => r.uri));
  // The largest of the first content documents: a cover page may be a few bytes of markup.
  const candidates = directory.entries.filter((e) => CONTENT.test(e.name) && !e.name.startsWith('META-INF/') && !listed.has(e.name) && e.uncompressedSize > 0 && !(e.flags & 1)).slice(0, 8);
  return candidates.sort((a, b) => b.uncompressedSize - a.uncompressedSize)[0] ?? null;
}

/** Reads what the EPUB says about protection from the bytes held; null when the ZIP directory cannot be read. */
export function analyseEpub(view: ByteView): EpubProtection | null {
  const read = readDirectory(view);
  if (read.kind !== 'zip' || read.directory.encryption) return null;
  const directory = read.directory;
  const byName = new Map(directory.entries.map((e) => [e.name, e]));
  const problems: string[] = [];
  const out: EpubProtection = { directory, resources: [], systems: [], evidence: null, unreadableContent: null, problems };

  const enc = byName.get(ENCRYPTION_XML);
  if (enc) out.resources = readEncryptionXml(view, directory, enc, problems);
  const lcp = byName.get(LCP_LICENSE);
  if (lcp) {
    const system = readLcp(view, directory, lcp, problems);
    if (system) out.systems.push(system);
  }
  const rights = byName.get(RIGHTS_XML);
  if (rights) {
    const system = readAdept(view, directory, rights, problems);
    if (system) out.systems.push(system);
  }
  const sinf = byName.get(SINF_XML);
  if (sinf) out.systems.push({ system: 'Apple FairPlay', marker: SINF_XML, denied: [] });
  // An LCP key reference in encryption.xml names the system even if license.lcpl is elsewhere.
  if (!lcp && out.resources.some((r) => r.keyFrom?.includes('license.lcpl'))) out.systems.push({ system: 'Readium LCP', marker: ENCRYPTION_XML, denied: [] });
  out.evidence = (out.resources.some((r) => !r.obfuscation) ? enc : undefined) ?? byName.get(out.systems[0]?.marker ?? '') ?? enc ?? null;

  if (out.systems.length === 0 && out.resources.every((r) => r.obfuscation)) {
    const sample = contentSample(directory, out.resources);
    if (sample) {
      const got = readMember(view, directory, sample, SAMPLE_LIMITS);
      if (got.ok && !isMarkup(got.data)) out.unreadableContent = sample;
    }
  }
  return out;
}

function readEncryptionXml(view: ByteView, directory: ZipDirectory, entry: ZipEntry, problems: string[]): EncryptedResource[] {
  const got = readMember(view, directory, entry, METADATA_LIMITS);
  if (!got.ok) {
    problems.push(`${ENCRYPTION_XML}: ${got.message}`);
    return [];
  }
  const doc = parseXml(got.data);
  if (!doc.root) {
    problems.push(`${ENCRYPTION_XML} is not XML${doc.problems[0] ? ` (${doc.problems[0]})` : ''}`);
    return [];
  }
  if (doc.problems.length > 0) problems.push(`${ENCRYPTION_XML}: ${doc.problems[0]}`);
  const out: EncryptedResource[] = [];
  for (const data of descendants(doc.root, XMLENC, 'EncryptedData')) {
    const method = childrenOf(data, XMLENC, 'EncryptionMethod')[0];
    const algorithm = (method && attr(method, 'Algorithm')) ?? '';
    const ref = descendants(data, XMLENC, 'CipherReference')[0];
    const uri = decodeUri((ref && attr(ref, 'URI')) ?? '');
    const keyInfo = childrenOf(data, XMLDSIG, 'KeyInfo')[0];
    const retrieval = keyInfo && descendants(keyInfo, XMLDSIG, 'RetrievalMethod')[0];
    const keyName = keyInfo && descendants(keyInfo, XMLDSIG, 'KeyName')[0];
    const adeptResource = keyInfo && descendants(keyInfo, ADEPT, 'resource')[0];
    const keyFrom = (retrieval && attr(retrieval, 'URI')) ?? keyName?.text.trim() ?? adeptResource?.text.trim();
    out.push({ uri, algorithm, obfuscation: OBFUSCATION.has(algorithm), ...(keyFrom ? { keyFrom: keyFrom.slice(0, 100) } : {}) });
  }
  return out;
}

function readLcp(view: ByteView, directory: ZipDirectory, entry: ZipEntry, problems: string[]): DrmSystem | null {
  const got = readMember(view, directory, entry, METADATA_LIMITS);
  if (!got.ok) {
    problems.push(`${LCP_LICENSE}: ${got.message}`);
    // The file's presence alone names the system.
    return { system: 'Readium LCP', marker: LCP_LICENSE, denied: [] };
  }
  let license: unknown;
  try {
    license = JSON.parse(new TextDecoder().decode(got.data));
  } catch {
    problems.push(`${LCP_LICENSE} is not JSON`);
    return { system: 'Readium LCP', marker: LCP_LICENSE, denied: [] };
  }
  const rights = isObject(license) && isObject(license.rights) ? license.rights : {};
  const denied: string[] = [];
  const limits: Record<string, string | number> = {};
  for (const key of ['print', 'copy'] as const) {
    const v = rights[key];
    if (typeof v !== 'number') continue;
    if (v === 0) denied.push(key);
    else limits[key] = v;
  }
  for (const key of ['start', 'end'] as const) {
    const v = rights[key];
    if (typeof v === 'string') limits[key] = v.slice(0, 40);
  }
  const profile = isObject(license) && isObject(license.encryption) && typeof license.encryption.profile === 'string' ? license.encryption.profile : undefined;
  if (profile) limits.profile = profile.slice(0, 100);
  return { system: 'Readium LCP', marker: LCP_LICENSE, denied, ...(Object.keys(limits).length > 0 ? { limits } : {}) };
}

function readAdept(view: ByteView, directory: ZipDirectory, entry: ZipEntry, problems: string[]): DrmSystem | null {
  const got = readMember(view, directory, entry, METADATA_LIMITS);
  if (!got.ok) {
    problems.push(`${RIGHTS_XML}: ${got.message}`);
    return null;
  }
  const doc = parseXml(got.data);
  // Only a rights file in the ADEPT namespace with a key is ADEPT: DRM-free books sometimes carry an empty rights.xml.
  if (!doc.root || doc.root.uri !== ADEPT) return null;
  const key = descendants(doc.root, ADEPT, 'encryptedKey')[0];
  if (!key) return null;
  const keyLength = key.text.replace(/\s+/g, '').length;
  const permissions = descendants(doc.root, ADEPT, 'permissions')[0];
  const denied: string[] = [];
  if (permissions) {
    const granted = new Set(permissions.children.filter((c) => c.uri === ADEPT).map((c) => c.local));
    if (!granted.has('print')) denied.push('print');
    if (!granted.has('excerpt')) denied.push('copy');
  }
  // DeDRM's epubtest tells the two apart by the key: a 1024-bit RSA-wrapped key (172 base64
  // characters) for Adobe, a 64-character key for Barnes & Noble's variant.
  return { system: keyLength === 64 ? 'Barnes & Noble (ADEPT)' : 'Adobe ADEPT', marker: RIGHTS_XML, denied };
}

/** Whether a content sample reads as markup: text whose first non-space character opens a tag. */
function isMarkup(data: Uint8Array): boolean {
  if (data.length === 0) return true;
  let i = 0;
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) i = 3;
  if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) return true;
  while (i < data.length && (data[i] === 0x20 || data[i] === 0x09 || data[i] === 0x0a || data[i] === 0x0d)) i++;
  return data[i] === 0x3c && looksLikeText(data.subarray(0, 4096));
}

/** The algorithm's short name for a scheme: `AES-128-CBC` for xmlenc#aes128-cbc. */
export function algorithmName(uri: string): string {
  const m = /#(aes(128|192|256)-(cbc|gcm)|kw-aes(128|192|256))$/.exec(uri);
  if (m?.[2]) return `AES-${m[2]}-${m[3]!.toUpperCase()}`;
  if (m?.[4]) return `AES-${m[4]} key wrap`;
  return uri === '' ? 'unknown algorithm' : uri.length > 60 ? `${uri.slice(0, 57)}...` : uri;
}

/** Whether a resource path names a font. */
export function isFont(uri: string): boolean {
  return FONT.test(uri);
}

function decodeUri(uri: string): string {
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
