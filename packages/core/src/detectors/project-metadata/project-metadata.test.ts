import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../schema/finding.js';
import { runDetector } from '../../test-utils/index.js';
import { readRLicence } from './r-licence.js';
import { projectMetadata } from './index.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

/** What each fixture folder's metadata file must declare: code, expression, confidence bounds. */
const EXPECTED: Record<string, { code: string; expression: string | null; min?: number; max?: number; value?: Record<string, unknown> }[]> = {
  'npm-mit': [{ code: 'licence.metadata.npm', expression: 'MIT', min: 0.9, value: { method: 'spdx', field: 'license' } }],
  'npm-legacy': [{ code: 'licence.metadata.npm', expression: 'MIT OR Apache-2.0', max: 0.7, value: { field: 'licenses', written: 'MIT | Apache 2.0' } }],
  'npm-see': [{ code: 'licence.metadata.npm', expression: null, value: { file: 'EULA.md', method: 'none' } }],
  'npm-unlicensed': [{ code: 'licence.metadata.npm', expression: null, value: { method: 'none' } }],
  'pyproject-pep639': [{ code: 'licence.metadata.pyproject', expression: 'Apache-2.0 OR MIT', min: 0.9, value: { field: 'project.license', file: 'LICENSE-APACHE' } }],
  'pyproject-table': [{ code: 'licence.metadata.pyproject', expression: 'BSD-3-Clause', min: 0.7, max: 0.7, value: { field: 'project.license.text', written: 'BSD 3-Clause License' } }],
  'pyproject-poetry': [{ code: 'licence.metadata.pyproject', expression: 'GPL-3.0-or-later', value: { field: 'tool.poetry.license' } }],
  'pyproject-classifier': [{ code: 'licence.metadata.pyproject', expression: 'LGPL-3.0-or-later', max: 0.7, value: { field: 'classifiers' } }],
  'setup-cfg': [{ code: 'licence.metadata.setup-cfg', expression: 'Apache-2.0', max: 0.7, value: { field: 'metadata.license', file: 'LICENSE' } }],
  cargo: [{ code: 'licence.metadata.cargo', expression: 'MIT OR Apache-2.0', max: 0.7 }],
  'cargo-workspace': [{ code: 'licence.metadata.cargo', expression: 'Apache-2.0 WITH LLVM-exception', value: { field: 'workspace.package.license' } }],
  composer: [{ code: 'licence.metadata.composer', expression: 'LGPL-2.1-only OR GPL-3.0-or-later', min: 0.9 }],
  'r-gpl': [{ code: 'licence.metadata.r-description', expression: 'GPL-2.0-or-later', value: { field: 'License' } }],
  'r-mit': [{ code: 'licence.metadata.r-description', expression: 'MIT', value: { file: 'LICENSE' } }],
  cff: [{ code: 'licence.metadata.citation-cff', expression: 'CC-BY-4.0 OR CC-BY-SA-4.0', min: 0.9 }],
  codemeta: [{ code: 'licence.metadata.codemeta', expression: 'Apache-2.0', value: { method: 'url' } }],
  datapackage: [
    { code: 'licence.metadata.datapackage', expression: 'CC-BY-4.0', value: { paths: ['data/photos.csv'] } },
    { code: 'licence.metadata.datapackage', expression: 'PDDL-1.0', value: { except: ['data/photos.csv'] } },
  ],
  'croissant-url': [
    { code: 'licence.metadata.croissant', expression: 'CC-BY-NC-4.0', value: { method: 'url' } },
    { code: 'licence.metadata.croissant-metadata', expression: 'CC0-1.0' },
  ],
  'croissant-mnist': [{ code: 'licence.metadata.croissant', expression: 'MIT' }],
  'not-croissant': [],
  'invalid-json': [{ code: 'metadata.invalid', expression: null }],
};

const expr = (f: { value: unknown }) => (f.value as { expression?: string | null }).expression ?? null;

