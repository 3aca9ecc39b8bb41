import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { runAsLargeFile, sevenZipCommand, sevenZipList } from '../zip-common/testing.js';
import { sevenZip } from './index.js';
import { lzmaDecode, LzmaError } from './lzma.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const read = (name: string) => readFileSync(path.join(fixtures, name));

const EXPECTED: Record<string, { code: string; files?: [number, number] } | null> = {
  '7z-plain.7z': null,
  'py7zr-copy.7z': null,
  '7z-aes-lzma2.7z': { code: 'tpm.7z.encrypted', files: [3, 3] },
  '7z-aes-nonsolid.7z': { code: 'tpm.7z.encrypted', files: [3, 3] },
  '7z-aes-plain-header.7z': { code: 'tpm.7z.encrypted', files: [2, 2] },
  '7z-mixed.7z': { code: 'tpm.7z.encrypted', files: [1, 2] },
  'py7zr-encrypted_1.7z': { code: 'tpm.7z.encrypted', files: [2, 2] },
  '7z-aes-header.7z': { code: 'tpm.7z.encrypted-header' },
  'py7zr-filename_encryption.7z': { code: 'tpm.7z.encrypted-header' },
};

/** A 7z signature header pointing at `size` bytes at `offset` after it, followed by `body`. */
function sevenZipFile(offset: number, size: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(32 + body.length);
  out.set([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]);
  const v = new DataView(out.buffer);
  v.setBigUint64(12, BigInt(offset), true);
  v.setBigUint64(20, BigInt(size), true);
  out.set(body, 32);
  return out;
}

