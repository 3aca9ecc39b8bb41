/**
 * A sparse view of one file's bytes — the head, the tail, the ranges read so far, or the whole file —
 * for parsers that follow offsets through a file (a PDF cross-reference chain, a compound file's
 * sector chains, an ISO-BMFF box tree) without reading it whole.
 *
 * A parser runs over the view and asks for bytes with {@link ByteView.get}; bytes the view does not
 * hold come back as `null` and are noted as missing. The detector's `wants.ranges` runs the same
 * parser and returns {@link ByteView.missing} so that the engine reads them for the next round;
 * `detect` runs it once more over everything read and reports what it could resolve. Parsing is
 * pure and cheap, so running it again each round costs little and keeps one code path.
 */
import type { DetectorInput, RangeView } from '../../engine/detector.js';
import type { ByteRange } from '../../source/types.js';

interface Segment {
  start: number;
  bytes: Uint8Array;
}

/** Options of {@link ByteView.missing}. */
export interface MissingOptions {
  /** At most this many ranges. Default 16. */
  maxRanges?: number;
  /** At most this many bytes in all. Default 4 MiB. */
  maxBytes?: number;
  /** Missing ranges closer than this are read as one. Default 4 KiB. */
  mergeGap?: number;
}

export class ByteView {
  /** Size of the file. */
  readonly size: number;
  private readonly segments: Segment[];
  private readonly wanted: ByteRange[] = [];

  /** Builds a view from chunks of the file, each `{ start, bytes }`; overlapping or adjacent chunks are merged. */
  constructor(size: number, chunks: readonly Segment[]) {
    this.size = size;
    this.segments = mergeSegments(chunks.filter((c) => c.bytes.length > 0 && c.start >= 0 && c.start < size));
  }

  /** The bytes a detector was handed: whole file, or head, tail and ranges. */
  static fromInput(input: Pick<DetectorInput, 'size' | 'head' | 'tail' | 'whole' | 'ranges'>): ByteView {
    return ByteView.build(input.size, input.head, input.tail, input.whole, input.ranges);
  }

  /** The bytes read so far, as a detector's `wants.ranges` sees them. */
  static fromRangeView(view: RangeView): ByteView {
    return ByteView.build(view.size, view.head, view.tail, view.whole, view.ranges);
  }

  private static build(size: number, head: Uint8Array, tail: Uint8Array | null, whole: Uint8Array | null, ranges: readonly { start: number; bytes: Uint8Array }[]): ByteView {
    if (whole && whole.length >= size) return new ByteView(size, [{ start: 0, bytes: whole }]);
    const chunks: Segment[] = [{ start: 0, bytes: head }];
    if (tail) chunks.push({ start: size - tail.length, bytes: tail });
    for (const r of ranges) chunks.push({ start: r.start, bytes: r.bytes });
    return new ByteView(size, chunks);
  }

  /** Whether every byte of [start, end) is held. */
  has(start: number, end: number): boolean {
    return this.find(start, end) !== null;
  }

  /**
   * Bytes [start, end), clipped to the file; null (and the range noted as missing) when the view does
   * not hold all of them. An empty or inverted range gives an empty array.
   */
  get(start: number, end: number): Uint8Array | null {
    const s = Math.max(0, Math.floor(start));
    const e = Math.min(this.size, Math.floor(end));
    if (!(e > s)) return new Uint8Array(0);
    const got = this.find(s, e);
    if (got === null) this.wanted.push({ start: s, end: e });
    return got;
  }

  /** Notes a range as wanted without reading it (a guess that saves a round). */
  want(start: number, end: number): void {
    const s = Math.max(0, Math.floor(start));
    const e = Math.min(this.size, Math.floor(end));
    if (e > s && !this.has(s, e)) this.wanted.push({ start: s, end: e });
  }

  /**
   * The longest run of held bytes from `start`, at most `max` long (the data before a gap): for
   * parsers that scan forward and can stop early. Null when `start` itself is not held.
   */
  from(start: number, max: number): Uint8Array | null {
    if (start < 0 || start >= this.size) return null;
    for (const seg of this.segments) {
      if (start >= seg.start && start < seg.start + seg.bytes.length) {
        const off = start - seg.start;
        return seg.bytes.subarray(off, Math.min(seg.bytes.length, off + max));
      }
    }
    return null;
  }

  /** Every held run of bytes, in file order. */
  held(): readonly Segment[] {
    return this.segments;
  }

  /** The ranges asked for and not held, merged, within the limits: what to read next. */
  missing(options: MissingOptions = {}): ByteRange[] {
    const maxRanges = options.maxRanges ?? 16;
    let budget = options.maxBytes ?? 4 * 1024 * 1024;
    const gap = options.mergeGap ?? 4096;
    const sorted = this.wanted.filter((r) => !this.has(r.start, r.end)).sort((a, b) => a.start - b.start || a.end - b.end);
    const merged: ByteRange[] = [];
    for (const r of sorted) {
      const last = merged[merged.length - 1];
      if (last && r.start <= last.end + gap) last.end = Math.max(last.end, r.end);
      else merged.push({ ...r });
    }
    const out: ByteRange[] = [];
    for (const r of merged) {
      if (out.length >= maxRanges || budget <= 0) break;
      const end = Math.min(r.end, r.start + budget);
      budget -= end - r.start;
      out.push({ start: r.start, end });
    }
    return out;
  }

  private find(start: number, end: number): Uint8Array | null {
    for (const seg of this.segments) {
      if (start >= seg.start && end <= seg.start + seg.bytes.length) return seg.bytes.subarray(start - seg.start, end - seg.start);
    }
    return null;
  }
}

function mergeSegments(chunks: readonly Segment[]): Segment[] {
  const sorted = [...chunks].sort((a, b) => a.start - b.start);
  // Group chunks that overlap or touch, then copy each group once (a read across a seam must succeed).
  const groups: { start: number; end: number; parts: Segment[] }[] = [];
  for (const c of sorted) {
    const last = groups[groups.length - 1];
    const end = c.start + c.bytes.length;
    if (last && c.start <= last.end) {
      if (end > last.end) {
        last.parts.push(c);
        last.end = end;
      }
    } else groups.push({ start: c.start, end, parts: [c] });
  }
  return groups.map((g) => {
    if (g.parts.length === 1) return g.parts[0]!;
    const joined = new Uint8Array(g.end - g.start);
    for (const p of g.parts) joined.set(p.bytes, p.start - g.start);
    return { start: g.start, bytes: joined };
  });
}
