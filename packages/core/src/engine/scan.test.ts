import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinDetectors } from '../detectors/index.js';
import { RecordSchema } from '../schema/record.js';
import { SummarySchema } from '../schema/summary.js';
import { localSource } from '../source/local.js';
import type { Entry, Source } from '../source/types.js';
import { makeTree, scanTree } from '../test-utils/index.js';
import { defineDetector } from './detector.js';
import { scan } from './scan.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});
async function tree(files: Record<string, string | Uint8Array>) {
  const t = await makeTree(files);
  cleanups.push(t.cleanup);
  return t.root;
}
const card = (licence: string) => `---\nlicense: ${licence}\n---\n# Card\n`;
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89]);

/** Wraps a source: lists in reverse order and counts reads per path. */
function instrumented(inner: Source, opts: { reverse?: boolean } = {}) {
  const requests = new Map<string, { read: number; stream: number; bytes: number }>();
  const count = (p: string) => {
    let c = requests.get(p);
    if (!c) requests.set(p, (c = { read: 0, stream: 0, bytes: 0 }));
    return c;
  };
  const source: Source = {
    name: inner.name,
    location: inner.location,
    async *list(o) {
      if (!opts.reverse) return yield* inner.list(o);
      const all: Entry[] = [];
      for await (const e of inner.list(o)) all.push(e);
      yield* all.reverse();
    },
    async read(entry, range, o) {
      const bytes = await inner.read(entry, range, o);
      const c = count(entry.path);
      c.read++;
      c.bytes += bytes.length;
      return bytes;
    },
    async *stream(entry, o) {
      const c = count(entry.path);
      c.stream++;
      for await (const chunk of inner.stream(entry, o)) {
        c.bytes += chunk.length;
        yield chunk;
      }
    },
  };
  return { source, requests };
}

async function collect(source: Source, options: Partial<Parameters<typeof scan>[0]> = {}) {
  const run = scan({ source, detectors: builtinDetectors, ...options });
  const list = [];
  for await (const r of run) list.push(r);
  return { list, records: new Map(list.map((r) => [r.path, r])), summary: await run.summary };
}

