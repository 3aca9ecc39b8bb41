/**
 * Turns a licence text, as projects ship it, into the words the matcher compares: the SPDX License
 * List Matching Guidelines applied to plain text, markdown, HTML and code comments.
 *
 * Every step that drops characters replaces them with spaces of the same length ("blanking"), so a
 * word's offsets always point into the decoded text, and evidence can cite the right line.
 *
 * - B.4 whitespace, B.5 case: words are runs of letters and digits, lower-cased.
 * - B.6 punctuation, quotes, dashes: dropped. The guidelines match punctuation; real renderings
 *   (markdown emphasis, HTML entities, re-typeset quotes) change it without changing a term, so
 *   Clearance compares words only, and lets the verifier judge word changes strictly instead.
 * - B.7 comment indicators and separators: punctuation, so dropped; `REM`/`dnl` leaders are blanked.
 * - B.8 bullets and numbering: list markers become "soft" words, which the verifier lets appear or
 *   disappear (a list re-numbered, lettered or bulleted differently), but never change into words.
 * - B.9 varietal spelling: see equivalents.ts.
 * - B.10/B.11 copyright symbol and notices: the words of a line that is a copyright notice are
 *   flagged (`notice`); the texts to identify treat them as soft words, references as omittable.
 * - B.14 http/https: equal.
 * - BOM, CRLF and Latin-1 (windows-1252) input: see {@link decodeLicenceBytes}.
 * Reference: SPDX License List Matching Guidelines (Annex B of the SPDX specification).
 */
import { canonicalWord } from './equivalents.js';

/** Words of a text, with where each came from. */
export interface Words {
  /** Canonical lower-case words. */
  words: string[];
  /** 1 where the word is a list marker ("1.", "(a)", "iv)"): it may be added or dropped, not changed. */
  soft: Uint8Array;
  /** 1 where the word belongs to a copyright notice (B.11): "Copyright (c) 2020 Jane Doe. All rights reserved." */
  notice: Uint8Array;
  /** 1 where the word belongs to a title (only with the `titles` option): a heading or the title lines at the top. */
  title: Uint8Array;
  /** Character offsets of each word in the text. */
  start: Uint32Array;
  end: Uint32Array;
  /** Offsets where each line starts (line 1 at index 0). */
  lineStarts: Uint32Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');
/** windows-1252's characters for bytes 0x80–0x9F (Node's decoder may read them as Latin-1 controls). Reference: WHATWG Encoding, index-windows-1252. */
const CP1252 = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * Decodes a licence file's bytes: UTF-16 when it starts with a UTF-16 byte-order mark, UTF-8 when the
 * bytes are valid UTF-8, else windows-1252 (Latin-1 with the quotes and dashes of Windows editors).
 * A byte-order mark is dropped.
 */
export function decodeLicenceBytes(bytes: Uint8Array): { text: string; encoding: string } {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  const body = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { text: utf8.decode(body), encoding: 'utf-8' };
  } catch {
    // Not UTF-8: a licence saved by an old editor. windows-1252 decodes every byte, so this never fails.
    return { text: latin1.decode(body).replace(/[\u0080-\u009f]/g, (c) => CP1252[c.charCodeAt(0) - 0x80]!), encoding: 'windows-1252' };
  }
}

