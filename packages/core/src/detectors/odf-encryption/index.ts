/**
 * Password-encrypted OpenDocument files (odt, ods, odp, odg, …): META-INF/manifest.xml gives each
 * encrypted member a `manifest:encryption-data` element naming the cipher (`manifest:algorithm`),
 * the key derivation (`manifest:key-derivation`: PBKDF2, Argon2id, or PGP for OpenPGP-encrypted
 * files) and the start key hash. The `mimetype` member stays in clear, so file-type still calls the
 * file an OpenDocument; only the manifest shows that content.xml and the rest need a password.
 *
 * Reference: OASIS OpenDocument 1.3 Part 2 (Packages), §3.8 manifest: `<manifest:file-entry>`,
 * `<manifest:encryption-data>`, `<manifest:algorithm>` (`manifest:algorithm-name`: "Blowfish CFB",
 * http://www.w3.org/2001/04/xmlenc#aes256-cbc, …), `<manifest:key-derivation>`
 * (`manifest:key-derivation-name`: PBKDF2), `<manifest:start-key-generation>`; LibreOffice's
 * extensions (AES-GCM from XML Encryption 1.1, Argon2id).
 *
 * ok:     an .odt saved with a password by LibreOffice → tpm.odf.encrypted (AES-256-CBC, PBKDF2)
 * not-ok: an .odt saved without one → nothing
 * not-ok: a manifest that inflates past the cap → odf.unreadable-manifest (a warning)
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { attr, ByteView, childrenOf, descendants, parseXml, readDirectory, readMember, zipRanges, ZIP_TAIL_BYTES, type ZipDirectory, type ZipEntry } from '../zip-common/index.js';

const ID = 'odf-encryption';
const MANIFEST = 'META-INF/manifest.xml';
const NS = 'urn:oasis:names:tc:opendocument:xmlns:manifest:1.0';
const LIMITS = { memberBytes: 1024 * 1024, output: 4 * 1024 * 1024, ratio: 100 };

/** OpenDocument media types, as file-type or the extension name them. */
export const ODF_MEDIA_TYPES = [
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.text-template',
  'application/vnd.oasis.opendocument.text-master',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.spreadsheet-template',
  'application/vnd.oasis.opendocument.presentation',
  'application/vnd.oasis.opendocument.presentation-template',
  'application/vnd.oasis.opendocument.graphics',
  'application/vnd.oasis.opendocument.graphics-template',
  'application/vnd.oasis.opendocument.chart',
  'application/vnd.oasis.opendocument.formula',
  'application/vnd.oasis.opendocument.database',
] as const;

const manifestOf = (d: ZipDirectory): ZipEntry[] => d.entries.filter((e) => e.name === MANIFEST);

/** A short name for a cipher URI or name: `AES-256-CBC` for xmlenc#aes256-cbc. */
export function cipherName(name: string): string {
  const m = /#aes(128|192|256)-(cbc|gcm)$/.exec(name);
  if (m) return `AES-${m[1]}-${m[2]!.toUpperCase()}`;
  return name.length > 60 ? `${name.slice(0, 57)}...` : name || 'unknown cipher';
}

/** A short name for a key derivation: PBKDF2, Argon2id, PGP. */
function derivationName(name: string): string {
  if (/argon2id$/i.test(name)) return 'Argon2id';
  return name.length > 60 ? `${name.slice(0, 57)}...` : name;
}

