/**
 * Licence-named files — LICENSE, LICENCE, COPYING, UNLICENSE, NOTICE, with extensions and suffixes
 * (LICENSE.md, LICENSE-MIT, COPYING.LESSER, MIT-LICENSE.txt) — are markers: what they say governs
 * their folder's subtree. The text is identified (licence-match): every licence of the SPDX License
 * List, AI model licences as `LicenseRef-` ids, GNU notices (`-only` / `-or-later`), headers and
 * choice statements ("at your option" → OR). A text close to a licence but modified, or one that
 * grants nothing Clearance knows, has expression null: its folder is NOASSERTION and goes to review,
 * with the differences as evidence. A wrong licence stated with confidence is worse than none.
 *
 * Two licence files in one folder (the Rust convention LICENSE-MIT + LICENSE-APACHE) each state
 * their licence; the engine shows them as a conflict (NOASSERTION, review) unless a choice statement
 * (licence-choice, from a README or COPYRIGHT file) says they are alternatives.
 *
 * ok:     `LICENSE` with the MIT text → licence.file, MIT
 * ok:     `COPYING` with GPL-3.0 and the notice "either version 3 … or any later version" → GPL-3.0-or-later
 * not-ok: `LICENSE` with the MIT text and an added clause → licence.file (expression null) + licence.file.modified
 * not-ok: `LICENSE` holding only "Copyright 2020 Jane" → licence.file (expression null)
 * ignored names: `license.py`, `licenses.json`, `LICENSE-checker.js` (code or data, not a licence text)
 */
import { defineDetector, findingUrl } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { identifyLicences, decodeLicenceBytes, LICENCE_LIST_VERSION, LICENCE_DATA_SOURCES } from '../../licence-match/index.js';
import { licenceFindingValue, modifiedValue, firstLineOf } from '../licence-text/common.js';

/** Extensions a licence text is written in; any other extension (code, data, images) is not a licence file. */
const TEXT_EXT = '(?:\\.(?:txt|md|markdown|mdown|rst|html?|adoc|asciidoc|org|textile|rtf|text))?';
/** Suffix naming the licence or the part: `-MIT`, `_APACHE-2.0`, `.LESSER`, `.GPL-3`. */
const SUFFIX = '(?:[-_.](?!(?:txt|md|markdown|mdown|rst|html?|adoc|asciidoc|org|textile|rtf|text)$)[A-Za-z0-9+]+(?:[-_.][0-9][A-Za-z0-9]*)*)?';

const LICENCE_NAME = new RegExp(`^(?:(?:UN)?LICEN[CS]E|COPYING|COPYRIGHT)${SUFFIX}${TEXT_EXT}$|^[A-Za-z0-9+]+[-_](?:LICEN[CS]E|COPYING)${TEXT_EXT}$`, 'i');
const NOTICE_NAME = new RegExp(`^NOTICE${SUFFIX}${TEXT_EXT}$`, 'i');
/** A suffix that is really the extension of code, data or media: `license.py`, `LICENSE.png`. */
const NOT_TEXT = /\.(?:[cm]?[jt]sx?|py|go|rs|java|kt|kts|c|h|cc|cpp|hpp|cs|rb|php|pl|pm|sh|bash|zsh|ps1|swift|scala|json|jsonl|ya?ml|toml|xml|ini|cfg|conf|csv|tsv|png|jpe?g|gif|svg|webp|ico|pdf|zip|gz|tar|css|scss|less|vue|svelte|lock|sql|r|jl|lua|dart|exs?|erl|hs|ml|clj|class|jar|so|dll|exe|bin)$/i;

/** Whether a base name is a licence file's. */
export const isLicenceFileName = (name: string): boolean => LICENCE_NAME.test(name) && !NOT_TEXT.test(name);
/** Whether a base name is a NOTICE file's. */
export const isNoticeFileName = (name: string): boolean => NOTICE_NAME.test(name) && !NOT_TEXT.test(name);

/** Licence texts are rarely longer than this; a longer file is reported but its text is not identified. */
const MAX_TEXT = 1024 * 1024;