describe('sevenzip detector', () => {
  it('has an expectation for every fixture', () => {
    expect(readdirSync(fixtures).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', async (file, expected) => {
    const out = await runDetector(sevenZip, file, read(file));
    if (!expected) return expect(out).toEqual([]);
    expect(out).toEqual([expect.objectContaining({ code: expected.code, category: 'tpm', value: expect.objectContaining({ format: '7z', scheme: '7zAES (AES-256)', needsSecret: true }) })]);
    if (expected.files) expect([out[0]!.value.encryptedFiles, out[0]!.value.files]).toEqual(expected.files);
    else expect(out[0]!.value.namesHidden).toBe(true);
  });

  it.skipIf(sevenZipCommand() === null)('agrees with `7z l -slt` on every fixture', async () => {
    for (const file of Object.keys(EXPECTED)) {
      const listing = sevenZipList(path.join(fixtures, file))!;
      const out = await runDetector(sevenZip, file, read(file));
      if (listing.headersEncrypted) {
        expect(out[0]?.code, file).toBe('tpm.7z.encrypted-header');
        continue;
      }
      const withData = listing.entries.filter((e) => !e.folder && e.method !== '');
      const encrypted = withData.filter((e) => e.encrypted).length;
      expect(out.length > 0 ? out[0]!.value.encryptedFiles : 0, file).toBe(encrypted);
    }
  });

  it('reads the next header and the packed header through ranges when the tail does not hold them', async () => {
    const { findings, rangesRead } = await runAsLargeFile(sevenZip, 'a.7z', read('7z-aes-lzma2.7z'), { head: 32, tail: 8 });
    expect(rangesRead).toBe(2);
    expect(findings).toEqual([expect.objectContaining({ code: 'tpm.7z.encrypted' })]);
  });

  it('warns, never throws, on truncated and hostile headers', async () => {
    const real = read('7z-aes-lzma2.7z');
    const cut = await runDetector(sevenZip, 'cut.7z', real.subarray(0, real.length - 5));
    expect(cut).toEqual([expect.objectContaining({ code: 'archive.7z.unreadable', category: 'notice', severity: 'warning' })]);
    expect(cut[0]!.value.problem).toMatch(/past the end of the file/);
    // A next header pointing past the end of the file, and one whose offset overflows.
    expect((await runDetector(sevenZip, 'a.7z', sevenZipFile(1 << 30, 10, new Uint8Array(10))))[0]!.code).toBe('archive.7z.unreadable');
    expect((await runDetector(sevenZip, 'a.7z', sevenZipFile(2 ** 62, 2 ** 62, new Uint8Array(10))))[0]!.code).toBe('archive.7z.unreadable');
    // A header claiming 2^40 folders: refused by the count check, not looped over.
    const huge = Uint8Array.from([0x01, 0x04, 0x07, 0x0b, 0xfe, 0, 0, 0, 0, 0, 1, 0, 0, 0x00]);
    const t0 = performance.now();
    const out = await runDetector(sevenZip, 'a.7z', sevenZipFile(0, huge.length, huge));
    expect(performance.now() - t0).toBeLessThan(500);
    expect(out[0]!.value.problem).toMatch(/exceeds what the header can hold/);
    // An encoded header whose packed stream is garbage LZMA: a decoding error, not a crash.
    const packed = Uint8Array.from([0, 0xff, 0xff, 0xff, 0xfe, 1, 2, 3]);
    const encoded = Uint8Array.from([0x17, 0x06, 0x00, 0x01, 0x09, packed.length, 0x00, 0x07, 0x0b, 0x01, 0x00, 0x01, 0x23, 0x03, 0x01, 0x01, 0x05, 0x5d, 0, 0, 1, 0, 0x0c, 0x80, 0xff, 0x00, 0x00]);
    const body = new Uint8Array(packed.length + encoded.length);
    body.set(packed);
    body.set(encoded, packed.length);
    const bad = await runDetector(sevenZip, 'a.7z', sevenZipFile(packed.length, encoded.length, body));
    expect(bad).toEqual([expect.objectContaining({ code: 'archive.7z.unreadable' })]);
    expect(await runDetector(sevenZip, 'a.7z', 'not a 7z archive')).toEqual([]);
  });

  it('stops an encoded header that unpacks to another encoded header, and so on', async () => {
    // A Copy-coded encoded header whose packed stream is a copy of itself: each unpacking gives the same header again.
    const encoded = Uint8Array.from([0x17, 0x06, 0x00, 0x01, 0x09, 13, 0x00, 0x07, 0x0b, 0x01, 0x00, 0x01, 0x01, 0x00, 0x0c, 13, 0x00, 0x00]);
    encoded[5] = encoded.length;
    encoded[15] = encoded.length;
    const body = new Uint8Array(encoded.length * 2);
    body.set(encoded);
    body.set(encoded, encoded.length);
    const file = sevenZipFile(encoded.length, encoded.length, body);
    // And one whose packed stream would be the header itself (after it, not before): refused.
    const self = await runDetector(sevenZip, 'self.7z', sevenZipFile(0, encoded.length, encoded));
    expect(self[0]!.value.problem).toMatch(/outside the archive/);
    const out = await runDetector(sevenZip, 'cycle.7z', file);
    expect(out).toEqual([expect.objectContaining({ code: 'archive.7z.unreadable', value: { problem: expect.stringMatching(/nest too deeply/) } })]);
  });
});

describe('lzmaDecode', () => {
  it('unpacks the LZMA-compressed header 7-Zip writes', () => {
    // The packed header of 7z-plain.7z, located by its encoded header:
    // 17 06 <packPos> 01 09 <packSize> 00 07 0b 01 00 01 23 030101 05 <props> 0c <size> ...
    const f = read('7z-plain.7z');
    const v = new DataView(f.buffer, f.byteOffset);
    const enc = f.subarray(32 + Number(v.getBigUint64(12, true)));
    let at = 2;
    const num = () => {
      const b = enc[at++]!;
      return b < 0x80 ? b : ((b & 0x3f) << 8) | enc[at++]!;
    };
    expect(Array.from(enc.subarray(0, 2))).toEqual([0x17, 0x06]);
    const packPos = num();
    at += 2; // numPackStreams 01, kSize 09
    const packSize = num();
    at += 7; // kEnd 00, 07 0b 01 00 01 23
    expect(Array.from(enc.subarray(at, at + 3))).toEqual([0x03, 0x01, 0x01]);
    const props = enc.subarray(at + 4, at + 9);
    at += 10; // id, 05, props, 0c
    const size = num();
    const header = lzmaDecode(f.subarray(32 + packPos, 32 + packPos + packSize), props, size);
    expect(header[0]).toBe(0x01);
    expect(new TextDecoder('utf-16le').decode(header)).toContain('notes.txt');
  });

  it('rejects bad properties and damaged streams without looping', () => {
    expect(() => lzmaDecode(new Uint8Array(10), Uint8Array.from([225, 0, 0, 1, 0]), 10)).toThrow(LzmaError);
    expect(() => lzmaDecode(Uint8Array.from([1, 2, 3]), Uint8Array.from([0x5d, 0, 0, 1, 0]), 10)).toThrow(LzmaError);
    const t0 = performance.now();
    expect(() => lzmaDecode(Uint8Array.from([0, 0x12, 0x34, 0x56, 0x78, 9, 9, 9]), Uint8Array.from([0x5d, 0, 0, 0, 0x7f]), 1 << 20)).toThrow(LzmaError);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
