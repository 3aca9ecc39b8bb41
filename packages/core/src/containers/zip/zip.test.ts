import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateRawSync, constants as zlib } from 'node:zlib';
import { DEFAULT_CONTAINER_LIMITS, type ContainerLimits } from '../../engine/container.js';
import { buildZip } from '../../detectors/zip-common/testing.js';
import { makeTree, memorySource, openContainer, scanTree } from '../../test-utils/index.js';
import type { Entry, Source } from '../../source/types.js';
import { zipContainer, type OpenedZip } from './index.js';
import { Spans } from './spans.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const text = (b: Uint8Array | null) => (b ? Buffer.from(b).toString('utf8') : null);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** What python3's zipfile reads from an archive: name → sha256 (an independent reader to check ours against). */
function pythonDigests(bytes: Uint8Array): Record<string, string> {
  const script = 'import sys, io, json, hashlib, zipfile\nz = zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read()))\nprint(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist() if not i.is_dir()}))';
  return JSON.parse(execFileSync('python3', ['-c', script], { input: bytes }).toString()) as Record<string, string>;
}

/** A Source over bytes that counts the reads made of it. */
function countingSource(bytes: Uint8Array, path: string): Source & { requests: number; bytes: number } {
  const inner = memorySource(bytes, path);
  const counted = {
    ...inner,
    requests: 0,
    bytes: 0,
    async read(entry: Entry, range: { start: number; end: number }) {
      counted.requests++;
      const got = await inner.read(entry, range);
      counted.bytes += got.length;
      return got;
    },
  };
  return counted;
}

/** Opens bytes with the zip container without reading members: the opened container and its problems. */
async function openOnly(bytes: Uint8Array, path = 'a.zip', options: { limits?: Partial<ContainerLimits>; source?: Source; head?: number } = {}) {
  const problems: { code: string; message: string }[] = [];
  const head = bytes.subarray(0, options.head ?? 4100);
  const opened = (await zipContainer.open({
    source: options.source ?? memorySource(bytes, path),
    entry: { path, size: bytes.length },
    mediaType: 'application/zip',
    head,
    complete: head.length === bytes.length,
    limits: { ...DEFAULT_CONTAINER_LIMITS, ...options.limits },
    depth: 1,
    problem: (code, message) => problems.push({ code, message }),
  })) as OpenedZip | null;
  return { opened, problems };
}

async function listAll(opened: OpenedZip): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const e of opened.list()) out.push(e);
  return out;
}

/** A zip of members written with {@link buildZip}, deterministic contents. */
function manyMembers(count: number, size: number, method = 8): Uint8Array {
  const members = [];
  for (let i = 0; i < count; i++) {
    const data = Buffer.alloc(size, `member ${i} of ${count}; `);
    members.push({ name: `m/${String(i).padStart(6, '0')}.txt`, data, method });
  }
  return buildZip(members);
}

/**
 * A real deflated member of 1 GiB of zeros, built without deflating a gigabyte: one block of 1 MiB
 * of zeros compressed with a full flush (so it refers to nothing before it) repeated 1024 times,
 * then an empty final block. CRC-32 of 2^30 zero bytes is 0x5b64c2b0 (python3 zlib.crc32).
 */
function gigabyteOfZeros(): Uint8Array {
  const block = deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: zlib.Z_FULL_FLUSH });
  const body = Buffer.concat([...Array.from({ length: 1024 }, () => block), Buffer.from([0x03, 0x00])]);
  const name = Buffer.from('zeros.bin');
  const size = 2 ** 30;
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(0x5b64c2b0, 14);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(0x5b64c2b0, 16);
  central.writeUInt32LE(body.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + body.length, 16);
  return Buffer.concat([local, name, body, central, name, end]);
}

