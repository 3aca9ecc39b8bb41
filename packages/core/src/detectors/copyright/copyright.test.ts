import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { copyright, findNotices, parseNotice } from './index.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const holders = (out: { code: string; value: unknown }[]) => out.filter((f) => f.code === 'provenance.copyright').map((f) => (f.value as { holder: string }).holder);

describe('copyright notices', () => {
  it.each([
    ['Copyright (c) 2019-2024 Jane Doe', 'Jane Doe', '2019-2024', 2019, 2024],
    ['© 2021 Jane Doe', 'Jane Doe', '2021', 2021, 2021],
    ['(C) 2020 ACME Corp.', 'ACME Corp.', '2020', 2020, 2020],
    ['Copyright 2020 The X Authors', 'The X Authors', '2020', 2020, 2020],
    ['// Copyright 2015 The Go Authors. All rights reserved.', 'The Go Authors', '2015', 2015, 2015],
    ['# SPDX-FileCopyrightText: 2016, 2018-2019 Jane Doe <jane@example.com>', 'Jane Doe', '2016, 2018-2019', 2016, 2019],
    [' * Copyright (c) 2018, Ben Balter', 'Ben Balter', '2018', 2018, 2018],
    ['Copyright © 2013–2016 by Peder Ås, 王二麻子, and Seán Ó Rudaí', 'Peder Ås, 王二麻子, and Seán Ó Rudaí', '2013–2016', 2013, 2016],
    ['Copyright Jane Doe 2019', 'Jane Doe', '2019', 2019, 2019],
    ['Copyright 2019-present Acme', 'Acme', '2019-present', 2019, null],
    ['<p>&copy; 2024 Kelmouth Gazette. All rights reserved.</p>', 'Kelmouth Gazette', '2024', 2024, 2024],
    ['Copyright (c) 1994-2006 Sun Microsystems Inc.', 'Sun Microsystems Inc.', '1994-2006', 1994, 2006],
    ['Copyright 2020 The Go Gopher.', 'The Go Gopher', '2020', 2020, 2020],
    ['COPYRIGHT (C) 2003 HARBOUR BOARD', 'HARBOUR BOARD', '2003', 2003, 2003],
    ['Copyright: 2012 Jane Doe', 'Jane Doe', '2012', 2012, 2012],
    ['© 2024 Kelmouth Courier Ltd. All rights reserved. Text and data mining of this site is governed by our reservation.', 'Kelmouth Courier Ltd.', '2024', 2024, 2024],
    ['Copyright 2020 Jane Doe. Licensed under the MIT licence.', 'Jane Doe', '2020', 2020, 2020],
    ['Copyright (c) 2021 Jane Doe, licensed under CC BY 4.0', 'Jane Doe', '2021', 2021, 2021],
    ['Copyright 2019 J. R. R. Tolkien Estate', 'J. R. R. Tolkien Estate', '2019', 2019, 2019],
    ['Copyright 2018 Acme Inc. and Harbour Board', 'Acme Inc. and Harbour Board', '2018', 2018, 2018],
    ['Copyright 2017 Jane Doe. Contact her at the harbour office.', 'Jane Doe', '2017', 2017, 2017],
  ])('reads %s', (line, holder, written, first, last) => {
    expect(parseNotice(line)).toMatchObject({ holder, years: { written, first, last } });
  });

  it.each([
    ['SPDX-FileCopyrightText: Contributors to Example Project <https://project.example.com>', 'Contributors to Example Project', 'https://project.example.com'],
    ['© Example Corporation <https://corp.example.com>', 'Example Corporation', 'https://corp.example.com'],
    ['Copyright (c) Alice, some rights reserved', 'Alice', undefined],
    ['SPDX-SnippetCopyrightText: (C) Example Cooperative <info@coop.example.com>', 'Example Cooperative', 'info@coop.example.com'],
  ])('reads the REUSE example %s (no year)', (line, holder, contact) => {
    const n = parseNotice(line);
    expect(n).toMatchObject({ holder });
    expect(n?.years).toBeUndefined();
    expect(n?.contact).toBe(contact);
  });

  it.each([
    'Copyright holders may not be sued',
    'copyright on the Program, and are irrevocable provided the stated',
    'Copyright Holder, and derivatives of that collection and/or of',
    '“Copyright Holder” means the individual(s) or organization(s)',
    '* **(c)** You must retain, in the Source form of any Derivative Works that You distribute,',
    '    Copyright (C) <year>  <name of author>',
    '    Copyright [yyyy] [name of copyright owner]',
    'Copyright (c) <year> <copyright holders>',
    'Copyright (C) yyyy name of author',
    'Copyright',
    'Copyright (c)',
    'Copyright 2019',
    'The copyright notice above must be kept.',
  ])('does not read %s as a notice', (line) => {
    expect(parseNotice(line)).toBeNull();
  });

  it('reads a metadata field that is a notice by definition, with or without the word', () => {
    expect(parseNotice('Jane Doe', { field: true })).toMatchObject({ holder: 'Jane Doe', prefix: 'field' });
    expect(parseNotice('2021 Jane Doe', { field: true })).toMatchObject({ holder: 'Jane Doe', years: { first: 2021 } });
    expect(parseNotice('Copyright 2021 Jane Doe', { field: true })).toMatchObject({ holder: 'Jane Doe', prefix: 'word' });
  });
});