describe('scopes', () => {
  const files = {
    'README.md': card('mit'),
    'a.txt': 'top',
    'nc/README.md': card('cc-by-nc-4.0'),
    'nc/deep/er/b.txt': 'deep',
    'nc/tagged.py': '# SPDX-License-Identifier: Apache-2.0\n',
    'dual/README.md': card('[mit, gpl-3.0-only]'),
    'dual/c.txt': 'c',
    'plain/LICENSE': 'Some licence text nobody identified yet.',
    'plain/d.txt': 'd',
  };

  it('applies the nearest marker whatever order the source lists files in', async () => {
    const root = await tree(files);
    const forward = await collect(localSource({ root }));
    const backward = await collect(instrumented(localSource({ root }), { reverse: true }).source);
    const view = (m: Map<string, { licence: { expression: string }; verdict: { decision: string } }>) => [...m].map(([p, r]) => [p, r.licence.expression, r.verdict.decision]).sort();
    expect(view(backward.records)).toEqual(view(forward.records));
    const r = forward.records;
    expect(r.get('a.txt')!.licence).toMatchObject({ expression: 'MIT', source: 'subtree', basis: ['README.md'] });
    expect(r.get('nc/deep/er/b.txt')!.licence.expression).toBe('CC-BY-NC-4.0');
    expect(r.get('nc/deep/er/b.txt')!.verdict.decision).toBe('review');
    // The farther card is kept, marked shadowed.
    expect(r.get('nc/deep/er/b.txt')!.findings.map((f) => [f.evidence.path, f.shadowed ?? false])).toEqual([
      ['nc/README.md', false],
      ['README.md', true],
    ]);
    expect(r.get('nc/tagged.py')!.licence).toMatchObject({ expression: 'Apache-2.0', source: 'file' });
  });

  it('keeps and shows conflicting statements at one level, and decides nothing from them', async () => {
    const { records } = await scanTree(await tree(files));
    const c = records.get('dual/c.txt')!;
    expect(c.licence.expression).toBe('NOASSERTION');
    expect(c.licence.conflicts.map((x) => x.expression)).toEqual(['MIT', 'GPL-3.0-only']);
    expect(c.verdict.reasons.map((x) => x.code)).toContain('licence.conflict');
  });

  it('says NOASSERTION under a licence file whose text is not identified, pointing at it', async () => {
    const { records } = await scanTree(await tree(files));
    expect(records.get('plain/d.txt')!.licence).toMatchObject({ expression: 'NOASSERTION', basis: ['plain/LICENSE'], conflicts: [] });
    expect(records.get('plain/d.txt')!.verdict).toMatchObject({ decision: 'review', reasons: [{ code: 'licence.unknown', message: expect.stringContaining('plain/LICENSE') }] });
  });

  it('ranks a licence file above the dataset card beside it, keeping the card as shadowed', async () => {
    const { records } = await scanTree(await tree({ 'both/LICENSE': 'Licence text.', 'both/README.md': card('mit'), 'both/e.txt': 'e' }));
    const e = records.get('both/e.txt')!;
    expect(e.licence).toMatchObject({ expression: 'NOASSERTION', basis: ['both/LICENSE'], conflicts: [] });
    expect(e.findings.map((f) => [f.code, f.shadowed ?? false])).toEqual([
      ['licence.file', false],
      ['licence.dataset-card', true],
    ]);
  });

  it('emits markers first, with their own inheritance resolved', async () => {
    const { list, summary } = await scanTree(await tree(files));
    expect(list.slice(0, 4).every((r) => r.marker)).toBe(true);
    expect(summary.markers).toBe(4);
    expect(list.find((r) => r.path === 'plain/LICENSE')!.findings.map((f) => f.evidence.path)).toEqual(['plain/LICENSE', 'README.md']);
  });
});

describe('path-dependent markers', () => {
  it('lets the detector of a marker decide, per path, what its finding means there', async () => {
    // A toy protocol: `rules.txt` lists path prefixes (relative to its folder) that are reserved.
    const rules = defineDetector({
      id: 'toy-rules',
      version: '1',
      description: 'toy',
      match: { names: ['rules.txt'] },
      marker: true,
      wants: { head: 1024 },
      codes: { 'optout.toy.rules': { title: 't', meaning: 'm', action: 'a' } },
      detect: (input) => [
        {
          code: 'optout.toy.rules',
          category: 'opt-out',
          detector: 'toy-rules',
          confidence: 1,
          value: { protocol: 'toy', reserved: 'unknown', prefixes: new TextDecoder().decode(input.head).split('\n').filter(Boolean) },
          evidence: { path: input.path, line: 1 },
          scope: { kind: 'subtree', root: input.dir },
          url: '',
        },
      ],
      forPath(finding, path) {
        const rel = path.slice(finding.scope.root === '' ? 0 : finding.scope.root.length + 1);
        const prefixes = (finding.value as { prefixes: string[] }).prefixes;
        const hit = prefixes.find((p) => rel.startsWith(p));
        if (rel.startsWith('skip/')) return null;
        return { ...finding, value: { ...finding.value, reserved: hit ? 'yes' : 'no', ...(hit ? { rule: `prefix ${hit}` } : {}) } } as typeof finding;
      },
    });
    const root = await tree({ 'site/rules.txt': 'news/\nblog/x', 'site/news/a.html': 'a', 'site/blog/x1.html': 'x', 'site/blog/y.html': 'y', 'site/skip/z.html': 'z', 'other.html': 'o' });
    const { records } = await collect(localSource({ root }), { detectors: [rules] });
    const optOut = (p: string) => records.get(p)!.optOuts.map((o) => [o.reserved, o.rule ?? null]);
    expect(optOut('site/news/a.html')).toEqual([['yes', 'prefix news/']]);
    expect(optOut('site/blog/x1.html')).toEqual([['yes', 'prefix blog/x']]);
    expect(optOut('site/blog/y.html')).toEqual([['no', null]]);
    expect(optOut('site/skip/z.html')).toEqual([]);
    expect(optOut('other.html')).toEqual([]);
    expect(records.get('site/news/a.html')!.verdict.reasons.map((r) => r.code)).toContain('optout.reserved');
    expect(records.get('site/blog/y.html')!.verdict.reasons.map((r) => r.code)).not.toContain('optout.reserved');
  });
});

