/**
 * Licence notices and choice statements: the short texts that say which licence applies without
 * being the licence — the GNU "This program is free software … either version 2 of the License, or
 * (at your option) any later version" notice, the Apache-2.0, MPL-2.0 and EPL-2.0 file headers, and
 * dual-licence statements ("Licensed under either of Apache License, Version 2.0 or MIT license at
 * your option"). A GNU notice is what tells `-only` from `-or-later`: the licence text is the same.
 * Reference: SPDX License List, standard licence headers (GPL-2.0-or-later, Apache-2.0, MPL-2.0,
 * EPL-2.0); SPDX Specification 2.3, Annex D.3 (OR: a choice between licences).
 */

/** A notice found in a text. Word indexes refer to the text's words. */
export interface Notice {
  /** The SPDX expression the notice grants, or null when it names a licence but not which version. */
  expression: string | null;
  kind: 'gnu' | 'header' | 'choice';
  /** Words [start, end) of the notice. */
  start: number;
  end: number;
  /** Character offsets of the same. */
  from: number;
  to: number;
  /** How the notice was read ("either version 3 of the License, or (at your option) any later version"). */
  detail: string;
}

/** What the recognisers read: the words, and where each is in the text. */
export interface NoticeInput {
  text: string;
  words: readonly string[];
  start: Uint32Array;
  end: Uint32Array;
}

/** Finds the words of `phrase` (space-separated) from `from` on; -1 when absent. */
function findPhrase(words: readonly string[], phrase: readonly string[], from: number, to = words.length): number {
  outer: for (let i = from; i + phrase.length <= to; i++) {
    for (let j = 0; j < phrase.length; j++) if (words[i + j] !== phrase[j]) continue outer;
    return i;
  }
  return -1;
}

const GNU_FAMILY: Readonly<Record<string, { prefix: string; versions: Readonly<Record<string, string>> }>> = {
  general: { prefix: 'GPL', versions: { '1': '1.0', '1.0': '1.0', '2': '2.0', '2.0': '2.0', '3': '3.0', '3.0': '3.0' } },
  lesser: { prefix: 'LGPL', versions: { '2.1': '2.1', '3': '3.0', '3.0': '3.0' } },
  library: { prefix: 'LGPL', versions: { '2': '2.0', '2.0': '2.0' } },
  affero: { prefix: 'AGPL', versions: { '1': '1.0', '3': '3.0', '3.0': '3.0' } },
};

/**
 * GNU notices: "… under the terms of the GNU [Affero|Lesser|Library] General Public License as
 * published by the Free Software Foundation, [either] version N [of the License], [or (at your
 * option) any later version]". The version clause decides: "any later version" gives `-or-later` of
 * the lowest version named; versions named without it are each `-only`, joined by OR ("either version
 * 2 or (at your option) version 3" → GPL-2.0-only OR GPL-3.0-only).
 */
