/**
 * Forward cursors over a WARC's bytes, in the two layouts it comes in:
 * - {@link RangeCursor}: an uncompressed `.warc`, read by ranges of the parent (`source.read`), so a
 *   payload the listing does not need is skipped without being read (on S3: not downloaded);
 * - {@link StreamCursor}: a `.warc.gz` (a concatenation of gzip members, one per record as WARC 1.1
 *   Annex D recommends, or one for the whole file), streamed once through zlib, with the container's
 *   limits on decompressed bytes and on the compression ratio checked as bytes come out.
 * Both hold at most one window (a few hundred KiB) whatever the size of the file.
 */
import { createGunzip, type Gunzip } from 'node:zlib';
import type { ContainerLimits } from '../../engine/container.js';
import { SourceError } from '../../errors.js';
import type { Entry, Source } from '../../source/types.js';

/** What the listing needs of the bytes: look ahead, skip, and pass bytes through. */
export interface Cursor {
  /** Offset of the next byte, in the (decompressed) WARC. */
  readonly pos: number;
  /** Up to `n` bytes from `pos` without consuming them; fewer only at the end of the WARC. */
  peek(n: number): Promise<Uint8Array>;
  /** Consumes `n` bytes; throws ERR_CONTAINER_CORRUPT when the WARC ends first. */
  skip(n: number): Promise<void>;
  /** Consumes `n` bytes, handing each piece to `sink`; throws ERR_CONTAINER_CORRUPT when the WARC ends first. */
  pipe(n: number, sink: (chunk: Uint8Array) => void): Promise<void>;
  /** Marks the start of a record: ratio limits are checked per record from here. */
  markRecord(): void;
  /** Checks for anything after the last record that is not a WARC (trailing bytes the decompressor ignored). */
  finish(): Promise<void>;
  close(): Promise<void>;
}

const READ_WINDOW = 256 * 1024;

function truncated(at: number): SourceError {
  return new SourceError('ERR_CONTAINER_CORRUPT', `the WARC ends in the middle of a record (at byte ${at})`);
}

/** An uncompressed WARC read by ranges of the parent entry. */
export class RangeCursor implements Cursor {
  #pos = 0;
  #buf: Uint8Array = new Uint8Array(0);
  #bufStart = 0;
  constructor(
    private readonly source: Source,
    private readonly entry: Entry,
    private readonly signal?: AbortSignal,
  ) {}

  get pos(): number {
    return this.#pos;
  }

  async peek(n: number): Promise<Uint8Array> {
    const want = Math.min(n, this.entry.size - this.#pos);
    if (want <= 0) return new Uint8Array(0);
    const off = this.#pos - this.#bufStart;
    if (off >= 0 && off + want <= this.#buf.length) return this.#buf.subarray(off, off + want);
    this.#buf = await this.source.read(this.entry, { start: this.#pos, end: this.#pos + Math.max(want, READ_WINDOW) }, { ...(this.signal ? { signal: this.signal } : {}) });
    this.#bufStart = this.#pos;
    return this.#buf.subarray(0, Math.min(want, this.#buf.length));
  }

  async skip(n: number): Promise<void> {
    if (this.#pos + n > this.entry.size) throw truncated(this.entry.size);
    this.#pos += n;
  }

  async pipe(n: number, sink: (chunk: Uint8Array) => void): Promise<void> {
    let left = n;
    while (left > 0) {
      this.signal?.throwIfAborted();
      const chunk = await this.peek(Math.min(left, READ_WINDOW));
      if (chunk.length === 0) throw truncated(this.#pos);
      sink(chunk);
      this.#pos += chunk.length;
      left -= chunk.length;
    }
  }

  markRecord(): void {}
  async finish(): Promise<void> {}
  async close(): Promise<void> {}
}

/** Bytes decompressed before the ratio is judged: tiny records compress very well and are no bomb. */
const RATIO_GRACE = 1024 * 1024;

/** Compressed bytes handed to zlib at once: what one step may inflate to is bounded by about 1032 times this. */
const FEED_BYTES = 8 * 1024;

/**
 * Where the next piece fed to zlib ends: at most {@link FEED_BYTES}, and before the next thing that
 * looks like the start of a gzip member (1f 8b 08). When zlib fails, the output of the piece it was
 * given is lost with it; cut this way, a damaged member costs its own records, not its neighbours'.
 */
function pieceEnd(bytes: Uint8Array): number {
  const limit = Math.min(bytes.length, FEED_BYTES);
  for (let i = bytes.indexOf(0x1f, 1); i >= 0 && i < limit; i = bytes.indexOf(0x1f, i + 1)) {
    if (bytes[i + 1] === 0x8b && bytes[i + 2] === 0x08) return i;
  }
  return limit;
}

/**
 * A gzip-compressed WARC streamed through zlib. zlib is fed by hand, a few KiB at a time, and its
 * output queued: an error (corrupt or cut-short gzip) is raised only once everything decompressed
 * before it has been consumed, so the records before the damage are listed.
 */
export class StreamCursor implements Cursor {
  #pos = 0;
  #chunks: Uint8Array[] = [];
  #held = 0;
  #fed = 0;
  #out = 0;
  #recordIn = 0;
  #recordOut = 0;
  #queue: Uint8Array[] = [];
  #error: unknown = null;
  #zEnded = false;
  #inputDone = false;
  #pending: Uint8Array | null = null;
  readonly #gunzip: Gunzip;
  readonly #input: AsyncIterator<Uint8Array>;

  constructor(
    source: Source,
    entry: Entry,
    private readonly limits: ContainerLimits,
    private readonly signal?: AbortSignal,
  ) {
    this.#input = source.stream(entry, { ...(signal ? { signal } : {}) })[Symbol.asyncIterator]();
    this.#gunzip = createGunzip();
    this.#gunzip.on('data', (c: Buffer) => this.#queue.push(new Uint8Array(c.buffer, c.byteOffset, c.byteLength)));
    // A write whose callback zlib never calls (after an error, or after the end it found in
    // trailing bytes) is released by these events.
    this.#gunzip.on('error', (err) => {
      this.#error ??= err;
      this.#wake();
    });
    this.#gunzip.on('end', () => {
      this.#zEnded = true;
      this.#wake();
    });
    this.#gunzip.on('close', () => this.#wake());
  }

