/**
 * Payload bytes of streamed WARC members, kept so that detectors can read them after the listing has
 * moved on: a member up to `limits.maxMemberBytes` whole, a larger one only its first and last
 * {@link STREAM_WINDOW_BYTES} (it is hashed as it passes). Held bytes hang on the Entry object the
 * listing yielded (a WeakMap: they go when the engine lets the entry go), with a small by-path cache
 * for callers that pass a copy of the entry.
 */
import { createHash, type Hash } from 'node:crypto';
import { STREAM_WINDOW_BYTES } from '../../engine/container.js';
import { SourceError } from '../../errors.js';
import type { ByteRange, Entry } from '../../source/types.js';

/** What is held of one member. */
export interface Held {
  size: number;
  /** The whole payload, or null when only the windows are held. */
  whole: Uint8Array | null;
  head: Uint8Array;
  /** The last bytes, starting at `size - tail.length`. */
  tail: Uint8Array;
}

/** Collects one payload as it passes: whole up to `max` bytes, else head and tail windows; hashes all. */
export class PayloadSink {
  readonly #hash: Hash = createHash('sha256');
  #chunks: Uint8Array[] = [];
  #size = 0;
  #head: Uint8Array | null = null;
  #tail: Uint8Array[] = [];
  #tailBytes = 0;
  constructor(private readonly max: number) {}

  get size(): number {
    return this.#size;
  }

  push = (chunk: Uint8Array): void => {
    this.#hash.update(chunk);
    this.#size += chunk.length;
    if (this.#head === null) {
      if (this.#size <= this.max) {
        this.#chunks.push(chunk.slice());
        return;
      }
      // Too large to hold: keep the first window, and from now on only the last one.
      const all = join([...this.#chunks, chunk]);
      this.#chunks = [];
      this.#head = all.slice(0, STREAM_WINDOW_BYTES);
      this.#tail = [all.slice(Math.max(0, all.length - STREAM_WINDOW_BYTES))];
      this.#tailBytes = this.#tail[0]!.length;
      return;
    }
    this.#tail.push(chunk.slice());
    this.#tailBytes += chunk.length;
    while (this.#tail.length > 1 && this.#tailBytes - this.#tail[0]!.length >= STREAM_WINDOW_BYTES) this.#tailBytes -= this.#tail.shift()!.length;
  };

  /** The held bytes and the hex sha256 of the whole payload. */
  finish(): { held: Held; sha256: string } {
    const sha256 = this.#hash.digest('hex');
    if (this.#head === null) {
      const whole = join(this.#chunks);
      return { held: { size: this.#size, whole, head: whole, tail: whole }, sha256 };
    }
    const t = join(this.#tail);
    const tail = t.subarray(Math.max(0, t.length - STREAM_WINDOW_BYTES));
    return { held: { size: this.#size, whole: null, head: this.#head, tail }, sha256 };
  }
}

/** Bytes `[start, end)` of a held member (clipped at its size), or ERR_MEMBER_NOT_HELD. */
export function readHeld(held: Held, range: ByteRange, path: string): Uint8Array {
  const start = Math.max(0, range.start);
  const end = Math.min(range.end, held.size);
  if (end <= start) return new Uint8Array(0);
  if (held.whole) return held.whole.slice(start, end);
  if (end <= held.head.length) return held.head.slice(start, end);
  const tailStart = held.size - held.tail.length;
  if (start >= tailStart) return held.tail.slice(start - tailStart, end - tailStart);
  throw new SourceError(
    'ERR_MEMBER_NOT_HELD',
    `${path}: bytes ${start}-${end} of a ${held.size}-byte streamed payload are no longer held (only the first and last ${STREAM_WINDOW_BYTES} bytes are kept of payloads larger than limits.maxMemberBytes)`,
  );
}

/**
 * Where each listed member's bytes are: by Entry object, and the most recent ones by path (bounded
 * in count and in held bytes), for a caller that passes a copy of the entry.
 */
export class MemberTable<T extends { bytes: number }> {
  readonly #byEntry = new WeakMap<Entry, T>();
  readonly #byPath = new Map<string, T>();
  #pathBytes = 0;
  constructor(
    private readonly maxCount: number,
    private readonly maxBytes: number,
  ) {}

  set(entry: Entry, value: T): void {
    this.#byEntry.set(entry, value);
    const old = this.#byPath.get(entry.path);
    if (old) {
      this.#pathBytes -= old.bytes;
      this.#byPath.delete(entry.path);
    }
    this.#byPath.set(entry.path, value);
    this.#pathBytes += value.bytes;
    for (const [k, v] of this.#byPath) {
      if (this.#byPath.size <= this.maxCount && this.#pathBytes <= this.maxBytes) break;
      if (k === entry.path) break;
      this.#byPath.delete(k);
      this.#pathBytes -= v.bytes;
    }
  }

  get(entry: Entry): T | undefined {
    return this.#byEntry.get(entry) ?? this.#byPath.get(entry.path);
  }
}

function join(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