export function gnuNotices(input: NoticeInput, isKnown: (id: string) => boolean): Notice[] {
  const { words, text } = input;
  const out: Notice[] = [];
  for (let i = findPhrase(words, ['general', 'public', 'license'], 0); i >= 0; i = findPhrase(words, ['general', 'public', 'license'], i + 3)) {
    const qualifier = words[i - 1];
    const gnuAt = qualifier === 'gnu' ? i - 1 : words[i - 2] === 'gnu' ? i - 2 : -1;
    if (gnuAt < 0) continue;
    const family = qualifier === 'gnu' ? 'general' : qualifier ?? '';
    const spec = GNU_FAMILY[family];
    if (!spec) continue;
    // It is a notice only when it grants, in one sentence: "you can redistribute it and/or modify it
    // under the terms of the GNU …" (or "licensed under the GNU …") — the licence's own title after a
    // notice is not another notice.
    const lead = Math.max(0, gnuAt - 30);
    const underTerms = findPhrase(words, ['under', 'the', 'terms', 'of', 'the'], Math.max(0, gnuAt - 5), gnuAt);
    const licensedUnder = findPhrase(words, ['licensed', 'under', 'the'], Math.max(0, gnuAt - 3), gnuAt);
    if (underTerms < 0 && licensedUnder < 0) continue;
    const grant = findPhrase(words, ['redistribute', 'it', 'and', 'or', 'modify', 'it'], lead, gnuAt);
    const start = grant >= 0 ? grant : underTerms >= 0 ? underTerms : licensedUnder;
    // The version clause: from "License" to the end of its sentence.
    const clauseFrom = input.end[i + 2]!;
    const rest = text.slice(clauseFrom, clauseFrom + 400);
    // The clause ends with its sentence; "2.1" and "v. 2" are not ends.
    const stop = /\.(?=\s|$)/.exec(rest.replace(/\b(\d)\.(\d)/g, '$1_$2').replace(/\bv\./gi, 'v_'));
    const clause = rest.slice(0, stop ? stop.index : rest.length);
    const versions = [...clause.matchAll(/\bversions?\s+(\d(?:\.\d)?)\b/gi)].map((m) => m[1]!);
    const extra = [...clause.matchAll(/\bor\s+(?:\(at your option\)\s+)?(\d(?:\.\d)?)\b/gi)].map((m) => m[1]!);
    const named = [...new Set([...versions, ...extra])];
    const later = /\b(?:any\s+)?later\s+version\b|\bor\s+later\b|\bany\s+later\b/i.test(clause);
    let clauseEnd = i + 3;
    while (clauseEnd < words.length && input.start[clauseEnd]! < clauseFrom + clause.length) clauseEnd++;
    const ids = named.map((v) => spec.versions[v]).filter((v): v is string => v !== undefined);
    let expression: string | null = null;
    if (ids.length > 0 && ids.length === named.length) {
      const sorted = [...new Set(ids)].sort();
      const parts = later ? [`${spec.prefix}-${sorted[0]}-or-later`] : sorted.map((v) => `${spec.prefix}-${v}-only`);
      if (parts.every(isKnown)) expression = parts.join(' OR ');
    }
    const end = extendOver(words, clauseEnd, GNU_TAIL, 160);
    out.push({ expression, kind: 'gnu', start, end, from: input.start[start]!, to: Math.max(clauseFrom + clause.length, input.end[end - 1]!), detail: clause.trim().replace(/\s+/g, ' ').slice(0, 160) });
  }
  return out;
}

/**
 * The end of a notice: the last of its usual closing phrases within `reach` words (the warranty
 * disclaimer and the "you should have received a copy" paragraph of a GNU notice, "limitations under
 * the License" of Apache's), so that they count as the notice and not as added text.
 */
function extendOver(words: readonly string[], from: number, tails: readonly (readonly string[])[], reach: number): number {
  let end = from;
  const limit = Math.min(words.length, from + reach);
  for (const tail of tails) {
    for (let i = findPhrase(words, tail, from, limit); i >= 0; i = findPhrase(words, tail, i + 1, limit)) end = Math.max(end, i + tail.length);
  }
  return end;
}

const GNU_TAIL: readonly (readonly string[])[] = [
  ['for', 'more', 'details'],
  ['along', 'with', 'this', 'program'],
  ['along', 'with', 'this', 'library'],
  ['along', 'with', 'this', 'file'],
  ['gnu', 'org', 'licenses'],
  ['boston', 'ma', '02110', '1301', 'usa'],
  ['boston', 'ma', '02111', '1307', 'usa'],
  ['cambridge', 'ma', '02139', 'usa'],
  ['02110', '1301', 'usa'],
];
const APACHE_TAIL = [['limitations', 'under', 'the', 'license'], ['licenses', 'license', '2', '0']] as const;

interface HeaderRule {
  id: string;
  /** Closing phrases of the header (see extendOver). */
  tail: readonly (readonly string[])[];
  /** Words that must appear, in order, one after another. */
  phrase: string[];
  /** Words one of which must appear in the few words before the phrase (the grant). */
  verbs: string[];
}

