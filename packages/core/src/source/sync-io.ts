import { Worker } from 'node:worker_threads';

/**
 * Small-file I/O on worker threads with synchronous calls. Each open/read/fstat/close through the
 * callback API is a round trip through libuv's thread pool; for a file of a few KiB those round trips
 * cost more than the work. Here a worker does the whole sequence for a batch of files in synchronous
 * calls and posts the bytes back in one message, so the main thread — busy with detectors — pays one
 * message per batch instead of four hand-offs per file.
 *
 * The worker's code is a plain-JavaScript string (no file to locate once bundled or run from sources).
 */
const WORKER_CODE = `
const fs = require('node:fs');
const { parentPort } = require('node:worker_threads');
const NOATIME = fs.constants.O_NOATIME || 0;
function openFile(path, flags) {
  if (NOATIME === 0) return fs.openSync(path, flags);
  try { return fs.openSync(path, flags | NOATIME); }
  catch (err) { if (err.code === 'EPERM') return fs.openSync(path, flags); throw err; }
}
function fail(err) { return { code: err.code, message: err.message }; }
function statOf(st) { return { size: st.size, mtimeMs: st.mtimeMs, isFile: st.isFile() }; }
parentPort.on('message', (batch) => {
  const out = [];
  const transfer = [];
  for (const job of batch) {
    if (job.op === 'lstat') {
      try { out.push({ id: job.id, stat: statOf(fs.lstatSync(job.path)) }); }
      catch (err) { out.push({ id: job.id, error: fail(err) }); }
      continue;
    }
    let fd;
    try { fd = openFile(job.path, job.flags); }
    catch (err) { out.push({ id: job.id, error: fail(err), phase: 'open' }); continue; }
    const buf = new Uint8Array(job.want);
    let got = 0;
    let readError;
    try {
      while (got < job.want) {
        const asked = job.want - got;
        const n = fs.readSync(fd, buf, got, asked, job.start + got);
        got += n;
        if (n < asked) break;
      }
    } catch (err) { readError = fail(err); }
    let stat;
    let statError;
    try { stat = statOf(fs.fstatSync(fd)); } catch (err) { statError = fail(err); }
    try { fs.closeSync(fd); } catch {}
    transfer.push(buf.buffer);
    out.push({ id: job.id, bytes: buf, got, stat, readError, statError });
  }
  parentPort.postMessage(out, transfer);
});
`;

export interface SyncStat {
  size: number;
  mtimeMs: number;
  isFile: boolean;
}

export interface SyncError {
  code?: string;
  message: string;
}

/** What one read job gives: the bytes, and the file's stat taken after the read (fstat on the same descriptor). */
export interface SyncRead {
  bytes: Uint8Array;
  stat?: SyncStat;
  readError?: SyncError;
  statError?: SyncError;
}

type Job = { id: number; op: 'read'; path: string | Buffer; flags: number; start: number; want: number } | { id: number; op: 'lstat'; path: string | Buffer };
type Reply = { id: number; error?: SyncError; phase?: string; stat?: SyncStat; bytes?: Uint8Array; got?: number; readError?: SyncError; statError?: SyncError };

/** Rebuilds an errno-style error so that the usual errno mapping applies. */
export function errnoError(e: SyncError): NodeJS.ErrnoException {
  const err = new Error(e.message) as NodeJS.ErrnoException;
  if (e.code !== undefined) err.code = e.code;
  return err;
}

/**
 * A pool of `threads` workers. Jobs queued in one turn of the event loop go out as one batch per
 * worker; a worker with a batch in flight gets the next one when it answers. Workers are unref'd and
 * end with `close()`.
 */
export class SyncIoPool {
  readonly #threads: number;
  readonly #workers: { worker: Worker; busy: Set<number> }[] = [];
  readonly #waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: unknown) => void }>();
  #queue: Job[] = [];
  #scheduled = false;
  #nextId = 1;
  #closed = false;

  constructor(threads: number) {
    this.#threads = threads;
  }

  read(path: string | Buffer, flags: number, start: number, want: number): Promise<SyncRead & { openError?: SyncError }> {
    return this.#submit({ id: this.#nextId++, op: 'read', path, flags, start, want }).then((r) => {
      if (r.error) return { bytes: new Uint8Array(0), openError: r.error };
      const bytes = r.bytes!;
      return {
        bytes: r.got === bytes.length ? bytes : bytes.subarray(0, r.got),
        ...(r.stat ? { stat: r.stat } : {}),
        ...(r.readError ? { readError: r.readError } : {}),
        ...(r.statError ? { statError: r.statError } : {}),
      };
    });
  }

  lstat(path: string | Buffer): Promise<SyncStat> {
    return this.#submit({ id: this.#nextId++, op: 'lstat', path }).then((r) => {
      if (r.error) throw errnoError(r.error);
      return r.stat!;
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
    for (const w of this.#waiting.values()) w.reject(new Error('I/O pool closed'));
    this.#waiting.clear();
  }

  #submit(job: Job): Promise<Reply> {
    if (this.#closed) return Promise.reject(new Error('I/O pool closed'));
    return new Promise<Reply>((resolve, reject) => {
      this.#waiting.set(job.id, { resolve, reject });
      this.#queue.push(job);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /**
   * Sends the queued jobs to the idle workers, split evenly. A worker has at most one batch in
   * flight: jobs queued meanwhile wait for its answer and go out together, so batches grow with the
   * load and the cost of a message is shared by many files.
   */
  #flush(): void {
    this.#scheduled = false;
    if (this.#queue.length === 0) return;
    while (this.#workers.length < this.#threads) this.#workers.push(this.#spawn());
    const idle = this.#workers.filter((w) => w.busy.size === 0);
    if (idle.length === 0) return;
    const jobs = this.#queue;
    this.#queue = [];
    const per = Math.ceil(jobs.length / idle.length);
    for (let i = 0, w = 0; i < jobs.length; i += per, w++) {
      const slice = jobs.slice(i, i + per);
      const target = idle[w]!;
      // A worker with work in flight keeps the process alive; an idle one does not.
      target.worker.ref();
      for (const job of slice) target.busy.add(job.id);
      target.worker.postMessage(slice);
    }
  }

  #spawn(): { worker: Worker; busy: Set<number> } {
    const worker = new Worker(WORKER_CODE, { eval: true });
    worker.unref();
    const slot = { worker, busy: new Set<number>() };
    worker.on('message', (replies: Reply[]) => {
      for (const r of replies) slot.busy.delete(r.id);
      if (slot.busy.size === 0) worker.unref();
      for (const r of replies) {
        const w = this.#waiting.get(r.id);
        if (!w) continue;
        this.#waiting.delete(r.id);
        w.resolve(r);
      }
      if (this.#queue.length > 0) this.#flush();
    });
    worker.on('error', (err) => {
      // A worker that dies fails its jobs; the next batch gets a fresh worker.
      const i = this.#workers.indexOf(slot);
      if (i >= 0) this.#workers.splice(i, 1);
      for (const id of slot.busy) {
        this.#waiting.get(id)?.reject(err);
        this.#waiting.delete(id);
      }
      slot.busy.clear();
      if (this.#queue.length > 0 && !this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
    return slot;
  }
}
