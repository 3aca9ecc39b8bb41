import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinDetectors } from '../detectors/index.js';
import type { RecordErrorCode } from '../errors.js';
import type { ScanRecord } from '../schema/record.js';
import type { Summary } from '../schema/summary.js';
import { localSource, type LocalSourceOptions } from '../source/local.js';
import type { Entry, Source } from '../source/types.js';
import type { Detector } from './detector.js';
import { SMALL_FILE_BYTES, SNIFF_BYTES } from './read-plan.js';
import { scan, type ScanOptions } from './scan.js';

/**
 * The engine on bad input, each case a real file on disk: whatever the file, the scan goes on, the
 * file becomes a record with an exact error code, and the dataset is left as it was.
 */

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const CORE_INDEX = fileURLToPath(new URL('../index.ts', import.meta.url));
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
const run = promisify(execFile);

const temps: string[] = [];

afterEach(() => {
  for (const dir of temps.splice(0)) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Paths longer than PATH_MAX defeat fs.rm; GNU rm walks them relative to each folder.
      execFileSync('rm', ['-rf', dir]);
    }
  }
});

function tempDir(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-bad-')));
  temps.push(dir);
  return dir;
}

function writeTree(root: string, tree: Record<string, string | Uint8Array>): void {
  for (const [rel, content] of Object.entries(tree)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
}

/** Sets a file's times in the past, so that a change in the same clock tick still moves its mtime. */
function age(file: string): void {
  const old = new Date('2021-06-01T00:00:00Z');
  fs.utimesSync(file, old, old);
}

/**
 * Everything that says what the dataset is: per path (raw bytes, as latin1) its type, mode, size,
 * mtime, link target and the sha256 of a regular file's bytes. Reads as root may, without following
 * links or opening anything but regular files.
 */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: Buffer, rel: string): void => {
    let names: Buffer[];
    try {
      names = fs.readdirSync(dir, { encoding: 'buffer' });
    } catch (err) {
      out[`${rel}/`] = `unlistable ${(err as NodeJS.ErrnoException).code}`;
      return;
    }
    for (const name of names) {
      const abs = Buffer.concat([dir, Buffer.from('/'), name]);
      const key = rel === '' ? name.toString('latin1') : `${rel}/${name.toString('latin1')}`;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(abs);
      } catch (err) {
        out[key] = `unstattable ${(err as NodeJS.ErrnoException).code}`;
        continue;
      }
      const meta = `${st.mode.toString(8)} ${st.size} ${st.mtimeMs}`;
      if (st.isDirectory()) {
        out[key] = `dir ${meta}`;
        walk(abs, key);
      } else if (st.isSymbolicLink()) {
        out[key] = `link ${meta} → ${fs.readlinkSync(abs, { encoding: 'buffer' }).toString('latin1')}`;
      } else if (st.isFile()) {
        // Huge (sparse) files are compared by size and mtime only: hashing them here would double a slow test.
        out[key] = `file ${meta} ${st.size <= 64 * 1024 * 1024 ? sha256(fs.readFileSync(abs)) : ''}`;
      } else {
        out[key] = `special ${meta}`;
      }
    }
  };
  walk(Buffer.from(root), '');
  return out;
}

interface Scanned {
  records: Map<string, ScanRecord>;
  list: ScanRecord[];
  summary: Summary;
}

async function collect(options: ScanOptions): Promise<Scanned> {
  const scanRun = scan(options);
  const list: ScanRecord[] = [];
  for await (const r of scanRun) list.push(r);
  const records = new Map(list.map((r) => [r.path, r]));
  // One record per entry, never two for the same path.
  expect(records.size).toBe(list.length);
  return { records, list, summary: await scanRun.summary };
}

/** Scans a local folder and checks that the dataset is exactly as it was before. */
async function scanLocal(root: string, source: Omit<LocalSourceOptions, 'root'> = {}, options: Partial<ScanOptions> = {}): Promise<Scanned> {
  const before = snapshot(root);
  const out = await collect({ source: localSource({ root, ...source }), detectors: builtinDetectors, ...options });
  expect(snapshot(root)).toEqual(before);
  return out;
}

const codesOf = (r: ScanRecord | undefined): RecordErrorCode[] => r?.errors.map((e) => e.code) ?? ['<no record>' as RecordErrorCode];

