/**
 * The small-file baseline again, but with the reads done synchronously inside worker threads: the
 * main thread walks (fast-glob, as in raw-small.mjs) and hands out batches of paths; each worker
 * runs open/read 4 KiB/close with the sync API, which costs no libuv threadpool round trip and no
 * callback per syscall. Compared with raw-small.mjs it answers: would moving small-file I/O off the
 * main thread into workers pay off? Argument: `{ root, workers, batch? }`.
 */
import fg from 'fast-glob';
import { caseArgs, emit, startWorkers, timed } from '../lib/common.mjs';

/** @type {{ root: string, workers: number, batch?: number }} */
const args = caseArgs();
const BATCH = args.batch ?? 256;

const { value, seconds } = await timed(async () => {
  const workers = await startWorkers(new URL('./workers/read-sync.mjs', import.meta.url), args.workers, null);
  let files = 0;
  let bytesRead = 0;
  /** Workers waiting for a batch. Each worker has at most two batches queued, so the walk stays ahead. */
  const credits = workers.flatMap((w) => [w, w]);
  /** @type {(() => void) | null} */
  let wake = null;
  let outstanding = 0;
  for (const w of workers) {
    w.on('message', (/** @type {{ files: number, bytesRead: number }} */ m) => {
      files += m.files;
      bytesRead += m.bytesRead;
      outstanding--;
      credits.push(w);
      const k = wake;
      wake = null;
      k?.();
    });
  }
  const send = async (/** @type {string[]} */ batch) => {
    while (credits.length === 0) await new Promise((resolve) => (wake = () => resolve(undefined)));
    outstanding++;
    /** @type {import('node:worker_threads').Worker} */ (credits.shift()).postMessage(batch);
  };
  /** @type {string[]} */
  let batch = [];
  for await (const file of /** @type {AsyncIterable<string>} */ (fg.stream(['**'], { cwd: args.root, dot: true, onlyFiles: true, absolute: true }))) {
    batch.push(file);
    if (batch.length === BATCH) {
      await send(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await send(batch);
  while (outstanding > 0) await new Promise((resolve) => (wake = () => resolve(undefined)));
  await Promise.all(workers.map((w) => w.terminate()));
  return { files, bytesRead };
});

emit({ ...value, workers: args.workers, seconds });
