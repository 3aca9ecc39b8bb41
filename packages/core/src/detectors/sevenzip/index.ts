/**
 * Encrypted 7z archives: folders whose coder chain includes 7zAES (AES-256 with a SHA-256 key
 * derivation) — the file data needs a password — and encrypted headers (`7z a -mhe=on`), where the
 * encoded header's own folder is 7zAES and even the file names are hidden. Reads the 32-byte
 * signature header from the head, then the next header (usually in the tail; else one range) and,
 * when the header is LZMA-compressed as 7-Zip writes it, the packed header (one more range), which
 * is unpacked under a size cap.
 *
 * Reference: 7-Zip DOC/7zFormat.txt and DOC/Methods.txt (see parse.ts).
 *
 * ok:     `7z a -ppw a.7z f` → tpm.7z.encrypted (scheme 7zAES)
 * ok:     `7z a -ppw -mhe=on a.7z f` → tpm.7z.encrypted-header
 * not-ok: `7z a a.7z f` → nothing
 * not-ok: a 7z whose start header points past the end → archive.7z.unreadable (a warning)
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { ByteView } from '../zip-common/bytes.js';
import { readSevenZip } from './parse.js';

const ID = 'sevenzip';
const SCHEME = '7zAES (AES-256)';

export const sevenZip = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'Encrypted 7z archives: 7zAES-coded folders and encrypted headers',
  match: { mediaTypes: ['application/x-7z-compressed'], names: ['*.7z'] },
  // The next header sits at the end of the archive, after the packed streams.
  wants: { tail: 64 * 1024, ranges: (view) => {
    const read = readSevenZip(ByteView.of(view));
    return read.kind === 'need' ? read.ranges : [];
  } },
  codes: {
    'tpm.7z.encrypted': {
      title: 'Encrypted 7z archive',
      meaning: 'One or more folders (solid blocks) of the 7z archive are coded with 7zAES (AES-256, key derived from a password with SHA-256): the files in them cannot be read without the password. The file list itself is readable. The value counts encrypted folders and files.',
      action: 'Exclude the archive, or obtain an unencrypted copy or the password from the rights holder with permission to use it.',
    },
    'tpm.7z.encrypted-header': {
      title: '7z archive with encrypted headers',
      meaning: 'The 7z archive\'s header (the list of files, their names and sizes) is itself encrypted with 7zAES, as `7z a -mhe=on` writes it. Nothing about its contents can be read without the password; the data is encrypted too.',
      action: 'Exclude the archive, or obtain an unencrypted copy from the rights holder.',
    },
    'archive.7z.unreadable': {
      title: '7z archive whose header cannot be read',
      meaning: 'The file starts with the 7z signature, but its next header lies past the end of the file (a truncated download), is damaged, is packed with a method not unpacked here, or is larger than the read limits. Whether it is encrypted is unknown.',
      action: 'Check the file; re-obtain it, or review it by hand (`7z l -slt`).',
    },
  },
  detect(input) {
    const read = readSevenZip(ByteView.of(input));
    switch (read.kind) {
      case 'none':
        return [];
      case 'need':
        return [unreadable(input, 'the header could not be read within the read limits', input.size)];
      case 'broken':
        return [unreadable(input, read.problem, read.offset)];
      case '7z': {
        const i = read.info;
        if (i.headerEncrypted) {
          return [
            tpm(input, 'tpm.7z.encrypted-header', { format: '7z', scheme: SCHEME, needsSecret: true, denied: [], namesHidden: true, headerMethods: i.headerMethods }, i.headerOffset, `encoded header coders: ${i.headerMethods!.join(' + ')}`),
          ];
        }
        if (i.encryptedFolders === 0) return [];
        return [
          tpm(
            input,
            'tpm.7z.encrypted',
            { format: '7z', scheme: SCHEME, needsSecret: true, denied: [], encryptedFolders: i.encryptedFolders, folders: i.folders, encryptedFiles: i.encryptedStreams, files: i.streams, methods: i.methods },
            i.headerOffset,
            `${i.encryptedFolders} of ${i.folders} folders coded with 7zAES`,
          ),
        ];
      }
    }
  },
});

/** Value of a tpm finding, with this detector's extra fields. */
type TpmValue = { format: string; scheme: string; needsSecret: boolean; denied: string[] } & Record<string, unknown>;

function tpm(input: DetectorInput, code: string, value: TpmValue, offset: number, excerpt: string): FindingInput {
  return {
    code,
    category: 'tpm',
    detector: ID,
    confidence: 0.99,
    value,
    evidence: { path: input.path, byteOffset: offset, excerpt: excerpt.slice(0, 200) },
    scope: { kind: 'file', root: input.path },
    url: findingUrl(code),
  };
}

function unreadable(input: DetectorInput, problem: string, offset: number): FindingInput {
  return {
    code: 'archive.7z.unreadable',
    category: 'notice',
    detector: ID,
    severity: 'warning',
    confidence: 0.9,
    value: { problem },
    evidence: { path: input.path, byteOffset: Math.max(0, Math.min(offset, input.size - 1)), excerpt: problem.slice(0, 200) },
    scope: { kind: 'file', root: input.path },
    url: findingUrl('archive.7z.unreadable'),
  };
}
