/**
 * PDF encryption and DRM: the `/Encrypt` entry of the newest trailer (a `trailer` dictionary or a
 * cross-reference stream; incremental updates: the last one wins; a linearized file's `startxref`
 * leads to its first-page trailer), the encryption dictionary it names, and what that means: which
 * security handler (`/Standard` or a vendor's DRM such as Adobe.APS, Adobe.PubSec, FOPN_foweb),
 * which cipher and key length, which permissions `/P` denies, and whether the document opens with
 * the empty user password (checked against `/U` as every viewer does; nothing is decrypted).
 *
 * Reads the tail (16 KiB) and then only the ranges the cross-reference chain points at: the
 * section at `startxref`, older sections behind `/Prev` while the encryption dictionary is not yet
 * located, and that one object. See structure.ts for the bounds on hostile files.
 *
 * ok:     a PDF with no `/Encrypt` in its newest trailer → no finding
 * not-ok: `/Filter /Standard /V 5 /R 6` whose `/U` rejects the empty password → tpm.pdf.encrypted
 * not-ok: same, empty user password accepted, `/P -3904` → tpm.pdf.restricted, denied print, modify, …
 * not-ok: `/Filter /FOPN_foweb` → tpm.pdf.drm, system FOPN_foweb
 * not-ok: `/StmF /Identity /StrF /Identity /EFF /StdCF` → tpm.pdf.partial (attachments encrypted)
 * warning: `startxref` past the end of the file, a cyclic `/Prev` chain → tpm.pdf.malformed
 */
import { defineDetector, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { ByteView } from '../tpm-common/byte-view.js';
import { latin1, malformedFinding, tpmFinding, type TpmValue } from '../tpm-common/findings.js';
import { readEncryption, type PdfEncryption } from './security.js';
import { documentId, readStructure, type PdfStructure } from './structure.js';

const ID = 'pdf-encryption';
const TAIL = 16 * 1024;

/** Whether the first KiB holds `%PDF-` (readers accept junk before the header). */
function looksLikePdf(head: Uint8Array): boolean {
  return latin1(head.subarray(0, 1024)).includes('%PDF-');
}

export const pdfEncryption = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'PDF encryption and DRM handlers, permission bits, and whether the document opens without a password',
  match: { mediaTypes: ['application/pdf'] },
  wants: {
    tail: TAIL,
    ranges(view) {
      if (!looksLikePdf(view.head)) return [];
      const bytes = ByteView.fromRangeView(view);
      readStructure(bytes);
      return bytes.missing({ maxRanges: 16, maxBytes: 8 * 1024 * 1024 });
    },
  },
  codes: {
    'tpm.pdf.encrypted': {
      title: 'PDF encrypted with a user password',
      meaning:
        'The PDF is encrypted by the Standard security handler and does not open with the empty user password: a reader needs a password the dataset does not carry. The value gives the cipher (`scheme`), `/V`, `/R`, key length, crypt filters, the permission bits and what they deny once opened. When the password check could not be made (`userPassword: unknown`), the file is reported here as needing one.',
      action: 'Exclude the file (the default policy does). Do not try to break the password; ask the rights holder for an unprotected copy.',
    },
    'tpm.pdf.restricted': {
      title: 'PDF encrypted with an empty user password (permission restrictions)',
      meaning:
        'The PDF is encrypted by the Standard security handler but opens with the empty user password, as every viewer does without asking. Its permission bits `/P` restrict uses, listed in `denied` (`print`, `print-high-quality`, `modify`, `copy`, `annotate`, `fill-forms`, `extract-accessibility`, `assemble`); `denied` is empty when the bits restrict nothing. A restriction on copying or extraction is a technical measure that expresses the rights holder\'s intent.',
      action: 'The policy decides (`tpm.restrictionsOnly`, default `review`). A denied `copy` is a strong signal against training; check the licence.',
    },
    'tpm.pdf.drm': {
      title: 'PDF protected by a DRM security handler',
      meaning:
        'The encryption dictionary names a security handler other than `/Standard` — a rights-management or certificate system such as Adobe.APS (Adobe LiveCycle Rights Management), Adobe.PubSec (public-key security), FOPN_foweb (FileOpen), EBX_HANDLER (Adobe eBook). Opening the document needs a licence or private key from that system; `system` names it.',
      action: 'Exclude the file. Obtain an unprotected copy from the rights holder; circumventing the handler is prohibited.',
    },
    'tpm.pdf.partial': {
      title: 'PDF with encrypted attachments only',
      meaning:
        'The PDF opens and its pages are readable (strings and streams use the Identity crypt filter), but its embedded files are encrypted (`/EFF`) with a password that is not empty. `denied` includes `embedded-files` and whatever the permission bits deny.',
      action: 'The policy decides (`tpm.restrictionsOnly`, default `review`). The page content can be read; the attachments cannot and must not be opened.',
    },
    'tpm.pdf.unresolved': {
      title: 'PDF encrypted, encryption dictionary unreadable',
      meaning:
        'The newest trailer has an `/Encrypt` entry, so the PDF is encrypted, but the encryption dictionary it names could not be read within the read limits (a lying offset, a missing object, a damaged file). It is reported as needing a secret, with lower confidence.',
      action: 'Exclude the file, or open it with a PDF tool (`qpdf --show-encryption`) to see what protects it.',
    },
    'tpm.pdf.malformed': {
      title: 'PDF structure could not be read',
      meaning:
        'The cross-reference chain of this PDF could not be read within bounds — `startxref` past the end of the file, a cyclic `/Prev` chain, a cross-reference stream that inflates past its cap, entries that lie about their offsets or counts, a truncated file. The detector fell back to scanning the bytes it had; `problems` lists what went wrong. Any encryption finding beside this one still holds; without one, whether the file is encrypted is not known for sure.',
      action: 'Check the file with a PDF tool (`qpdf --check`); repair or drop it.',
    },
  },
  detect(input) {
    if (!looksLikePdf(input.head)) return [];
    const view = ByteView.fromInput(input);
    const s = readStructure(view, { final: true });
    const out: FindingInput[] = [];
    const finding = encryptionFinding(input, s);
    if (finding) out.push(finding);
    if (s.problems.length > 0 || (!s.trailer && !finding)) {
      const problems = s.problems.length > 0 ? s.problems : [{ message: 'no trailer found', byteOffset: 0 }];
      out.push(malformedFinding(ID, input, 'tpm.pdf.malformed', 'pdf', problems));
    }
    return out;
  },
});

