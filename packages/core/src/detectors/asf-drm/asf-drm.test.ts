import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { detectPartially } from '../tpm-common/testing.js';
import { asfDrm } from './index.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const clear = () => new Uint8Array(readFileSync(path.join(fixtures, 'made-clear.wma')));
type Found = { code: string; category: string; value: Record<string, unknown>; evidence: { byteOffset?: number } };
const run = async (name: string, bytes: Uint8Array) => (await runDetector(asfDrm, name, bytes)) as unknown as Found[];
const tpm = (out: Found[]) => out.filter((f) => f.category === 'tpm');
const problems = (out: Found[]) => (out.find((f) => f.code === 'tpm.asf.malformed')?.value.problems as string[] | undefined) ?? [];

/** GUID bytes as ASF writes them (first three fields little-endian). */
function guid(text: string): Uint8Array {
  const h = text.replace(/-/g, '');
  const swap = (s: string) => s.match(/../g)!.reverse().join('');
  return new Uint8Array(Buffer.from(swap(h.slice(0, 8)) + swap(h.slice(8, 12)) + swap(h.slice(12, 16)) + h.slice(16), 'hex'));
}

function object(id: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(24 + data.length);
  out.set(guid(id), 0);
  new DataView(out.buffer).setBigUint64(16, BigInt(out.length), true);
  out.set(data, 24);
  return out;
}

/** The clear WMA with extra header objects appended to its Header Object (sizes and count fixed). */
function withObjects(...objects: Uint8Array[]): Uint8Array {
  const b = clear();
  const dv = new DataView(b.buffer, b.byteOffset);
  const headerSize = Number(dv.getBigUint64(16, true));
  const extra = objects.reduce((n, o) => n + o.length, 0);
  const out = new Uint8Array(b.length + extra);
  out.set(b.subarray(0, headerSize), 0);
  let at = headerSize;
  for (const o of objects) {
    out.set(o, at);
    at += o.length;
  }
  out.set(b.subarray(headerSize), at);
  const odv = new DataView(out.buffer);
  odv.setBigUint64(16, BigInt(headerSize + extra), true);
  odv.setUint32(24, dv.getUint32(24, true) + objects.length, true);
  return out;
}

const le32 = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const contentEncryption = () => object('2211B3FB-BD23-11D2-B4B7-00A0C955FC6E', cat(le32(4), new Uint8Array(4), le32(4), new Uint8Array(Buffer.from('DRM\0')), le32(2), new Uint8Array(Buffer.from('k\0')), le32(1), new Uint8Array(1)));
const extended = (version: string) => {
  const xml = new Uint8Array(Buffer.from(`<WRMHEADER version="${version}"><DATA></DATA></WRMHEADER>`, 'utf16le'));
  return object('298AE614-2622-4C17-B935-DAE07EE9289C', cat(le32(xml.length), xml));
};

describe('asf-drm', () => {
  it('a clear WMA made by ffmpeg has no finding', async () => {
    expect(await run('a.wma', clear())).toEqual([]);
  });

  it('Content Encryption Object: Windows Media DRM 1', async () => {
    const out = await run('b.wma', withObjects(contentEncryption()));
    expect(problems(out)).toEqual([]);
    expect(tpm(out)).toMatchObject([{ code: 'tpm.asf.drm', value: { format: 'asf', scheme: 'content-encryption', system: 'Windows Media DRM', needsSecret: true, objects: [{ kind: 'content-encryption', version: 1, protectionType: 'DRM' }] } }]);
  });

  it.each([
    ['2.0.0.0', 'Windows Media DRM'],
    ['4.0.0.0', 'PlayReady'],
  ])('Extended Content Encryption Object with WRMHEADER %s: %s', async (version, system) => {
    const out = await run('c.wmv', withObjects(extended(version)));
    expect(tpm(out)).toMatchObject([{ code: 'tpm.asf.drm', value: { scheme: 'extended-content-encryption', system, objects: [{ wrmHeaderVersion: version }] } }]);
  });

  it('a stream flagged encrypted without a DRM object is still reported, system unknown', async () => {
    const b = clear();
    // Stream Properties Object at 280: flags at data + 48.
    const flagsAt = 280 + 24 + 48;
    new DataView(b.buffer).setUint16(flagsAt, new DataView(b.buffer).getUint16(flagsAt, true) | 0x8000, true);
    const out = await run('d.wma', b);
    expect(tpm(out)).toMatchObject([{ code: 'tpm.asf.drm', value: { scheme: 'encrypted-stream' }, confidence: 0.85 }]);
    expect(tpm(out)[0]!.value.system).toBeUndefined();
  });

  it('reads a header larger than the head through a range', async () => {
    const pad = object('D6E229D1-35DA-11D1-9034-00A0C90349BE', new Uint8Array(20_000)); // a padding object
    const b = withObjects(pad, contentEncryption());
    const part = await detectPartially(asfDrm, 'e.wma', b);
    expect(tpm(part.findings as unknown as Found[])).toMatchObject([{ code: 'tpm.asf.drm' }]);
  });

  const hasMediainfo = spawnSync('mediainfo', ['--Version']).status === 0;
  it.skipIf(!hasMediainfo)('mediainfo reads the clear fixture as WMA without encryption', () => {
    const out = spawnSync('mediainfo', ['--Output=JSON', path.join(fixtures, 'made-clear.wma')], { encoding: 'utf8' }).stdout;
    expect(out).toMatch(/"Format":\s*"WMA"/);
    expect(out).not.toContain('Encrypt');
  });

  describe('hostile input', () => {
    it('an object that claims more than the header holds', async () => {
      const b = withObjects(contentEncryption());
      new DataView(b.buffer).setBigUint64(30 + 16, 0xffffffffffn, true);
      const out = await run('f.wma', b);
      expect(problems(out).join()).toMatch(/more than the header holds/);
    });

    it('an object smaller than its own header, a header larger than the file, truncation', async () => {
      const small = withObjects(contentEncryption());
      new DataView(small.buffer).setBigUint64(30 + 16, 3n, true);
      expect(problems(await run('g.wma', small)).join()).toMatch(/less than its own header/);
      const lying = clear();
      new DataView(lying.buffer).setBigUint64(16, 1n << 40n, true);
      expect(problems(await run('h.wma', lying)).join()).toMatch(/more than the file holds/);
      for (const cut of [20, 40, 300]) expect(await run('i.wma', clear().subarray(0, cut))).toBeDefined();
    });

    it('random damage never throws', async () => {
      let seed = 11;
      const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      const original = withObjects(contentEncryption(), extended('4.0.0.0'));
      for (let i = 0; i < 100; i++) {
        const b = original.slice();
        for (let k = 0; k < 6; k++) b[16 + Math.floor(rand() * 700)] = Math.floor(rand() * 256);
        await run('j.wma', b);
      }
    });
  });
});