describe('copyright detector', () => {
  it.each([
    ['LICENSE-case-004', ['Artúr Barnabás Kovács']],
    ['LICENSE-case-015', ['Peder Ås, 王二麻子, and Seán Ó Rudaí']],
    ['LICENSE-case-037.md', ['Go Gopher']],
    ['LICENSE-case-047', ['The btcsuite developers', 'The Decred developers', 'The Lightning Network Developers']],
    // The GPL text's own notice, but not the "How to apply" template at its end.
    ['COPYING-case-021', ['Free Software Foundation, Inc.']],
    ['header.py', ['Jane Doe', 'Example NGO']],
    ['ringbuf.h', ['Harbour Tools Ltd.', 'Jane Doe']],
    ['article.html', ['Kelmouth Gazette']],
  ])('finds the notices of %s', async (file, expected) => {
    const out = await runDetector(copyright, file, readFileSync(path.join(fixtures, file)));
    expect(holders(out)).toEqual(expected);
    for (const f of out) expect(f).toMatchObject({ category: 'provenance', scope: { kind: 'file', root: file }, evidence: { path: file } });
  });

  it('marks the GNU licence text\'s own notice and snippet notices', async () => {
    const gpl = await runDetector(copyright, 'COPYING', readFileSync(path.join(fixtures, 'COPYING-case-021')));
    expect(gpl[0]).toMatchObject({ value: { holder: 'Free Software Foundation, Inc.', of: 'licence-text' } });
    const mit = await runDetector(copyright, 'LICENSE', readFileSync(path.join(fixtures, 'LICENSE-case-004')));
    expect((mit[0]!.value as { of?: string }).of).toBeUndefined();
    const snippet = await runDetector(copyright, 'a.py', '# SPDX-SnippetBegin\n# SPDX-SnippetCopyrightText: 2022 Jane Doe <jane@example.com>\nprint(1)\n# SPDX-SnippetEnd\n');
    expect(snippet[0]).toMatchObject({ value: { holder: 'Jane Doe', prefix: 'spdx', snippet: true } });
  });

  it('gives the line and byte offset of each notice, and its years', async () => {
    const out = await runDetector(copyright, 'ringbuf.h', readFileSync(path.join(fixtures, 'ringbuf.h')));
    expect(out[0]).toMatchObject({ confidence: 0.9, value: { holder: 'Harbour Tools Ltd.', years: { first: 2021, last: 2024 }, prefix: 'word' }, evidence: { line: 4, column: 4, byteOffset: 49, excerpt: 'Copyright (C) 2021-2024 Harbour Tools Ltd. All rights reserved.' } });
    expect(out[1]).toMatchObject({ value: { contact: 'jane@example.com' }, evidence: { line: 5 } });
    const spdx = await runDetector(copyright, 'header.py', readFileSync(path.join(fixtures, 'header.py')));
    expect(spdx[0]).toMatchObject({ confidence: 0.95, value: { prefix: 'spdx', years: { written: '2016, 2018-2019' } } });
  });

  it('reads the footer of a long file from its tail, and not its middle', async () => {
    const bytes = readFileSync(path.join(fixtures, 'article.html'));
    const head = bytes.subarray(0, 16 * 1024);
    const tail = bytes.subarray(bytes.length - 4096);
    const out = await runDetector(copyright, 'a.html', bytes, { head, tail, whole: null });
    expect(out).toEqual([expect.objectContaining({ value: expect.objectContaining({ holder: 'Kelmouth Gazette' }), evidence: expect.objectContaining({ byteOffset: bytes.indexOf('<footer><p>&copy; 2024') }) })]);
    expect(out[0]!.evidence.line).toBeUndefined();
    const middle = `${'x\n'.repeat(20_000)}Copyright 2020 Middle Person\n${'y\n'.repeat(20_000)}`;
    expect(await runDetector(copyright, 'm.txt', middle)).toEqual([]);
  });

  it('bounds hostile input: a 1 MB line, thousands of notices', async () => {
    const started = performance.now();
    const line = `Copyright 2020 ${'A'.repeat(1_000_000)}\n`;
    expect(await runDetector(copyright, 'long.txt', line)).toEqual([]);
    const many = Array.from({ length: 5000 }, (_, i) => `Copyright ${1950 + (i % 70)} Person number ${i}`).join('\n');
    expect(findNotices(many).notices).toHaveLength(200);
    expect(findNotices(many).more).toBe(4800);
    const out = await runDetector(copyright, 'credits.txt', many);
    expect(out.filter((f) => f.code === 'provenance.copyright')).toHaveLength(200);
    expect(out.at(-1)).toMatchObject({ code: 'provenance.copyright.many', value: { reported: 200 } });
    const nasty = `Copyright ${'2019, '.repeat(600)}x\n`.repeat(30) + `© ${'('.repeat(3000)}\n`;
    await runDetector(copyright, 'nasty.txt', nasty);
    expect(performance.now() - started).toBeLessThan(8000);
  });
});
