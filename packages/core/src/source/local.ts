import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import picomatch from 'picomatch';
import { ClearanceError, SourceError, recordErrorFromErrno } from '../errors.js';
import { mapConcurrent } from '../util/concurrent.js';
import { RawNames } from './fs-names.js';
import { SyncIoPool, errnoError, type SyncStat } from './sync-io.js';
import type { ByteRange, CallOptions, Entry, ListOptions, Source } from './types.js';

/** Options of {@link localSource}. */
export interface LocalSourceOptions {
  /** The folder to scan (or a single file). */
  root: string;
  /**
   * Globs of relative paths to include; a pattern starting with `!` leaves paths out, as in fast-glob.
   * Default: everything, hidden files too. Matched on the path as listed, below followed links too
   * (`docs/a.txt` for a link `docs`).
   */
  include?: string[];
  /** Globs of relative paths to leave out. Default: none. */
  exclude?: string[];
  /**
   * Follow symbolic links. Default false: a link becomes a record with `ERR_SYMLINK_NOT_FOLLOWED`.
   * When true, links to files are read, links to folders are walked (unless excluded), a link back
   * into its own ancestry becomes a record with `ERR_SYMLINK_LOOP`, a dangling one `ERR_SYMLINK_BROKEN`.
   * A root given as a link is always followed.
   */
  followSymlinks?: boolean;
  /** lstat calls in flight while listing. Default 64. */
  statConcurrency?: number;
  /**
   * Worker threads that stat and read small files with synchronous calls, in batches (see sync-io.ts):
   * several times cheaper per file than the thread-pool round trips of the callback API. Default 2;
   * 0 uses the callback API for everything. Reads larger than 1 MiB and streams always use the callback API.
   */
  ioThreads?: number;
}

/** Reads up to this many bytes go through the worker threads. */
const SYNC_READ_MAX = 1024 * 1024;

const CHUNK = 1024 * 1024;

/**
 * The local filesystem as a Source, walked with fast-glob. Never writes: files are opened read-only,
 * without following a final symlink unless asked, and without blocking on FIFOs. `read` and `stream`
 * refuse with `ERR_CHANGED_DURING_READ` a file whose size or mtime is no longer the one listed, or
 * that changes while it is read. A root that does not exist or cannot be listed throws `ERR_SOURCE_ROOT`.
 */
