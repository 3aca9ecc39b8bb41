/**
 * The shared corpus of 71 real licence files (fixtures/corpus, copied from /work/shared/corpus/licenses,
 * sources in fixtures/SOURCES.md), with the answer Clearance must give for each, decided from the texts.
 *
 * The rule the answers follow is the SPDX matching guidelines, applied strictly: a file is a licence
 * when its text is that licence's text but for what the guidelines (and the licence's SPDX template)
 * allow — whitespace, case, punctuation, markup, bullets, copyright lines, titles, replaceable and
 * omittable parts. Any word added, missing or changed beyond that — an extra clause, a dropped
 * condition, even a typing slip — makes a different text, and Clearance claims no licence for it
 * (null, with the closest licence and the differences as evidence): a wrong licence stated with
 * confidence is the worst answer. Notices name their licence; GNU notices decide -only/-or-later.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeLicenceBytes } from './normalise.js';
import { identifyLicences } from './identify.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'corpus');

/** [file, expected expression (null: no licence claimed), closest licence for a null, why (non-obvious cases)]. */
const EXPECTED: readonly (readonly [string, string | null, string?, string?])[] = [
  ['case-001', 'AGPL-3.0-only', undefined, 'markdown rendering; no notice outside the "How to Apply" appendix, so the text alone: -only'],
  ['case-002', 'Apache-2.0', undefined, 'markdown rendering with curly quotes'],
  ['case-003', 'Artistic-2.0', undefined, 'markdown rendering'],
  ['case-004', 'MIT', undefined, 'BOM, non-ASCII holder'],
  ['case-005', 'BSD-2-Clause', undefined, '"THE AUTHOR AND CONTRIBUTORS" fills the template\'s replaceable holder'],
  ['case-006', 'BSD-3-Clause', undefined, '"Neither the name of the author nor the names of contributors" is one of the template\'s alternatives'],
  ['case-007', 'BSD-3-Clause'],
  ['case-008', 'BSD-3-Clause', undefined, '"* * *" separator; an organisation in clause 3 (replaceable)'],
  ['case-009', 'BSD-3-Clause', undefined, 'title and a copyright notice over two lines'],
  ['case-010', 'BSL-1.0'],
  ['case-011', 'CC-BY-NC-SA-4.0', undefined, 'legalcode.txt: CC\'s introduction and closing notice (omittable) with links'],
  ['case-012', 'CC-BY-ND-4.0'],
  ['case-013', 'CC-BY-SA-4.0'],
  ['case-014', 'CC0-1.0', undefined, 'without the omittable disclaimer box'],
  ['case-015', null, undefined, 'a copyright notice only: grants nothing'],
  ['case-016', 'GPL-3.0-only', undefined, 'the bare GPL-3.0 text: no notice grants later versions'],
  ['case-017', 'EPL-1.0', undefined, 'markdown rendering'],
  ['case-018', 'EUPL-1.2'],
  ['case-019', null, 'MPL-2.0', 'MPL-2.0 rewritten as the "Foundation Center Public License": grants and terms changed'],
  ['case-020', 'GFDL-1.3-only', undefined, 'bare text; whether it has invariant sections only a notice could say'],
  ['case-021', 'GPL-2.0-only', undefined, 'markdown rendering, bare text'],
  ['case-022', 'GPL-3.0-only'],
  ['case-023', 'EPL-1.0', undefined, 'XHTML rendering (ISO-8859-1 declared)'],
  ['case-024', 'LGPL-3.0-only', undefined, 'LGPL-3.0 without the GPL-3.0 text it incorporates by reference'],
  ['case-025', 'LGPL-2.1-only', undefined, 'markdown rendering'],
  ['case-026', 'MIT', undefined, '"(including the next paragraph)" is omittable in the MIT template'],
  ['case-027', 'MPL-2.0'],
  ['case-028', 'Pixar', undefined, 'the "Modified Apache 2.0 License" is the SPDX Pixar licence, verbatim'],
  ['case-029', null, 'Apache-2.0', 'Apache-2.0 with a clause added (derivatives with substantial changes must be renamed)'],
  ['case-030', 'Unlicense', undefined, 'without the omittable "For more information" line'],
  ['case-031', 'Vim'],
  ['case-032', 'BSD-3-Clause', undefined, 'two copyright notices'],
  ['case-033', null, undefined, 'a README that links "The MIT License": a reference, no licence text'],
  ['case-034', null, undefined, 'lorem ipsum'],
  ['case-035', 'MIT', undefined, 'words hyphenated across lines (same letters); "THE AUTHOR" fills the replaceable holder'],
  ['case-036', null, 'MIT', '"copies" changed to "copy", twice: not the verbatim MIT text'],
  ['case-037', 'MIT', undefined, 'markdown, curly quotes, bold disclaimer in lower case'],
  ['case-038', null, 'MIT', '"IN CONNECTION" written "I CONNECTION": not the verbatim MIT text'],
  ['case-039', null, 'MIT', 'MIT with an added condition for paid software'],
  ['case-040', null, 'MIT-Wu', 'MIT-Wu with "Tom Wu" replaced, which its template does not allow'],
  ['case-041', null, 'MIT', '"Permission" missing: "is hereby granted" grants nothing'],
  ['case-042', null, 'BSD-2-Clause', 'BSD-2-Clause with an added clause forbidding app stores'],
  ['case-043', null, 'BSD-3-Clause', 'clause 3 reworded ("Neither my name.") beyond the template\'s alternatives'],
  ['case-044', null, 'BSD-3-Clause', '"Redistribution in binary form" and "or the names of contributors": beyond the template\'s alternatives'],
  ['case-045', 'BSD-3-Clause', undefined, '"A ND": the same letters, only whitespace differs'],
  ['case-046', null, 'BSD-2-Clause', '"and/or other materials" reduced to "or other materials"'],
  ['case-047', 'ISC', undefined, 'three copyright notices'],
  ['case-048', null, 'Apache-2.0', '"electronic" dropped from the definition of "submitted"'],
  ['case-049', 'Apache-2.0', undefined, 'a notice: "Licensed under the Apache License, version 2.0"'],
  ['case-050', 'Apache-2.0', undefined, 'a notice: "hereby licenses this project to you under the Apache License, version 2.0"'],
  ['case-051', 'AGPL-3.0-or-later', undefined, 'GNU notice: "either version 3 of the License, or any later version"'],
  ['case-052', 'GPL-2.0-only', undefined, 'GNU notice: "version 2 of the License", no later versions'],
  ['case-053', 'GPL-2.0-only OR GPL-3.0-only', undefined, 'GNU notice: "either version 2 or (at your option) version 3"'],
  ['case-054', 'GPL-2.0-only', undefined, 'the 1991 text, which names the GNU Library General Public License (a published variant)'],
  ['case-055', 'LGPL-2.1-only', undefined, 'without the title repeated before TERMS AND CONDITIONS'],
  ['case-056', 'MPL-2.0'],
  ['case-057', 'CC-BY-4.0', undefined, 'without CC\'s introduction'],
  ['case-058', 'CC-BY-NC-4.0', undefined, 'one line per paragraph, list letters re-lettered'],
  ['case-059', 'CC-BY-NC-ND-4.0'],
  ['case-060', 'CC-BY-SA-4.0', undefined, 'markdown, the licence URL under the title'],
  ['case-061', null, 'CC0-1.0', '"paragraph 4(a)" changed to "paragraph 4(i)"'],
  ['case-062', 'ODbL-1.0'],
  ['case-063', 'ODC-By-1.0', undefined, 'markdown headings split over lines'],
  ['case-064', null, 'Unlicense', '"This is free and unencumbered software" with "This" replaced by a program name'],
  ['case-065', null, 'MIT-0', 'MIT without its condition paragraph ("subject to the following conditions:" and none follow): neither MIT nor MIT-0'],
  ['case-095', 'WTFPL'],
  ['case-096', 'Zlib', undefined, '"(C) [year] [fullname]" notice'],
  ['case-097', 'OFL-1.1', undefined, 'with the font\'s notice header; "PERMISSION AND CONDITIONS" for "&"'],
  ['case-098', 'PostgreSQL', undefined, '"[fullname]" fills the replaceable holder'],
  ['case-099', 'UPL-1.0'],
  ['case-100', '0BSD'],
];

