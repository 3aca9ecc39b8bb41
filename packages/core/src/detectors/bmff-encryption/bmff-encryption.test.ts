import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { detectPartially } from '../tpm-common/testing.js';
import { bmffEncryption } from './index.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const read = (name: string) => new Uint8Array(readFileSync(path.join(fixtures, name)));
type Found = { code: string; category: string; value: Record<string, unknown>; evidence: { byteOffset?: number } };
const run = async (name: string, bytes: Uint8Array = read(name)) => (await runDetector(bmffEncryption, name, bytes)) as unknown as Found[];
const tpm = (out: Found[]) => out.filter((f) => f.category === 'tpm');
const problems = (out: Found[]) => (out.find((f) => f.code === 'tpm.mp4.malformed')?.value.problems as string[] | undefined) ?? [];

const EXPECTED: Record<string, [string, string, string | undefined] | null> = {
  'shaka-clear-v-init.mp4': null,
  'made-clear-mpeg4.mp4': null,
  'shaka-encrypted-sintel-video-init.mp4': ['tpm.mp4.drm', 'cenc', 'Widevine'],
  'shaka-encrypted-sintel-audio-init.mp4': ['tpm.mp4.drm', 'cenc', 'Widevine'],
  'shaka-dash-clearkey-video-init.mp4': ['tpm.mp4.drm', 'cenc', 'PlayReady, Widevine'],
  'shaka-hls-video-init-encrypted-cbcs.mp4': ['tpm.mp4.encrypted', 'cbcs', undefined],
  'made-cenc-video-nopssh.mp4': ['tpm.mp4.encrypted', 'cenc', undefined],
  'made-cenc-audio.m4a': ['tpm.mp4.encrypted', 'cenc', undefined],
  'made-cenc-fragmented.mp4': ['tpm.mp4.encrypted', 'cenc', undefined],
};

describe('bmff-encryption: real files', () => {
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
    const [code, scheme, system] = want;
    expect(tpm(out)).toHaveLength(1);
    const f = tpm(out)[0]!;
    expect(f).toMatchObject({ code, value: { format: 'mp4', scheme, needsSecret: true, denied: [] } });
    expect(f.value.system).toBe(system);
    expect(f.evidence.byteOffset).toBeGreaterThan(0);
  });

  it('reports the cbcs pattern and the default KID from tenc', async () => {
    const [f] = tpm(await run('shaka-hls-video-init-encrypted-cbcs.mp4'));
    expect(f!.value.tracks).toEqual([{ entry: 'encv', original: 'avc1', scheme: 'cbcs', defaultKid: 'b99ed9e5-c641-49d1-bfa8-43692b686ddb', defaultIsProtected: 1, ivSize: 0, pattern: '1:9' }]);
  });

  it('gives the same answer from ranges as from the whole file', async () => {
    for (const file of Object.keys(EXPECTED)) {
      const bytes = read(file);
      const part = await detectPartially(bmffEncryption, file, bytes, { head: 64 });
      expect(part.findings, file).toEqual(await run(file, bytes));
    }
  });

  it('reaches a moov at the end through the top-level box sizes, reading little of a large file', async () => {
    // Insert a 2 MiB `free` box after ftyp: the moov (after mdat) moves 2 MiB further away.
    const original = read('made-cenc-video-nopssh.mp4');
    const ftypEnd = new DataView(original.buffer, original.byteOffset).getUint32(0);
    const free = box('free', new Uint8Array(2 * 1024 * 1024));
    const big = concat(original.subarray(0, ftypEnd), free, original.subarray(ftypEnd));
    const part = await detectPartially(bmffEncryption, 'big.mp4', big);
    expect(tpm(part.findings as unknown as Found[])).toMatchObject([{ code: 'tpm.mp4.encrypted', value: { scheme: 'cenc' } }]);
    expect(part.bytesRead).toBeLessThan(200_000);
  });
});

const hasMediainfo = spawnSync('mediainfo', ['--Version']).status === 0;

describe.skipIf(!hasMediainfo)('bmff-encryption agrees with mediainfo', () => {
  it.each(Object.keys(EXPECTED))('%s', async (file) => {
    const json = JSON.parse(spawnSync('mediainfo', ['--Output=JSON', path.join(fixtures, file)], { encoding: 'utf8' }).stdout) as { media: { track: { Encryption?: string }[] } };
    const encrypted = json.media.track.some((t) => t.Encryption === 'Encrypted');
    expect(tpm(await run(file)).length > 0).toBe(encrypted);
  });
});

// ---------------------------------------------------------------------------------------------
// Synthetic boxes: FairPlay, Audible, PIFF, segments, and hostile trees.

