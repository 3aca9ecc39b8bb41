/**
 * Writes the container bench's data, deterministically (a seeded PRNG) and in bounded memory:
 *
 * - WebDataset shards: uncompressed tars written with tar-stream's `pack`, each sample a small real
 *   JPEG (the media-rights fixture `exif-only.jpg`, 16×12, made with ImageMagick + exiftool; see
 *   fixtures/SOURCES.md) with a COM segment naming the sample after its APPn segments, so that no two images are the same,
 *   and a `.json` sidecar with url / license / caption, as img2dataset writes them;
 * - the same shards gzipped (node:zlib, default level), streamed;
 * - a LAION-style Parquet file (url, caption, LICENSE, NSFW, similarity, width, height), written
 *   with hyparquet-writer's `ParquetWriter` one row group at a time (SNAPPY, its default codec).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import { fileWriter } from 'hyparquet-writer';
import tarStream from 'tar-stream';
import { prng } from './generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The JPEG every sample starts from: 444 bytes, JFIF + EXIF (Copyright, Artist), baseline. */
export const JPEG_FIXTURE = path.join(here, '../../packages/core/src/detectors/media-rights/fixtures/exif-only.jpg');


const WORDS = 'a photo of the red blue small large dog cat house tree river city street car bike mountain beach sunset portrait with in on at near old new vintage modern'.split(' ');
/** Licence values as scraped datasets carry them: mostly unknown, some CC URLs, a few SPDX ids and free text. */
const LICENCES = [
  ['?', 0.55],
  ['https://creativecommons.org/licenses/by/4.0/', 0.15],
  ['https://creativecommons.org/licenses/by-nc-sa/3.0/', 0.1],
  ['CC-BY-SA-4.0', 0.08],
  ['https://creativecommons.org/publicdomain/zero/1.0/', 0.07],
  ['All rights reserved', 0.05],
];

/** @param {() => number} rnd */
function pickLicence(rnd) {
  let x = rnd();
  for (const [value, p] of LICENCES) {
    if ((x -= /** @type {number} */ (p)) < 0) return /** @type {string} */ (value);
  }
  return /** @type {string} */ (LICENCES[0][0]);
}

/** @param {() => number} rnd @param {number} words */
function caption(rnd, words) {
  const out = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(rnd() * WORDS.length)]);
  return out.join(' ');
}

/** @param {() => number} rnd @param {number} n */
function url(rnd, n) {
  return `https://img${Math.floor(rnd() * 50)}.example.com/photos/${(n * 2654435761) >>> 0}/${caption(rnd, 2).replace(' ', '-')}.jpg`;
}

/**
 * The fixture JPEG with a COM segment naming the sample: a valid JPEG, different per sample.
 * @param {Buffer} jpeg
 * @param {string} key
 */
function sampleJpeg(jpeg, key) {
  const text = Buffer.from(`bench sample ${key}`);
  const com = Buffer.alloc(4);
  com[0] = 0xff;
  com[1] = 0xfe;
  com.writeUInt16BE(text.length + 2, 2);
  // After SOI and the APPn segments (JFIF, EXIF), so that APP0 stays first as JFIF wants.
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff && jpeg[at + 1] >= 0xe0 && jpeg[at + 1] <= 0xef) at += 2 + jpeg.readUInt16BE(at + 2);
  return Buffer.concat([jpeg.subarray(0, at), com, text, jpeg.subarray(at)]);
}

/**
 * Writes `shards` WebDataset shards of `samples` samples each (two members per sample: .jpg, .json)
 * under `dir` as `shard-000000.tar` …, streamed through tar-stream's pack.
 * @param {string} dir
 * @param {{ shards: number, samples: number, gzip?: boolean, firstShard?: number }} opts
 * @returns {Promise<{ shards: number, members: number, bytes: number, memberBytes: number, files: string[] }>}
 */
