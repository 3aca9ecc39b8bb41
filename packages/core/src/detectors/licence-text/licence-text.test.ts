import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { isReadmeName, licenceText } from './index.js';

/** Real licence files of the shared corpus (licence-match/fixtures/corpus; sources in fixtures/SOURCES.md). */
const corpus = (name: string) => readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'licence-match', 'fixtures', 'corpus', `${name}.txt`), 'utf8');

const README_HEAD = '# frobnicate\n\nA tool that frobnicates. Install it with `npm i frobnicate`.\n\n## Usage\n\n```sh\nfrobnicate --all\n```\n\n## License\n\n';

/** The GNU notice as source files carry it, in `#` comments. */
const GPL3_HEADER = `#!/usr/bin/env python3
# Copyright (C) 2021 Jane Doe
#
# This program is free software: you can redistribute it and/or modify
# it under the terms of the GNU General Public License as published by
# the Free Software Foundation, either version 3 of the License, or
# (at your option) any later version.
#
# This program is distributed in the hope that it will be useful,
# but WITHOUT ANY WARRANTY; without even the implied warranty of
# MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
# GNU General Public License for more details.
#
# You should have received a copy of the GNU General Public License
# along with this program.  If not, see <https://www.gnu.org/licenses/>.

import sys
`;

/** The Apache-2.0 header of its appendix, in a C block comment. */
const APACHE_HEADER = (body: string) => `/*
 * Copyright 2019 Example Corp.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
${body}`;

describe('licence-text detector', () => {
  it.each(['README', 'README.md', 'readme.txt', 'README.rst'])('takes %s for a README', (name) => expect(isReadmeName(name)).toBe(true));
  it.each(['README-dev.md', 'readme.py', 'READMEs'])('does not take %s for a README', (name) => expect(isReadmeName(name)).toBe(false));

  it('leaves JSON alone, even with a licence text in a string: metadata detectors read JSON', async () => {
    const gpl = '# This program is free software: you can redistribute it and/or modify it under the terms of the GNU General Public License as published by the Free Software Foundation, either version 3 of the License, or (at your option) any later version.';
    expect(await runDetector(licenceText, 'src/main.py', `${gpl}\nprint(1)\n`)).not.toEqual([]);
    expect(await runDetector(licenceText, 'data/0001.json', JSON.stringify({ license: 'GPL-3.0', note: gpl }), { mediaType: 'application/json' })).toEqual([]);
    expect(await runDetector(licenceText, 'data/rows.jsonl', `${JSON.stringify({ text: gpl })}\n`)).toEqual([]);
  });

  it('finds the MIT text at the end of a README, for its folder', async () => {
    const out = await runDetector(licenceText, 'tools/README.md', README_HEAD + corpus('case-026'));
    expect(out).toEqual([
      expect.objectContaining({
        code: 'licence.text',
        value: expect.objectContaining({ expression: 'MIT' }),
        evidence: expect.objectContaining({ path: 'tools/README.md', line: 13, excerpt: 'MIT License' }),
        scope: { kind: 'subtree', root: 'tools' },
      }),
    ]);
    expect(out[0]!.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('claims nothing for a README whose licence text was modified, and says what differs', async () => {
    const out = await runDetector(licenceText, 'README.md', README_HEAD + corpus('case-039'));
    expect(out.map((f) => f.code)).toEqual(['licence.text', 'licence.text.modified']);
    expect(out[0]).toMatchObject({ confidence: 0, value: { expression: null } });
    expect(out[1]).toMatchObject({ value: { closest: { id: 'MIT' } }, evidence: { line: 24, excerpt: expect.stringContaining('paid software') } });
  });

  it('does not take a README\'s passing mention of a licence for its folder\'s licence', async () => {
    const readme = `${README_HEAD}MIT, see [LICENSE](LICENSE). Built on libfoo, which is licensed under the Apache License, Version 2.0.\n`;
    expect(await runDetector(licenceText, 'README.md', readme)).toEqual([]);
  });

  it('reads the GNU notice of a source file header: GPL-3.0-or-later, for that file', async () => {
    const out = await runDetector(licenceText, 'src/tool.py', GPL3_HEADER, { mediaType: 'text/x-python' });
    expect(out).toEqual([
      expect.objectContaining({
        code: 'licence.notice',
        value: expect.objectContaining({ expression: 'GPL-3.0-or-later' }),
        evidence: expect.objectContaining({ path: 'src/tool.py', line: 4 }),
        scope: { kind: 'file', root: 'src/tool.py' },
      }),
    ]);
  });

  it('reads "version 2 of the License" without later versions as -only', async () => {
    const out = await runDetector(licenceText, 'src/tool.py', GPL3_HEADER.replace('either version 3 of the License, or\n# (at your option) any later version', 'version 2 of the License'));
    expect(out[0]!.value).toMatchObject({ expression: 'GPL-2.0-only' });
  });

  it('reads the Apache-2.0 header of a C file', async () => {
    const out = await runDetector(licenceText, 'lib/x.c', APACHE_HEADER('int main(void) { return 0; }\n'));
    expect(out).toEqual([expect.objectContaining({ code: 'licence.notice', value: expect.objectContaining({ expression: 'Apache-2.0' }), scope: { kind: 'file', root: 'lib/x.c' } })]);
  });

  it('reads a notice in the tail of a large file, without a line number', async () => {
    const body = 'int x;\n'.repeat(10_000);
    const bytes = new TextEncoder().encode(`${body}\n${GPL3_HEADER}`);
    const head = bytes.slice(0, 16 * 1024);
    const tail = bytes.slice(bytes.length - 8 * 1024);
    const out = await runDetector(licenceText, 'big.c', bytes, { head, tail, whole: null });
    expect(out).toEqual([expect.objectContaining({ code: 'licence.notice', value: expect.objectContaining({ expression: 'GPL-3.0-or-later', part: 'tail' }) })]);
    expect(out[0]!.evidence.line).toBeUndefined();
  });

  it('leaves licence files and files without licence words alone', async () => {
    expect(await runDetector(licenceText, 'LICENSE', corpus('case-026'))).toEqual([]);
    expect(await runDetector(licenceText, 'notes.txt', 'Nothing to see here.\n'.repeat(100))).toEqual([]);
    expect(await runDetector(licenceText, 'x.bin', corpus('case-026'), { isText: false })).toEqual([]);
  });

  it('stays fast on hostile text full of licence words', async () => {
    const junk = 'Permission is hereby granted licence copyright warranty either version 3 of the License or at your option any later version '.repeat(150);
    const t0 = performance.now();
    const out = await runDetector(licenceText, 'junk.txt', junk.slice(0, 16 * 1024));
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(out.every((f) => f.value && (f.value as { expression: unknown }).expression === null)).toBe(true);
  });
});
