import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { constants as zc, gzipSync, createGzip } from 'node:zlib';
import { describe, it, expect } from 'vitest';
import { openContainer, memorySource } from '../../test-utils/index.js';
import { DEFAULT_CONTAINER_LIMITS } from '../../engine/container.js';
import { jsonl, jsonlContainer, looksLikeJsonLines } from './index.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const enc = (s: string) => new TextEncoder().encode(s);

/** Gzip of `n` copies of `unit`, made in slices so that the test never holds the expanded bytes. */
async function gzipRepeated(unit: Uint8Array, n: number): Promise<Uint8Array> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((r) => gz.on('end', r));
  const block = Buffer.concat(Array.from({ length: Math.min(n, 256) }, () => unit));
  let left = n;
  while (left > 0) {
    const k = Math.min(left, 256);
    const ok = gz.write(k === 256 ? block : block.subarray(0, k * unit.length));
    left -= k;
    if (!ok) await new Promise((r) => gz.once('drain', r));
  }
  gz.end();
  await done;
  return Buffer.concat(out);
}

describe('jsonl container', () => {
  it('lists a Pile-like shard: rows of non-empty lines, text as bytes, meta kept nested in fields', async () => {
    const { members, problems, listError, opened } = await openContainer(jsonl, 'pile/00.jsonl', fixture('pile-like.jsonl'));
    expect(opened?.kind).toBe('jsonl');
    expect(opened?.rows).toBe(true);
    expect(opened?.markers).toBe(false);
    expect(listError).toBeNull();
    expect(problems).toEqual([]);
    expect(members.map((m) => m.entry.path)).toEqual(['row=0', 'row=1', 'row=2']);
    expect(text(members[0]!.bytes)).toBe('// SPDX-License-Identifier: MIT\nint main(void) { return 0; }\n');
    expect(members[0]!.entry.fields).toEqual({ meta: { pile_set_name: 'Github' } });
    expect(members[2]!.entry.fields).toEqual({ meta: { pile_set_name: 'ArXiv' } });
    for (const m of members) {
      expect(m.entry.size).toBe(m.bytes!.length);
      // Rows held whole are hashed by the engine (when the scan hashes), not here.
      expect(m.entry.sha256).toBeUndefined();
    }
  });

  it('opens a Dolma-like .json.gz by its content, with metadata.url and source in fields', async () => {
    const { members, listError } = await openContainer(jsonl, 'dolma/v1_6/cc_en_head-0000.json.gz', fixture('dolma-like.json.gz'));
    expect(listError).toBeNull();
    expect(members).toHaveLength(3);
    expect(members[0]!.entry.fields).toMatchObject({ id: 'dolma-cc-0001', source: 'common-crawl', metadata: { url: 'https://kelmouth-allotments.example/plots' } });
    expect(members[0]!.entry.fields).not.toHaveProperty('text');
    expect(text(members[1]!.bytes)).toMatch(/^Copyright 2021 Jane Doe/);
  });

  it('decompresses a Common-Pile-like .jsonl.zst (zstd 1.5 -19)', async () => {
    const { members, listError } = await openContainer(jsonl, 'common-pile/part-0.jsonl.zst', fixture('common-pile-like.jsonl.zst'));
    expect(listError).toBeNull();
    expect(members.map((m) => (m.entry.fields as { metadata: { license: string } }).metadata.license)).toEqual([
      'Public Domain',
      'https://creativecommons.org/licenses/by-sa/3.0/',
      'CC0-1.0',
      'see website',
    ]);
    expect(text(members[2]!.bytes)).toBe('Public notice: the ferry timetable changes on 1 May.');
  });

  it('serves the same bytes through read and stream', async () => {
    const bytes = fixture('pile-like.jsonl');
    const a = await openContainer(jsonl, 'a.jsonl', bytes, { via: 'read' });
    const b = await openContainer(jsonl, 'a.jsonl', bytes, { via: 'stream' });
    expect(b.members.map((m) => text(m.bytes))).toEqual(a.members.map((m) => text(m.bytes)));
  });

  it('lists the same rows when listed twice', async () => {
    const { opened } = await openContainer(jsonl, 'a.jsonl', fixture('pile-like.jsonl'));
    // openContainer closed it; list again twice from a fresh open.
    const again = await jsonl.open({
      source: memorySource(fixture('pile-like.jsonl'), 'a.jsonl'),
      entry: { path: 'a.jsonl', size: fixture('pile-like.jsonl').length },
      mediaType: 'application/jsonl',
      head: fixture('pile-like.jsonl'),
      complete: true,
      limits: DEFAULT_CONTAINER_LIMITS,
      depth: 1,
      problem: () => {},
    });
    expect(opened).not.toBeNull();
    const paths = async () => {
      const out = [];
      for await (const e of again!.list()) out.push(`${e.path}:${e.size}:${JSON.stringify(e.fields)}`);
      return out;
    };
    const first = await paths();
    expect(await paths()).toEqual(first);
    expect(first).toHaveLength(3);
  });

  it('lists an invalid line as a corrupt row and goes on, without quoting the line', async () => {
    const { members, listError } = await openContainer(jsonl, 'broken.jsonl', fixture('broken.jsonl'));
    expect(listError).toBeNull();
    expect(members.map((m) => [m.entry.path, m.error?.code ?? null])).toEqual([
      ['row=0', null],
      ['row=1', 'ERR_CONTAINER_CORRUPT'],
      ['row=2', 'ERR_CONTAINER_CORRUPT'],
      ['row=3', null],
    ]);
    expect(members[1]!.error!.message).not.toContain('second row');
    expect(members[3]!.entry.fields).toEqual({ license: 'Apache-2.0' });
  });

  it('reads CRLF lines, skips blank ones, and keeps a last line without a newline', async () => {
    const { members } = await openContainer(jsonl, 'crlf.jsonl', fixture('crlf.jsonl'));
    expect(members.map((m) => text(m.bytes))).toEqual(['crlf row one', 'crlf row two']);
    expect(members[0]!.entry.fields).toEqual({ url: 'https://a.example/1' });
  });

  it('takes the configured content key; a record without one is a row of no bytes with all its fields', async () => {
    const data = enc('{"body": "hello", "text": 5, "url": "https://x.example"}\n{"title": "no text here"}\n"a bare string"\n[1, 2]\n');
    const custom = jsonlContainer({ contentKeys: ['body'] });
    const { members } = await openContainer(custom, 'x.jsonl', data);
    expect(members.map((m) => text(m.bytes))).toEqual(['hello', '', 'a bare string', '']);
    expect(members[0]!.entry.fields).toEqual({ text: 5, url: 'https://x.example' });
    expect(members[1]!.entry.fields).toEqual({ title: 'no text here' });
    expect(members[3]!.entry.fields).toEqual({ value: [1, 2] });
    // Under the default keys, "text": 5 is not text: the row has no bytes and keeps it as a field.
    const dflt = await openContainer(jsonl, 'x.jsonl', data);
    expect(dflt.members[0]!.entry.size).toBe(0);
    expect(dflt.members[0]!.entry.fields).toMatchObject({ text: 5, body: 'hello' });
  });

  it('bounds fields: long strings cut, wide objects cut, __proto__ kept as a plain key', async () => {
    const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, i]));
    const line = JSON.stringify({ text: 't', long: 'x'.repeat(100_000), wide }).replace('{', '{"__proto__": {"polluted": true}, ');
    const { members } = await openContainer(jsonl, 'x.jsonl', enc(`${line}\n`));
    const f = members[0]!.entry.fields as Record<string, unknown>;
    expect((f.long as string).length).toBe(2049);
    expect(Object.keys(f.wide as object)).toHaveLength(65);
    expect(Object.prototype.hasOwnProperty.call(f, '__proto__')).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(JSON.stringify(f).length).toBeLessThan(80 * 1024);
  });

  it('does not blow the stack on a record nested 100,000 levels deep', async () => {
    const deep = `{"text": "deep", "meta": ${'{"a": '.repeat(100_000)}1${'}'.repeat(100_000)}}\n{"text": "after"}\n`;
    const { members, listError } = await openContainer(jsonl, 'deep.jsonl', enc(deep));
    expect(listError).toBeNull();
    expect(members.map((m) => text(m.bytes))).toEqual(['deep', 'after']);
    expect(JSON.stringify(members[0]!.entry.fields)).toContain('(nested too deep)');
    const arrays = `${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    const b = await openContainer(jsonl, 'deep2.jsonl', enc(arrays));
    expect(b.members).toHaveLength(1);
    expect(b.members[0]!.error).toBeNull();
  });

  it('lists a 100 MB line as one row over the limit, quickly and without holding it', async () => {
    const big = new Uint8Array(100 * 1024 * 1024 + 2).fill(0x61);
    big.set(enc('{"'), 0);
    const data = Buffer.concat([enc('{"text": "before"}\n'), big, enc('\n{"text": "after"}\n')]);
    const source = memorySource(data, 'big.jsonl');
    // Serve it in 64 KiB chunks as a file would be.
    source.stream = async function* () {
      for (let i = 0; i < data.length; i += 65536) yield data.subarray(i, i + 65536);
    };
    const t0 = performance.now();
    const { members, listError } = await openContainer(jsonl, 'big.jsonl', data, { source });
    const ms = performance.now() - t0;
    expect(listError).toBeNull();
    expect(members.map((m) => [m.entry.path, m.error?.code ?? null])).toEqual([
      ['row=0', null],
      ['row=1', 'ERR_CONTAINER_LIMIT'],
      ['row=2', null],
    ]);
    expect(members[1]!.entry.size).toBe(big.length);
    expect(ms).toBeLessThan(5000);
  });

  it('stops a gzip bomb at maxRatio with ERR_CONTAINER_LIMIT, keeping the rows listed before', async () => {
    // 50 MB of 10 KB rows in about 50 KB.
    const bomb = await gzipRepeated(enc(`{"text": "${'a'.repeat(10_000)}"}\n`), 5_000);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const t0 = performance.now();
    const { members, listError } = await openContainer(jsonl, 'bomb.jsonl.gz', bomb, { via: 'read' });
    expect(listError?.code).toBe('ERR_CONTAINER_LIMIT');
    expect(listError?.message).toMatch(/maxRatio/);
    expect(members.length).toBeGreaterThan(0);
    expect(members.length).toBeLessThan(5_000);
    expect(performance.now() - t0).toBeLessThan(15_000);
  }, 30_000);

  it('stops a zstd bomb (100 MB in 10 KB) at maxRatio', async () => {
    const { members, listError } = await openContainer(jsonl, 'bomb.jsonl.zst', fixture('bomb.jsonl.zst'));
    expect(listError?.code).toBe('ERR_CONTAINER_LIMIT');
    // The check runs per zstd block: it stops within a block of 200 × 64 KiB (12.8 MiB, ~1,300 rows).
    // (Here the whole 10 KB goes in one slice, so the limit is hit before the first row is out.)
    expect(members.length).toBeLessThan(1400);
  });

  it('stops at maxMembers and at maxExpandedBytes', async () => {
    const data = enc(Array.from({ length: 20 }, (_, i) => `{"text": "row ${i}"}`).join('\n'));
    const a = await openContainer(jsonl, 'x.jsonl', data, { limits: { maxMembers: 5 } });
    expect(a.members).toHaveLength(5);
    expect(a.listError?.code).toBe('ERR_CONTAINER_LIMIT');
    const b = await openContainer(jsonl, 'x.jsonl', data, { limits: { maxExpandedBytes: 30 } });
    expect(b.listError?.code).toBe('ERR_CONTAINER_LIMIT');
    expect(b.members.length).toBeLessThan(8);
  });

  it('lists a truncated gzip stream up to the damage, then ERR_CONTAINER_CORRUPT', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ text: `row ${i} ${createHash('md5').update(String(i)).digest('hex')}` })).join('\n');
    const gz = gzipSync(enc(lines));
    const cut = gz.subarray(0, Math.floor(gz.length / 2));
    const { members, listError } = await openContainer(jsonl, 'cut.jsonl.gz', cut);
    expect(listError?.code).toBe('ERR_CONTAINER_CORRUPT');
    expect(members.length).toBeGreaterThan(100);
    expect(members.length).toBeLessThan(5000);
  });

  it('refuses a .json.gz that holds one JSON document, not JSON Lines', async () => {
    const doc = gzipSync(enc(JSON.stringify({ data: [1, 2, 3], license: 'MIT' }, null, 2)));
    expect(await jsonl.open({ source: memorySource(doc), entry: { path: 'x.json.gz', size: doc.length }, mediaType: 'application/gzip', head: doc, complete: true, limits: DEFAULT_CONTAINER_LIMITS, depth: 1, problem: () => {} })).toBeNull();
    expect(looksLikeJsonLines(enc('{"a": 1}'), true)).toBe(false);
    expect(looksLikeJsonLines(enc('{"a": 1}\n{"a": 2}\n'), true)).toBe(true);
    expect(looksLikeJsonLines(enc('[{"a": 1}]\n'), true)).toBe(false);
  });

  it('holds rows in a bounded window: a row read long after listing is ERR_MEMBER_NOT_HELD', async () => {
    const data = enc(Array.from({ length: 50 }, (_, i) => `{"text": "row ${i}"}`).join('\n'));
    const small = jsonlContainer({ held: { rows: 8 } });
    const opened = await small.open({ source: memorySource(data), entry: { path: 'x.jsonl', size: data.length }, mediaType: 'application/jsonl', head: data, complete: true, limits: DEFAULT_CONTAINER_LIMITS, depth: 1, problem: () => {} });
    const entries = [];
    for await (const e of opened!.list()) entries.push(e);
    await expect(opened!.read(entries[0]!, { start: 0, end: 10 })).rejects.toMatchObject({ code: 'ERR_MEMBER_NOT_HELD' });
    expect(text(await opened!.read(entries[49]!, { start: 0, end: 100 }))).toBe('row 49');
  });

  it('keeps only the ends of a row longer than maxMemberBytes, with the sha256 of all of it', async () => {
    const long = 'b'.repeat(3 * 1024 * 1024);
    const data = enc(`${JSON.stringify({ text: long })}\n`);
    const opened = await jsonl.open({ source: memorySource(data), entry: { path: 'x.jsonl', size: data.length }, mediaType: 'application/jsonl', head: data, complete: false, limits: { ...DEFAULT_CONTAINER_LIMITS, maxMemberBytes: 2 * 1024 * 1024 }, depth: 1, problem: () => {} });
    const entries = [];
    for await (const e of opened!.list()) entries.push(e);
    expect(entries[0]!.sha256).toBe(createHash('sha256').update(long).digest('hex'));
    expect((await opened!.read(entries[0]!, { start: 0, end: 10 })).length).toBe(10);
    expect((await opened!.read(entries[0]!, { start: long.length - 10, end: long.length + 1 })).length).toBe(10);
    await expect(opened!.read(entries[0]!, { start: 1024 * 1024 * 1.5, end: 1024 * 1024 * 1.5 + 10 })).rejects.toMatchObject({ code: 'ERR_MEMBER_NOT_HELD' });
  });

  it('reads right from a source that reuses its chunk buffer (as the local source does), plain, gzip and zstd', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ text: `row ${i} ${'x'.repeat(i % 97)}`, url: `https://a.example/${i}` })).join('\n');
    const plain = enc(lines);
    for (const [name, bytes] of [
      ['reuse.jsonl', plain],
      ['reuse.jsonl.gz', gzipSync(plain)],
      ['reuse.jsonl.zst', fixture('common-pile-like.jsonl.zst')],
    ] as const) {
      const source = memorySource(bytes, name);
      source.stream = async function* () {
        // A Buffer, as the local source yields: its slice() is a view, not a copy.
        const buf = Buffer.alloc(1000);
        for (let i = 0; i < bytes.length; i += 1000) {
          const n = Math.min(1000, bytes.length - i);
          buf.set(bytes.subarray(i, i + n));
          yield buf.subarray(0, n);
          buf.fill(0x7b);
        }
      };
      const { members, listError } = await openContainer(jsonl, name, bytes, { source });
      expect(listError).toBeNull();
      expect(members.filter((m) => m.error !== null)).toEqual([]);
      if (name !== 'reuse.jsonl.zst') {
        expect(members).toHaveLength(3000);
        expect(text(members[2999]!.bytes)).toBe(`row 2999 ${'x'.repeat(2999 % 97)}`);
      } else expect(members).toHaveLength(4);
    }
  });

  it('reads a gzip file whose name does not say so, and a .gz that is plain text', async () => {
    const plain = fixture('pile-like.jsonl');
    const a = await openContainer(jsonl, 'x.jsonl', gzipSync(plain, { flush: zc.Z_NO_FLUSH }));
    expect(a.members).toHaveLength(3);
    const b = await openContainer(jsonl, 'x.jsonl.gz', plain);
    expect(b.members).toHaveLength(3);
  });
});
