/**
 * What reading embedded metadata costs: the bytes the detectors that read it (c2pa, iptc-plus,
 * media-rights, tdmrep-xmp) make the engine read from large real files — fixtures written by exiftool,
 * c2patool and qpdf, enlarged inside their structure — and that their findings are those of a read of
 * the whole file.
 */
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Detector, DetectorInput } from '../../engine/detector.js';
import { readRanges } from '../../engine/ranges.js';
import { scan } from '../../engine/scan.js';
import type { FindingInput } from '../../schema/finding.js';
import { memorySource, runDetector } from '../../test-utils/index.js';
import { c2pa } from '../c2pa/index.js';
import { builtinDetectors } from '../index.js';
import { iptcPlus } from '../iptc-plus/index.js';
import { mediaRights } from '../media-rights/index.js';
import { tdmrepXmp } from '../tdmrep-xmp/index.js';
import { EMBEDDED_HEAD } from './index.js';

const KiB = 1024;
const MB = 1_000_000;
const fixture = (p: string) => new Uint8Array(readFileSync(new URL(`../${p}`, import.meta.url)));
const READERS: Detector[] = [c2pa, iptcPlus, mediaRights, tdmrepXmp];

/** Image-data-like bytes: pseudo-random, never 0xFF (no JPEG marker). */
function noise(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x & 0xff) === 0xff ? 0xfe : x & 0xff;
  }
  return out;
}

const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const u32 = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);

/** A JPEG grown to `size` with entropy-coded-like bytes before EOI. */
function bigJpeg(jpeg: Uint8Array, size: number): Uint8Array {
  return cat(jpeg.subarray(0, jpeg.length - 2), noise(size - jpeg.length), jpeg.subarray(jpeg.length - 2));
}

/** A PNG's chunks as [offset, type, length]. */
function pngChunks(png: Uint8Array): [number, string, number][] {
  const out: [number, string, number][] = [];
  for (let pos = 8; pos + 12 <= png.length; ) {
    const len = Buffer.from(png).readUInt32BE(pos);
    out.push([pos, Buffer.from(png.subarray(pos + 4, pos + 8)).toString('latin1'), len]);
    pos += 12 + len;
  }
  return out;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const body = cat(new TextEncoder().encode(type), data);
  return cat(u32(data.length), body, u32(crc32(body)));
}

/** A PNG grown to about `size` with 8 KiB IDAT chunks after its last IDAT, and `after` chunks after those. */
function bigPng(png: Uint8Array, size: number, after: Uint8Array[] = []): Uint8Array {
  const last = pngChunks(png).filter(([, t]) => t === 'IDAT').pop()!;
  const end = last[0] + 12 + last[2];
  const idats: Uint8Array[] = [];
  for (let n = png.length; n < size; n += 8192 + 12) idats.push(pngChunk('IDAT', noise(8192)));
  return cat(png.subarray(0, end), ...idats, ...after, png.subarray(end));
}

/** An MP4 whose `mdat` grew by `grow` bytes (boxes after it move to the end of the file). */
function bigMp4(mp4: Uint8Array, grow: number): Uint8Array {
  const b = Buffer.from(mp4);
  for (let pos = 0; pos + 8 <= b.length; pos += b.readUInt32BE(pos)) {
    if (b.toString('latin1', pos + 4, pos + 8) !== 'mdat') continue;
    const end = pos + b.readUInt32BE(pos);
    const out = Buffer.concat([b.subarray(0, end), noise(grow), b.subarray(end)]);
    out.writeUInt32BE(end - pos + grow, pos);
    return new Uint8Array(out);
  }
  throw new Error('no mdat');
}

/** A PDF grown by an incremental update holding one stream of `grow` bytes (old objects stay where they were). */
function bigPdf(pdf: Uint8Array, grow: number): Uint8Array | null {
  const text = Buffer.from(pdf).toString('latin1');
  const last = (re: RegExp) => [...text.matchAll(re)].pop();
  const prev = last(/startxref\s+(\d+)/g);
  const root = last(/\/Root\s+\d+\s+\d+\s+R/g);
  const size = last(/\/Size\s+(\d+)/g);
  if (!prev || !root || !size) return null;
  const extra = [last(/\/Encrypt\s+\d+\s+\d+\s+R/g)?.[0], last(/\/ID\s*\[[^\]]*\]/g)?.[0]].filter(Boolean).join(' ');
  const n = Number(size[1]);
  const base = pdf.length + 1;
  const head = new TextEncoder().encode(`\n${n} 0 obj\n<< /Length ${grow} >>\nstream\n`);
  const tail = new TextEncoder().encode('\nendstream\nendobj\n');
  const xrefAt = pdf.length + head.length + grow + tail.length;
  const trailer = new TextEncoder().encode(`xref\n0 1\n0000000000 65535 f \n${n} 1\n${String(base).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${n + 1} ${root[0]} /Prev ${prev[1]} ${extra} >>\nstartxref\n${xrefAt}\n%%EOF\n`);
  return cat(pdf, head, noise(grow), tail, trailer);
}