interface Hooks {
  /** Before the `pass`-th listing (1-based; the engine lists markers first, then the rest) yields `entry`. */
  beforeYield?: (entry: Entry, pass: number) => void;
  /** Before the `n`-th read (1-based) of `entry`. */
  beforeRead?: (entry: Entry, n: number) => void;
  /** After the consumer took the `n`-th chunk of `entry`'s stream, before the next one is read. */
  afterChunk?: (entry: Entry, n: number) => void;
}

/** A Source that does what `inner` does, and lets a test change the dataset at exact moments. */
function hooked(inner: Source, hooks: Hooks): Source {
  let pass = 0;
  const reads = new Map<string, number>();
  return {
    name: inner.name,
    location: inner.location,
    async *list(opts) {
      const p = ++pass;
      for await (const e of inner.list(opts)) {
        hooks.beforeYield?.(e, p);
        yield e;
      }
    },
    async read(entry, range, opts) {
      const n = (reads.get(entry.path) ?? 0) + 1;
      reads.set(entry.path, n);
      hooks.beforeRead?.(entry, n);
      return inner.read(entry, range, opts);
    },
    async *stream(entry, opts) {
      let n = 0;
      for await (const chunk of inner.stream(entry, opts)) {
        yield chunk;
        hooks.afterChunk?.(entry, ++n);
      }
    },
  };
}

/** The JSON a child process prints: records and summary of a scan run as another user, or what it threw. */
type ChildScan = { records: ScanRecord[]; summary: Summary } | { thrown: { code: string; message: string } };

/**
 * Root reads everything whatever the mode bits, so permission cases run the scan in a child process
 * that drops to nobody (65534) once the engine is loaded.
 */
async function scanAsNobody(root: string): Promise<ChildScan> {
  const scripts = tempDir();
  const child = path.join(scripts, 'scan-as-nobody.mjs');
  fs.writeFileSync(
    child,
    `const [indexPath, root] = process.argv.slice(2);
const { localSource, scan, builtinDetectors } = await import(indexPath);
if (process.getuid() === 0) {
  process.setgid(65534);
  process.setuid(65534);
}
const run = scan({ source: localSource({ root }), detectors: builtinDetectors });
const records = [];
try {
  for await (const r of run) records.push(r);
  process.stdout.write(JSON.stringify({ records, summary: await run.summary }));
} catch (err) {
  process.stdout.write(JSON.stringify({ thrown: { code: err.code, message: err.message } }));
}
`,
  );
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, CORE_INDEX, root], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as ChildScan;
}

describe('bad input: permissions', () => {
  it('records an unreadable file and an unreadable folder, and scans the rest', async () => {
    const root = tempDir();
    fs.chmodSync(root, 0o755); // nobody must be able to walk the tree itself
    writeTree(root, { 'ok.txt': 'fine', 'secret.txt': 'secret', 'locked/in.txt': 'hidden', 'nox/in.txt': 'no x', 'open/z.txt': 'z' });
    fs.chmodSync(path.join(root, 'secret.txt'), 0o000);
    fs.chmodSync(path.join(root, 'locked'), 0o000);
    fs.chmodSync(path.join(root, 'nox'), 0o644); // listable, but its files cannot be looked up
    const badName = Buffer.from([...Buffer.from(`${root}/l`), 0xff]);
    fs.mkdirSync(badName, { mode: 0o000 });
    fs.chmodSync(badName, 0o000);
    const before = snapshot(root);

    const out = await scanAsNobody(root);
    if ('thrown' in out) throw new Error(`the scan threw: ${out.thrown.message}`);
    const { records, summary } = out;
    const byPath = new Map(records.map((r) => [r.path, r]));

    expect(Object.fromEntries(records.map((r) => [r.path, codesOf(r).join(',')]))).toEqual({
      'ok.txt': '',
      'open/z.txt': '',
      'secret.txt': 'ERR_PERMISSION_DENIED',
      locked: 'ERR_DIR_UNREADABLE',
      'l%FF': 'ERR_DIR_UNREADABLE',
      'nox/in.txt': 'ERR_PERMISSION_DENIED',
    });
    // A folder whose name is not UTF-8 keeps its raw bytes like a file does.
    expect(byPath.get('l%FF')?.pathBytes).toBe('6cff');
    expect(byPath.get('ok.txt')?.sha256).toBe(sha256('fine'));
    expect(byPath.get('open/z.txt')?.sha256).toBe(sha256('z'));
    expect(byPath.get('secret.txt')).toMatchObject({ sha256: null, mediaType: null, read: { bytes: 0, requests: 0 } });
    expect(byPath.get('locked')?.errors[0]?.message).toMatch(/^folder could not be listed \(ERR_PERMISSION_DENIED\)/);
    // Messages name paths relative to the source, never the machine's absolute layout.
    for (const r of records) for (const e of r.errors) expect(e.message).not.toContain(root);
    expect(summary).toMatchObject({ files: 6, filesWithErrors: 4, errors: { ERR_PERMISSION_DENIED: 2, ERR_DIR_UNREADABLE: 2 }, interrupted: false });
    expect(snapshot(root)).toEqual(before);
  });

  it('throws ERR_SOURCE_ROOT for a root folder that cannot be listed, instead of one record named "."', async () => {
    const root = tempDir();
    fs.chmodSync(root, 0o755);
    writeTree(root, { 'data/a.txt': 'a' });
    fs.chmodSync(path.join(root, 'data'), 0o311); // can be entered, not listed

    const out = await scanAsNobody(path.join(root, 'data'));
    expect(out).toMatchObject({ thrown: { code: 'ERR_SOURCE_ROOT' } });
  });
});