export const odfEncryption = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'Password-encrypted OpenDocument files (manifest encryption-data)',
  match: { mediaTypes: ODF_MEDIA_TYPES, names: ['*.odt', '*.ods', '*.odp', '*.odg', '*.odc', '*.odf', '*.odm', '*.ott', '*.ots', '*.otp', '*.otg', '*.odb'] },
  wants: { tail: ZIP_TAIL_BYTES, ranges: (view) => zipRanges(view, { members: manifestOf, limits: LIMITS }) },
  codes: {
    'tpm.odf.encrypted': {
      title: 'Password-encrypted OpenDocument file',
      meaning: 'The OpenDocument package\'s manifest (META-INF/manifest.xml) gives its members `manifest:encryption-data`: content.xml, styles.xml and the rest are encrypted with the named cipher (AES-256-CBC or -GCM, or Blowfish CFB in old files) under a key derived from a password (PBKDF2, Argon2id) or an OpenPGP key. The document cannot be read without it.',
      action: 'Exclude the document, or obtain an unencrypted copy from its owner with permission to use it.',
    },
    'odf.unreadable-manifest': {
      title: 'OpenDocument manifest that cannot be read',
      meaning: 'META-INF/manifest.xml is present but could not be read within the limits (it inflates past the cap, as a decompression bomb does; its data is damaged; it is not well-formed XML). Whether the document is encrypted is unknown.',
      action: 'Review the document by hand (open it, or list its manifest); re-obtain it if damaged.',
    },
  },
  detect(input) {
    const view = ByteView.of(input);
    const read = readDirectory(view);
    // An unreadable ZIP is the zip-encryption detector's to report.
    if (read.kind !== 'zip' || read.directory.encryption) return [];
    const entry = manifestOf(read.directory)[0];
    if (!entry) return [];
    const got = readMember(view, read.directory, entry, LIMITS);
    if (!got.ok) return [unreadable(input, entry, `${MANIFEST}: ${got.message}`)];
    // Manifests written by OpenOffice.org and early LibreOffice bind `manifest:` only in their external DTD.
    const doc = parseXml(got.data, { namespaces: { manifest: NS } });
    if (!doc.root || doc.root.uri !== NS || doc.root.local !== 'manifest') return [unreadable(input, entry, `${MANIFEST} is not an OpenDocument manifest${doc.problems[0] ? ` (${doc.problems[0]})` : ''}`)];
    const out: FindingInput[] = [];
    const ciphers = new Map<string, number>();
    const derivations = new Set<string>();
    let files = 0;
    let encrypted = 0;
    for (const file of childrenOf(doc.root, NS, 'file-entry')) {
      const path = attr(file, 'full-path', NS) ?? '';
      if (path === '/' || path.endsWith('/')) continue;
      files++;
      const data = childrenOf(file, NS, 'encryption-data')[0];
      if (!data) continue;
      encrypted++;
      const algorithm = childrenOf(data, NS, 'algorithm')[0];
      const cipher = cipherName((algorithm && attr(algorithm, 'algorithm-name', NS)) ?? '');
      ciphers.set(cipher, (ciphers.get(cipher) ?? 0) + 1);
      const kd = childrenOf(data, NS, 'key-derivation')[0];
      const derivation = kd && attr(kd, 'key-derivation-name', NS);
      if (derivation) derivations.add(derivationName(derivation));
    }
    // ODF 1.3 OpenPGP encryption lists the recipients' keys in <manifest:keyinfo>.
    const pgp = descendants(doc.root, NS, 'keyinfo').length > 0;
    if (pgp) derivations.add('PGP');
    if (encrypted > 0) {
      const scheme = [...ciphers.keys()].join(' + ');
      out.push({
        code: 'tpm.odf.encrypted',
        category: 'tpm',
        detector: ID,
        confidence: 0.99,
        value: { format: 'odf', scheme, needsSecret: true, denied: [], keyDerivation: [...derivations], encryptedMembers: encrypted, members: files, openPgp: pgp },
        evidence: { path: input.path, byteOffset: entry.localOffset, excerpt: `${MANIFEST}: ${encrypted} of ${files} members with encryption-data (${scheme}${derivations.size > 0 ? `, ${[...derivations].join(', ')}` : ''})`.slice(0, 200) },
        scope: { kind: 'file', root: input.path },
        url: findingUrl('tpm.odf.encrypted'),
      });
    }
    if (doc.problems.length > 0) out.push(unreadable(input, entry, `${MANIFEST}: ${doc.problems[0]!}`));
    return out;
  },
});

function unreadable(input: DetectorInput, entry: ZipEntry, problem: string): FindingInput {
  return {
    code: 'odf.unreadable-manifest',
    category: 'notice',
    detector: ID,
    severity: 'warning',
    confidence: 0.9,
    value: { problem },
    evidence: { path: input.path, byteOffset: entry.localOffset, excerpt: problem.slice(0, 200) },
    scope: { kind: 'file', root: input.path },
    url: findingUrl('odf.unreadable-manifest'),
  };
}
