import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { makeTree, memorySource, openContainer, scanTree, type OpenedMember } from '../../test-utils/index.js';
import { builtinContainers } from '../index.js';
import type { Source } from '../../source/types.js';
import { tarContainer } from './index.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(path.join(dir, name)));
const text = (b: Uint8Array | null): string => new TextDecoder().decode(b ?? new Uint8Array());
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** What a listing says of each member, comparable across formats and compressions. */
function summary(members: OpenedMember[]) {
  return members.map((m) => ({ path: m.entry.path, size: m.entry.size, error: m.entry.error?.code ?? m.error?.code, text: m.bytes ? text(m.bytes) : null, fields: m.entry.fields }));
}

/** A tar made with tar-stream's packer, for generated (large or many-member) cases. */
async function pack(members: { name: string; data?: Uint8Array | string; size?: number }[]): Promise<Uint8Array> {
  const p = tar.pack();
  const chunks: Uint8Array[] = [];
  const done = (async () => {
    for await (const c of p as unknown as AsyncIterable<Uint8Array>) chunks.push(c);
  })();
  for (const m of members) {
    const data = typeof m.data === 'string' ? Buffer.from(m.data) : (m.data ?? new Uint8Array(m.size ?? 0));
    await new Promise<void>((resolve, reject) => p.entry({ name: m.name, size: data.length, mtime: new Date(0) }, Buffer.from(data), (err) => (err ? reject(err) : resolve())));
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Rewrites a numeric header field (octal) of the header at `at` and fixes its checksum. */
function patchField(tarBytes: Uint8Array, at: number, offset: number, length: number, value: number): Uint8Array {
  const out = tarBytes.slice();
  const digits = value.toString(8).padStart(length - 1, '0');
  for (let i = 0; i < length - 1; i++) out[at + offset + i] = digits.charCodeAt(i);
  out[at + offset + length - 1] = 0;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : out[at + i]!;
  const c = sum.toString(8).padStart(6, '0');
  for (let i = 0; i < 6; i++) out[at + 148 + i] = c.charCodeAt(i);
  out[at + 154] = 0;
  out[at + 155] = 0x20;
  return out;
}

/** A source that counts reads, to check that an uncompressed tar is read in few requests. */
function countingSource(bytes: Uint8Array, name: string): Source & { reads: number; streams: number } {
  const base = memorySource(bytes, name);
  const s = {
    ...base,
    reads: 0,
    streams: 0,
    read: (e: Parameters<Source['read']>[0], r: Parameters<Source['read']>[1]) => {
      s.reads++;
      return base.read(e, r);
    },
    stream: (e: Parameters<Source['stream']>[0]) => {
      s.streams++;
      return base.stream(e);
    },
  };
  return s;
}

describe('tar container: plain tars made by GNU tar', () => {
  it('lists regular members with their bytes, skips directories, marks the symlink', async () => {
    const { members, listError, problems } = await openContainer(tarContainer, 'gnu.tar', fixture('gnu.tar'));
    expect(listError).toBeNull();
    expect(problems).toEqual([]);
    const long = `docs/${'d'.repeat(120)}.txt`;
    expect(summary(members).map((m) => [m.path, m.size, m.error ?? null])).toEqual([
      ['LICENSE', 126, null],
      ['docs/café.txt', 6, null],
      [long, 18, null],
      ['docs/readme.txt', 16, null],
      ['link-to-licence', 0, 'ERR_NOT_REGULAR_FILE'],
    ]);
    expect(text(members[0]!.bytes)).toMatch(/^MIT License\n/);
    expect(text(members[2]!.bytes)).toBe('long name content\n');
    expect(members[0]!.entry.mtime).toBe('2024-01-01T00:00:00.000Z');
  });

  it('reads a PAX tar (GNU tar --format=pax) exactly as the GNU-format one', async () => {
    const gnu = await openContainer(tarContainer, 'gnu.tar', fixture('gnu.tar'));
    const pax = await openContainer(tarContainer, 'pax.tar', fixture('pax.tar'));
    expect(pax.listError).toBeNull();
    expect(summary(pax.members)).toEqual(summary(gnu.members));
  });

  it('lists the same through the gzip stream (tar-stream) as at random, with a sha256 per member', async () => {
    const plain = await openContainer(tarContainer, 'gnu.tar', fixture('gnu.tar'));
    const gz = await openContainer(tarContainer, 'gnu.tgz', fixture('gnu.tgz'));
    expect(gz.listError).toBeNull();
    expect(summary(gz.members)).toEqual(summary(plain.members));
    for (const m of gz.members) if (m.bytes) expect(m.entry.sha256).toBe(sha(m.bytes));
    expect(plain.members[0]!.entry.sha256).toBeUndefined();
  });

  it('read and stream agree, and the container can be listed twice', async () => {
    const bytes = fixture('gnu.tar');
    const viaRead = await openContainer(tarContainer, 'gnu.tar', bytes);
    const viaStream = await openContainer(tarContainer, 'gnu.tar', bytes, { via: 'stream' });
    expect(summary(viaStream.members)).toEqual(summary(viaRead.members));
    const again: string[] = [];
    for await (const e of viaRead.opened!.list()) again.push(e.path);
    expect(again).toEqual(viaRead.members.map((m) => m.entry.path));
  });

  it('serves ranges of a member as ranged reads of the parent, concurrently and past the end', async () => {
    const bytes = fixture('gnu.tar');
    const { opened, members } = await openContainer(tarContainer, 'gnu.tar', bytes);
    const licence = members[0]!.entry;
    const [a, b, c, d] = await Promise.all([
      opened!.read(licence, { start: 0, end: 11 }),
      opened!.read(members[3]!.entry, { start: 6, end: 10 }),
      opened!.read(licence, { start: 120, end: 500 }),
      opened!.read(licence, { start: 126, end: 127 }),
    ]);
    expect(text(a)).toBe('MIT License');
    expect(text(b)).toBe('from');
    expect(c.length).toBe(6);
    expect(d.length).toBe(0);
  });
});

describe('tar container: WebDataset shards (python tarfile)', () => {
  const expected = (members: OpenedMember[]) => Object.fromEntries(members.map((m) => [m.entry.path, m.entry.fields ?? null]));

  it('sets the .json sidecar as fields on every member of its sample, and nothing for a broken one', async () => {
    const { members, listError } = await openContainer(tarContainer, 'shard-000.tar', fixture('webdataset.tar'));
    expect(listError).toBeNull();
    const fields = expected(members);
    const zero = { license: 'CC-BY-4.0', url: 'https://example.org/0.jpg', caption: 'a cat' };
    expect(fields['00000.jpg']).toEqual(zero);
    expect(fields['00000.json']).toEqual(zero);
    expect(fields['00000.txt']).toEqual(zero);
    expect(fields['00001.txt']).toEqual({ license: 'CC0-1.0' });
    expect(fields['00002.jpg']).toBeNull();
    expect(fields['00002.json']).toBeNull();
    expect(fields['00003.txt']).toBeNull();
    expect(fields['part/00004.seg.png']).toEqual({ license: 'Apache-2.0' });
    expect(members.map((m) => m.entry.path)).toEqual([
      '00000.jpg', '00000.json', '00000.txt', '00001.jpg', '00001.json', '00001.txt',
      '00002.jpg', '00002.json', '00002.txt', '00003.txt', 'part/00004.seg.png', 'part/00004.json',
    ]);
  });

  for (const name of ['webdataset.tar.gz', 'webdataset.tar.zst', 'webdataset.tar.bz2']) {
    it(`lists ${name} (gzip -9, zstd -19, bzip2 -9) exactly as the uncompressed shard`, async () => {
      const plain = await openContainer(tarContainer, 'shard.tar', fixture('webdataset.tar'));
      const packed = await openContainer(tarContainer, name, fixture(name));
      expect(packed.listError).toBeNull();
      expect(summary(packed.members)).toEqual(summary(plain.members));
      for (const m of packed.members) expect(m.entry.sha256).toBe(sha(m.bytes!));
      const streamed = await openContainer(tarContainer, name, fixture(name), { via: 'stream' });
      expect(summary(streamed.members)).toEqual(summary(plain.members));
    });
  }

  it('caps a sample at 64 members: listed without fields, reported once', async () => {
    const members = [{ name: 'big.json', data: '{"license":"MIT"}' }, ...Array.from({ length: 70 }, (_, i) => ({ name: `big.${i}.txt`, data: `m${i}` })), { name: 'next.txt', data: 'n' }, { name: 'next.json', data: '{"a":1}' }];
    const bytes = await pack(members);
    for (const [file, data] of [['cap.tar', bytes], ['cap.tar.gz', gzipSync(bytes)]] as const) {
      const r = await openContainer(tarContainer, file, data);
      expect(r.listError).toBeNull();
      expect(r.members.length).toBe(73);
      expect(r.members.filter((m) => m.entry.fields !== undefined).map((m) => m.entry.path)).toEqual(['next.txt', 'next.json']);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]!.code).toBe('ERR_CONTAINER_LIMIT');
    }
  });
});

