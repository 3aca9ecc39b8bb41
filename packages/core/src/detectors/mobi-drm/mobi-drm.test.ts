import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { detectPartially } from '../tpm-common/testing.js';
import { mobiDrm } from './index.js';

type Found = { code: string; category: string; value: Record<string, unknown>; evidence: { byteOffset?: number; excerpt?: string } };
const run = async (name: string, bytes: Uint8Array) => (await runDetector(mobiDrm, name, bytes)) as unknown as Found[];
const tpm = (out: Found[]) => out.filter((f) => f.category === 'tpm');
const problems = (out: Found[]) => (out.find((f) => f.code === 'tpm.mobi.malformed')?.value.problems as string[] | undefined) ?? [];

/**
 * A Mobipocket book as the MobileRead wiki lays it out: a 78-byte Palm database header, the record
 * list, then record 0 (PalmDOC header, MOBI header of 232 bytes, optional EXTH) and one text record.
 */
function mobi(opts: { encryption?: number; exth?: [number, Uint8Array][]; records?: number; drmOffset?: number } = {}): Uint8Array {
  const records = opts.records ?? 2;
  const exth = opts.exth ?? [];
  const exthBody = exth.map(([type, data]) => {
    const r = Buffer.alloc(8 + data.length);
    r.writeUInt32BE(type, 0);
    r.writeUInt32BE(8 + data.length, 4);
    r.set(data, 8);
    return r;
  });
  const exthLen = 12 + exthBody.reduce((n, r) => n + r.length, 0);
  const exthBlock = Buffer.alloc(exth.length > 0 ? exthLen : 0);
  if (exth.length > 0) {
    exthBlock.write('EXTH', 0, 'latin1');
    exthBlock.writeUInt32BE(exthLen, 4);
    exthBlock.writeUInt32BE(exth.length, 8);
    let p = 12;
    for (const r of exthBody) {
      r.copy(exthBlock, p);
      p += r.length;
    }
  }
  const headerLen = 232;
  const rec0 = Buffer.alloc(16 + headerLen + exthBlock.length);
  rec0.writeUInt16BE(2, 0); // PalmDOC compression
  rec0.writeUInt32BE(1000, 4);
  rec0.writeUInt16BE(records - 1, 8);
  rec0.writeUInt16BE(4096, 10);
  rec0.writeUInt16BE(opts.encryption ?? 0, 12);
  rec0.write('MOBI', 16, 'latin1');
  rec0.writeUInt32BE(headerLen, 20);
  rec0.writeUInt32BE(2, 24);
  rec0.writeUInt32BE(65001, 28);
  rec0.writeUInt32BE(exth.length > 0 ? 0x50 : 0x10, 0x80);
  rec0.writeUInt32BE(opts.drmOffset ?? 0xffffffff, 0xa8);
  exthBlock.copy(rec0, 16 + headerLen);
  const list = 78 + records * 8 + 2;
  const file = Buffer.alloc(list + rec0.length + 64);
  file.write('Kelmouth Tide Tables', 0, 'latin1');
  file.write('BOOKMOBI', 60, 'latin1');
  file.writeUInt16BE(records, 76);
  file.writeUInt32BE(list, 78);
  for (let i = 1; i < records; i++) file.writeUInt32BE(list + rec0.length, 78 + i * 8);
  rec0.copy(file, list);
  return new Uint8Array(file);
}

