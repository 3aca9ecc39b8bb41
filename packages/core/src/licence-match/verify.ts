/**
 * Verifies that a stretch of text is a licence: a word diff against the reference, then every change
 * judged by the matching guidelines. A change is allowed only when it is
 * - in a replaceable part (a var) and the replacing words fit its pattern (B.3.4);
 * - the leaving-out of an omittable part (B.3.5, B.12, B.13);
 * - list markers added, dropped or renumbered (B.8);
 * - the same letters split or joined differently: "non-commercial"/"noncommercial", "sub license",
 *   "per cent", a word hyphenated across a line break;
 * - "copyright owner" for "copyright holder" (B.9);
 * - a few words (a link, a heading) added next to an omittable part.
 * Anything else — a word added, missing or changed, even a typing slip — means the text is not the
 * licence's verbatim text, and it is not identified as the licence: a wrong licence stated with
 * confidence is worse than none. Slips are flagged (`typo`) in the differences, to help a reviewer.
 */
import type { RefEntry } from './data.js';
import { anchorGrams, diffAnchored, diffWords, type Hunk } from './diff.js';

/** One change that is not allowed. `at` is the index of the input word where it is (or would be). */
export interface Difference {
  kind: 'missing' | 'added' | 'changed';
  /** True when the change looks like a typing slip (a plural, a dropped or wrong letter). */
  typo?: boolean;
  /** Reference words (missing or replaced), at most 12. */
  expected: string;
  /** Input words (added or replacing), at most 12. */
  found: string;
  at: number;
}

export interface Verification {
  /** True when every change is allowed. */
  ok: boolean;
  /** Input words [start, end) that the licence covers; null when nothing aligned. */
  span: [number, number] | null;
  /** Reference words up to here were reached (the last matched one + 1); 0 when nothing aligned. */
  refEnd: number;
  /** Input words from the first to the last matched word that is not soft: how much text the licence really explains. */
  hardSpan: number;
  /** Input words [start, end) from the first to the last word matched with a required word of the licence (not a title or an appendix). */
  coreSpan: [number, number] | null;
  differences: Difference[];
  /** Required reference words found in place, over all required words. */
  similarity: number;
  /** Reference words found in place, optional ones included: what tells apart licences that differ only in a title. */
  matchedAll: number;
  /** Words added, missing or changed, all differences together: how far the text is from the licence. */
  distance: number;
  /** Input words [start, end) matched with the licence's words, run by run. */
  aligned: [number, number][];
}

/** Words whose change may change the meaning, so a "typo" in them is never forgiven. */
const PROTECTED = new Set([
  'not', 'no', 'nor', 'non', 'never', 'none', 'neither', 'either', 'without', 'except', 'unless', 'only', 'may', 'must', 'shall',
  'can', 'cannot', 'will', 'would', 'should', 'and', 'or', 'any', 'all', 'each', 'every', 'if', 'is', 'are', 'be', 'not',
]);
/** Words a name put in place of a var must not contain, unless the original has them: they would add terms. */
const TERMS_WORDS = /\b(?:not|no|nor|never|except|unless|only|shall|must|may|cannot|prohibited|forbidden|restricted|commercial|noncommercial|military|permission|permitted|license|licensed)\b/;

/** Input words the verifier needs: numbers (against the vocabulary), list-marker flags and the words. */
export interface InputWords {
  ids: Int32Array;
  soft: Uint8Array;
  words: readonly string[];
}

/**
 * Verifies input words `[from, to)` against a reference entry. `maxEdits` bounds the diff: a text
 * further from the licence than that is reported as not matching, with no differences listed.
 */
export function verify(entry: RefEntry, input: InputWords, from: number, to: number, refWords: readonly string[]): Verification {
  const hunks = align(entry, input.ids.subarray(from, to));
  if (hunks === null) return { ok: false, span: null, refEnd: 0, hardSpan: 0, coreSpan: null, differences: [], similarity: 0, matchedAll: 0, distance: Infinity, aligned: [] };
  return judge(entry, input, from, trimStrayEdges(slideInput(input, from, slide(entry, hunks))), refWords);
}

