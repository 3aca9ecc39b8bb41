import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinDetectors } from '../detectors/index.js';
import { scan } from '../engine/scan.js';
import { ClearanceError, SourceError } from '../errors.js';
import type { ScanRecord } from '../schema/record.js';
import { localSource, type LocalSourceOptions } from './local.js';
import type { Entry } from './types.js';

const temps: string[] = [];

afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp folder, removed after the test. */
function tempDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-local-')));
  temps.push(dir);
  return dir;
}

/** Writes `{ 'a/b.txt': 'content' }` below `root`. */
function writeTree(root: string, tree: Record<string, string | Uint8Array>): void {
  for (const [rel, content] of Object.entries(tree)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
}

/** Joins raw name bytes below a folder: names that are not UTF-8 cannot be written as strings. */
function rawPath(root: string, ...parts: number[][]): Buffer {
  return Buffer.concat([Buffer.from(root), ...parts.flatMap((p) => [Buffer.from('/'), Buffer.from(p)])]);
}

const bytes = (s: string): number[] => [...Buffer.from(s)];

async function list(options: LocalSourceOptions): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const e of localSource(options).list()) out.push(e);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Path → error code ('' when none), the shape most listing tests compare. */
async function codes(options: LocalSourceOptions): Promise<Record<string, string>> {
  return Object.fromEntries((await list(options)).map((e) => [e.path, e.error?.code ?? '']));
}

