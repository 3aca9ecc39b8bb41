import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../schema/finding.js';
import { makeTree, runDetector, scanTree } from '../../test-utils/index.js';
import { lastMatch, readReuseToml, reuseGlob, reuseLicences, reuseSidecar, reuseToml } from './index.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

const REUSE_TOML = `# SPDX-License-Identifier: CC0-1.0
version = 1

[[annotations]]
path = "data/**"
SPDX-FileCopyrightText = "2023 Kelmouth Harbour Trust"
SPDX-License-Identifier = "CC-BY-4.0"

[[annotations]]
path = ["data/restricted/*.csv", "data/**/*.nc.csv"]
precedence = "override"
SPDX-FileCopyrightText = ["2024 Harbour Board", "Jane Doe <jane@example.org>"]
SPDX-License-Identifier = "CC-BY-NC-4.0"

[[annotations]]
path = "*.md"
SPDX-License-Identifier = ["CC-BY-4.0", "MIT"]

[[annotations]]
path = "docs/**"
SPDX-FileCopyrightText = "2022 Docs Team"
`;

/** Resolves a marker finding for a path the way the engine does. */
async function resolveFor(file: string, text: string, target: string): Promise<Finding[]> {
  const out = (await runDetector(reuseToml, file, text)) as Finding[];
  return out.map((f) => reuseToml.forPath!(f, target)).filter((f): f is Finding => f !== null);
}

