/**
 * A sparse view of one file's bytes: the pieces the engine read (head, tail, whole, further ranges)
 * stitched into contiguous runs. Container walkers read through it and, when a structure points at
 * bytes that were not read, record a {@link ByteView.need} instead of guessing; a detector's
 * `wants.ranges` returns those needs so that the engine reads them in the next round.
 */
import { RANGE_LIMITS } from '../../engine/detector.js';
import type { ByteRange } from '../../source/types.js';

/** What a view is built from: the fields of a detector's input or of a `wants.ranges` view. */
export interface ByteSource {
  size: number;
  head: Uint8Array;
  tail?: Uint8Array | null;
  whole?: Uint8Array | null;
  ranges?: readonly { start: number; end: number; bytes: Uint8Array }[];
  /** The engine's read round when building a view for `wants.ranges` (0 first); absent in `detect`. */
  round?: number;
}

interface Run {
  start: number;
  bytes: Uint8Array;
}

/** Largest single range a walker asks for: keeps one hostile length from taking the engine's whole byte budget in one go. */
export const MAX_NEED_BYTES = 8 * 1024 * 1024;

/**
 * How far a walker reads ahead from the next structure header it has not read (a JPEG segment, a PNG
 * chunk, a box): enough for the header and, usually, the few small structures after it, so that one
 * read round follows several of them.
 */
export const LOOKAHEAD_BYTES = 16 * 1024;
/**
 * The read-ahead in the engine's last read round (`RANGE_LIMITS.rounds`, 3): there is no further round
 * to follow a chain header by header, so the walk asks for a wide window at once, as the fixed
 * 1 MiB step did before reads followed the structure.
 */
export const LAST_ROUND_AHEAD_BYTES = 1024 * 1024;
/** The engine's read rounds for `wants.ranges` (engine/detector.ts RANGE_LIMITS.rounds). */
const LAST_ROUND = RANGE_LIMITS.rounds - 1;
/** Needed ranges closer than this are asked as one: a request costs more than a few KiB read. */
const COALESCE_GAP = 4 * 1024;

export class ByteView {
  readonly size: number;
  /** The read round this view was built for (`wants.ranges`), or undefined in `detect`. */
  readonly round: number | undefined;
  readonly #runs: Run[];
  readonly #needs: ByteRange[] = [];

  constructor(source: ByteSource) {
    this.size = source.size;
    this.round = source.round;
    const pieces: Run[] = [];
    if (source.whole) pieces.push({ start: 0, bytes: source.whole });
    else {
      pieces.push({ start: 0, bytes: source.head });
      if (source.tail) pieces.push({ start: source.size - source.tail.length, bytes: source.tail });
      for (const r of source.ranges ?? []) pieces.push({ start: r.start, bytes: r.bytes });
    }
    this.#runs = merge(pieces.filter((p) => p.bytes.length > 0));
  }

  /** A view of bytes held whole in memory (tests, nested containers). */
  static of(bytes: Uint8Array): ByteView {
    return new ByteView({ size: bytes.length, head: bytes, whole: bytes });
  }

  /** The contiguous runs held, in file order. */
  get runs(): readonly { readonly start: number; readonly bytes: Uint8Array }[] {
    return this.#runs;
  }

  /**
   * Ranges asked for while walking, clipped to the file and to {@link MAX_NEED_BYTES} each, in file
   * order, with overlapping, adjacent and nearby ones joined ({@link coalesce}).
   */
  get needs(): readonly ByteRange[] {
    return coalesce(this.#needs);
  }

  /**
   * Asks for the bytes from `start` on when the next structure header there was not read: a
   * {@link LOOKAHEAD_BYTES} window, or {@link LAST_ROUND_AHEAD_BYTES} in the engine's last round.
   */
  ahead(start: number): void {
    this.need(start, start + (this.round === LAST_ROUND ? LAST_ROUND_AHEAD_BYTES : LOOKAHEAD_BYTES));
  }

  /** Bytes [start, end) when they were read, else null. Never throws on odd numbers. */
  get(start: number, end: number): Uint8Array | null {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end > this.size) return null;
    for (const run of this.#runs) {
      if (run.start <= start && end <= run.start + run.bytes.length) return run.bytes.subarray(start - run.start, end - run.start);
    }
    return null;
  }

  /** Like {@link get}, but records a need for the range when it was not read. */
  want(start: number, end: number): Uint8Array | null {
    const got = this.get(start, end);
    if (got === null) this.need(start, end);
    return got;
  }

  /** The bytes from `start` up to `max` bytes, as far as they were read without a gap; null when `start` itself was not read. */
  from(start: number, max = Number.MAX_SAFE_INTEGER): Uint8Array | null {
    if (!Number.isSafeInteger(start) || start < 0) return null;
    for (const run of this.#runs) {
      const end = run.start + run.bytes.length;
      if (run.start <= start && start < end) return run.bytes.subarray(start - run.start, Math.min(end, start + max) - run.start);
    }
    return null;
  }

