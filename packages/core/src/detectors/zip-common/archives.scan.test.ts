import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../schema/record.js';
import { makeTree, scanTree } from '../../test-utils/index.js';
import { buildZip } from './testing.js';

const detectors = path.join(import.meta.dirname, '..');
const fixture = (rel: string) => readFileSync(path.join(detectors, rel));

/** A ZIP whose directory (about 330 KB) is larger than the tail read, with one encrypted member at the end. */
function bigEncryptedZip(): Uint8Array {
  const members = Array.from({ length: 4000 }, (_, i) => ({ name: `shards/shard-${String(i).padStart(5, '0')}/part.jsonl`, data: `{"i":${i}}\n`, method: 0 }));
  return buildZip([...members, { name: 'shards/secret.jsonl', data: 'x', method: 0, flags: 1 }]);
}

describe('archive TPM detectors in a scan (default policy)', () => {
  let tree: { root: string; cleanup: () => Promise<void> };
  let records: Map<string, ScanRecord>;
  let unhashed: Map<string, ScanRecord>;

  beforeAll(async () => {
    tree = await makeTree({
      'enc/zipcrypto.zip': fixture('zip-encryption/fixtures/infozip-zipcrypto.zip'),
      'enc/aes.zip': fixture('zip-encryption/fixtures/7z-aes256.zip'),
      'enc/secure-directory.zip': fixture('zip-encryption/fixtures/zipjs-lorem-secure-full.zip'),
      'enc/big.zip': bigEncryptedZip(),
      'enc/data.7z': fixture('sevenzip/fixtures/7z-aes-lzma2.7z'),
      'enc/names.7z': fixture('sevenzip/fixtures/7z-aes-header.7z'),
      'enc/v5.rar': fixture('rar/fixtures/rarfile-rar5-psw.rar'),
      'enc/v4-headers.rar': fixture('rar/fixtures/rarfile-rar3-comment-hpsw.rar'),
      'enc/lcp.epub': fixture('epub-drm/fixtures/lcp-denies-print-copy.epub'),
      'enc/adept.epub': fixture('epub-drm/fixtures/adept.epub'),
      'enc/report.odt': fixture('odf-encryption/fixtures/libreoffice-encrypted.odt'),
      'plain/plain.zip': fixture('zip-encryption/fixtures/infozip-plain.zip'),
      'plain/plain.7z': fixture('sevenzip/fixtures/7z-plain.7z'),
      'plain/plain.rar': fixture('rar/fixtures/rarfile-rar5-subdirs.rar'),
      'plain/fonts.epub': fixture('epub-drm/fixtures/w3c-font-obfuscation.epub'),
      'plain/plain.odt': fixture('odf-encryption/fixtures/libreoffice-plain.odt'),
    });
    records = (await scanTree(tree.root)).records;
    unhashed = (await scanTree(tree.root, { hash: false })).records;
  });
  afterAll(() => tree.cleanup());

  const excluded: [string, RegExp][] = [
    ['enc/zipcrypto.zip', /zip ZipCrypto, needs a secret/],
    ['enc/aes.zip', /zip WinZip AES-256, needs a secret/],
    ['enc/secure-directory.zip', /zip PKWARE central directory encryption \(AES-256\)/],
    ['enc/big.zip', /zip ZipCrypto/],
    ['enc/data.7z', /7z 7zAES \(AES-256\)/],
    ['enc/names.7z', /7z 7zAES \(AES-256\)/],
    ['enc/v5.rar', /rar5 RAR5 AES-256/],
    ['enc/v4-headers.rar', /rar4 RAR 3\.x AES-128/],
    ['enc/lcp.epub', /epub AES-256-CBC \(Readium LCP\), needs a secret to open; denies print, copy/],
    ['enc/adept.epub', /epub AES-128-CBC \(Adobe ADEPT\), needs a secret to open; denies print/],
    ['enc/report.odt', /odf AES-256-CBC, needs a secret/],
  ];

  it.each(excluded)('excludes %s with a reason naming the scheme', (file, reason) => {
    for (const recs of [records, unhashed]) {
      const r = recs.get(file)!;
      expect(r.errors, file).toEqual([]);
      expect(r.tpm.length, file).toBe(1);
      expect(r.verdict.decision, file).toBe('exclude');
      const tpm = r.verdict.reasons.filter((x) => x.code === 'tpm.present');
      expect(tpm, file).toHaveLength(1);
      expect(tpm[0]!.message).toMatch(reason);
    }
  });

  it.each(['plain/plain.zip', 'plain/plain.7z', 'plain/plain.rar', 'plain/fonts.epub', 'plain/plain.odt'])('does not exclude %s for a TPM', (file) => {
    for (const recs of [records, unhashed]) {
      const r = recs.get(file)!;
      expect(r.errors, file).toEqual([]);
      expect(r.tpm, file).toEqual([]);
      expect(r.verdict.reasons.some((x) => x.code.startsWith('tpm.')), file).toBe(false);
      // No licence is known for these files, so they go to review, not to exclusion.
      expect(r.verdict.decision, file).toBe('review');
    }
  });

  it('records font obfuscation as a notice, not a TPM', () => {
    const r = records.get('plain/fonts.epub')!;
    expect(r.findings.map((f) => f.code)).toContain('epub.font-obfuscation');
  });

  it('reads the large archive in part: head, tail and a range for the directory', () => {
    const r = unhashed.get('enc/big.zip')!;
    expect(r.read.requests).toBeGreaterThanOrEqual(3);
    expect(r.read.bytes).toBeLessThan(r.size);
  });
});