export function localSource(options: LocalSourceOptions): Source {
  const root = path.resolve(options.root);
  const follow = options.followSymlinks ?? false;
  const statConcurrency = options.statConcurrency ?? 64;
  const ioThreads = options.ioThreads ?? 2;
  if (!Number.isInteger(ioThreads) || ioThreads < 0) throw new ClearanceError('ERR_INVALID_OPTION', `ioThreads must be a non-negative integer, got ${ioThreads}`);
  let pool: SyncIoPool | undefined;
  const io = () => (ioThreads === 0 ? undefined : (pool ??= new SyncIoPool(ioThreads)));
  const lstat = async (target: string | Buffer): Promise<SyncStat> => {
    const p = io();
    if (p) return p.lstat(target);
    const st = await fs.promises.lstat(target);
    return { size: st.size, mtimeMs: st.mtimeMs, isFile: st.isFile() };
  };
  const names = new RawNames();
  const include = options.include?.length ? options.include : ['**'];
  const exclude = options.exclude ?? [];
  // fast-glob reads `!pattern` in include as a negation; picomatch would read it as "anything but",
  // which OR-ed with the rest matches everything. Split them so both agree.
  const positive = include.filter((p) => !p.startsWith('!'));
  const leftOut = [...exclude, ...include.filter((p) => p.startsWith('!')).map((p) => p.slice(1))];
  const isIncluded = picomatch(positive.length > 0 ? positive : ['**'], { dot: true });
  const isExcluded = leftOut.length > 0 ? picomatch(leftOut, { dot: true }) : () => false;
  /** Set when the root is a file: its real path, so that a root given as a link to a file is read through. */
  let singleFile: string | undefined;

  const fsPath = (entry: Entry): string | Buffer => {
    if (singleFile !== undefined) return singleFile;
    if (entry.pathBytes !== undefined) return Buffer.concat([Buffer.from(`${root}/`), Buffer.from(entry.pathBytes, 'hex')]);
    return `${root}/${entry.path}`;
  };

  async function* list(opts?: ListOptions): AsyncGenerator<Entry> {
    let rootStat: fs.Stats;
    try {
      rootStat = await fs.promises.stat(root);
    } catch (err) {
      throw new ClearanceError('ERR_SOURCE_ROOT', `[local] cannot read ${root}: ${(err as Error).message}`, { cause: err });
    }
    if (rootStat.isFile()) {
      // The user named this file, so a link given as the root is followed whatever followSymlinks says
      // (as a root folder given as a link is walked); open() would otherwise refuse it with O_NOFOLLOW.
      singleFile = await fs.promises.realpath(root);
      yield { path: path.basename(root), size: rootStat.size, mtime: rootStat.mtime.toISOString() };
      return;
    }
    if (!rootStat.isDirectory()) throw new ClearanceError('ERR_SOURCE_ROOT', `[local] ${root} is neither a folder nor a file`);
    // A root that cannot be listed is a bad run, not a bad file: without this, the walker would turn it
    // into one record named "." and the scan would "succeed" with nothing in it.
    try {
      const dir = await fs.promises.opendir(root);
      await dir.close();
    } catch (err) {
      throw new ClearanceError('ERR_SOURCE_ROOT', `[local] cannot list ${root}: ${(err as Error).message}`, { cause: err });
    }
    const realRoot = await realpathLatin1(root);
    yield* walk('', [realRoot], opts?.signal, opts?.want);
  }

  /**
   * Walks one folder: the root, or the target of a followed link at `prefix`. `chain` holds the real
   * paths (as latin1 strings, one char per byte, so that names that are not UTF-8 compare exactly) of
   * the folders walked so far, to tell a link back into its own ancestry.
   */
  async function* walk(prefix: string, chain: string[], signal?: AbortSignal, want?: (path: string) => boolean): AsyncGenerator<Entry> {
    const base = prefix === '' ? root : `${root}/${prefix}`;
    const dirErrors: Entry[] = [];
    // Include and exclude are matched here, on the path as listed, at every level alike (below
    // followed links too: `docs` → `docs/a.txt` for `**/*.txt`); excluded folders are not entered.
    const adapter = names.adapter((dir, err) => {
      const rel = relative(dir);
      const e = recordErrorFromErrno(err);
      const rawBytes = names.rawBytes(dir);
      dirErrors.push({
        path: rel,
        ...(rawBytes ? { pathBytes: relativeBytes(rawBytes) } : {}),
        size: 0,
        // One code for every folder that cannot be listed, so that a folder is never taken for a file; the cause is in the message.
        error: { code: 'ERR_DIR_UNREADABLE', message: `folder could not be listed (${e.code}): ${err.message}` },
      });
    });

    type Step = { entry: Entry } | { sub: string } | { dir: string; ancestors: string[] } | null;
    const describe = async (item: fg.Entry): Promise<Step> => {
      const rel = prefix === '' ? item.path : `${prefix}/${item.path}`;
      if (item.dirent.isDirectory()) return isExcluded(rel) ? null : { sub: item.path };
      const wanted = isIncluded(rel) && !isExcluded(rel);
      // A link is decided once its target is known: a folder is walked unless excluded.
      if (!wanted && !item.dirent.isSymbolicLink()) return null;
      const abs = `${root}/${rel}`;
      const rawBytes = names.rawBytes(abs);
      const target = rawBytes ?? abs;
      const pathBytes = rawBytes ? relativeBytes(rawBytes) : undefined;
      const withBytes = (e: Entry): Entry => (pathBytes ? { ...e, pathBytes } : e);
      if (item.dirent.isFile()) {
        // Files the caller does not want are not even stat'ed.
        if (want && !want(rel)) return null;
        try {
          const st = await lstat(target);
          return { entry: withBytes({ path: rel, size: st.size, mtime: new Date(Math.round(st.mtimeMs)).toISOString() }) };
        } catch (err) {
          const e = recordErrorFromErrno(err);
          return { entry: withBytes({ path: rel, size: 0, error: { code: e.code, message: e.message } }) };
        }
      }
      if (item.dirent.isSymbolicLink()) {
        if (!follow) {
          return {
            entry: withBytes({ path: rel, size: 0, error: { code: 'ERR_SYMLINK_NOT_FOLLOWED', message: 'symbolic link not followed; scan with followSymlinks (--follow-symlinks) to read its target' } }),
          };
        }
        let st: fs.Stats;
        let real: string;
        try {
          st = await fs.promises.stat(target);
          real = await realpathLatin1(target);
        } catch (err) {
          if (!wanted) return null;
          const e = recordErrorFromErrno(err);
          const code = e.code === 'ERR_ENTRY_VANISHED' ? 'ERR_SYMLINK_BROKEN' : e.code;
          return { entry: withBytes({ path: rel, size: 0, error: { code, message: `symbolic link cannot be resolved: ${(err as Error).message}` } }) };
        }
        if (st.isFile()) return wanted ? { entry: withBytes({ path: rel, size: st.size, mtime: st.mtime.toISOString() }) } : null;
        if (st.isDirectory()) {
          if (isExcluded(rel)) return null;
          // The link's own folder is an ancestor too, and may lie outside every folder walked so far.
          const rawTarget = typeof target === 'string' ? Buffer.from(target) : target;
          const parent = Buffer.from(path.posix.dirname(rawTarget.toString('latin1')), 'latin1');
          const parentReal = await realpathLatin1(parent).catch(() => null);
          const loops = [...chain, ...(parentReal === null ? [] : [parentReal])].some((dir) => isSameOrInside(dir, real));
          if (loops) {
            const shown = Buffer.from(real, 'latin1').toString('utf8');
            return { entry: withBytes({ path: rel, size: 0, error: { code: 'ERR_SYMLINK_LOOP', message: `symbolic link points back into its own ancestry (${shown}); not walked again` } }) };
          }
          // Below the link, its own folder counts as an ancestor as much as the target does: with only
          // the targets, a cycle of two links (a/l1 → b, b/l2 → a) would be walked round once more.
          return { dir: rel, ancestors: parentReal === null ? [real] : [parentReal, real] };
        }
        if (!wanted) return null;
        return { entry: withBytes({ path: rel, size: 0, error: { code: 'ERR_NOT_REGULAR_FILE', message: 'symbolic link to something that is not a file or folder' } }) };
      }
      return { entry: withBytes({ path: rel, size: 0, error: { code: 'ERR_NOT_REGULAR_FILE', message: 'not a regular file (FIFO, socket or device); not read' } }) };
    };

    // Folders still to list, depth first, one at a time: fast-glob lists each (`deep: 1`) and the
    // walk goes on only as the caller takes entries, so memory follows the widest folder and the
    // depth of the tree, not the number of files (a whole-tree fast-glob stream has no backpressure).
    const pending: string[] = [''];
    while (pending.length > 0) {
      const dir = pending.pop()!;
      const listing = fg.stream(['*'], {
        cwd: dir === '' ? base : `${base}/${dir}`,
        deep: 1,
        dot: true,
        onlyFiles: false,
        followSymbolicLinks: false,
        objectMode: true,
        stats: false,
        suppressErrors: true,
        fs: adapter,
      }) as AsyncIterable<fg.Entry>;
      const items = rebase(listing, dir);
      const subdirs: string[] = [];
      for await (const step of mapConcurrent(items, statConcurrency, describe, signal)) {
        while (dirErrors.length > 0) yield dirErrors.shift()!;
        if (step === null) continue;
        if ('entry' in step) yield step.entry;
        else if ('sub' in step) subdirs.push(step.sub);
        else yield* walk(step.dir, [...chain, ...step.ancestors], signal, want);
      }
      while (dirErrors.length > 0) yield dirErrors.shift()!;
      for (let i = subdirs.length - 1; i >= 0; i--) pending.push(subdirs[i]!);
    }
  }

  /** Hex of the raw bytes of a path below the root, without the root. */
  function relativeBytes(raw: Buffer): string {
    return raw.subarray(Buffer.byteLength(`${root}/`)).toString('hex');
  }

  function relative(absDir: string): string {
    const rel = path.relative(root, absDir).split(path.sep).join('/');
    return rel === '' ? '.' : rel;
  }

  /** Opens without following a final link (unless asked), without blocking on a FIFO, and without touching atime. */
  function openFd(entry: Entry): Promise<number> {
    return new Promise<number>((resolve, reject) =>
      // O_NOATIME keeps even the access time of the dataset untouched where the OS allows it (the
      // file's owner, or root); elsewhere it fails with EPERM and the file is opened without it.
      openNoAtime(fsPath(entry), openFlags, (err, fd) => (err ? reject(openFailure(err)) : resolve(fd))),
    );
  }

  /** The open file must be a regular file, and the version that was listed. */
  function checkListed(entry: Entry, stat: fs.Stats | SyncStat): void {
    const isFile = typeof stat.isFile === 'function' ? stat.isFile() : stat.isFile;
    if (!isFile) throw new SourceError('ERR_NOT_REGULAR_FILE', 'not a regular file; not read');
    // The record will carry the listed size and mtime beside a hash of these bytes: they must be the same file version.
    // Rounded as Node rounds fs.Stats#mtime, so both paths give the same instant.
    const mtime = new Date(Math.round(stat.mtimeMs)).toISOString();
    if (entry.mtime !== undefined && (stat.size !== entry.size || mtime !== entry.mtime)) {
      throw new SourceError('ERR_CHANGED_DURING_READ', `the file changed after it was listed (size ${entry.size} → ${stat.size}, mtime ${entry.mtime} → ${mtime})`);
    }
  }

  /** The flags every open uses: read-only, no final link unless asked, no blocking on a FIFO. */
  const openFlags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (follow ? 0 : fs.constants.O_NOFOLLOW);

  function openFailure(err: NodeJS.ErrnoException): SourceError {
    // O_NOFOLLOW fails with ELOOP on a link: the file was swapped for a link after it was listed.
    if (!follow && err.code === 'ELOOP') return new SourceError('ERR_SYMLINK_NOT_FOLLOWED', 'the file was replaced by a symbolic link after it was listed; not followed', { cause: err });
    return recordErrorFromErrno(err);
  }

  async function open(entry: Entry): Promise<{ fd: number; stat: fs.Stats }> {
    const fd = await openFd(entry);
    try {
      const stat = await fstat(fd);
      checkListed(entry, stat);
      return { fd, stat };
    } catch (err) {
      await close(fd);
      throw err;
    }
  }

  /**
   * Open, read, one fstat, close: four calls to the thread pool per small file. The fstat after the
   * read checks at once that this is a regular file, the listed version, and unchanged while read
   * (any write moves mtime); a short read ends the loop, since a regular file reads short only at EOF.
   */
  async function read(entry: Entry, range: ByteRange, opts?: CallOptions): Promise<Uint8Array> {
    opts?.signal?.throwIfAborted();
    if (!Number.isSafeInteger(range.start) || range.start < 0 || !Number.isSafeInteger(range.end)) {
      // A negative position would make fs.read read from the file's current offset instead.
      throw new RangeError(`[clearance] [local] invalid byte range ${range.start}..${range.end}`);
    }
    // One byte more than the listed size is enough to show that the file grew; never allocate more than that.
    const want = Math.max(0, Math.min(range.end, entry.size + 1) - range.start);
    const p = want <= SYNC_READ_MAX ? io() : undefined;
    if (p) {
      // The same sequence on a worker: open, read, fstat, close.
      const r = await p.read(fsPath(entry), openFlags, range.start, want);
      if (r.openError) throw openFailure(errnoError(r.openError));
      if (r.statError) throw recordErrorFromErrno(errnoError(r.statError));
      checkListed(entry, r.stat!);
      if (r.readError) throw recordErrorFromErrno(errnoError(r.readError));
      return r.bytes;
    }
    const fd = await openFd(entry);
    try {
      // Not allocUnsafe: a small one is a slice of a shared pool, and `.buffer` would expose other files' bytes.
      const buf = Buffer.allocUnsafeSlow(want);
      let got = 0;
      let readError: unknown;
      try {
        while (got < want) {
          const asked = want - got;
          const n = await readAt(fd, buf, got, asked, range.start + got);
          got += n;
          if (n < asked) break;
        }
      } catch (err) {
        readError = err;
      }
      checkListed(entry, await fstat(fd));
      if (readError !== undefined) throw recordErrorFromErrno(readError);
      return got === want ? buf : buf.subarray(0, got);
    } finally {
      await close(fd);
    }
  }

  async function* stream(entry: Entry, opts?: CallOptions): AsyncGenerator<Uint8Array> {
    const { fd, stat } = await open(entry);
    try {
      const buf = Buffer.allocUnsafeSlow(CHUNK);
      let pos = 0;
      while (true) {
        opts?.signal?.throwIfAborted();
        const n = await readAt(fd, buf, 0, CHUNK, pos);
        if (n === 0) break;
        pos += n;
        // Stop at once on a file that keeps growing (a log being written) instead of chasing its end.
        if (pos > stat.size) throw new SourceError('ERR_CHANGED_DURING_READ', `the file grew while it was read (${stat.size} bytes when opened)`);
        // The chunk is only valid until the next one is asked for: the buffer is reused.
        yield buf.subarray(0, n);
      }
      const after = await fstat(fd);
      if (after.size !== stat.size || after.mtimeMs !== stat.mtimeMs || pos !== stat.size) {
        throw new SourceError('ERR_CHANGED_DURING_READ', `the file changed while it was read (size ${stat.size} → ${after.size}, ${pos} bytes read)`);
      }
    } finally {
      await close(fd);
    }
  }

  async function closeSource(): Promise<void> {
    const p = pool;
    pool = undefined;
    await p?.close();
  }

  return { name: 'local', location: root, list, read, stream, close: closeSource };
}

