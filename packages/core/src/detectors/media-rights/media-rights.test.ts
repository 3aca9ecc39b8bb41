import { readFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readRanges } from '../../engine/ranges.js';
import type { FindingInput } from '../../schema/finding.js';
import { makeTree, memorySource, runDetector, scanTree } from '../../test-utils/index.js';
import { syntheticTiff } from './decode.js';
import { mediaRights } from './index.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const read = (name: string) => new Uint8Array(readFileSync(path.join(fixtures, name)));
const codes = (out: FindingInput[]) => out.map((f) => f.code);
const values = (out: FindingInput[], code: string) => out.filter((f) => f.code === code).map((f) => f.value as Record<string, unknown>);

/** Runs the detector as the engine does on a large file: head, tail, then the ranges it asks for. */
async function runPartial(bytes: Uint8Array, name: string): Promise<{ out: FindingInput[]; read: number }> {
  const size = bytes.length;
  const head = bytes.subarray(0, 128 * 1024);
  const tail = size > head.length ? bytes.subarray(Math.max(head.length, size - 64 * 1024)) : null;
  const { ranges, bytes: extra } = await readRanges(memorySource(bytes, name), { path: name, size }, mediaRights.wants.ranges!, { size, head, tail, whole: null });
  const out = await runDetector(mediaRights, name, bytes, { head, tail, whole: null, ranges, size });
  return { out, read: head.length + (tail?.length ?? 0) + extra };
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
};
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('media-rights detector', () => {
  it.each(['full.jpg', 'full.tif', 'full.png', 'full.webp', 'full.heic'])('reads the rights metadata of %s (written by exiftool)', async (file) => {
    const out = await runDetector(mediaRights, file, read(file));
    expect(out.find((f) => f.code === 'licence.media.xmp')).toMatchObject({ category: 'licence', confidence: 0.7, value: { expression: 'CC-BY-NC-SA-4.0', field: 'cc:license', method: 'url' } });
    expect(values(out, 'provenance.media.rights-marked')).toEqual([{ marked: 'True', copyrighted: true }]);
    expect(values(out, 'provenance.media.usage-terms')).toEqual([{ usageTerms: 'Licensed under CC BY-NC-SA 4.0; credit Kelmouth Harbour Trust', webStatement: 'https://example.org/kelmouth/rights' }]);
    const copyright = values(out, 'provenance.media.copyright');
    expect(copyright).toContainEqual(expect.objectContaining({ text: '© 2021 Kelmouth Harbour Trust', fields: ['XMP dc:rights'], holder: 'Kelmouth Harbour Trust', years: { written: '2021', first: 2021, last: 2021 } }));
    expect(copyright).toContainEqual(expect.objectContaining({ text: 'Copyright 2021 Kelmouth Harbour Trust', fields: expect.arrayContaining(['EXIF Copyright']) }));
    expect(values(out, 'provenance.media.creator')).toContainEqual(expect.objectContaining({ name: 'Jane Doe', fields: expect.arrayContaining(['XMP dc:creator', 'EXIF Artist']) }));
    if (file === 'full.jpg' || file === 'full.tif' || file === 'full.png') expect(copyright).toContainEqual(expect.objectContaining({ text: '(c) 2021 Kelmouth Harbour Trust', fields: ['IPTC Copyright Notice'] }));
    if (file === 'full.jpg' || file === 'full.tif') expect(values(out, 'provenance.media.creator')).toContainEqual({ name: 'Kelmouth Harbour Trust', fields: ['IPTC Credit'] });
    if (file === 'full.png') expect(copyright).toContainEqual(expect.objectContaining({ fields: ['PNG tEXt Copyright', 'EXIF Copyright'] }));
    expect(codes(out)).not.toContain('media.rights-unreadable');
    for (const f of out) expect(f).toMatchObject({ scope: { kind: 'file', root: file }, evidence: { path: file, byteOffset: expect.any(Number) } });
  });

  it('reads public domain marks, unknown licence URLs and licence URLs in WebStatement', async () => {
    const pd = await runDetector(mediaRights, 'pd.jpg', read('public-domain.jpg'));
    expect(pd.find((f) => f.code === 'licence.media.xmp')).toMatchObject({ value: { expression: 'CC0-1.0' } });
    expect(values(pd, 'provenance.media.rights-marked')).toEqual([{ marked: 'False', copyrighted: false }]);
    // "No rights reserved" is a rights statement, not a holder's notice.
    expect(values(pd, 'provenance.media.copyright')).toEqual([{ text: 'No rights reserved', fields: ['XMP dc:rights'] }]);

    const unknown = await runDetector(mediaRights, 'u.jpg', read('unknown-licence.jpg'));
    expect(unknown.find((f) => f.code === 'licence.media.xmp')).toMatchObject({ confidence: 0, value: { expression: null, written: 'https://example.org/our-image-terms', method: 'unknown' } });
    expect(values(unknown, 'provenance.media.copyright')).toEqual([expect.objectContaining({ text: 'ACME Images Ltd.', holder: 'ACME Images Ltd.', prefix: 'field', fields: ['EXIF Copyright'] })]);

    const web = await runDetector(mediaRights, 'w.jpg', read('web-statement.jpg'));
    expect(web.find((f) => f.code === 'licence.media.xmp')).toMatchObject({ confidence: 0.6, value: { expression: 'CC-BY-SA-4.0', field: 'xmpRights:WebStatement' } });
  });

  it('reads EXIF alone, and both parts of an EXIF Copyright (photographer, editor)', async () => {
    const out = await runDetector(mediaRights, 'e.jpg', read('exif-only.jpg'));
    expect(values(out, 'provenance.media.copyright')).toEqual([expect.objectContaining({ holder: 'Jane Doe', years: { written: '2019-2023', first: 2019, last: 2023 } })]);
    const text = new TextEncoder().encode('© 2020 Jane Doe\0Harbour Press Ltd.\0');
    const tiff = syntheticTiff([{ tag: 33432, type: 2, count: text.length, bytes: text, at: 0 }]);
    const two = await runDetector(mediaRights, 't.tif', tiff);
    expect(values(two, 'provenance.media.copyright').map((v) => [v['fields'], v['holder']])).toEqual([
      [['EXIF Copyright'], 'Jane Doe'],
      [['EXIF Copyright (editor)'], 'Harbour Press Ltd.'],
    ]);
  });

  it('reads PNG text written after the image data, in Latin-1 and UTF-8', async () => {
    const out = await runDetector(mediaRights, 'p.png', read('text-after-idat.png'));
    expect(values(out, 'provenance.media.copyright')).toEqual([expect.objectContaining({ holder: 'Harbour Board', fields: ['PNG tEXt Copyright'] })]);
    expect(values(out, 'provenance.media.creator')).toEqual([{ name: 'Seán Ó Rudaí', fields: ['PNG iTXt Author'] }]);
  });

  it('finds metadata far from the head with few bytes read: PNG text after megabytes of IDAT', async () => {
    const ihdr = pngChunk('IHDR', new Uint8Array([0, 0, 1, 0, 0, 0, 1, 0, 8, 2, 0, 0, 0]));
    const idat = Array.from({ length: 300 }, () => pngChunk('IDAT', new Uint8Array(8192).fill(7)));
    const text = pngChunk('tEXt', latin1('Copyright\0© 2022 Tail Holder'));
    const png = concat(latin1('\x89PNG\r\n\x1a\n'), ihdr, ...idat, text, pngChunk('IEND', new Uint8Array(0)));
    const { out, read: n } = await runPartial(png, 'big.png');
    expect(values(out, 'provenance.media.copyright')).toEqual([expect.objectContaining({ holder: 'Tail Holder' })]);
    expect(n).toBeLessThan(256 * 1024);
    expect(png.length).toBeGreaterThan(2_000_000);
  });

  it('follows a TIFF\'s IFD and values placed after the image data', async () => {
    const copyright = new TextEncoder().encode('Copyright 2018 Far Away Archive\0');
    const artist = new TextEncoder().encode('Ann Other\0');
    const dataLen = 3 * 1024 * 1024;
    const ifdAt = 8 + dataLen;
    const ifd = new Uint8Array(2 + 2 * 12 + 4 + copyright.length + artist.length + 1);
    const dv = new DataView(ifd.buffer);
    dv.setUint16(0, 2, true);
    const valuesAt = ifdAt + 2 + 24 + 4;
    [[315, artist, valuesAt + copyright.length + 1] as const, [33432, copyright, valuesAt] as const].forEach(([tag, bytes, at], k) => {
      dv.setUint16(2 + k * 12, tag, true);
      dv.setUint16(4 + k * 12, 2, true);
      dv.setUint32(6 + k * 12, bytes.length, true);
      dv.setUint32(10 + k * 12, at, true);
    });
    ifd.set(copyright, 2 + 24 + 4);
    ifd.set(artist, 2 + 24 + 4 + copyright.length + 1);
    const head = new Uint8Array(8);
    head.set(latin1('II*\0'));
    new DataView(head.buffer).setUint32(4, ifdAt, true);
    const tiff = concat(head, new Uint8Array(dataLen), ifd, new Uint8Array(200_000));
    const { out, read: n } = await runPartial(tiff, 'far.tif');
    expect(values(out, 'provenance.media.copyright')).toEqual([expect.objectContaining({ holder: 'Far Away Archive' })]);
    expect(values(out, 'provenance.media.creator')).toEqual([{ name: 'Ann Other', fields: ['EXIF Artist'] }]);
    expect(n).toBeLessThan(1.5 * 1024 * 1024);
  });

  it('walks JPEG segments past the head, and WebP chunks past a large image chunk', async () => {
    const jpeg = read('full.jpg');
    const app2 = Array.from({ length: 4 }, () => {
      const seg = new Uint8Array(65537);
      seg.set([0xff, 0xe2, 0xff, 0xff]);
      return seg;
    });
    const bigJpeg = concat(jpeg.subarray(0, 2), ...app2, jpeg.subarray(2));
    const j = await runPartial(bigJpeg, 'big.jpg');
    expect(values(j.out, 'provenance.media.copyright').length).toBe(3);
    expect(j.out.find((f) => f.code === 'licence.media.xmp')).toMatchObject({ value: { expression: 'CC-BY-NC-SA-4.0' } });

    const webp = read('full.webp');
    // Insert an unknown 2 MiB chunk after VP8X (readers skip unknown chunks).
    const filler = new Uint8Array(8 + 2 * 1024 * 1024);
    filler.set(latin1('JUNK'));
    new DataView(filler.buffer).setUint32(4, 2 * 1024 * 1024, true);
    const vp8xEnd = 12 + 8 + 10;
    const bigWebp = concat(webp.subarray(0, vp8xEnd), filler, webp.subarray(vp8xEnd));
    new DataView(bigWebp.buffer).setUint32(4, bigWebp.length - 8, true);
    const w = await runPartial(bigWebp, 'big.webp');
    expect(values(w.out, 'provenance.media.copyright')).toContainEqual(expect.objectContaining({ fields: ['EXIF Copyright'] }));
  });

  it('says nothing about an image without metadata, and never throws on truncated or corrupt files', async () => {
    const plain = await runDetector(mediaRights, 'x.jpg', new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
    expect(plain).toEqual([]);
    const started = performance.now();
    for (const file of ['full.jpg', 'full.tif', 'full.png', 'full.webp', 'full.heic', 'text-after-idat.png']) {
      const bytes = read(file);
      for (let cut = 1; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 53))) {
        await expect(Promise.resolve(runDetector(mediaRights, file, bytes.subarray(0, cut)))).resolves.toBeInstanceOf(Array);
      }
      let seed = 7;
      for (let round = 0; round < 25; round++) {
        const corrupt = bytes.slice();
        for (let k = 0; k < 20; k++) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          corrupt[8 + (seed % (corrupt.length - 8))] = seed >>> 24;
        }
        await expect(Promise.resolve(runDetector(mediaRights, file, corrupt))).resolves.toBeInstanceOf(Array);
      }
    }
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('bounds hostile metadata: a decompression bomb, an entity bomb, lying lengths', async () => {
    const bomb = deflateSync(new Uint8Array(60 * 1024 * 1024));
    const ztxt = pngChunk('zTXt', concat(latin1('Copyright\0\0'), bomb));
    const png = concat(latin1('\x89PNG\r\n\x1a\n'), pngChunk('IHDR', new Uint8Array(13)), ztxt, pngChunk('IEND', new Uint8Array(0)));
    const started = performance.now();
    const out = await runDetector(mediaRights, 'bomb.png', png);
    expect(out.every((f) => f.code === 'media.rights-unreadable' || f.code === 'provenance.media.copyright')).toBe(true);
    const laughs = `<?xpacket begin=""?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:rights="&c;"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
    const xmpPng = concat(latin1('\x89PNG\r\n\x1a\n'), pngChunk('IHDR', new Uint8Array(13)), pngChunk('iTXt', concat(latin1('XML:com.adobe.xmp\0\0\0\0\0'), new TextEncoder().encode(laughs))), pngChunk('IEND', new Uint8Array(0)));
    expect(await runDetector(mediaRights, 'laughs.png', xmpPng)).toEqual([expect.objectContaining({ code: 'media.rights-unreadable', value: expect.objectContaining({ block: 'xmp' }) })]);
    // A TIFF whose IFD claims thousands of entries and offsets past the end.
    const lying = new Uint8Array(64);
    lying.set(latin1('II*\0'));
    new DataView(lying.buffer).setUint32(4, 8, true);
    new DataView(lying.buffer).setUint16(8, 4000, true);
    expect(await runDetector(mediaRights, 'lying.tif', lying)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('media rights end to end', () => {
  it('lets an image\'s own cc:license beat its folder\'s dataset card, and keeps its notices as provenance', async () => {
    const { root, cleanup } = await makeTree({
      'photos/README.md': '---\nlicense: cc-by-4.0\n---\n# Harbour photos\n',
      'photos/full.jpg': read('full.jpg'),
      'photos/exif-only.jpg': read('exif-only.jpg'),
    });
    try {
      const { records, summary } = await scanTree(root);
      const full = records.get('photos/full.jpg')!;
      expect(full.licence).toMatchObject({ expression: 'CC-BY-NC-SA-4.0', source: 'file', confidence: 0.7 });
      expect(full.findings.find((f) => f.code === 'licence.dataset-card')).toMatchObject({ shadowed: true });
      expect(full.verdict.decision).not.toBe('allow');
      const exifOnly = records.get('photos/exif-only.jpg')!;
      expect(exifOnly.licence).toMatchObject({ expression: 'CC-BY-4.0', source: 'subtree' });
      expect(exifOnly.findings.find((f) => f.code === 'provenance.media.copyright')).toMatchObject({ value: expect.objectContaining({ holder: 'Jane Doe' }) });
      expect(exifOnly.verdict.decision).toBe('allow');
      expect(summary.findings['provenance.media.copyright']).toBe(4);
    } finally {
      await cleanup();
    }
  });
});