describe('tar container: hostile members', () => {
  it('lists escaping names under a safe path with ERR_MEMBER_PATH_UNSAFE, links and devices as not regular', async () => {
    const { members, listError } = await openContainer(tarContainer, 'hostile.tar', fixture('hostile.tar'));
    expect(listError).toBeNull();
    expect(members.map((m) => [m.entry.path, m.entry.error?.code ?? null])).toEqual([
      ['evil.txt', 'ERR_MEMBER_PATH_UNSAFE'],
      ['etc/abs.txt', 'ERR_MEMBER_PATH_UNSAFE'],
      ['a/up.txt', 'ERR_MEMBER_PATH_UNSAFE'],
      ['ok.txt', null],
      ['sym', 'ERR_NOT_REGULAR_FILE'],
      ['hard', 'ERR_NOT_REGULAR_FILE'],
      ['fifo', 'ERR_NOT_REGULAR_FILE'],
      ['dev', 'ERR_NOT_REGULAR_FILE'],
      ['x%23y%25z.txt', null],
    ]);
    expect(members.filter((m) => m.bytes !== null).map((m) => text(m.bytes))).toEqual(['fine\n', 'hash\n']);
    // Never served, even when asked.
    const { opened } = await openContainer(tarContainer, 'hostile.tar', fixture('hostile.tar'));
    await expect(opened!.read(members[0]!.entry, { start: 0, end: 10 })).rejects.toMatchObject({ code: 'ERR_READ_FAILED' });
  });

  it('follows a PAX long UTF-8 name and a PAX size record over the ustar size field', async () => {
    const bytes = fixture('pax-python.tar');
    const r = await openContainer(tarContainer, 'pax.tar', bytes);
    expect(r.listError).toBeNull();
    expect(summary(r.members).map((m) => [m.path, m.text])).toEqual([
      [`données/${'é'.repeat(80)}/fichier.txt`, 'pax long name\n'],
      ['sized.txt', '12345'],
      ['after.txt', 'after\n'],
    ]);
    // Find sized.txt's own header (after its PAX header) and set its ustar size to 0: PAX still rules.
    const at = Buffer.from(bytes).indexOf('sized.txt\0', 1024) ;
    const headerAt = at - (at % 512);
    const patched = patchField(bytes, headerAt, 124, 12, 0);
    for (const [file, data] of [['p.tar', patched], ['p.tar.gz', gzipSync(patched)]] as const) {
      const p = await openContainer(tarContainer, file, data);
      expect(p.listError).toBeNull();
      expect(summary(p.members).map((m) => [m.path, m.text])).toEqual(summary(r.members).map((m) => [m.path, m.text]));
    }
  });

  it('a header whose size runs past the end: the members before it, then ERR_CONTAINER_CORRUPT', async () => {
    const bytes = fixture('gnu.tar');
    const lying = patchField(bytes, 0, 124, 12, 0o7777777);
    const r = await openContainer(tarContainer, 'lying.tar', lying);
    expect(r.members).toEqual([]);
    expect(r.listError?.code).toBe('ERR_CONTAINER_CORRUPT');
    // The same lie on a later member keeps the ones before.
    const at = Buffer.from(bytes).indexOf('docs/readme.txt\0');
    const later = patchField(bytes, at - (at % 512), 124, 12, 0o77777777);
    const l = await openContainer(tarContainer, 'lying.tar', later);
    expect(l.members.map((m) => m.entry.path)).toEqual(['LICENSE', 'docs/café.txt', `docs/${'d'.repeat(120)}.txt`]);
    expect(l.listError?.code).toBe('ERR_CONTAINER_CORRUPT');
  });

  it('truncated anywhere: never a hang or a crash, members before the cut stand', async () => {
    const bytes = fixture('gnu.tar');
    for (let cut = 1; cut < bytes.length; cut += 97) {
      const r = await openContainer(tarContainer, 'cut.tar', bytes.subarray(0, cut));
      if (r.opened === null) continue; // less than one header: not a tar
      for (const m of r.members) if (m.bytes) expect(m.bytes.length).toBe(m.entry.size);
      // A cut inside a member's data or header is corrupt; a cut at a header boundary is a short archive.
      if (cut % 512 !== 0 && r.listError === null) expect(r.members.length).toBe(5);
    }
    const inData = await openContainer(tarContainer, 'cut.tar', bytes.subarray(0, 600));
    expect(inData.listError?.code).toBe('ERR_CONTAINER_CORRUPT');
    const gz = fixture('webdataset.tar.gz');
    const cutGz = await openContainer(tarContainer, 'cut.tar.gz', gz.subarray(0, gz.length - 30));
    expect(cutGz.listError?.code).toBe('ERR_CONTAINER_CORRUPT');
    for (const name of ['webdataset.tar.zst', 'webdataset.tar.bz2']) {
      const f = fixture(name);
      const r = await openContainer(tarContainer, name, f.subarray(0, f.length - 20));
      expect(r.listError?.code).toBe('ERR_CONTAINER_CORRUPT');
    }
  });

  it('garbage: not a tar at all gives null; garbage after good members is corrupt', async () => {
    const junk = new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff);
    expect((await openContainer(tarContainer, 'junk.tar', junk)).opened).toBeNull();
    const bytes = fixture('gnu.tar').slice();
    const at = Buffer.from(bytes).indexOf('docs/readme.txt\0');
    bytes.set(junk.subarray(0, 512), at - (at % 512));
    const r = await openContainer(tarContainer, 'garbage.tar', bytes);
    expect(r.members.length).toBe(3);
    expect(r.listError?.code).toBe('ERR_CONTAINER_CORRUPT');
    const g = await openContainer(tarContainer, 'garbage.tar.gz', gzipSync(bytes));
    expect(g.members.length).toBe(3);
    expect(g.listError?.code).toBe('ERR_CONTAINER_CORRUPT');
    const notGz = new Uint8Array([0x1f, 0x8b, 8, ...junk]);
    expect((await openContainer(tarContainer, 'bad.tgz', notGz)).listError?.code).toBe('ERR_CONTAINER_CORRUPT');
  });

  it('a tar bomb (64 MiB of zeros gzipped to ~64 KiB) stops quickly at maxRatio', async () => {
    const bomb = gzipSync(await pack([{ name: 'zeros.bin', size: 64 * 1024 * 1024 }]), { level: 9 });
    const t0 = performance.now();
    const r = await openContainer(tarContainer, 'bomb.tar.gz', bomb);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.listError?.code).toBe('ERR_CONTAINER_LIMIT');
    expect(r.members).toEqual([]);
    // And maxExpandedBytes, when the ratio is allowed.
    const e = await openContainer(tarContainer, 'bomb.tar.gz', bomb, { limits: { maxRatio: 1e9, maxExpandedBytes: 4 * 1024 * 1024 } });
    expect(e.listError?.code).toBe('ERR_CONTAINER_LIMIT');
  });

  it('a zstd frame asking for a huge window is refused before fzstd allocates it', async () => {
    // Magic, descriptor (no single segment), window descriptor 0xF8 = 2^41 bytes.
    const hostile = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const r = await openContainer(tarContainer, 'w.tar.zst', hostile);
    expect(r.listError?.code).toMatch(/ERR_CONTAINER_(UNSUPPORTED|CORRUPT)/);
  });
});

