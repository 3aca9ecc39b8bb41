/**
 * Raw baseline for the WebDataset shards: the same shards read one after the other, with no engine.
 * Argument: `{ root, hash }`.
 *
 * - `.tar`: plain fs reads of 1 MiB in order, walking the 512-byte ustar headers in memory (member
 *   size from the octal size field, data skipped or hashed, padding to 512); every byte is read.
 * - `.tar.gz`: fs read stream → node:zlib gunzip → tar-stream's extract, each member's body drained
 *   (and hashed when asked).
 *
 * Counts members (regular files) and member bytes; with `hash`, sha256 of each member too, which the
 * scan with hashing on also does.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import tarStream from 'tar-stream';
import { caseArgs, emit, timed } from '../lib/common.mjs';

/** @type {{ root: string, hash: boolean }} */
const args = caseArgs();
const CHUNK = 1024 * 1024;

/** Size field of a ustar header: octal digits, or base-256 when the top bit is set. @param {Buffer} h */
function sizeOf(h) {
  if (h[124] & 0x80) {
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + h[i];
    return n;
  }
  return parseInt(h.toString('latin1', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8);
}

/** @param {string} file */
function walkTar(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK + 512);
  let members = 0;
  let memberBytes = 0;
  let have = 0; // bytes in buf not consumed yet, from 0
  let skip = 0; // data + padding of the current member still to pass
  /** @type {crypto.Hash | null} */
  let hasher = null;
  let dataLeft = 0;
  let ended = false;
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, have, CHUNK, null);
      have += n;
      let at = 0;
      while (at < have) {
        if (skip > 0) {
          const take = Math.min(skip, have - at);
          if (hasher && dataLeft > 0) {
            const d = Math.min(dataLeft, take);
            hasher.update(buf.subarray(at, at + d));
            dataLeft -= d;
            if (dataLeft === 0) hasher.digest();
          }
          at += take;
          skip -= take;
          continue;
        }
        if (have - at < 512) break;
        const h = buf.subarray(at, at + 512);
        at += 512;
        if (h[0] === 0) {
          ended = true;
          break;
        }
        const size = sizeOf(h);
        const type = h[156];
        if (type === 0x30 || type === 0) {
          members++;
          memberBytes += size;
          if (args.hash) {
            hasher = crypto.createHash('sha256');
            dataLeft = size;
            if (size === 0) hasher.digest();
          }
        }
        skip = Math.ceil(size / 512) * 512;
      }
      if (ended || n === 0) break;
      buf.copy(buf, 0, at, have);
      have -= at;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { members, memberBytes };
}

/** @param {string} file */
async function extractTarGz(file) {
  let members = 0;
  let memberBytes = 0;
  const extract = tarStream.extract();
  extract.on('entry', (header, stream, next) => {
    if (header.type === 'file') {
      members++;
      memberBytes += header.size ?? 0;
    }
    const hasher = args.hash ? crypto.createHash('sha256') : null;
    stream.on('data', (d) => hasher?.update(d));
    stream.on('end', () => {
      hasher?.digest();
      next();
    });
    stream.resume();
  });
  await pipeline(fs.createReadStream(file, { highWaterMark: CHUNK }), zlib.createGunzip(), extract);
  return { members, memberBytes };
}

const { value, seconds } = await timed(async () => {
  let members = 0;
  let memberBytes = 0;
  let bytes = 0;
  let shards = 0;
  for (const name of fs.readdirSync(args.root).sort()) {
    const file = path.join(args.root, name);
    const r = name.endsWith('.tar.gz') ? await extractTarGz(file) : name.endsWith('.tar') ? walkTar(file) : null;
    if (!r) continue;
    shards++;
    members += r.members;
    memberBytes += r.memberBytes;
    bytes += fs.statSync(file).size;
  }
  return { members, memberBytes, bytes, shards };
});

emit({ ...value, seconds });