/**
 * Runs the embedded-metadata readers on `bytes` as the engine does when it reads only what they want
 * (the head, then their ranges round by round, ranges shared between detectors), counting the bytes read.
 */
async function readLikeEngine(bytes: Uint8Array, path: string, head = EMBEDDED_HEAD): Promise<{ read: number; requests: number; findings: Map<string, FindingInput[]> }> {
  const size = bytes.length;
  const entry = { path, size };
  const first = bytes.subarray(0, Math.min(size, head));
  const whole = first.length === size ? bytes : null;
  const cache = new Map<string, Uint8Array>();
  let read = first.length;
  let requests = 1;
  const findings = new Map<string, FindingInput[]>();
  for (const d of READERS) {
    const got = await readRanges(memorySource(bytes, path), entry, d.wants.ranges!, { size, head: first, tail: null, whole }, undefined, cache);
    read += got.bytes;
    requests += got.requests;
    const input: DetectorInput = { entry, path, name: path, dir: '', size, mediaType: 'application/octet-stream', isText: false, head: first, tail: null, whole, truncated: false, ranges: got.ranges };
    findings.set(d.id, await d.detect(input));
  }
  return { read, requests, findings };
}

/** What each reader finds when it is handed the whole file. */
async function readWhole(bytes: Uint8Array, path: string): Promise<Map<string, FindingInput[]>> {
  const out = new Map<string, FindingInput[]>();
  for (const d of READERS) out.set(d.id, await runDetector(d, path, bytes, { mediaType: 'application/octet-stream', isText: false }));
  return out;
}

const codes = (m: Map<string, FindingInput[]>) => [...m].flatMap(([id, fs]) => fs.map((f) => `${id}:${f.code}:${JSON.stringify(f.value)}`)).sort();

async function expectSameFindings(bytes: Uint8Array, path: string, budget: number): Promise<{ read: number; requests: number; found: string[] }> {
  const partial = await readLikeEngine(bytes, path);
  const whole = await readWhole(bytes, path);
  expect(codes(partial.findings)).toEqual(codes(whole));
  expect(partial.read).toBeLessThanOrEqual(budget);
  return { read: partial.read, requests: partial.requests, found: codes(whole) };
}