export async function makeWebDataset(dir, opts) {
  fs.mkdirSync(dir, { recursive: true });
  const jpeg = fs.readFileSync(JPEG_FIXTURE);
  const mtime = new Date('2024-01-01T00:00:00Z');
  let members = 0;
  let memberBytes = 0;
  let bytes = 0;
  const files = [];
  for (let s = 0; s < opts.shards; s++) {
    const shard = (opts.firstShard ?? 0) + s;
    const rnd = prng(1000 + shard);
    const file = path.join(dir, `shard-${String(shard).padStart(6, '0')}.tar${opts.gzip ? '.gz' : ''}`);
    const pack = tarStream.pack();
    const out = fs.createWriteStream(file, { highWaterMark: 1024 * 1024 });
    const done = opts.gzip ? pipeline(pack, zlib.createGzip(), out) : pipeline(pack, out);
    for (let i = 0; i < opts.samples; i++) {
      const key = String(shard * opts.samples + i).padStart(9, '0');
      const image = sampleJpeg(jpeg, key);
      const sidecar = Buffer.from(
        JSON.stringify({ url: url(rnd, shard * opts.samples + i), license: pickLicence(rnd), caption: caption(rnd, 6 + Math.floor(rnd() * 10)), key, width: 16, height: 12 }),
      );
      for (const [name, body] of /** @type {const} */ ([[`${key}.jpg`, image], [`${key}.json`, sidecar]])) {
        // pack.entry's callback fires once the entry is written out: waiting on it keeps the writer
        // in step with the file stream (bounded memory) instead of queueing 10k entries.
        await new Promise((resolve, reject) => pack.entry({ name, size: body.length, mtime, mode: 0o644 }, body, (err) => (err ? reject(err) : resolve(undefined))));
        members++;
        memberBytes += body.length;
      }
    }
    pack.finalize();
    await done;
    bytes += fs.statSync(file).size;
    files.push(file);
  }
  return { shards: opts.shards, members, bytes, memberBytes, files };
}

/**
 * Writes a LAION-style Parquet file of `rows` rows in row groups of `groupRows`, one group at a time.
 * @param {string} file
 * @param {{ rows: number, groupRows: number }} opts
 * @returns {{ rows: number, groups: number, bytes: number }}
 */
export function makeLaionParquet(file, opts) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const rnd = prng(7);
  const writer = fileWriter(file);
  /** @type {ParquetWriter | undefined} */
  let pq;
  let groups = 0;
  for (let start = 0; start < opts.rows; start += opts.groupRows) {
    const n = Math.min(opts.groupRows, opts.rows - start);
    const cols = { url: new Array(n), caption: new Array(n), LICENSE: new Array(n), NSFW: new Array(n), similarity: new Float64Array(n), width: new Int32Array(n), height: new Int32Array(n) };
    for (let i = 0; i < n; i++) {
      cols.url[i] = url(rnd, start + i);
      cols.caption[i] = caption(rnd, 4 + Math.floor(rnd() * 16));
      cols.LICENSE[i] = pickLicence(rnd);
      cols.NSFW[i] = rnd() < 0.9 ? 'UNLIKELY' : rnd() < 0.5 ? 'UNSURE' : 'NSFW';
      cols.similarity[i] = 0.28 + rnd() * 0.2;
      cols.width[i] = 64 + Math.floor(rnd() * 1900);
      cols.height[i] = 64 + Math.floor(rnd() * 1900);
    }
    /** @type {import('hyparquet-writer').ColumnSource[]} */
    const columnData = [
      { name: 'url', data: cols.url, type: 'STRING' },
      { name: 'caption', data: cols.caption, type: 'STRING' },
      { name: 'LICENSE', data: cols.LICENSE, type: 'STRING' },
      { name: 'NSFW', data: cols.NSFW, type: 'STRING' },
      { name: 'similarity', data: cols.similarity, type: 'DOUBLE' },
      { name: 'width', data: cols.width, type: 'INT32' },
      { name: 'height', data: cols.height, type: 'INT32' },
    ];
    pq ??= new ParquetWriter({ writer, schema: schemaFromColumnData({ columnData }) });
    pq.write({ columnData, rowGroupSize: opts.groupRows });
    groups++;
  }
  /** @type {ParquetWriter} */ (pq).finish();
  return { rows: opts.rows, groups, bytes: fs.statSync(file).size };
}
