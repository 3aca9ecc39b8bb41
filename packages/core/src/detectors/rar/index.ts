/**
 * Encrypted RAR archives, RAR 1.5–4.x and RAR 5.0: file data encryption (RAR4 file header flag 0x04;
 * RAR5 file encryption extra record) and header encryption (RAR4 archive header flag 0x80; RAR5
 * archive encryption header), which hides even the file names. Headers are walked from the head of
 * the file; when a header lies beyond what was read, up to three further ranges of 64 KiB follow
 * the chain.
 *
 * Reference: RAR 5.0 archive format and RAR 4.x technote (see parse.ts).
 *
 * ok:     `rar a -ppw a.rar f` → tpm.rar.encrypted (RAR5 AES-256, or RAR 3.x AES-128 for RAR4)
 * ok:     `rar a -hppw a.rar f` → tpm.rar.encrypted-header
 * not-ok: `rar a a.rar f` → nothing
 * not-ok: a header of size 0 → archive.rar.unreadable (a warning), and the walk stops
 *
 * Limits: the walk reads the head and at most three more ranges, so in a large archive with big
 * members only the first few file headers are seen; `complete: false` in the value says so, and an
 * info notice says when no encrypted file was among them.
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { ByteView } from '../zip-common/bytes.js';
import { readRar, type RarInfo } from './parse.js';

const ID = 'rar';

export const rar = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'Encrypted RAR archives (RAR4 and RAR5): encrypted file data and encrypted headers',
  match: { mediaTypes: ['application/x-rar-compressed', 'application/vnd.rar'], names: ['*.rar'] },
  // No `head` of its own: the engine merges heads before it knows a file's type, so a larger head
  // here would be read for every file. The walk goes on past the sniffed head through ranges.
  wants: {
    ranges: (view) => {
      const read = readRar(ByteView.of(view));
      return read.kind === 'rar' && read.next ? [read.next] : [];
    },
  },
  codes: {
    'tpm.rar.encrypted': {
      title: 'Encrypted RAR archive',
      meaning: 'File headers of the RAR archive mark their data as encrypted with a password (RAR4 file flag 0x04: AES-128 for RAR 3.x and later, older ciphers before; RAR5 file encryption record: AES-256). The file list is readable, the contents are not. The value counts encrypted files among the file headers read and says whether every header was read.',
      action: 'Exclude the archive, or obtain an unencrypted copy or the password from the rights holder with permission to use it.',
    },
    'tpm.rar.encrypted-header': {
      title: 'RAR archive with encrypted headers',
      meaning: 'The RAR archive\'s block headers are encrypted (RAR4 archive header flag 0x80, or a RAR5 archive encryption header, as `rar -hp` writes them): not even the file names can be read without the password.',
      action: 'Exclude the archive, or obtain an unencrypted copy from the rights holder.',
    },
    'archive.rar.unreadable': {
      title: 'RAR archive whose headers cannot be read',
      meaning: 'The file starts with a RAR signature, but a block header is malformed (a size of 0, a size past the end of the file, a truncated header) before any file header was read, or the walk stopped on one. Whether the remaining files are encrypted is unknown.',
      action: 'Check the file (it may be truncated or damaged); re-obtain it, or review it by hand (`unrar lt`, `7z l -slt`).',
    },
    'archive.rar.partly-read': {
      title: 'RAR archive read only in part',
      meaning: 'The file headers read (from the start of the archive and a few further ranges) mark no file as encrypted, but the archive holds further headers that were not read. RAR allows encrypting some files and not others, so a later file could still be encrypted.',
      action: 'None for most archives (encryption is usually all or nothing); where it matters, list the archive with `unrar lt` or `7z l -slt`.',
    },
  },
  detect(input) {
    const read = readRar(ByteView.of(input));
    if (read.kind === 'none') return [];
    const info = read.info;
    const out: FindingInput[] = [];
    if (info.headerEncryption) {
      out.push({
        code: 'tpm.rar.encrypted-header',
        category: 'tpm',
        detector: ID,
        confidence: 0.99,
        value: { format: info.version === 5 ? 'rar5' : 'rar4', scheme: info.headerEncryption.scheme, needsSecret: true, denied: [], namesHidden: true },
        evidence: { path: input.path, byteOffset: info.headerEncryption.offset, excerpt: info.version === 5 ? 'archive encryption header (type 4)' : 'archive header flag 0x0080 (block headers encrypted)' },
        scope: { kind: 'file', root: input.path },
        url: findingUrl('tpm.rar.encrypted-header'),
      });
      return out;
    }
    if (info.encryptedFiles > 0) {
      out.push({
        code: 'tpm.rar.encrypted',
        category: 'tpm',
        detector: ID,
        confidence: 0.99,
        value: {
          format: info.version === 5 ? 'rar5' : 'rar4',
          scheme: Object.keys(info.schemes).join(' + '),
          needsSecret: true,
          denied: [],
          encryptedFiles: info.encryptedFiles,
          filesRead: info.files,
          complete: info.complete,
        },
        evidence: { path: input.path, byteOffset: info.firstEncrypted!, excerpt: info.version === 5 ? 'file header with a file encryption record (extra type 0x01)' : 'file header flag 0x0004 (encrypted with a password)' },
        scope: { kind: 'file', root: input.path },
        url: findingUrl('tpm.rar.encrypted'),
      });
    }
    if (info.problems.length > 0 && info.files === 0 && out.length === 0) out.push(notice(input, 'archive.rar.unreadable', 'warning', info, info.problems[0]!));
    else if (info.problems.length > 0) out.push(notice(input, 'archive.rar.unreadable', 'warning', info, `after ${info.files} file headers: ${info.problems[0]!}`));
    else if (!info.complete && info.encryptedFiles === 0) {
      out.push(notice(input, 'archive.rar.partly-read', 'info', info, `${info.files} file headers read, none encrypted; the rest of the archive was not read`));
    }
    return out;
  },
});

function notice(input: DetectorInput, code: string, severity: 'info' | 'warning', info: RarInfo, problem: string): FindingInput {
  return {
    code,
    category: 'notice',
    detector: ID,
    severity,
    confidence: 0.9,
    value: { problem, filesRead: info.files },
    evidence: { path: input.path, byteOffset: Math.max(0, Math.min(info.stoppedAt ?? 0, input.size - 1)), excerpt: problem.slice(0, 200) },
    scope: { kind: 'file', root: input.path },
    url: findingUrl(code),
  };
}