export const licenceFile = defineDetector({
  id: 'licence-file',
  version: '2.0.0',
  description: 'Licence-named files (LICENSE, COPYING, NOTICE, …) as markers of their folder, their text identified',
  match: { names: [isLicenceFileName, isNoticeFileName] },
  marker: true,
  precedence: 20,
  wants: { whole: { maxBytes: MAX_TEXT } },
  data: { 'spdx-license-list': LICENCE_LIST_VERSION, 'licence-texts': LICENCE_DATA_SOURCES.join('; ') },
  codes: {
    'licence.file': {
      title: 'Licence file',
      meaning:
        'A licence-named file (LICENSE, LICENCE, COPYING, UNLICENSE, COPYRIGHT, with extensions or suffixes) governs its folder and everything below it. Its text was matched against every licence of the SPDX License List (and the AI model licences Clearance knows, as `LicenseRef-` ids) by the SPDX matching guidelines: `expression` is the licence it grants, with the lines that hold it; null when the text is no licence Clearance can name verbatim (then files under it are NOASSERTION).',
      action: 'None when identified: the policy judges the expression. When null, read the file (and any licence.file.modified finding beside it) and decide the licence by hand; a nearer licence statement overrides it.',
    },
    'licence.file.modified': {
      title: 'Licence file close to a known licence, but modified',
      meaning:
        'The licence file\'s text is close to a known licence but differs beyond what the SPDX matching guidelines allow (words added, missing or changed outside its replaceable parts, or text beside it that reads like terms). A modified licence is a different licence, so none is claimed: the folder is NOASSERTION. `closest` names the licence, `differences` say what differs and on which line.',
      action: 'Read the differences: an added restriction (no commercial use, no app stores) changes what may be done; a typo does not, but only a person can say so. Record your decision, or ask the author to use the unmodified text.',
    },
    'licence.file.too-large': {
      title: 'Licence file too large to read',
      meaning: 'A licence-named file is larger than 1 MiB, so its text was not read for identification.',
      action: 'Check what the file is; a licence text is rarely that long.',
    },
    'notice.file': {
      title: 'NOTICE file',
      meaning: 'A NOTICE file sits in the folder. Licences such as Apache-2.0 require its attribution notices to be kept with redistributed copies.',
      action: 'Keep the notice with any redistribution of files under this folder, and record it in the dataset card.',
    },
  },
  detect(input) {
    const scope = { kind: 'subtree' as const, root: input.dir };
    const common = { size: input.size, textRead: input.whole !== null, text: input.isText };
    if (isNoticeFileName(input.name)) {
      const notice: FindingInput = {
        code: 'notice.file',
        category: 'notice',
        detector: 'licence-file',
        confidence: 1,
        value: { name: input.name, ...common },
        evidence: { path: input.path, line: 1 },
        scope,
        url: findingUrl('notice.file'),
      };
      return [notice];
    }
    if (input.truncated || input.whole === null || !input.isText) {
      const out: FindingInput[] = [
        {
          code: 'licence.file',
          category: 'licence',
          detector: 'licence-file',
          confidence: 0,
          value: { expression: null, name: input.name, ...common, reason: input.truncated ? 'too large to read' : 'not text' },
          evidence: { path: input.path, line: 1 },
          scope,
          url: findingUrl('licence.file'),
        },
      ];
      if (input.truncated) {
        out.push({
          code: 'licence.file.too-large',
          category: 'notice',
          detector: 'licence-file',
          severity: 'warning',
          confidence: 1,
          value: { name: input.name, size: input.size, limit: MAX_TEXT },
          evidence: { path: input.path, line: 1 },
          scope: { kind: 'file', root: input.path },
          url: findingUrl('licence.file.too-large'),
        });
      }
      return out;
    }
    const { text, encoding } = decodeLicenceBytes(input.whole);
    const id = identifyLicences(text, { context: 'file' });
    const first = id.matches[0];
    const out: FindingInput[] = [
      {
        code: 'licence.file',
        category: 'licence',
        detector: 'licence-file',
        confidence: id.confidence,
        value: { ...licenceFindingValue(id), name: input.name, ...common, ...(encoding !== 'utf-8' ? { encoding } : {}) },
        evidence: first
          ? { path: input.path, line: first.lines.start, excerpt: firstLineOf(text, first.offsets.start) }
          : { path: input.path, line: 1 },
        scope,
        url: findingUrl('licence.file'),
      },
    ];
    const modified = modifiedValue(id);
    if (modified) {
      out.push({
        code: 'licence.file.modified',
        category: 'notice',
        detector: 'licence-file',
        severity: 'warning',
        confidence: 0.9,
        value: modified.value,
        evidence: { path: input.path, line: modified.line, ...(modified.excerpt ? { excerpt: modified.excerpt } : {}) },
        scope: { kind: 'file', root: input.path },
        url: findingUrl('licence.file.modified'),
      });
    }
    return out;
  },
});
