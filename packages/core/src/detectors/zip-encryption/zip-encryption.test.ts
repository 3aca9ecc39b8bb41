import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { buildZip, runAsLargeFile, sevenZipCommand, sevenZipList } from '../zip-common/testing.js';
import { zipEncryption } from './index.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const read = (name: string) => readFileSync(path.join(fixtures, name));

/** Expected result per fixture: the code, the scheme, and encrypted of all member files. */
const EXPECTED: Record<string, { code: string; scheme: string; encrypted?: [number, number] } | null> = {
  'infozip-plain.zip': null,
  '7z-plain.zip': null,
  'zipjs-lorem.zip': null,
  'infozip-zipcrypto.zip': { code: 'tpm.zip.encrypted', scheme: 'ZipCrypto', encrypted: [3, 3] },
  'infozip-zip64-zipcrypto.zip': { code: 'tpm.zip.encrypted', scheme: 'ZipCrypto', encrypted: [2, 2] },
  'infozip-mixed.zip': { code: 'tpm.zip.encrypted', scheme: 'ZipCrypto', encrypted: [1, 2] },
  '7z-zipcrypto.zip': { code: 'tpm.zip.encrypted', scheme: 'ZipCrypto', encrypted: [2, 2] },
  '7z-aes128.zip': { code: 'tpm.zip.encrypted', scheme: 'WinZip AES-128', encrypted: [2, 2] },
  '7z-aes192.zip': { code: 'tpm.zip.encrypted', scheme: 'WinZip AES-192', encrypted: [1, 1] },
  '7z-aes256.zip': { code: 'tpm.zip.encrypted', scheme: 'WinZip AES-256', encrypted: [3, 3] },
  'zipjs-lorem-encrypted.zip': { code: 'tpm.zip.encrypted', scheme: 'WinZip AES-256', encrypted: [1, 1] },
  'zipjs-lorem-winzip-encrypted.zip': { code: 'tpm.zip.encrypted', scheme: 'WinZip AES-256', encrypted: [1, 1] },
  'zipjs-lorem-secure-traditional-full.zip': { code: 'tpm.zip.encrypted', scheme: 'ZipCrypto', encrypted: [1, 1] },
  'zipjs-lorem-secure.zip': { code: 'tpm.zip.encrypted', scheme: 'PKWARE strong encryption (AES-256)', encrypted: [1, 1] },
  'zipjs-lorem-secure-mixed.zip': { code: 'tpm.zip.encrypted', scheme: 'PKWARE strong encryption (AES-256) + ZipCrypto', encrypted: [2, 3] },
  'zipjs-lorem-secure-full.zip': { code: 'tpm.zip.encrypted-directory', scheme: 'PKWARE central directory encryption (AES-256)' },
};

describe('zip-encryption detector', () => {
  it('has an expectation for every fixture', () => {
    expect(readdirSync(fixtures).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', async (file, expected) => {
    const out = await runDetector(zipEncryption, file, read(file));
    if (!expected) {
      expect(out).toEqual([]);
      return;
    }
    expect(out).toHaveLength(1);
    const f = out[0]!;
    expect(f).toMatchObject({ code: expected.code, category: 'tpm', value: { format: 'zip', scheme: expected.scheme, needsSecret: true, denied: [] } });
    expect(f.evidence.byteOffset).toBeGreaterThan(0);
    if (expected.encrypted) expect([f.value.encryptedMembers, f.value.members]).toEqual(expected.encrypted);
  });

  it('tells the AE-1 and AE-2 variants and the key strength apart', async () => {
    const ae1 = await runDetector(zipEncryption, 'a.zip', read('zipjs-lorem-winzip-encrypted.zip'));
    expect(ae1[0]!.evidence.excerpt).toMatch(/AE-1, 256-bit key, then method 8/);
    const ae2 = await runDetector(zipEncryption, 'a.zip', read('7z-aes128.zip'));
    expect(ae2[0]!.evidence.excerpt).toMatch(/AE-2, 128-bit key/);
  });

  it.skipIf(sevenZipCommand() === null)('agrees with `7z l -slt` on every fixture', async () => {
    for (const file of Object.keys(EXPECTED)) {
      const listing = sevenZipList(path.join(fixtures, file))!;
      const files = listing.entries.filter((e) => !e.folder);
      const out = await runDetector(zipEncryption, file, read(file));
      const tpm = out.find((f) => f.category === 'tpm');
      if (file === 'zipjs-lorem-secure-full.zip') {
        // 7z falls back to the local headers: one masked member ("1"), flagged encrypted.
        expect(files.every((e) => e.encrypted), file).toBe(true);
        expect(tpm?.code).toBe('tpm.zip.encrypted-directory');
        continue;
      }
      const encrypted = files.filter((e) => e.encrypted).length;
      expect(tpm ? tpm.value.encryptedMembers : 0, file).toBe(encrypted);
      expect(tpm ? tpm.value.members : files.length, file).toBe(files.length);
    }
  });

  it('reads a directory far larger than the tail through ranges', async () => {
    const members = Array.from({ length: 5000 }, (_, i) => ({ name: `data/shard-${String(i).padStart(5, '0')}/record.json`, data: `{"n":${i}}`, method: 0 }));
    members.push({ name: 'data/secret.bin', data: 'x', method: 0, flags: 1 } as (typeof members)[number]);
    const bytes = buildZip(members);
    const { findings, rangesRead } = await runAsLargeFile(zipEncryption, 'big.zip', bytes, { tail: 64 * 1024 });
    expect(rangesRead).toBeGreaterThan(0);
    expect(findings).toEqual([expect.objectContaining({ code: 'tpm.zip.encrypted', value: expect.objectContaining({ encryptedMembers: 1, members: 5001, complete: true }) })]);
  });

  it('warns, never throws, on truncated and lying archives', async () => {
    const real = read('infozip-zipcrypto.zip');
    const cut = await runDetector(zipEncryption, 'cut.zip', real.subarray(0, real.length - 30));
    expect(cut).toEqual([expect.objectContaining({ code: 'archive.zip.unreadable', category: 'notice', severity: 'warning' })]);
    const lying = await runDetector(zipEncryption, 'lie.zip', buildZip([{ name: 'a', data: 'a', flags: 1 }], { eocd: { offset: 0x7ffffff0 } }));
    expect(lying).toEqual([expect.objectContaining({ code: 'archive.zip.unreadable' })]);
    const huge = await runDetector(zipEncryption, 'huge.zip', buildZip([{ name: 'a', data: 'a', flags: 1 }], { zip64: { entries: 4_000_000_000 } }));
    expect(huge.map((f) => f.code)).toEqual(['tpm.zip.encrypted', 'archive.zip.inconsistent']);
    expect(huge[0]!.value).toMatchObject({ complete: false });
    const overlap = await runDetector(zipEncryption, 'o.zip', buildZip([{ name: 'a', data: 'a'.repeat(50) }, { name: 'b', data: 'b' }], { localOffsets: () => 0 }));
    expect(overlap.map((f) => f.code)).toEqual(['archive.zip.inconsistent']);
    expect(await runDetector(zipEncryption, 'not-a.zip', 'just text, no zip here')).toEqual([]);
  });

  it('counts members only, not folder entries', async () => {
    const out = await runDetector(zipEncryption, 'f.zip', buildZip([{ name: 'dir/', data: '', method: 0, flags: 1 }, { name: 'dir/a', data: 'a' }]));
    expect(out).toEqual([]);
  });
});
