/**
 * The `--dataset=media` of bench/s3.mjs: what an image or multimodal training set looks like in an
 * object store — mostly photos of 150 KB to 3 MB carrying embedded metadata (EXIF, XMP, IPTC, C2PA),
 * some text documents, PDFs and videos. Generated at bench time from the core detectors' own fixtures
 * (real files written by exiftool, c2patool, qpdf, ImageMagick: see fixtures/SOURCES.md), each
 * enlarged to a realistic size with image-data-like bytes placed INSIDE its structure, so that it
 * stays a well-formed container and its metadata stays where its writer put it:
 *
 * - JPEG: entropy-coded bytes (no 0xFF, so no marker appears) inserted before the final EOI marker —
 *   the metadata segments stay at the start, as cameras and editors write them;
 * - PNG: 8 KiB `IDAT` chunks with valid CRCs (libpng's default chunk size) after the last IDAT — any
 *   chunk written after the image data (tEXt, iTXt) stays after it, now megabytes from the start;
 * - MP4: the `mdat` box grown in place (its size field updated), so a `moov` or `uuid` written after
 *   the media data moves to the end of a multi-MiB file, as with a camera's recording;
 *   files without an `mdat` get one after `ftyp`;
 * - PDF: an incremental update appended (a large stream object, a cross-reference section and a
 *   trailer with `/Prev`), so the original objects and metadata stay where they were, and the file's
 *   tail is a fresh trailer, as when a tool saves an edited document;
 * - text: prose of 20 to 300 KB, some files with an SPDX line or a copyright notice.
 *
 * Sizes are drawn log-uniformly (many small, few large) from a seeded PRNG: the same dataset on every run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { prng } from './generate.mjs';

const KB = 1000;
const MB = 1000 * 1000;

/**
 * @param {string} root where to write the dataset
 * @param {string} detectorsDir packages/core/src/detectors
 * @param {{ photos?: number, texts?: number, pdfs?: number, videos?: number }} [counts]
 * @returns {{ files: number, bytes: number, byKind: Record<string, { files: number, bytes: number }> }}
 */
export function makeMediaDataset(root, detectorsDir, counts = {}) {
  const rnd = prng(0x6d656469);
  const { photos = 400, texts = 150, pdfs = 30, videos = 20 } = counts;
  const fixtures = (/** @type {string} */ ext) =>
    ['media-rights', 'c2pa', 'iptc-plus', 'tdmrep-xmp', 'pdf-encryption', 'bmff-encryption']
      .flatMap((d) => {
        const dir = path.join(detectorsDir, d, 'fixtures');
        return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.toLowerCase().endsWith(ext)).map((n) => path.join(dir, n)) : [];
      })
      .sort();
  const jpegs = fixtures('.jpg');
  const pngs = fixtures('.png').filter((f) => isPng(fs.readFileSync(f)));
  const pdfFiles = fixtures('.pdf');
  const mp4s = fixtures('.mp4');
  /** @type {Record<string, { files: number, bytes: number }>} */
  const byKind = {};
  const write = (/** @type {string} */ kind, /** @type {string} */ rel, /** @type {Uint8Array} */ bytes) => {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
    const k = (byKind[kind] ??= { files: 0, bytes: 0 });
    k.files++;
    k.bytes += bytes.length;
  };
  const size = (/** @type {number} */ lo, /** @type {number} */ hi) => Math.round(lo * Math.exp(rnd() * Math.log(hi / lo)));
  const pick = (/** @type {string[]} */ list) => list[Math.floor(rnd() * list.length)];

  for (let i = 0; i < photos; i++) {
    const target = size(150 * KB, 3 * MB);
    // Three in four photos are JPEG, as in scraped image sets.
    if (rnd() < 0.75) {
      const from = pick(jpegs);
      write('jpeg', `photos/${String(i).padStart(4, '0')}-${path.basename(from, '.jpg')}.jpg`, padJpeg(fs.readFileSync(from), target, rnd));
    } else {
      const from = pick(pngs);
      write('png', `photos/${String(i).padStart(4, '0')}-${path.basename(from, '.png')}.png`, padPng(fs.readFileSync(from), target, rnd));
    }
  }
  for (let i = 0; i < texts; i++) {
    const ext = pick(['txt', 'md', 'html']);
    write('text', `docs/${String(i).padStart(4, '0')}.${ext}`, prose(size(20 * KB, 300 * KB), ext, rnd));
  }
  for (let i = 0; i < pdfs; i++) {
    const from = pdfFiles[i % pdfFiles.length];
    const padded = padPdf(fs.readFileSync(from), size(100 * KB, 2 * MB), rnd);
    if (padded) write('pdf', `pdf/${String(i).padStart(3, '0')}-${path.basename(from)}`, padded);
  }
  for (let i = 0; i < videos; i++) {
    const from = mp4s[i % mp4s.length];
    write('mp4', `video/${String(i).padStart(3, '0')}-${path.basename(from)}`, padMp4(fs.readFileSync(from), size(1 * MB, 8 * MB), rnd));
  }
  const all = Object.values(byKind);
  return { files: all.reduce((n, k) => n + k.files, 0), bytes: all.reduce((n, k) => n + k.bytes, 0), byKind };
}

