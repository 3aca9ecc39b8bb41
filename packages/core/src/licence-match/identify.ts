/**
 * Identifies the licences in a text: full licence texts (every licence of the SPDX License List and
 * the AI and data licences Clearance adds), licence notices and choice statements, combined into one
 * SPDX expression — or none, with evidence of what differed, when a text is close to a licence but
 * not it.
 *
 * 1. Words: the text normalised by the matching guidelines (normalise.ts).
 * 2. Candidates: the exact hash of the whole text, else an index of word 4-grams, scored by how much
 *    of each licence the text holds.
 * 3. Verification: the best candidates diffed against their reference; only allowed changes pass
 *    (verify.ts). Overlapping matches keep the one that covers more of the text.
 * 4. Notices: GNU notices outside the licence texts decide `-only` or `-or-later`; headers and
 *    choice statements add their licences; a choice statement or "at your option" makes OR.
 */
import { licenceData, licenceName, ngramAt, exactKey, N, type LicenceData, type RefEntry } from './data.js';
import { lineAt, toWords, type Words } from './normalise.js';
import { choiceNotices, gnuNotices, headerNotices, llamaNotices, saysChoice } from './notices.js';
import { verify, type Difference, type Verification } from './verify.js';

/** A licence found in the text. Lines are 1-based and inclusive. */
export interface LicenceMatch {
  /** SPDX id or `LicenseRef-…`. */
  id: string;
  name: string;
  /** `text`: the licence's full text; `notice`: a notice or header that grants it; `choice`: named in a choice statement. */
  kind: 'text' | 'notice' | 'choice';
  confidence: number;
  lines: { start: number; end: number };
  /** Character offsets of the matched stretch. */
  offsets: { start: number; end: number };
  /** How the id was chosen among licences sharing one text, or how a notice was read. */
  note?: string;
  /** Required words of the reference found in place (1 for an exact text). */
  similarity: number;
}

/** A licence the text is close to but is not: the differences that rule it out. */
export interface NearMiss {
  id: string;
  name: string;
  similarity: number;
  lines: { start: number; end: number } | null;
  /** At most 10 differences, each with the line of the text where it is. */
  differences: (Omit<Difference, 'at'> & { line: number })[];
}

/** The result of {@link identifyLicences}. */
export interface LicenceIdentification {
  /** The SPDX expression the text grants, or null when it grants none that Clearance can name. */
  expression: string | null;
  /** Lowest confidence of the matches that make the expression; 0 without one. */
  confidence: number;
  matches: LicenceMatch[];
  /** Close licences ruled out; non-empty with a null expression means "modified licence text". */
  nearMisses: NearMiss[];
  /** Text outside the matched licences that reads like terms (added conditions), if any. */
  additional: { lines: { start: number; end: number }; words: number; excerpt: string } | null;
  /** How several licences were joined, and why. */
  operator: { op: 'AND' | 'OR'; reason: string } | null;
  /** Licences whose texts the text matches equally well (they differ only where the text is silent): none is claimed. */
  ambiguous: string[][];
}

/** Options of {@link identifyLicences}. */
export interface IdentifyOptions {
  /**
   * `file`: a licence file, where text beside the licence that reads like terms makes it modified.
   * `embedded`: a README or a source file, where other text is expected and only the licences count.
   * Default `file`.
   */
  context?: 'file' | 'embedded';
  /** Most close licences to report. Default 3. */
  maxNearMisses?: number;
}

/** Lowest share of a licence's 4-grams a text must hold for the licence to be verified. */
const MIN_COVERAGE = 0.4;
/** Most candidates verified for one text. */
const MAX_VERIFY = 20;
/** Share of a licence's 4-grams below which a text is not worth verifying as that licence. */
const VERIFY_COVERAGE = 0.7;

interface Candidate {
  entry: RefEntry;
  /** Share of the licence's required 4-grams the text holds. */
  coverage: number;
  /** How many of them: the licence that explains most of the text comes first. */
  hits: number;
}