/**
 * Aligns a text with a reference in two passes, so that required words are matched before
 * omittable ones: first the reference without its optional parts, then, wherever words were added
 * where an optional part sits, those words against that part. A plain diff would match stray words
 * ("public", "license") inside a long omitted introduction and leave the real ones unmatched; and a
 * long omitted part (LGPL-3.0's copy of GPL-3.0) costs the first pass nothing.
 */
function align(entry: RefEntry, b: Int32Array): Hunk[] | null {
  const a = entry.words;
  const { core, coreWords, anchors } = (entry.core ??= coreOf(entry));
  // Optional parts present in the text, and the text around the licence in the window, are added
  // words in this pass: they must not count against it.
  const maxEdits = Math.min(12000, Math.max(60, Math.ceil(core.length * 0.25)) + (a.length - core.length) + Math.max(0, b.length - core.length));
  const first = diffAnchored(coreWords, b, maxEdits, anchors);
  if (first === null) return null;
  const out: Hunk[] = [];
  const push = (h: Hunk) => {
    if (h.aStart === h.aEnd && h.bStart === h.bEnd) return;
    const last = out[out.length - 1];
    if (last && last.equal === h.equal && last.aEnd === h.aStart && last.bEnd === h.bStart) {
      last.aEnd = h.aEnd;
      last.bEnd = h.bEnd;
    } else out.push({ ...h });
  };
  // Reference position just after core word k (or the start), and of core word k (or the end).
  const after = (k: number) => (k > 0 ? core[k - 1]! + 1 : 0);
  const at = (k: number) => (k < core.length ? core[k]! : a.length);
  for (const h of first) {
    if (h.equal) {
      for (let k = h.aStart; k < h.aEnd; k++) {
        const gapStart = after(k);
        const ref = core[k]!;
        // Optional words between two matched core words were left out of the text.
        if (gapStart < ref) push({ equal: false, aStart: gapStart, aEnd: ref, bStart: h.bStart + (k - h.aStart), bEnd: h.bStart + (k - h.aStart) });
        push({ equal: true, aStart: ref, aEnd: ref + 1, bStart: h.bStart + (k - h.aStart), bEnd: h.bStart + (k - h.aStart) + 1 });
      }
      continue;
    }
    // A change: the reference words from after the last matched core word to the next one, optional ones included.
    const aStart = after(h.aStart);
    const aEnd = at(h.aEnd);
    const n = aEnd - aStart;
    let bStart = h.bStart;
    let bEnd = h.bEnd;
    // Many more words than the reference part (a README before its licence): the part can only match
    // the words next to the core, so only those are compared; the rest are plainly added.
    const reach = 2 * n + 100;
    if (bEnd - bStart > reach) {
      if (h.aStart === 0) {
        push({ equal: false, aStart, aEnd: aStart, bStart, bEnd: bEnd - reach });
        bStart = bEnd - reach;
      } else {
        bEnd = bStart + reach;
      }
    }
    const local = diffWords(a.subarray(aStart, aEnd), b.subarray(bStart, bEnd), n + (bEnd - bStart))!;
    for (const l of local) push({ equal: l.equal, aStart: aStart + l.aStart, aEnd: aStart + l.aEnd, bStart: bStart + l.bStart, bEnd: bStart + l.bEnd });
    if (bEnd < h.bEnd) push({ equal: false, aStart: aEnd, aEnd, bStart: bEnd, bEnd: h.bEnd });
  }
  // Optional words after the last core word, when the text ends with the core.
  const tail = after(core.length);
  if (tail < a.length && (out.length === 0 || out[out.length - 1]!.aEnd < a.length)) push({ equal: false, aStart: Math.max(tail, out[out.length - 1]?.aEnd ?? 0), aEnd: a.length, bStart: b.length, bEnd: b.length });
  return mergeAdjacentChanges(out);
}

/** The words of an entry that are not optional, and their unique 4-grams: made once per entry. */
function coreOf(entry: RefEntry): NonNullable<RefEntry['core']> {
  const core: number[] = [];
  for (let i = 0; i < entry.words.length; i++) if ((entry.flags[i]! & 1) === 0) core.push(i);
  const coreWords = Int32Array.from(core.map((i) => entry.words[i]!));
  return { core, coreWords, anchors: anchorGrams(coreWords) };
}