function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const body = concat(...parts);
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setUint32(0, out.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(body, 8);
  return out;
}
const full = (type: string, version: number, ...parts: Uint8Array[]) => box(type, Uint8Array.from([version, 0, 0, 0]), ...parts);
const bytes = (...n: number[]) => Uint8Array.from(n);
const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const hexBytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/-/g, ''), 'hex'));
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A movie with one track whose stsd holds `entries`, plus extra moov children. */
function movie(brand: string, entries: Uint8Array[], moovExtra: Uint8Array[] = []): Uint8Array {
  const stsd = full('stsd', 0, bytes(0, 0, 0, entries.length), ...entries);
  const trak = box('trak', box('mdia', box('minf', box('stbl', stsd))));
  return concat(box('ftyp', text(brand), bytes(0, 0, 0, 0)), box('moov', trak, ...moovExtra), box('mdat', new Uint8Array(64)));
}
const audioEntry = (type: string, ...children: Uint8Array[]) => box(type, new Uint8Array(28), ...children);
const visualEntry = (type: string, ...children: Uint8Array[]) => box(type, new Uint8Array(78), ...children);
const sinf = (original: string, scheme: string, ...schi: Uint8Array[]) => box('sinf', box('frma', text(original)), full('schm', 0, text(scheme), bytes(0, 1, 0, 0)), box('schi', ...schi));
const tenc = (kid: string) => full('tenc', 0, bytes(0, 0, 1, 8), hexBytes(kid));
const pssh = (systemId: string) => full('pssh', 0, hexBytes(systemId), bytes(0, 0, 0, 4), text('data'));

describe('bmff-encryption: DRM systems and schemes', () => {
  it('FairPlay .m4p: drms entry, scheme itun, iTunes key boxes', async () => {
    const m4p = movie('M4P ', [audioEntry('drms', sinf('mp4a', 'itun', box('user', bytes(0, 0, 0, 1)), box('key ', bytes(0, 0, 0, 2)), box('iviv', new Uint8Array(16))))]);
    expect(tpm(await run('a.m4p', m4p))).toMatchObject([{ code: 'tpm.mp4.drm', value: { system: 'FairPlay', scheme: 'itun' } }]);
  });

  it('Audible AAX: aavd entry with an adrm box', async () => {
    const aax = movie('aax ', [audioEntry('aavd', box('esds', new Uint8Array(20)), box('adrm', new Uint8Array(56)))]);
    expect(tpm(await run('b.aax', aax))).toMatchObject([{ code: 'tpm.mp4.drm', value: { system: 'Audible', scheme: 'aax' }, evidence: { excerpt: 'sample entry aavd, adrm' } }]);
  });

  it('ClearKey alone is not a DRM system: encrypted, system ClearKey', async () => {
    const mp4 = movie('isom', [visualEntry('encv', sinf('avc1', 'cenc', tenc('00112233445566778899aabbccddeeff')))], [pssh('1077efec-c0b2-4d02-ace3-3c1e52e2fb4b')]);
    expect(tpm(await run('c.mp4', mp4))).toMatchObject([{ code: 'tpm.mp4.encrypted', value: { system: 'ClearKey', scheme: 'cenc' } }]);
  });

  it('FairPlay streaming pssh with cbcs; an unregistered system id is named by its UUID', async () => {
    const mp4 = movie('isom', [visualEntry('encv', sinf('avc1', 'cbcs', tenc('00112233445566778899aabbccddeeff')))], [pssh('94ce86fb-07ff-4f43-adb8-93d2fa968ca2'), pssh('00000000-1111-2222-3333-444444444444')]);
    expect(tpm(await run('d.mp4', mp4))).toMatchObject([{ code: 'tpm.mp4.drm', value: { system: 'FairPlay, unknown (00000000-1111-2222-3333-444444444444)', scheme: 'cbcs' } }]);
  });

  it('PIFF: uuid pssh and uuid tenc', async () => {
    const piffPssh = concat(box('uuid', hexBytes('d08a4f18-10f3-4a82-b6c8-32d8aba183d3'), bytes(0, 0, 0, 0), hexBytes('9a04f079-9840-4286-ab92-e65be0885f95'), bytes(0, 0, 0, 0)));
    const piffTenc = box('uuid', hexBytes('8974dbce-7be7-4c51-84f9-7148f9882554'), bytes(0, 0, 0, 0), bytes(0, 0, 1, 8), hexBytes('00112233445566778899aabbccddeeff'));
    const mp4 = movie('piff', [visualEntry('encv', sinf('avc1', 'piff', piffTenc))], [piffPssh]);
    expect(tpm(await run('e.ismv', mp4))).toMatchObject([{ code: 'tpm.mp4.drm', value: { system: 'PlayReady', scheme: 'piff', tracks: [{ defaultKid: '00112233-4455-6677-8899-aabbccddeeff' }] } }]);
  });

  it('a media segment without its init segment: senc in a fragment', async () => {
    const senc = full('senc', 0, bytes(0, 0, 0, 1), new Uint8Array(8));
    const segment = concat(box('styp', text('msdh'), bytes(0, 0, 0, 0)), box('moof', full('mfhd', 0, bytes(0, 0, 0, 1)), box('traf', full('tfhd', 0, bytes(0, 0, 0, 1)), senc)), box('mdat', new Uint8Array(16)));
    expect(tpm(await run('seg.m4s', segment))).toMatchObject([{ code: 'tpm.mp4.encrypted', value: { scheme: 'unknown' }, evidence: { excerpt: 'senc in a fragment' } }]);
    // ffmpeg's fragments carry no senc: a segment cut from them says nothing about encryption.
    const whole = read('made-cenc-fragmented.mp4');
    expect(tpm(await run('seg2.m4s', whole.subarray(Buffer.from(whole).indexOf('moof') - 4)))).toEqual([]);
  });

  it('ignores a file that is not ISO-BMFF', async () => {
    expect(await run('x.mp4', text('not a movie at all'))).toEqual([]);
  });
});

