import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTree, runDetector, scanTree } from '../../test-utils/index.js';
import { licenceChoice } from './index.js';

/** Real licence files of the shared corpus (licence-match/fixtures/corpus; sources in fixtures/SOURCES.md). */
const corpus = (name: string) => readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'licence-match', 'fixtures', 'corpus', `${name}.txt`));

/** The Rust convention's README section. */
const RUST_README = `# widget

Widgets for everyone.

## License

Licensed under either of

 * Apache License, Version 2.0 ([LICENSE-APACHE](LICENSE-APACHE) or http://www.apache.org/licenses/LICENSE-2.0)
 * MIT license ([LICENSE-MIT](LICENSE-MIT) or http://opensource.org/licenses/MIT)

at your option.
`;

describe('licence-choice detector', () => {
  it('reads "Licensed under either of … at your option" as OR, for the folder', async () => {
    const out = await runDetector(licenceChoice, 'crates/widget/README.md', RUST_README);
    expect(out).toEqual([
      expect.objectContaining({
        code: 'licence.choice',
        value: expect.objectContaining({ expression: 'Apache-2.0 OR MIT' }),
        evidence: expect.objectContaining({ line: 7 }),
        scope: { kind: 'subtree', root: 'crates/widget' },
      }),
    ]);
  });

  it('reads a dual-licence statement in a COPYRIGHT file', async () => {
    const out = await runDetector(licenceChoice, 'COPYRIGHT', 'Copyright 2020 Jane Doe.\n\nThis project is dual licensed under the MIT license or the Unlicense, at your choice.\n');
    expect(out[0]?.value).toMatchObject({ expression: 'MIT OR Unlicense' });
  });

  it('ignores a README that lists the licences of its dependencies, or names one licence', async () => {
    const deps = '# app\n\n## Third-party\n\n- serde: MIT or Apache-2.0\n- libz: Zlib\n\nSee each crate for its licence.\n';
    expect(await runDetector(licenceChoice, 'README.md', deps)).toEqual([]);
    expect(await runDetector(licenceChoice, 'README.md', '# app\n\nLicensed under the MIT license; you may, at your option, credit us.\n')).toEqual([]);
  });
});

describe('licence files and statements in a scan', () => {
  const GPL_PY = '# This program is free software: you can redistribute it and/or modify\n# it under the terms of the GNU General Public License as published by\n# the Free Software Foundation, either version 3 of the License, or\n# (at your option) any later version.\n\nprint(1)\n';

  it('LICENSE-MIT + LICENSE-APACHE: a conflict to review alone, "Apache-2.0 OR MIT" with a README saying they are a choice', async () => {
    const { root, cleanup } = await makeTree({
      'alone/LICENSE-MIT': corpus('case-026'),
      'alone/LICENSE-APACHE': corpus('case-002'),
      'alone/data.txt': 'hello',
      'stated/LICENSE-MIT': corpus('case-026'),
      'stated/LICENSE-APACHE': corpus('case-002'),
      'stated/README.md': RUST_README,
      'stated/data.txt': 'hello',
      'modified/LICENSE': corpus('case-039'),
      'modified/data.txt': 'hello',
      'mit/LICENSE': corpus('case-026'),
      'mit/data.txt': 'hello',
      'mit/src/tool.py': GPL_PY,
    });
    try {
      const { records, summary } = await scanTree(root);
      const alone = records.get('alone/data.txt')!;
      expect(alone.licence).toMatchObject({ expression: 'NOASSERTION', conflicts: [expect.objectContaining({ expression: 'Apache-2.0' }), expect.objectContaining({ expression: 'MIT' })] });
      expect(alone.verdict.decision).toBe('review');

      const stated = records.get('stated/data.txt')!;
      expect(stated.licence).toMatchObject({ expression: 'Apache-2.0 OR MIT', basis: ['stated/README.md'], conflicts: [] });
      expect(stated.verdict.decision).toBe('allow');

      const modified = records.get('modified/data.txt')!;
      expect(modified.licence).toMatchObject({ expression: 'NOASSERTION', basis: ['modified/LICENSE'] });
      expect(modified.verdict.decision).toBe('review');
      expect(records.get('modified/LICENSE')!.findings.map((f) => f.code)).toContain('licence.file.modified');

      expect(records.get('mit/data.txt')!.licence).toMatchObject({ expression: 'MIT' });
      expect(records.get('mit/data.txt')!.verdict.decision).toBe('allow');
      // A file's own GNU notice beats its folder's licence file.
      expect(records.get('mit/src/tool.py')!.licence).toMatchObject({ expression: 'GPL-3.0-or-later', source: 'file' });

      expect(summary.rulesets).toMatchObject({ 'licence-file': '2.0.0', 'spdx-license-list': expect.stringMatching(/^\d+\.\d+/) });
    } finally {
      await cleanup();
    }
  });
});