/** @param {Uint8Array} b */
const isPng = (b) => b.length > 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;

/**
 * Bytes that look like compressed image data: pseudo-random, without 0xFF (no JPEG marker appears).
 * @param {number} n @param {() => number} rnd
 */
function noise(n, rnd) {
  const out = Buffer.alloc(n);
  let x = Math.floor(rnd() * 0xffffffff) >>> 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = (x & 0xff) === 0xff ? 0xfe : x & 0xff;
  }
  return out;
}

/** @param {Buffer} jpeg @param {number} target @param {() => number} rnd */
function padJpeg(jpeg, target, rnd) {
  const eoi = jpeg.length >= 2 && jpeg[jpeg.length - 2] === 0xff && jpeg[jpeg.length - 1] === 0xd9 ? jpeg.length - 2 : jpeg.length;
  const fill = Math.max(0, target - jpeg.length);
  return Buffer.concat([jpeg.subarray(0, eoi), noise(fill, rnd), jpeg.subarray(eoi)]);
}

/** @param {Buffer} png @param {number} target @param {() => number} rnd */
function padPng(png, target, rnd) {
  // After the last IDAT: chunks the writer put after the image data stay after it.
  let pos = 8;
  let afterLastIdat = -1;
  while (pos + 12 <= png.length) {
    const len = png.readUInt32BE(pos);
    if (png.toString('latin1', pos + 4, pos + 8) === 'IDAT') afterLastIdat = pos + 12 + len;
    pos += 12 + len;
  }
  if (afterLastIdat < 0) return png;
  /** @type {Buffer[]} */
  const chunks = [];
  for (let left = Math.max(0, target - png.length); left > 12; ) {
    const len = Math.min(8192, left - 12);
    const chunk = Buffer.alloc(12 + len);
    chunk.writeUInt32BE(len, 0);
    chunk.write('IDAT', 4, 'latin1');
    noise(len, rnd).copy(chunk, 8);
    chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + len)), 8 + len);
    chunks.push(chunk);
    left -= chunk.length;
  }
  return Buffer.concat([png.subarray(0, afterLastIdat), ...chunks, png.subarray(afterLastIdat)]);
}