describe('detector ranges', () => {
  /** A toy format: the last 8 bytes are a decimal offset of a 5-byte word to read. */
  const pointer = defineDetector({
    id: 'toy-pointer',
    version: '1',
    description: 'toy',
    match: { names: ['*.ptr'] },
    wants: {
      tail: 8,
      ranges: (view) => {
        if (view.round > 0) return [];
        const tail = view.tail ?? view.head.subarray(view.head.length - 8);
        const at = Number(new TextDecoder().decode(tail));
        return [{ start: at, end: at + 5 }];
      },
    },
    codes: { 'notice.toy.word': { title: 't', meaning: 'm', action: 'a' } },
    detect: (input) => [
      { code: 'notice.toy.word', category: 'notice', detector: 'toy-pointer', confidence: 1, value: { word: new TextDecoder().decode(input.ranges[0]?.bytes) }, evidence: { path: input.path, byteOffset: input.ranges[0]?.start ?? 0 }, scope: { kind: 'file', root: input.path }, url: '' },
    ],
  });
  const file = (size: number, at: number) => {
    const bytes = new Uint8Array(size).fill(0x2e);
    bytes.set(new TextEncoder().encode('HELLO'), at);
    bytes.set(new TextEncoder().encode(String(at).padStart(8, '0')), size - 8);
    return bytes;
  };

  it('reads the ranges a detector asks for, from memory or from the source', async () => {
    const root = await tree({ 'small.ptr': file(1000, 300), 'big.ptr': file(3_000_000, 1_234_567) });
    for (const hash of [true, false]) {
      const { source, requests } = instrumented(localSource({ root }));
      const { records } = await collect(source, { detectors: [pointer], hash });
      for (const p of ['small.ptr', 'big.ptr']) expect(records.get(p)!.findings[0]!.value).toEqual({ word: 'HELLO' });
      expect(requests.get('small.ptr')!.read).toBe(1);
      // Large file: head (+ tail when not hashing, or one stream when hashing), then the asked range.
      expect(requests.get('big.ptr')!.read).toBe(hash ? 1 : 3);
      expect(records.get('big.ptr')!.read.requests).toBe(hash ? 2 : 3);
    }
  });

  it('reads a range once when several detectors ask for it', async () => {
    const root = await tree({ 'big.ptr': file(3_000_000, 1_234_567) });
    const { source, requests } = instrumented(localSource({ root }));
    const twin = defineDetector({ ...pointer, id: 'toy-pointer-2', detect: async (input) => (await pointer.detect(input)).map((f) => ({ ...f, detector: 'toy-pointer-2' })) });
    const { records } = await collect(source, { detectors: [pointer, twin], hash: false });
    expect(records.get('big.ptr')!.findings.map((f) => f.value)).toEqual([{ word: 'HELLO' }, { word: 'HELLO' }]);
    expect(requests.get('big.ptr')!.read).toBe(3);
  });

  it('bounds what a hostile file can make it read', async () => {
    const greedy = defineDetector({
      ...pointer,
      id: 'toy-greedy',
      wants: { ranges: () => Array.from({ length: 500 }, (_, i) => ({ start: i * 10_000, end: i * 10_000 + 1_000_000 })) },
      detect: (input) => [{ code: 'notice.toy.word', category: 'notice', detector: 'toy-greedy', confidence: 1, value: { n: input.ranges.length, bytes: input.ranges.reduce((a, r) => a + r.bytes.length, 0) }, evidence: { path: input.path }, scope: { kind: 'file', root: input.path }, url: '' }],
    });
    const root = await tree({ 'big.ptr': new Uint8Array(40_000_000) });
    const { records } = await collect(localSource({ root }), { detectors: [greedy], hash: false });
    const v = records.get('big.ptr')!.findings[0]!.value as { n: number; bytes: number };
    expect(v.n).toBeLessThanOrEqual(64);
    expect(v.bytes).toBeLessThanOrEqual(16 * 1024 * 1024);
  });
});

