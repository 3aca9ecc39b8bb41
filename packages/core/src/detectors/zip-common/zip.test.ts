import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ByteView } from './bytes.js';
import { buildZip } from './testing.js';
import { readDirectory, readMember, zipRanges, ZIP_LIMITS, type ZipDirectory, type ZipDirectoryRead } from './zip.js';

const fixtures = path.join(import.meta.dirname, '..', 'zip-encryption', 'fixtures');

function whole(bytes: Uint8Array): ByteView {
  return ByteView.of({ size: bytes.length, head: bytes, tail: null, whole: bytes, ranges: [] });
}

function dirOf(read: ZipDirectoryRead): ZipDirectory {
  if (read.kind !== 'zip') throw new Error(`expected a zip, got ${JSON.stringify(read)}`);
  return read.directory;
}

/** Serves zipRanges round by round from memory, as the engine does, starting from a head and tail. */
function readLikeEngine(bytes: Uint8Array, head: number, tail: number, members?: Parameters<typeof zipRanges>[1]): ByteView {
  const ranges: { start: number; end: number; bytes: Uint8Array }[] = [];
  const first = { size: bytes.length, head: bytes.subarray(0, head), tail: bytes.subarray(Math.max(head, bytes.length - tail)), whole: null };
  for (let round = 0; round < 3; round++) {
    const want = zipRanges({ ...first, ranges }, members);
    if (want.length === 0) break;
    for (const r of want) ranges.push({ start: r.start, end: Math.min(r.end, bytes.length), bytes: bytes.subarray(r.start, Math.min(r.end, bytes.length)) });
  }
  return ByteView.of({ ...first, ranges });
}

describe('ByteView', () => {
  it('finds bytes in the piece that holds them and stitches adjoining pieces', () => {
    const file = Uint8Array.from({ length: 100 }, (_, i) => i);
    const view = ByteView.of({ size: 100, head: file.subarray(0, 40), tail: file.subarray(60), whole: null, ranges: [{ start: 30, end: 70, bytes: file.subarray(30, 70) }] });
    expect(Array.from(view.get(10, 15)!)).toEqual([10, 11, 12, 13, 14]);
    expect(Array.from(view.get(35, 65)!)).toEqual(Array.from(file.subarray(35, 65)));
    expect(Array.from(view.get(0, 100)!)).toEqual(Array.from(file));
    expect(view.get(95, 101)).toBeNull();
    expect(view.get(-1, 3)).toBeNull();
    const gap = ByteView.of({ size: 100, head: file.subarray(0, 40), tail: file.subarray(60), whole: null, ranges: [] });
    expect(gap.get(35, 65)).toBeNull();
  });
});

