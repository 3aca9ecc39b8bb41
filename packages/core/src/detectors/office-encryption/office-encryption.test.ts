import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { ByteView } from '../tpm-common/byte-view.js';
import { detectPartially } from '../tpm-common/testing.js';
import { Cfb } from './cfb.js';
import { officeEncryption } from './index.js';
import { cryptoApiVerifierMatches, rc4VerifierMatches, xorVerifier } from './verifiers.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const read = (name: string) => new Uint8Array(readFileSync(path.join(fixtures, name)));
type Found = { code: string; category: string; value: Record<string, unknown>; evidence: { byteOffset?: number } };
const run = async (name: string, bytes: Uint8Array = read(name)) => (await runDetector(officeEncryption, name, bytes)) as unknown as Found[];
const tpm = (out: Found[]) => out.filter((f) => f.category === 'tpm');
const problems = (out: Found[]) => (out.find((f) => f.code === 'tpm.office.malformed')?.value.problems as string[] | undefined) ?? [];

/** Expected per fixture: [code, format, scheme, extra value fields] or null for no finding. */
const EXPECTED: Record<string, [string, string, string, Record<string, unknown>] | null> = {
  'msoffcrypto-example.docx': null,
  'msoffcrypto-plain.doc': null,
  'msoffcrypto-plain.xls': null,
  'lo-plain.doc': null,
  'lo-plain.xls': null,
  'msoffcrypto-example_password.docx': ['tpm.office.encrypted', 'ooxml', 'agile', { cipher: 'AES-256', hash: 'SHA512', keyEncryptors: ['password'], version: '4.4' }],
  'msoffcrypto-example_password.xlsx': ['tpm.office.encrypted', 'ooxml', 'agile', { cipher: 'AES-256' }],
  'msoffcrypto-ecma376standard_password.docx': ['tpm.office.encrypted', 'ooxml', 'standard', { cipher: 'AES-128', keyBits: 128, hash: 'SHA-1', version: '3.2' }],
  'msoffcrypto-rc4cryptoapi_password.doc': ['tpm.office.encrypted', 'doc', 'rc4-cryptoapi', { version: '4.2', cipher: 'RC4-128' }],
  'lo-password.doc': ['tpm.office.encrypted', 'doc', 'rc4', { version: '1.1', cipher: 'RC4-40' }],
  'msoffcrypto-rc4cryptoapi_password.xls': ['tpm.office.encrypted', 'xls', 'rc4-cryptoapi', { version: '4.2', password: 'required' }],
  'msoffcrypto-xor_password_123456789012345.xls': ['tpm.office.encrypted', 'xls', 'xor', { password: 'required' }],
  'lo-password.xls': ['tpm.office.encrypted', 'xls', 'rc4', { version: '1.1', password: 'required' }],
  'lo-structure-protected.xls': ['tpm.office.restricted', 'xls', 'rc4', { password: 'default' }],
  'msoffcrypto-rc4cryptoapi_password.ppt': ['tpm.office.encrypted', 'ppt', 'rc4-cryptoapi', {}],
};

