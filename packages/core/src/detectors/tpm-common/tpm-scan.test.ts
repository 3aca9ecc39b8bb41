import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../schema/record.js';
import { makeTree, scanTree } from '../../test-utils/index.js';

const detectors = path.dirname(import.meta.dirname);
const fixture = (folder: string, name: string) => new Uint8Array(readFileSync(path.join(detectors, folder, 'fixtures', name)));

/**
 * A dataset licensed CC-BY-4.0 by its card, holding protected and unprotected files of every format
 * the PDF, Office and media TPM detectors read: the default policy must exclude what needs a secret,
 * send restrictions to review with what they deny, and leave the controls alone.
 */
describe('TPM findings through a full scan, default policy', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let records: Map<string, ScanRecord>;

  beforeAll(async () => {
    ({ root, cleanup } = await makeTree({
      'README.md': '---\nlicense: cc-by-4.0\npretty_name: Kelmouth TPM sampler\n---\n# Kelmouth TPM sampler\n',
      'pdf/user-password.pdf': fixture('pdf-encryption', 'made-R6-userpw.pdf'),
      'pdf/rc4-user-password.pdf': fixture('pdf-encryption', 'qpdf-enc-R3-V2-userpw.pdf'),
      'pdf/owner-only.pdf': fixture('pdf-encryption', 'qpdf-enc-R3-V2-owneronly.pdf'),
      'pdf/plain.pdf': fixture('pdf-encryption', 'qpdf-enc-base-plain.pdf'),
      'office/agile.docx': fixture('office-encryption', 'msoffcrypto-example_password.docx'),
      'office/cryptoapi.xls': fixture('office-encryption', 'msoffcrypto-rc4cryptoapi_password.xls'),
      'office/deck.ppt': fixture('office-encryption', 'msoffcrypto-rc4cryptoapi_password.ppt'),
      'office/structure-protected.xls': fixture('office-encryption', 'lo-structure-protected.xls'),
      'office/plain.doc': fixture('office-encryption', 'lo-plain.doc'),
      'office/plain.xls': fixture('office-encryption', 'lo-plain.xls'),
      'media/widevine.mp4': fixture('bmff-encryption', 'shaka-encrypted-sintel-video-init.mp4'),
      'media/cbcs-no-pssh.mp4': fixture('bmff-encryption', 'shaka-hls-video-init-encrypted-cbcs.mp4'),
      'media/cenc.m4a': fixture('bmff-encryption', 'made-cenc-audio.m4a'),
      'media/clear.mp4': fixture('bmff-encryption', 'made-clear-mpeg4.mp4'),
      'media/clear.wma': fixture('asf-drm', 'made-clear.wma'),
      'images/rights-marked.jpg': fixture('tpm-common', 'made-rights-marked.jpg'),
    }));
    ({ records } = await scanTree(root));
  });
  afterAll(async () => cleanup());

  const get = (p: string) => {
    const r = records.get(p);
    if (!r) throw new Error(`no record for ${p}`);
    return r;
  };
  /** Errors of these detectors (others' detectors are tested on their own). */
  const ours = (r: ScanRecord) => r.errors.filter((e) => ['pdf-encryption', 'office-encryption', 'bmff-encryption', 'asf-drm', 'mobi-drm'].includes(e.detector ?? ''));
  const tpmReasons = (r: ScanRecord) => r.verdict.reasons.filter((x) => x.code.startsWith('tpm.'));

  it.each([
    ['pdf/user-password.pdf', 'tpm.pdf.encrypted', 'pdf', 'AES-256'],
    ['pdf/rc4-user-password.pdf', 'tpm.pdf.encrypted', 'pdf', 'RC4-128'],
    ['office/agile.docx', 'tpm.office.encrypted', 'ooxml', 'agile'],
    ['office/cryptoapi.xls', 'tpm.office.encrypted', 'xls', 'rc4-cryptoapi'],
    ['office/deck.ppt', 'tpm.office.encrypted', 'ppt', 'rc4-cryptoapi'],
    ['media/widevine.mp4', 'tpm.mp4.drm', 'mp4', 'cenc'],
    ['media/cbcs-no-pssh.mp4', 'tpm.mp4.encrypted', 'mp4', 'cbcs'],
    ['media/cenc.m4a', 'tpm.mp4.encrypted', 'mp4', 'cenc'],
  ])('%s needs a secret: excluded', (file, code, format, scheme) => {
    const r = get(file);
    expect(ours(r)).toEqual([]);
    expect(r.tpm).toMatchObject([{ code, format, scheme, needsSecret: true }]);
    expect(r.verdict.decision).toBe('exclude');
    expect(tpmReasons(r)).toMatchObject([{ code: 'tpm.present', decision: 'exclude' }]);
  });

  it('an owner-password-only PDF goes to review, its denied permissions in the reason', () => {
    const r = get('pdf/owner-only.pdf');
    expect(r.tpm).toMatchObject([{ code: 'tpm.pdf.restricted', needsSecret: false, denied: ['print', 'print-high-quality', 'modify', 'copy', 'assemble'] }]);
    expect(r.verdict.decision).toBe('review');
    const [reason] = tpmReasons(r);
    expect(reason).toMatchObject({ code: 'tpm.restrictions', decision: 'review' });
    expect(reason!.message).toContain('denies print, print-high-quality, modify, copy, assemble');
  });

  it('a workbook encrypted with Excel\'s default password goes to review', () => {
    const r = get('office/structure-protected.xls');
    expect(r.tpm).toMatchObject([{ code: 'tpm.office.restricted', needsSecret: false }]);
    expect(r.verdict.decision).toBe('review');
  });

  it.each(['pdf/plain.pdf', 'office/plain.doc', 'office/plain.xls', 'media/clear.mp4', 'media/clear.wma'])('the unprotected control %s is unaffected', (file) => {
    const r = get(file);
    expect(ours(r)).toEqual([]);
    expect(r.tpm).toEqual([]);
    expect(r.findings.filter((f) => f.code.startsWith('tpm.'))).toEqual([]);
    expect(r.verdict.decision).toBe('allow');
  });

  it('rights metadata in an image (xmpRights:Marked, copyright) is not a TPM', () => {
    const r = get('images/rights-marked.jpg');
    expect(r.tpm).toEqual([]);
    expect(r.findings.filter((f) => f.category === 'tpm')).toEqual([]);
  });
});