interface Found {
  entry: RefEntry;
  result: Verification;
  span: [number, number];
}

/**
 * Identifies the licences in a decoded text.
 *
 * ```ts
 * identifyLicences(readFileSync('LICENSE', 'utf8')).expression // 'MIT'
 * identifyLicences(mitWithAnExtraClause).expression          // null, nearMisses[0].id === 'MIT'
 * ```
 */
export function identifyLicences(text: string, options: IdentifyOptions = {}): LicenceIdentification {
  const data = licenceData();
  const context = options.context ?? 'file';
  const full = toWords(text, { titles: true });
  // List markers, links, copyright notices and titles may be added or dropped (B.8, B.11, B.12):
  // they are soft words, which match where the licence has them and are no addition where it has not.
  const soft = new Uint8Array(full.words.length);
  for (let i = 0; i < soft.length; i++) soft[i] = full.soft[i]! | full.notice[i]! | full.title[i]!;
  const w: Words = { ...full, soft };
  const toCompact = Int32Array.from({ length: full.words.length + 1 }, (_, i) => i);
  const ids = new Int32Array(w.words.length);
  for (let i = 0; i < w.words.length; i++) ids[i] = data.vocab.get(w.words[i]!) ?? -1;
  const input = { ids, soft: w.soft, words: w.words };

  // 4-gram hashes at each word of the text (-1 where a word is unknown), shared by every step.
  const grams = new Int32Array(Math.max(0, ids.length - N + 1));
  for (let i = 0; i < grams.length; i++) grams[i] = ngramAt(ids, i);
  const candidates = findCandidates(data, ids, w.soft);
  const found: Found[] = [];
  const rejected: { entry: RefEntry; result: Verification; coverage: number }[] = [];
  let verified = 0;
  for (const c of candidates) {
    if (verified >= MAX_VERIFY) break;
    // A text that verifies holds nearly all of the licence's 4-grams; below that, only the best two
    // are diffed, for the evidence of a near miss, and only while nothing matched.
    if (c.coverage < VERIFY_COVERAGE && (found.length > 0 || rejected.length >= 2)) continue;
    const window = windowFor(c.entry, grams, ids.length, c.coverage === 1 && candidates.length === 1);
    if (!window) continue;
    // A licence whose words lie inside a text already matched is part of it (BSD-2-Clause in BSD-3-Clause).
    // (Unless it holds the text as wholly: two licences whose texts differ only in a title must both be tried.)
    if (c.coverage < 0.98 && found.some((f) => f.span[0] <= window.core[0] + 2 && window.core[1] <= f.span[1] + 2)) continue;
    verified++;
    const result = verify(c.entry, input, window.from, window.to, data.words);
    if (result.ok && result.span) found.push({ entry: c.entry, result, span: result.span });
    else rejected.push({ entry: c.entry, result, coverage: c.coverage });
  }
  // Overlapping matches: the one covering more words wins (a licence that is another plus a clause).
  // Then the one matching more of its own words (a title that tells versions apart), then a current id.
  // The licence that explains more of the text (its words, not soft ones: a notice an optional part
  // happens to cover does not count); then the one matching more required words (that names its
  // holder where the other has a var); then more of its own words (a title that tells versions apart).
  const length = (f: Found) => f.result.hardSpan;
  const required = (f: Found) => Math.round(f.result.similarity * f.entry.required);
  found.sort((x, y) => length(y) - length(x) || required(y) - required(x) || y.result.matchedAll - x.result.matchedAll || Number(x.entry.deprecated) - Number(y.entry.deprecated) || x.entry.index - y.entry.index);
  const kept: Found[] = [];
  const ambiguous: Found[][] = [];
  for (const f of found) {
    const rival = kept.find((k) => overlap(k.span, f.span) > 0.2 * Math.min(k.span[1] - k.span[0], f.span[1] - f.span[0]));
    if (!rival) kept.push(f);
    // Two current licences matching the same words equally: the text does not say which it is.
    else if (required(rival) === required(f) && length(rival) === length(f) && rival.result.matchedAll === f.result.matchedAll && rival.entry.deprecated === f.entry.deprecated) {
      const group = ambiguous.find((g) => g[0] === rival);
      if (group) group.push(f);
      else ambiguous.push([rival, f]);
    }
  }
  for (const group of ambiguous) kept.splice(kept.indexOf(group[0]!), 1);
  kept.sort((x, y) => x.span[0] - y.span[0]);
  // Where a licence's own words are, and its appendix after them: a notice there is the licence's own
  // example ("How to apply"); one before it (even where the licence's omittable title matched) is the file's.
  const spanMask = new Uint8Array(w.words.length);
  for (const k of kept) spanMask.fill(1, ...(k.result.coreSpan ?? k.span));
  const inSpan = (i: number) => spanMask[i] === 1;
  // A licence text close to one we know but changed: its own appendix notice must not vouch for it.
  const near = rejected.filter((r) => r.result.span && r.result.similarity >= 0.8);
  // Words matched with a licence's words (kept or nearly): a notice made of them is the licence's own.
  const alignedMask = new Uint8Array(w.words.length);
  for (const f of [...kept, ...near]) for (const [a, b] of f.result.aligned) alignedMask.fill(1, a, b);
  const licencesOwn = (n: { start: number; end: number }) => {
    let matched = 0;
    for (let i = n.start; i < n.end; i++) matched += alignedMask[i]!;
    return matched >= 0.7 * (n.end - n.start);
  };

  // Notices are read on all the words (their version clauses and links count), then mapped to the matched ones.
  const noticeInput = { text, words: full.words, start: full.start, end: full.end };
  const isKnown = (id: string) => data.byId.has(id);
  const notices = [...gnuNotices(noticeInput, isKnown), ...headerNotices(noticeInput), ...llamaNotices(noticeInput), ...choiceNotices(noticeInput, (i) => inSpan(toCompact[i]!))]
    .map((n) => ({ ...n, start: toCompact[n.start]!, end: Math.max(toCompact[n.start]! + 1, toCompact[n.end]!) }))
    .filter((n) => !licencesOwn(n) && !inSpan(n.start));

  const matches: LicenceMatch[] = [];
  const lines = (s: number, e: number) => ({ start: lineAt(w.lineStarts, w.start[s]!), end: lineAt(w.lineStarts, w.end[Math.max(s, e - 1)]! - 1) });
  for (const k of kept) {
    const [s, e] = k.span;
    const id = k.entry.ids[0]!;
    const shared = k.entry.ids.length > 1 ? `the text is the same for ${k.entry.ids.join(', ')}; ${id} is what the text alone grants` : undefined;
    matches.push({
      id,
      name: k.entry.names[0]!,
      kind: 'text',
      confidence: k.entry.ids.length > 1 && /-only$/.test(id) ? 0.9 : 0.99,
      lines: lines(s, e),
      offsets: { start: w.start[s]!, end: w.end[e - 1]! },
      ...(shared ? { note: shared } : {}),
      similarity: k.result.similarity,
    });
  }
  // A GNU notice decides -only / -or-later for the GNU text it names; any other notice adds its licence.
  const extraMatches: LicenceMatch[] = [];
  for (const n of notices) {
    const nLines = { start: lineAt(w.lineStarts, n.from), end: lineAt(w.lineStarts, Math.max(n.from, n.to - 1)) };
    if (n.expression === null) continue;
    const parts = n.expression.split(' OR ');
    const refined = matches.find((m) => m.kind === 'text' && parts.length === 1 && sameGnuText(data, m.id, parts[0]!));
    if (refined) {
      refined.id = parts[0]!;
      refined.name = licenceName(data, refined.id);
      refined.confidence = 0.99;
      refined.note = `the notice at line ${nLines.start} says: ${n.detail}`;
      continue;
    }
    if (matches.some((m) => m.id === n.expression) || extraMatches.some((m) => m.id === n.expression)) continue;
    extraMatches.push({
      id: n.expression,
      name: parts.map((p) => licenceName(data, p)).join(' or '),
      kind: n.kind === 'choice' ? 'choice' : 'notice',
      confidence: n.kind === 'choice' ? 0.9 : 0.95,
      lines: nLines,
      offsets: { start: n.from, end: n.to },
      note: n.kind === 'gnu' ? `the notice says: ${n.detail}` : n.detail,
      similarity: 1,
    });
  }
  const unreadGnu = notices.filter((n) => n.expression === null);
  matches.push(...extraMatches);
  matches.sort((x, y) => x.offsets.start - y.offsets.start);

  // B.13: after the obvious end of a licence (its text reached into the appendix after "END OF TERMS
  // AND CONDITIONS"), what follows up to the next licence is more of that appendix, not added terms.
  const tails: [number, number][] = [];
  for (const k of kept) {
    const appendix = k.entry.regions.find((r) => r.kind === 'optional' && r.end === k.entry.words.length && r.start > 0);
    if (!appendix || k.result.refEnd <= appendix.start) continue;
    const next = Math.min(w.words.length, ...kept.filter((o) => o.span[0] >= k.span[1]).map((o) => o.span[0]), ...notices.filter((n) => n.start >= k.span[1]).map((n) => n.start));
    tails.push([k.span[1], next]);
  }
  // Text outside every match: in a licence file, terms there modify the licence.
  const coveredMask = spanMask.slice();
  for (const n of notices) coveredMask.fill(1, n.start, n.end);
  for (const t of tails) coveredMask.fill(1, t[0], t[1]);
  for (const k of kept) coveredMask.fill(1, k.span[0], k.span[1]);
  const covered = (i: number) => coveredMask[i] === 1;
  const additional = context === 'file' && matches.length > 0 ? additionalTerms(text, w, covered) : null;

  const nearMisses = rejected
    .filter((r) => r.result.similarity >= 0.5 || r.coverage >= 0.6)
    .filter((r) => !kept.some((k) => k.entry === r.entry))
    // A rejected licence whose text another match explains (BSD-2-Clause inside a BSD-3-Clause) is no near miss.
    .filter((r) => !(r.result.span && kept.some((k) => overlap(k.span, r.result.span!) > 0.5 * (r.result.span![1] - r.result.span![0]))))
    // Closest first: fewest words differing, then most of the licence found.
    .sort((x, y) => x.result.distance - y.result.distance || y.result.similarity - x.result.similarity || y.coverage - x.coverage)
    .slice(0, options.maxNearMisses ?? 3)
    .map((r) => ({
      id: r.entry.ids[0]!,
      name: r.entry.names[0]!,
      similarity: round(Math.max(r.result.similarity, 0)),
      lines: r.result.span ? lines(r.result.span[0], r.result.span[1]) : null,
      differences: r.result.differences.slice(0, 10).map((d) => ({ kind: d.kind, ...(d.typo ? { typo: true } : {}), expected: d.expected, found: d.found, line: d.at < w.words.length ? lineAt(w.lineStarts, w.start[d.at]!) : lineAt(w.lineStarts, text.length) })),
    }));

  let expression: string | null = null;
  let operator: LicenceIdentification['operator'] = null;
  const granting = matches;
  if (additional !== null || unreadGnu.length > 0) expression = null;
  else if (granting.length === 1) expression = granting[0]!.id;
  else if (granting.length > 1) {
    const choice = granting.find((m) => m.kind === 'choice');
    const outside = outsideText(text, w, covered);
    if (choice || saysChoice(outside)) {
      const idsInOrder = unique(granting.flatMap((m) => m.id.split(' OR ')));
      expression = idsInOrder.map((id) => (id.includes(' ') ? `(${id})` : id)).join(' OR ');
      operator = { op: 'OR', reason: choice ? `choice statement at line ${choice.lines.start}` : 'the text says the licences are a choice ("at your option", "dual licensed")' };
    } else {
      const idsInOrder = unique(granting.map((m) => m.id));
      expression = idsInOrder.map((id) => (id.includes(' OR ') ? `(${id})` : id)).join(' AND ');
      operator = { op: 'AND', reason: 'several licences and no statement that they are a choice: each applies' };
    }
  }
  const confidence = expression === null ? 0 : Math.min(...granting.map((m) => m.confidence)) * (operator?.op === 'AND' ? 0.9 : 1);
  const ambiguousIds = ambiguous.map((g) => g.map((f) => f.entry.ids[0]!));
  if (ambiguousIds.length > 0) expression = null;
  return { expression, confidence: expression === null ? 0 : round(confidence), matches, nearMisses: expression === null ? nearMisses : [], additional, operator, ambiguous: ambiguousIds };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function overlap(a: [number, number], b: [number, number]): number {
  return Math.max(0, Math.min(a[1], b[1]) - Math.max(a[0], b[0]));
}

/** Whether `notice` is another id of the text `id` was matched as (GPL-3.0-only's text is GPL-3.0-or-later's). */
function sameGnuText(data: LicenceData, id: string, notice: string): boolean {
  const entry = data.byId.get(id);
  return entry !== undefined && entry.ids.length > 1 && entry.ids.includes(notice);
}

/** Candidates: the exact text, else every licence holding at least MIN_COVERAGE of its 4-grams, best first. */
function findCandidates(data: LicenceData, ids: Int32Array, soft: Uint8Array): Candidate[] {
  const exact = data.exact.get(exactKey(ids, soft, null, true));
  if (exact) return exact.map((entry) => ({ entry, coverage: 1, hits: entry.ngrams }));
  const words = withoutSoft(ids, soft);
  const hits = data.index.count(words);
  const out: Candidate[] = [];
  for (let e = 0; e < hits.length; e++) {
    const entry = data.entries[e]!;
    if (hits[e] === 0 || entry.ngrams === 0) continue;
    const coverage = hits[e]! / entry.ngrams;
    if (coverage >= MIN_COVERAGE) out.push({ entry, coverage, hits: hits[e]! });
  }
  // Best first: the licence that explains most of the text and leaves least of itself unexplained.
  // Licences the text holds (nearly) whole come first, the larger first; then the rest, by how much
  // more of the text they explain than they leave of themselves unexplained.
  const whole = (c: Candidate) => (c.coverage >= 0.9 ? 1 : 0);
  const score = (c: Candidate) => (whole(c) ? c.hits : 2 * c.hits - c.entry.ngrams) * c.entry.gramWeight;
  return out.sort((x, y) => whole(y) - whole(x) || score(y) - score(x) || y.coverage - x.coverage);
}

function withoutSoft(ids: Int32Array, soft: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < ids.length; i++) if (!soft[i]) n++;
  if (n === ids.length) return ids;
  const out = new Int32Array(n);
  let j = 0;
  for (let i = 0; i < ids.length; i++) if (!soft[i]) out[j++] = ids[i]!;
  return out;
}

