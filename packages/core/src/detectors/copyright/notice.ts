/**
 * Copyright notices: a line that starts (after comment or markup leaders) with `Copyright`, `©`,
 * `(C)` or an `SPDX-FileCopyrightText:` tag, and then says who and, usually, when. Shared by the
 * copyright detector (file headers, licence files), the REUSE detectors (`SPDX-FileCopyrightText` in
 * REUSE.toml and `.license` files) and the media-rights detector (EXIF Copyright, IPTC, XMP dc:rights).
 *
 * A line counts only when it has a year, a © / (C) symbol or the SPDX tag: prose that begins with the
 * word ("Copyright holders may …", "Copyright Holder means …") is not a notice. Template lines of
 * licence texts ("Copyright [yyyy] [name of copyright owner]", "Copyright (C) <year> <name of author>")
 * are not notices either.
 *
 * Reference: REUSE Specification 3.2, "Format of Copyright Notices" (prefixes, years as a single year,
 * a list or a span, holder, contact in angle brackets); SPDX Specification 2.3, clause 8.8 (FileCopyrightText).
 */

/** One copyright notice, parsed. */
export interface CopyrightNotice {
  /** Who holds the copyright, as written (trimmed of years, symbols, contact and "All rights reserved"). */
  holder: string;
  /** Years as written and their span; `last` is null for "2019-present" or "2019-". */
  years?: { written: string; first: number; last: number | null };
  /** A contact in angle brackets: an e-mail address or URL. */
  contact?: string;
  /** The notice as written, without comment leaders, at most 200 characters. */
  statement: string;
  /** How the line is marked: the SPDX tag, the word Copyright, the symbol alone, or nothing (a metadata field that is a notice by definition, as EXIF Copyright). */
  prefix: 'spdx' | 'word' | 'symbol' | 'field';
  /** Set for `SPDX-SnippetCopyrightText`: the notice covers a snippet of the file, not all of it. */
  snippet?: true;
}

const MAX_LINE = 1000;
const MAX_STATEMENT = 200;