describe('bad input: files that change under the scan', () => {
  it.each([true, false])('records a file that vanished between listing and reading as ERR_ENTRY_VANISHED (hash %s)', async (hash) => {
    const root = tempDir();
    writeTree(root, {
      LICENSE: 'MIT License\n',
      'stay.txt': 'stays',
      'gone.txt': 'small',
      'gone-empty': '',
      'gone-big.bin': Buffer.alloc(SMALL_FILE_BYTES * 3, 7),
    });
    // The engine lists twice (markers, then the rest): a marker vanishes in the first pass, files in the second.
    const source = hooked(localSource({ root }), {
      beforeYield: (e, pass) => {
        if ((pass === 1 && e.path === 'LICENSE') || (pass === 2 && e.path.startsWith('gone'))) fs.rmSync(path.join(root, e.path));
      },
    });

    const { records, summary } = await collect({ source, detectors: builtinDetectors, hash });

    for (const p of ['LICENSE', 'gone.txt', 'gone-empty', 'gone-big.bin']) {
      expect(codesOf(records.get(p)), p).toEqual(['ERR_ENTRY_VANISHED']);
      expect(records.get(p)?.sha256).toBeNull();
    }
    expect(records.get('stay.txt')).toMatchObject({ errors: [], sha256: hash ? sha256('stays') : null });
    expect(summary).toMatchObject({ files: 5, filesWithErrors: 4, errors: { ERR_ENTRY_VANISHED: 4 } });
  });

  it.each([true, false])('records a small file that grew or shrank before its single read as ERR_CHANGED_DURING_READ (hash %s)', async (hash) => {
    const root = tempDir();
    writeTree(root, { 'grows.txt': 'abc', 'shrinks.txt': 'abcdef', 'empty-grows': '', 'steady.txt': 'same' });
    const source = hooked(localSource({ root }), {
      beforeRead: (e) => {
        const abs = path.join(root, e.path);
        if (e.path === 'grows.txt' || e.path === 'empty-grows') fs.appendFileSync(abs, 'more');
        if (e.path === 'shrinks.txt') fs.truncateSync(abs, 2);
      },
    });

    const { records } = await collect({ source, detectors: builtinDetectors, hash });

    expect(codesOf(records.get('grows.txt'))).toEqual(['ERR_CHANGED_DURING_READ']);
    expect(codesOf(records.get('shrinks.txt'))).toEqual(['ERR_CHANGED_DURING_READ']);
    // An empty file used to be taken as empty without a read, hash of nothing included.
    expect(codesOf(records.get('empty-grows'))).toEqual(['ERR_CHANGED_DURING_READ']);
    expect(records.get('grows.txt')?.sha256).toBeNull();
    expect(records.get('steady.txt')).toMatchObject({ errors: [], sha256: hash ? sha256('same') : null });
  });

  it('records a large file that changes while it is streamed and hashed as ERR_CHANGED_DURING_READ', async () => {
    const root = tempDir();
    const size = 3 * 1024 * 1024 + 5; // several 1 MiB chunks
    const files = ['appended.bin', 'truncated.bin', 'overwritten.bin', 'steady.bin'];
    writeTree(root, Object.fromEntries(files.map((f) => [f, Buffer.alloc(size, 1)])));
    for (const f of files) age(path.join(root, f));
    const source = hooked(localSource({ root }), {
      afterChunk: (e, n) => {
        if (n !== 1) return;
        const abs = path.join(root, e.path);
        if (e.path === 'appended.bin') fs.appendFileSync(abs, 'tail');
        if (e.path === 'truncated.bin') fs.truncateSync(abs, 1024 * 1024 + 10);
        // Same size, other bytes: only the mtime can tell.
        if (e.path === 'overwritten.bin') {
          const fd = fs.openSync(abs, 'r+');
          fs.writeSync(fd, Buffer.alloc(16, 2), 0, 16, 2 * 1024 * 1024);
          fs.closeSync(fd);
        }
      },
    });

    const { records } = await collect({ source, detectors: builtinDetectors, hash: true });

    for (const f of ['appended.bin', 'truncated.bin', 'overwritten.bin']) {
      expect(codesOf(records.get(f)), f).toEqual(['ERR_CHANGED_DURING_READ']);
      expect(records.get(f)?.sha256, f).toBeNull();
    }
    expect(records.get('steady.bin')).toMatchObject({ errors: [], sha256: sha256(Buffer.alloc(size, 1)), read: { bytes: size, requests: 1 } });
  });

  it('records a large file that changes between its head and tail reads as ERR_CHANGED_DURING_READ (hash off)', async () => {
    const root = tempDir();
    const text = 'SPDX-License-Identifier: MIT\n'.padEnd(SMALL_FILE_BYTES * 4, 'x');
    const files = ['appended.txt', 'truncated.txt', 'overwritten.txt', 'steady.txt'];
    writeTree(root, Object.fromEntries(files.map((f) => [f, text])));
    for (const f of files) age(path.join(root, f));
    const source = hooked(localSource({ root }), {
      // Text draws the spdx-tag detector, which wants the tail: a second read follows the head.
      beforeRead: (e, n) => {
        if (n !== 2) return;
        const abs = path.join(root, e.path);
        if (e.path === 'appended.txt') fs.appendFileSync(abs, 'SPDX-License-Identifier: GPL-3.0-only\n');
        if (e.path === 'truncated.txt') fs.truncateSync(abs, text.length - 100);
        if (e.path === 'overwritten.txt') fs.writeFileSync(abs, text.replace('MIT', 'BSD'));
      },
    });

    const { records } = await collect({ source, detectors: builtinDetectors, hash: false });

    for (const f of ['appended.txt', 'truncated.txt', 'overwritten.txt']) expect(codesOf(records.get(f)), f).toEqual(['ERR_CHANGED_DURING_READ']);
    expect(records.get('steady.txt')).toMatchObject({ errors: [], licence: { expression: 'MIT' }, read: { requests: 2 } });
  });
});