describe('office-encryption: real files', () => {
  it('has an expectation for every fixture', () => {
    expect(readdirSync(fixtures).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', async (file, want) => {
    const out = await run(file);
    expect(problems(out)).toEqual([]);
    if (want === null) {
      expect(tpm(out)).toEqual([]);
      return;
    }
    const [code, format, scheme, extra] = want;
    expect(tpm(out)).toHaveLength(1);
    expect(tpm(out)[0]).toMatchObject({ code, value: { format, scheme, needsSecret: code === 'tpm.office.encrypted', denied: [], ...extra } });
    expect(tpm(out)[0]!.evidence.byteOffset).toBeGreaterThan(0);
  });

  it('gives the same answer from the head and ranges as from the whole file, reading less', async () => {
    for (const file of Object.keys(EXPECTED)) {
      const bytes = read(file);
      const whole = await run(file, bytes);
      const part = await detectPartially(officeEncryption, file, bytes);
      expect(part.findings, file).toEqual(whole);
      expect(part.bytesRead, file).toBeLessThan(bytes.length);
    }
  });

  it('verifies passwords as msoffcrypto-tool does (known passwords of the test files; never used by the detector)', () => {
    // The detector only ever tries Excel's default password; these checks prove the verifier code on real files.
    const xor = read('msoffcrypto-xor_password_123456789012345.xls');
    const dv = new DataView(xor.buffer, xor.byteOffset);
    const filePass = findRecord(xor, 0x2f)!;
    expect(dv.getUint16(filePass + 4 + 4, true)).toBe(xorVerifier('123456789012345'));
    const api = read('msoffcrypto-rc4cryptoapi_password.xls');
    const v = cryptoApiVerifier(api);
    expect(cryptoApiVerifierMatches('Password1234_', v.keyBits, v.salt, v.verifier, v.hash)).toBe(true);
    expect(cryptoApiVerifierMatches('VelvetSweatshop', v.keyBits, v.salt, v.verifier, v.hash)).toBe(false);
    const lo = read('lo-password.xls');
    const at = findRecord(lo, 0x2f)! + 4 + 2 + 4;
    expect(rc4VerifierMatches('secret', lo.subarray(at, at + 16), lo.subarray(at + 16, at + 32), lo.subarray(at + 32, at + 48))).toBe(true);
    expect(rc4VerifierMatches('VelvetSweatshop', lo.subarray(at, at + 16), lo.subarray(at + 16, at + 32), lo.subarray(at + 32, at + 48))).toBe(false);
  });
});

/** Offset of the first BIFF record of a type in the Workbook stream (found through the CFB reader). */
function findRecord(file: Uint8Array, type: number): number | undefined {
  const { cfb } = Cfb.open(new ByteView(file.length, [{ start: 0, bytes: file }])) as { cfb: Cfb };
  const book = cfb.children(cfb.root()!).find((e) => e.name === 'Workbook')!;
  const start = cfb.streamOffset(book)!;
  const dv = new DataView(file.buffer, file.byteOffset);
  for (let p = start; p < start + 512; p += 4 + dv.getUint16(p + 2, true)) if (dv.getUint16(p, true) === type) return p;
  return undefined;
}

function cryptoApiVerifier(file: Uint8Array) {
  const d = findRecord(file, 0x2f)! + 4;
  const dv = new DataView(file.buffer, file.byteOffset);
  const headerSize = dv.getUint32(d + 2 + 8, true);
  const v = d + 2 + 12 + headerSize;
  return { keyBits: dv.getUint32(d + 2 + 12 + 16, true), salt: file.subarray(v + 4, v + 20), verifier: file.subarray(v + 20, v + 36), hash: file.subarray(v + 40, v + 60) };
}

/** msoffcrypto-tool's verdict on each fixture, from one Python process (Debian: python3-msoffcrypto-tool). */
function msoffcryptoVerdicts(files: string[]): Record<string, boolean | string> | null {
  const script = `
import json, sys, msoffcrypto
out = {}
for f in sys.argv[1:]:
    try:
        out[f] = msoffcrypto.OfficeFile(open(f, 'rb')).is_encrypted()
    except Exception as e:
        out[f] = type(e).__name__
print(json.dumps(out))`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, ...files.map((f) => path.join(fixtures, f))], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout) as Record<string, boolean | string>;
}

const verdicts = msoffcryptoVerdicts(Object.keys(EXPECTED));