async function scanAll(options: LocalSourceOptions): Promise<Map<string, ScanRecord>> {
  const out = new Map<string, ScanRecord>();
  for await (const r of scan({ source: localSource(options), detectors: builtinDetectors })) out.set(r.path, r);
  return out;
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('localSource: listing', () => {
  it('lists relative POSIX paths with size and mtime, hidden files and folders included', async () => {
    const root = tempDir();
    writeTree(root, { 'a.txt': 'hello', 'sub/deeper/b.txt': 'xy', '.hidden': '1', '.git/config': '[core]', 'sub/.env': 'K=V' });
    const mtime = new Date('2020-01-02T03:04:05.678Z');
    fs.utimesSync(path.join(root, 'a.txt'), mtime, mtime);

    const entries = await list({ root });

    expect(entries.map((e) => e.path)).toEqual(['.git/config', '.hidden', 'a.txt', 'sub/.env', 'sub/deeper/b.txt']);
    expect(entries.find((e) => e.path === 'a.txt')).toEqual({ path: 'a.txt', size: 5, mtime: '2020-01-02T03:04:05.678Z' });
    expect(entries.find((e) => e.path === 'sub/deeper/b.txt')?.size).toBe(2);
    for (const e of entries) expect(e.pathBytes).toBeUndefined();
  });

  it('keeps a valid UTF-8 name as it is, without pathBytes', async () => {
    const root = tempDir();
    writeTree(root, { 'naïve café/日本.txt': 'x' });
    expect(await list({ root })).toMatchObject([{ path: 'naïve café/日本.txt', size: 1 }]);
    expect((await list({ root }))[0]!.pathBytes).toBeUndefined();
  });

  it('applies include and exclude globs to the relative path, dotfiles included', async () => {
    const root = tempDir();
    writeTree(root, { 'a.txt': '1', 'b.md': '2', 'sub/c.txt': '3', 'sub/d.bin': '4', '.hidden.txt': '5', 'skip/e.txt': '6', 'skip/deep/f.txt': '7' });

    expect(Object.keys(await codes({ root, include: ['**/*.txt'] }))).toEqual(['.hidden.txt', 'a.txt', 'skip/deep/f.txt', 'skip/e.txt', 'sub/c.txt']);
    expect(Object.keys(await codes({ root, exclude: ['skip/**', '**/*.bin'] }))).toEqual(['.hidden.txt', 'a.txt', 'b.md', 'sub/c.txt']);
    expect(Object.keys(await codes({ root, include: ['**/*.txt'], exclude: ['**/.*', 'skip/**'] }))).toEqual(['a.txt', 'sub/c.txt']);
    expect(Object.keys(await codes({ root, include: ['sub/**'] }))).toEqual(['sub/c.txt', 'sub/d.bin']);
  });

  it('takes a single file as the root: its base name is the path, and it can be read', async () => {
    const dir = tempDir();
    writeTree(dir, { 'one.txt': 'single', 'other.txt': 'not listed' });
    const root = path.join(dir, 'one.txt');

    expect(await list({ root })).toMatchObject([{ path: 'one.txt', size: 6 }]);
    const records = await scanAll({ root });
    expect([...records.keys()]).toEqual(['one.txt']);
    expect(records.get('one.txt')).toMatchObject({ sha256: sha256('single'), errors: [] });
  });

  it('reads a single-file root given as a symbolic link to a file', async () => {
    // The user named the link; O_NOFOLLOW used to refuse it with ELOOP, recorded as ERR_SYMLINK_LOOP.
    const dir = tempDir();
    writeTree(dir, { 'target.txt': 'via link' });
    fs.symlinkSync('target.txt', path.join(dir, 'link.txt'));

    const records = await scanAll({ root: path.join(dir, 'link.txt') });
    expect(records.get('link.txt')).toMatchObject({ size: 8, sha256: sha256('via link'), errors: [] });
  });

  it('throws ERR_SOURCE_ROOT when the root does not exist, from list() and from a scan', async () => {
    const root = path.join(tempDir(), 'missing');
    const listing = list({ root });
    await expect(listing).rejects.toBeInstanceOf(ClearanceError);
    await expect(listing).rejects.toMatchObject({ code: 'ERR_SOURCE_ROOT' });

    const run = scan({ source: localSource({ root }), detectors: builtinDetectors });
    await expect((async () => {
      for await (const _ of run) void _;
    })()).rejects.toMatchObject({ code: 'ERR_SOURCE_ROOT' });
    await expect(run.summary).rejects.toMatchObject({ code: 'ERR_SOURCE_ROOT' });
  });

  it('lists an empty folder as nothing', async () => {
    expect(await list({ root: tempDir() })).toEqual([]);
  });
});

describe('localSource: names that are not UTF-8', () => {
  it('escapes bad bytes as %XX, keeps the raw bytes in pathBytes, and reads the file', async () => {
    const root = tempDir();
    const names = {
      latin1: [...bytes('caf'), 0xe9, ...bytes('.txt')], // "café" in Latin-1
      mixed: [...bytes('ü-'), 0xff, ...bytes('.txt')], // valid UTF-8 runs are kept
      cut: [...bytes('x'), 0xe2, 0x82], // a truncated 3-byte sequence
    };
    fs.writeFileSync(rawPath(root, names.latin1), 'latin one');
    fs.writeFileSync(rawPath(root, names.mixed), 'mixed');
    fs.writeFileSync(rawPath(root, names.cut), 'cut');

    const entries = await list({ root });
    expect(entries.map((e) => [e.path, e.pathBytes])).toEqual([
      ['caf%E9.txt', Buffer.from(names.latin1).toString('hex')],
      ['x%E2%82', Buffer.from(names.cut).toString('hex')],
      ['ü-%FF.txt', Buffer.from(names.mixed).toString('hex')],
    ]);

    // pathBytes alone is enough to open the file again: a fresh source, which has listed nothing.
    const latin = entries[0]!;
    expect(Buffer.from(await localSource({ root }).read(latin, { start: 0, end: 100 })).toString()).toBe('latin one');

    const records = await scanAll({ root });
    expect(records.get('caf%E9.txt')).toMatchObject({ pathBytes: Buffer.from(names.latin1).toString('hex'), sha256: sha256('latin one'), errors: [] });
    expect(records.get('ü-%FF.txt')).toMatchObject({ sha256: sha256('mixed'), errors: [] });
    expect(records.get('x%E2%82')).toMatchObject({ sha256: sha256('cut'), errors: [] });
  });

  it('walks a folder whose name is not UTF-8, and folders below it', async () => {
    const root = tempDir();
    const dir = [...bytes('d'), 0xfe];
    const inner = [...bytes('s'), 0xff];
    fs.mkdirSync(rawPath(root, dir));
    fs.mkdirSync(rawPath(root, dir, inner));
    fs.writeFileSync(rawPath(root, dir, bytes('in.txt')), 'inside');
    fs.writeFileSync(rawPath(root, dir, inner, bytes('deep.txt')), 'deeper');

    const entries = await list({ root });
    expect(entries.map((e) => [e.path, e.pathBytes])).toEqual([
      ['d%FE/in.txt', Buffer.from([...dir, ...bytes('/in.txt')]).toString('hex')],
      ['d%FE/s%FF/deep.txt', Buffer.from([...dir, 0x2f, ...inner, ...bytes('/deep.txt')]).toString('hex')],
    ]);
    const records = await scanAll({ root });
    expect(records.get('d%FE/in.txt')).toMatchObject({ sha256: sha256('inside'), errors: [] });
    expect(records.get('d%FE/s%FF/deep.txt')).toMatchObject({ sha256: sha256('deeper'), errors: [] });
  });
});

describe('localSource: symbolic links', () => {
  /** root: file.txt, dir/inner.txt, and links to each, plus a broken one. */
  function linkTree(): string {
    const root = tempDir();
    writeTree(root, { 'file.txt': 'target', 'dir/inner.txt': 'inner' });
    fs.symlinkSync('file.txt', path.join(root, 'to-file'));
    fs.symlinkSync('dir', path.join(root, 'to-dir'));
    fs.symlinkSync('nowhere', path.join(root, 'broken'));
    return root;
  }

  it('does not follow links by default: each becomes ERR_SYMLINK_NOT_FOLLOWED and nothing is read', async () => {
    const root = linkTree();
    expect(await codes({ root })).toEqual({
      broken: 'ERR_SYMLINK_NOT_FOLLOWED',
      'dir/inner.txt': '',
      'file.txt': '',
      'to-dir': 'ERR_SYMLINK_NOT_FOLLOWED',
      'to-file': 'ERR_SYMLINK_NOT_FOLLOWED',
    });
    const records = await scanAll({ root });
    expect(records.get('to-file')).toMatchObject({ sha256: null, read: { bytes: 0, requests: 0 }, errors: [{ code: 'ERR_SYMLINK_NOT_FOLLOWED' }] });
    expect(records.get('to-dir')?.errors.map((e) => e.code)).toEqual(['ERR_SYMLINK_NOT_FOLLOWED']);
  });

  it('with followSymlinks reads links to files, walks links to folders, and flags broken links', async () => {
    const root = linkTree();
    expect(await codes({ root, followSymlinks: true })).toEqual({
      broken: 'ERR_SYMLINK_BROKEN',
      'dir/inner.txt': '',
      'file.txt': '',
      'to-dir/inner.txt': '',
      'to-file': '',
    });
    const records = await scanAll({ root, followSymlinks: true });
    expect(records.get('to-file')).toMatchObject({ size: 6, sha256: sha256('target'), errors: [] });
    expect(records.get('to-dir/inner.txt')).toMatchObject({ size: 5, sha256: sha256('inner'), errors: [] });
    expect(records.get('broken')).toMatchObject({ sha256: null, errors: [{ code: 'ERR_SYMLINK_BROKEN' }] });
  });

  it('stops at a link to an ancestor, to the root itself, or to itself with ERR_SYMLINK_LOOP', async () => {
    const root = tempDir();
    writeTree(root, { 'a/b/file.txt': 'x' });
    fs.symlinkSync('..', path.join(root, 'a/b/up'));
    fs.symlinkSync('../..', path.join(root, 'a/b/top'));
    fs.symlinkSync('.', path.join(root, 'here'));
    fs.symlinkSync('self', path.join(root, 'self'));

    expect(await codes({ root, followSymlinks: true })).toEqual({
      'a/b/file.txt': '',
      'a/b/top': 'ERR_SYMLINK_LOOP',
      'a/b/up': 'ERR_SYMLINK_LOOP',
      here: 'ERR_SYMLINK_LOOP',
      self: 'ERR_SYMLINK_LOOP',
    });
  });

  it('stops a cycle of two links (a/l1 → b, b/l2 → a) as soon as it comes back', async () => {
    const root = tempDir();
    writeTree(root, { 'a/x.txt': 'x', 'b/y.txt': 'y' });
    fs.symlinkSync('../b', path.join(root, 'a/l1'));
    fs.symlinkSync('../a', path.join(root, 'b/l2'));

    // a/l1/l2 leads back to a, which the walk is inside of: it used to be walked once more.
    expect(await codes({ root, followSymlinks: true })).toEqual({
      'a/l1/l2': 'ERR_SYMLINK_LOOP',
      'a/l1/y.txt': '',
      'a/x.txt': '',
      'b/l2/l1': 'ERR_SYMLINK_LOOP',
      'b/l2/x.txt': '',
      'b/y.txt': '',
    });
  });

  it('treats a link to / as a loop instead of walking the whole filesystem', { timeout: 10_000 }, async () => {
    const root = tempDir();
    writeTree(root, { 'a.txt': 'a' });
    fs.symlinkSync('/', path.join(root, 'slash'));
    expect(await codes({ root, followSymlinks: true })).toEqual({ 'a.txt': '', slash: 'ERR_SYMLINK_LOOP' });
  });

  it('tells apart folders whose names differ only in bytes that are not UTF-8', async () => {
    // Real paths used to be compared as UTF-8 strings, where 0xFE and 0xFF both become U+FFFD.
    const root = tempDir();
    const fe = [...bytes('x'), 0xfe];
    const ff = [...bytes('x'), 0xff];
    fs.mkdirSync(rawPath(root, fe));
    fs.mkdirSync(rawPath(root, ff));
    fs.writeFileSync(rawPath(root, ff, bytes('f.txt')), 'f');
    fs.symlinkSync(Buffer.from([...bytes('../'), ...ff]), rawPath(root, fe, bytes('to-ff')));
    fs.symlinkSync('.', rawPath(root, fe, bytes('self')));

    expect(await codes({ root, followSymlinks: true })).toEqual({
      'x%FE/self': 'ERR_SYMLINK_LOOP',
      'x%FE/to-ff/f.txt': '',
      'x%FF/f.txt': '',
    });
  });

  it('matches include and exclude on the path as listed, below followed links too', async () => {
    const root = tempDir();
    writeTree(root, { 'real/a.txt': 'a', 'real/b.md': 'b', 'other/c.txt': 'c' });
    fs.symlinkSync('real', path.join(root, 'docs'));
    fs.symlinkSync('real/b.md', path.join(root, 'b-link'));

    // `docs` does not match **/*.txt, but files below it do: it used to be left unwalked.
    expect(Object.keys(await codes({ root, followSymlinks: true, include: ['**/*.txt'] }))).toEqual(['docs/a.txt', 'other/c.txt', 'real/a.txt']);
    expect(Object.keys(await codes({ root, followSymlinks: true, exclude: ['**/*.md', 'other/**'] }))).toEqual(['b-link', 'docs/a.txt', 'real/a.txt']);
    expect(Object.keys(await codes({ root, followSymlinks: true, exclude: ['docs/**', 'b-link'] }))).toEqual(['other/c.txt', 'real/a.txt', 'real/b.md']);
  });

  it('reads a negated include pattern the same way whether links are followed or not', async () => {
    const root = tempDir();
    writeTree(root, { 'a.txt': 'a', 'b.md': 'b', 'skip/c.txt': 'c' });
    for (const followSymlinks of [false, true]) {
      expect(Object.keys(await codes({ root, followSymlinks, include: ['**/*.txt', '!skip/**'] })), String(followSymlinks)).toEqual(['a.txt']);
    }
  });
});

describe('localSource: reading', () => {
  /** 300 bytes: 0, 1, …, 255, 0, 1, … */
  function patterned(): { root: string; data: Buffer; entry: Entry } {
    const root = tempDir();
    const data = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256));
    writeTree(root, { 'p.bin': data });
    return { root, data, entry: { path: 'p.bin', size: data.length } };
  }

  it('reads a byte range, and fewer bytes at the end of the file', async () => {
    const { root, data, entry } = patterned();
    const source = localSource({ root });
    expect(Buffer.from(await source.read(entry, { start: 10, end: 20 }))).toEqual(data.subarray(10, 20));
    expect(Buffer.from(await source.read(entry, { start: 0, end: 300 }))).toEqual(data);
    const short = await source.read(entry, { start: 290, end: 400 });
    expect(short.length).toBe(10);
    expect(Buffer.from(short)).toEqual(data.subarray(290));
    expect((await source.read(entry, { start: 300, end: 310 })).length).toBe(0);
    expect((await source.read(entry, { start: 500, end: 510 })).length).toBe(0);
    expect((await source.read(entry, { start: 5, end: 5 })).length).toBe(0);
  });

  it('rejects a negative range instead of reading from the current offset', async () => {
    const { root, entry } = patterned();
    await expect(localSource({ root }).read(entry, { start: -1, end: 10 })).rejects.toBeInstanceOf(RangeError);
  });

  it('streams the whole file, over several chunks', async () => {
    const root = tempDir();
    const data = Buffer.alloc(2.5 * 1024 * 1024 + 7);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i, i);
    writeTree(root, { 'big.bin': data });
    const chunks: Buffer[] = [];
    // Copy each chunk: the source reuses its buffer once the next one is asked for.
    for await (const chunk of localSource({ root }).stream({ path: 'big.bin', size: data.length })) chunks.push(Buffer.from(chunk));
    expect(chunks.length).toBe(3);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('streams an empty file as no chunks', async () => {
    const root = tempDir();
    writeTree(root, { empty: '' });
    const chunks: Uint8Array[] = [];
    for await (const chunk of localSource({ root }).stream({ path: 'empty', size: 0 })) chunks.push(chunk);
    expect(chunks).toEqual([]);
  });

  it('never hands out bytes of another file beside the ones asked for', async () => {
    // A small Buffer.allocUnsafe is a slice of a shared pool: `.buffer` showed other reads' bytes.
    const root = tempDir();
    writeTree(root, { 'secret.txt': 'TOP-SECRET-CONTENT', 'public.txt': 'hi' });
    const source = localSource({ root });
    await source.read({ path: 'secret.txt', size: 18 }, { start: 0, end: 19 });
    const pub = await source.read({ path: 'public.txt', size: 2 }, { start: 0, end: 3 });
    expect(Buffer.from(pub)).toEqual(Buffer.from('hi'));
    expect(Buffer.from(pub.buffer).includes('TOP-SECRET')).toBe(false);
  });

  it('refuses a file swapped for a link after it was listed, with ERR_SYMLINK_NOT_FOLLOWED', async () => {
    const root = tempDir();
    writeTree(root, { 'a.txt': 'a', 'elsewhere.txt': 'secret' });
    const source = localSource({ root });
    const [entry] = (await list({ root })).filter((e) => e.path === 'a.txt');
    fs.rmSync(path.join(root, 'a.txt'));
    fs.symlinkSync('elsewhere.txt', path.join(root, 'a.txt'));
    const read = source.read(entry!, { start: 0, end: 2 });
    await expect(read).rejects.toBeInstanceOf(SourceError);
    await expect(read).rejects.toMatchObject({ code: 'ERR_SYMLINK_NOT_FOLLOWED' });
  });

  it('refuses to read a file that changed after it was listed, with ERR_CHANGED_DURING_READ', async () => {
    const root = tempDir();
    writeTree(root, { 'a.txt': 'aaaa' });
    const old = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(path.join(root, 'a.txt'), old, old);
    const [entry] = await list({ root });
    // Same size, new content: only the mtime tells.
    fs.writeFileSync(path.join(root, 'a.txt'), 'bbbb');
    const source = localSource({ root });
    await expect(source.read(entry!, { start: 0, end: 5 })).rejects.toMatchObject({ code: 'ERR_CHANGED_DURING_READ' });
    await expect((async () => {
      for await (const c of source.stream(entry!)) void c;
    })()).rejects.toMatchObject({ code: 'ERR_CHANGED_DURING_READ' });
  });
});
