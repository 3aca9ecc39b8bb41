import fs from 'node:fs';

/**
 * File names that are not valid UTF-8. Node decodes names as UTF-8 and replaces bad bytes with U+FFFD,
 * so such a file could be listed but never opened again. The walker reads directories as raw bytes
 * instead, writes bad bytes as `%XX` in the name it hands on, and remembers the raw bytes of those
 * names (only those: memory grows with the number of bad names, not of files).
 */
export class RawNames {
  /** Escaped absolute path → raw absolute path bytes. */
  readonly #raw = new Map<string, Buffer>();

  /** The raw bytes to give the OS for a path the walker handed out. */
  toFs(escaped: string): string | Buffer {
    if (this.#raw.size === 0) return escaped;
    const exact = this.#raw.get(escaped);
    if (exact) return exact;
    // A child of a directory whose own name was escaped: rebuild from the longest escaped ancestor.
    let cut = escaped.lastIndexOf('/');
    while (cut > 0) {
      const dir = this.#raw.get(escaped.slice(0, cut));
      if (dir) return Buffer.concat([dir, Buffer.from(escaped.slice(cut), 'utf8')]);
      cut = escaped.lastIndexOf('/', cut - 1);
    }
    return escaped;
  }

  /** Decodes one raw name; registers it when it is not valid UTF-8. */
  name(dir: string, raw: Buffer): string {
    const text = raw.toString('utf8');
    if (!text.includes('\uFFFD') || isValidUtf8(raw)) return text;
    const escaped = escapeName(raw);
    const dirRaw = this.toFs(dir);
    const dirBytes = typeof dirRaw === 'string' ? Buffer.from(dirRaw, 'utf8') : dirRaw;
    this.#raw.set(`${dir}/${escaped}`, Buffer.concat([dirBytes, Buffer.from('/'), raw]));
    return escaped;
  }

  /** The raw bytes of an escaped absolute path, when it has any escaped part. */
  rawBytes(escaped: string): Buffer | undefined {
    const raw = this.toFs(escaped);
    return typeof raw === 'string' ? undefined : raw;
  }

  /**
   * A `fs` adapter for fast-glob that reads directories as raw bytes, and records directories it
   * cannot read (instead of fast-glob failing the whole walk or silently skipping them).
   */
  adapter(onDirError: (dir: string, err: NodeJS.ErrnoException) => void): Record<string, unknown> {
    const toFs = (p: string) => this.toFs(p);
    const readdir = (dir: string, opts: unknown, cb: (err: NodeJS.ErrnoException | null, out: unknown[]) => void) => {
      fs.readdir(toFs(dir), { withFileTypes: true, encoding: 'buffer' }, (err, dirents) => {
        if (err) {
          onDirError(dir, err);
          cb(null, []);
          return;
        }
        cb(
          null,
          dirents.map((d) => wrapDirent(d, this.name(dir, d.name))),
        );
      });
      void opts;
    };
    return {
      readdir,
      lstat: (p: string, cb: (err: Error | null, s?: fs.Stats) => void) => fs.lstat(toFs(p), cb),
      stat: (p: string, cb: (err: Error | null, s?: fs.Stats) => void) => fs.stat(toFs(p), cb),
      lstatSync: (p: string) => fs.lstatSync(toFs(p)),
      statSync: (p: string) => fs.statSync(toFs(p)),
      readdirSync: () => {
        throw new Error('synchronous walking is not used');
      },
    };
  }
}

function wrapDirent(d: fs.Dirent<Buffer>, name: string): unknown {
  return {
    name,
    isFile: () => d.isFile(),
    isDirectory: () => d.isDirectory(),
    isSymbolicLink: () => d.isSymbolicLink(),
    isFIFO: () => d.isFIFO(),
    isSocket: () => d.isSocket(),
    isBlockDevice: () => d.isBlockDevice(),
    isCharacterDevice: () => d.isCharacterDevice(),
  };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Keeps the valid UTF-8 runs of a name and writes every other byte as %XX. */
export function escapeName(raw: Buffer): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const len = utf8SequenceLength(raw, i);
    if (len > 0) {
      out += raw.subarray(i, i + len).toString('utf8');
      i += len;
    } else {
      out += `%${raw[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
      i += 1;
    }
  }
  return out;
}

function utf8SequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (len === 0 || i + len > b.length) return 0;
  return isValidUtf8(b.subarray(i, i + len)) ? len : 0;
}
