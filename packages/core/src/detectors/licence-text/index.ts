/**
 * Licence texts inside READMEs and file headers. A README (or dataset card) that holds a licence's
 * full text states the licence of its folder; a source or text file whose header (or footer) holds
 * a licence text or a standard notice states its own. Texts are identified by licence-match, like
 * licence files; text close to a licence but modified is reported as such, never as the licence.
 *
 * - README*: full licence texts only, for the folder (scope subtree, default precedence, the same as
 *   the dataset card's front matter: if they disagree, the conflict shows). Notices in a README's
 *   prose often speak of other things ("built on X, licensed under Apache 2.0"): they are not read
 *   as the folder's licence; choice statements are licence-choice's.
 * - Any other text file: full texts and standard notices (GNU, Apache-2.0, MPL-2.0, EPL-2.0, Llama)
 *   in the first 16 KiB or last 8 KiB, for the file itself (scope file, which beats its folder's).
 * Licence files and NOTICE files are licence-file's; SPDX-License-Identifier tags are spdx-tag's.
 *
 * ok:     `src/lib.c` opening with the Apache-2.0 header → licence.notice, Apache-2.0 (this file)
 * ok:     `README.md` ending with "## License" and the MIT text → licence.text, MIT (its folder)
 * not-ok: `README.md` whose licence section is the MIT text with a clause added → licence.text (null) + licence.text.modified
 * ignored: a README that says "see LICENSE"; a text that mentions the GPL in passing
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { decodeLicenceBytes, identifyLicences, LICENCE_LIST_VERSION, type LicenceIdentification } from '../../licence-match/index.js';
import { isLicenceFileName, isNoticeFileName } from '../licence-file/index.js';
import { firstLineOf, licenceFindingValue, modifiedValue } from './common.js';

const HEAD = 16 * 1024;
const TAIL = 8 * 1024;

/** README, README.md, readme.txt, README.rst …: a folder's description, often with its licence. */
export const isReadmeName = (name: string): boolean => /^readme(?:\.(?:md|markdown|mdown|txt|text|rst|adoc|asciidoc|org))?$/i.test(name);

/** Words without which no licence text or notice is there: most files stop at this test. */
const LICENCE_WORDS = /licen[cs]|copyright|permission|redistribut|public domain|warrant/i;
const LICENCE_WORDS_ALL = new RegExp(LICENCE_WORDS.source, 'gi');

/**
 * Whether every licence word of the text sits on an `SPDX-License-Identifier:` line: such a file (a
 * source file with its tag) holds no licence text or notice, and the spdx-tag detector reads the tag.
 * Looks at the first 16 words at most; past that, the text is worth identifying anyway.
 */
function onlyInTags(text: string): boolean {
  LICENCE_WORDS_ALL.lastIndex = 0;
  let seen = 0;
  for (let m = LICENCE_WORDS_ALL.exec(text); m !== null; m = LICENCE_WORDS_ALL.exec(text)) {
    if (++seen > 16) return false;
    const start = text.lastIndexOf('\n', m.index) + 1;
    const end = text.indexOf('\n', m.index);
    const line = text.slice(start, end < 0 ? text.length : end);
    if (!line.includes('SPDX-License-Identifier')) return false;
    LICENCE_WORDS_ALL.lastIndex = end < 0 ? text.length : end;
  }
  return seen > 0;
}