function encryptionFinding(input: DetectorInput, s: PdfStructure): FindingInput | null {
  const enc = s.encrypt;
  if (!enc) return null;
  const where = { byteOffset: enc.keyAt };
  if (!enc.dict) {
    const value: TpmValue = { format: 'pdf', scheme: 'unknown', needsSecret: true, denied: [], userPassword: 'unknown' };
    return tpmFinding(ID, input, 'tpm.pdf.unresolved', value, { ...where, excerpt: enc.ref ? `/Encrypt ${enc.ref.num} ${enc.ref.gen} R` : '/Encrypt' }, 0.6);
  }
  const e = readEncryption(enc.dict.dict, documentId(s.trailer?.dict));
  const details = {
    filter: e.filter,
    subFilter: e.subFilter,
    v: e.v,
    r: e.r,
    keyBits: e.keyBits,
    cryptFilters: e.stmF !== undefined ? { streams: e.stmF, strings: e.strF, embeddedFiles: e.eff } : undefined,
    p: e.p,
    encryptMetadata: e.encryptMetadata,
    userPassword: e.userPassword,
    dictionaryOffset: enc.dict.at,
    resolvedVia: enc.via,
  };
  const evidence = { ...where, excerpt: excerptOf(e) };
  const nothingEncrypted = e.stmF === 'Identity' && e.strF === 'Identity' && e.eff === 'Identity';
  if (e.filter === 'missing') {
    // /Filter is required; without it no handler is named, so neither DRM nor the empty password can be told.
    return tpmFinding(ID, input, 'tpm.pdf.encrypted', { format: 'pdf', scheme: e.scheme, needsSecret: true, denied: e.denied, ...details }, evidence, 0.6);
  }
  if (e.filter !== 'Standard') {
    return tpmFinding(ID, input, 'tpm.pdf.drm', { format: 'pdf', scheme: e.scheme, system: e.filter, needsSecret: true, denied: e.denied, ...details }, evidence, 0.95);
  }
  if (e.userPassword === 'empty' || nothingEncrypted) {
    return tpmFinding(ID, input, 'tpm.pdf.restricted', { format: 'pdf', scheme: e.scheme, needsSecret: false, denied: e.denied, ...details }, evidence);
  }
  if (e.attachmentsOnly) {
    return tpmFinding(ID, input, 'tpm.pdf.partial', { format: 'pdf', scheme: e.scheme, needsSecret: false, denied: [...e.denied, 'embedded-files'], ...details }, evidence, e.userPassword === 'required' ? 0.95 : 0.8);
  }
  return tpmFinding(ID, input, 'tpm.pdf.encrypted', { format: 'pdf', scheme: e.scheme, needsSecret: true, denied: e.denied, ...details }, evidence, e.userPassword === 'required' ? 0.99 : 0.7);
}

function excerptOf(e: PdfEncryption): string {
  const parts = [`/Filter /${e.filter}`];
  if (e.v !== undefined) parts.push(`/V ${e.v}`);
  if (e.r !== undefined) parts.push(`/R ${e.r}`);
  if (e.p !== undefined) parts.push(`/P ${e.p}`);
  return parts.join(' ');
}