/** A folder's fast-glob entries with paths relative to the walk's base instead of the folder. */
async function* rebase(entries: AsyncIterable<fg.Entry>, dir: string): AsyncGenerator<fg.Entry> {
  for await (const e of entries) yield dir === '' ? e : { ...e, path: `${dir}/${e.path}` };
}

/** Real path as a latin1 string: one char per byte, so that names that are not UTF-8 stay distinct. */
async function realpathLatin1(p: string | Buffer): Promise<string> {
  return (await fs.promises.realpath(p, { encoding: 'buffer' })).toString('latin1');
}

/** Whether `dir` is `ancestor` or lies below it. */
function isSameOrInside(dir: string, ancestor: string): boolean {
  return dir === ancestor || dir.startsWith(ancestor.endsWith('/') ? ancestor : `${ancestor}/`);
}

const NOATIME = (fs.constants as { O_NOATIME?: number }).O_NOATIME ?? 0;

function openNoAtime(target: string | Buffer, flags: number, cb: (err: NodeJS.ErrnoException | null, fd: number) => void): void {
  if (NOATIME === 0) return fs.open(target, flags, cb);
  fs.open(target, flags | NOATIME, (err, fd) => {
    if (err?.code === 'EPERM') fs.open(target, flags, cb);
    else cb(err, fd);
  });
}

function fstat(fd: number): Promise<fs.Stats> {
  return new Promise((resolve, reject) => fs.fstat(fd, (err, st) => (err ? reject(recordErrorFromErrno(err)) : resolve(st))));
}

function close(fd: number): Promise<void> {
  return new Promise((resolve) => fs.close(fd, () => resolve()));
}

function readAt(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.read(fd, buf, offset, length, position, (err, n) => (err ? reject(recordErrorFromErrno(err)) : resolve(n))),
  );
}