/** Comment and markup leaders a notice may sit behind. */
const LEADER = /^[\s>*#/;%!'"_|-]*(?:<!--|\/\*+|\(\*|\{-|--|rem\b|dnl\b|::|\.\.)?[\s*#/;%!'"_|-]*/i;
/** The prefixes, then the optional symbol. */
const PREFIX = /^(?:(SPDX-(?:File|Snippet)CopyrightText\s*:)|(copyright(?:ed)?\b\s*:?)|(©|\(c\)|&copy;|&#169;|&#xa9;))/i;
const SYMBOL = /^(?:©|\(c\)|&copy;|&#169;|&#xa9;)\s*/i;
/** Years: 2019 · 2019-2024 · 2016, 2018-2019 · 2019-present · 2019 - 2024. */
const YEARS = /^((?:19|20)\d\d)(?:\s*(?:-|–|—|to)\s*((?:19|20)\d\d|present|now|today)|\s*-(?!\w))?((?:\s*,\s*(?:19|20)\d\d(?:\s*(?:-|–|—)\s*(?:(?:19|20)\d\d|present))?)*)(?![\d])/i;
const TRAILING_YEARS = /[,\s]+((?:19|20)\d\d(?:\s*(?:-|–|—)\s*(?:(?:19|20)\d\d|present))?(?:\s*,\s*(?:19|20)\d\d(?:\s*(?:-|–|—)\s*(?:(?:19|20)\d\d|present))?)*)\.?$/i;
/** Words after the holder that are not part of it. */
const RESERVED = /[,;]?\s*(?:all rights reserved|some rights reserved|alle rechte vorbehalten|tous droits réservés)\.?\s*$/i;
/** Where a holder's name ends and other words begin: the rights phrase, or a licence sentence, anywhere in the line. */
const CUT = /[\s,;:]*\b(?:all rights reserved|some rights reserved|alle rechte vorbehalten|tous droits réservés|licen[cs]ed under|released under|distributed under|use of this (?:source code|file|software) is governed|see (?:the )?(?:file )?licen[cs]e|this (?:file|program|software|work) is)\b/i;
/** Comment closers and markup at the end of the line. */
const CLOSER = /\s*(?:\*\/|-->|-\}|\*\)|\*+|_+|#+|\|)\s*$/;
/** Placeholders of licence templates: `<year>`, `[yyyy]`, `{name of copyright owner}`. */
const PLACEHOLDER = /[<[{]\s*(?:year|yyyy|name|owner|author|holder|fullname|copyright|organization|organisation|company|your|insert)[^>\]}]*[>\]}]|\byyyy\b|\bname of (?:the )?(?:author|copyright (?:owner|holder))s?\b|^YEAR\b|\bCOPYRIGHT HOLDER\b|\$\{?(?:year|author)/i;
/** Abbreviations whose final dot belongs to the holder's name: "Inc.", "Ltd.", "e.V.". */
const ABBREVIATION = /(?:\b(?:inc|ltd|corp|co|llc|gmbh|ag|sa|bv|nv|plc|jr|sr|pty|oy|ab|kg|srl|sl|lda|bhd)|(?:^|\s|\.)\p{L})\.$/iu;
/** A holder that is really prose about copyright. */
const PROSE = /^(?:holders?|owners?|notices?|laws?|and\b|or\b|of\b|on\b|in\b|to\b|by\b|for\b|is\b|are\b|the (?:above|copyright)|statement|protection|license|licence|infringement|disclaimer|this\b|that\b|which\b|may\b|shall\b)/i;

const ENTITIES: Readonly<Record<string, string>> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' };

function cleanLine(line: string): string {
  return line
    .slice(0, MAX_LINE)
    .replace(/<\/?(?:p|span|div|small|footer|b|i|em|strong|br|li|td|a)\b[^>]*>/gi, ' ')
    .replace(/&(?:lt|gt|amp|quot|#39|nbsp);/g, (e) => ENTITIES[e]!)
    // A markdown link names the holder and gives a contact: "[Go Gopher](https://golang.org/)".
    .replace(/\[([^\]]{1,200})\]\((https?:\/\/[^\s)]{1,300})\)/g, '$1 <$2>')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Parses one line as a copyright notice; null when it is not one.
 *
 * ```ts
 * parseNotice('# Copyright (c) 2019-2024 Jane Doe <jane@example.org>')
 * // { holder: 'Jane Doe', years: { written: '2019-2024', first: 2019, last: 2024 }, contact: 'jane@example.org', prefix: 'word', … }
 * parseNotice('Copyright holders may not be sued')   // null: prose
 * ```
 */
export function parseNotice(rawLine: string, options: { field?: boolean } = {}): CopyrightNotice | null {
  if (rawLine.length > MAX_LINE * 4) return null;
  const line = cleanLine(rawLine.replace(LEADER, ''));
  const m = PREFIX.exec(line);
  // A metadata field (EXIF Copyright, IPTC Copyright Notice, dc:rights) is a notice without a prefix.
  if (!m) return options.field ? parseBody(line, line, 'field', false) : null;
  const prefix = m[1] ? 'spdx' : m[2] ? 'word' : 'symbol';
  const snippet = m[1] !== undefined && /Snippet/i.test(m[1]);
  let rest = line.slice(m[0].length).trim();
  // "Copyright ©", "Copyright (C)", "SPDX-FileCopyrightText: © …": the symbol after the prefix.
  // A lone "(c)" is also how legal texts number their clauses: only © itself stands without a year.
  let symbol = prefix === 'symbol' && !/^\(c\)$/i.test(m[3] ?? '');
  const s = SYMBOL.exec(rest);
  if (s) {
    symbol = true;
    rest = rest.slice(s[0].length);
  }
  const n = parseBody(rest, line, prefix, symbol);
  return n && snippet ? { ...n, snippet: true } : n;
}

function parseBody(body: string, line: string, prefix: CopyrightNotice['prefix'], symbol: boolean): CopyrightNotice | null {
  let rest = body.replace(CLOSER, '').trim();
  if (PLACEHOLDER.test(rest)) return null;
  let years: CopyrightNotice['years'];
  const y = YEARS.exec(rest);
  if (y) {
    years = spanOf(y[0]);
    rest = rest.slice(y[0].length).replace(/^[\s,.:;-]+/, '');
  }
  // "Copyright (C) by Jane Doe", "2021 © Jane Doe": a leading "by" or symbol is not part of the holder.
  rest = rest.replace(/^by\s+/i, '').replace(/^(?:©|\(c\))\s*/i, '');
  let contact: string | undefined;
  const c = /\s*<([^<>\s]+@[^<>\s]+|https?:\/\/[^<>\s]+)>/.exec(rest);
  if (c) {
    contact = c[1]!;
    rest = (rest.slice(0, c.index) + rest.slice(c.index + c[0].length)).replace(/<\s*>/g, '').trim();
  }
  rest = rest.replace(RESERVED, '').replace(CLOSER, '').trim();
  const cut = CUT.exec(rest);
  if (cut && cut.index > 0) rest = rest.slice(0, cut.index).trim();
  // A second sentence after the holder ("Jane Doe. Contact us at …"): cut at a full stop that does
  // not end an initial or an abbreviation ("J. R. Smith", "Acme Inc. and others" stay whole).
  for (const m of rest.matchAll(/\.\s+(?=[A-Z][a-z]+\s+\S)/g)) {
    const before = rest.slice(0, m.index + 1);
    if (!ABBREVIATION.test(before)) {
      rest = before.slice(0, -1).trim();
      break;
    }
  }
  if (!years) {
    const t = TRAILING_YEARS.exec(rest);
    if (t) {
      years = spanOf(t[1]!);
      rest = rest.slice(0, t.index).trim();
    }
  }
  rest = rest.replace(/[\s,;:]+$/, '').replace(RESERVED, '').trim();
  if (rest.endsWith('.') && !ABBREVIATION.test(rest)) rest = rest.slice(0, -1).trim();
  // A notice needs a year, a symbol or the SPDX tag; prose starting with "Copyright" has none of them.
  if (!years && !symbol && prefix !== 'spdx' && prefix !== 'field') return null;
  if (rest.length < 2 || rest.length > MAX_STATEMENT || PROSE.test(rest) || !/\p{L}/u.test(rest)) return null;
  const statement = line.replace(CLOSER, '').trim();
  return {
    holder: rest,
    ...(years ? { years } : {}),
    ...(contact ? { contact } : {}),
    statement: statement.length > MAX_STATEMENT ? `${statement.slice(0, MAX_STATEMENT - 3)}...` : statement,
    prefix,
  };
}

function spanOf(written: string): NonNullable<CopyrightNotice['years']> {
  const all = [...written.matchAll(/(?:19|20)\d\d/g)].map((m) => Number(m[0]));
  const open = /(?:-|–|—)\s*(?:present|now|today)?\s*$/i.test(written.trim()) || /present|now|today/i.test(written);
  return { written: written.trim().replace(/[,\s]+$/, ''), first: Math.min(...all), last: open ? null : Math.max(...all) };
}

/** Where a notice was found in a text. */
export interface FoundNotice extends CopyrightNotice {
  /** 1-based line in the text. */
  line: number;
  /** Character offset of the notice (after any comment leader) in the text. */
  offset: number;
  /** 1-based column of the notice in its line. */
  column: number;
}

/** Bounds on {@link findNotices}: a text of thousands of notices, or one endless line, costs little. */
export const NOTICE_LIMITS = { notices: 200, lineChars: 4000 } as const;

/**
 * Every copyright notice in a text, one per distinct holder and years, in order; at most
 * {@link NOTICE_LIMITS}.notices (`more` says how many distinct ones were left out).
 */
export function findNotices(text: string): { notices: FoundNotice[]; more: number } {
  const notices: FoundNotice[] = [];
  const seen = new Set<string>();
  let more = 0;
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    line++;
    // Cheap test first: most lines carry no notice at all.
    if (end - start <= NOTICE_LIMITS.lineChars) {
      const raw = text.slice(start, end);
      if (/copyright|©|\(c\)|&copy;|&#169;|&#xa9;/i.test(raw)) {
        const n = parseNotice(raw);
        if (n) {
          const key = `${n.holder.toLowerCase()}|${n.years?.written ?? ''}`;
          if (!seen.has(key)) {
            seen.add(key);
            const lead = LEADER.exec(raw)?.[0].length ?? 0;
            if (notices.length < NOTICE_LIMITS.notices) notices.push({ ...n, line, offset: start + lead, column: lead + 1 });
            else more++;
          }
        }
      }
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  return { notices, more };
}