const HEADERS: readonly HeaderRule[] = [
  { id: 'Apache-2.0', tail: APACHE_TAIL, phrase: ['under', 'the', 'apache', 'license', 'version', '2', '0'], verbs: ['licensed', 'licenses', 'license', 'released', 'distributed', 'available', 'provided'] },
  { id: 'Apache-2.0', tail: APACHE_TAIL, phrase: ['under', 'the', 'apache', 'license', '2', '0'], verbs: ['licensed', 'licenses', 'released', 'distributed', 'available', 'provided'] },
  { id: 'MPL-2.0', tail: [['mozilla', 'org', 'mpl', '2', '0']], phrase: ['subject', 'to', 'the', 'terms', 'of', 'the', 'mozilla', 'public', 'license', 'v', '2', '0'], verbs: ['is'] },
  { id: 'EPL-2.0', tail: [['eclipse', 'org', 'legal', 'epl', '2', '0'], ['classpath', 'exception', '2', '0']], phrase: ['under', 'the', 'terms', 'of', 'the', 'eclipse', 'public', 'license', 'v', '2', '0'], verbs: ['available'] },
  { id: 'EPL-2.0', tail: [['eclipse', 'org', 'legal', 'epl', '2', '0'], ['classpath', 'exception', '2', '0']], phrase: ['under', 'the', 'terms', 'of', 'the', 'eclipse', 'public', 'license', '2', '0'], verbs: ['available'] },
];
/**
 * The attribution notices the Llama community licences require in a "Notice" file ("Llama 3.1 is
 * licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc."): the licence
 * by its name, for a NOTICE file or a model card that carries only the notice.
 */
const LLAMA_NOTICES: readonly { id: string; phrase: string[] }[] = [
  { id: 'LicenseRef-scancode-llama-2-license-2023', phrase: ['llama', '2', 'is', 'licensed', 'under', 'the', 'llama', '2', 'community', 'license'] },
  { id: 'LicenseRef-scancode-llama-3-license-2024', phrase: ['meta', 'llama', '3', 'is', 'licensed', 'under', 'the', 'meta', 'llama', '3', 'community', 'license'] },
  { id: 'LicenseRef-scancode-llama-3.1-license-2024', phrase: ['llama', '3', '1', 'is', 'licensed', 'under', 'the', 'llama', '3', '1', 'community', 'license'] },
  { id: 'LicenseRef-scancode-llama-3.2-license-2024', phrase: ['llama', '3', '2', 'is', 'licensed', 'under', 'the', 'llama', '3', '2', 'community', 'license'] },
  { id: 'LicenseRef-scancode-llama-3.3-license-2024', phrase: ['llama', '3', '3', 'is', 'licensed', 'under', 'the', 'llama', '3', '3', 'community', 'license'] },
];

/** Llama attribution notices (see LLAMA_NOTICES). */
export function llamaNotices(input: NoticeInput): Notice[] {
  const out: Notice[] = [];
  for (const rule of LLAMA_NOTICES) {
    const i = findPhrase(input.words, rule.phrase, 0);
    if (i < 0) continue;
    const end = i + rule.phrase.length;
    out.push({ expression: rule.id, kind: 'header', start: i, end, from: input.start[i]!, to: input.end[end - 1]!, detail: input.text.slice(input.start[i], input.end[end - 1]).replace(/\s+/g, ' ').slice(0, 160) });
  }
  return out;
}

const MPL_NO_COPYLEFT = ['incompatible', 'with', 'secondary', 'licenses', 'as', 'defined', 'by', 'the', 'mozilla', 'public', 'license', 'v', '2', '0'];

/** Standard file headers of Apache-2.0, MPL-2.0 (with Exhibit B: MPL-2.0-no-copyleft-exception) and EPL-2.0. */
export function headerNotices(input: NoticeInput): Notice[] {
  const { words } = input;
  const out: Notice[] = [];
  for (const rule of HEADERS) {
    for (let i = findPhrase(words, rule.phrase, 0); i >= 0; i = findPhrase(words, rule.phrase, i + rule.phrase.length)) {
      const lead = Math.max(0, i - 8);
      let verb = -1;
      for (let j = i - 1; j >= lead; j--) if (rule.verbs.includes(words[j]!)) verb = j;
      if (verb < 0) continue;
      let id = rule.id;
      const end = i + rule.phrase.length;
      if (id === 'MPL-2.0' && findPhrase(words, MPL_NO_COPYLEFT, end, Math.min(words.length, end + 80)) >= 0) id = 'MPL-2.0-no-copyleft-exception';
      if (out.some((n) => n.start <= i && i < n.end)) continue;
      const last = extendOver(words, end, rule.tail, 120);
      out.push({ expression: id, kind: 'header', start: verb, end: last, from: input.start[verb]!, to: input.end[last - 1]!, detail: input.text.slice(input.start[verb], input.end[end - 1]).replace(/\s+/g, ' ').slice(0, 160) });
    }
  }
  return out.sort((x, y) => x.start - y.start);
}