describe('readDirectory', () => {
  it('reads the entries of real archives made by Info-ZIP, 7-Zip and zip.js', () => {
    const dir = dirOf(readDirectory(whole(readFileSync(path.join(fixtures, 'infozip-zipcrypto.zip')))));
    expect(dir.entries.map((e) => e.name)).toEqual(['notes.txt', 'more.txt', 'sub/', 'sub/inner.txt']);
    expect(dir.entries.map((e) => e.flags & 1)).toEqual([1, 1, 0, 1]);
    expect(dir.complete).toBe(true);
    expect(dir.prefix).toBe(0);
    const z64 = dirOf(readDirectory(whole(readFileSync(path.join(fixtures, 'infozip-zip64-zipcrypto.zip')))));
    expect(z64.zip64Offset).not.toBeNull();
    expect(z64.entries.map((e) => e.name)).toEqual(['notes.txt', 'more.txt']);
  });

  it('reads and inflates a member', () => {
    const bytes = buildZip([{ name: 'a.txt', data: 'hello '.repeat(100) }, { name: 'b.bin', data: 'stored', method: 0 }]);
    const view = whole(bytes);
    const dir = dirOf(readDirectory(view));
    const a = readMember(view, dir, dir.entries[0]!);
    expect(a.ok && new TextDecoder().decode(a.data)).toBe('hello '.repeat(100));
    const b = readMember(view, dir, dir.entries[1]!);
    expect(b.ok && new TextDecoder().decode(b.data)).toBe('stored');
  });

  it('asks for a directory larger than the tail with a range, then for the members named', () => {
    const members = Array.from({ length: 4000 }, (_, i) => ({ name: `folder/with/a/rather/long/name/file-${String(i).padStart(5, '0')}.txt`, data: `file ${i}`, method: 0 }));
    members.push({ name: 'META-INF/wanted.xml', data: '<x/>', method: 8 });
    const bytes = buildZip(members);
    const view = readLikeEngine(bytes, 4100, 64 * 1024, { members: (d) => d.entries.filter((e) => e.name === 'META-INF/wanted.xml') });
    const dir = dirOf(readDirectory(view));
    expect(dir.entries).toHaveLength(4001);
    expect(dir.complete).toBe(true);
    const got = readMember(view, dir, dir.entries[4000]!);
    expect(got.ok && new TextDecoder().decode(got.data)).toBe('<x/>');
  });

  it('finds the directory of an archive with bytes prepended (a self-extractor stub)', () => {
    const bytes = buildZip([{ name: 'a.txt', data: 'x' }], { prefix: new Uint8Array(5000).fill(0x4d) });
    const view = whole(bytes);
    const dir = dirOf(readDirectory(view));
    expect(dir.prefix).toBe(5000);
    expect(dir.entries[0]!.localOffset).toBe(5000);
    expect(readMember(view, dir, dir.entries[0]!).ok).toBe(true);
  });

  it('skips a fake end record hidden in the comment', () => {
    const fake = new Uint8Array(22);
    new DataView(fake.buffer).setUint32(0, 0x06054b50, true);
    new DataView(fake.buffer).setUint32(16, 0x7fffffff, true);
    const bytes = buildZip([{ name: 'a.txt', data: 'x' }], { comment: fake });
    expect(dirOf(readDirectory(whole(bytes))).entries).toHaveLength(1);
  });
});