/** Neighbouring changed hunks become one. */
function mergeAdjacentChanges(hunks: Hunk[]): Hunk[] {
  const out: Hunk[] = [];
  for (const h of hunks) {
    const last = out[out.length - 1];
    if (last && !last.equal && !h.equal && last.aEnd === h.aStart && last.bEnd === h.bStart) {
      last.aEnd = h.aEnd;
      last.bEnd = h.bEnd;
    } else out.push({ ...h });
  }
  return out;
}

function judge(entry: RefEntry, input: InputWords, from: number, hunks: Hunk[], refWords: readonly string[]): Verification {
  const a = entry.words;
  const flags = entry.flags;
  const differences: Difference[] = [];
  let distance = 0;
  const refWord = (i: number) => refWords[a[i]!] ?? '';
  const inWord = (i: number) => input.words[from + i] ?? '';
  // Span: from the first to the last input word aligned with the reference.
  let first = -1;
  let last = -1;
  let matched = 0;
  let matchedAll = 0;
  let refEnd = 0;
  for (const h of hunks) {
    if (!h.equal) continue;
    if (first < 0) first = h.bStart;
    last = h.bEnd;
    refEnd = h.aEnd;
    matchedAll += h.aEnd - h.aStart;
    for (let i = h.aStart; i < h.aEnd; i++) if (flags[i] === 0 && entry.soft[i] === 0) matched++;
  }
  const similarity = entry.required === 0 ? 1 : matched / entry.required;
  if (first < 0) return { ok: false, span: null, refEnd: 0, hardSpan: 0, coreSpan: null, differences: [], similarity, matchedAll: 0, distance: Infinity, aligned: [] };
  let hardFirst = -1;
  let hardLast = -1;
  let coreFirst = -1;
  let coreLast = -1;
  for (const h of hunks) {
    if (!h.equal) continue;
    for (let i = h.bStart; i < h.bEnd; i++) {
      if ((flags[h.aStart + (i - h.bStart)]! & 1) === 0) {
        if (coreFirst < 0) coreFirst = i;
        coreLast = i + 1;
      }
      if (input.soft[from + i]) continue;
      if (hardFirst < 0) hardFirst = i;
      hardLast = i + 1;
    }
  }

  // Input positions of each reference boundary p (before word p): lo = before any words added at p, hi = after them.
  const lo = new Int32Array(a.length + 1);
  const hi = new Int32Array(a.length + 1);
  for (const h of hunks) {
    if (!h.equal) continue;
    for (let p = h.aStart; p <= h.aEnd; p++) lo[p] = hi[p] = h.bStart + (p - h.aStart);
  }
  for (const h of hunks) {
    if (h.equal) continue;
    lo[h.aStart] = h.bStart;
    for (let p = h.aStart + 1; p < h.aEnd; p++) {
      lo[p] = h.bStart;
      hi[p] = h.bEnd;
    }
    hi[h.aEnd] = h.bEnd;
  }
  // Start/end: words before the first and after the last aligned word are outside the licence.
  lo[0] = Math.max(lo[0]!, first);
  hi[a.length] = Math.min(hi[a.length]!, last);

  // The var at a boundary: the one holding the word after it, or the one ending there.
  const varAt = (p: number) => entry.emptyVars.get(p) ?? (p < a.length && entry.varIndex[p]! >= 0 ? entry.varIndex[p]! : p > 0 && entry.varIndex[p - 1]! >= 0 ? entry.varIndex[p - 1]! : -1);
  // An omittable part's neighbourhood: renderings add a link or a heading there (CC's "More considerations" links).
  const touchesOptional = (s: number, e: number) => (s > 0 && (flags[s - 1]! & 1) !== 0) || (e < a.length && (flags[e]! & 1) !== 0) || (s < e && (flags[s]! & 1) !== 0);
  const withinOptional = (s: number, e: number) => s > 0 && e < a.length && (flags[s - 1]! & 1) !== 0 && (flags[e]! & 1) !== 0;
  const touchedVars = new Set<number>();

  for (let k = 0; k < hunks.length; k++) {
    const h = hunks[k]!;
    if (h.equal) continue;
    // Words added before the first aligned word or after the last are outside the licence, not in it.
    const bStart = Math.max(h.bStart, first);
    const bEnd = Math.min(h.bEnd, last);
    const refIdx: number[] = [];
    for (let i = h.aStart; i < h.aEnd; i++) refIdx.push(i);
    const inIdx: number[] = [];
    for (let i = bStart; i < bEnd; i++) inIdx.push(i);
    // Parts in vars: judged per var below, with every word that replaces it.
    let inVar = false;
    for (const i of refIdx) {
      const r = entry.varIndex[i]!;
      if (r >= 0) {
        touchedVars.add(r);
        inVar = true;
      }
    }
    if (refIdx.length === 0) {
      const r = varAt(h.aStart);
      if (r >= 0) {
        touchedVars.add(r);
        inVar = true;
      }
    }
    const fixedRef = refIdx.filter((i) => flags[i] === 0 && entry.soft[i] === 0);
    const added = inVar ? [] : inIdx.filter((i) => input.soft[from + i] === 0);
    if (fixedRef.length === 0 && added.length === 0) continue;
    if (fixedRef.length === 0 && added.length <= 12 && touchesOptional(h.aStart, h.aEnd) && !TERMS_WORDS.test(added.map(inWord).join(' '))) continue;
    // Inside an omittable part (an appendix, CC's closing notice) a sentence more is no term of the licence.
    if (fixedRef.length === 0 && added.length <= 60 && withinOptional(h.aStart, h.aEnd) && !TERMS_WORDS.test(added.map(inWord).join(' '))) continue;
    const refText = fixedRef.map(refWord).join('');
    const inText = added.map(inWord).join('');
    if (refText === inText) continue;
    if (fixedRef.length === 1 && added.length === 1 && equivalentPhrase(refWord(fixedRef[0]!), inWord(added[0]!), fixedRef[0]! > 0 ? refWord(fixedRef[0]! - 1) : '')) continue;
    const typo = fixedRef.length === 1 && added.length === 1 && isTypo(refWord(fixedRef[0]!), inWord(added[0]!));
    distance += Math.max(fixedRef.length, added.length);
    differences.push({
      kind: fixedRef.length === 0 ? 'added' : added.length === 0 ? 'missing' : 'changed',
      ...(typo ? { typo } : {}),
      expected: fixedRef.slice(0, 12).map(refWord).join(' '),
      found: added.slice(0, 12).map(inWord).join(' '),
      at: from + (added[0] ?? bStart),
    });
  }
  for (const ri of touchedVars) {
    const r = entry.regions[ri]!;
    const s = Math.max(lo[r.start]!, first);
    const e = Math.min(hi[r.end]!, last);
    const replacing: string[] = [];
    for (let i = s; i < e; i++) if (input.soft[from + i] === 0) replacing.push(inWord(i));
    const original: string[] = [];
    for (let i = r.start; i < r.end; i++) if (entry.soft[i] === 0) original.push(refWord(i));
    const text = replacing.join(' ');
    const orig = original.join(' ');
    if (text === orig) continue;
    // A var inside an omittable part goes with it when the part is left out.
    if (replacing.length === 0 && r.end > r.start && (flags[r.start]! & 1) !== 0) continue;
    const fits =
      !r.strict &&
      replacing.length <= r.maxWords &&
      (r.match === null ? !TERMS_WORDS.test(text) || TERMS_WORDS.test(orig) : r.match.test(text) || (text === '' && r.match.test(' ')));
    if (!fits) {
      differences.push({ kind: 'changed', expected: original.slice(0, 12).join(' '), found: replacing.slice(0, 12).join(' '), at: from + s });
      distance += Math.max(1, Math.min(original.length, replacing.length));
    }
  }
  differences.sort((x, y) => x.at - y.at);
  return { ok: differences.length === 0, span: [from + first, from + last], refEnd, hardSpan: Math.max(0, hardLast - hardFirst), coreSpan: coreFirst < 0 ? null : [from + coreFirst, from + coreLast], differences, similarity, matchedAll, distance, aligned: hunks.filter((h) => h.equal).map((h) => [from + h.bStart, from + h.bEnd] as [number, number]) };
}