describe.skipIf(verdicts === null)('office-encryption agrees with msoffcrypto-tool', () => {
  it.each(Object.keys(EXPECTED))('%s', async (file) => {
    const v = verdicts![path.join(fixtures, file)];
    // msoffcrypto-tool 5.0 says "Unencrypted document or unsupported file format" (FileFormatError) for a
    // plain zip .docx, and cannot read XOR-obfuscated workbooks (DecryptionError); the latter is compared by hand above.
    if (v === 'DecryptionError') {
      expect(file).toMatch(/xor/);
      return;
    }
    expect(tpm(await run(file)).length > 0).toBe(v === true);
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile compound files: real fixtures with their FAT, DIFAT and directory damaged.

const u32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(at, v >>> 0, true);
const r32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const fatAt = (b: Uint8Array, sector: number) => (r32(b, 0x4c) + 1) * 512 + sector * 4;
function entry(b: Uint8Array, name: string) {
  const { cfb } = Cfb.open(new ByteView(b.length, [{ start: 0, bytes: b }])) as { cfb: Cfb };
  const e = cfb.entries().find((x) => x.name === name)!;
  return { ...e, at: cfb.entryOffset(e)! };
}

describe('office-encryption: hostile input', () => {
  const quick = async (name: string, bytes: Uint8Array) => {
    const t0 = performance.now();
    const out = await run(name, bytes);
    const part = (await detectPartially(officeEncryption, name, bytes)).findings as unknown as Found[];
    expect(performance.now() - t0).toBeLessThan(2000);
    return { out, part };
  };

  it('a FAT cycle in a stream chain stops at the repeat; what was read still counts', async () => {
    const b = read('msoffcrypto-rc4cryptoapi_password.doc');
    const table = entry(b, '1Table');
    u32(b, fatAt(b, table.start), table.start);
    const { out, part } = await quick('c.doc', b);
    expect(problems(out).join()).toMatch(/loops at sector/);
    // The header of the table stream sits in its first sector; the cut chain cannot give 2 KiB, so the cipher is unknown.
    expect(tpm(out)[0]).toMatchObject({ code: 'tpm.office.encrypted', value: { format: 'doc' } });
    expect(part.map((f) => f.code)).toEqual(out.map((f) => f.code));
  });

  it('a FAT cycle in the directory chain', async () => {
    const b = read('msoffcrypto-example_password.docx');
    const dir = r32(b, 0x30);
    u32(b, fatAt(b, dir), dir);
    const { out } = await quick('d.docx', b);
    expect(problems(out).join()).toMatch(/loops at sector/);
  });

  it('a DIFAT chain that loops', async () => {
    const b = read('msoffcrypto-plain.xls');
    const last = Math.floor(b.length / 512) - 2;
    u32(b, 0x2c, 300); // 300 FAT sectors: more than the header's 109, so the DIFAT chain is read
    u32(b, 0x44, last);
    u32(b, 0x48, 2);
    u32(b, (last + 1) * 512 + 508, last); // the DIFAT sector's "next" points at itself
    const { out } = await quick('l.xls', b);
    expect(problems(out).join()).toMatch(/DIFAT chain loops/);
    expect(tpm(out)).toEqual([]);
  });

  it('a directory that starts past the end of the file', async () => {
    const b = read('msoffcrypto-plain.doc');
    u32(b, 0x30, 0x00ffffff);
    const { out } = await quick('p.doc', b);
    expect(problems(out).join()).toMatch(/past the end/);
    expect(tpm(out)).toEqual([]);
  });

  it('a stream whose start sector lies still reports the encrypted package, scheme unknown', async () => {
    const b = read('msoffcrypto-example_password.docx');
    const root = entry(b, 'Root Entry');
    u32(b, root.at + 0x74, 0x7fffff00); // the mini stream (holding EncryptionInfo) is nowhere
    const { out } = await quick('m.docx', b);
    expect(problems(out).join()).toMatch(/past the end/);
    expect(tpm(out)[0]).toMatchObject({ code: 'tpm.office.encrypted', value: { format: 'ooxml', scheme: 'unknown' } });
  });

  it('a directory tree whose siblings point back at each other', async () => {
    const b = read('msoffcrypto-plain.doc');
    const word = entry(b, 'WordDocument');
    u32(b, word.at + 0x44, word.id);
    u32(b, word.at + 0x48, word.id);
    const { out } = await quick('t.doc', b);
    expect(problems(out).join()).toMatch(/directory tree loops/);
  });

  it('truncated files never throw; a truncated header is a warning', async () => {
    const whole = read('msoffcrypto-rc4cryptoapi_password.xls');
    for (const cut of [8, 300, 512, 4096, 10_000, whole.length - 100]) {
      const { out } = await quick('t.xls', whole.subarray(0, cut));
      expect(out.length, String(cut)).toBeGreaterThan(0);
    }
  });

  it('random damage to real files never throws or hangs', async () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (const file of ['msoffcrypto-example_password.docx', 'msoffcrypto-rc4cryptoapi_password.doc', 'lo-structure-protected.xls', 'msoffcrypto-rc4cryptoapi_password.ppt']) {
      const original = read(file);
      for (let i = 0; i < 40; i++) {
        const b = original.slice();
        // Hit the header and the first sectors hardest: that is where the structure lives.
        for (let k = 0; k < 12; k++) b[Math.floor(rand() * (k < 6 ? 2048 : b.length))] = Math.floor(rand() * 256);
        await quick(file, b);
      }
    }
  });

  it('ignores a file that is not a compound file', async () => {
    expect(await run('x.doc', new TextEncoder().encode('{\\rtf1 not a compound file}'))).toEqual([]);
  });
});