describe('bad input: files that are not regular files', () => {
  it('records a FIFO as ERR_NOT_REGULAR_FILE without blocking on it', { timeout: 15_000 }, async () => {
    const root = tempDir();
    writeTree(root, { 'ok.txt': 'ok' });
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    fs.symlinkSync('pipe', path.join(root, 'to-pipe'));

    for (const followSymlinks of [false, true]) {
      const { records } = await scanLocal(root, { followSymlinks });
      expect(codesOf(records.get('pipe'))).toEqual(['ERR_NOT_REGULAR_FILE']);
      expect(codesOf(records.get('to-pipe'))).toEqual([followSymlinks ? 'ERR_NOT_REGULAR_FILE' : 'ERR_SYMLINK_NOT_FOLLOWED']);
      expect(records.get('ok.txt')).toMatchObject({ errors: [], sha256: sha256('ok') });
    }
    // Asked to read it anyway (as if it had been listed as a file), the source opens it without blocking.
    await expect(localSource({ root }).read({ path: 'pipe', size: 10 }, { start: 0, end: 10 })).rejects.toMatchObject({ code: 'ERR_NOT_REGULAR_FILE' });
  });

  it('records a file swapped for a FIFO after it was listed as ERR_NOT_REGULAR_FILE, without blocking', { timeout: 15_000 }, async () => {
    const root = tempDir();
    writeTree(root, { 'was-file.txt': 'text', 'was-big.bin': Buffer.alloc(SMALL_FILE_BYTES * 2) });
    const source = hooked(localSource({ root }), {
      beforeYield: (e, pass) => {
        if (pass !== 2) return;
        fs.rmSync(path.join(root, e.path));
        execFileSync('mkfifo', [path.join(root, e.path)]);
      },
    });
    const { records } = await collect({ source, detectors: builtinDetectors, hash: true });
    expect(codesOf(records.get('was-file.txt'))).toEqual(['ERR_NOT_REGULAR_FILE']);
    expect(codesOf(records.get('was-big.bin'))).toEqual(['ERR_NOT_REGULAR_FILE']);
  });

  it('records character devices reached through followed links as ERR_NOT_REGULAR_FILE, without reading them', { timeout: 15_000 }, async () => {
    const root = tempDir();
    writeTree(root, { 'ok.txt': 'ok', 'big.bin': Buffer.alloc(SMALL_FILE_BYTES * 2) });
    fs.symlinkSync('/dev/null', path.join(root, 'null'));
    fs.symlinkSync('/dev/zero', path.join(root, 'zero'));

    const { records } = await scanLocal(root, { followSymlinks: true });
    expect(codesOf(records.get('null'))).toEqual(['ERR_NOT_REGULAR_FILE']);
    expect(codesOf(records.get('zero'))).toEqual(['ERR_NOT_REGULAR_FILE']);
    expect(records.get('zero')?.read).toEqual({ bytes: 0, requests: 0 });
    expect(records.get('ok.txt')).toMatchObject({ errors: [], sha256: sha256('ok') });

    // A file swapped for a link to /dev/zero after listing: streaming it would never end.
    const source = hooked(localSource({ root, followSymlinks: true }), {
      beforeYield: (e, pass) => {
        if (pass !== 2 || e.path !== 'big.bin') return;
        fs.rmSync(path.join(root, 'big.bin'));
        fs.symlinkSync('/dev/zero', path.join(root, 'big.bin'));
      },
    });
    const swapped = await collect({ source, detectors: builtinDetectors, hash: true });
    expect(codesOf(swapped.records.get('big.bin'))).toEqual(['ERR_NOT_REGULAR_FILE']);
  });
});