/** "copyright owner" for "copyright holder" (B.9), in the singular or the plural. */
function equivalentPhrase(expected: string, found: string, before: string): boolean {
  if (before !== 'copyright') return false;
  const pair = new Set([expected, found]);
  return (pair.has('holder') && pair.has('owner')) || (pair.has('holders') && pair.has('owners'));
}

/**
 * Diff ties: "Title" aligned with an omittable title, while the same words in the body are left
 * unmatched. Slides each equal run that sits on omittable words onto the same words later (or
 * earlier) in the removed run next to it, so that required words are matched first.
 */
function slide(entry: RefEntry, hunks: Hunk[]): Hunk[] {
  const a = entry.words;
  const optional = (s: number, e: number) => {
    for (let i = s; i < e; i++) if ((entry.flags[i]! & 1) === 0) return false;
    return true;
  };
  const same = (s1: number, s2: number, n: number) => {
    for (let i = 0; i < n; i++) if (a[s1 + i] !== a[s2 + i]) return false;
    return true;
  };
  for (let k = 0; k + 1 < hunks.length; k++) {
    const eq = hunks[k]!;
    const del = hunks[k + 1]!;
    // [equal on optional words][removed run ending with the same words] → slide forward.
    if (eq.equal && !del.equal && del.bStart === del.bEnd) {
      const n = eq.aEnd - eq.aStart;
      if (del.aEnd - del.aStart >= n && optional(eq.aStart, eq.aEnd) && !optional(del.aEnd - n, del.aEnd) && same(eq.aStart, del.aEnd - n, n)) {
        const target = del.aEnd - n;
        hunks[k] = { equal: false, aStart: eq.aStart, aEnd: target, bStart: eq.bStart, bEnd: eq.bStart };
        hunks[k + 1] = { equal: true, aStart: target, aEnd: del.aEnd, bStart: eq.bStart, bEnd: eq.bEnd };
      }
    }
    // [removed run starting with the same words][equal on optional words] → slide back.
    if (!eq.equal && eq.bStart === eq.bEnd && del.equal) {
      const n = del.aEnd - del.aStart;
      if (eq.aEnd - eq.aStart >= n && optional(del.aStart, del.aEnd) && !optional(eq.aStart, eq.aStart + n) && same(del.aStart, eq.aStart, n)) {
        hunks[k] = { equal: true, aStart: eq.aStart, aEnd: eq.aStart + n, bStart: del.bStart, bEnd: del.bEnd };
        hunks[k + 1] = { equal: false, aStart: eq.aStart + n, aEnd: del.aEnd, bStart: del.bEnd, bEnd: del.bEnd };
      }
    }
  }
  // Merge neighbours of the same kind that sliding left next to each other.
  const out: Hunk[] = [];
  for (const h of hunks) {
    const last = out[out.length - 1];
    if (last && last.equal === h.equal && last.aEnd === h.aStart && last.bEnd === h.bStart) {
      last.aEnd = h.aEnd;
      last.bEnd = h.bEnd;
    } else out.push({ ...h });
  }
  return out;
}

