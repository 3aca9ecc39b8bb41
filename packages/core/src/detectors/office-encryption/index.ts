/**
 * Office encryption, obfuscation and IRM in compound files (OLE2/CFB): encrypted OOXML (.docx,
 * .xlsx, .pptx saved with a password are CFB containers with `EncryptionInfo` and `EncryptedPackage`
 * — file-type calls them `cfb`), legacy .doc (FIB flags), .xls (FILEPASS) and .ppt (encrypted
 * CurrentUserAtom), and Information Rights Management. Reads the header from the head and then only
 * the sectors it needs (directory, FAT, mini FAT, the first bytes of a few streams) through ranges.
 *
 * ok:     a .doc whose FIB has fEncrypted clear; a plain .docx (a zip, not looked at) → no finding
 * not-ok: CFB with EncryptionInfo 4.4 + EncryptedPackage → tpm.office.encrypted, scheme agile, AES-256
 * not-ok: .xls FILEPASS, RC4 CryptoAPI, not the default password → tpm.office.encrypted, rc4-cryptoapi
 * not-ok: .xls FILEPASS whose verifier matches `VelvetSweatshop` → tpm.office.restricted (opens freely)
 * not-ok: `\x06DataSpaces/…/DRMEncryptedTransform` → tpm.office.drm, system Microsoft IRM
 * warning: a FAT cycle, a DIFAT loop, sectors past the end → tpm.office.malformed
 */
import { defineDetector } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { ByteView } from '../tpm-common/byte-view.js';
import { malformedFinding, tpmFinding, type Problem } from '../tpm-common/findings.js';
import { analyse } from './analyse.js';
import { Cfb, isCfb } from './cfb.js';

const ID = 'office-encryption';

/** Media types a compound file may be given: file-type's own, or the Office type of its extension. */
const MEDIA_TYPES = [
  'application/x-cfb',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
];

function run(view: ByteView): { cfb: Cfb | null; result: ReturnType<typeof analyse>; problems: Problem[] } {
  const opened = Cfb.open(view);
  if ('problem' in opened) return { cfb: null, result: null, problems: [{ message: opened.problem, byteOffset: 0 }] };
  const cfb = opened.cfb;
  const result = analyse(cfb);
  return { cfb, result, problems: cfb.problems };
}

export const officeEncryption = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'Encrypted OOXML, legacy .doc/.xls/.ppt encryption and XOR obfuscation, and IRM in compound files',
  match: { mediaTypes: MEDIA_TYPES },
  wants: {
    ranges(view) {
      if (!isCfb(view.head)) return [];
      const bytes = ByteView.fromRangeView(view);
      run(bytes);
      return bytes.missing({ maxRanges: 32, maxBytes: 4 * 1024 * 1024 });
    },
  },
  codes: {
    'tpm.office.encrypted': {
      title: 'Office document encrypted with a password',
      meaning:
        'The Office document is encrypted and opening it needs a password. `format` says which kind: `ooxml` (a .docx/.xlsx/.pptx saved with a password: a compound file holding EncryptionInfo and EncryptedPackage; `scheme` agile, standard or extensible, with the cipher), or a legacy binary file: `doc` (FIB fEncrypted; `xor` obfuscation, `rc4` or `rc4-cryptoapi`), `xls` (FILEPASS record; not Excel\'s default password), `ppt` (encrypted CurrentUserAtom, RC4 CryptoAPI). XOR obfuscation is weak but still a password measure.',
      action: 'Exclude the file (the default policy does). Do not try to break the password; ask the rights holder for an unprotected copy.',
    },
    'tpm.office.restricted': {
      title: 'Excel workbook encrypted with the default password',
      meaning:
        'The .xls workbook is encrypted (FILEPASS) with Excel\'s built-in default password `VelvetSweatshop`, which Excel uses when a workbook is write- or structure-protected without an opening password: it opens without a prompt, as in Excel. The measure signals that the author restricted changes.',
      action: 'The policy decides (`tpm.restrictionsOnly`, default `review`).',
    },
    'tpm.office.drm': {
      title: 'Office document protected by Information Rights Management',
      meaning:
        'The compound file carries an IRM data space (DRMEncryptedTransform, DRMEncryptedDataSpace or DRMContent): the content is encrypted to a rights-management licence (Microsoft RMS / Azure Information Protection) that names who may open it.',
      action: 'Exclude the file. Ask the rights holder for an unprotected copy; circumventing IRM is prohibited.',
    },
    'tpm.office.malformed': {
      title: 'Compound file structure could not be read',
      meaning:
        'The compound file\'s header, FAT, DIFAT or directory could not be read within bounds — a FAT or DIFAT cycle, a directory tree that loops, sectors past the end of the file, a truncated file. `problems` lists what went wrong. An encryption finding beside this one still holds; without one, whether the file is protected is not known for sure.',
      action: 'Check the file (open it in the application, or `olefile`/`msoffcrypto-tool`); repair or drop it.',
    },
  },
  detect(input) {
    if (!isCfb(input.head)) return [];
    const { result, problems } = run(ByteView.fromInput(input));
    const out: FindingInput[] = [];
    if (result) {
      out.push(
        tpmFinding(
          ID,
          input,
          result.code,
          { format: result.format, scheme: result.scheme, ...(result.system ? { system: result.system } : {}), needsSecret: result.needsSecret, denied: [], ...result.details },
          { byteOffset: result.byteOffset, excerpt: result.excerpt },
          result.confidence,
        ),
      );
    }
    const unique = dedupe(problems);
    if (result === undefined) unique.push({ message: 'the compound file could not be read within the read limits' });
    if (unique.length > 0) out.push(malformedFinding(ID, input, 'tpm.office.malformed', 'cfb', unique));
    return out;
  },
});

function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(p.message) && seen.add(p.message) !== undefined);
}
