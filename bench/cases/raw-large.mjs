/**
 * Raw baselines for large files: read every byte and sha256 it, nothing else.
 *
 * - mode `stream` (the baseline the scan is compared with): what anyone would write —
 *   `fs.createReadStream(file)` with its default 64 KiB chunks, `hash.update` on every chunk, one
 *   file after another. Node's read stream keeps one read ahead, so disk (here: page cache) and hash
 *   overlap; sha256 runs on the main thread (OpenSSL, SHA-NI when the CPU has it).
 * - mode `main` / `pool` (the worker-thread question): `files` files at a time, 1 MiB chunks (the
 *   engine's chunk size, and few enough messages for a pool), hashed either on the main thread
 *   (`main`) or in a pool of `workers` worker threads (`pool`) that the chunks are transferred to
 *   and back (zero-copy). A file's chunks always go to the same worker, since sha256 of one file
 *   is sequential; a file has 4 buffers, so reading cannot run away from hashing.
 *
 * Argument: `{ root, mode: 'stream' | 'main' | 'pool', files?, workers? }`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { caseArgs, emit, startWorkers, timed } from '../lib/common.mjs';

/** @type {{ root: string, mode: 'stream' | 'main' | 'pool', files?: number, workers?: number }} */
const args = caseArgs();
const CHUNK = 1024 * 1024;
/** Buffers per file in `pool` mode: one being read, up to three queued at or being hashed by its worker. */
const DEPTH = 4;

const names = fs.readdirSync(args.root).sort();
const paths = names.map((n) => path.join(args.root, n));

/** @type {import('node:worker_threads').Worker[]} */
let pool = [];
if (args.mode === 'pool') pool = await startWorkers(new URL('./workers/sha256.mjs', import.meta.url), args.workers ?? 2, null);

/** Per worker: callbacks waiting for a reply, in the order the requests were sent (one port, FIFO). */
const replies = new Map(pool.map((w) => [w, /** @type {((m: any) => void)[]} */ ([])]));
for (const w of pool) w.on('message', (m) => replies.get(w)?.shift()?.(m));

/**
 * Sends one message to a worker and resolves with its reply.
 * @param {import('node:worker_threads').Worker} w
 * @param {unknown} msg
 * @param {ArrayBuffer[]} [transfer]
 * @returns {Promise<any>}
 */
const ask = (w, msg, transfer) =>
  new Promise((resolve) => {
    replies.get(w)?.push(resolve);
    w.postMessage(msg, transfer ?? []);
  });

/**
 * Reads into `buf` at `pos` with the callback API.
 * @param {number} fd @param {Buffer<ArrayBuffer>} buf @param {number} pos
 * @returns {Promise<{ buf: Buffer<ArrayBuffer>, n: number }>}
 */
const readInto = (fd, buf, pos) =>
  new Promise((resolve, reject) => fs.read(fd, buf, 0, buf.length, pos, (err, n) => (err ? reject(err) : resolve({ buf, n }))));

/**
 * Hashes one file with the chosen strategy; resolves with its hex digest and size.
 * @param {string} file
 * @param {number} index
 * @param {number} lane which of the files-at-a-time slots runs it; a lane always uses the same worker
 * @returns {Promise<{ digest: string, bytes: number }>}
 */
async function hashFile(file, index, lane) {
  if (args.mode === 'stream') {
    const hash = crypto.createHash('sha256');
    let bytes = 0;
    for await (const chunk of fs.createReadStream(file)) {
      hash.update(chunk);
      bytes += chunk.length;
    }
    return { digest: hash.digest('hex'), bytes };
  }
  // `main` and `pool` read the same way — 1 MiB chunks into recycled buffers, the next read already
  // in flight while a chunk is hashed — so that they differ only in where sha256 runs. Recycling
  // matters: a fresh 1 MiB buffer per chunk costs an mmap and 256 page faults.
  const fd = fs.openSync(file, 'r');
  const worker = pool[lane % Math.max(1, pool.length)];
  const hash = args.mode === 'main' ? crypto.createHash('sha256') : null;
  const free = Array.from({ length: args.mode === 'main' ? 2 : DEPTH }, () => Buffer.allocUnsafeSlow(CHUNK));
  /** @type {(() => void) | null} */
  let freed = null;
  const release = (/** @type {Buffer<ArrayBuffer>} */ buf) => {
    free.push(buf);
    const f = freed;
    freed = null;
    f?.();
  };
  /** @type {Promise<unknown>[]} */
  const acks = [];
  let pos = 0;
  try {
    let pending = readInto(fd, /** @type {Buffer<ArrayBuffer>} */ (free.pop()), 0);
    while (true) {
      const { buf, n } = await pending;
      if (n === 0) {
        release(buf);
        break;
      }
      pos += n;
      while (free.length === 0) await new Promise((r) => (freed = () => r(undefined)));
      pending = readInto(fd, /** @type {Buffer<ArrayBuffer>} */ (free.pop()), pos);
      if (hash) {
        hash.update(buf.subarray(0, n));
        release(buf);
      } else {
        // Transfer the buffer to the worker; it comes back, transferred again, with the ack.
        acks.push(ask(worker, { id: index, chunk: buf.buffer, n }, [buf.buffer]).then((ab) => release(Buffer.from(ab))));
      }
    }
    await Promise.all(acks);
  } finally {
    fs.closeSync(fd);
  }
  const digest = hash ? hash.digest('hex') : await ask(worker, { id: index, end: true });
  return { digest, bytes: pos };
}

const { value, seconds } = await timed(async () => {
  const parallel = args.mode === 'stream' ? 1 : (args.files ?? 2);
  /** @type {string[]} */
  const digests = [];
  let bytes = 0;
  let next = 0;
  const lanes = Array.from({ length: parallel }, async (_, lane) => {
    while (next < paths.length) {
      const i = next++;
      const r = await hashFile(paths[i], i, lane);
      digests[i] = r.digest;
      bytes += r.bytes;
    }
  });
  await Promise.all(lanes);
  return { files: paths.length, bytes, bytesRead: bytes, digests };
});

await Promise.all(pool.map((w) => w.terminate()));
// Digests are printed (shortened) so that run.mjs can check that every strategy hashed the same bytes.
emit({ files: value.files, bytes: value.bytes, bytesRead: value.bytesRead, digests: value.digests.map((d) => d.slice(0, 16)), seconds });