/**
 * A few words matched far ahead of (or after) the rest — "the", "software" in the paragraph before a
 * licence, matched with its first words — are no part of it: those runs become added words, so the
 * licence's span starts where its text does.
 */
function trimStrayEdges(hunks: Hunk[]): Hunk[] {
  const stray = (eq: Hunk, gap: Hunk | undefined) => eq.equal && eq.aEnd - eq.aStart < 4 && gap !== undefined && !gap.equal && gap.bEnd - gap.bStart > 8;
  let changed = false;
  const out = hunks.map((h) => ({ ...h }));
  // From the start: an equal run, then a long addition, then more: the run is stray.
  for (let k = 0; k + 1 < out.length; k++) {
    const eq = out[k]!;
    if (!eq.equal) continue;
    if (!stray(eq, out[k + 1])) break;
    out[k] = { equal: false, aStart: eq.aStart, aEnd: eq.aEnd, bStart: eq.bStart, bEnd: eq.bEnd };
    changed = true;
  }
  for (let k = out.length - 1; k > 0; k--) {
    const eq = out[k]!;
    if (!eq.equal) continue;
    if (!stray(eq, out[k - 1])) break;
    out[k] = { equal: false, aStart: eq.aStart, aEnd: eq.aEnd, bStart: eq.bStart, bEnd: eq.bEnd };
    changed = true;
  }
  return changed ? mergeAdjacentChanges(out) : hunks;
}