describe('bmff-encryption: hostile input', () => {
  const quick = async (name: string, b: Uint8Array) => {
    const t0 = performance.now();
    const out = await run(name, b);
    const part = (await detectPartially(bmffEncryption, name, b, { head: 64 })).findings as unknown as Found[];
    expect(performance.now() - t0).toBeLessThan(2000);
    return { out, part };
  };
  const encrypted = () => movie('isom', [visualEntry('encv', sinf('avc1', 'cenc', tenc('00112233445566778899aabbccddeeff')))]);
  const setU32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(at, v);

  it('a box that claims more than its parent holds', async () => {
    const b = encrypted();
    const trak = Buffer.from(b).indexOf('trak') - 4;
    setU32(b, trak, 0x7fffffff);
    const { out, part } = await quick('a.mp4', b);
    expect(problems(out).join()).toMatch(/more than its parent holds/);
    expect(part.map((f) => f.code)).toEqual(out.map((f) => f.code));
  });

  it('a box smaller than its header, and a 64-bit size that lies', async () => {
    const small = encrypted();
    setU32(small, Buffer.from(small).indexOf('stsd') - 4, 3);
    expect(problems((await quick('s.mp4', small)).out).join()).toMatch(/less than its header/);
    const large = concat(bytes(0, 0, 0, 1), text('free'), hexBytes('7fffffffffffffff'), encrypted());
    expect(problems((await quick('l.mp4', large)).out).join()).toMatch(/more than its parent holds/);
  });

  it('size 0 (to the end of the file) and 64-bit sizes that tell the truth are read', async () => {
    const inner = encrypted();
    const ftypLen = 16;
    const moovAt = ftypLen;
    const moovLen = new DataView(inner.buffer).getUint32(moovAt);
    // Rewrite moov with a 64-bit size, and make mdat run to the end with size 0.
    const moov64 = concat(bytes(0, 0, 0, 1), text('moov'), hexBytes((moovLen + 8).toString(16).padStart(16, '0')), inner.subarray(moovAt + 8, moovAt + moovLen));
    const mdat0 = concat(bytes(0, 0, 0, 0), text('mdat'), new Uint8Array(32));
    const b = concat(inner.subarray(0, ftypLen), moov64, mdat0);
    const { out } = await quick('z.mp4', b);
    expect(problems(out)).toEqual([]);
    expect(tpm(out)).toMatchObject([{ code: 'tpm.mp4.encrypted' }]);
  });

  it('more than 20 000 boxes before the movie stop the walk with a warning', async () => {
    const many = concat(box('ftyp', text('isom'), bytes(0, 0, 0, 0)), ...Array.from({ length: 25_000 }, () => box('free')), encrypted());
    const { out } = await quick('m.mp4', many);
    expect(problems(out).join()).toMatch(/more than 20000 boxes/);
  });

  it('boxes nested deeper than the bound', async () => {
    let nest = box('tenc');
    for (let i = 0; i < 40; i++) nest = box('schi', nest);
    const b = movie('isom', [visualEntry('encv', box('sinf', box('frma', text('avc1')), full('schm', 0, text('cenc'), bytes(0, 1, 0, 0)), nest))]);
    const { out } = await quick('n.mp4', b);
    expect(tpm(out)[0]).toMatchObject({ code: 'tpm.mp4.encrypted', value: { scheme: 'cenc' } });
  });

  it('truncated files and random damage never throw or hang', async () => {
    const whole = read('shaka-dash-clearkey-video-init.mp4');
    for (const cut of [4, 9, 40, 300, 900, whole.length - 1]) await quick('t.mp4', whole.subarray(0, cut));
    let seed = 3;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (const file of ['shaka-dash-clearkey-video-init.mp4', 'made-cenc-fragmented.mp4', 'shaka-hls-video-init-encrypted-cbcs.mp4']) {
      const original = read(file);
      for (let i = 0; i < 60; i++) {
        const b = original.slice();
        for (let k = 0; k < 8; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
        await quick(file, b);
      }
    }
  });
});