/** Decodes text the way {@link decodeLicenceBytes} does, but never switches to Latin-1 (for UTF-8 known input). */
export function decodeUtf8(bytes: Uint8Array): string {
  const text = utf8Lenient.decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

const ENTITIES: Readonly<Record<string, string>> = {
  lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', trade: '™', sect: '§',
  mdash: '-', ndash: '-', hellip: '.', ldquo: '"', rdquo: '"', lsquo: "'", rsquo: "'", laquo: '"', raquo: '"', middot: '·', bull: '•',
};

/** Tags of HTML (and of XHTML renderings of licences) whose markup is blanked; a block tag becomes a line break. */
const BLOCK_TAGS = 'p|br|div|h[1-6]|ul|ol|li|dl|dt|dd|table|tr|td|th|tbody|thead|tfoot|pre|blockquote|hr|section|article|header|footer|nav|main|html|body|center|form|address';
const INLINE_TAGS = 'span|a|b|i|u|em|strong|code|font|sup|sub|small|big|tt|img|abbr|cite|q|s|strike|del|ins|var|kbd|samp|label|meta|link|title|head|base';
const HTML_TAG = new RegExp(`</?(?:(${BLOCK_TAGS})|(?:${INLINE_TAGS}))\\b[^<>]{0,2000}>|<!doctype[^<>]{0,500}>|<\\?xml[^<>]{0,500}\\?>`, 'gi');
const HTML_DROP = /<(head|style|script)\b[^>]{0,2000}>[\s\S]{0,200000}?<\/\1\s*>|<!--[\s\S]{0,100000}?-->/gi;
const ENTITY = /&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]{2,8}));/gi;
const MD_LINK = /!?\[([^\]\n]{1,300})\]\((?:<[^>\n]{0,500}>|[^)\s]{0,500})(?:\s+"[^"\n]{0,200}")?\)/g;

/**
 * Private-use characters that templates use to mark where a replaceable or omittable part starts and
 * ends (see template.ts); blanking keeps them so that the parts survive normalisation.
 */
export const MARK = { varOpen: '\uE001', varClose: '\uE002', optOpen: '\uE003', optClose: '\uE004' } as const;
const isMark = (ch: string | undefined) => ch !== undefined && ch >= '\uE001' && ch <= '\uE004';

/** Replaces `length` characters at `at` with one character (or nothing) followed by spaces; template marks stay. */
function blank(chars: string[], at: number, length: number, first = ' '): void {
  for (let i = 0; i < length; i++) if (!isMark(chars[at + i])) chars[at + i] = i === 0 ? first : ' ';
}

/** Whether the text is an HTML rendering (a few real tags), as opposed to a licence that mentions `<year>`. */
function looksLikeHtml(text: string): boolean {
  const sample = text.length > 20000 ? text.slice(0, 20000) : text;
  const tags = sample.match(/<\/?(?:p|br|div|html|body|h[1-6]|li|ul|ol|a\s+href|span|table|td)\b[^<>]{0,200}>/gi);
  return tags !== null && tags.length >= 3;
}

/**
 * Blanks markup the guidelines say to ignore, keeping every offset: HTML tags and entities, markdown
 * link targets, carriage returns. Returns the cleaned text (same length as the input).
 */
export function blankMarkup(text: string): string {
  // Most licence files have none of this: no copy of the text is made for them.
  if (!/[\r&<]|\]\(/.test(text)) return text;
  // split('') splits by UTF-16 unit, so offsets stay those of the text even with surrogate pairs.
  const c = text.split('');
  for (let i = 0; i < c.length; i++) {
    if (c[i] === '\r') c[i] = c[i + 1] === '\n' ? ' ' : '\n';
  }
  if (looksLikeHtml(text)) {
    for (const m of text.matchAll(HTML_DROP)) blank(c, m.index, m[0].length, '\n');
    for (const m of text.matchAll(HTML_TAG)) {
      if (c[m.index] !== '<') continue; // already blanked inside a dropped block
      blank(c, m.index, m[0].length, m[1] !== undefined ? '\n' : ' ');
    }
  }
  for (const m of text.matchAll(ENTITY)) {
    if (c[m.index] !== '&') continue;
    let rep: string | undefined;
    if (m[1] !== undefined || m[2] !== undefined) {
      const code = m[1] !== undefined ? Number(m[1]) : parseInt(m[2]!, 16);
      rep = code > 0 && code < 0xffff ? String.fromCharCode(code) : ' ';
    } else rep = ENTITIES[m[3]!.toLowerCase()];
    if (rep !== undefined) blank(c, m.index, m[0].length, rep);
  }
  for (const m of text.matchAll(MD_LINK)) {
    // Keep the link text, blank `[`, `](target)`; an image keeps its alt text.
    const textStart = m.index + m[0].indexOf('[') + 1;
    blank(c, m.index, textStart - m.index);
    const after = textStart + m[1]!.length;
    blank(c, after, m.index + m[0].length - after);
  }
  return c.join('');
}

