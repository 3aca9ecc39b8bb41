/**
 * SPDX short-form identifiers: `SPDX-License-Identifier: <expression>` at the start of a line, after
 * any comment leader, near the top or the bottom of a text file. The expression is validated; a tag
 * that does not parse is still a licence statement, reported as unidentified so that it leads to review.
 * Reference: SPDX Specification 2.3, Annex E (Using SPDX short identifiers in source files).
 *
 * ok:     `// SPDX-License-Identifier: MIT` → licence.spdx.tag, MIT
 * ok:     `# SPDX-License-Identifier: GPL-2.0-or-later OR MIT` → licence.spdx.tag
 * not-ok: `SPDX-License-Identifier: MIT-ish` → licence.spdx.tag-invalid (expression null)
 * ignored: prose that mentions the tag mid-line, or a tag in the middle of a long file
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import { parseSpdx, SPDX_IDS_VERSION } from '../../policy/spdx.js';
import type { FindingInput } from '../../schema/finding.js';
import { decodeText, excerpt, lineColumn } from '../text.js';

const HEAD = 16 * 1024;
const TAIL = 4 * 1024;

/** Comment leaders of common languages, optional; the tag must start the line after one of them. */
const TAG =
  /^[ \t]*(?:(?:\/\/+!?|\/\*+!?|\*+|#+!?|<!--|--+|;+|%+|'|"""|'''|\{-|\(\*|!|@?rem\b|::|dnl\b|\.\.|\{\{!--|\{#|<%#?|<\?php\s*\/\/)[ \t]*)?SPDX-License-Identifier:[ \t]*(.*)$/gim;
/** The tag's name alone: a cheap test that lets files without it skip the line-anchored match. */
const NAME = /spdx-license-identifier:/i;
/** Comment closers and punctuation that may follow the expression on its line. */
const TRAILER = /\s*(?:\*\/|-->|-\}|\*\)|"""|'''|#\}|--\}\}|%>|\?>|[",;])*\s*$/;

export const spdxTag = defineDetector({
  id: 'spdx-tag',
  version: '1.0.0',
  description: 'SPDX-License-Identifier tags in text files',
  match: { text: true },
  wants: { head: HEAD, tail: TAIL },
  data: { 'spdx-license-ids': SPDX_IDS_VERSION },
  codes: {
    'licence.spdx.tag': {
      title: 'SPDX licence tag',
      meaning: 'The file declares its licence with an `SPDX-License-Identifier:` line near its top or bottom. The expression was validated against the SPDX License List and is the licence of this file alone.',
      action: 'None: the policy judges the expression. If the tag is wrong, fix it at the source of the file.',
    },
    'licence.spdx.tag-invalid': {
      title: 'SPDX licence tag that does not parse',
      meaning: 'The file has an `SPDX-License-Identifier:` line whose expression is not valid SPDX (an unknown id, a typo, free text). It is a licence statement whose meaning is unknown, so the file has no identified licence.',
      action: 'Read the line (the evidence gives it) and the file\'s provenance; decide the licence by hand or have the tag corrected upstream.',
    },
  },
  detect(input) {
    const out: FindingInput[] = [];
    const seen = new Set<string>();
    scanText(input, input.head, 0, true, out, seen);
    if (input.tail) scanText(input, input.tail, input.size - input.tail.length, false, out, seen);
    return out;
  },
});

function scanText(input: DetectorInput, bytes: Uint8Array, baseOffset: number, fromStart: boolean, out: FindingInput[], seen: Set<string>): void {
  const text = decodeText(bytes);
  if (!NAME.test(text)) return;
  // When the head holds a whole file longer than head + tail, its middle is not "near the top or bottom".
  const whole = fromStart && input.size === bytes.length;
  const limitTop = HEAD;
  const limitBottom = input.size - TAIL;
  for (const m of text.matchAll(TAG)) {
    const at = m.index;
    const byteOffset = baseOffset + Buffer.byteLength(text.slice(0, at));
    if (whole && byteOffset >= limitTop && byteOffset < limitBottom) continue;
    const raw = (m[1] ?? '').replace(TRAILER, '').trim();
    if (seen.has(raw)) continue;
    seen.add(raw);
    const where = fromStart ? lineColumn(text, at) : undefined;
    const evidence = { path: input.path, ...(where ? { line: where.line } : {}), byteOffset, excerpt: excerpt(m[0]) };
    try {
      const { canonical } = parseSpdx(raw);
      out.push({
        code: 'licence.spdx.tag',
        category: 'licence',
        detector: 'spdx-tag',
        confidence: 0.99,
        value: { expression: canonical, written: raw },
        evidence,
        scope: { kind: 'file', root: input.path },
        url: findingUrl('licence.spdx.tag'),
      });
    } catch (err) {
      out.push({
        code: 'licence.spdx.tag-invalid',
        category: 'licence',
        detector: 'spdx-tag',
        severity: 'warning',
        confidence: 0,
        value: { expression: null, written: raw, problem: (err as Error).message },
        evidence,
        scope: { kind: 'file', root: input.path },
        url: findingUrl('licence.spdx.tag-invalid'),
      });
    }
  }
}
