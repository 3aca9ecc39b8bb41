/**
 * Reference texts as the matcher compares them: the licence's words, with the parts that may be
 * replaced (`var`) or left out (`optional`) marked.
 *
 * Two sources: SPDX legacy text templates (`<<var;name=…;original=…;match=…>>`,
 * `<<beginOptional>>…<<endOptional>>`), used where Clearance ships one, and plain licence texts, for
 * which the same parts are found by rule: the title at the top, the appendix after "END OF TERMS AND
 * CONDITIONS" and placeholders such as `<year>` or `[name of copyright owner]`. Copyright notices
 * need no mark: the normaliser drops them from both sides.
 * Reference: SPDX License List Matching Guidelines, B.3.4 (replaceable text), B.3.5 (omittable
 * text), B.12 (licence name or title), B.13 (extraneous text at the end), B.15.3 (legacy template format).
 */
import { MARK, toWords } from './normalise.js';

/** A part of a reference text: words `start`..`end` (exclusive). */
export interface Region {
  kind: 'optional' | 'var';
  start: number;
  end: number;
  /** For a var: the template's name for it. */
  name?: string;
  /**
   * For a var: a regular expression (JavaScript syntax, case-insensitive) over the replacing words
   * joined by single spaces; absent when any words may replace it.
   */
  match?: string;
  /** For a var: most words that may replace it. */
  maxWords?: number;
}

/** A compiled reference text. */
export interface Reference {
  words: string[];
  /** Indexes of list-marker words. */
  soft: number[];
  regions: Region[];
}

interface PendingVar {
  name: string;
  original: string;
  match: string;
}

const VAR_RULE = /<<var;name="?([^";]*)"?;original="?([\s\S]*?)"?;match="?([\s\S]*?)"?>>/g;
const OPT_BEGIN = /<<beginOptional(?:;[^>]*)?>>/g;
const OPT_END = /<<endOptional>>/g;

/** Compiles an SPDX legacy text template. Throws on a template whose optional marks do not pair up. */
export function compileSpdxTemplate(template: string): Reference {
  const vars: PendingVar[] = [];
  let text = template.replace(VAR_RULE, (_m, name: string, original: string, match: string) => {
    vars.push({ name, original, match: match.replace(/\\;/g, ';') });
    return `${MARK.varOpen}${original}${MARK.varClose}`;
  });
  text = text.replace(OPT_BEGIN, MARK.optOpen).replace(OPT_END, MARK.optClose);
  // B.12: a title is never required, even where a template leaves it unmarked (CC-BY-4.0's first line).
  if (!text.trimStart().startsWith(MARK.optOpen)) text = markTitle(text);
  return compileMarked(text, vars);
}

/** Wraps the title block at the top of a text in optional marks. */
function markTitle(text: string): string {
  const title = titleSpan(text);
  return title ? `${text.slice(0, title.start)}${MARK.optOpen}${text.slice(title.start, title.end)}${MARK.optClose}${text.slice(title.end)}` : text;
}

/** Placeholders that plain licence texts leave for the licensor to fill in. */
const PLACEHOLDER = /<\s*(?:year|yyyy|owner|organi[sz]ation|copyright[ -]holders?|name of [^<>\n]{1,40}|author|fullname|holder|licensor|project)[^<>\n]{0,40}>|\[\s*(?:year|yyyy|owner|organi[sz]ation|copyright[ -]holders?|name of [^[\]\n]{1,40}|author|fullname|holder|licensor|project|email)[^[\]\n]{0,40}\]|\{\s*(?:year|yyyy|name of [^{}\n]{1,40}|owner|author)[^{}\n]{0,40}\}/gi;
const GRANT_WORDS = /\b(?:permission|permitted|granted|hereby|may|must|shall|provided)\b/i;
const COPYRIGHT_LINE = /^[^\p{L}\p{N}]*(?:portions\s+)?(?:copyright\b|\(c\)|©)/iu;

/** Markup for one licence's plain text, found by regular expressions (see data/markup.json). */
export interface MarkupPatch {
  /** Ids whose text the patch applies to. */
  ids: string[];
  /** Each: a regular expression (flags `su`) whose first match, or its first group, becomes optional. */
  optional?: string[];
  /** Each: the first match's first group (which may be empty) becomes a var with the pattern `match`. */
  vars?: { find: string; match: string }[];
  /** Why: the SPDX template or published text the patch follows. */
  reason: string;
}

