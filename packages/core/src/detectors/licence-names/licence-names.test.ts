import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GNU_BARE_CONFIDENCE, NAME_CONFIDENCE, readLicence, readLicenceUrl, SPDX_CONFIDENCE, URL_CONFIDENCE } from './index.js';

/** Real-world spellings: `written<TAB>expected (or -)<TAB>where such spellings are written`. */
const rows = readFileSync(path.join(import.meta.dirname, 'fixtures', 'spellings.tsv'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => {
    const [written, expected, where] = l.split('\t');
    return { written: written!, expected: expected === '-' ? null : expected!, where: where ?? '' };
  });

describe('licence names', () => {
  it('reads every real-world spelling in the table as expected, and never names a licence for an ambiguous or non-licence one', () => {
    const misses = rows.filter((r) => readLicence(r.written).expression !== r.expected).map((r) => `${r.written} → ${readLicence(r.written).expression} (want ${r.expected})`);
    expect(misses).toEqual([]);
    // Sanity of the table itself: many rows of each kind.
    expect(rows.filter((r) => r.expected !== null).length).toBeGreaterThan(300);
    expect(rows.filter((r) => r.expected === null).length).toBeGreaterThan(40);
  });

  it('reads every PyPI licence classifier exactly: each one that names a single licence maps to it, the rest to nothing', () => {
    const classifiers = readFileSync(path.join(import.meta.dirname, 'fixtures', 'pypi-classifiers.tsv'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .map((l) => l.split('\t') as [string, string]);
    expect(classifiers).toHaveLength(84);
    const wrong = classifiers.filter(([c, e]) => readLicence(c).expression !== (e === '-' ? null : e));
    expect(wrong).toEqual([]);
    expect(classifiers.filter(([, e]) => e !== '-')).toHaveLength(51);
  });

  it.each([
    ['MIT', 'MIT', SPDX_CONFIDENCE, 'spdx'],
    ['gpl-2.0+', 'GPL-2.0-or-later', SPDX_CONFIDENCE, 'spdx'],
    ['https://creativecommons.org/licenses/by-nc-sa/4.0/', 'CC-BY-NC-SA-4.0', URL_CONFIDENCE, 'url'],
    ['Apache License, Version 2.0', 'Apache-2.0', NAME_CONFIDENCE, 'name'],
    ['GPLv3+', 'GPL-3.0-or-later', NAME_CONFIDENCE, 'name'],
    ['GPLv3', 'GPL-3.0-only', GNU_BARE_CONFIDENCE, 'name'],
    ['https://www.gnu.org/licenses/gpl-3.0.html', 'GPL-3.0-only', 0.6, 'url'],
  ])('gives %s the confidence of how it was read', (written, expression, confidence, method) => {
    expect(readLicence(written)).toMatchObject({ expression, confidence, method });
  });

  it('explains why an ambiguous name or a non-licence has no expression', () => {
    expect(readLicence('GPL')).toMatchObject({ expression: null, confidence: 0, method: 'ambiguous' });
    expect(readLicence('BSD')).toMatchObject({ expression: null, method: 'ambiguous', note: expect.stringContaining('clauses') });
    expect(readLicence('CC BY-SA')).toMatchObject({ expression: null, method: 'ambiguous', note: expect.stringContaining('version') });
    expect(readLicence('Public Domain')).toMatchObject({ expression: null, method: 'none', note: expect.stringContaining('not an SPDX licence') });
    expect(readLicence('UNLICENSED')).toMatchObject({ expression: null, method: 'none', note: expect.stringContaining('not The Unlicense') });
    expect(readLicence('https://example.org/licence')).toMatchObject({ expression: null, method: 'unknown' });
    expect(readLicence('GNU General Public License v2 (LGPLv2)')).toMatchObject({ expression: null, method: 'ambiguous' });
  });

  it('does not read a name with words it does not know, even around a known one', () => {
    for (const t of ['MIT-like', 'MIT with exceptions', 'Apache 2.0 with Commons Clause', 'BSD 3-Clause plus patent grant', 'CC BY-NC-SA 4.0 for research', 'not MIT', 'GPLv2 or GPLv3 at your choice', 'Apache 2.0 and MIT']) {
      expect(readLicence(t).expression, t).toBeNull();
    }
  });

  it('reads "or" between names that each read exactly, and Cargo\'s legacy "/"', () => {
    expect(readLicence('MIT or Apache 2.0')).toMatchObject({ expression: 'MIT OR Apache-2.0', confidence: NAME_CONFIDENCE });
    expect(readLicence('Apache-2.0/MIT')).toMatchObject({ expression: 'Apache-2.0 OR MIT' });
    expect(readLicence('MIT or Foo')).toMatchObject({ expression: null });
  });

  it('reads Creative Commons URLs in their deed, legal code and translated forms, and refuses ports the SPDX list lacks', () => {
    expect(readLicenceUrl('https://creativecommons.org/licenses/by-sa/4.0/deed.pt_BR')?.id).toBe('CC-BY-SA-4.0');
    expect(readLicenceUrl('http://creativecommons.org/licenses/by/2.0/legalcode.txt')?.id).toBe('CC-BY-2.0');
    expect(readLicenceUrl('http://creativecommons.org/licenses/by-nc/3.0/es/')?.id).toBeNull();
    expect(readLicenceUrl('https://creativecommons.org/licenses/nc/1.0/')?.id).toBeNull();
    expect(readLicenceUrl('https://creativecommons.org/about/')).toBeNull();
  });

  it('stays fast and bounded on hostile input', () => {
    const started = performance.now();
    expect(readLicence('MIT '.repeat(250_000)).expression).toBeNull();
    expect(readLicence(`cc by ${'nc '.repeat(90)}4.0`).expression).toBeNull();
    expect(readLicence(`${'('.repeat(140)}MIT${')'.repeat(140)}`).expression).toBe('MIT');
    expect(readLicence(`https://creativecommons.org/${'a/'.repeat(140)}`).expression).toBeNull();
    for (let i = 0; i < 500; i++) readLicence(`GNU General Public License v${i % 4} or later (GPLv${i % 4}+)`);
    // Generous: the bound is against blow-ups (backtracking), not a benchmark on a shared machine.
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