describe('bad input: names and sizes', () => {
  it('records a path longer than PATH_MAX as an error, never a crash, and scans the files beside it', async () => {
    const root = tempDir();
    writeTree(root, { 'beside.txt': 'beside', 'z/after.txt': 'after' });
    const name = 'd'.repeat(200);
    const levels = 22; // 22 × 201 bytes: the deep file's path is over 4096 bytes
    // Built relative to a deep working folder: absolute paths this long are refused by the kernel.
    execFileSync('bash', ['-c', `cd "$1" && for i in $(seq ${levels}); do mkdir ${name} && cd ${name} || exit 1; done && printf deep > f.txt`, 'bash', root]);
    const deepFile = `${Array.from({ length: levels }, () => name).join('/')}/f.txt`;
    expect(Buffer.byteLength(`${root}/${deepFile}`)).toBeGreaterThan(4096);
    const findBefore = execFileSync('find', ['.', '-printf', '%P %y %s %T@\n'], { cwd: root }).toString();

    const { list, records, summary } = await scanLocal(root);

    expect(records.get('beside.txt')).toMatchObject({ errors: [], sha256: sha256('beside') });
    expect(records.get('z/after.txt')).toMatchObject({ errors: [], sha256: sha256('after') });
    const deep = list.filter((r) => r.path !== 'beside.txt' && r.path !== 'z/after.txt');
    expect(deep).toHaveLength(1);
    const [r] = deep;
    if (r!.errors.length === 0) {
      expect(r).toMatchObject({ path: deepFile, sha256: sha256('deep') });
    } else {
      expect(deepFile.startsWith(r!.path)).toBe(true);
      expect(r!.errors).toHaveLength(1);
      expect(['ERR_NAME_TOO_LONG', 'ERR_DIR_UNREADABLE']).toContain(r!.errors[0]!.code);
    }
    expect(summary.files).toBe(3);
    expect(execFileSync('find', ['.', '-printf', '%P %y %s %T@\n'], { cwd: root }).toString()).toBe(findBefore);
  });

  it.each([true, false])('scans a 0-byte file: empty sha256, application/x-empty (hash %s)', async (hash) => {
    const root = tempDir();
    writeTree(root, { empty: '', 'empty.txt': '' });
    const { records } = await scanLocal(root, {}, { hash });
    for (const p of ['empty', 'empty.txt']) {
      expect(records.get(p)).toMatchObject({ size: 0, sha256: hash ? EMPTY_SHA256 : null, mediaType: 'application/x-empty', errors: [] });
      // One read of one byte confirms that it is still there, still readable and still empty.
      expect(records.get(p)?.read).toEqual({ bytes: 0, requests: 1 });
    }
  });

  it('reads only a few KiB of a sparse 3 GiB file when hashing is off', async () => {
    const root = tempDir();
    const size = 3 * 1024 ** 3;
    fs.writeFileSync(path.join(root, 'huge.bin'), '');
    fs.truncateSync(path.join(root, 'huge.bin'), size);

    const { records, summary } = await scanLocal(root, {}, { hash: false });
    const r = records.get('huge.bin');
    expect(r).toMatchObject({ size, sha256: null, mediaType: 'application/octet-stream', errors: [] });
    expect(r!.read.requests).toBe(1);
    expect(r!.read.bytes).toBeGreaterThanOrEqual(SNIFF_BYTES);
    expect(r!.read.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(summary).toMatchObject({ bytes: size, bytesRead: r!.read.bytes });
  });

  it('hashes a sparse 3 GiB file correctly in one streamed pass', { timeout: 180_000 }, async () => {
    const root = tempDir();
    const size = 3 * 1024 ** 3;
    const file = path.join(root, 'huge.bin');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, size);
    // A few bytes in the middle and at the end, so that the hash depends on where each chunk lands.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from('middle'), 0, 6, 1.5 * 1024 ** 3 + 3);
    fs.writeSync(fd, Buffer.from('end'), 0, 3, size - 3);
    fs.closeSync(fd);

    const expected = createHash('sha256');
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 8 * 1024 * 1024 })) expected.update(chunk as Buffer);

    const { records } = await collect({ source: localSource({ root }), detectors: builtinDetectors, hash: true });
    expect(records.get('huge.bin')).toMatchObject({ size, sha256: expected.digest('hex'), errors: [], read: { bytes: size, requests: 1 } });
  });
});