describe('tar container: members held from a compressed stream', () => {
  it('a member over maxMemberBytes: sha256 of all of it, head and tail served, the middle ERR_MEMBER_NOT_HELD', async () => {
    const big = new Uint8Array(randomBytes(3 * 1024 * 1024 + 123));
    const bytes = await pack([{ name: 'small.txt', data: 'small' }, { name: 'big.bin', data: big }, { name: 'after.txt', data: 'after' }]);
    const r = await openContainer(tarContainer, 'b.tar.gz', gzipSync(bytes), { limits: { maxMemberBytes: 1024 } });
    expect(r.listError).toBeNull();
    const entry = r.members[1]!.entry;
    expect(entry.sha256).toBe(sha(big));
    expect(r.members[1]!.error?.code).toBe('ERR_MEMBER_NOT_HELD');
    expect(text(r.members[2]!.bytes)).toBe('after');
    const head = await r.opened!.read(entry, { start: 0, end: 100 });
    expect([...head]).toEqual([...big.subarray(0, 100)]);
    const tail = await r.opened!.read(entry, { start: big.length - 50, end: big.length + 1 });
    expect([...tail]).toEqual([...big.subarray(big.length - 50)]);
    await expect(r.opened!.read(entry, { start: 1_500_000, end: 1_500_010 })).rejects.toMatchObject({ code: 'ERR_MEMBER_NOT_HELD' });
  });
});

