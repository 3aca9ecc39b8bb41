/**
 * Word-level diff: Myers' O(ND) algorithm with a bound on D, so that comparing a text with a
 * licence it does not resemble stops early instead of costing O(N·M).
 * Reference: E. Myers, "An O(ND) Difference Algorithm and Its Variations", Algorithmica 1 (1986).
 */

/** One run of the edit script: `a[aStart..aEnd)` became `b[bStart..bEnd)`; equal runs have equal lengths. */
export interface Hunk {
  equal: boolean;
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

/**
 * The shortest edit script turning `a` into `b`, as alternating equal and changed hunks, or null when
 * more than `maxEdits` words must be added or removed.
 */
export function diffWords(a: ArrayLike<number>, b: ArrayLike<number>, maxEdits: number, preferSuffix = false): Hunk[] | null {
  const n = a.length;
  const m = b.length;
  // Common prefix and suffix cost nothing and are the usual case (a verbatim licence). Which is
  // taken first matters when they overlap: before an anchor, the words next to it are the match.
  let pre = 0;
  let suf = 0;
  if (preferSuffix) {
    while (suf < n && suf < m && a[n - 1 - suf] === b[m - 1 - suf]) suf++;
    while (pre < n - suf && pre < m - suf && a[pre] === b[pre]) pre++;
  } else {
    while (pre < n && pre < m && a[pre] === b[pre]) pre++;
    while (suf < n - pre && suf < m - pre && a[n - 1 - suf] === b[m - 1 - suf]) suf++;
  }
  const N = n - pre - suf;
  const M = m - pre - suf;
  const max = Math.min(maxEdits, N + M);
  if (Math.abs(N - M) > max) return null;
  if (N === 0 || M === 0) {
    // Only additions or only removals: one changed hunk between the common ends.
    const hunks: Hunk[] = [];
    if (pre > 0) hunks.push({ equal: true, aStart: 0, aEnd: pre, bStart: 0, bEnd: pre });
    if (N + M > 0) hunks.push({ equal: false, aStart: pre, aEnd: pre + N, bStart: pre, bEnd: pre + M });
    if (suf > 0) hunks.push({ equal: true, aStart: n - suf, aEnd: n, bStart: m - suf, bEnd: m });
    return hunks;
  }
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  outer: for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < N && y < M && a[pre + x] === b[pre + y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= N && y >= M) {
        found = d;
        break outer;
      }
    }
  }
  if (found < 0) return null;
  // Walk back through the saved frontiers to recover the path as (x, y) points.
  const points: [number, number][] = [];
  let x = N;
  let y = M;
  for (let d = found; d > 0; d--) {
    const prev = trace[d]!; // frontier before step d: indexes k in [-d-1, d+1] at prev[k + d + 1]
    const get = (k: number) => prev[k + d + 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && get(k - 1) < get(k + 1));
    const pk = down ? k + 1 : k - 1;
    const px = get(pk);
    const py = px - pk;
    // Snake back to the end of the previous step.
    while (x > px + (down ? 0 : 1) && y > py + (down ? 1 : 0)) {
      points.push([x, y]);
      x--;
      y--;
    }
    points.push([x, y]);
    x = px;
    y = py;
  }
  while (x > 0 && y > 0) {
    points.push([x, y]);
    x--;
    y--;
  }
  points.push([x, y]);
  points.reverse();
  // Turn unit steps into hunks.
  const hunks: Hunk[] = [];
  const add = (equal: boolean, ax: number, ay: number, bx: number, by: number) => {
    const last = hunks[hunks.length - 1];
    if (last && last.equal === equal && last.aEnd === ax && last.bEnd === bx) {
      last.aEnd = ay;
      last.bEnd = by;
    } else hunks.push({ equal, aStart: ax, aEnd: ay, bStart: bx, bEnd: by });
  };
  if (pre > 0) add(true, 0, pre, 0, pre);
  for (let i = 1; i < points.length; i++) {
    const [x0, y0] = points[i - 1]!;
    const [x1, y1] = points[i]!;
    const equal = x1 - x0 === 1 && y1 - y0 === 1;
    add(equal, pre + x0, pre + x1, pre + y0, pre + y1);
  }
  if (suf > 0) add(true, n - suf, n, m - suf, m);
  return mergeChanges(hunks);
}

/** Adjacent changed hunks (a removal next to an addition) become one replacement hunk. */
function mergeChanges(hunks: Hunk[]): Hunk[] {
  const out: Hunk[] = [];
  for (const h of hunks) {
    const last = out[out.length - 1];
    if (last && !last.equal && !h.equal) {
      last.aEnd = h.aEnd;
      last.bEnd = h.bEnd;
    } else out.push({ ...h });
  }
  return out;
}

/**
 * Diff anchored on 4-grams that occur once in each sequence (as patience diff anchors on unique
 * lines): the anchors that keep their order are matched first, and only the gaps between them are
 * diffed with {@link diffWords}, each with its common prefix and suffix trimmed. Besides being fast
 * on long texts, this matches a title or a paragraph with its own copy rather than with stray words
 * of an earlier copy, where Myers' diff would be free to choose either. Null when more than
 * `maxEdits` words must be added or removed.
 */