describe('mobi-drm', () => {
  it('an unencrypted book without restricting EXTH records has no finding', async () => {
    expect(await run('a.mobi', mobi({ exth: [[100, new Uint8Array(Buffer.from('A. Author'))]] }))).toEqual([]);
  });

  it.each([
    [1, 'mobipocket-v1', 'Mobipocket (old)'],
    [2, 'mobipocket', 'Mobipocket'],
  ])('encryption type %i → tpm.mobi.drm', async (encryption, scheme, system) => {
    const out = await run('b.prc', mobi({ encryption }));
    expect(tpm(out)).toMatchObject([{ code: 'tpm.mobi.drm', value: { format: 'mobi', scheme, system, needsSecret: true, encryptionType: encryption }, evidence: { byteOffset: 78 + 16 + 2 + 12 } }]);
  });

  it('a Kindle book (EXTH 501 EBOK, 209 tamper-proof keys) with DRM names Kindle and its DRM records', async () => {
    const out = await run('c.azw', mobi({ encryption: 2, drmOffset: 1, exth: [[501, new Uint8Array(Buffer.from('EBOK'))], [209, new Uint8Array(8)], [208, new Uint8Array(4)]] }));
    expect(tpm(out)).toMatchObject([{ code: 'tpm.mobi.drm', value: { system: 'Kindle', exth: ['watermark', 'tamperProofKeys'], drm: { offset: 1 } } }]);
  });

  it('clipping limit and disabled text-to-speech without encryption → tpm.mobi.restricted', async () => {
    const out = await run('d.azw3', mobi({ exth: [[401, Uint8Array.from([10])], [404, Uint8Array.from([1])]] }));
    expect(tpm(out)).toMatchObject([{ code: 'tpm.mobi.restricted', value: { needsSecret: false, denied: ['copy', 'text-to-speech'], clippingLimit: 10 } }]);
    // Text-to-speech allowed (0) and no clipping limit: nothing restricted.
    expect(await run('e.azw3', mobi({ exth: [[404, Uint8Array.from([0])]] }))).toEqual([]);
  });

  it('a DRMION (KFX) container → tpm.kfx.drm', async () => {
    const b = new Uint8Array(64);
    b.set([0xea, 0x44, 0x52, 0x4d, 0x49, 0x4f, 0x4e, 0xee]);
    expect(tpm(await run('f.kfx', b))).toMatchObject([{ code: 'tpm.kfx.drm', value: { format: 'kfx', system: 'Kindle' } }]);
  });

  it('reads record 0 beyond the head through a range (a book with many records)', async () => {
    const b = mobi({ encryption: 2, records: 2000 });
    expect(78 + 2000 * 8).toBeGreaterThan(4100);
    const part = await detectPartially(mobiDrm, 'g.mobi', b);
    expect(tpm(part.findings as unknown as Found[])).toMatchObject([{ code: 'tpm.mobi.drm' }]);
  });

  it('ignores other Palm databases (PalmDOC text has no DRM field)', async () => {
    const b = mobi({ encryption: 2 });
    b.set(new Uint8Array(Buffer.from('TEXtREAd')), 60);
    expect(await run('h.pdb', b)).toEqual([]);
  });

  describe('hostile input', () => {
    it('a record 0 offset past the end of the file', async () => {
      const b = mobi({ encryption: 2 });
      new DataView(b.buffer).setUint32(78, 0x7fffffff);
      expect(problems(await run('i.mobi', b)).join()).toMatch(/past the end/);
    });

    it('EXTH lengths that lie', async () => {
      const b = mobi({ exth: [[401, Uint8Array.from([10])]] });
      const exth = Buffer.from(b).indexOf('EXTH');
      new DataView(b.buffer).setUint32(exth + 12 + 4, 0x7fffffff); // the first record's length
      expect(problems(await run('j.mobi', b)).join()).toMatch(/EXTH record 401 claims/);
      const c = mobi({ exth: [[401, Uint8Array.from([10])]] });
      new DataView(c.buffer).setUint32(exth + 4, 0x7ffffff0); // the block's length
      expect(problems(await run('k.mobi', c)).join()).toMatch(/EXTH claims/);
    });

    it('truncation and random damage never throw', async () => {
      const original = mobi({ encryption: 0, exth: [[401, Uint8Array.from([10])], [501, new Uint8Array(Buffer.from('EBOK'))]] });
      for (const cut of [10, 70, 90, 120, 300]) await run('l.mobi', original.subarray(0, cut));
      let seed = 5;
      const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      for (let i = 0; i < 100; i++) {
        const b = original.slice();
        for (let k = 0; k < 6; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
        await run('m.mobi', b);
      }
    });
  });
});
