/**
 * yauzl over ranged reads of the parent source: a `RandomAccessReader` whose reads become
 * `source.read(entry, {start, end})`, so that a zip on S3 costs its end record and central directory
 * (a few large requests), not a download.
 *
 * yauzl walks the central directory with two small reads per entry (the 46 fixed bytes, then name,
 * extra and comment); each of those would be a request. The reader therefore answers small reads
 * from a few read-ahead windows (the end of the file, which holds the whole directory of most
 * archives, is read once and kept), so a directory of 10,000 entries costs a handful of requests.
 */
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { SourceError } from '../../errors.js';
import type { Entry, Source } from '../../source/types.js';

/** Bytes read ahead for a directory read that misses the windows held. */
const WINDOW_BYTES = 1024 * 1024;
/** Windows kept besides the end of the file. */
const WINDOWS = 3;
/** Bytes yauzl reads from the end to find the end record: its comment may be 65,535 bytes, and a ZIP64 locator precedes it. */
export const TAIL_BYTES = 22 + 20 + 0xffff;

interface Piece {
  start: number;
  bytes: Uint8Array;
}

/** A yauzl RandomAccessReader over one entry of a Source. */
export class SourceReader extends yauzl.RandomAccessReader {
  readonly #source: Source;
  readonly #entry: Entry;
  readonly #size: number;
  readonly #signal: AbortSignal | undefined;
  /** Held for good: the whole entry when the engine gave it all, else the tail once read. */
  readonly #pinned: Piece[] = [];
  /** Most recently used first. */
  #windows: Piece[] = [];
  /** Parent reads made, and bytes they returned (for tests and figures). */
  requests = 0;
  bytesRead = 0;

  constructor(source: Source, entry: Entry, head: Uint8Array, complete: boolean, signal?: AbortSignal) {
    super();
    this.#source = source;
    this.#entry = entry;
    this.#size = entry.size;
    this.#signal = signal;
    if (complete && head.length >= entry.size) this.#pinned.push({ start: 0, bytes: head.subarray(0, entry.size) });
  }

  /** Bytes `[start, end)` of the parent entry, exactly that many or a SourceError (ERR_CONTAINER_CORRUPT when the entry is shorter). */
  async fetch(start: number, end: number): Promise<Uint8Array> {
    const held = this.#held(start, end);
    if (held) return held;
    if (end > this.#size) throw new SourceError('ERR_CONTAINER_CORRUPT', `zip data runs past the end of the file (offset ${end} of ${this.#size})`);
    this.requests++;
    const got = await this.#source.read(this.#entry, { start, end }, this.#signal ? { signal: this.#signal } : {});
    this.bytesRead += got.length;
    if (got.length < end - start) throw new SourceError('ERR_CONTAINER_CORRUPT', `zip file shorter than listed: wanted bytes ${start}–${end}, got ${got.length}`);
    return got.length === end - start ? got : got.subarray(0, end - start);
  }

  #held(start: number, end: number): Uint8Array | null {
    for (const p of this.#pinned) if (p.start <= start && p.start + p.bytes.length >= end) return p.bytes.subarray(start - p.start, end - p.start);
    for (let i = 0; i < this.#windows.length; i++) {
      const p = this.#windows[i]!;
      if (p.start <= start && p.start + p.bytes.length >= end) {
        if (i > 0) this.#windows = [p, ...this.#windows.filter((w) => w !== p)];
        return p.bytes.subarray(start - p.start, end - p.start);
      }
    }
    return null;
  }

  /** Reads for the directory walk: from the windows, or a new window read ahead from `position`. */
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null, bytesRead?: number) => void): void {
    const end = position + length;
    const held = this.#held(position, end);
    if (held) {
      buffer.set(held, offset);
      queueMicrotask(() => callback(null, length));
      return;
    }
    // The first read is yauzl's search for the end record: keep the tail for the next listing too.
    const tail = end === this.#size && length >= Math.min(this.#size, TAIL_BYTES) - 1;
    const windowEnd = tail ? end : Math.min(this.#size, Math.max(end, position + WINDOW_BYTES));
    this.fetch(position, windowEnd).then(
      (bytes) => {
        const piece = { start: position, bytes };
        if (tail) this.#pinned.push(piece);
        else this.#windows = [piece, ...this.#windows].slice(0, WINDOWS);
        buffer.set(bytes.subarray(0, length), offset);
        callback(null, length);
      },
      (err: unknown) => callback(err as Error),
    );
  }

  /** yauzl reads member data through this; members are read by the container itself, so it is only a fallback. */
  override _readStreamForRange(start: number, end: number): Readable {
    const fetch = (from: number, to: number) => this.fetch(from, to);
    return Readable.from(
      (async function* () {
        for (let at = start; at < end; at += WINDOW_BYTES) yield Buffer.from(await fetch(at, Math.min(end, at + WINDOW_BYTES)));
      })(),
      { objectMode: false, highWaterMark: 1 },
    );
  }
}

/** yauzl's options here: entries one at a time, nothing closed behind our back, names decoded by us (see names.ts). */
const OPTIONS: yauzl.Options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: false };

/** Opens the archive's end record (and ZIP64 end record) through yauzl. */
export function openZip(reader: SourceReader, size: number): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromRandomAccessReader(reader, size, OPTIONS, (err, zipfile) => (err ? reject(err) : resolve(zipfile)));
  });
}

/** The central directory entries, one at a time, in constant memory. */
export async function* directoryEntries(zipfile: yauzl.ZipFile): AsyncGenerator<yauzl.Entry> {
  let done = false;
  const failed: { error: Error | null } = { error: null };
  const check = () => {
    if (failed.error) throw failed.error;
  };
  let waiting: ((e: yauzl.Entry | null) => void) | null = null;
  const onEntry = (e: yauzl.Entry) => waiting?.(e);
  const onEnd = () => {
    done = true;
    waiting?.(null);
  };
  const onError = (err: Error) => {
    failed.error = err;
    waiting?.(null);
  };
  zipfile.on('entry', onEntry);
  zipfile.on('end', onEnd);
  zipfile.on('error', onError);
  try {
    for (;;) {
      check();
      if (done) return;
      const next = await new Promise<yauzl.Entry | null>((resolve) => {
        waiting = resolve;
        zipfile.readEntry();
      });
      waiting = null;
      check();
      if (next === null) return;
      yield next;
    }
  } finally {
    zipfile.off('entry', onEntry);
    zipfile.off('end', onEnd);
    zipfile.off('error', onError);
    zipfile.close();
  }
}
