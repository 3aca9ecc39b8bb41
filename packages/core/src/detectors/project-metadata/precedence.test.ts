import { describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../schema/record.js';
import { makeTree, scanTree } from '../../test-utils/index.js';

/**
 * The documented order of licence statements, through a whole scan: a file's own SPDX tag, then a
 * licence file or REUSE declaration, then package metadata, then a dataset card — at one level, and
 * nearer levels before farther ones.
 */
describe('licence precedence end to end', () => {
  it('own tag > licence file / REUSE.toml > package.json > dataset card', async () => {
    const { root, cleanup } = await makeTree({
      'README.md': '---\nlicense: cc-by-4.0\n---\n# Harbour corpus\n',
      'data/counts.csv': 'id,n\n1,2\n',
      'code/README.md': '---\nlicense: cc-by-sa-4.0\n---\n# Tools\n',
      'code/package.json': '{ "name": "harbour-tools", "version": "1.0.0", "license": "MIT" }\n',
      'code/index.js': 'module.exports = 1;\n',
      'code/tagged.js': '// SPDX-License-Identifier: Apache-2.0\nmodule.exports = 2;\n',
      'code/vendor/REUSE.toml': 'version = 1\n[[annotations]]\npath = "**"\nSPDX-License-Identifier = "BSD-3-Clause"\n',
      'code/vendor/package.json': '{ "name": "vendored", "license": "MIT" }\n',
      'code/vendor/lib.js': 'exports.x = 1;\n',
      'code/vendor/own.js': '/* SPDX-License-Identifier: GPL-2.0-only */\n',
      'code/legacy/LICENSE': 'Legacy terms: ask the harbour master before any use.\n',
      'code/legacy/setup.cfg': '[metadata]\nname = legacy\nlicense = MIT\n',
      'code/legacy/run.py': 'print(1)\n',
    });
    try {
      const { records } = await scanTree(root);
      const rec = (p: string): ScanRecord => records.get(p)!;
      const winners = (p: string) => rec(p).findings.filter((f) => f.category === 'licence' && f.shadowed !== true).map((f) => f.code);
      const shadowed = (p: string) => rec(p).findings.filter((f) => f.category === 'licence' && f.shadowed === true).map((f) => f.code);

      // Only the dataset card speaks for data/.
      expect(rec('data/counts.csv').licence).toMatchObject({ expression: 'CC-BY-4.0', basis: ['README.md'] });

      // package.json (10) outranks the card beside it (0) and the card above.
      expect(rec('code/index.js').licence).toMatchObject({ expression: 'MIT', source: 'subtree', basis: ['code/package.json'] });
      expect(winners('code/index.js')).toEqual(['licence.metadata.npm']);
      expect(shadowed('code/index.js').sort()).toEqual(['licence.dataset-card', 'licence.dataset-card']);

      // A file's own tag beats everything inherited.
      expect(rec('code/tagged.js').licence).toMatchObject({ expression: 'Apache-2.0', source: 'file' });
      expect(shadowed('code/tagged.js')).toEqual(expect.arrayContaining(['licence.metadata.npm', 'licence.dataset-card']));

      // A REUSE.toml (20) outranks the package.json beside it (10).
      expect(rec('code/vendor/lib.js').licence).toMatchObject({ expression: 'BSD-3-Clause', basis: ['code/vendor/REUSE.toml'] });
      expect(shadowed('code/vendor/lib.js')).toEqual(expect.arrayContaining(['licence.metadata.npm', 'licence.metadata.npm', 'licence.dataset-card']));
      expect(rec('code/vendor/own.js').licence).toMatchObject({ expression: 'GPL-2.0-only', source: 'file' });

      // A licence file (20) outranks setup.cfg beside it (10), whatever its text turns out to be.
      expect(rec('code/legacy/run.py').licence.basis).toEqual(['code/legacy/LICENSE']);
      expect(winners('code/legacy/run.py')).toEqual(['licence.file']);
      expect(shadowed('code/legacy/run.py')).toEqual(expect.arrayContaining(['licence.metadata.setup-cfg']));
      expect(rec('code/legacy/run.py').licence.expression).not.toBe('MIT');

      // Verdicts under the default policy: MIT, Apache-2.0, BSD-3-Clause and CC-BY-4.0 are allowed; GPL is not listed.
      expect(['data/counts.csv', 'code/index.js', 'code/tagged.js', 'code/vendor/lib.js'].map((p) => rec(p).verdict.decision)).toEqual(['allow', 'allow', 'allow', 'allow']);
      expect(rec('code/vendor/own.js').verdict.decision).toBe('review');
    } finally {
      await cleanup();
    }
  });
});