describe('REUSE path patterns', () => {
  it.each([
    ['*.png', 'a.png', true],
    ['*.png', 'img/a.png', false],
    ['**/*.png', 'img/a.png', true],
    ['**/*.png', 'a.png', false],
    ['**.png', 'a.png', true],
    ['**.png', 'x/y/a.png', true],
    ['data/**', 'data/a/b/c.csv', true],
    ['data/**', 'database.csv', false],
    ['src/?.c', 'src/a.c', true],
    ['src/?.c', 'src/ab.c', false],
    ['src/?.c', 'src//.c', false],
    ['img[0-9].jpg', 'img7.jpg', true],
    ['img[!0-9].jpg', 'img7.jpg', false],
    ['img[!0-9].jpg', 'imgx.jpg', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['./notes.txt', 'notes.txt', true],
    ['.hidden/*', '.hidden/x', true],
    // Three or more stars: matched without backtracking.
    ['**/x*y*z.txt', 'a/b/x1y2z.txt', true],
    ['**/x*y*z.txt', 'a/b/x1y2.txt', false],
    ['*/*/*', 'a/b/c', true],
    ['*/*/*', 'a/b', false],
  ])('%s on %s → %s', (pattern, file, expected) => {
    expect(reuseGlob(pattern)!.test(file)).toBe(expected);
  });

  it('matches hostile patterns in bounded time', () => {
    const g = reuseGlob(`${'*a'.repeat(30)}b`)!;
    const started = performance.now();
    expect(g.test('a'.repeat(4000))).toBe(false);
    const g2 = reuseGlob(`${'**a'.repeat(30)}b`)!;
    expect(g2.test(`${'a/'.repeat(2000)}c`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(4000);
    expect(reuseGlob('x'.repeat(5000))).toBeNull();
    expect(reuseGlob('trailing\\')).toBeNull();
  });
});

describe('reuse-toml detector', () => {
  it('reads the tables of a REUSE.toml', () => {
    const { tables, problems } = readReuseToml(REUSE_TOML);
    expect(problems).toEqual([]);
    expect(tables.map((t) => [t.line, t.precedence, t.licence?.expression ?? null])).toEqual([
      [4, 'closest', 'CC-BY-4.0'],
      [9, 'override', 'CC-BY-NC-4.0'],
      [15, 'closest', 'CC-BY-4.0 AND MIT'],
      [19, 'closest', null],
    ]);
    expect(tables[1]!.copyright).toEqual([
      { holder: 'Harbour Board', statement: '2024 Harbour Board', years: { written: '2024', first: 2024, last: 2024 } },
      { holder: 'Jane Doe', statement: 'Jane Doe <jane@example.org>', contact: 'jane@example.org' },
    ]);
  });

  it('gives each file the last table that matches it, and nothing from the others', async () => {
    const licence = async (target: string) => (await resolveFor('REUSE.toml', REUSE_TOML, target)).find((f) => f.category === 'licence');
    expect(await licence('data/gulls.csv')).toMatchObject({ code: 'licence.reuse.toml', value: { expression: 'CC-BY-4.0', precedence: 'closest', table: 1, pattern: 'data/**' }, evidence: { path: 'REUSE.toml', line: 4 }, severity: 'info' });
    expect(await licence('data/restricted/quay.csv')).toMatchObject({ value: { expression: 'CC-BY-NC-4.0', precedence: 'override', table: 2 }, severity: 'warning' });
    expect(await licence('README.md')).toMatchObject({ value: { expression: 'CC-BY-4.0 AND MIT' } });
    // The last matching table has no licence: it alone is used, so the file gets no licence from here.
    expect(await licence('docs/guide.txt')).toBeUndefined();
    expect(await licence('src/main.py')).toBeUndefined();
    // Not Covered Files.
    expect(await licence('LICENSES/CC-BY-4.0.txt')).toBeUndefined();
    expect(await licence('data/LICENSE')).toBeUndefined();
  });

  it('gives each file the copyright notices of its table', async () => {
    const copyright = async (target: string) => (await resolveFor('REUSE.toml', REUSE_TOML, target)).find((f) => f.code === 'provenance.reuse.copyright');
    expect((await copyright('docs/guide.txt'))?.value).toMatchObject({ notices: [{ holder: 'Docs Team' }], table: 4 });
    expect((await copyright('data/restricted/quay.csv'))?.value).toMatchObject({ notices: [{ holder: 'Harbour Board' }, { holder: 'Jane Doe' }] });
    expect(await copyright('README.md')).toBeUndefined();
  });

  it('reads paths relative to a REUSE.toml in a subfolder', async () => {
    const got = await resolveFor('project/REUSE.toml', REUSE_TOML, 'project/data/x.csv');
    expect(got.find((f) => f.category === 'licence')).toMatchObject({ value: { expression: 'CC-BY-4.0' } });
    expect(await resolveFor('project/REUSE.toml', REUSE_TOML, 'data/x.csv')).toEqual([]);
  });

  it('reads reuse-tool\'s own REUSE.toml, whose pre-release precedence "toml" means override', async () => {
    const text = readFileSync(path.join(fixtures, 'reuse-tool', 'REUSE.toml'), 'utf8');
    const { tables, problems } = readReuseToml(text);
    expect(problems).toEqual([]);
    expect(tables).toHaveLength(8);
    expect(lastMatch(tables, 'po/de.po')?.table).toMatchObject({ precedence: 'aggregate', licence: { expression: 'CC-BY-SA-4.0' } });
    expect(lastMatch(tables, 'docs/reuse-lint.rst')?.table).toMatchObject({ precedence: 'override' });
    expect(lastMatch(tables, 'tests/resources/fake.zip')?.table.licence?.expression).toBe('GPL-3.0-or-later');
    expect(lastMatch(tables, 'tests/resources/sub/fake.zip')).toBeUndefined();
    expect(lastMatch(tables, 'flake.lock')?.table.licence?.expression).toBe('CC0-1.0');
  });

  it('reports a REUSE.toml that cannot be applied, and applies nothing from it', async () => {
    for (const [text, problem] of [
      ['version = 2\n[[annotations]]\npath = "*"\nSPDX-License-Identifier = "MIT"\n', 'version must be 1'],
      ['version = 1\n[[annotations]\npath = "*"', 'not valid TOML'],
      ['version = 1\n[[annotations]]\nSPDX-License-Identifier = "MIT"\n', 'has no path'],
      ['version = 1\n[[annotations]]\npath = "*"\nprecedence = "nearest"\n', 'unknown precedence'],
    ] as const) {
      const out = await runDetector(reuseToml, 'REUSE.toml', text);
      expect(out, text).toEqual([expect.objectContaining({ code: 'reuse.toml.invalid', severity: 'warning', value: { problems: [expect.stringContaining(problem)] } })]);
    }
    const bad = await runDetector(reuseToml, 'REUSE.toml', 'version = 1\n[[annotations]]\npath = "*"\nSPDX-License-Identifier = "CC BY 4.0"\n');
    expect(bad.map((f) => f.code)).toEqual(['reuse.toml.invalid', 'reuse.toml']);
    const [, marker] = bad as Finding[];
    expect(reuseToml.forPath!(marker!, 'a.txt')).toMatchObject({ code: 'licence.reuse.toml', confidence: 0, value: { expression: null, written: 'CC BY 4.0' } });
  });

  it('bounds a hostile REUSE.toml', async () => {
    const many = `version = 1\n${Array.from({ length: 3000 }, (_, i) => `[[annotations]]\npath = "d${i}/**"\nSPDX-License-Identifier = "MIT"\n`).join('')}`;
    const started = performance.now();
    const out = (await runDetector(reuseToml, 'REUSE.toml', many)) as Finding[];
    expect(out[0]).toMatchObject({ code: 'reuse.toml.invalid', value: { problems: [expect.stringContaining('more than 2000 tables')] } });
    const marker = out.find((f) => f.code === 'reuse.toml')!;
    for (let i = 0; i < 1000; i++) reuseToml.forPath!(marker, `d1999/file${i}.txt`);
    expect(reuseToml.forPath!(marker, 'd5/x')).toMatchObject({ value: { table: 6 } });
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('reuse-sidecar detector', () => {
  it('applies a sidecar to the one file it is named after', async () => {
    const text = '# SPDX-FileCopyrightText: 2021 Jane Doe <jane@example.org>\n#\n# SPDX-License-Identifier: CC-BY-SA-4.0\n';
    const out = (await runDetector(reuseSidecar, 'images/gull.jpg.license', text)) as Finding[];
    expect(out.map((f) => f.code)).toEqual(['licence.reuse.sidecar', 'provenance.reuse.sidecar-copyright']);
    expect(out[0]).toMatchObject({ confidence: 0.95, value: { expression: 'CC-BY-SA-4.0', for: 'gull.jpg' }, evidence: { line: 3 }, scope: { kind: 'subtree', root: 'images' } });
    expect(out[1]).toMatchObject({ value: { notices: [{ holder: 'Jane Doe', years: { first: 2021 } }] } });
    for (const f of out) {
      expect(reuseSidecar.forPath!(f, 'images/gull.jpg')).toBe(f);
      expect(reuseSidecar.forPath!(f, 'images/gull2.jpg')).toBeNull();
      expect(reuseSidecar.forPath!(f, 'images/sub/gull.jpg')).toBeNull();
    }
  });

  it('joins several tags with AND and keeps an invalid one as written', async () => {
    const two = await runDetector(reuseSidecar, 'a.bin.license', 'SPDX-License-Identifier: MIT\nSPDX-License-Identifier: Apache-2.0 OR MIT\n');
    expect(two[0]).toMatchObject({ value: { expression: 'MIT AND (Apache-2.0 OR MIT)' } });
    const bad = await runDetector(reuseSidecar, 'a.bin.license', 'SPDX-License-Identifier: CC BY 4.0\n');
    expect(bad[0]).toMatchObject({ confidence: 0, severity: 'warning', value: { expression: null, written: 'CC BY 4.0' } });
  });

  it('matches sidecar names only', () => {
    const m = reuseSidecar.match.names![0] as (n: string) => boolean;
    expect(['cat.jpg.license', 'data.csv.license', 'x.LICENSE'].every(m)).toBe(true);
    expect(['LICENSE', '.license', 'license.txt', 'LICENSE.md'].some(m)).toBe(false);
  });
});

describe('reuse-licences detector', () => {
  it('reports each licence text of a LICENSES folder by its id, and only there', async () => {
    expect(await runDetector(reuseLicences, 'LICENSES/CC-BY-4.0.txt', 'Attribution 4.0 International\n')).toEqual([expect.objectContaining({ code: 'reuse.licence-text', value: { id: 'CC-BY-4.0', name: 'CC-BY-4.0.txt' } })]);
    expect(await runDetector(reuseLicences, 'vendor/lib/LICENSES/LicenseRef-acme.txt', 'terms\n')).toEqual([expect.objectContaining({ value: expect.objectContaining({ id: 'LicenseRef-acme' }) })]);
    expect(await runDetector(reuseLicences, 'LICENSES/apache.txt', 'Apache\n')).toEqual([expect.objectContaining({ code: 'reuse.licence-text.unknown-id', severity: 'warning' })]);
    expect(await runDetector(reuseLicences, 'docs/MIT.txt', 'MIT\n')).toEqual([]);
  });
});

describe('REUSE end to end', () => {
  it('gives files their licence from REUSE.toml and sidecars, and keeps LICENSES/ out of it', async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);
    const { root, cleanup } = await makeTree({
      'REUSE.toml': REUSE_TOML,
      'LICENSES/CC-BY-4.0.txt': 'Creative Commons Attribution 4.0 International\n',
      'LICENSES/CC-BY-NC-4.0.txt': 'Creative Commons Attribution-NonCommercial 4.0 International\n',
      'data/gulls.csv': 'id,count\n1,4\n',
      'data/restricted/quay.csv': 'id,berth\n1,A\n',
      'images/LICENSE': 'Some licence text that nobody has identified\n',
      'images/gull.jpg': jpeg,
      'images/gull.jpg.license': 'SPDX-FileCopyrightText: 2021 Jane Doe\nSPDX-License-Identifier: CC-BY-SA-4.0\n',
      'images/tern.jpg': jpeg,
      'images/sub/puffin.jpg': jpeg,
    });
    try {
      const { records } = await scanTree(root);
      const lic = (p: string) => records.get(p)!.licence;
      expect(lic('data/gulls.csv')).toMatchObject({ expression: 'CC-BY-4.0', source: 'subtree', basis: ['REUSE.toml'] });
      expect(lic('data/restricted/quay.csv')).toMatchObject({ expression: 'CC-BY-NC-4.0', basis: ['REUSE.toml'] });
      expect(records.get('data/gulls.csv')!.findings.find((f) => f.code === 'provenance.reuse.copyright')).toMatchObject({ inherited: true, value: { notices: [{ holder: 'Kelmouth Harbour Trust' }] } });
      // The sidecar outranks the licence file of its own folder, and speaks for its file only.
      expect(lic('images/gull.jpg')).toMatchObject({ expression: 'CC-BY-SA-4.0', basis: ['images/gull.jpg.license'] });
      const gull = records.get('images/gull.jpg')!.findings;
      expect(gull.find((f) => f.code === 'licence.file')).toMatchObject({ shadowed: true });
      expect(gull.find((f) => f.code === 'provenance.reuse.sidecar-copyright')).toMatchObject({ inherited: true, value: { notices: [{ holder: 'Jane Doe' }] } });
      expect(lic('images/tern.jpg')).toMatchObject({ expression: 'NOASSERTION', basis: ['images/LICENSE'] });
      expect(records.get('images/tern.jpg')!.findings.some((f) => f.code === 'licence.reuse.sidecar')).toBe(false);
      expect(lic('images/sub/puffin.jpg').basis).toEqual(['images/LICENSE']);
      // LICENSES/ texts are not Covered Files, and say only which licences the project uses.
      expect(records.get('LICENSES/CC-BY-4.0.txt')!.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['reuse.licence-text']));
      expect(records.get('LICENSES/CC-BY-4.0.txt')!.findings.some((f) => f.code === 'licence.reuse.toml')).toBe(false);
      expect(records.get('data/gulls.csv')!.verdict.decision).toBe('allow');
      expect(records.get('data/restricted/quay.csv')!.verdict.decision).toBe('review');
    } finally {
      await cleanup();
    }
  });
});