/** A detector for one file name, with a `detect` given by the test. */
function nameDetector(id: string, name: string, detect: Detector['detect']): Detector {
  const codes = { 'notice.test.seen': { title: 'Seen by a test', meaning: 'A test detector looked at the file.', action: 'None.' } };
  return { id, version: '1', description: `test detector ${id}`, match: { names: [name] }, wants: { head: 1024 }, codes, detect };
}

describe('bad input: detectors', () => {
  it('records a detector that throws as ERR_DETECTOR_FAILED on that record only, keeping the other findings', async () => {
    const root = tempDir();
    writeTree(root, { 'boom.txt': 'SPDX-License-Identifier: MIT\n', 'async-boom.txt': 'x', 'fine.txt': 'SPDX-License-Identifier: Apache-2.0\n' });
    const detectors = [
      ...builtinDetectors,
      nameDetector('boom', 'boom.txt', () => {
        throw new Error('kaput');
      }),
      nameDetector('async-boom', 'async-boom.txt', () => Promise.reject(new TypeError('async kaput'))),
    ];

    const { records, summary } = await scanLocal(root, {}, { detectors });

    expect(records.get('boom.txt')?.errors).toEqual([{ code: 'ERR_DETECTOR_FAILED', detector: 'boom', message: expect.stringContaining('kaput') }]);
    expect(records.get('boom.txt')).toMatchObject({ sha256: sha256('SPDX-License-Identifier: MIT\n'), licence: { expression: 'MIT' } });
    expect(records.get('async-boom.txt')?.errors).toMatchObject([{ code: 'ERR_DETECTOR_FAILED', detector: 'async-boom' }]);
    expect(records.get('fine.txt')).toMatchObject({ errors: [], licence: { expression: 'Apache-2.0' } });
    expect(summary).toMatchObject({ files: 3, filesWithErrors: 2, errors: { ERR_DETECTOR_FAILED: 2 } });
  });

  it('records an invalid finding as ERR_DETECTOR_OUTPUT_INVALID and keeps the valid ones', async () => {
    const root = tempDir();
    writeTree(root, { 'odd.txt': 'odd', 'fine.txt': 'fine' });
    const valid = {
      code: 'notice.test.seen',
      category: 'notice',
      detector: 'odd',
      confidence: 1,
      evidence: { path: 'odd.txt' },
      scope: { kind: 'file', root: 'odd.txt' },
      url: 'docs/findings/notice.test.seen.md',
      value: {},
    } as const;
    const detectors = [
      ...builtinDetectors,
      // A valid one, a malformed code, a confidence out of range, and a well-formed code it never declared.
      nameDetector('odd', 'odd.txt', () => [valid, { ...valid, code: 'Not A Code' }, { ...valid, confidence: 7 }, { ...valid, code: 'notice.test.undeclared' }]),
    ];

    const { records } = await scanLocal(root, {}, { detectors });
    const odd = records.get('odd.txt')!;
    expect(codesOf(odd)).toEqual(['ERR_DETECTOR_OUTPUT_INVALID', 'ERR_DETECTOR_OUTPUT_INVALID', 'ERR_DETECTOR_OUTPUT_INVALID']);
    expect(odd.errors.every((e) => e.detector === 'odd')).toBe(true);
    expect(odd.findings.filter((f) => f.detector === 'odd').map((f) => f.code)).toEqual(['notice.test.seen']);
    expect(records.get('fine.txt')?.errors).toEqual([]);
  });
});