/**
 * The stretch of input words to verify a candidate on: the densest run of its 4-grams, widened by a
 * margin for a title or a var at either end. The whole text when it is the candidate's exact text.
 */
function windowFor(entry: RefEntry, grams: Int32Array, length: number, whole: boolean): { from: number; to: number; core: [number, number] } | null {
  if (whole) return { from: 0, to: length, core: [0, length] };
  let own = entry.allNgrams;
  if (!own) {
    own = new Set<number>();
    for (let i = 0; i + N <= entry.words.length; i++) {
      const h = ngramAt(entry.words, i);
      if (h >= 0) own.add(h);
    }
    entry.allNgrams = own;
  }
  const positions: number[] = [];
  for (let i = 0; i < grams.length; i++) {
    const h = grams[i]!;
    if (h >= 0 && own.has(h)) positions.push(i);
  }
  if (positions.length === 0) return null;
  // Split where hits are far apart; keep the run with the most hits.
  const gap = Math.max(60, Math.ceil(entry.words.length * 0.3));
  let best: [number, number, number] = [positions[0]!, positions[0]!, 1];
  let runStart = positions[0]!;
  let count = 1;
  for (let k = 1; k <= positions.length; k++) {
    const p = positions[k];
    if (p === undefined || p - positions[k - 1]! > gap) {
      if (count > best[2]) best = [runStart, positions[k - 1]!, count];
      if (p !== undefined) {
        runStart = p;
        count = 1;
      }
    } else count++;
  }
  const margin = 40 + Math.ceil(entry.words.length * 0.05);
  return { from: Math.max(0, best[0] - margin), to: Math.min(length, best[1] + N + margin), core: [best[0], best[1] + N] };
}

