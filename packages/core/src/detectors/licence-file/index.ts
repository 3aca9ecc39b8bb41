/**
 * Licence-named files — LICENSE, LICENCE, COPYING, UNLICENSE, NOTICE, with extensions and suffixes
 * (LICENSE.md, LICENSE-MIT, COPYING.LESSER, MIT-LICENSE.txt) — are markers: what they say governs
 * their folder's subtree. This detector recognises them and hands their text on; identifying the
 * licence a text grants is the work of the licence-text detector. Until a text is identified the
 * finding's expression is null, and a file under it is `NOASSERTION` and goes to review.
 *
 * ok:     `LICENSE`, `LICENCE.txt`, `COPYING.LESSER`, `LICENSE-APACHE`, `MIT-LICENSE.md`, `NOTICE`
 * not-ok: `license.py`, `licenses.json`, `LICENSE-checker.js` (code or data, not a licence text)
 */
import { defineDetector, findingUrl } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';

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

/** Licence texts are rarely longer than this; a longer file is reported but its text is not handed on. */
const MAX_TEXT = 1024 * 1024;

export const licenceFile = defineDetector({
  id: 'licence-file',
  version: '1.0.0',
  description: 'Licence-named files (LICENSE, COPYING, NOTICE, …) as markers of their folder',
  match: { names: [isLicenceFileName, isNoticeFileName] },
  marker: true,
  precedence: 20,
  wants: { whole: { maxBytes: MAX_TEXT } },
  codes: {
    'licence.file': {
      title: 'Licence file',
      meaning: 'A licence-named file (LICENSE, LICENCE, COPYING, UNLICENSE, COPYRIGHT, with extensions or suffixes) governs its folder and everything below it. Until its text is identified, files under it have no identified licence (NOASSERTION) and point at it in `licence.basis`.',
      action: 'Identify the licence the text grants (or let the licence-text detector do it); a nearer licence statement overrides it.',
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
    const evidence = { path: input.path, line: 1 };
    const common = { size: input.size, textRead: input.whole !== null, text: input.isText };
    if (isNoticeFileName(input.name)) {
      const notice: FindingInput = {
        code: 'notice.file',
        category: 'notice',
        detector: 'licence-file',
        confidence: 1,
        value: { name: input.name, ...common },
        evidence,
        scope,
        url: findingUrl('notice.file'),
      };
      return [notice];
    }
    const out: FindingInput[] = [
      {
        code: 'licence.file',
        category: 'licence',
        detector: 'licence-file',
        confidence: 0,
        value: { expression: null, name: input.name, ...common },
        evidence,
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
        evidence,
        scope: { kind: 'file', root: input.path },
        url: findingUrl('licence.file.too-large'),
      });
    }
    return out;
  },
});