describe('read planning', () => {
  const big = (n: number, byte: number) => new Uint8Array(n).fill(byte);
  const text = (n: number) => `${'lorem ipsum dolor\n'.repeat(Math.ceil(n / 18)).slice(0, n - 40)}\n# SPDX-License-Identifier: MIT\n`;

  it('reads each file in the fewest requests, and only the bytes its detectors need', async () => {
    const licenceText = text(300_000);
    const root = await tree({ 'small.txt': 'hello', 'big.bin': big(3_000_000, 7), 'big.txt': text(2_000_000), LICENSE: licenceText });
    const { source, requests } = instrumented(localSource({ root }));
    const { records } = await collect(source, { hash: false });
    expect(requests.get('small.txt')).toEqual({ read: 1, stream: 0, bytes: 5 });
    // A binary file no detector reads whole: the head only.
    expect(requests.get('big.bin')).toMatchObject({ read: 1, stream: 0 });
    expect(requests.get('big.bin')!.bytes).toBeLessThanOrEqual(64 * 1024);
    // A text file: head and tail, and the tag in its tail is found.
    expect(requests.get('big.txt')).toMatchObject({ read: 2, stream: 0 });
    // A first read of at most 64 KiB and a tail of a few KiB, not the 2 MB file.
    expect(requests.get('big.txt')!.bytes).toBeLessThan(100 * 1024);
    expect(records.get('big.txt')!.licence.expression).toBe('MIT');
    // A licence file is wanted whole: head, then the rest.
    expect(requests.get('LICENSE')).toEqual({ read: 2, stream: 0, bytes: licenceText.length });
    expect(records.get('big.bin')!.sha256).toBeNull();
  });

  it('hashes in the same single pass when hashing is on', async () => {
    const content = big(5_000_000, 3);
    const t = text(2_000_000);
    const root = await tree({ 'big.bin': content, 'big.txt': t });
    const { source, requests } = instrumented(localSource({ root }));
    const { records } = await collect(source);
    expect(requests.get('big.bin')).toEqual({ read: 0, stream: 1, bytes: 5_000_000 });
    expect(records.get('big.bin')!.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect(records.get('big.txt')!.sha256).toBe(createHash('sha256').update(t).digest('hex'));
    expect(records.get('big.txt')!.licence.expression).toBe('MIT');
    expect(records.get('big.bin')!.read).toEqual({ bytes: 5_000_000, requests: 1 });
  });
});

describe('media types', () => {
  it('sniffs content, and says when the extension disagrees', async () => {
    const root = await tree({ 'real.png': PNG, 'fake.jpg': PNG, 'notes.md': '# notes\n', 'data.bin': Uint8Array.from([0, 1, 2, 3, 255]), 'empty': '' });
    const { records } = await scanTree(root);
    expect(records.get('real.png')!.mediaType).toBe('image/png');
    expect(records.get('real.png')!.findings).toEqual([]);
    expect(records.get('fake.jpg')!.mediaType).toBe('image/png');
    expect(records.get('fake.jpg')!.findings).toEqual([
      expect.objectContaining({ code: 'media.extension-mismatch', category: 'notice', value: { extension: 'jpg', extensionType: 'image/jpeg', contentType: 'image/png' } }),
    ]);
    expect(records.get('notes.md')!.mediaType).toBe('text/markdown');
    expect(records.get('data.bin')!.mediaType).toBe('application/octet-stream');
    expect(records.get('empty')!.mediaType).toBe('application/x-empty');
  });

  it('takes a Windows Media extension for the ASF container it is', async () => {
    const asfHeader = Uint8Array.from([0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c, ...new Array(40).fill(0)]);
    const { records } = await scanTree(await tree({ 'a.wma': asfHeader, 'b.wmv': asfHeader }));
    for (const p of ['a.wma', 'b.wmv']) expect(records.get(p)!.findings.filter((f) => f.code === 'media.extension-mismatch'), p).toEqual([]);
  });
});

describe('records and summary', () => {
  it('match their schemas and add up', async () => {
    const root = await tree({ 'README.md': card('mit'), 'a/b.txt': 'b', 'a/c.png': PNG, 'x/LICENSE': 'text', 'x/y.c': '// SPDX-License-Identifier: GPL-3.0-only\n' });
    const { list, summary } = await scanTree(root);
    for (const r of list) RecordSchema.parse(r);
    SummarySchema.parse(summary);
    expect(summary.files).toBe(list.length);
    expect(summary.bytes).toBe(list.reduce((n, r) => n + r.size, 0));
    expect(summary.verdicts.allow + summary.verdicts.review + summary.verdicts.exclude).toBe(list.length);
    expect(summary.licences).toEqual({ MIT: 3, NOASSERTION: 1, 'GPL-3.0-only': 1 });
    expect(summary.rulesets).toMatchObject({ 'spdx-tag': expect.any(String), 'licence-file': expect.any(String), 'dataset-card': expect.any(String), 'spdx-license-ids': expect.any(String) });
    expect(summary.source).toEqual({ name: 'local', location: root });
  });

  it('totals copyright holders once per file, merging spellings', async () => {
    const root = await tree({ 'a.c': '// Copyright (c) 2020 Jane Doe\nint a;\n', 'b.c': '// Copyright 2021-2023 jane doe\n// Copyright 2022 Acme Ltd.\nint b;\n', 'c.c': 'int c;\n' });
    const { summary } = await scanTree(root);
    expect(summary.copyright).toEqual({ holders: { 'Jane Doe': 2, 'Acme Ltd.': 1 }, notices: 3, filesWithNotice: 2, holdersTruncated: false });
  });

  it('splits into shards that add up to the whole scan, markers applying in every shard', async () => {
    const files: Record<string, string> = { 'README.md': card('apache-2.0') };
    for (let i = 0; i < 40; i++) files[`d${i % 4}/f${i}.txt`] = `file ${i}`;
    const root = await tree(files);
    const whole = await scanTree(root);
    const seen: string[] = [];
    for (let index = 0; index < 3; index++) {
      const part = await scanTree(root, { shard: { index, count: 3 } });
      expect(part.summary.shard).toEqual({ index, count: 3 });
      for (const r of part.list) {
        seen.push(r.path);
        expect(r.licence.expression).toBe('Apache-2.0');
      }
    }
    expect(seen.sort()).toEqual([...whole.records.keys()].sort());
  });

  it('refuses bad options and a second iteration', async () => {
    const root = await tree({ a: 'a' });
    const iterate = async (opts: Partial<Parameters<typeof scan>[0]>) => {
      for await (const _ of scan({ source: localSource({ root }), detectors: [], ...opts })) void _;
    };
    await expect(iterate({ concurrency: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    await expect(iterate({ shard: { index: 3, count: 3 } })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION' });
    const run = scan({ source: localSource({ root }), detectors: [] });
    for await (const _ of run) void _;
    expect(() => run[Symbol.asyncIterator]()).toThrow(/only once/);
  });
});