/** Appendices and exhibits that only say how to apply the licence (B.13). */
const APPENDIX = /^[^\p{L}]*(?:END OF TERMS AND CONDITIONS|(?:APPENDIX:?\s+)?How to Apply (?:These Terms|the [\w ]{1,40} to Your)|ADDENDUM:? How to use this License)/imu;
/** Creative Commons 4.0 legal code: the introduction and the closing notice are not part of the licence. */
const CC4_INTRO = /Creative Commons Corporation \(.Creative Commons.\) is not a law firm[\s\S]*?More considerations\s+for the public\.?/u;
const CC4_OUTRO = /Creative Commons is not a party to its public\s+licenses\.[\s\S]*$/u;
/** Creative Commons 1.0–3.0 legal code: the disclaimer box at the top and the "Creative Commons Notice" at the end. */
const CC3_INTRO = /CREATIVE COMMONS CORPORATION IS NOT A LAW FIRM AND DOES NOT PROVIDE\s+LEGAL SERVICES\.[\s\S]*?(?:RESULTING FROM ITS USE|HEREUNDER)\.?/u;
const CC3_OUTRO = /Creative Commons (?:Notice|is not a party to this License)[\s\S]*$/u;
/** GNU licences repeat their title before "TERMS AND CONDITIONS"; copies drop it or add it. */
const GNU_TERMS_TITLE = /^([ \t]*GNU (?:LESSER |LIBRARY |AFFERO )?GENERAL PUBLIC LICENSE[ \t]*\n)[ \t]*TERMS AND CONDITIONS/mu;
const GNU_TERMS_LINE = /^()[ \t]*TERMS AND CONDITIONS FOR COPYING, DISTRIBUTION AND MODIFICATION/mu;

/**
 * Compiles a plain licence text: the title block at the top, the appendix after "END OF TERMS AND
 * CONDITIONS" (or "How to apply …"), Creative Commons' introduction and closing notice, and the
 * title GNU licences repeat before their terms become optional; placeholders become replaceable;
 * then any patches for the licence apply.
 */
export function compilePlainText(text: string, patches: readonly MarkupPatch[] = []): Reference {
  const vars: PendingVar[] = [];
  let body = text.replace(/\r\n?/g, '\n');
  const wrap = (start: number, end: number) => {
    body = `${body.slice(0, start)}${MARK.optOpen}${body.slice(start, end)}${MARK.optClose}${body.slice(end)}`;
  };
  const wrapVar = (start: number, end: number, match: string) => {
    vars.push({ name: `patch${vars.length}`, original: body.slice(start, end), match });
    body = `${body.slice(0, start)}${MARK.varOpen}${body.slice(start, end)}${MARK.varClose}${body.slice(end)}`;
  };
  // Patches first: their expressions are written against the text as published.
  for (const patch of patches) {
    for (const o of patch.optional ?? []) {
      const m = new RegExp(o, 'su').exec(body);
      if (!m) throw new Error(`patch does not apply: optional /${o}/`);
      const start = m[1] !== undefined ? m.index + m[0].indexOf(m[1]) : m.index;
      wrap(start, start + (m[1] ?? m[0]).length);
    }
    for (const v of patch.vars ?? []) {
      const m = new RegExp(v.find, 'su').exec(body);
      if (!m || m[1] === undefined) throw new Error(`patch does not apply: var /${v.find}/`);
      const start = m.index + m[0].indexOf(m[1]);
      wrapVar(start, start + m[1].length, v.match);
    }
  }
  for (const re of [CC4_OUTRO, CC3_OUTRO]) {
    const m = re.exec(body);
    if (m) {
      wrap(m.index, m.index + m[0].length);
      break;
    }
  }
  const end = APPENDIX.exec(body);
  // What follows "END OF TERMS AND CONDITIONS" is omittable only when it says how to apply the
  // licence; an attachment of use restrictions (the RAIL licences) is terms (B.13).
  const rest = end ? body.slice(end.index + end[0].length, end.index + end[0].length + 600) : '';
  if (end && !insideMark(body, end.index) && !/\b(?:Attachment|Use Restrictions|Exhibit [A-Z]\b(?! - Source Code Form License Notice))/i.test(rest)) wrap(end.index, body.length);
  for (const re of [CC4_INTRO, CC3_INTRO]) {
    const m = re.exec(body);
    if (m && !insideMark(body, m.index)) wrap(m.index, m.index + m[0].length);
  }
  const gnuTitle = GNU_TERMS_TITLE.exec(body);
  if (gnuTitle) wrap(gnuTitle.index, gnuTitle.index + gnuTitle[1]!.length);
  else {
    const line = GNU_TERMS_LINE.exec(body);
    if (line && /GNU/.test(body.slice(0, 200))) wrapVar(line.index, line.index, '(?:gnu (?:lesser |library |affero )?general public license)?');
  }
  body = markTitle(body);
  body = body.replace(PLACEHOLDER, (m) => {
    vars.push({ name: `placeholder${vars.length}`, original: m, match: '.+' });
    return `${MARK.varOpen}${m}${MARK.varClose}`;
  });
  return compileMarked(body, vars);
}

