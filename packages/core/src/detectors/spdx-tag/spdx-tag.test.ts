import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { spdxTag } from './index.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

describe('spdx-tag detector', () => {
  it.each([
    ['a.py', '#!/usr/bin/env python3\n# SPDX-License-Identifier: MIT\nprint(1)\n', 'MIT', 2],
    ['a.c', '/* SPDX-License-Identifier: GPL-2.0-or-later */\nint x;\n', 'GPL-2.0-or-later', 1],
    ['a.ts', '// SPDX-License-Identifier: Apache-2.0 OR MIT\n', 'Apache-2.0 OR MIT', 1],
    ['a.html', '<!doctype html>\n<!-- SPDX-License-Identifier: CC-BY-4.0 -->\n', 'CC-BY-4.0', 2],
    ['a.sql', '-- SPDX-License-Identifier: BSD-3-Clause\nSELECT 1;\n', 'BSD-3-Clause', 1],
    ['a.tex', '% SPDX-License-Identifier: LPPL-1.3c\n', 'LPPL-1.3c', 1],
    ['a.rs', '//! SPDX-License-Identifier: mit\n', 'MIT', 1],
    ['a.h', ' * SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause\n', 'GPL-2.0-only WITH Linux-syscall-note OR BSD-2-Clause', 1],
    ['a.txt', 'SPDX-License-Identifier: LicenseRef-acme-data\n', 'LicenseRef-acme-data', 1],
    ['a.js', '"use strict";\n// SPDX-License-Identifier: GPL-2.0+\n', 'GPL-2.0-or-later', 2],
  ])('reads the tag in %s', async (file, text, expression, line) => {
    const out = await runDetector(spdxTag, file, text);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ code: 'licence.spdx.tag', category: 'licence', value: { expression }, evidence: { path: file, line }, scope: { kind: 'file', root: file } });
  });

  it('reports an unparseable tag as a licence statement with no expression', async () => {
    const out = await runDetector(spdxTag, 'x.py', '# SPDX-License-Identifier: MIT-ish or whatever\n');
    expect(out).toEqual([expect.objectContaining({ code: 'licence.spdx.tag-invalid', category: 'licence', value: expect.objectContaining({ expression: null, written: 'MIT-ish or whatever' }) })]);
  });

  it('ignores prose that only mentions the tag mid-line', async () => {
    expect(await runDetector(spdxTag, 'README.md', 'Add `SPDX-License-Identifier: MIT` to each file.\n')).toEqual([]);
  });

  it('keeps two different tags in one file apart (a conflict for the engine), and one copy of a repeated tag', async () => {
    const out = await runDetector(spdxTag, 'x.c', '// SPDX-License-Identifier: MIT\n// SPDX-License-Identifier: MIT\n// SPDX-License-Identifier: GPL-2.0-only\n');
    expect(out.map((f) => (f.value as { expression: string }).expression)).toEqual(['MIT', 'GPL-2.0-only']);
  });

  it('ignores a tag in the middle of a long file but reads one in its tail', async () => {
    const filler = 'x = 1\n'.repeat(5000);
    const middle = `${filler}# SPDX-License-Identifier: MIT\n${filler}`;
    expect(await runDetector(spdxTag, 'm.py', middle)).toEqual([]);
    const tailText = '# trailing\n# SPDX-License-Identifier: ISC\n';
    const bytes = new TextEncoder().encode(filler + tailText);
    const out = await runDetector(spdxTag, 't.py', bytes, { head: bytes.subarray(0, 16384), tail: bytes.subarray(bytes.length - 4096), whole: null });
    expect(out).toEqual([expect.objectContaining({ value: expect.objectContaining({ expression: 'ISC' }), evidence: expect.objectContaining({ byteOffset: bytes.length - tailText.length + '# trailing\n'.length }) })]);
    expect(out[0]!.evidence.line).toBeUndefined();
  });

  it('handles every fixture file as its name says', async () => {
    for (const file of readdirSync(fixtures)) {
      const text = readFileSync(path.join(fixtures, file));
      const out = await runDetector(spdxTag, file, text);
      const expected = file.startsWith('none-') ? [] : [file.split('--')[0]!.replace(/_/g, ' ').replace(/^expr-/, '')];
      const got = out.filter((f) => f.code === 'licence.spdx.tag').map((f) => (f.value as { expression: string }).expression);
      expect(got, file).toEqual(expected);
    }
  });
});
