import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { isLicenceFileName, isNoticeFileName, licenceFile } from './index.js';

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
});
