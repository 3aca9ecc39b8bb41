/**
 * A compressed tar, which cannot be read at random: the parent is streamed through its
 * decompressor into tar-stream, one pass per listing. Each member is held in memory up to
 * `limits.maxMemberBytes` so that detectors can read it; a larger member is hashed as it passes
 * (`Entry.sha256`) and only its first and last {@link STREAM_WINDOW_BYTES} are kept, reads elsewhere
 * failing with ERR_MEMBER_NOT_HELD. The held bytes hang on the listed Entry object itself, so they
 * live exactly as long as the engine keeps the entry (up to the members in flight), and the
 * listing itself moves on only when its consumer pulls the next member.
 */
import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import { SourceError } from '../../errors.js';
import { STREAM_WINDOW_BYTES, type ContainerInput } from '../../engine/container.js';
import type { ByteRange, CallOptions, Entry } from '../../source/types.js';
import { decompress, Meter, type Compression } from './decompress.js';
import { hasSparsePax, memberEntry, sampleKey, samples, SAMPLE_MAX_MEMBERS, SIDECAR_MAX_BYTES, type Pending } from './members.js';

const HELD = Symbol('clearance.tar.held');

interface Held {
  owner: object;
  /** The whole member, when it fits in maxMemberBytes. */
  whole?: Uint8Array;
  head?: Uint8Array;
  tail?: Uint8Array;
}

interface HeldEntry extends Entry {
  [HELD]?: Held;
}