  /** Asks for [start, end) in the next read round; ignored when it was read or lies outside the file. */
  need(start: number, end: number): void {
    if (!Number.isFinite(start) || !Number.isFinite(end)) return;
    let s = Math.max(0, Math.floor(start));
    let e = Math.min(this.size, Math.floor(end), s + MAX_NEED_BYTES);
    if (e <= s || this.get(s, e) !== null) return;
    // Only the part not read: a structure that starts in the head and runs past it costs its rest.
    for (const run of this.#runs) {
      const runEnd = run.start + run.bytes.length;
      if (run.start <= s && s < runEnd) s = runEnd;
      if (run.start < e && e <= runEnd && run.start > s) e = run.start;
    }
    if (e <= s) return;
    if (this.#needs.some((n) => n.start <= s && e <= n.end)) return;
    this.#needs.push({ start: s, end: e });
  }
}

/**
 * Ranges sorted and joined where they overlap, touch or lie less than 4 KiB apart. Detectors that ask
 * for embedded metadata normalise their ranges with this, so that two of them needing the same bytes
 * ask for the same ranges, which the engine then reads once.
 */
export function coalesce(ranges: readonly ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: ByteRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.start <= last.end + COALESCE_GAP) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

function merge(pieces: Run[]): Run[] {
  pieces.sort((a, b) => a.start - b.start);
  const out: Run[] = [];
  for (const p of pieces) {
    const last = out[out.length - 1];
    const lastEnd = last ? last.start + last.bytes.length : -1;
    if (!last || p.start > lastEnd) {
      out.push({ start: p.start, bytes: p.bytes });
      continue;
    }
    const pEnd = p.start + p.bytes.length;
    if (pEnd <= lastEnd) continue;
    // Overlapping or adjacent: one copy so that a structure spanning both pieces reads as one run.
    const joined = new Uint8Array(pEnd - last.start);
    joined.set(last.bytes, 0);
    joined.set(p.bytes.subarray(lastEnd - p.start), lastEnd - last.start);
    last.bytes = joined;
  }
  return out;
}

/** Big-endian 16-bit unsigned integer at `i`. */
export function u16be(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}
/** Little-endian 16-bit unsigned integer at `i`. */
export function u16le(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8);
}
/** Big-endian 32-bit unsigned integer at `i`. */
export function u32be(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) >>> 0) + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);
}
/** Little-endian 32-bit unsigned integer at `i`. */
export function u32le(b: Uint8Array, i: number): number {
  return ((b[i + 3]! << 24) >>> 0) + ((b[i + 2]! << 16) | (b[i + 1]! << 8) | b[i]!);
}
/** Big-endian 64-bit unsigned integer at `i`, or Infinity when it does not fit a safe integer (a lying length). */
export function u64be(b: Uint8Array, i: number): number {
  const hi = u32be(b, i);
  const lo = u32be(b, i + 4);
  return hi >= 0x200000 ? Infinity : hi * 0x100000000 + lo;
}
/** Little-endian 64-bit unsigned integer at `i`, or Infinity when it does not fit a safe integer. */
export function u64le(b: Uint8Array, i: number): number {
  const lo = u32le(b, i);
  const hi = u32le(b, i + 4);
  return hi >= 0x200000 ? Infinity : hi * 0x100000000 + lo;
}

/** Four bytes at `i` as Latin-1 text (a box type, a chunk type). */
export function fourcc(b: Uint8Array, i: number): string {
  return String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);
}

/**
 * Bytes as Latin-1 text: one character per byte, so that indexes are byte offsets. Buffer's native
 * decoder (TextDecoder's 'latin1' is windows-1252, and many times slower on large inputs).
 */
export function latin1Text(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** ASCII bytes of a string (signatures). */
export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Index of `needle` in `hay` from `from`, or -1. Uses Buffer's native search. */
export function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength), from);
}

/** Whether `b` holds `sig` at `i`. */
export function startsWith(b: Uint8Array, sig: Uint8Array, i = 0): boolean {
  if (i < 0 || i + sig.length > b.length) return false;
  for (let k = 0; k < sig.length; k++) if (b[i + k] !== sig[k]) return false;
  return true;
}

/** A NUL-terminated string at `i` (at most `max` bytes), decoded as UTF-8, with the index after the NUL; null when unterminated. */
export function cString(b: Uint8Array, i: number, max = 1024): { text: string; next: number } | null {
  const end = Math.min(b.length, i + max);
  for (let k = i; k < end; k++) {
    if (b[k] === 0) return { text: Buffer.from(b.buffer, b.byteOffset + i, k - i).toString('utf8'), next: k + 1 };
  }
  return null;
}
