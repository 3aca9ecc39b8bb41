import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SourceError } from '../errors.js';
import { builtinDetectors } from '../detectors/index.js';
import type { ScanRecord } from '../schema/record.js';
import type { Entry, Source } from '../source/types.js';
import { defineContainer, safeMemberPath, type ContainerLimits } from './container.js';
import { scan } from './scan.js';

/**
 * A toy container format for the engine's own tests: a `.bundle` file is JSON
 * `{ "members": [[name, content], …], "breakAfter"?: n }`. Real formats live in src/containers.
 */
const bundle = defineContainer({
  id: 'bundle',
  version: '1.0.0',
  description: 'test-only JSON bundle',
  match: { names: ['*.bundle'] },
  async open({ source, entry }) {
    const bytes = await source.read(entry, { start: 0, end: entry.size });
    const doc = JSON.parse(new TextDecoder().decode(bytes)) as { members: [string, string][]; breakAfter?: number; metadata?: Record<string, string> };
    const held = new Map<string, Uint8Array>();
    const entries: Entry[] = doc.members.map(([name, content]) => {
      const { path, unsafe } = safeMemberPath(name);
      const data = new TextEncoder().encode(content);
      held.set(path, data);
      return unsafe ? { path, size: data.length, error: { code: 'ERR_MEMBER_PATH_UNSAFE', message: `member name ${name} leaves the container` } } : { path, size: data.length };
    });
    return {
      name: 'bundle',
      location: entry.path,
      kind: 'bundle',
      async *list() {
        let n = 0;
        for (const e of entries) {
          if (doc.breakAfter !== undefined && n++ >= doc.breakAfter) throw new SourceError('ERR_CONTAINER_CORRUPT', 'bundle broken here');
          yield e;
        }
      },
      read: async (e, range) => held.get(e.path)!.slice(range.start, Math.min(range.end, held.get(e.path)!.length)),
      async *stream(e) {
        yield held.get(e.path)!;
      },
    };
  },
});

function tree(files: Record<string, string>, metadata: Record<string, Record<string, string>> = {}): Source {
  const bytes = new Map(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)]));
  return {
    name: 'memory',
    location: 'memory:',
    async *list() {
      for (const [path, b] of bytes) yield { path, size: b.length, ...(metadata[path] ? { metadata: metadata[path] } : {}) };
    },
    read: async (e, r) => bytes.get(e.path)!.slice(r.start, Math.min(r.end, bytes.get(e.path)!.length)),
    async *stream(e) {
      yield bytes.get(e.path)!;
    },
  };
}

const pack = (members: [string, string][], extra: object = {}) => JSON.stringify({ members, ...extra });
const MIT = 'SPDX-License-Identifier: MIT\nhello\n';
const demo = (p: string) => readFileSync(new URL(`../../../../examples/demo-dataset/${p}`, import.meta.url), 'utf8');
const MIT_TEXT = demo('code/LICENSE-MIT');
const APACHE_TEXT = demo('code/LICENSE-APACHE');

async function run(source: Source, containerLimits: Partial<ContainerLimits> = {}) {
  const r = scan({ source, detectors: builtinDetectors, containers: [bundle], containerLimits });
  const list: ScanRecord[] = [];
  for await (const x of r) list.push(x);
  return { list, by: new Map(list.map((x) => [x.path, x])), summary: await r.summary };
}