/** @param {Buffer} mp4 @param {number} target @param {() => number} rnd */
function padMp4(mp4, target, rnd) {
  const fill = Math.max(0, target - mp4.length);
  let pos = 0;
  let ftypEnd = 0;
  while (pos + 8 <= mp4.length) {
    const size = mp4.readUInt32BE(pos);
    const type = mp4.toString('latin1', pos + 4, pos + 8);
    if (size < 8 || pos + size > mp4.length) break;
    if (type === 'ftyp') ftypEnd = pos + size;
    if (type === 'mdat' && size + fill < 2 ** 32) {
      const grown = Buffer.concat([mp4.subarray(0, pos + size), noise(fill, rnd), mp4.subarray(pos + size)]);
      grown.writeUInt32BE(size + fill, pos);
      return grown;
    }
    pos += size;
  }
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + fill, 0);
  header.write('mdat', 4, 'latin1');
  return Buffer.concat([mp4.subarray(0, ftypEnd), header, noise(fill, rnd), mp4.subarray(ftypEnd)]);
}

/**
 * An incremental update holding one large stream; null when the trailer cannot be read.
 * @param {Buffer} pdf @param {number} target @param {() => number} rnd
 */
function padPdf(pdf, target, rnd) {
  const text = pdf.toString('latin1');
  const last = (/** @type {RegExp} */ re) => [...text.matchAll(re)].pop();
  const prev = last(/startxref\s+(\d+)/g);
  const root = last(/\/Root\s+\d+\s+\d+\s+R/g);
  const sizeM = last(/\/Size\s+(\d+)/g);
  if (!prev || !root || !sizeM) return null;
  const encrypt = last(/\/Encrypt\s+\d+\s+\d+\s+R/g);
  const id = last(/\/ID\s*\[[^\]]*\]/g);
  const n = Number(sizeM[1]);
  const fill = Math.max(0, target - pdf.length - 400);
  const base = pdf.length + (pdf[pdf.length - 1] === 0x0a ? 0 : 1);
  const objHead = Buffer.from(`${n} 0 obj\n<< /Length ${fill} /Filter /FlateDecode >>\nstream\n`, 'latin1');
  const objTail = Buffer.from('\nendstream\nendobj\n', 'latin1');
  const xrefAt = base + objHead.length + fill + objTail.length;
  const trailer = Buffer.from(
    `xref\n0 1\n0000000000 65535 f \n${n} 1\n${String(base).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${n + 1} ${root[0]} /Prev ${prev[1]}${encrypt ? ` ${encrypt[0]}` : ''}${id ? ` ${id[0]}` : ''} >>\nstartxref\n${xrefAt}\n%%EOF\n`,
    'latin1',
  );
  return Buffer.concat([pdf, base > pdf.length ? Buffer.from('\n') : Buffer.alloc(0), objHead, noise(fill, rnd), objTail, trailer]);
}

const WORDS = 'the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no will can more other into some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long get here between both life being under never day same another know while last might us great old year off come since against go came right used take three'.split(' ');

/** @param {number} bytes @param {string} ext @param {() => number} rnd */
function prose(bytes, ext, rnd) {
  const parts = [];
  let n = 0;
  const roll = rnd();
  if (roll < 0.15) parts.push(ext === 'html' ? '<!-- SPDX-License-Identifier: CC-BY-4.0 -->\n' : 'SPDX-License-Identifier: CC-BY-4.0\n\n');
  else if (roll < 0.3) parts.push(`Copyright (c) ${2000 + Math.floor(rnd() * 25)} Example Press Ltd. All rights reserved.\n\n`);
  if (ext === 'html') parts.push('<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Document</title></head><body>\n');
  n = parts.reduce((k, p) => k + p.length, 0);
  while (n < bytes) {
    const words = Array.from({ length: 40 + Math.floor(rnd() * 80) }, () => WORDS[Math.floor(rnd() * WORDS.length)]);
    const para = ext === 'html' ? `<p>${words.join(' ')}.</p>\n` : ext === 'md' && rnd() < 0.1 ? `## ${words.slice(0, 5).join(' ')}\n\n` : `${words.join(' ')}.\n\n`;
    parts.push(para);
    n += para.length;
  }
  if (ext === 'html') parts.push('</body></html>\n');
  return Buffer.from(parts.join(''), 'utf8');
}