describe('project-metadata detector', () => {
  it.each(Object.keys(EXPECTED))('reads the licence declared in fixtures/%s', async (folder) => {
    const files = readdirSync(path.join(fixtures, folder));
    expect(files).toHaveLength(1);
    const rel = `${folder}/${files[0]!}`;
    const out = await runDetector(projectMetadata, rel, readFileSync(path.join(fixtures, rel)));
    const want = EXPECTED[folder]!;
    expect(out.map((f) => [f.code, expr(f)])).toEqual(want.map((w) => [w.code, w.expression]));
    for (const [i, w] of want.entries()) {
      const f = out[i]!;
      if (w.min !== undefined) expect(f.confidence).toBeGreaterThanOrEqual(w.min);
      if (w.max !== undefined) expect(f.confidence).toBeLessThanOrEqual(w.max);
      if (w.expression === null) expect(f.confidence).toBe(f.code === 'metadata.invalid' ? 1 : 0);
      if (w.value) expect(f.value).toMatchObject(w.value);
      if (f.category === 'licence') {
        expect(f.evidence.line, `${folder} line`).toBeGreaterThan(0);
        expect(f.scope).toEqual(f.code === 'licence.metadata.croissant-metadata' ? { kind: 'file', root: rel } : { kind: 'subtree', root: folder });
      }
    }
  });

  it('keeps the written licence and says why a loose or ambiguous one has no expression', async () => {
    const out = await runDetector(projectMetadata, 'setup.cfg', '[metadata]\nname = x\nlicense = BSD\n');
    expect(out).toEqual([expect.objectContaining({ confidence: 0, value: expect.objectContaining({ expression: null, written: 'BSD', method: 'ambiguous', note: expect.stringContaining('clauses') }), evidence: expect.objectContaining({ line: 3, excerpt: 'license = BSD' }) })]);
  });

  it('reads an R DESCRIPTION only when it is an R package\'s, and R\'s own licence syntax', async () => {
    expect(await runDetector(projectMetadata, 'DESCRIPTION', 'This folder holds the photos.\nLicense: MIT\n')).toEqual([]);
    expect(readRLicence('GPL-2 | GPL-3')).toMatchObject({ expression: 'GPL-2.0-only OR GPL-3.0-only' });
    expect(readRLicence('LGPL (>= 2.1)')).toMatchObject({ expression: 'LGPL-2.1-or-later' });
    expect(readRLicence('BSD_3_clause + file LICENSE')).toMatchObject({ expression: 'BSD-3-Clause', file: 'LICENSE' });
    expect(readRLicence('GPL-3 + file LICENSE')).toMatchObject({ expression: null, note: expect.stringContaining('adds terms') });
    expect(readRLicence('Apache License (== 2.0)')).toMatchObject({ expression: 'Apache-2.0' });
    expect(readRLicence('Unlimited')).toMatchObject({ expression: null, method: 'none' });
    expect(readRLicence('file LICENSE')).toMatchObject({ expression: null, file: 'LICENSE' });
    expect(readRLicence('GPL')).toMatchObject({ expression: null, method: 'ambiguous' });
  });

  it('resolves a data package per path: a resource\'s licence covers its files, the package\'s the rest', async () => {
    const rel = 'harbour/datapackage.json';
    const out = (await runDetector(projectMetadata, rel, readFileSync(path.join(fixtures, 'datapackage', 'datapackage.json')))) as Finding[];
    const [resource, pkg] = out;
    expect(projectMetadata.forPath!(resource!, 'harbour/data/photos.csv')).toBe(resource);
    expect(projectMetadata.forPath!(resource!, 'harbour/data/arrivals.csv')).toBeNull();
    expect(projectMetadata.forPath!(pkg!, 'harbour/data/photos.csv')).toBeNull();
    expect(projectMetadata.forPath!(pkg!, 'harbour/data/arrivals.csv')).toBe(pkg);
    expect(projectMetadata.forPath!(pkg!, 'harbour/README.md')).toBe(pkg);
  });

  it('matches the metadata file names and nothing else', () => {
    const names = projectMetadata.match.names!;
    const matches = (n: string) => names.some((m) => typeof m === 'function' && m(n));
    for (const n of ['package.json', 'pyproject.toml', 'setup.cfg', 'Cargo.toml', 'composer.json', 'DESCRIPTION', 'CITATION.cff', 'codemeta.json', 'datapackage.json', 'croissant.json', 'mnist-croissant.json', 'croissant.jsonld', 'metadata.json']) expect(matches(n), n).toBe(true);
    for (const n of ['package-lock.json', 'description.txt', 'Cargo.lock', 'setup.py', 'croissants.csv', 'my.package.json']) expect(matches(n), n).toBe(false);
  });

  it('reports a file too large to read, and survives hostile documents', async () => {
    expect(await runDetector(projectMetadata, 'package.json', '{}', { whole: null, truncated: true, size: 5_000_000 })).toEqual([expect.objectContaining({ code: 'metadata.invalid', value: expect.objectContaining({ problem: expect.stringContaining('larger than') }) })]);
    const started = performance.now();
    const deepJson = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect((await runDetector(projectMetadata, 'package.json', deepJson)).map((f) => f.code)).toEqual(['metadata.invalid']);
    const deepToml = `a = ${'['.repeat(5000)}${']'.repeat(5000)}\n`;
    expect((await runDetector(projectMetadata, 'pyproject.toml', deepToml)).map((f) => f.code)).toEqual(['metadata.invalid']);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`), 'license: MIT'].join('\n');
    expect((await runDetector(projectMetadata, 'CITATION.cff', bomb)).map((f) => f.code)).toEqual(['metadata.invalid']);
    const many = JSON.stringify({ license: Array.from({ length: 100_000 }, () => 'MIT') });
    expect((await runDetector(projectMetadata, 'composer.json', many)).map(expr)).toEqual(['MIT']);
    const longLine = `[metadata]\nlicense = ${'x'.repeat(1_000_000)}\n`;
    expect((await runDetector(projectMetadata, 'setup.cfg', longLine)).map(expr)).toEqual([null]);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