/** tar-stream's type names, back to the typeflags the shared member code speaks. */
const FLAGS: Record<string, string> = {
  file: '0',
  'contiguous-file': '7',
  link: '1',
  symlink: '2',
  'character-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

export function streamedTar(input: ContainerInput, compression: Compression, report: (message: string) => void) {
  const owner = {};
  const { maxMemberBytes } = input.limits;

  async function* members(opts: CallOptions): AsyncGenerator<Pending> {
    const meter = new Meter(input.limits);
    const plain = decompress(compression, input.source.stream(input.entry, opts), meter);
    // tar-stream's published types omit its own options (lib: extract.js reads both).
    const extract = tar.extract({ allowUnknownFormat: true, filenameEncoding: 'latin1' } as Parameters<typeof tar.extract>[0]);
    let failure: unknown = null;
    // Feeds decompressed bytes to tar-stream as fast as it takes them, which is as fast as members are pulled.
    const pump = (async () => {
      try {
        for await (const chunk of plain) {
          if (extract.destroyed) break;
          if (!extract.write(chunk)) {
            await new Promise<void>((resolve) => {
              const done = (): void => {
                extract.off('drain', done);
                extract.off('close', done);
                resolve();
              };
              extract.on('drain', done);
              extract.on('close', done);
            });
          }
        }
        if (!extract.destroyed) (extract as unknown as { end(): void }).end();
      } catch (err) {
        failure = err;
        extract.destroy(err as Error);
      }
    })();
    try {
      for await (const m of extract) {
        opts.signal?.throwIfAborted();
        const h = m.header;
        const pax = (h.pax ?? {}) as Record<string, string | undefined>;
        const entry: HeldEntry | null = memberEntry({
          // A PAX path is UTF-8 text; other names were decoded as latin1, i.e. byte for byte.
          name: pax.path !== undefined ? pax.path : Buffer.from(h.name, 'latin1'),
          type: (h.type !== null && FLAGS[h.type]) || '?',
          size: h.size ?? 0,
          mtimeSeconds: pax.mtime !== undefined && /^-?[0-9]+(\.[0-9]+)?$/.test(pax.mtime) ? Number(pax.mtime) : h.mtime ? h.mtime.getTime() / 1000 : null,
          ...(hasSparsePax(pax as Record<string, string>) ? { unsupported: 'a GNU sparse file (PAX sparse map), which is not read' } : {}),
        });
        if (entry === null || entry.error !== undefined) {
          // Skipped data still has to pass through tar-stream to reach the next header.
          for await (const skipped of m as unknown as AsyncIterable<Uint8Array>) void skipped;
          if (entry !== null) yield { entry, held: 0 };
          continue;
        }
        const held = await hold(m as unknown as AsyncIterable<Uint8Array>, entry.size);
        entry.sha256 = held.sha256;
        entry[HELD] = held.held;
        const item: Pending = { entry, held: held.bytes };
        const whole = held.held.whole;
        if (whole !== undefined && whole.length <= SIDECAR_MAX_BYTES && sampleKey(entry.path).ext.toLowerCase() === 'json') {
          item.bytes = () => Promise.resolve(whole);
        }
        yield item;
      }
    } catch (err) {
      throw asSourceError(failure ?? err);
    } finally {
      if (!extract.destroyed) extract.destroy();
      await pump;
    }
    if (failure !== null) throw asSourceError(failure);
  }

  async function hold(m: AsyncIterable<Uint8Array>, size: number): Promise<{ held: Held; sha256: string; bytes: number }> {
    const hash = createHash('sha256');
    if (size <= maxMemberBytes) {
      const chunks: Uint8Array[] = [];
      for await (const c of m) {
        hash.update(c);
        chunks.push(c);
      }
      // A copy of exactly the member: the chunks are views of larger decompressed buffers.
      const whole = Buffer.concat(chunks);
      return { held: { owner, whole }, sha256: hash.digest('hex'), bytes: whole.length };
    }
    const head = new Uint8Array(Math.min(STREAM_WINDOW_BYTES, size));
    let headUsed = 0;
    let tail: Uint8Array[] = [];
    let tailBytes = 0;
    for await (const c of m) {
      hash.update(c);
      if (headUsed < head.length) {
        const n = Math.min(head.length - headUsed, c.length);
        head.set(c.subarray(0, n), headUsed);
        headUsed += n;
      }
      tail.push(c);
      tailBytes += c.length;
      while (tail.length > 1 && tailBytes - tail[0]!.length >= STREAM_WINDOW_BYTES) tailBytes -= tail.shift()!.length;
    }
    const joined = Buffer.concat(tail);
    tail = [];
    const tailCopy = Uint8Array.prototype.slice.call(joined, Math.max(0, joined.length - STREAM_WINDOW_BYTES));
    return { held: { owner, head, tail: tailCopy }, sha256: hash.digest('hex'), bytes: head.length + tailCopy.length };
  }

  function heldOf(entry: Entry): Held {
    const h = (entry as HeldEntry)[HELD];
    if (h === undefined || h.owner !== owner) {
      throw new SourceError('ERR_MEMBER_NOT_HELD', `tar: ${entry.path} is not held by this listing of the compressed archive`);
    }
    return h;
  }

  async function read(entry: Entry, range: ByteRange): Promise<Uint8Array> {
    const h = heldOf(entry);
    const start = Math.max(0, Math.min(range.start, entry.size));
    const end = Math.max(start, Math.min(range.end, entry.size));
    if (h.whole !== undefined) return h.whole.subarray(start, end);
    if (end <= h.head!.length) return h.head!.subarray(start, end);
    const tailStart = entry.size - h.tail!.length;
    if (start >= tailStart) return h.tail!.subarray(start - tailStart, end - tailStart);
    throw new SourceError(
      'ERR_MEMBER_NOT_HELD',
      `tar: bytes ${start}-${end} of ${entry.path} (${entry.size} bytes, more than maxMemberBytes) passed by in the compressed stream; only its first and last ${STREAM_WINDOW_BYTES} bytes are kept`,
    );
  }

  async function* stream(entry: Entry): AsyncGenerator<Uint8Array> {
    const h = heldOf(entry);
    if (h.whole === undefined) {
      throw new SourceError('ERR_MEMBER_NOT_HELD', `tar: ${entry.path} (${entry.size} bytes) is larger than maxMemberBytes; only its first and last bytes are kept (its sha256 is on the entry)`);
    }
    yield h.whole;
  }

  function list(opts: CallOptions = {}): AsyncIterable<Entry> {
    return samples(members(opts), { maxMembers: SAMPLE_MAX_MEMBERS, maxHeld: 4 * maxMemberBytes, problem: report });
  }

  return { list, read, stream };
}

function asSourceError(err: unknown): Error {
  if (err instanceof SourceError) return err;
  if (err instanceof Error && err.name === 'AbortError') return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SourceError('ERR_CONTAINER_CORRUPT', `tar: the compressed archive is corrupt or truncated (${message})`, { cause: err });
}