/** Whether an offset is already inside an optional or var mark. */
function insideMark(text: string, at: number): boolean {
  let depth = 0;
  for (let i = 0; i < at; i++) {
    const ch = text[i];
    if (ch === MARK.optOpen || ch === MARK.varOpen) depth++;
    else if (ch === MARK.optClose || ch === MARK.varClose) depth--;
  }
  return depth > 0;
}

/**
 * The title block of a plain text: up to two leading paragraphs (after any copyright notice) that
 * are short, do not end a sentence, and grant nothing.
 */
function titleSpan(text: string): { start: number; end: number } | null {
  const paragraphs: { start: number; end: number; text: string }[] = [];
  const re = /[^\n](?:[^\n]|\n(?![ \t]*\n))*/g;
  for (const m of text.matchAll(re)) {
    paragraphs.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
    if (paragraphs.length >= 4) break;
  }
  let first = -1;
  let last = -1;
  let seen = 0;
  for (let i = 0; i < paragraphs.length && seen < 2; i++) {
    const p = paragraphs[i]!;
    const lines = p.text.split('\n').filter((l) => l.trim() !== '');
    if (lines.length > 0 && lines.every((l) => COPYRIGHT_LINE.test(l) && /\d{4}|©|\(c\)|<|\[|all rights/i.test(l))) {
      if (first === -1) continue;
      break;
    }
    seen++;
    const words = p.text.match(/[\p{L}\p{N}]+/gu) ?? [];
    const trimmed = p.text.trim();
    const endsSentence = /[.:;,]$/.test(trimmed) && !(words.length <= 8 && /licen[cs]e|version/i.test(trimmed));
    // A title names a licence, a version, terms — or is set in capitals.
    const titleLike = /licen[cs]e|version|agreement|terms|notice|eula|conditions|public domain|creative commons|international|unported|universal|generic|attribution/i.test(trimmed) || (/\p{Lu}/u.test(trimmed) && trimmed === trimmed.toUpperCase());
    if (words.length === 0 || words.length > 14 || lines.length > 3 || endsSentence || !titleLike || GRANT_WORDS.test(trimmed)) break;
    if (first === -1) first = i;
    last = i;
  }
  if (first === -1) return null;
  // A text that is nothing but a title has no title to leave out; nor has one that would be left with a few words.
  if (last === paragraphs.length - 1 && paragraphs.length <= 2) return null;
  const rest = text.slice(paragraphs[last]!.end).match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
  if (rest < 8) return null;
  return { start: paragraphs[first]!.start, end: paragraphs[last]!.end };
}

/** Tokenises text that carries MARK characters and turns the marks into regions. */
function compileMarked(text: string, vars: readonly PendingVar[]): Reference {
  const w = toWords(text);
  const events: { at: number; ch: string }[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch >= MARK.varOpen && ch <= MARK.optClose) events.push({ at: i, ch });
  }
  const regions: Region[] = [];
  const stack: { kind: 'optional' | 'var'; start: number; v?: PendingVar }[] = [];
  let varIndex = 0;
  let t = 0;
  const tokenIndexAt = (offset: number) => {
    while (t < w.words.length && w.start[t]! < offset) t++;
    return t;
  };
  for (const e of events) {
    const at = tokenIndexAt(e.at);
    if (e.ch === MARK.varOpen) stack.push({ kind: 'var', start: at, v: vars[varIndex++] });
    else if (e.ch === MARK.optOpen) stack.push({ kind: 'optional', start: at });
    else {
      const open = stack.pop();
      if (!open || open.kind !== (e.ch === MARK.varClose ? 'var' : 'optional')) throw new Error('template marks do not pair up');
      if (open.kind === 'optional') regions.push({ kind: 'optional', start: open.start, end: at });
      else regions.push(varRegion(open.v!, open.start, at));
    }
  }
  if (stack.length > 0) throw new Error('template marks do not pair up');
  // Copyright notices in a reference (its example notice, or one it quotes) may be left out (B.11).
  for (let i = 0; i < w.notice.length; i++) {
    if (!w.notice[i]) continue;
    let j = i;
    while (j < w.notice.length && w.notice[j]) j++;
    regions.push({ kind: 'optional', start: i, end: j });
    i = j;
  }
  regions.sort((a, b) => a.start - b.start || b.end - a.end);
  const soft: number[] = [];
  for (let i = 0; i < w.soft.length; i++) if (w.soft[i]) soft.push(i);
  return { words: w.words, soft, regions };
}

