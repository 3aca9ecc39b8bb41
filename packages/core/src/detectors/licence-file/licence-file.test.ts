import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { isLicenceFileName, isNoticeFileName, licenceFile } from './index.js';

/** Real licence files of the shared corpus (licence-match/fixtures/corpus; sources in fixtures/SOURCES.md). */
const corpus = (name: string) => readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'licence-match', 'fixtures', 'corpus', `${name}.txt`));

describe('licence-file detector', () => {
  it.each(['LICENSE', 'LICENCE', 'license.txt', 'LICENSE.md', 'LICENSE-MIT', 'LICENSE_APACHE', 'LICENSE-APACHE-2.0', 'COPYING', 'COPYING.LESSER', 'COPYING.LIB', 'UNLICENSE', 'MIT-LICENSE', 'MIT-LICENSE.txt', 'License.rst', 'LICENSE.html', 'COPYRIGHT'])(
    'recognises %s as a licence file',
    (name) => expect(isLicenceFileName(name)).toBe(true),
  );

  it.each(['license.py', 'licenses.json', 'LICENSE-checker.js', 'licensing.md', 'README.md', 'my-license-notes.md', 'LICENSE.png', 'unlicensed.txt'])('does not take %s for a licence file', (name) => {
    expect(isLicenceFileName(name)).toBe(false);
  });

  it.each(['NOTICE', 'NOTICE.txt', 'NOTICE.md'])('recognises %s as a notice file', (name) => expect(isNoticeFileName(name)).toBe(true));

  it('marks the folder subtree with an unidentified licence', async () => {
    const out = await runDetector(licenceFile, 'text/wiki/LICENSE', 'Permission is hereby granted, free of charge, ...');
    expect(out).toEqual([
      expect.objectContaining({ code: 'licence.file', category: 'licence', confidence: 0, value: expect.objectContaining({ expression: null, name: 'LICENSE', textRead: true }), scope: { kind: 'subtree', root: 'text/wiki' } }),
    ]);
  });

  it('reports a NOTICE file as a notice, not a licence', async () => {
    const out = await runDetector(licenceFile, 'NOTICE', 'This product includes software developed at ...');
    expect(out).toEqual([expect.objectContaining({ code: 'notice.file', category: 'notice', scope: { kind: 'subtree', root: '' } })]);
  });

  it('says when a licence file is too large to read whole', async () => {
    const out = await runDetector(licenceFile, 'LICENSE', 'x', { size: 5_000_000, whole: null, truncated: true });
    expect(out.map((f) => f.code)).toEqual(['licence.file', 'licence.file.too-large']);
  });

  it('identifies the text of a licence file, with its lines', async () => {
    const out = await runDetector(licenceFile, 'data/LICENSE', corpus('case-026'));
    expect(out).toEqual([
      expect.objectContaining({
        code: 'licence.file',
        confidence: expect.any(Number),
        value: expect.objectContaining({ expression: 'MIT', matches: [expect.objectContaining({ id: 'MIT', name: 'MIT License', kind: 'text' })] }),
        evidence: expect.objectContaining({ path: 'data/LICENSE', line: 1 }),
        scope: { kind: 'subtree', root: 'data' },
      }),
    ]);
    expect(out[0]!.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('reads the GNU notice of a COPYING file: -or-later', async () => {
    const out = await runDetector(licenceFile, 'COPYING', corpus('case-051'));
    expect(out[0]!.value).toMatchObject({ expression: 'AGPL-3.0-or-later', matches: [expect.objectContaining({ kind: 'notice' })] });
  });

  it('claims no licence for a modified text, and says what differs and where', async () => {
    const out = await runDetector(licenceFile, 'LICENSE', corpus('case-039'));
    expect(out.map((f) => f.code)).toEqual(['licence.file', 'licence.file.modified']);
    expect(out[0]).toMatchObject({ confidence: 0, value: { expression: null }, scope: { kind: 'subtree', root: '' } });
    expect(out[1]).toMatchObject({
      severity: 'warning',
      value: { closest: { id: 'MIT' } },
      evidence: { path: 'LICENSE', line: 12, excerpt: expect.stringContaining('paid software') },
      scope: { kind: 'file', root: 'LICENSE' },
    });
  });

  it('claims no licence, and no modification, for a file that only holds a copyright notice', async () => {
    const out = await runDetector(licenceFile, 'LICENSE', corpus('case-015'));
    expect(out).toEqual([expect.objectContaining({ code: 'licence.file', confidence: 0, value: expect.objectContaining({ expression: null, reason: 'no licence text Clearance knows' }) })]);
  });

  it('reads a Latin-1 licence file and says so', async () => {
    const text = corpus('case-026').toString('latin1').replace('Ben Balter', 'J\u00fcrgen M\u00fcller');
    const out = await runDetector(licenceFile, 'LICENSE.txt', Buffer.from(text, 'latin1'));
    expect(out[0]!.value).toMatchObject({ expression: 'MIT', encoding: 'windows-1252' });
  });

  it('keeps an excerpt short on a one-line text', async () => {
    const out = await runDetector(licenceFile, 'LICENSE', corpus('case-026').toString('utf8').replace(/\s+/g, ' '));
    expect(out[0]!.value).toMatchObject({ expression: 'MIT' });
    expect(out[0]!.evidence.excerpt!.length).toBeLessThanOrEqual(200);
  });
});