/**
 * The same on the text's side: a soft word of the text (a copyright notice, a title) matched with a
 * word of the licence, while the same word in the text's own sentence right after (or before) it is
 * left over as added. Slides the match onto the sentence's word; the soft one becomes the addition.
 */
function slideInput(input: InputWords, from: number, hunks: Hunk[]): Hunk[] {
  const b = input.ids;
  const soft = (s: number, e: number) => {
    for (let i = s; i < e; i++) if (!input.soft[from + i]) return false;
    return true;
  };
  const same = (s1: number, s2: number, n: number) => {
    for (let i = 0; i < n; i++) if (b[from + s1 + i] !== b[from + s2 + i]) return false;
    return true;
  };
  let moved = false;
  for (let k = 0; k + 1 < hunks.length; k++) {
    const eq = hunks[k]!;
    const ins = hunks[k + 1]!;
    if (eq.equal && !ins.equal && ins.aStart === ins.aEnd) {
      const n = eq.bEnd - eq.bStart;
      if (ins.bEnd - ins.bStart >= n && soft(eq.bStart, eq.bEnd) && !soft(ins.bEnd - n, ins.bEnd) && same(eq.bStart, ins.bEnd - n, n)) {
        hunks[k] = { equal: false, aStart: eq.aStart, aEnd: eq.aStart, bStart: eq.bStart, bEnd: ins.bEnd - n };
        hunks[k + 1] = { equal: true, aStart: eq.aStart, aEnd: eq.aEnd, bStart: ins.bEnd - n, bEnd: ins.bEnd };
        moved = true;
      }
    }
    if (!eq.equal && eq.aStart === eq.aEnd && ins.equal) {
      const n = ins.bEnd - ins.bStart;
      if (eq.bEnd - eq.bStart >= n && soft(ins.bStart, ins.bEnd) && !soft(eq.bStart, eq.bStart + n) && same(ins.bStart, eq.bStart, n)) {
        hunks[k] = { equal: true, aStart: ins.aStart, aEnd: ins.aEnd, bStart: eq.bStart, bEnd: eq.bStart + n };
        hunks[k + 1] = { equal: false, aStart: ins.aEnd, aEnd: ins.aEnd, bStart: eq.bStart + n, bEnd: ins.bEnd };
        moved = true;
      }
    }
  }
  return moved ? mergeAdjacentChanges(hunks.filter((h) => h.aStart !== h.aEnd || h.bStart !== h.bEnd)) : hunks;
}

/**
 * A slip that does not change a word into another: a plural for a singular, a dropped or doubled
 * last letter, one letter wrong, missing or swapped in a word of six letters or more.
 */
export function isTypo(expected: string, found: string): boolean {
  if (expected === found) return true;
  if (PROTECTED.has(expected) || PROTECTED.has(found)) return false;
  if (!/^\p{L}+$/u.test(expected) || !/^\p{L}+$/u.test(found)) return false;
  const [short, long] = expected.length <= found.length ? [expected, found] : [found, expected];
  if (long === `${short}s` || long === `${short}es` || (short.endsWith('y') && long === `${short.slice(0, -1)}ies`)) return true;
  if (long.length - short.length === 1 && long.startsWith(short)) return true;
  if (short.length >= 6 && editDistanceAtMostOne(short, long)) return true;
  return false;
}

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    // One substitution, or one transposition of neighbours.
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  const [s, l] = a.length < b.length ? [a, b] : [b, a];
  return s.slice(i) === l.slice(i + 1);
}