function varRegion(v: PendingVar, start: number, end: number): Region {
  const match = wordRegex(v.match);
  // `.+` and `.*` let a name of any length in; `.{0,n}` about n/4 words; an alternation of words, 20.
  const bounded = /^\.\{\d*,?(\d+)\}$/.exec(v.match.trim());
  const maxWords = bounded ? Math.min(70, Math.ceil(Number(bounded[1]) / 4) + 1) : /\.[+*]/.test(v.match) ? 70 : 20;
  // A pattern that cannot be read leaves only the original words: stricter, never looser.
  return { kind: 'var', start, end, name: v.name, ...(match === undefined ? { match: STRICT } : match !== null ? { match } : {}), maxWords };
}

/** `match` of a var whose only allowed words are its original ones. */
export const STRICT = '\u0000';

/**
 * Rewrites a template's POSIX ERE so that it applies to words joined by single spaces: escaped and
 * literal punctuation go (the normaliser drops punctuation too), spaces are made optional around
 * where punctuation was. Returns null for "anything" (`.+`, `.*`, `.{0,n}`), which needs no check,
 * and undefined for a pattern that cannot be read.
 */
export function wordRegex(ere: string): string | null | undefined {
  if (/^\.(?:[+*]|\{\d*,?\d*\})$/.test(ere.trim())) return null;
  let out = '';
  let inClass = false;
  for (let i = 0; i < ere.length; i++) {
    const ch = ere[i]!;
    if (inClass) {
      out += ch;
      if (ch === '\\') out += ere[++i] ?? '';
      else if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '\\') {
      const next = ere[i + 1] ?? '';
      i++;
      if (/[\p{L}\p{N}]/u.test(next)) out += `\\${next}`; // \s, \d, \w …
      else out += ' ';
      continue;
    }
    if (ch === '{' && /^\{\d*,?\d*\}/.test(ere.slice(i))) {
      // A quantifier: {54,64}.
      const q = /^\{\d*,?\d*\}/.exec(ere.slice(i))![0];
      out += q;
      i += q.length - 1;
      continue;
    }
    if (ch === '(' && ere[i + 1] === '?') {
      // Group syntax: (?: (?= (?! — copied as written (an inline flag group becomes a plain group below).
      out += ere.slice(i, i + 3);
      i += 2;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      continue;
    }
    if (/[,;:"'<>&/\-–—!#%@`~=]/.test(ch)) {
      out += ' ';
      continue;
    }
    out += ch;
  }
  // Spaces the punctuation left, and the template's own, may be absent or doubled in the word string.
  out = out.replace(/ +/g, ' ').replace(/ /g, ' ?').replace(/\(\?i:/g, '(?:');
  try {
    new RegExp(out, 'i');
    return out;
  } catch {
    return undefined;
  }
}
