/**
 * Which parts of a ZIP file members already claim, to catch members whose data overlaps: the
 * "better zip bomb" (David Fifield, 2019) points many directory entries at the same compressed data
 * (or at data that contains the next member's header), so that a 46 KB file lists gigabytes that
 * each take no extra space. In an honest archive members never share bytes.
 *
 * Spans are kept merged: members laid end to end (every archive writer's layout) collapse into one
 * span, so an honest archive of any size costs one or two spans. Spans that are close (a gap of at
 * most {@link JOIN_GAP} bytes) are joined too: the gap is then bytes of the member before it (a local
 * extra field longer than the central one, a data descriptor), which the span underestimates, so no
 * honest member can start there. At most {@link MAX_SPANS} separate spans are kept; past that the check
 * is given up (and said so), never the listing.
 */

/** Bytes between two spans that still join them (local extra fields and data descriptors are shorter). */
const JOIN_GAP = 1024;
/** Separate spans kept at most. */
export const MAX_SPANS = 100_000;

/** The result of claiming one member's bytes. */
export type Claim = 'ok' | 'overlap' | 'untracked';

export class Spans {
  /** Sorted, disjoint: starts[i] < ends[i] <= starts[i + 1]. */
  #starts: number[] = [];
  #ends: number[] = [];
  /** Set once more than {@link MAX_SPANS} spans were needed. */
  full = false;

  /** Claims bytes `[start, end)`; says whether another member already holds any of them. */
  claim(start: number, end: number): Claim {
    const starts = this.#starts;
    const ends = this.#ends;
    // The last span whose start is <= start (the common case: appending after the last one).
    let i = starts.length - 1;
    if (i >= 0 && starts[i]! > start) {
      let lo = 0;
      let hi = starts.length - 1;
      i = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid]! <= start) {
          i = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
    }
    if (i >= 0 && ends[i]! > start) return 'overlap';
    if (i + 1 < starts.length && starts[i + 1]! < end) return 'overlap';
    const joinsLeft = i >= 0 && start - ends[i]! <= JOIN_GAP;
    const joinsRight = i + 1 < starts.length && starts[i + 1]! - end <= JOIN_GAP;
    if (joinsLeft && joinsRight) {
      ends[i] = ends[i + 1]!;
      starts.splice(i + 1, 1);
      ends.splice(i + 1, 1);
    } else if (joinsLeft) ends[i] = end;
    else if (joinsRight) starts[i + 1] = start;
    else {
      if (starts.length >= MAX_SPANS) {
        this.full = true;
        return 'untracked';
      }
      starts.splice(i + 1, 0, start);
      ends.splice(i + 1, 0, end);
    }
    return 'ok';
  }
}