/** Offsets where each line of a text starts. */
export function lineStartsOf(text: string): Uint32Array {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return Uint32Array.from(starts);
}

/** 1-based line of a character offset. */
export function lineAt(lineStarts: Uint32Array, offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Start of a line's text: after whitespace and punctuation (comment leaders, markdown, box drawing). */
const LEADER = /^[^\p{L}\p{N}]*/u;
/** Comment leaders and markup before a copyright notice; "(c)" and "©" are the notice's own. */
const NOTICE_LEADER = /^[^\p{L}\p{N}(©]*/u;
/** A markdown heading or a setext underline: a title, whatever it says. */
const HEADING = /^[ \t]{0,3}#{1,6}[ \t]/;
/** Web addresses: a link is not a term, and renderings add or drop them (`<http://…>` under a title). */
const URL = /\b(?:https?:\/\/|www\.)[^\s<>()"'\]]+/gi;
/** A copyright notice line (B.11): "Copyright (c) 2020 Jane", "(C) [year] [fullname]", "© 2019 Org", "Portions Copyright …". */
const COPYRIGHT_START = /^(?:portions\s+)?(?:copyright\b|\(c\)|©)/i;
/** What makes such a line a notice rather than prose that starts with the word "Copyright". */
const COPYRIGHT_EVIDENCE = /\b(?:1[89]\d\d|2[01]\d\d)\b|©|\(c\)|[<[{(]\s*(?:year|yyyy|name|owner|author|copyright|fullname|holder|organi[sz]ation|date|dates)\b|\byyyy\b|\byear\b|all rights reserved/i;
const RIGHTS_RESERVED = /^all\s+rights\s+reserved\.?\s*$/i;
/** Evidence that a line starting with "(c)" is a notice and not list item (c): a year, a placeholder, reserved rights. */
const SYMBOL_EVIDENCE = /\b(?:1[89]\d\d|2[01]\d\d)\b|[<[{(]\s*(?:year|yyyy|name|owner|author|copyright|fullname|holder|date|dates)\b|\byyyy\b|all rights reserved/i;

/** Whether a line (after comment leaders) is a copyright notice (B.11). */
function isCopyrightNotice(line: string): boolean {
  if (!COPYRIGHT_START.test(line)) return false;
  // "(c) You must retain …" is item (c) of a list; "© 2019 Org" and "(C) [year] [name]" are notices.
  if (/^\(c\)/i.test(line)) return SYMBOL_EVIDENCE.test(line);
  return COPYRIGHT_EVIDENCE.test(line);
}
/** A list marker at the start of a line (after leaders): 1. 1.2. a) (iv) ii. 3- */
const ROMAN = '(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})';
const BULLET_AT_START = new RegExp(`^(?:\\(?(?:\\d{1,3}(?:\\.\\d{1,3})*|[a-z]|${ROMAN})[.):]|\\((?:\\d{1,3}|[a-z]|${ROMAN})\\)|\\d{1,3}-)(?=\\s|$)`, 'i');
/** A list marker inside a line, after the end of a sentence or clause (a re-wrapped list). */
const BULLET_INLINE = new RegExp(`(?<=[:;.]\\s{1,8})\\(?(?:\\d{1,3}|[a-z]|${ROMAN})[.)](?=\\s)|\\((?:\\d{1,3}|[a-z]|${ROMAN})\\)(?=\\s)`, 'gi');
/** A word; "&" is one too, the word "and" (OFL-1.1 is published with "PERMISSION & CONDITIONS" and "AND"). */
const WORD_OR_AMPERSAND = /[\p{L}\p{N}]+|&/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Options of {@link toWords}. */
export interface ToWordsOptions {
  /**
   * Make the words of titles soft (B.12): markdown headings, and the short lines above a text's
   * first sentence. For texts to identify, not for references (whose titles are marked optional).
   * Default false.
   */
  titles?: boolean;
}

/**
 * The words of a licence text (already decoded), with markup, copyright notices and list markers
 * handled as the module comment says. Bounded work: linear in the text's length.
 *
 * ```ts
 * toWords('Copyright (c) 2020 Jane\n\nPermission is hereby granted, ...').words // ['permission', 'is', 'hereby', 'granted', ...]
 * ```
 */
export function toWords(text: string, options: ToWordsOptions = {}): Words {
  const clean = blankMarkup(text);
  // Only REM/dnl leaders are blanked here, rarely: the copy is made when needed.
  let chars: string[] | null = null;
  const softAt = new Uint8Array(clean.length);
  const noticeAt_ = new Uint8Array(clean.length);
  const lineStarts = lineStartsOf(clean);
  const lines = clean.split('\n');
  // REM (batch) and dnl (m4) comment leaders are words, so they are blanked only where most lines use them.
  const wordLeader = commonWordLeader(lines);
  let offset = 0;
  for (const line of lines) {
    let lead = LEADER.exec(line)![0].length;
    if (wordLeader && line.slice(lead, lead + wordLeader.length).toLowerCase() === wordLeader && /^(?:\s|$)/.test(line.slice(lead + wordLeader.length))) {
      chars ??= clean.split('');
      blank(chars, offset + lead, wordLeader.length);
      lead += wordLeader.length;
      lead += LEADER.exec(line.slice(lead))![0].length;
    }
    const body = line.slice(lead);
    const noticeAt = NOTICE_LEADER.exec(line)![0].length;
    const notice = line.slice(noticeAt);
    if (isCopyrightNotice(notice) || RIGHTS_RESERVED.test(notice.trim())) {
      // The notice's words are kept but flagged: a text may add or drop them (B.11), and a licence
      // that quotes a notice in its terms (Llama's attribution notice) still matches when re-wrapped.
      const n = copyrightLength(notice);
      for (let i = 0; i < n; i++) noticeAt_[offset + noticeAt + i] = 1;
    } else {
      const bullet = BULLET_AT_START.exec(body);
      if (bullet) for (let i = 0; i < bullet[0].length; i++) softAt[offset + lead + i] = 1;
    }
    offset += line.length + 1;
  }
  const cleaned = chars ? chars.join('') : clean;
  for (const m of cleaned.matchAll(BULLET_INLINE)) for (let i = 0; i < m[0].length; i++) softAt[m.index + i] = 1;
  for (const m of cleaned.matchAll(URL)) for (let i = 0; i < m[0].length; i++) softAt[m.index + i] = 1;
  const titleAt = new Uint8Array(clean.length);
  if (options.titles ?? false) markTitles(cleaned, lineStarts, titleAt, noticeAt_);

  const words: string[] = [];
  const soft: number[] = [];
  const notice: number[] = [];
  const title: number[] = [];
  const start: number[] = [];
  const end: number[] = [];
  for (const m of cleaned.matchAll(WORD_OR_AMPERSAND)) {
    const raw = m[0] === '&' ? 'and' : m[0];
    const isSoft = softAt[m.index] === 1 ? 1 : 0;
    if (CJK.test(raw)) {
      // Each CJK character is a word: these scripts do not separate words, and a re-wrap may split a run anywhere.
      let at = m.index;
      let run = '';
      let runAt = at;
      for (const ch of raw) {
        if (CJK.test(ch)) {
          if (run) push(run, runAt, at);
          push(ch, at, at + ch.length);
          run = '';
          runAt = at + ch.length;
        } else {
          if (!run) runAt = at;
          run += ch;
        }
        at += ch.length;
      }
      if (run) push(run, runAt, at);
      continue;
    }
    push(raw, m.index, m.index + raw.length, isSoft);
  }
  function push(raw: string, s: number, e: number, isSoft = 0): void {
    // NFKC only matters outside ASCII (full-width letters, ligatures); it is not cheap.
    words.push(canonicalWord((/[^ -~]/.test(raw) ? raw.normalize('NFKC') : raw).toLowerCase()));
    soft.push(isSoft);
    notice.push(noticeAt_[s]!);
    title.push(titleAt[s]!);
    start.push(s);
    end.push(e);
  }
  return { words, soft: Uint8Array.from(soft), notice: Uint8Array.from(notice), title: Uint8Array.from(title), start: Uint32Array.from(start), end: Uint32Array.from(end), lineStarts };
}

function commonWordLeader(lines: readonly string[]): string | null {
  let total = 0;
  const counts = new Map<string, number>();
  for (const line of lines) {
    const body = line.slice(LEADER.exec(line)![0].length);
    if (body === '') continue;
    total++;
    const w = /^(rem|dnl)(?=\s|$)/i.exec(body);
    if (w) counts.set(w[1]!.toLowerCase(), (counts.get(w[1]!.toLowerCase()) ?? 0) + 1);
  }
  for (const [w, n] of counts) if (total > 0 && n / total >= 0.5) return w;
  return null;
}

/**
 * How much of a copyright line is the notice: all of it, unless a long line goes on after the notice
 * with a sentence of the licence ("Copyright (c) 2008 Jane. Permission is granted to copy …").
 */
function copyrightLength(line: string): number {
  // A sentence after the notice ends it, unless it is "All rights reserved." or the stop was an abbreviation.
  const re = /\.\s+(?=[A-Z])/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const before = line.slice(Math.max(0, m.index - 5), m.index);
    if (/\b(?:Inc|Ltd|Co|Corp|Jr|Sr|St|Dr|Mr|Ms|[A-Z])$/.test(before)) continue;
    if (/^(?:all\s+rights\s+reserved|copyright\b|portions\s+copyright|\(c\)|©)/i.test(line.slice(m.index + m[0].length))) continue;
    return m.index + 1;
  }
  return line.length;
}

/** Words that titles of licences are made of. */
const TITLE_WORDS = /\b(?:licen[cs]e|version|agreement|terms|notice|eula|public domain|conditions|creative commons|international|unported|universal|generic|attribution)\b/i;

/**
 * Titles: markdown headings anywhere (unless "#" is the comment leader of most lines: a shell or
 * Python header), and up to three short lines at the top, before any sentence, that read like a
 * licence's title (they name a licence, a version, terms, or are in capitals).
 */
function markTitles(text: string, lineStarts: Uint32Array, titleAt: Uint8Array, noticeAt: Uint8Array): void {
  let hashLines = 0;
  let lines = 0;
  for (let l = 0; l < lineStarts.length; l++) {
    const start = lineStarts[l]!;
    const c = text.charCodeAt(start);
    if (c === 0x0a || Number.isNaN(c)) continue;
    lines++;
    if (/^[ \t]{0,3}#/.test(text.slice(start, start + 4))) hashLines++;
  }
  const headings = hashLines * 2 < lines;
  let top = true;
  let topLines = 0;
  for (let l = 0; l < lineStarts.length; l++) {
    const start = lineStarts[l]!;
    const end = l + 1 < lineStarts.length ? lineStarts[l + 1]! - 1 : text.length;
    // Cheap test first: only the top lines and lines starting with "#" can be titles.
    const first = text.charCodeAt(start + (/^[ \t]{0,3}/.exec(text.slice(start, start + 4))?.[0].length ?? 0));
    if (!top && (first !== 0x23 || !headings)) continue;
    const line = text.slice(start, end);
    let title = headings && HEADING.test(line);
    if (top && !title) {
      const words = line.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
      // Blank lines and copyright notices above or between title lines are neither title nor text.
      if (words === 0 || noticeAt[start + (/^\s*/.exec(line)?.[0].length ?? 0)]) continue;
      const trimmed = line.trim();
      const titleLike = TITLE_WORDS.test(line) || (/\p{Lu}/u.test(trimmed) && trimmed === trimmed.toUpperCase());
      if (topLines < 3 && words <= 10 && titleLike && !/[.:;,]\s*$/.test(trimmed) && !/\b(?:permission|permitted|granted|hereby|you|may|shall|must|not|no|only|except|non|commercial|prohibited|without|restrict\w*)\b/i.test(line)) {
        title = true;
        topLines++;
      } else top = false;
    }
    if (title) titleAt.fill(1, start, end);
  }
}
