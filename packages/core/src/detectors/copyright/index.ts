/**
 * Copyright notices in text files: licence files (the `Copyright (c) 2019 Jane Doe` line of an MIT
 * text) and file headers and footers — the first 16 KiB and the last 4 KiB of every text file, where
 * source headers, `SPDX-FileCopyrightText:` tags and page footers sit. Each distinct notice is a
 * `provenance.copyright` finding of that file, with its holder, years and line; it says who claims the
 * work, not what may be done with it (that is the licence's job), so it never changes a verdict.
 * See notice.ts for what counts as a notice.
 *
 * ok:     `// Copyright 2020 The X Authors` → provenance.copyright, holder "The X Authors", years 2020
 * ok:     `# SPDX-FileCopyrightText: 2016, 2018-2019 Jane Doe <jane@example.com>` → holder "Jane Doe", years 2016–2019
 * ok:     `<footer>&copy; 2024 Kelmouth Gazette</footer>` (in the last 4 KiB) → holder "Kelmouth Gazette"
 * not-ok: `Copyright holders may not be sued` (prose), `Copyright [yyyy] [name of copyright owner]` (a template) → nothing
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { decodeText, excerpt } from '../text.js';
import { findNotices, NOTICE_LIMITS, type CopyrightNotice } from './notice.js';

export { findNotices, parseNotice, NOTICE_LIMITS, type CopyrightNotice, type FoundNotice } from './notice.js';

const HEAD = 16 * 1024;
const TAIL = 4 * 1024;

/** How sure a notice is a notice, by how it is marked. */
export function noticeConfidence(n: Pick<CopyrightNotice, 'prefix' | 'years'>): number {
  if (n.prefix === 'spdx') return 0.95;
  return n.years ? 0.9 : 0.7;
}

/** The value of a copyright finding: the same shape wherever a notice is read (text, REUSE, media). */
export function noticeValue(n: CopyrightNotice): Record<string, unknown> {
  return { holder: n.holder, ...(n.years ? { years: n.years } : {}), ...(n.contact ? { contact: n.contact } : {}), statement: n.statement, prefix: n.prefix, ...(n.snippet ? { snippet: true } : {}) };
}

/**
 * The GNU licences' own notice — "Copyright (C) 2007 Free Software Foundation, Inc." followed by
 * "Everyone is permitted to copy and distribute verbatim copies of this license document" — is the
 * copyright of the licence text, not of the work it licenses: it is marked so (`value.of`), so that
 * totals by holder can leave it out.
 */
const LICENCE_DOCUMENT = /everyone is permitted to copy and distribute verbatim copies\s+of this licen[cs]e document/i;

export const copyright = defineDetector({
  id: 'copyright',
  version: '1.0.0',
  description: 'Copyright notices (holder, years) in the head and tail of text files',
  match: { text: true },
  wants: { head: HEAD, tail: TAIL },
  codes: {
    'provenance.copyright': {
      title: 'Copyright notice',
      meaning: 'The file carries a copyright notice — `Copyright`, `©`, `(C)` or `SPDX-FileCopyrightText:` with a holder and usually years — in its first 16 KiB or last 4 KiB. `value.holder` and `value.years` say who claims the work and since when; `value.snippet` marks an `SPDX-SnippetCopyrightText` that covers part of the file, and `value.of: "licence-text"` the GNU licences\' own notice on their text (the Free Software Foundation\'s, not the work\'s). A notice is provenance, not a licence: it does not change the verdict.',
      action: 'Keep it with the file\'s record: licences such as MIT and BSD require the notice to be reproduced, and it names whom to ask when the licence is unclear.',
    },
    'provenance.copyright.many': {
      title: 'More copyright notices than are reported',
      meaning: `The file carries more than ${NOTICE_LIMITS.notices} distinct copyright notices in its head and tail; the first ${NOTICE_LIMITS.notices} are reported and \`value.more\` counts the rest. A file like that is usually a list (a credits file, a third-party notices file).`,
      action: 'Read the file if its notices matter; a list of notices is often what a NOTICE file must keep.',
    },
  },
  detect(input) {
    const out: FindingInput[] = [];
    const seen = new Set<string>();
    let more = 0;
    // The head: the first HEAD bytes, with line numbers.
    const headBytes = input.head.subarray(0, Math.min(input.head.length, HEAD));
    more += scan(input, decodeText(headBytes), 0, true, out, seen);
    // The tail: from the tail read, or from the head when it holds the whole (short) file.
    const tailStart = Math.max(HEAD, input.size - TAIL);
    if (tailStart < input.size) {
      const complete = input.head.length >= input.size;
      const tail = complete ? input.head.subarray(tailStart) : input.tail ? input.tail.subarray(Math.max(0, input.tail.length - (input.size - tailStart))) : null;
      // Start at a line boundary so that a notice cut by the window is not read as a shorter one.
      const nl = tail ? tail.indexOf(0x0a) : -1;
      if (tail && nl >= 0) more += scan(input, decodeText(tail.subarray(nl + 1)), tailStart + nl + 1, false, out, seen);
    }
    if (more > 0) {
      out.push({
        code: 'provenance.copyright.many',
        category: 'notice',
        detector: 'copyright',
        confidence: 1,
        value: { reported: out.length, more },
        evidence: { path: input.path },
        scope: { kind: 'file', root: input.path },
        url: findingUrl('provenance.copyright.many'),
      });
    }
    return out;
  },
});

/** Adds the notices of one window; returns how many distinct ones were left out. */
function scan(input: DetectorInput, text: string, windowStart: number, withLines: boolean, out: FindingInput[], seen: Set<string>): number {
  const { notices, more } = findNotices(text);
  let left = 0;
  const encoder = new TextEncoder();
  for (const n of notices) {
    const key = `${n.holder.toLowerCase()}|${n.years?.written ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (out.length >= NOTICE_LIMITS.notices) {
      left++;
      continue;
    }
    const after = text.slice(n.offset, n.offset + 600);
    const ofLicence = LICENCE_DOCUMENT.test(after);
    out.push({
      code: 'provenance.copyright',
      category: 'provenance',
      detector: 'copyright',
      confidence: noticeConfidence(n),
      value: { ...noticeValue(n), ...(ofLicence ? { of: 'licence-text' } : {}) },
      evidence: { path: input.path, ...(withLines ? { line: n.line, column: n.column } : {}), byteOffset: windowStart + encoder.encode(text.slice(0, n.offset)).length, excerpt: excerpt(n.statement) },
      scope: { kind: 'file', root: input.path },
      url: findingUrl('provenance.copyright'),
    });
  }
  return more + left;
}