describe('tar container: an uncompressed shard of 10,000 members', () => {
  it('is listed in a handful of windowed reads and never streamed', async () => {
    const members = Array.from({ length: 10_000 }, (_, i) => ({ name: `${String(i).padStart(5, '0')}.txt`, data: `caption ${i}` }));
    const bytes = await pack(members);
    const source = countingSource(bytes, 'shard.tar');
    const opened = await tarContainer.open({
      source,
      entry: { path: 'shard.tar', size: bytes.length },
      mediaType: 'application/x-tar',
      head: bytes.subarray(0, 64 * 1024),
      complete: false,
      limits: { maxDepth: 3, maxMembers: 1e7, maxExpandedBytes: 1e12, maxRatio: 200, maxMemberBytes: 16 << 20 },
      depth: 1,
      problem: () => undefined,
    });
    let n = 0;
    for await (const e of opened!.list()) {
      if (n === 9_999) expect(text(await opened!.read(e, { start: 0, end: e.size + 1 }))).toBe('caption 9999');
      n++;
    }
    expect(n).toBe(10_000);
    expect(source.streams).toBe(0);
    // 10,000 × 1 KiB = ~10 MiB: about ten 1 MiB windows (plus the one member read).
    expect(source.reads).toBeLessThanOrEqual(Math.ceil(bytes.length / (1024 * 1024)) + 2);
  });
});