describe('zip container: archives made by Info-ZIP zip', () => {
  it('lists files (not folders) with sizes and times, and reads them as python3 zipfile does', async () => {
    const bytes = fixture('deflated.zip');
    const got = await openContainer(zipContainer, 'deflated.zip', bytes);
    expect(got.listError).toBeNull();
    expect(got.problems).toEqual([]);
    const byPath = new Map(got.members.map((m) => [m.entry.path, m]));
    expect([...byPath.keys()]).toEqual(['LICENSE', 'docs/readme.txt', 'docs/big.txt', 'docs/link', 'images/noise.bin']);
    expect(text(byPath.get('LICENSE')!.bytes)).toBe('SPDX-License-Identifier: CC-BY-4.0\n');
    expect(byPath.get('LICENSE')!.entry.mtime).toBe('2024-05-06T07:08:10.000Z');
    expect(byPath.get('docs/big.txt')!.entry.size).toBe(10990);
    // zip -y keeps the link as a link: listed, not followed.
    expect(byPath.get('docs/link')!.error?.code).toBe('ERR_NOT_REGULAR_FILE');
    const python = pythonDigests(bytes);
    for (const m of got.members) if (m.bytes) expect(sha(m.bytes), m.entry.path).toBe(python[m.entry.path]);
  });

  it('read and stream agree, and a second listing gives the same members', async () => {
    const bytes = fixture('deflated.zip');
    const viaRead = await openContainer(zipContainer, 'deflated.zip', bytes);
    const viaStream = await openContainer(zipContainer, 'deflated.zip', bytes, { via: 'stream' });
    expect(viaStream.members.map((m) => m.bytes && sha(m.bytes))).toEqual(viaRead.members.map((m) => m.bytes && sha(m.bytes)));
    const { opened } = await openOnly(bytes);
    const first = await listAll(opened!);
    const second = await listAll(opened!);
    expect(second).toEqual(first);
    expect(first).toHaveLength(5);
  });

  it('serves ranges of a member: head, middle, tail, and past the end', async () => {
    for (const name of ['deflated.zip', 'stored.zip']) {
      const { opened } = await openOnly(fixture(name));
      const big = (await listAll(opened!)).find((e) => e.path === 'docs/big.txt')!;
      const whole = await opened!.read(big, { start: 0, end: big.size });
      expect(text(whole)!.startsWith('line 0 of a compressible text file\n'), name).toBe(true);
      expect(text(await opened!.read(big, { start: 5, end: 10 }))).toBe('0 of ');
      expect(await opened!.read(big, { start: big.size - 4, end: big.size + 1 })).toEqual(whole.subarray(big.size - 4));
      expect((await opened!.read(big, { start: big.size, end: big.size + 1 })).length).toBe(0);
    }
  });

  it('an archive no larger than the tail is read once; members come from memory', async () => {
    const bytes = fixture('stored.zip');
    const source = countingSource(bytes, 'stored.zip');
    const { opened } = await openOnly(bytes, 'stored.zip', { source, head: 64 });
    const members = await listAll(opened!);
    expect(source.requests).toBe(1);
    const readme = members.find((e) => e.path === 'docs/readme.txt')!;
    expect(text(await opened!.read(readme, { start: 0, end: readme.size + 1 }))).toBe('hello from a zip member\n');
    expect(source.requests).toBe(1);
  });

  it('a stored member of a larger archive is one ranged read of the archive', async () => {
    const bytes = manyMembers(300, 1000, 0);
    const source = countingSource(bytes, 'stored.zip');
    const { opened } = await openOnly(bytes, 'stored.zip', { source, head: 64 });
    const members = await listAll(opened!);
    expect(source.requests).toBe(1);
    const m = members[3]!;
    const before = { requests: source.requests, bytes: source.bytes };
    expect(text(await opened!.read(m, { start: 0, end: m.size + 1 }))!.startsWith('member 3 of 300; ')).toBe(true);
    expect(source.requests - before.requests).toBe(1);
    expect(source.bytes - before.bytes).toBeLessThan(1200);
    // A second read of the same member skips its local header: exactly the bytes asked for.
    const again = await opened!.read(m, { start: 10, end: 20 });
    expect(text(again)).toBe('f 300; mem');
    expect(source.bytes - before.bytes).toBeLessThan(1210);
  });

  it('encrypted members (zip -P) are listed with ERR_CONTAINER_UNSUPPORTED and never read', async () => {
    const got = await openContainer(zipContainer, 'encrypted.zip', fixture('encrypted.zip'));
    expect(got.members.map((m) => [m.entry.path, m.error?.code])).toEqual([
      ['LICENSE', 'ERR_CONTAINER_UNSUPPORTED'],
      ['docs/readme.txt', 'ERR_CONTAINER_UNSUPPORTED'],
    ]);
    expect(got.members[0]!.error!.message).toMatch(/encrypted member \(ZipCrypto\)/);
    const { opened } = await openOnly(fixture('encrypted.zip'));
    const [first] = await listAll(opened!);
    await expect(opened!.read(first!, { start: 0, end: 10 })).rejects.toMatchObject({ code: 'ERR_CONTAINER_UNSUPPORTED' });
  });

  it('a stored zip inside a zip is ranged reads all the way down', async () => {
    const inner = manyMembers(300, 1000, 0);
    const bytes = buildZip([{ name: 'README', data: 'outer' }, { name: 'inner.zip', data: inner, method: 0 }]);
    const source = countingSource(bytes, 'nested.zip');
    const { opened: outer } = await openOnly(bytes, 'nested.zip', { source, head: 64 });
    const innerEntry = (await listAll(outer!)).find((e) => e.path === 'inner.zip')!;
    // Open the inner archive over the outer container, as the engine does for a nested container.
    const opened = (await zipContainer.open({
      source: outer!,
      entry: innerEntry,
      mediaType: 'application/zip',
      head: await outer!.read(innerEntry, { start: 0, end: 64 }),
      complete: false,
      limits: DEFAULT_CONTAINER_LIMITS,
      depth: 2,
      problem: () => {},
    })) as OpenedZip;
    const members = await listAll(opened);
    expect(members).toHaveLength(300);
    const before = { requests: source.requests, bytes: source.bytes };
    const m = members[123]!;
    expect(text(await opened.read(m, { start: 0, end: m.size }))!.startsWith('member 123 of 300; ')).toBe(true);
    expect(source.requests - before.requests).toBe(1);
    expect(source.bytes - before.bytes).toBeLessThan(1200);
    expect(source.bytes).toBeLessThan(bytes.length / 2);
  });
});