describe('bad input: the scan as a whole', () => {
  it('counts files, files with errors and errors by code exactly as the records say', async () => {
    const root = tempDir();
    writeTree(root, { 'a.txt': 'a', 'b.txt': 'b', 'boom.txt': 'b', 'sub/c.md': '# c', LICENSE: 'MIT License\n', 'gone.txt': 'g' });
    execFileSync('mkfifo', [path.join(root, 'pipe')]);
    fs.symlinkSync('a.txt', path.join(root, 'link'));
    const detectors = [
      ...builtinDetectors,
      nameDetector('boom', 'boom.txt', () => {
        throw new Error('kaput');
      }),
      nameDetector('double', 'boom.txt', () => [{ code: 'bad' } as never]),
    ];
    const source = hooked(localSource({ root }), {
      beforeYield: (e, pass) => {
        if (pass === 2 && e.path === 'gone.txt') fs.rmSync(path.join(root, 'gone.txt'));
      },
    });

    const { list, summary } = await collect({ source, detectors });

    const errors: Record<string, number> = {};
    for (const r of list) for (const e of r.errors) errors[e.code] = (errors[e.code] ?? 0) + 1;
    expect(summary.files).toBe(list.length);
    expect(summary.filesWithErrors).toBe(list.filter((r) => r.errors.length > 0).length);
    expect(summary.errors).toEqual(errors);
    expect(summary.bytesRead).toBe(list.reduce((n, r) => n + r.read.bytes, 0));
    expect(summary).toMatchObject({
      files: 8,
      markers: 1,
      filesWithErrors: 4,
      errors: { ERR_DETECTOR_FAILED: 1, ERR_DETECTOR_OUTPUT_INVALID: 1, ERR_ENTRY_VANISHED: 1, ERR_NOT_REGULAR_FILE: 1, ERR_SYMLINK_NOT_FOLLOWED: 1 },
      interrupted: false,
    });
  });

  it('stops on an abort mid-scan with ERR_ABORTED, and the summary says interrupted', async () => {
    const root = tempDir();
    writeTree(root, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}.txt`, `file ${i}`])));
    const controller = new AbortController();
    const before = snapshot(root);
    const scanRun = scan({ source: localSource({ root }), detectors: builtinDetectors, signal: controller.signal, concurrency: 1 });

    let seen = 0;
    const iterate = async () => {
      for await (const _ of scanRun) {
        seen++;
        if (seen === 3) controller.abort();
      }
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    const summary = await scanRun.summary;
    expect(summary.interrupted).toBe(true);
    expect(summary.files).toBe(seen);
    expect(seen).toBe(3);
    expect(snapshot(root)).toEqual(before);
  });

  it('stops an abort in the middle of a large streamed read with ERR_ABORTED', async () => {
    const root = tempDir();
    writeTree(root, { 'big.bin': Buffer.alloc(8 * 1024 * 1024, 3) });
    const controller = new AbortController();
    let chunks = 0;
    const source = hooked(localSource({ root }), {
      afterChunk: () => {
        chunks++;
        controller.abort();
      },
    });
    const scanRun = scan({ source, detectors: builtinDetectors, signal: controller.signal, hash: true });
    await expect((async () => {
      for await (const _ of scanRun) void _;
    })()).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(chunks).toBe(1);
    expect(await scanRun.summary).toMatchObject({ interrupted: true, files: 0 });
  });
});
