import { createHash } from 'node:crypto';
import { SourceError } from '../errors.js';
import type { Entry, Source } from '../source/types.js';
import type { DetectorWants } from './detector.js';

/** Bytes the engine always reads from the start of a file: what file-type needs to sniff a format. */
export const SNIFF_BYTES = 4100;
/** Files up to this size are read whole in one request: cheaper than a head and a tail read. */
export const SMALL_FILE_BYTES = 64 * 1024;
/**
 * The most a larger file's first read takes for content detectors before sniffing shows which of them
 * are interested (name-matched detectors get what they ask for): enough for a sniff and the first
 * structures of most formats. An interested detector that wants more extends the head with one read.
 */
export const FIRST_READ_BYTES = 16 * 1024;

/** The merged wants of every detector that may look at a file. */
export interface ReadPlan {
  /** The largest head any candidate detector may want (kept from a stream at no extra cost). */
  head: number;
  /**
   * The head read first when the file is not streamed: what sniffing and the detectors matched by
   * name are sure to need. Content detectors that turn out to be interested after sniffing may
   * extend it with one more read; until then, a large file is not read further than this.
   */
  firstHead: number;
  tail: number;
  /** Largest `whole.maxBytes` wanted; 0 when no detector wants the whole file. */
  wholeMax: number;
  hash: boolean;
}

export interface Gathered {
  head: Uint8Array;
  tail: Uint8Array | null;
  whole: Uint8Array | null;
  /** True when `head` holds the whole file. */
  complete: boolean;
  sha256: string | null;
  bytesRead: number;
  requests: number;
}

export function mergeWants(wants: readonly DetectorWants[], hash: boolean): ReadPlan {
  let head = SNIFF_BYTES;
  let tail = 0;
  let wholeMax = 0;
  for (const w of wants) {
    head = Math.max(head, w.head ?? 0);
    tail = Math.max(tail, w.tail ?? 0);
    wholeMax = Math.max(wholeMax, w.whole?.maxBytes ?? 0);
  }
  return { head, firstHead: head, tail, wholeMax, hash };
}

/**
 * Reads what the plan needs from one entry in the fewest requests:
 * - a small file (or one no longer than the head), an empty one included: one read of the whole file;
 * - hashing on: one streamed pass that hashes and keeps the head, the tail and, if wanted, the whole;
 * - hashing off: a head read, then at most one more read — the rest of the file when a detector wants
 *   it whole, else the tail.
 * `wantsMore` is asked after the head is sniffed, with the plan of the detectors actually interested.
 */
export async function gather(
  source: Source,
  entry: Entry,
  plan: ReadPlan,
  wantsMore: (head: Uint8Array) => Promise<{ head: number; tail: number; wholeMax: number }>,
  signal?: AbortSignal,
): Promise<Gathered> {
  const size = entry.size;
  if (size <= Math.max(SMALL_FILE_BYTES, plan.firstHead)) {
    // An empty file is read too (for one byte): otherwise a file that vanished, became unreadable or
    // grew since it was listed would be recorded as empty, with the hash of nothing, as if verified.
    // Ask for one byte more than listed: a file that grew since it was listed shows itself.
    const bytes = await source.read(entry, { start: 0, end: size + 1 }, { signal });
    checkLength(bytes.length, size);
    return { head: bytes, tail: null, whole: bytes, complete: true, sha256: plan.hash ? sha256(bytes) : null, bytesRead: bytes.length, requests: 1 };
  }
  if (plan.hash) return streamed(source, entry, plan, signal);

  const first = await source.read(entry, { start: 0, end: plan.firstHead }, { signal });
  checkLength(first.length, Math.min(plan.firstHead, size), true);
  const more = await wantsMore(first);
  const headEnd = Math.min(Math.max(more.head, first.length), size);
  const tailStart = more.tail > 0 ? Math.max(first.length, size - more.tail) : size;
  // The rest of the file in one read when a detector wants it whole, or when the wanted head and
  // tail meet: one request instead of two.
  if (more.wholeMax >= size || (more.tail > 0 && tailStart <= headEnd)) {
    const rest = await source.read(entry, { start: first.length, end: size + 1 }, { signal });
    const whole = concat(first, rest);
    checkLength(whole.length, size);
    return { head: whole.subarray(0, headEnd), tail: null, whole, complete: false, sha256: null, bytesRead: whole.length, requests: 2 };
  }
  let head = first;
  let bytesRead = first.length;
  let requests = 1;
  if (headEnd > first.length) {
    const extension = await source.read(entry, { start: first.length, end: headEnd }, { signal });
    checkLength(extension.length, headEnd - first.length);
    head = concat(first, extension);
    bytesRead += extension.length;
    requests++;
  }
  if (more.tail > 0) {
    // One byte past the listed end: a file that grew shows itself instead of handing over a stale "tail".
    const start = Math.max(head.length, tailStart);
    const tail = await source.read(entry, { start, end: size + 1 }, { signal });
    checkLength(tail.length, size - start);
    return { head, tail, whole: null, complete: false, sha256: null, bytesRead: bytesRead + tail.length, requests: requests + 1 };
  }
  return { head, tail: null, whole: null, complete: false, sha256: null, bytesRead, requests };
}

async function streamed(source: Source, entry: Entry, plan: ReadPlan, signal?: AbortSignal): Promise<Gathered> {
  const size = entry.size;
  const hash = createHash('sha256');
  const keepWhole = plan.wholeMax >= size;
  const whole = keepWhole ? new Uint8Array(size) : null;
  const head = whole ? null : new Uint8Array(Math.min(plan.head, size));
  const tailStart = Math.max(plan.head, size - plan.tail);
  const tail = !whole && plan.tail > 0 && tailStart < size ? new Uint8Array(size - tailStart) : null;
  let pos = 0;
  for await (const chunk of source.stream(entry, { signal })) {
    hash.update(chunk);
    const end = pos + chunk.length;
    if (end > size) throw new SourceError('ERR_CHANGED_DURING_READ', `the file grew while it was read (listed ${size} bytes)`);
    if (whole) whole.set(chunk, pos);
    if (head && pos < head.length) head.set(chunk.subarray(0, head.length - pos), pos);
    if (tail && end > tailStart) {
      const from = Math.max(0, tailStart - pos);
      tail.set(chunk.subarray(from), pos + from - tailStart);
    }
    pos = end;
  }
  checkLength(pos, size);
  const headBytes = whole ? whole.subarray(0, Math.min(plan.head, size)) : head!;
  return { head: headBytes, tail, whole, complete: false, sha256: hash.digest('hex'), bytesRead: pos, requests: 1 };
}

function checkLength(got: number, expected: number, atMost = false): void {
  if (got === expected) return;
  if (atMost && got > expected) return;
  throw new SourceError(
    'ERR_CHANGED_DURING_READ',
    got > expected ? `the file grew while it was read (listed ${expected} bytes)` : `the file shrank while it was read (${got} of ${expected} bytes)`,
  );
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