describe('reading embedded metadata follows the file structure', () => {
  it('a 2 MB JPEG with EXIF, XMP, IPTC and a C2PA manifest costs its metadata segments, not a fixed head and tail', async () => {
    // media-rights' full.jpg (EXIF, XMP with cc:license, IPTC by exiftool) with the C2PA manifest store
    // (APP11 segments) of the CAWG example spliced in after its APP segments.
    const full = fixture('media-rights/fixtures/full.jpg');
    const cawg = fixture('c2pa/fixtures/cawg-spec-example.jpg');
    const app11 = segments(cawg).filter(([, m]) => m === 0xeb);
    expect(app11.length).toBeGreaterThan(0);
    const sos = segments(full).find(([, m]) => m === 0xda)![0];
    const spliced = cat(full.subarray(0, sos), ...app11.map(([at, , len]) => cawg.subarray(at, at + 2 + len)), full.subarray(sos));
    const big = bigJpeg(spliced, 2 * MB);
    const { read, found } = await expectSameFindings(big, 'photo.jpg', 32 * KiB);
    expect(read).toBe(EMBEDDED_HEAD); // every segment lies in the first 16 KiB
    expect(found.some((c) => c.startsWith('c2pa:'))).toBe(true);
    expect(found.some((c) => c.startsWith('media-rights:licence.media.xmp'))).toBe(true);
    expect(found.some((c) => c.startsWith('media-rights:provenance.media.copyright'))).toBe(true);
  });

  it('a JPEG whose metadata outgrows the head: EXIF 60 KB, an XMP packet and a 150 KB C2PA store are followed segment by segment', async () => {
    const full = fixture('media-rights/fixtures/full.jpg');
    const cawg = fixture('c2pa/fixtures/cawg-spec-example.jpg');
    const sos = segments(full).find(([, m]) => m === 0xda)![0];
    // An ICC profile of 60 KB (APP2, not metadata: jumped over) ahead of the original segments.
    const icc = cat(new Uint8Array([0xff, 0xe2]), new Uint8Array([0xea, 0x62]), noise(0xea60));
    const app11 = segments(cawg).filter(([, m]) => m === 0xeb).map(([at, , len]) => cawg.subarray(at, at + 2 + len));
    const big = bigJpeg(cat(full.subarray(0, 2), icc, full.subarray(2, sos), ...app11, full.subarray(sos)), 3 * MB);
    const { read } = await expectSameFindings(big, 'photo.jpg', 96 * KiB);
    expect(read).toBeGreaterThan(EMBEDDED_HEAD);
  });

  it('PNG: metadata before the image data costs the head; chunks after 300 IDAT chunks cost a 16 KiB tail', async () => {
    const before = bigPng(fixture('media-rights/fixtures/full.png'), 2.5 * MB);
    expect((await expectSameFindings(before, 'a.png', 32 * KiB)).found.length).toBeGreaterThan(2);
    const after = bigPng(fixture('media-rights/fixtures/text-after-idat.png'), 2.5 * MB);
    const r = await expectSameFindings(after, 'b.png', EMBEDDED_HEAD + 16 * KiB);
    expect(r.found.length).toBeGreaterThan(0);
  });

  it('PNG: an XMP packet of 40 KB after the image data is read through the longer tail', async () => {
    const xmp = new TextEncoder().encode(
      `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:cc="http://creativecommons.org/ns#"><cc:license rdf:resource="https://creativecommons.org/licenses/by/4.0/"/></rdf:Description></rdf:RDF></x:xmpmeta>${' '.repeat(40_000)}<?xpacket end="w"?>`,
    );
    const itxt = pngChunk('iTXt', cat(new TextEncoder().encode('XML:com.adobe.xmp'), new Uint8Array([0, 0, 0, 0, 0]), xmp));
    const file = bigPng(fixture('iptc-plus/fixtures/aiml-training.png'), 2 * MB, [itxt]);
    const r = await expectSameFindings(file, 'c.png', EMBEDDED_HEAD + 256 * KiB);
    expect(r.found.some((c) => c.startsWith('media-rights:licence.media.xmp:{"expression":"CC-BY-4.0"'))).toBe(true);
  });

  it('MP4: moov and a C2PA uuid box after 5 MB of media data cost one look-ahead past mdat', async () => {
    const file = bigMp4(fixture('c2pa/fixtures/not-allowed.mp4'), 5 * MB);
    const r = await expectSameFindings(file, 'clip.mp4', EMBEDDED_HEAD + 16 * KiB);
    expect(r.found.some((c) => c.startsWith('c2pa:'))).toBe(true);
    const early = bigMp4(fixture('iptc-plus/fixtures/prohibited.mp4'), 5 * MB);
    expect((await expectSameFindings(early, 'early.mp4', EMBEDDED_HEAD)).found.some((c) => c.startsWith('iptc-plus:'))).toBe(true);
  });

  it('every fixture of the metadata readers, enlarged inside its structure: the findings of a whole read', async () => {
    const { readdirSync } = await import('node:fs');
    let checked = 0;
    // pdf-encryption's PDFs: xref streams, object streams, linearized and encrypted files made by qpdf.
    for (const dir of ['media-rights', 'c2pa', 'iptc-plus', 'tdmrep-xmp', 'pdf-encryption']) {
      for (const name of readdirSync(new URL(`../${dir}/fixtures`, import.meta.url))) {
        const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
        if (!['jpg', 'png', 'mp4', 'pdf', 'heic', 'avif', 'tif', 'webp', 'gif'].includes(ext)) continue;
        const bytes = fixture(`${dir}/fixtures/${name}`);
        const grow = 1_200_000 + 7919 * checked;
        const big =
          ext === 'jpg' ? bigJpeg(bytes, bytes.length + grow)
          : ext === 'png' ? bigPng(bytes, bytes.length + grow)
          : ext === 'mp4' ? bigMp4(bytes, grow)
          : ext === 'pdf' ? bigPdf(bytes, grow)
          : ['heic', 'avif', 'tif', 'webp', 'gif'].includes(ext) ? bytes
          : null;
        if (!big) continue;
        const partial = await readLikeEngine(big, name);
        if (process.env['SHOW_READS']) console.log(`${dir}/${name}: ${big.length} bytes, read ${partial.read} in ${partial.requests} requests`);
        expect({ name, findings: codes(partial.findings) }).toEqual({ name, findings: codes(await readWhole(big, name)) });
        // A fixed head and tail cost 192 KiB; following the structure costs far less: 16–32 KiB for images
        // and videos, a PDF its 64 KiB tail and the objects its xref points at.
        expect({ name, read: partial.read <= (ext === 'pdf' ? 160 : 40) * KiB }).toEqual({ name, read: true });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('PDF: catalog and metadata mid-file, 1.5 MB in, found through the trailer and xref in a 16 KiB tail', async () => {
    const xmp = `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:tdm="http://www.w3.org/ns/tdmrep/"><tdm:reservation>1</tdm:reservation><tdm:policy>https://example.com/policy.json</tdm:policy></rdf:Description></rdf:RDF></x:xmpmeta>${' '.repeat(2000)}<?xpacket end="w"?>`;
    const enc = (t: string) => new TextEncoder().encode(t);
    const parts: Uint8Array[] = [enc('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
    const offsets: number[] = [];
    const add = (n: number, body: Uint8Array) => {
      offsets[n] = parts.reduce((k, p) => k + p.length, 0);
      parts.push(body);
    };
    const image = noise(1_500_000);
    add(4, cat(enc(`4 0 obj\n<< /Type /XObject /Subtype /Image /Width 1000 /Height 500 /BitsPerComponent 8 /ColorSpace /DeviceRGB /Length ${image.length} >>\nstream\n`), image, enc('\nendstream\nendobj\n')));
    add(1, enc('1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Metadata 3 0 R >>\nendobj\n'));
    add(2, enc('2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n'));
    add(3, enc(`3 0 obj\n<< /Type /Metadata /Subtype /XML /Length ${xmp.length} >>\nstream\n${xmp}\nendstream\nendobj\n`));
    // Another 500 KB image after them: the catalog and metadata lie mid-file, outside head and tail.
    const image2 = noise(500_000);
    add(5, cat(enc(`5 0 obj\n<< /Type /XObject /Subtype /Image /Width 500 /Height 500 /BitsPerComponent 8 /ColorSpace /DeviceGray /Length ${image2.length} >>\nstream\n`), image2, enc('\nendstream\nendobj\n')));
    const xrefAt = parts.reduce((k, p) => k + p.length, 0);
    const rows = [1, 2, 3, 4, 5].map((n) => `${String(offsets[n]).padStart(10, '0')} 00000 n \n`).join('');
    parts.push(enc(`xref\n0 6\n0000000000 65535 f \n${rows}trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`));
    const pdf = cat(...parts);
    const r = await expectSameFindings(pdf, 'doc.pdf', 64 * KiB);
    expect(r.found.some((c) => c.startsWith('tdmrep-xmp:optout.tdmrep-xmp.reserved:'))).toBe(true);
  });

  it('through the engine: a 2 MB JPEG costs the engine\'s first read and nothing more', async () => {
    const big = bigJpeg(fixture('media-rights/fixtures/full.jpg'), 2 * MB);
    const records = [];
    for await (const r of scan({ source: memorySource(big, 'photo.jpg'), detectors: builtinDetectors, hash: false })) records.push(r);
    expect(records).toHaveLength(1);
    const rec = records[0]!;
    expect(rec.findings.some((f) => f.code === 'licence.media.xmp')).toBe(true);
    // The engine's first read of a file over 64 KiB is min(largest content head, 64 KiB) (engine/inspect.ts):
    // the metadata readers ask for nothing past it here.
    expect(rec.read.bytes).toBeLessThanOrEqual(64 * KiB);
    expect(rec.read.requests).toBe(1);
  });
});

describe('reading embedded metadata: hostile structure', () => {
  it('a PNG signature over noise (a lying chunk length) costs the head: no tail is read for a walk that broke', async () => {
    const fake = cat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]), noise(5 * MB));
    expect((await readLikeEngine(fake, 'fake.png')).read).toBe(EMBEDDED_HEAD);
  });

  it('lying lengths and flipped bytes in large files: no throw, bounded reads', async () => {
    const jpeg = bigJpeg(fixture('media-rights/fixtures/full.jpg'), 1 * MB);
    const png = bigPng(fixture('media-rights/fixtures/text-after-idat.png'), 1 * MB);
    const mp4 = bigMp4(fixture('c2pa/fixtures/not-allowed.mp4'), 1 * MB);
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (const original of [jpeg, png, mp4]) {
      for (let k = 0; k < 30; k++) {
        const b = original.slice();
        // Flip bytes in the structure at the start and near the end (lengths, types, offsets).
        for (let n = 0; n < 8; n++) {
          const at = rnd() < 0.7 ? Math.floor(rnd() * 2048) : b.length - 1 - Math.floor(rnd() * 4096);
          b[at] = Math.floor(rnd() * 256);
        }
        const { read, requests } = await readLikeEngine(b, 'x.bin');
        // The engine's bounds: 3 rounds of at most 16 MiB per detector; in practice far less.
        expect(read).toBeLessThanOrEqual(EMBEDDED_HEAD + 4 * 1024 * KiB);
        expect(requests).toBeLessThanOrEqual(1 + 4 * 64);
      }
    }
  });
});

/** A JPEG's segments before SOS as [offset of the marker, marker, length field]. */
function segments(jpeg: Uint8Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let pos = 2; pos + 4 <= jpeg.length; ) {
    const marker = jpeg[pos + 1]!;
    const len = (jpeg[pos + 2]! << 8) | jpeg[pos + 3]!;
    out.push([pos, marker, len]);
    if (marker === 0xda) break;
    pos += 2 + len;
  }
  return out;
}