/** Text of the input outside the covered words, joined. */
function outsideText(text: string, w: Words, covered: (i: number) => boolean): string {
  const parts: string[] = [];
  for (let i = 0; i < w.words.length; i++) if (!covered(i)) parts.push(text.slice(w.start[i], w.end[i]));
  return parts.join(' ');
}

/** Words that make text beside a licence read like terms of its own. */
const TERMS = /\b(?:not|prohibited|forbidden|restrict\w*|except|only|must|shall|condition\w*|require[sd]?|commercial\w*|military|permission|permitted|allowed|may)\b/i;

/**
 * Outside the matched licences, a licence file may hold titles, headings, links, names and
 * explanations. A run of three words or more that reads like terms ("may not", "only", "must",
 * "commercial") is "additional text": the file says more than the licence, and is not identified as it.
 */
function additionalTerms(text: string, w: Words, covered: (i: number) => boolean): LicenceIdentification['additional'] {
  let runStart = -1;
  let best: { s: number; e: number } | null = null;
  const flush = (end: number) => {
    if (runStart < 0) return;
    const n = end - runStart;
    const snippet = text.slice(w.start[runStart], w.end[end - 1]);
    // A statement that the licences are a choice ("at your option") is about them, not a term of its own.
    if (n >= 3 && TERMS.test(snippet) && !saysChoice(snippet) && (!best || n > best.e - best.s)) best = { s: runStart, e: end };
    runStart = -1;
  };
  for (let i = 0; i < w.words.length; i++) {
    // Soft words (titles, copyright notices, links, list markers) are no terms.
    if (covered(i) || w.soft[i]) flush(i);
    else if (runStart < 0) runStart = i;
  }
  flush(w.words.length);
  if (!best) return null;
  const { s, e } = best as { s: number; e: number };
  const excerpt = text.slice(w.start[s], w.end[e - 1]).replace(/\s+/g, ' ');
  return {
    lines: { start: lineAt(w.lineStarts, w.start[s]!), end: lineAt(w.lineStarts, w.end[e - 1]! - 1) },
    words: e - s,
    excerpt: excerpt.length > 200 ? `${excerpt.slice(0, 197)}...` : excerpt,
  };
}

/** A choice statement: "Licensed under either of Apache License, Version 2.0 or MIT license at your option". */
export interface ChoiceStatement {
  expression: string;
  lines: { start: number; end: number };
  /** The statement, shortened. */
  text: string;
}

/**
 * The choice statements of a text (a README, a COPYRIGHT file): a cue ("dual licensed", "licensed
 * under either", "at your option") in a paragraph or list that names two or more licences and says
 * "licensed". Each gives "A OR B" in the order written.
 */
export function findChoiceStatements(text: string): ChoiceStatement[] {
  if (!/\boption\b|\bchoice\b|\bdual\b|\beither\b|\bchoose\b/i.test(text)) return [];
  const w = toWords(text);
  const data = licenceData();
  return choiceNotices({ text, words: w.words, start: w.start, end: w.end })
    .filter((n) => n.expression !== null && /\blicen[cs]ed\b/i.test(text.slice(n.from, n.to)))
    .filter((n) => n.expression!.split(' OR ').every((id) => data.byId.has(id)))
    .map((n) => ({ expression: n.expression!, lines: { start: lineAt(w.lineStarts, n.from), end: lineAt(w.lineStarts, Math.max(n.from, n.to - 1)) }, text: n.detail }));
}