describe('zip container: archives made by python3 zipfile', () => {
  it('ZIP64 (force_zip64): sizes from the ZIP64 fields, contents intact', async () => {
    const got = await openContainer(zipContainer, 'zip64.zip', fixture('zip64.zip'));
    expect(got.listError).toBeNull();
    expect(got.members.map((m) => [m.entry.path, m.entry.size, m.error])).toEqual([
      ['LICENSE', 29, null],
      ['data/a.txt', 5000, null],
    ]);
    expect(text(got.members[1]!.bytes)).toBe('a'.repeat(5000));
  });

  it('UTF-8 names (bit 11), a CP437 name, and a # written %23', async () => {
    const utf8 = await openContainer(zipContainer, 'utf8.zip', fixture('utf8.zip'));
    expect(utf8.members.map((m) => m.entry.path)).toEqual(['café/naïve.txt', '日本語.txt', 'a%23b.txt']);
    expect(text(utf8.members[0]!.bytes)).toBe('bonjour\n');
    const cp437 = await openContainer(zipContainer, 'cp437.zip', fixture('cp437.zip'));
    expect(cp437.members.map((m) => [m.entry.path, text(m.bytes)])).toEqual([['café.txt', 'cp437\n']]);
  });

  it('names that leave the root are listed made safe, with ERR_MEMBER_PATH_UNSAFE, and never read', async () => {
    const got = await openContainer(zipContainer, 'traversal.zip', fixture('traversal.zip'));
    expect(got.listError).toBeNull();
    expect(got.members.map((m) => [m.entry.path, m.error?.code ?? null, text(m.bytes)])).toEqual([
      ['evil.txt', 'ERR_MEMBER_PATH_UNSAFE', null],
      ['etc/x', 'ERR_MEMBER_PATH_UNSAFE', null],
      ['ok.txt', null, 'fine\n'],
    ]);
  });

  it('a bzip2 member is ERR_CONTAINER_UNSUPPORTED naming the method; its deflated neighbour is read', async () => {
    const got = await openContainer(zipContainer, 'bzip2.zip', fixture('bzip2.zip'));
    expect(got.members[0]!.entry.path).toBe('b.txt');
    expect(got.members[0]!.error).toMatchObject({ code: 'ERR_CONTAINER_UNSUPPORTED' });
    expect(got.members[0]!.error!.message).toMatch(/method 12 \(bzip2\)/);
    expect(text(got.members[1]!.bytes)).toBe('deflate '.repeat(100));
  });
});