  #waiter: (() => void) | null = null;
  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  /** Resolves when zlib has taken `piece` (or has ended or failed). */
  #write(piece: Uint8Array | null): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#waiter = resolve;
      if (this.#error !== null || this.#gunzip.destroyed || this.#gunzip.writableEnded) return this.#wake();
      if (piece === null) this.#gunzip.end();
      else this.#gunzip.write(piece, () => this.#wake());
    });
  }

  /** Feeds zlib until it has output, ends, or fails. */
  async #feed(): Promise<void> {
    while (this.#queue.length === 0 && !this.#zEnded && this.#error === null) {
      this.signal?.throwIfAborted();
      if (this.#pending === null || this.#pending.length === 0) {
        if (this.#inputDone) {
          await this.#write(null);
          if (!this.#zEnded && this.#error === null && this.#queue.length === 0) await new Promise<void>((resolve) => (this.#waiter = resolve));
          this.#zEnded = true;
          return;
        }
        const r = await this.#input.next();
        if (r.done) {
          this.#inputDone = true;
          continue;
        }
        this.#pending = r.value;
        this.#fed += r.value.length;
        continue;
      }
      const piece = this.#pending.subarray(0, pieceEnd(this.#pending));
      this.#pending = this.#pending.subarray(piece.length);
      await this.#write(piece);
    }
  }

  /** Pulls one more decompressed chunk; false at the end. */
  async #pull(): Promise<boolean> {
    if (this.#queue.length === 0) await this.#feed();
    const chunk = this.#queue.shift();
    if (chunk === undefined) {
      if (this.#error !== null) {
        const e = this.#error as { code?: string; message?: string };
        throw new SourceError('ERR_CONTAINER_CORRUPT', `gzip data is corrupt or cut short after ${this.#out} decompressed bytes (${e.message ?? String(e.code)})`, { cause: this.#error });
      }
      return false;
    }
    this.#out += chunk.length;
    this.#recordOut += chunk.length;
    this.#chunks.push(chunk);
    this.#held += chunk.length;
    this.#checkLimits();
    return true;
  }
  get pos(): number {
    return this.#pos;
  }

  #checkLimits(): void {
    const consumed = this.#gunzip.bytesWritten;
    if (this.#out > this.limits.maxExpandedBytes) {
      throw new SourceError('ERR_CONTAINER_LIMIT', `the WARC decompresses to more than ${this.limits.maxExpandedBytes} bytes (limits.maxExpandedBytes)`);
    }
    if (this.#out > RATIO_GRACE && this.#out > consumed * this.limits.maxRatio) {
      throw new SourceError('ERR_CONTAINER_LIMIT', `the WARC decompresses more than ${this.limits.maxRatio} times (limits.maxRatio): ${this.#out} bytes from ${consumed}`);
    }
    // zlib reports what it consumed a piece at a time: count the piece in flight, so a record that
    // began inside it is not judged on nothing.
    const recordIn = consumed - this.#recordIn + FEED_BYTES;
    if (this.#recordOut > RATIO_GRACE && this.#recordOut > recordIn * this.limits.maxRatio) {
      throw new SourceError('ERR_CONTAINER_LIMIT', `a record decompresses more than ${this.limits.maxRatio} times (limits.maxRatio): ${this.#recordOut} bytes from about ${recordIn}`);
    }
  }

  markRecord(): void {
    this.#recordIn = this.#gunzip.bytesWritten;
    this.#recordOut = this.#held;
  }

  async peek(n: number): Promise<Uint8Array> {
    try {
      while (this.#held < n && (await this.#pull()));
    } catch (err) {
      // What was decompressed before the damage is still good: the error comes when it is needed.
      if (this.#held === 0) throw err;
    }
    if (this.#chunks.length === 0) return new Uint8Array(0);
    const first = this.#chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    // Join the pieces once, so the next peek of the same bytes is free.
    const joined = new Uint8Array(this.#held);
    let at = 0;
    for (const c of this.#chunks) {
      joined.set(c, at);
      at += c.length;
    }
    this.#chunks = [joined];
    return joined.subarray(0, Math.min(n, joined.length));
  }

  async skip(n: number): Promise<void> {
    await this.pipe(n, () => {});
  }

  async pipe(n: number, sink: (chunk: Uint8Array) => void): Promise<void> {
    let left = n;
    while (left > 0) {
      if (this.#chunks.length === 0 && !(await this.#pull())) throw truncated(this.#pos);
      const c = this.#chunks[0]!;
      const take = Math.min(left, c.length);
      sink(c.subarray(0, take));
      if (take === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(take);
      this.#held -= take;
      this.#pos += take;
      left -= take;
    }
  }

  async finish(): Promise<void> {
    while (await this.#pull());
    // zlib stops at bytes that do not start another gzip member and ignores them: say so.
    const consumed = this.#gunzip.bytesWritten;
    if (consumed < this.#fed) throw new SourceError('ERR_CONTAINER_CORRUPT', `${this.#fed - consumed} bytes after the last gzip member are not gzip data`);
  }

  async close(): Promise<void> {
    this.#gunzip.destroy();
    await this.#input.return?.();
  }
}
