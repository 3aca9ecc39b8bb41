/**
 * A Source that exists only in memory, for the memory case: it lists `count` entries lazily (one
 * object per `next()`, nothing kept), and reads return small deterministic bytes. With no I/O and no
 * stored tree, what the scan's peak RSS does between 100k and 1M entries is the engine's own doing.
 */

const FILES_PER_DIR = 1000;
const MARKERS = [
  { path: 'LICENSE', text: 'MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy.\n' },
  { path: 'README.md', text: '---\nlicense: cc-by-4.0\n---\n\n# Synthetic dataset\n' },
  { path: 'part-0003/README.md', text: '---\nlicense: apache-2.0\n---\n' },
];

/**
 * One entry in TEXT_EVERY is text, which every text detector reads (licence texts, SPDX tags, …);
 * the rest are binary, which the engine only sniffs. Per-entry memory in the engine does not depend
 * on the content, and with the builtin detectors a text file costs several times the CPU of a binary
 * one: this mix keeps the 1M-entry run within a few minutes while still running every detector.
 */
const TEXT_EVERY = 20;

/** @param {number} i */
const isText = (i) => i % TEXT_EVERY === 0;

/**
 * Deterministic content of file `i`: text (half of it with an SPDX tag) or binary.
 * @param {number} i
 * @returns {Uint8Array}
 */
function contentOf(i) {
  const size = sizeOf(i);
  const out = new Uint8Array(size);
  if (!isText(i)) {
    for (let k = 0; k < size; k++) out[k] = (i * 31 + k * 17) & 0xff;
    return out;
  }
  const prefix = i % (2 * TEXT_EVERY) === 0 ? '# SPDX-License-Identifier: CC-BY-4.0\n' : '';
  const line = `${prefix}row ${i} lorem ipsum dolor sit amet consectetur adipiscing elit\n`;
  for (let k = 0; k < size; k++) out[k] = line.charCodeAt(k % line.length);
  return out;
}

/** Size of file `i`: 200 B to 2 KB, spread by a multiplicative hash. @param {number} i */
function sizeOf(i) {
  return 200 + (Math.imul(i, 2654435761) >>> 0) % 1800;
}

/** @param {string} path */
function indexOf(path) {
  const m = /f(\d+)\.(?:txt|bin)$/.exec(path);
  return m ? Number(m[1]) : -1;
}

/**
 * @param {number} count entries to list, markers included
 * @returns {import('@clearance/core').Source}
 */
export function syntheticSource(count) {
  /** @type {Map<string, Uint8Array>} */
  const markerBytes = new Map(MARKERS.map((m) => [m.path, new TextEncoder().encode(m.text)]));
  /** @param {import('@clearance/core').Entry} entry */
  const bytesOf = (entry) => markerBytes.get(entry.path) ?? contentOf(indexOf(entry.path));
  return {
    name: 'synthetic',
    location: `synthetic://${count}`,
    async *list() {
      for (const m of MARKERS.slice(0, count)) yield { path: m.path, size: /** @type {Uint8Array} */ (markerBytes.get(m.path)).length };
      for (let i = 0; i < count - MARKERS.length; i++) {
        const dir = `part-${String(Math.floor(i / FILES_PER_DIR / 100)).padStart(4, '0')}/shard-${String(Math.floor(i / FILES_PER_DIR) % 100).padStart(2, '0')}`;
        yield { path: `${dir}/f${i}.${isText(i) ? 'txt' : 'bin'}`, size: sizeOf(i), mtime: '2024-01-01T00:00:00.000Z' };
      }
    },
    async read(entry, range) {
      return bytesOf(entry).slice(range.start, range.end);
    },
    async *stream(entry) {
      yield bytesOf(entry);
    },
  };
}