describe('zip container: hostile archives', () => {
  it('an overlapping-entry zip bomb: the first member is read, the 99 sharing its data are not', async () => {
    const t0 = performance.now();
    const got = await openContainer(zipContainer, 'overlap-bomb.zip', fixture('overlap-bomb.zip'));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(got.members).toHaveLength(100);
    expect(got.members[0]!.bytes!.length).toBe(20_000);
    const limited = got.members.filter((m) => m.error?.code === 'ERR_CONTAINER_LIMIT');
    expect(limited).toHaveLength(99);
    expect(limited[0]!.error!.message).toMatch(/overlaps another member/);
    expect(got.problems).toEqual([{ code: 'ERR_CONTAINER_LIMIT', message: expect.stringMatching(/99 members share data/) }]);
  });

  it('overlaps are caught when entries point inside each other, in any order (the "quoted" construction)', async () => {
    const s = new Spans();
    expect(s.claim(1000, 2000)).toBe('ok');
    expect(s.claim(0, 1000)).toBe('ok');
    expect(s.claim(1500, 1600)).toBe('overlap');
    expect(s.claim(5000, 6000)).toBe('ok');
    expect(s.claim(4000, 5001)).toBe('overlap');
    expect(s.claim(2010, 3000)).toBe('ok');
    expect(s.claim(2990, 3100)).toBe('overlap');
    // Pointing each entry one header further into the first member's data.
    const bytes = buildZip([{ name: 'a', data: Buffer.alloc(5000, 'x'), method: 0 }, { name: 'b', data: 'y', method: 0 }, { name: 'c', data: 'z', method: 0 }], { localOffsets: (i) => i * 40 });
    const got = await openContainer(zipContainer, 'q.zip', bytes);
    expect(got.members.map((m) => m.error?.code ?? null)).toEqual([null, 'ERR_CONTAINER_LIMIT', 'ERR_CONTAINER_LIMIT']);
  });

  it('1 GiB of deflated zeros is held to the ratio limit without inflating, in well under a second', async () => {
    const bytes = gigabyteOfZeros();
    expect(bytes.length).toBeLessThan(2_000_000);
    const t0 = performance.now();
    const got = await openContainer(zipContainer, 'bomb.zip', bytes);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(got.members).toHaveLength(1);
    expect(got.members[0]!.entry.size).toBe(2 ** 30);
    expect(got.members[0]!.error).toMatchObject({ code: 'ERR_CONTAINER_LIMIT', message: expect.stringMatching(/ratio/) });
    // With the limit raised, the first 4 KiB cost a few kilobytes of inflating, not a gigabyte.
    const { opened } = await openOnly(bytes, 'bomb.zip', { limits: { maxRatio: 10_000 } });
    const [zeros] = await listAll(opened!);
    const t1 = performance.now();
    const head = await opened!.read(zeros!, { start: 0, end: 4100 });
    const tail = await opened!.read(zeros!, { start: 100 << 20, end: (100 << 20) + 10 });
    expect(performance.now() - t1).toBeLessThan(1000);
    expect(head.length).toBe(4100);
    expect(head.every((b) => b === 0)).toBe(true);
    expect([...tail]).toEqual(Array.from({ length: 10 }, () => 0));
  });

  it('a member that inflates past (or short of) its declared size is ERR_CONTAINER_CORRUPT', async () => {
    const good = buildZip([{ name: 'x.txt', data: 'abc'.repeat(3000) }]);
    const lying = (declared: number) => {
      const b = Buffer.from(good);
      b.writeUInt32LE(declared, 22);
      b.writeUInt32LE(declared, b.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
      return new Uint8Array(b);
    };
    for (const declared of [100, 20_000]) {
      const got = await openContainer(zipContainer, 'lie.zip', lying(declared));
      expect(got.members[0]!.error, String(declared)).toMatchObject({ code: 'ERR_CONTAINER_CORRUPT' });
      const viaStream = await openContainer(zipContainer, 'lie.zip', lying(declared), { via: 'stream' });
      expect(viaStream.members[0]!.error, String(declared)).toMatchObject({ code: 'ERR_CONTAINER_CORRUPT' });
    }
    // Never more than the declared size, even from a head read of a member that lies small.
    const { opened } = await openOnly(lying(100));
    const [x] = await listAll(opened!);
    await expect(opened!.read(x!, { start: 0, end: 50 })).rejects.toMatchObject({ code: 'ERR_CONTAINER_CORRUPT' });
  });

  it('truncated and garbage .zip files fail to open with ERR_CONTAINER_CORRUPT', async () => {
    for (const name of ['truncated.zip', 'garbage.zip']) {
      await expect(openOnly(fixture(name), name), name).rejects.toMatchObject({ code: 'ERR_CONTAINER_CORRUPT', message: expect.stringMatching(/zip: End of central directory record signature not found/) });
    }
  });

  it('a damaged central directory: members before the damage stand, then list throws ERR_CONTAINER_CORRUPT', async () => {
    const bytes = Buffer.from(fixture('deflated.zip'));
    const cd = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const second = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), cd + 4);
    bytes[second + 2] = 0xff;
    const got = await openContainer(zipContainer, 'damaged.zip', new Uint8Array(bytes));
    expect(got.members.map((m) => m.entry.path)).toEqual(['LICENSE']);
    expect(got.listError).toMatchObject({ code: 'ERR_CONTAINER_CORRUPT', message: expect.stringMatching(/invalid central directory file header signature/) });
  });

  it('a member whose data points into the central directory is ERR_CONTAINER_CORRUPT', async () => {
    const bytes = buildZip([{ name: 'a', data: 'aaaa' }, { name: 'b', data: 'bbbb' }], { localOffsets: (i, real) => (i === 1 ? real + 200 : real) });
    const got = await openContainer(zipContainer, 'x.zip', bytes);
    expect(got.members.map((m) => m.error?.code ?? null)).toEqual([null, 'ERR_CONTAINER_CORRUPT']);
  });

  it('member count and expanded bytes limits stop the listing with a problem', async () => {
    const bytes = manyMembers(500, 1000);
    const byCount = await openContainer(zipContainer, 'many.zip', bytes, { limits: { maxMembers: 100 } });
    expect(byCount.members).toHaveLength(100);
    expect(byCount.problems[0]).toMatchObject({ code: 'ERR_CONTAINER_LIMIT', message: expect.stringMatching(/500 entries, more than the 100/) });
    const byBytes = await openContainer(zipContainer, 'many.zip', bytes, { limits: { maxExpandedBytes: 50_500 } });
    expect(byBytes.members).toHaveLength(50);
    expect(byBytes.problems).toEqual([{ code: 'ERR_CONTAINER_LIMIT', message: expect.stringMatching(/expand past 50500 bytes/) }]);
  });
});

