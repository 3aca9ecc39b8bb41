/**
 * Raw baseline for many small files: the least a scanner must do to look at every file.
 *
 * - Walk with fast-glob (the walker the local source uses), files only, no stat: fast-glob takes the
 *   file type from readdir's dirent, so this is one readdir per folder and nothing per file.
 * - Per file: open, read the first 4 KiB (what a magic-byte sniff needs), close — three syscalls.
 * - The callback fs API (no promise or FileHandle allocation per call) with 32 files in flight,
 *   the engine's default concurrency, which keeps libuv's 4 threadpool threads busy.
 *
 * Anything a scan does beyond this (stat, reading whole files, sniffing, detectors, records) is its
 * overhead, and the ratio scan ÷ raw says how much of the machine's speed it keeps.
 * Argument: `{ root, concurrency? }`.
 */
import fs from 'node:fs';
import fg from 'fast-glob';
import { caseArgs, emit, pumpCallbacks, timed } from '../lib/common.mjs';

/** @type {{ root: string, concurrency?: number }} */
const args = caseArgs();
const limit = args.concurrency ?? 32;
const HEAD = 4096;

const { value, seconds } = await timed(async () => {
  const free = Array.from({ length: limit }, () => Buffer.allocUnsafe(HEAD));
  let files = 0;
  let bytesRead = 0;
  const paths = /** @type {AsyncIterable<string>} */ (fg.stream(['**'], { cwd: args.root, dot: true, onlyFiles: true, absolute: true }));
  await pumpCallbacks(paths, limit, (file, done) => {
    fs.open(file, 'r', (err, fd) => {
      if (err) return done(err);
      const buf = /** @type {Buffer<ArrayBuffer>} */ (free.pop());
      fs.read(fd, buf, 0, HEAD, 0, (rerr, n) => {
        free.push(buf);
        fs.close(fd, (cerr) => {
          files++;
          bytesRead += n;
          done(rerr ?? cerr);
        });
      });
    });
  });
  return { files, bytesRead };
});

emit({ ...value, seconds });