describe('tar container: end to end through the engine', () => {
  it('gives each member of a tar and a tar.gz a record, with its own licence and a LICENSE member governing the rest', async () => {
    const inner = await pack([
      { name: 'code/a.py', data: '# SPDX-License-Identifier: Apache-2.0\nprint(1)\n' },
      { name: 'code/b.py', data: 'print(2)\n' },
      { name: 'code/LICENSE', data: readFileSync(new URL('../../../../../examples/demo-dataset/code/LICENSE-MIT', import.meta.url)) },
      { name: '../escape.txt', data: 'x' },
    ]);
    const { root, cleanup } = await makeTree({ 'shard.tar': inner, 'shard.tar.gz': gzipSync(inner) });
    try {
      const { records, summary } = await scanTree(root, { containers: builtinContainers });
      for (const shard of ['shard.tar', 'shard.tar.gz']) {
        expect(records.get(`${shard}#code/a.py`)!.licence.expression).toBe('Apache-2.0');
        expect(records.get(`${shard}#code/b.py`)!.licence).toMatchObject({ expression: 'MIT', source: 'subtree', basis: [`${shard}#code/LICENSE`] });
        expect(records.get(`${shard}#code/b.py`)!.container).toEqual({ path: shard, kind: 'tar', depth: 1 });
        expect(records.get(`${shard}#escape.txt`)!.errors.map((e) => e.code)).toEqual(['ERR_MEMBER_PATH_UNSAFE']);
        expect(records.get(shard)!.contents).toMatchObject({ kind: 'tar', members: 4, complete: true });
      }
      expect(records.get('shard.tar.gz#code/b.py')!.sha256).toBe(records.get('shard.tar#code/b.py')!.sha256);
      expect(summary.containers).toMatchObject({ opened: 2, members: 8 });
    } finally {
      await cleanup();
    }
  });
});