describe('zip container: what it opens', () => {
  it('opens *.zip and extension-less application/zip; not DOCX, wheels or .npz that sniff as zip', async () => {
    const bytes = fixture('stored.zip');
    const open = (path: string, mediaType: string) =>
      zipContainer.open({ source: memorySource(bytes, path), entry: { path, size: bytes.length }, mediaType, head: bytes, complete: true, limits: DEFAULT_CONTAINER_LIMITS, depth: 1, problem: () => {} });
    expect(await open('d/DATA.ZIP', 'application/zip')).not.toBeNull();
    expect(await open('d/shard', 'application/zip')).not.toBeNull();
    for (const path of ['a.docx', 'a.npz', 'a.whl', 'a.jar', 'a.epub']) expect(await open(path, 'application/zip'), path).toBeNull();
    expect(zipContainer.match.names).toEqual(['*.zip']);
  });
});

describe('zip container: a large archive', () => {
  it('10,000 members: listing and reading rates; one member costs its own bytes, not the archive', async () => {
    const bytes = manyMembers(10_000, 2000);
    const source = countingSource(bytes, 'big.zip');
    const { opened } = await openOnly(bytes, 'big.zip', { source, head: 4100 });
    let t = performance.now();
    const members = await listAll(opened!);
    const listMs = performance.now() - t;
    expect(members).toHaveLength(10_000);
    const listRequests = source.requests;
    // A directory of ~570 KB: the tail, then read-ahead windows of 1 MiB.
    expect(listRequests).toBeLessThanOrEqual(3);
    const before = { requests: source.requests, bytes: source.bytes };
    const one = members[7777]!;
    expect(text(await opened!.read(one, { start: 0, end: one.size }))!.startsWith('member 7777 of 10000; ')).toBe(true);
    const oneRead = { requests: source.requests - before.requests, bytes: source.bytes - before.bytes };
    expect(oneRead.requests).toBe(1);
    expect(oneRead.bytes).toBeLessThan(200);
    t = performance.now();
    let total = 0;
    await Promise.all(
      Array.from({ length: 32 }, async (_, w) => {
        for (let i = w; i < members.length; i += 32) {
          const got = await opened!.read(members[i]!, { start: 0, end: members[i]!.size + 1 });
          total += got.length;
        }
      }),
    );
    const readMs = performance.now() - t;
    expect(total).toBe(10_000 * 2000);
    console.log(
      `zip figures: ${bytes.length} byte archive of 10,000 deflated members: listed in ${listMs.toFixed(0)} ms (${Math.round(10_000 / (listMs / 1000))} members/s, ${listRequests} reads), ` +
        `read in ${readMs.toFixed(0)} ms (${Math.round(10_000 / (readMs / 1000))} members/s); one member: ${oneRead.requests} read of ${oneRead.bytes} bytes`,
    );
  });
});

