import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { runAsLargeFile, sevenZipCommand, sevenZipList } from '../zip-common/testing.js';
import { rar } from './index.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const read = (name: string) => readFileSync(path.join(fixtures, name));

const EXPECTED: Record<string, { code: string; scheme: string; files?: [number, number] } | null> = {
  'rarfile-rar5-subdirs.rar': null,
  'synthetic-rar4-plain.rar': null,
  'rarfile-rar3-comment-psw.rar': { code: 'tpm.rar.encrypted', scheme: 'RAR 3.x AES-128', files: [2, 2] },
  'rarfile-rar5-psw.rar': { code: 'tpm.rar.encrypted', scheme: 'RAR5 AES-256', files: [2, 2] },
  'synthetic-rar4-mixed.rar': { code: 'tpm.rar.encrypted', scheme: 'RAR 3.x AES-128', files: [1, 2] },
  'synthetic-rar5-mixed.rar': { code: 'tpm.rar.encrypted', scheme: 'RAR5 AES-256', files: [2, 3] },
  'rarfile-rar3-comment-hpsw.rar': { code: 'tpm.rar.encrypted-header', scheme: 'RAR 3.x AES-128' },
  'rarfile-rar5-hpsw.rar': { code: 'tpm.rar.encrypted-header', scheme: 'RAR5 AES-256' },
};

/** A RAR5 archive: signature, then raw bytes for headers. */
function rar5(...parts: number[][]): Uint8Array {
  return Uint8Array.from([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x01, 0x00, ...parts.flat()]);
}

describe('rar detector', () => {
  it('has an expectation for every archive fixture', () => {
    expect(readdirSync(fixtures).filter((f) => f.endsWith('.rar')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', async (file, expected) => {
    const out = await runDetector(rar, file, read(file));
    if (!expected) return expect(out).toEqual([]);
    expect(out).toEqual([expect.objectContaining({ code: expected.code, category: 'tpm', value: expect.objectContaining({ scheme: expected.scheme, needsSecret: true, denied: [] }) })]);
    if (expected.files) expect([out[0]!.value.encryptedFiles, out[0]!.value.filesRead, out[0]!.value.complete]).toEqual([...expected.files, true]);
    else expect(out[0]!.value.namesHidden).toBe(true);
  });

  it.skipIf(sevenZipCommand() === null)('agrees with `7z l -slt` on every fixture', async () => {
    for (const file of Object.keys(EXPECTED)) {
      const listing = sevenZipList(path.join(fixtures, file))!;
      const out = await runDetector(rar, file, read(file));
      if (listing.headersEncrypted) {
        expect(out[0]?.code, file).toBe('tpm.rar.encrypted-header');
        continue;
      }
      const files = listing.entries.filter((e) => !e.folder);
      expect(out.length > 0 ? out[0]!.value.encryptedFiles : 0, file).toBe(files.filter((e) => e.encrypted).length);
      if (out.length > 0) expect(out[0]!.value.filesRead, file).toBe(files.length);
    }
  });

  it('follows the header chain with ranges past the head', async () => {
    const { findings, rangesRead } = await runAsLargeFile(rar, 'm.rar', read('synthetic-rar5-mixed.rar'), { head: 40, tail: 0 });
    expect(rangesRead).toBeGreaterThan(0);
    expect(findings[0]).toMatchObject({ code: 'tpm.rar.encrypted', value: { encryptedFiles: 2 } });
  });

  it('says when a large archive was read only in part and none of the headers read is encrypted', async () => {
    // A RAR4 archive of six members of 1 MB each: the head and three ranges reach only four headers.
    const member = 1_000_000;
    const header = (name: string) => {
      const n = new TextEncoder().encode(name);
      const h = new Uint8Array(32 + n.length);
      const v = new DataView(h.buffer);
      v.setUint8(2, 0x74);
      v.setUint16(3, 0x8000, true);
      v.setUint16(5, h.length, true);
      v.setUint32(7, member, true);
      v.setUint32(11, member, true);
      v.setUint8(24, 29);
      v.setUint8(25, 0x30);
      v.setUint16(26, n.length, true);
      h.set(n, 32);
      return h;
    };
    const start = read('synthetic-rar4-plain.rar').subarray(0, 20);
    const big = new Uint8Array(20 + 6 * (40 + member));
    big.set(start);
    let at = 20;
    for (let i = 0; i < 6; i++) {
      const h = header(`part-${i}.bin`);
      big.set(h, at);
      at += h.length + member;
    }
    const { findings } = await runAsLargeFile(rar, 'big.rar', big.subarray(0, at), { head: 64 * 1024, tail: 0 });
    expect(findings).toEqual([expect.objectContaining({ code: 'archive.rar.partly-read', severity: 'info' })]);
  });

  it('stops, with a warning, on a header of size 0 (a loop) and on other lies', async () => {
    const t0 = performance.now();
    const zero = await runDetector(rar, 'z.rar', rar5([0, 0, 0, 0, 0x00]));
    expect(performance.now() - t0).toBeLessThan(200);
    expect(zero).toEqual([expect.objectContaining({ code: 'archive.rar.unreadable', severity: 'warning' })]);
    // A RAR4 block of size 0 (HEAD_SIZE < 7) and one of size 7 looping on itself is impossible: size 0 is refused.
    const rar4zero = Uint8Array.from([0x52, 0x61, 0x72, 0x21, 0x1a, 0x07, 0x00, 0, 0, 0x73, 0, 0, 0, 0]);
    expect((await runDetector(rar, 'z4.rar', rar4zero))[0]!.code).toBe('archive.rar.unreadable');
    // A RAR5 header whose size runs past the end of the file, and one whose data size is absurd.
    expect((await runDetector(rar, 'p.rar', rar5([0, 0, 0, 0, 0xff, 0x7f, 1, 0])))[0]!.value.problem).toMatch(/past the end|more than RAR allows/);
    const absurd = await runDetector(rar, 'a.rar', rar5([0, 0, 0, 0, 12, 0x02, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(absurd[0]!.code).toBe('archive.rar.unreadable');
    // Truncated real archives.
    const real = read('rarfile-rar5-psw.rar');
    const cut = await runDetector(rar, 'c.rar', real.subarray(0, 60));
    expect(cut).toEqual([expect.objectContaining({ code: 'archive.rar.unreadable' })]);
    expect(await runDetector(rar, 'x.rar', 'Rar! but not really')).toEqual([]);
  });
});
