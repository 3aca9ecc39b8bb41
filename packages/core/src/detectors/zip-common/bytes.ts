/**
 * What a detector has read of a file, addressed by file offset. The engine hands a detector a head, a
 * tail, maybe the whole file and the ranges it asked for; a {@link ByteView} puts them back in their
 * places so that parsers can ask for "bytes 1200 to 1246" without caring which read holds them.
 */
import type { RangeView } from '../../engine/detector.js';

/** The parts of a `DetectorInput` or a `RangeView` that hold bytes. */
export type ReadBytes = Pick<RangeView, 'size' | 'head' | 'tail' | 'whole' | 'ranges'>;

interface Piece {
  start: number;
  bytes: Uint8Array;
}

/** Bytes of one file at their offsets, from whatever reads hold them. */
export class ByteView {
  readonly size: number;
  readonly #pieces: Piece[];

  constructor(size: number, pieces: readonly Piece[]) {
    this.size = size;
    // Largest first: most lookups are answered by the whole file or the tail in one step.
    this.#pieces = pieces.filter((p) => p.bytes.length > 0).sort((a, b) => b.bytes.length - a.bytes.length);
  }

  /** A view of what a detector input or a range view holds. */
  static of(read: ReadBytes): ByteView {
    const pieces: Piece[] = [];
    if (read.whole) pieces.push({ start: 0, bytes: read.whole });
    pieces.push({ start: 0, bytes: read.head });
    if (read.tail) pieces.push({ start: read.size - read.tail.length, bytes: read.tail });
    for (const r of read.ranges) pieces.push({ start: r.start, bytes: r.bytes });
    return new ByteView(read.size, pieces);
  }

  /** Whether bytes `[start, end)` are all held. */
  has(start: number, end: number): boolean {
    return this.get(start, end) !== null;
  }

  /**
   * Bytes `[start, end)`, or null when they lie outside the file or were not read. A span held in
   * one read is returned without copying; one spread over several adjoining reads is stitched.
   */
  get(start: number, end: number): Uint8Array | null {
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end > this.size || end < start) return null;
    for (const p of this.#pieces) {
      if (p.start <= start && p.start + p.bytes.length >= end) return p.bytes.subarray(start - p.start, end - p.start);
    }
    return this.#stitch(start, end);
  }

  #stitch(start: number, end: number): Uint8Array | null {
    const out = new Uint8Array(end - start);
    let at = start;
    // Each pass extends the covered prefix by one piece; at most one pass per piece.
    for (let pass = 0; pass < this.#pieces.length && at < end; pass++) {
      let best: Piece | undefined;
      for (const p of this.#pieces) {
        if (p.start <= at && p.start + p.bytes.length > at && (!best || p.start + p.bytes.length > best.start + best.bytes.length)) best = p;
      }
      if (!best) return null;
      const upto = Math.min(end, best.start + best.bytes.length);
      out.set(best.bytes.subarray(at - best.start, upto - best.start), at - start);
      at = upto;
    }
    return at >= end ? out : null;
  }

  /** The lowest offset from which every byte up to `end` is held; `end` when the byte before it is not. */
  heldFrom(end: number): number {
    let from = end;
    for (let pass = 0; pass < this.#pieces.length; pass++) {
      let lowest = from;
      for (const p of this.#pieces) if (p.start < from && p.start + p.bytes.length >= from) lowest = Math.min(lowest, p.start);
      if (lowest === from) break;
      from = lowest;
    }
    return from;
  }

  /**
   * The last offset at or below `from` where `signature` starts, searching held bytes only down to
   * `lowest`; -1 when there is none.
   */
  lastIndexOf(signature: Uint8Array, from: number, lowest: number): number {
    const end = Math.min(this.size, from + signature.length);
    const base = Math.max(0, lowest, this.heldFrom(end));
    const bytes = this.get(base, end);
    if (!bytes) return -1;
    outer: for (let i = bytes.length - signature.length; i >= 0; i--) {
      for (let j = 0; j < signature.length; j++) if (bytes[i + j] !== signature[j]) continue outer;
      return base + i;
    }
    return -1;
  }
}

/** Little-endian readers over a byte array; out-of-bounds reads give -1 (never throw). */
export const le = {
  u16(b: Uint8Array, at: number): number {
    return at >= 0 && at + 2 <= b.length ? b[at]! | (b[at + 1]! << 8) : -1;
  },
  u32(b: Uint8Array, at: number): number {
    return at >= 0 && at + 4 <= b.length ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0 : -1;
  },
  /** A 64-bit value as a number; values past 2^53 come back as `Infinity` so that bound checks fail safely. */
  u64(b: Uint8Array, at: number): number {
    if (at < 0 || at + 8 > b.length) return -1;
    const lo = le.u32(b, at);
    const hi = le.u32(b, at + 4);
    return hi >= 0x200000 ? Infinity : hi * 0x100000000 + lo;
  },
};

/** Whether `bytes` starts with `prefix` at `at`. */
export function startsWith(bytes: Uint8Array, prefix: readonly number[] | Uint8Array, at = 0): boolean {
  if (at < 0 || at + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

/** A short hex excerpt of bytes for evidence: `50 4b 03 04`. */
export function hexExcerpt(bytes: Uint8Array, max = 16): string {
  return Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
}