export const licenceText = defineDetector({
  id: 'licence-text',
  version: '1.0.0',
  description: 'Licence texts and notices inside READMEs and file headers',
  match: { names: [isReadmeName], text: true },
  marker: true,
  wants: { head: HEAD, tail: TAIL },
  data: { 'spdx-license-list': LICENCE_LIST_VERSION },
  codes: {
    'licence.text': {
      title: 'Licence text in a README or a file',
      meaning:
        'A README holds the full text of a licence, which then governs its folder (scope subtree; a licence file in the same folder outranks it), or a file\'s header or footer holds a licence text or a standard licence notice (GNU, Apache-2.0, MPL-2.0, EPL-2.0, Llama), which is then the licence of that file. The text was matched by the SPDX matching guidelines; `expression` is null when it was close to a licence but modified.',
      action: 'None when identified: the policy judges the expression. When null, read the text and the licence.text.modified finding beside it.',
    },
    'licence.notice': {
      title: 'Licence notice in a file header',
      meaning:
        'A file starts (or ends) with a standard licence notice: the GNU notice ("either version 3 of the License, or (at your option) any later version", which decides -only or -or-later), the Apache-2.0, MPL-2.0 or EPL-2.0 header, or a Llama attribution notice. It is the licence of that file.',
      action: 'None: the policy judges the expression. The licence text itself should be somewhere in the dataset (a LICENSE or COPYING file).',
    },
    'licence.text.modified': {
      title: 'Licence text close to a known licence, but modified',
      meaning:
        'A README or a file header holds a text close to a known licence that differs beyond what the SPDX matching guidelines allow. None is claimed. `closest` names the licence, `differences` say what differs and on which line.',
      action: 'Read the differences and decide the licence by hand, or ask the author to use the unmodified text.',
    },
  },
  detect(input) {
    if (!input.isText || isLicenceFileName(input.name) || isNoticeFileName(input.name)) return [];
    // JSON is data, not prose: a `license` key (package.json, a WebDataset sidecar) is read by the
    // metadata detectors, and a licence text inside a JSON string is escaped beyond matching.
    if (input.mediaType === 'application/json' || /\.(json|jsonl|ndjson|ipynb)$/i.test(input.name)) return [];
    const readme = isReadmeName(input.name);
    // The bytes read: the whole file when it fits in the head, else its head and its tail.
    const parts: { bytes: Uint8Array; lineOffset: number; whole: boolean }[] = [];
    const whole = input.whole ?? (input.tail === null || input.head.length >= input.size ? input.head : null);
    if (whole) parts.push({ bytes: whole, lineOffset: 0, whole: whole.length >= input.size });
    else {
      parts.push({ bytes: input.head, lineOffset: 0, whole: false });
      if (input.tail) parts.push({ bytes: input.tail, lineOffset: -1, whole: false });
    }
    const out: FindingInput[] = [];
    for (const part of parts) {
      const { text } = decodeLicenceBytes(part.bytes);
      if (!LICENCE_WORDS.test(text) || onlyInTags(text)) continue;
      const id = identifyLicences(text, { context: 'embedded' });
      out.push(...findingsOf(input, text, id, { readme, complete: part.whole, tail: part.lineOffset < 0 }));
    }
    return out;
  },
});

function findingsOf(input: DetectorInput, text: string, id: LicenceIdentification, how: { readme: boolean; complete: boolean; tail: boolean }): FindingInput[] {
  const texts = id.matches.filter((m) => m.kind === 'text');
  const notices = id.matches.filter((m) => m.kind === 'notice');
  // A README speaks for its folder through licence texts only; a file through texts and notices.
  const granting = how.readme ? texts : [...texts, ...notices];
  // In a part of a larger file, a text cut off at its edge is no evidence of a modification.
  const modified = how.complete ? modifiedValue(id) : null;
  if (granting.length === 0 && !modified) return [];
  const scope = how.readme ? { kind: 'subtree' as const, root: input.dir } : { kind: 'file' as const, root: input.path };
  // A line number is known in the head; in the tail of a larger file only the text is.
  const where = (line: number, offset: number) => ({
    path: input.path,
    ...(how.tail ? {} : { line }),
    excerpt: firstLineOf(text, offset),
  });
  const value = licenceFindingValue(id);
  // In a README, the folder's licence is what its texts grant: notices elsewhere in it do not count.
  const expression = granting.length === 0 ? null : how.readme ? joinTexts(id, texts.map((m) => m.id)) : id.expression;
  const out: FindingInput[] = [];
  const first = granting[0];
  out.push({
    code: texts.length > 0 || granting.length === 0 ? 'licence.text' : 'licence.notice',
    category: 'licence',
    detector: 'licence-text',
    confidence: expression === null ? 0 : id.confidence,
    value: { ...value, expression, ...(how.tail ? { part: 'tail' } : {}) },
    evidence: first ? where(first.lines.start, first.offsets.start) : { path: input.path, ...(modified && !how.tail ? { line: modified.line } : {}) },
    scope,
    url: findingUrl(texts.length > 0 || granting.length === 0 ? 'licence.text' : 'licence.notice'),
  });
  if (modified && expression === null) {
    out.push({
      code: 'licence.text.modified',
      category: 'notice',
      detector: 'licence-text',
      severity: 'warning',
      confidence: 0.9,
      value: modified.value,
      evidence: { path: input.path, ...(how.tail ? {} : { line: modified.line }), ...(modified.excerpt ? { excerpt: modified.excerpt } : {}) },
      scope: { kind: 'file', root: input.path },
      url: findingUrl('licence.text.modified'),
    });
  }
  return out;
}

/** The README's licence texts as one expression: OR when the README says they are a choice, else AND. */
function joinTexts(id: LicenceIdentification, ids: string[]): string | null {
  if (id.expression === null) return null;
  const unique = [...new Set(ids)];
  if (unique.length === 1) return unique[0]!;
  return unique.join(id.operator?.op === 'OR' ? ' OR ' : ' AND ');
}