describe('containers in the engine', () => {
  it('gives each member a record of its own, then the container its record with what was in it', async () => {
    const { list, by, summary } = await run(tree({ 'data/a.bundle': pack([['x.txt', MIT], ['sub/y.txt', 'SPDX-License-Identifier: Apache-2.0\n']]) }));
    expect(list.map((r) => r.path)).toEqual(['data/a.bundle#x.txt', 'data/a.bundle#sub/y.txt', 'data/a.bundle']);
    expect(by.get('data/a.bundle#x.txt')!.licence.expression).toBe('MIT');
    expect(by.get('data/a.bundle#sub/y.txt')!.licence.expression).toBe('Apache-2.0');
    expect(by.get('data/a.bundle#x.txt')!.container).toEqual({ path: 'data/a.bundle', kind: 'bundle', depth: 1 });
    expect(by.get('data/a.bundle#x.txt')!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(by.get('data/a.bundle')!.contents).toEqual({ kind: 'bundle', members: 2, rows: false, complete: true });
    expect(by.get('data/a.bundle')!.container).toBeUndefined();
    expect(summary.containers).toMatchObject({ opened: 1, incomplete: 0, members: 2, rows: 0 });
    expect(summary.files).toBe(3);
    // The container's bytes once, its members' apart.
    expect(summary.bytes).toBe(by.get('data/a.bundle')!.size);
    expect(summary.containers.memberBytes).toBe(MIT.length + 'SPDX-License-Identifier: Apache-2.0\n'.length);
  });

  it("lowers a container's verdict to the worst of its members', and counts only its direct members", async () => {
    const inner = pack([['r.txt', 'SPDX-License-Identifier: CC-BY-NC-4.0\n']]);
    const { by } = await run(
      tree({
        LICENSE: MIT_TEXT,
        'ok.bundle': pack([['a.txt', 'plain']]),
        'mixed.bundle': pack([['a.txt', 'plain'], ['b.txt', 'SPDX-License-Identifier: GPL-3.0-only\n'], ['inner.bundle', inner]]),
      }),
    );
    expect(by.get('ok.bundle')!.verdict).toEqual({ decision: 'allow', reasons: [expect.objectContaining({ code: 'licence.allowed' })] });
    const mixed = by.get('mixed.bundle')!;
    expect(by.get('mixed.bundle#b.txt')!.verdict.decision).not.toBe('allow');
    expect(by.get('mixed.bundle#inner.bundle')!.verdict.decision).toBe(by.get('mixed.bundle#inner.bundle#r.txt')!.verdict.decision);
    expect(mixed.verdict.decision).not.toBe('allow');
    expect(mixed.verdict.reasons.at(-1)).toMatchObject({ code: 'container.members', decision: mixed.verdict.decision });
    expect(mixed.licence.expression).toBe('MIT');
  });

  it('lets a licence file inside the container govern its members, even when listed after them', async () => {
    const { by } = await run(
      tree({
        LICENSE: APACHE_TEXT,
        'a.bundle': pack([['b.txt', 'plain text'], ['inner/c.txt', 'more'], ['LICENSE', MIT_TEXT]]),
      }),
    );
    expect(by.get('a.bundle#b.txt')!.licence).toMatchObject({ expression: 'MIT', source: 'subtree', basis: ['a.bundle#LICENSE'] });
    expect(by.get('a.bundle#inner/c.txt')!.licence.expression).toBe('MIT');
    expect(by.get('a.bundle#LICENSE')!.marker).toBe(true);
    // The outer licence is kept, shadowed by the nearer one inside.
    expect(by.get('a.bundle#b.txt')!.findings.some((f) => f.evidence.path === 'LICENSE' && f.shadowed === true)).toBe(true);
    // The inner licence file does not leak out of its container.
    const container = by.get('a.bundle')!;
    expect(container.findings.filter((f) => f.evidence.path.startsWith('a.bundle#'))).toEqual([]);
    expect(container.licence.conflicts.concat(container.licence.basis.map((path) => ({ path, expression: null, code: '' }))).map((c) => c.path)).not.toContain('a.bundle#LICENSE');
  });

  it('applies what governs the container to members with no statement of their own', async () => {
    const { by } = await run(tree({ LICENSE: APACHE_TEXT, 'd/a.bundle': pack([['b.txt', 'plain']]) }));
    expect(by.get('d/a.bundle#b.txt')!.licence).toMatchObject({ expression: 'Apache-2.0', source: 'subtree', basis: ['LICENSE'] });
  });

  it("applies the container's own statements (object metadata) to its members", async () => {
    const { by } = await run(tree({ 'a.bundle': pack([['b.txt', 'plain']]) }, { 'a.bundle': { 'x-amz-meta-license': 'CC-BY-4.0', 'x-amz-meta-tdm-reservation': '1' } }));
    const member = by.get('a.bundle#b.txt')!;
    expect(member.licence.expression).toBe('CC-BY-4.0');
    expect(member.optOuts).toEqual([expect.objectContaining({ protocol: 'object-metadata', reserved: 'yes' })]);
    expect(member.verdict.decision).toBe('exclude');
  });

  it('opens containers inside containers down to maxDepth, and no deeper', async () => {
    const inner = pack([['deep.txt', MIT]]);
    const files = { 'outer.bundle': pack([['inner.bundle', inner], ['top.txt', 'x']]) };
    const deep = await run(tree(files));
    const paths = deep.list.map((r) => r.path);
    expect([...paths].sort()).toEqual(['outer.bundle', 'outer.bundle#inner.bundle', 'outer.bundle#inner.bundle#deep.txt', 'outer.bundle#top.txt']);
    // A container's record follows its members'.
    expect(paths.indexOf('outer.bundle#inner.bundle#deep.txt')).toBeLessThan(paths.indexOf('outer.bundle#inner.bundle'));
    expect(paths.at(-1)).toBe('outer.bundle');
    expect(deep.by.get('outer.bundle#inner.bundle#deep.txt')!.container).toEqual({ path: 'outer.bundle#inner.bundle', kind: 'bundle', depth: 2 });
    const shallow = await run(tree(files), { maxDepth: 1 });
    expect(shallow.list.map((r) => r.path).sort()).toEqual(['outer.bundle', 'outer.bundle#inner.bundle', 'outer.bundle#top.txt']);
    expect(shallow.by.get('outer.bundle#inner.bundle')!.contents).toBeUndefined();
    const none = await run(tree(files), { maxDepth: 0 });
    expect(none.list.map((r) => r.path)).toEqual(['outer.bundle']);
  });

  it('stops at maxMembers and maxExpandedBytes with an error on the container, keeping what it scanned', async () => {
    const members: [string, string][] = Array.from({ length: 10 }, (_, i) => [`m${i}.txt`, 'abcdefghij']);
    const byCount = await run(tree({ 'a.bundle': pack(members) }), { maxMembers: 4 });
    expect(byCount.list).toHaveLength(5);
    const c = byCount.by.get('a.bundle')!;
    expect(c.contents).toMatchObject({ members: 4, complete: false });
    expect(c.errors.map((e) => e.code)).toEqual(['ERR_CONTAINER_LIMIT']);
    expect(c.verdict.decision).not.toBe('allow');
    const byBytes = await run(tree({ 'a.bundle': pack(members) }), { maxExpandedBytes: 35 });
    expect(byBytes.by.get('a.bundle')!.contents).toMatchObject({ members: 3, complete: false });
    expect(byBytes.summary.containers.incomplete).toBe(1);
  });

  it('keeps the members listed before damage, and records the damage on the container', async () => {
    const { list, by } = await run(tree({ 'a.bundle': pack([['1.txt', 'a'], ['2.txt', 'b'], ['3.txt', 'c']], { breakAfter: 2 }), 'z.txt': 'after' }));
    expect(list.map((r) => r.path)).toEqual(['a.bundle#1.txt', 'a.bundle#2.txt', 'a.bundle', 'z.txt']);
    expect(by.get('a.bundle')!.errors).toEqual([expect.objectContaining({ code: 'ERR_CONTAINER_CORRUPT' })]);
    expect(by.get('a.bundle')!.contents!.complete).toBe(false);
  });

  it('records a container that fails to open as damaged, and a member with an unsafe name unread', async () => {
    const { by } = await run(tree({ 'bad.bundle': '{not json', 'a.bundle': pack([['../../etc/passwd', 'x'], ['ok.txt', 'y']]) }));
    expect(by.get('bad.bundle')!.errors.map((e) => e.code)).toEqual(['ERR_CONTAINER_CORRUPT']);
    expect(by.get('bad.bundle')!.contents).toBeUndefined();
    const unsafe = by.get('a.bundle#etc/passwd')!;
    expect(unsafe.errors.map((e) => e.code)).toEqual(['ERR_MEMBER_PATH_UNSAFE']);
    expect(unsafe.read.bytes).toBe(0);
    expect(by.get('a.bundle#ok.txt')!.errors).toEqual([]);
  });

  it('lets the next matching format open an entry that the first does not recognise', async () => {
    const declines = defineContainer({ id: 'declines', version: '1', description: 'test', match: { names: ['*.bundle'] }, open: async () => null });
    const r = scan({ source: tree({ 'a.bundle': pack([['b.txt', MIT]]) }), detectors: builtinDetectors, containers: [declines, bundle] });
    const records: ScanRecord[] = [];
    for await (const x of r) records.push(x);
    expect(records.map((x) => [x.path, x.container?.kind ?? x.contents?.kind])).toEqual([
      ['a.bundle#b.txt', 'bundle'],
      ['a.bundle', 'bundle'],
    ]);
  });

  it('opens nothing without container formats, and refuses bad limits', async () => {
    const r = scan({ source: tree({ 'a.bundle': pack([['b.txt', 'x']]) }), detectors: builtinDetectors });
    const paths: string[] = [];
    for await (const x of r) paths.push(x.path);
    expect(paths).toEqual(['a.bundle']);
    await expect(run(tree({}), { maxRatio: 0 })).rejects.toThrow(/containerLimits.maxRatio must be a positive integer/);
  });
});

describe('safeMemberPath', () => {
  it('keeps names inside the container and says when one tried to leave it', () => {
    expect(safeMemberPath('a/b.txt')).toEqual({ path: 'a/b.txt', unsafe: false });
    expect(safeMemberPath('./a//b.txt')).toEqual({ path: 'a/b.txt', unsafe: false });
    expect(safeMemberPath('../x')).toEqual({ path: 'x', unsafe: true });
    expect(safeMemberPath('/etc/passwd')).toEqual({ path: 'etc/passwd', unsafe: true });
    expect(safeMemberPath('C:\\win\\x.dll')).toEqual({ path: 'win/x.dll', unsafe: true });
    expect(safeMemberPath('a#b%c')).toEqual({ path: 'a%23b%25c', unsafe: false });
    expect(safeMemberPath('..')).toEqual({ path: '(unnamed)', unsafe: true });
  });
});
