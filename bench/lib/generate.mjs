/**
 * Builds the bench trees, deterministically (a seeded PRNG), so that two runs scan the same bytes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Files per leaf folder, leaf folders per top folder: 100k files → 100 × 10 × 100. */
const FILES_PER_DIR = 100;
const DIRS_PER_TOP = 10;

/**
 * mulberry32: a tiny seeded PRNG, good enough to pick sizes and kinds reproducibly.
 * @param {number} seed
 */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'.split(' ');
const MIT = `MIT License\n\nCopyright (c) 2024 Bench\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the "Software"), to deal in the Software without restriction.\n\nTHE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.\n`;
const CARD = (/** @type {string} */ id) => `---\nlicense: ${id}\npretty_name: bench shard\n---\n\n# Bench dataset\n\nSynthetic files for the Clearance benchmark.\n`;
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

/**
 * Text of exactly `size` bytes, made of words.
 * @param {() => number} rnd
 * @param {number} size
 * @param {string} prefix
 */
function text(rnd, size, prefix) {
  const parts = [prefix];
  let len = prefix.length;
  while (len < size) {
    const w = WORDS[Math.floor(rnd() * WORDS.length)];
    parts.push(w, rnd() < 0.08 ? '\n' : ' ');
    len += w.length + 1;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

/**
 * The small-files tree: `count` files of 200 B–8 KiB in nested folders — plain text (some with an
 * SPDX tag), JSON, PNG-headed and random binary files — plus a few licence files and dataset cards.
 * @param {string} root
 * @param {number} count
 * @returns {{ files: number, bytes: number, markers: number }}
 */
export function makeSmallTree(root, count) {
  const rnd = prng(42);
  const noise = crypto.randomBytes(64 * 1024);
  let files = 0;
  let bytes = 0;
  let markers = 0;
  /** @param {string} file @param {Uint8Array} data */
  const put = (file, data) => {
    fs.writeFileSync(file, data);
    files++;
    bytes += data.length;
  };
  fs.mkdirSync(root, { recursive: true });
  put(path.join(root, 'LICENSE'), Buffer.from(MIT));
  put(path.join(root, 'README.md'), Buffer.from(CARD('cc-by-4.0')));
  markers += 2;
  const leaves = Math.ceil(count / FILES_PER_DIR);
  for (let leaf = 0; leaf < leaves && files < count; leaf++) {
    const top = Math.floor(leaf / DIRS_PER_TOP);
    const topDir = path.join(root, `part-${String(top).padStart(3, '0')}`);
    const dir = path.join(topDir, `shard-${String(leaf % DIRS_PER_TOP).padStart(2, '0')}`);
    fs.mkdirSync(dir, { recursive: true });
    if (leaf % DIRS_PER_TOP === 0 && top % 10 === 3) {
      // A few subtrees carry their own marker, so scope resolution has something to do.
      put(path.join(topDir, top % 20 === 3 ? 'LICENSE-MIT' : 'README.md'), Buffer.from(top % 20 === 3 ? MIT : CARD('apache-2.0')));
      markers++;
    }
    for (let i = 0; i < FILES_PER_DIR && files < count; i++) {
      const size = 200 + Math.floor(rnd() * (8192 - 200));
      const kind = rnd();
      const name = `f${String(i).padStart(3, '0')}`;
      if (kind < 0.55) put(path.join(dir, `${name}.txt`), text(rnd, size, rnd() < 0.1 ? '# SPDX-License-Identifier: CC-BY-4.0\n' : ''));
      else if (kind < 0.7) put(path.join(dir, `${name}.json`), text(rnd, size, '{"text": "'));
      else if (kind < 0.85) {
        const at = Math.floor(rnd() * (noise.length - size));
        put(path.join(dir, `${name}.png`), Buffer.concat([PNG_MAGIC, noise.subarray(at, at + size - PNG_MAGIC.length)]));
      } else {
        const at = Math.floor(rnd() * (noise.length - size));
        put(path.join(dir, `${name}.bin`), noise.subarray(at, at + size));
      }
    }
  }
  return { files, bytes, markers };
}

/**
 * `count` files of `size` bytes each: one random 16 MiB block written over and over, with a counter
 * stamped into every 4 KiB page so that no two pages of the set are the same (no filesystem or cache
 * can shortcut them). Each file is fsynced, so no writeback is still going on while we measure; the
 * pages stay in the page cache (24 GiB of RAM), so every run reads a warm cache.
 * @param {string} root
 * @param {number} count
 * @param {number} size multiple of 16 MiB
 * @returns {{ files: number, bytes: number }}
 */
export function makeLargeFiles(root, count, size) {
  const BLOCK = 16 * 1024 * 1024;
  const block = crypto.randomBytes(BLOCK);
  fs.mkdirSync(root, { recursive: true });
  let stamp = 0;
  for (let f = 0; f < count; f++) {
    const fd = fs.openSync(path.join(root, `blob-${f}.bin`), 'w');
    try {
      for (let pos = 0; pos < size; pos += BLOCK) {
        for (let page = 0; page < BLOCK; page += 4096) block.writeUInt32LE(stamp++, page);
        const n = Math.min(BLOCK, size - pos);
        let done = 0;
        while (done < n) done += fs.writeSync(fd, block, done, n - done, pos + done);
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  return { files: count, bytes: count * size };
}

/**
 * Reads every file under `root` once and throws the bytes away, so that the page cache holds them
 * when the timed runs start (this machine's proactive reclaim can drop cold pages between cases).
 * @param {string} root
 * @returns {number} bytes read
 */
export function warm(root) {
  const buf = Buffer.allocUnsafe(16 * 1024 * 1024);
  let total = 0;
  for (const name of fs.readdirSync(root)) {
    const fd = fs.openSync(path.join(root, name), 'r');
    try {
      let n;
      while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) total += n;
    } finally {
      fs.closeSync(fd);
    }
  }
  return total;
}