describe('the shared licence corpus', () => {
  it('has an answer for every file and a file for every answer', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).map((f) => f.slice(0, -4)).sort();
    expect(EXPECTED.map((e) => e[0]).sort()).toEqual(files);
  });

  const results = EXPECTED.map(([file, expected, closest]) => {
    const { text } = decodeLicenceBytes(readFileSync(path.join(dir, `${file}.txt`)));
    return { file, expected, closest, got: identifyLicences(text) };
  });

  it.each(results.map((r) => [r.file, r] as const))('%s', (_file, r) => {
    expect(r.got.expression).toBe(r.expected);
    if (r.expected === null) expect(r.got.confidence).toBe(0);
    else expect(r.got.confidence).toBeGreaterThanOrEqual(0.9);
    // A near miss says what it is near and what differs, with lines.
    if (r.closest) {
      expect(r.got.nearMisses[0]?.id).toBe(r.closest);
      expect(r.got.nearMisses[0]!.differences.length + (r.got.additional ? 1 : 0)).toBeGreaterThan(0);
      expect(r.got.nearMisses[0]!.differences.every((d) => d.line >= 1)).toBe(true);
    }
  });

  it('is right on at least 97% of the files, and never claims a licence for a near miss', () => {
    const right = results.filter((r) => r.got.expression === r.expected).length;
    expect(right / results.length).toBeGreaterThanOrEqual(0.97);
    const confidentlyWrong = results.filter((r) => r.expected === null && r.got.expression !== null);
    expect(confidentlyWrong).toEqual([]);
  });
});