describe('zip container: end to end through the engine', () => {
  it('members get records with their own licence; the LICENSE inside governs its neighbours; hostile members are errors', async () => {
    const inner = buildZip([{ name: 'notes.txt', data: 'inner note' }], {});
    const data = buildZip([
      { name: 'docs/notes.txt', data: 'some text\n' },
      { name: 'LICENSE', data: readFileSync(new URL('../../licence-match/fixtures/corpus/case-026.txt', import.meta.url)) },
      { name: 'inner.zip', data: inner, method: 0 },
      { name: '../evil.txt', data: 'evil' },
    ]);
    const tree = await makeTree({ 'data.zip': data, 'report.docx': fixture('stored.zip') });
    try {
      const { records, summary } = await scanTree(tree.root, { containers: [zipContainer] });
      expect(records.get('data.zip#LICENSE')!.licence.expression).toBe('MIT');
      const readme = records.get('data.zip#docs/notes.txt')!;
      expect(readme.container).toEqual({ path: 'data.zip', kind: 'zip', depth: 1 });
      expect(readme.licence.expression).toBe('MIT');
      expect(readme.verdict.decision).toBe('allow');
      expect(records.get('data.zip#inner.zip#notes.txt')?.licence.expression).toBe('MIT');
      expect(records.get('data.zip#evil.txt')!.errors.map((e) => e.code)).toEqual(['ERR_MEMBER_PATH_UNSAFE']);
      expect(records.get('data.zip')!.contents).toMatchObject({ kind: 'zip', complete: true });
      // A DOCX is a document built on ZIP: never taken apart.
      expect([...records.keys()].some((p) => p.startsWith('report.docx#'))).toBe(false);
      expect(summary).toBeDefined();
    } finally {
      await tree.cleanup();
    }
  });
});