describe('readDirectory on hostile input', () => {
  const good = buildZip([{ name: 'a.txt', data: 'aaa' }, { name: 'b.txt', data: 'bbb' }]);

  it('reports a truncated archive as having no end record', () => {
    expect(readDirectory(whole(good.subarray(0, good.length - 10))).kind).toBe('none');
    expect(readDirectory(whole(good.subarray(0, 40))).kind).toBe('none');
    expect(readDirectory(whole(new Uint8Array(0))).kind).toBe('none');
  });

  it('refuses an end record whose directory offset or size lies', () => {
    expect(readDirectory(whole(buildZip([{ name: 'a', data: 'a' }], { eocd: { offset: 0x7ffffff0 } }))).kind).toBe('broken');
    expect(readDirectory(whole(buildZip([{ name: 'a', data: 'a' }], { eocd: { size: 0xfffffff0 } }))).kind).toBe('broken');
    expect(readDirectory(whole(buildZip([{ name: 'a', data: 'a' }], { eocd: { offset: 1, size: 10 } }))).kind).toBe('broken');
  });

  it('notes an entry count that lies, reading only what is there', () => {
    const dir = dirOf(readDirectory(whole(buildZip([{ name: 'a', data: 'a' }], { eocd: { entries: 60000 } }))));
    expect(dir.entries).toHaveLength(1);
    expect(dir.complete).toBe(false);
    expect(dir.problems.join()).toMatch(/1 of 60000/);
  });

  it('reads a ZIP64 directory claiming 4 billion entries in bounded time', () => {
    const bytes = buildZip([{ name: 'a', data: 'a' }, { name: 'b', data: 'b' }], { zip64: { entries: 4_000_000_000 } });
    const t0 = performance.now();
    const dir = dirOf(readDirectory(whole(bytes)));
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(dir.entries).toHaveLength(2);
    expect(dir.declaredEntries).toBe(4_000_000_000);
    expect(dir.problems.join()).toMatch(/2 of 4000000000/);
  });

  it('refuses a ZIP64 locator pointing outside the file, or at no record', () => {
    expect(readDirectory(whole(buildZip([{ name: 'a', data: 'a' }], { zip64: { locatorOffset: 2 ** 40 } }))).kind).toBe('broken');
    expect(readDirectory(whole(buildZip([{ name: 'a', data: 'a' }], { zip64: { locatorOffset: 0 } }))).kind).toBe('broken');
  });

  it('flags entries that overlap (the layout of an overlapping zip bomb) and entries pointing into the directory', () => {
    const overlap = dirOf(readDirectory(whole(buildZip([{ name: 'a', data: 'a'.repeat(100), method: 0 }, { name: 'b', data: 'b' }], { localOffsets: () => 0 }))));
    expect(overlap.problems.join()).toMatch(/overlap/);
    const cyclic = dirOf(readDirectory(whole(buildZip([{ name: 'a', data: 'a' }], { localOffsets: () => 0x7fff0000 }))));
    expect(cyclic.problems.join()).toMatch(/past the start of the central directory/);
    const view = whole(buildZip([{ name: 'a', data: 'a' }], { localOffsets: () => 0x7fff0000 }));
    const got = readMember(view, dirOf(readDirectory(view)), dirOf(readDirectory(view)).entries[0]!);
    expect(got).toMatchObject({ ok: false, reason: 'bad-offset' });
  });

  it('stops a directory larger than the cap and says so', () => {
    const n = 45_000;
    const members = Array.from({ length: n }, (_, i) => ({ name: `${'n'.repeat(60)}-${i}`, data: '', method: 0 }));
    const bytes = buildZip(members);
    const dir = dirOf(readDirectory(whole(bytes)));
    expect(dir.complete).toBe(false);
    expect(dir.entries.length).toBeLessThan(n);
    expect(dir.problems.join()).toMatch(new RegExp(`only the first ${ZIP_LIMITS.directoryBytes}`));
  });
});

describe('readMember on hostile input', () => {
  it('stops a zip bomb at the output cap, quickly', () => {
    const zeros = new Uint8Array(64 * 1024 * 1024);
    const bomb = new Uint8Array(deflateRawSync(zeros, { level: 9 }));
    const bytes = buildZip([{ name: 'META-INF/encryption.xml', data: bomb, method: 8 }].map((m) => ({ ...m, method: 99 })));
    // Rewrite the method to 8 with the raw deflate stream as data, declaring a small size.
    const view = whole(bytes);
    const dir = dirOf(readDirectory(view));
    const entry = { ...dir.entries[0]!, method: 8, uncompressedSize: 100 };
    const t0 = performance.now();
    const got = readMember(view, dir, entry);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(got).toMatchObject({ ok: false, reason: 'too-large' });
    const sample = readMember(view, dir, entry, { partial: true, output: 4096 });
    expect(sample.ok && sample.data.length).toBeLessThanOrEqual(4096);
  });

  it('reports damaged deflate data and unsupported methods', () => {
    const bytes = buildZip([{ name: 'a', data: new Uint8Array([0xff, 0xff, 0xff, 0xff]), method: 99 }]);
    const view = whole(bytes);
    const dir = dirOf(readDirectory(view));
    expect(readMember(view, dir, { ...dir.entries[0]!, method: 8 })).toMatchObject({ ok: false, reason: 'corrupt' });
    expect(readMember(view, dir, dir.entries[0]!)).toMatchObject({ ok: false, reason: 'unsupported-method' });
    expect(readMember(view, dir, { ...dir.entries[0]!, flags: 1 })).toMatchObject({ ok: false, reason: 'encrypted' });
  });
});