export function diffAnchored(a: ArrayLike<number>, b: ArrayLike<number>, maxEdits: number, aGrams?: AnchorGrams): Hunk[] | null {
  if (a.length < 64 || b.length < 64) return diffWords(a, b, maxEdits);
  const anchors = uniqueAnchors(aGrams ?? anchorGrams(a), b);
  if (anchors.length === 0) return diffWords(a, b, maxEdits);
  const out: Hunk[] = [];
  let edits = 0;
  let ai = 0;
  let bi = 0;
  const gap = (aEnd: number, bEnd: number, beforeAnchor: boolean): boolean => {
    if (ai === aEnd && bi === bEnd) return true;
    const hunks = diffWords(slice(a, ai, aEnd), slice(b, bi, bEnd), maxEdits - edits, beforeAnchor);
    if (hunks === null) return false;
    for (const h of hunks) {
      if (!h.equal) edits += h.aEnd - h.aStart + (h.bEnd - h.bStart);
      append(out, { equal: h.equal, aStart: ai + h.aStart, aEnd: ai + h.aEnd, bStart: bi + h.bStart, bEnd: bi + h.bEnd });
    }
    return true;
  };
  for (const [i, j] of anchors) {
    if (i < ai || j < bi) continue; // overlaps the previous anchor's match
    if (!gap(i, j, true)) return null;
    // Grow the anchor's match forward as far as the words agree.
    let n = 0;
    while (i + n < a.length && j + n < b.length && a[i + n] === b[j + n]) n++;
    append(out, { equal: true, aStart: i, aEnd: i + n, bStart: j, bEnd: j + n });
    ai = i + n;
    bi = j + n;
  }
  if (!gap(a.length, b.length, false)) return null;
  return mergeChanges(out);
}

function slice(x: ArrayLike<number>, s: number, e: number): ArrayLike<number> {
  return x instanceof Int32Array ? x.subarray(s, e) : Array.prototype.slice.call(x, s, e);
}

function append(out: Hunk[], h: Hunk): void {
  if (h.aStart === h.aEnd && h.bStart === h.bEnd) return;
  const last = out[out.length - 1];
  if (last && last.equal === h.equal && last.aEnd === h.aStart && last.bEnd === h.bStart) {
    last.aEnd = h.aEnd;
    last.bEnd = h.bEnd;
  } else out.push({ ...h });
}

/** The 4-grams of a sequence that occur once in it, by hash, with their positions (see {@link anchorGrams}). */
export type AnchorGrams = ReadonlyMap<number, number>;

function gramHash(x: ArrayLike<number>, i: number): number {
  let h = Math.imul(x[i]! + 1, 0x9e3779b1);
  h = Math.imul(h ^ (x[i + 1]! + 0x7f4a7c15), 0x85ebca6b);
  h = Math.imul(h ^ (x[i + 2]! + 0x165667b1), 0xc2b2ae35);
  return Math.imul(h ^ (x[i + 3]! + 0x27d4eb2f), 0x9e3779b1);
}

/** The unique 4-grams of a sequence (a licence's words, which are diffed again and again: worth keeping). */
export function anchorGrams(a: ArrayLike<number>): AnchorGrams {
  const pos = new Map<number, number>();
  for (let i = 0; i + 4 <= a.length; i++) {
    const h = gramHash(a, i);
    pos.set(h, pos.has(h) ? -1 : i);
  }
  for (const [h, i] of pos) if (i < 0) pos.delete(h);
  return pos;
}

/** Pairs (i, j) of 4-grams unique in both sequences, the longest run that keeps their order in both. */
function uniqueAnchors(aGrams: AnchorGrams, b: ArrayLike<number>): [number, number][] {
  // The text's 4-grams: how often each occurs (up to 2), in an open-addressing table, and where.
  let size = 16;
  while (size < 2 * b.length) size <<= 1;
  const mask = size - 1;
  const keys = new Int32Array(size);
  const count = new Uint8Array(size);
  const at = new Int32Array(size);
  for (let j = 0; j + 4 <= b.length; j++) {
    const h = gramHash(b, j);
    let s = (h ^ (h >>> 16)) & mask;
    while (count[s] !== 0 && keys[s] !== h) s = (s + 1) & mask;
    keys[s] = h;
    if (count[s]! < 2) count[s]!++;
    at[s] = j;
  }
  const pairs: [number, number][] = [];
  for (let s = 0; s < size; s++) {
    if (count[s] !== 1) continue;
    const i = aGrams.get(keys[s]!);
    if (i !== undefined) pairs.push([i, at[s]!]);
  }
  pairs.sort((x, y) => x[0] - y[0]);
  // Longest increasing subsequence on j (patience sorting), O(k log k).
  const tails: number[] = [];
  const prev = new Int32Array(pairs.length).fill(-1);
  for (let k = 0; k < pairs.length; k++) {
    const j = pairs[k]![1];
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![1] < j) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[k] = tails[lo - 1]!;
    tails[lo] = k;
  }
  const out: [number, number][] = [];
  for (let k = tails.length > 0 ? tails[tails.length - 1]! : -1; k >= 0; k = prev[k]!) out.push(pairs[k]!);
  return out.reverse();
}