/** Licence names as choice statements write them, in words, with their SPDX ids. Longest first. */
const NAMES: readonly (readonly [string[], string])[] = (
  [
    ['apache license version 2 0', 'Apache-2.0'],
    ['apache license 2 0', 'Apache-2.0'],
    ['apache 2 0 license', 'Apache-2.0'],
    ['apache 2 0', 'Apache-2.0'],
    ['mit license', 'MIT'],
    ['mit no attribution', 'MIT-0'],
    ['the unlicense', 'Unlicense'],
    ['unlicense', 'Unlicense'],
    ['zlib license', 'Zlib'],
    ['boost software license 1 0', 'BSL-1.0'],
    ['bsd 3 clause license', 'BSD-3-Clause'],
    ['bsd 2 clause license', 'BSD-2-Clause'],
    ['mozilla public license 2 0', 'MPL-2.0'],
    ['isc license', 'ISC'],
    ['cc0 1 0', 'CC0-1.0'],
    ['mit', 'MIT'],
  ] as const
).map(([phrase, id]) => [phrase.split(' '), id] as const);

const CHOICE_CUE = /\blicen[cs]ed under either\b|\bdual[- ]licen[cs]ed\b|\bat (?:your|the user'?s?|licensee'?s?) (?:option|choice|discretion)\b|\byou (?:may|can) (?:choose|select|pick)\b/i;

/**
 * Choice statements: a cue ("dual licensed", "licensed under either", "at your option") and, in the
 * same paragraph or list, two or more licence names. Gives "A OR B" in the order written.
 */
export function choiceNotices(input: NoticeInput, skip: (wordIndex: number) => boolean = () => false): Notice[] {
  const out: Notice[] = [];
  const { text, words } = input;
  const re = new RegExp(CHOICE_CUE.source, 'gi');
  for (const m of text.matchAll(re)) {
    // The statement's block: back to the blank line or heading before the cue, on to the one after.
    const before = text.lastIndexOf('\n\n', m.index);
    let blockStart = before < 0 ? 0 : before + 2;
    const heading = text.lastIndexOf('\n#', m.index);
    if (heading + 1 > blockStart) blockStart = heading + 1;
    let blockEnd = text.indexOf('\n\n', m.index + m[0].length);
    // "Licensed under either of\n\n * Apache …\n * MIT …\n\nat your option." spans blank lines: take the list too.
    while (blockEnd >= 0 && /^\n\n[ \t]*(?:[*+-]|\d+\.)\s/.test(text.slice(blockEnd, blockEnd + 12))) {
      const next = text.indexOf('\n\n', blockEnd + 2);
      blockEnd = next;
    }
    if (blockEnd >= 0 && /^\n\n[ \t]*at (?:your|the user'?s?) (?:option|choice)/i.test(text.slice(blockEnd, blockEnd + 40))) {
      const next = text.indexOf('\n\n', blockEnd + 2);
      blockEnd = next;
    }
    if (blockEnd < 0) blockEnd = text.length;
    blockStart = Math.max(blockStart, m.index - 1500);
    blockEnd = Math.min(blockEnd, m.index + m[0].length + 1500);
    let first = 0;
    while (first < words.length && input.start[first]! < blockStart) first++;
    let last = first;
    while (last < words.length && input.end[last]! <= blockEnd) last++;
    if (out.some((n) => n.start === first)) continue;
    const ids: string[] = [];
    for (let i = first; i < last; i++) {
      if (skip(i)) continue;
      for (const [phrase, id] of NAMES) {
        if (phrase.every((w, j) => words[i + j] === w)) {
          if (!ids.includes(id)) ids.push(id);
          i += phrase.length - 1;
          break;
        }
      }
    }
    if (ids.length < 2) continue;
    out.push({ expression: ids.join(' OR '), kind: 'choice', start: first, end: last, from: blockStart, to: blockEnd, detail: text.slice(blockStart, blockEnd).replace(/\s+/g, ' ').trim().slice(0, 160) });
  }
  return out;
}

/** Whether text outside the licences says the licences are a choice ("dual licensed", "at your option"). */
export function saysChoice(text: string): boolean {
  return CHOICE_CUE.test(text);
}
