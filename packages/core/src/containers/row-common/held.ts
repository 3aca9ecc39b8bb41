/**
 * The rows a streaming row container (JSON Lines, CSV) has listed and still holds, so that the
 * engine can read them just after listing them: a bounded window, oldest out first. A row read
 * after it left the window fails with `ERR_MEMBER_NOT_HELD`. Not a container.
 */
import { createHash } from 'node:crypto';
import { SourceError } from '../../errors.js';
import { STREAM_WINDOW_BYTES } from '../../engine/container.js';
import type { ByteRange, Entry } from '../../source/types.js';

/** Bounds of the window. The engine reads at most 32 members at once, soon after listing them. */
export interface HeldLimits {
  /** Rows held. Default 4,096. */
  rows: number;
  /** Bytes held across those rows. Default 256 MiB. */
  bytes: number;
  /** A row longer than this keeps only its first and last {@link STREAM_WINDOW_BYTES}. */
  maxMemberBytes: number;
}

interface Held {
  size: number;
  /** The whole member, or null when only the windows are kept. */
  whole: Uint8Array | null;
  head: Uint8Array;
  tail: Uint8Array;
  cost: number;
}

/** A window of held member bytes, by member path. Safe for concurrent reads (reads never wait). */
export class HeldRows {
  readonly #limits: HeldLimits;
  readonly #held = new Map<string, Held>();
  /** Paths in the order held, oldest at `#first`: a queue, since a Map's first key is slow to find after many deletes. */
  #order: { path: string; held: Held }[] = [];
  #first = 0;
  #bytes = 0;

  constructor(limits: Partial<HeldLimits> & { maxMemberBytes: number }) {
    this.#limits = { rows: 4096, bytes: 256 * 1024 * 1024, ...limits };
  }

  /**
   * Holds the bytes of a member about to be listed. Returns the sha256 (hex) of a member too large to
   * hold whole, computed here because nothing else will see all its bytes; a member held whole is
   * hashed by the engine, and only when the scan hashes.
   */
  hold(path: string, bytes: Uint8Array): string | undefined {
    let held: Held;
    let sha256: string | undefined;
    if (bytes.length <= this.#limits.maxMemberBytes) {
      held = { size: bytes.length, whole: bytes, head: bytes, tail: bytes, cost: bytes.length };
    } else {
      sha256 = createHash('sha256').update(bytes).digest('hex');
      // Copies: a view would keep the whole row alive.
      const head = Uint8Array.prototype.slice.call(bytes, 0, STREAM_WINDOW_BYTES);
      const tail = Uint8Array.prototype.slice.call(bytes, bytes.length - STREAM_WINDOW_BYTES);
      held = { size: bytes.length, whole: null, head, tail, cost: head.length + tail.length };
    }
    this.#drop(path);
    this.#held.set(path, held);
    this.#order.push({ path, held });
    this.#bytes += held.cost;
    while (this.#held.size > this.#limits.rows || (this.#bytes > this.#limits.bytes && this.#held.size > 1)) {
      const oldest = this.#order[this.#first++]!;
      // A path held again later (a second listing) sits twice in the queue: only its newest place counts.
      if (this.#held.get(oldest.path) === oldest.held) this.#drop(oldest.path);
    }
    if (this.#first > 4096 && this.#first * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#first);
      this.#first = 0;
    }
    return sha256;
  }

  #drop(path: string): void {
    const h = this.#held.get(path);
    if (h === undefined) return;
    this.#bytes -= h.cost;
    this.#held.delete(path);
  }

  /** Bytes `[start, end)` of a held member, clipped to its size. */
  read(entry: Entry, range: ByteRange): Uint8Array {
    const h = this.#held.get(entry.path);
    if (h === undefined) throw new SourceError('ERR_MEMBER_NOT_HELD', `row ${entry.path} is no longer held (rows are kept only a short while after they are listed)`);
    const start = Math.max(0, Math.min(range.start, h.size));
    const end = Math.max(start, Math.min(range.end, h.size));
    if (h.whole !== null) return h.whole.subarray(start, end);
    if (end <= h.head.length) return h.head.subarray(start, end);
    const tailStart = h.size - h.tail.length;
    if (start >= tailStart) return h.tail.subarray(start - tailStart, end - tailStart);
    throw new SourceError('ERR_MEMBER_NOT_HELD', `row ${entry.path} is ${h.size} bytes; only its first and last ${STREAM_WINDOW_BYTES} are held`);
  }

  /** The whole member as one chunk; `ERR_MEMBER_NOT_HELD` when only its windows are held. */
  async *stream(entry: Entry): AsyncGenerator<Uint8Array> {
    const h = this.#held.get(entry.path);
    if (h === undefined || h.whole === null) this.read(entry, { start: 0, end: Number.MAX_SAFE_INTEGER });
    else yield h.whole;
  }

  clear(): void {
    this.#held.clear();
    this.#order = [];
    this.#first = 0;
    this.#bytes = 0;
  }
}
