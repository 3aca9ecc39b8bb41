import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import picomatch from 'picomatch';
import { ClearanceError, SourceError, recordErrorFromErrno } from '../errors.js';
import { mapConcurrent } from '../util/concurrent.js';
import { RawNames } from './fs-names.js';
import type { ByteRange, CallOptions, Entry, Source } from './types.js';

/** Options of {@link localSource}. */
export interface LocalSourceOptions {
  /** The folder to scan (or a single file). */
  root: string;
  /** Globs of relative paths to include. Default: everything, hidden files too. */
  include?: string[];
  /** Globs of relative paths to leave out. Default: none. */
  exclude?: string[];
  /**
   * Follow symbolic links. Default false: a link becomes a record with `ERR_SYMLINK_NOT_FOLLOWED`.
   * When true, links to files are read, links to folders are walked, and a link back into its own
   * ancestry becomes a record with `ERR_SYMLINK_LOOP`.
   */
  followSymlinks?: boolean;
  /** lstat calls in flight while listing. Default 64. */
  statConcurrency?: number;
}

const CHUNK = 1024 * 1024;

/**
 * The local filesystem as a Source, walked with fast-glob. Never writes: files are opened read-only,
 * without following a final symlink unless asked, and without blocking on FIFOs.
 */
export function localSource(options: LocalSourceOptions): Source {
  const root = path.resolve(options.root);
  const follow = options.followSymlinks ?? false;
  const statConcurrency = options.statConcurrency ?? 64;
  const names = new RawNames();
  const include = options.include?.length ? options.include : ['**'];
  const exclude = options.exclude ?? [];
  const isIncluded = picomatch(include, { dot: true });
  const isExcluded = exclude.length > 0 ? picomatch(exclude, { dot: true }) : () => false;
  let singleFile: string | undefined;

  const fsPath = (entry: Entry): string | Buffer => {
    if (singleFile !== undefined) return root;
    if (entry.pathBytes !== undefined) return Buffer.concat([Buffer.from(`${root}/`), Buffer.from(entry.pathBytes, 'hex')]);
    return `${root}/${entry.path}`;
  };

  async function* list(opts?: CallOptions): AsyncGenerator<Entry> {
    let rootStat: fs.Stats;
    try {
      rootStat = await fs.promises.stat(root);
    } catch (err) {
      throw new ClearanceError('ERR_SOURCE_ROOT', `[local] cannot read ${root}: ${(err as Error).message}`, { cause: err });
    }
    if (rootStat.isFile()) {
      singleFile = path.basename(root);
      yield { path: singleFile, size: rootStat.size, mtime: rootStat.mtime.toISOString() };
      return;
    }
    if (!rootStat.isDirectory()) throw new ClearanceError('ERR_SOURCE_ROOT', `[local] ${root} is neither a folder nor a file`);
    const realRoot = await fs.promises.realpath(root);
    yield* walk('', [realRoot], opts?.signal);
  }

  /** Walks one real folder (the root, or the target of a followed link at `prefix`). */
  async function* walk(prefix: string, chain: string[], signal?: AbortSignal): AsyncGenerator<Entry> {
    const base = prefix === '' ? root : `${root}/${prefix}`;
    const dirErrors: Entry[] = [];
    const stream = fg.stream(prefix === '' ? include : ['**'], {
      cwd: base,
      dot: true,
      onlyFiles: false,
      followSymbolicLinks: false,
      objectMode: true,
      stats: false,
      ignore: prefix === '' ? exclude : [],
      suppressErrors: true,
      fs: names.adapter((dir, err) => {
        const rel = relative(dir);
        const e = recordErrorFromErrno(err);
        dirErrors.push({
          path: rel,
          size: 0,
          error: { code: e.code === 'ERR_READ_FAILED' ? 'ERR_DIR_UNREADABLE' : e.code, message: `folder could not be listed: ${err.message}` },
        });
      }),
    }) as AsyncIterable<fg.Entry>;

    type Step = { entry: Entry } | { dir: string; real: string } | null;
    const describe = async (item: fg.Entry): Promise<Step> => {
      const rel = prefix === '' ? item.path : `${prefix}/${item.path}`;
      if (prefix !== '' && (!isIncluded(rel) || isExcluded(rel))) {
        if (!item.dirent.isSymbolicLink()) return null;
      }
      if (item.dirent.isDirectory()) return null;
      const abs = `${root}/${rel}`;
      const rawBytes = names.rawBytes(abs);
      const target = rawBytes ?? abs;
      const pathBytes = rawBytes ? rawBytes.subarray(Buffer.byteLength(`${root}/`)).toString('hex') : undefined;
      const withBytes = (e: Entry): Entry => (pathBytes ? { ...e, pathBytes } : e);
      if (item.dirent.isFile()) {
        try {
          const st = await fs.promises.lstat(target);
          return { entry: withBytes({ path: rel, size: st.size, mtime: st.mtime.toISOString() }) };
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
          real = await fs.promises.realpath(target);
        } catch (err) {
          const e = recordErrorFromErrno(err);
          const code = e.code === 'ERR_ENTRY_VANISHED' ? 'ERR_SYMLINK_BROKEN' : e.code;
          return { entry: withBytes({ path: rel, size: 0, error: { code, message: `symbolic link cannot be resolved: ${(err as Error).message}` } }) };
        }
        if (st.isFile()) return { entry: withBytes({ path: rel, size: st.size, mtime: st.mtime.toISOString() }) };
        if (st.isDirectory()) {
          const parentReal = await fs.promises.realpath(path.dirname(typeof target === 'string' ? target : target.toString('latin1'))).catch(() => '');
          const loops = [...chain, parentReal].some((dir) => dir === real || dir.startsWith(`${real}/`));
          if (loops) {
            return { entry: withBytes({ path: rel, size: 0, error: { code: 'ERR_SYMLINK_LOOP', message: `symbolic link points back into its own ancestry (${real}); not walked again` } }) };
          }
          return { dir: rel, real };
        }
        return { entry: withBytes({ path: rel, size: 0, error: { code: 'ERR_NOT_REGULAR_FILE', message: 'symbolic link to something that is not a file or folder' } }) };
      }
      return { entry: withBytes({ path: rel, size: 0, error: { code: 'ERR_NOT_REGULAR_FILE', message: 'not a regular file (FIFO, socket or device); not read' } }) };
    };

    for await (const step of mapConcurrent(stream, statConcurrency, describe, signal)) {
      while (dirErrors.length > 0) yield dirErrors.shift()!;
      if (step === null) continue;
      if ('entry' in step) yield step.entry;
      else yield* walk(step.dir, [...chain, step.real], signal);
    }
    while (dirErrors.length > 0) yield dirErrors.shift()!;
  }

  function relative(absDir: string): string {
    const rel = path.relative(root, absDir).split(path.sep).join('/');
    return rel === '' ? '.' : rel;
  }

  async function open(entry: Entry): Promise<{ fd: number; stat: fs.Stats }> {
    const flags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (follow ? 0 : fs.constants.O_NOFOLLOW);
    const fd = await new Promise<number>((resolve, reject) =>
      fs.open(fsPath(entry), flags, (err, fd) => (err ? reject(recordErrorFromErrno(err)) : resolve(fd))),
    );
    try {
      const stat = await fstat(fd);
      if (!stat.isFile()) throw new SourceError('ERR_NOT_REGULAR_FILE', 'not a regular file; not read');
      return { fd, stat };
    } catch (err) {
      await close(fd);
      throw err;
    }
  }

  async function read(entry: Entry, range: ByteRange, opts?: CallOptions): Promise<Uint8Array> {
    opts?.signal?.throwIfAborted();
    const { fd } = await open(entry);
    try {
      const want = Math.max(0, range.end - range.start);
      const buf = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const n = await readAt(fd, buf, got, want - got, range.start + got);
        if (n === 0) break;
        got += n;
      }
      return got === want ? buf : buf.subarray(0, got);
    } finally {
      await close(fd);
    }
  }

  async function* stream(entry: Entry, opts?: CallOptions): AsyncGenerator<Uint8Array> {
    const { fd, stat } = await open(entry);
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      let pos = 0;
      while (true) {
        opts?.signal?.throwIfAborted();
        const n = await readAt(fd, buf, 0, CHUNK, pos);
        if (n === 0) break;
        pos += n;
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

  return { name: 'local', location: root, list, read, stream };
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
