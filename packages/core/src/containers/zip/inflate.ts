/**
 * Inflating one deflated member, fed by ranged reads and stopped as soon as enough is produced.
 *
 * yauzl can inflate a member too (`openReadStream`), but destroying its stream early — which is what
 * reading the first 4 KiB of a large member means — leaves its inflater open (yauzl's own note,
 * issue #27), and the engine does that for nearly every large member. Here the inflater is node:zlib,
 * closed in a `finally`, and yauzl's `validateEntrySizes` check is kept: a member that inflates past
 * its declared size, or ends short of it, is `ERR_CONTAINER_CORRUPT`.
 *
 * Reference: RFC 1951 (raw deflate, as ZIP method 8 stores it: APPNOTE 4.4.5).
 */
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import { SourceError } from '../../errors.js';

/** Output chunks of the inflater. */
const CHUNK = 64 * 1024;

/**
 * Inflates compressed `chunks`, yielding output until `need` bytes came out (or all of it, for
 * `Infinity`). Output past `declared` bytes, a stream that ends short of `declared` when all was
 * asked for, and damaged data all throw ERR_CONTAINER_CORRUPT naming `name`.
 */
export async function* inflateChunks(chunks: AsyncIterable<Uint8Array>, declared: number, need: number, name: string): AsyncGenerator<Uint8Array> {
  const inflate = createInflateRaw({ chunkSize: CHUNK });
  const out: Uint8Array[] = [];
  let produced = 0;
  // A box, not a variable: the handlers set it, and TypeScript does not see closures assign.
  const failed: { error: Error | null } = { error: null };
  let ended = false;
  let wake: (() => void) | null = null;
  const settle = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  inflate.on('data', (c: Buffer) => {
    produced += c.length;
    if (produced > declared) {
      failed.error = new SourceError('ERR_CONTAINER_CORRUPT', `${name}: inflates past its declared size of ${declared} bytes`);
      inflate.pause();
    } else out.push(c);
    // Enough (or too much): stop feeding at once, whatever the current input chunk still holds.
    if (produced >= need || failed.error) settle();
  });
  inflate.on('error', (err: Error & { code?: string }) => {
    failed.error = new SourceError('ERR_CONTAINER_CORRUPT', `${name}: deflate data is damaged (${err.code ?? err.message})`, { cause: err });
    settle();
  });
  inflate.on('end', () => {
    ended = true;
    settle();
  });
  const drain = function* (): Generator<Uint8Array> {
    while (out.length > 0) yield out.shift()!;
  };
  try {
    for await (const chunk of chunks) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        inflate.write(chunk, () => settle());
      });
      if (failed.error) throw failed.error;
      yield* drain();
      if (produced >= need) return;
      if (ended) break;
    }
    if (!ended) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        inflate.end();
      });
    }
    if (failed.error) throw failed.error;
    yield* drain();
    // The stream is over before what was asked for: short of the declared size (which bounds `need`).
    if (produced < declared && produced < need) throw new SourceError('ERR_CONTAINER_CORRUPT', `${name}: inflates to ${produced} bytes, fewer than its declared ${declared}`);
  } finally {
    inflate.destroy();
  }
}

/**
 * Inflates a small member at once (a stream per member costs more than the inflating): at most
 * `declared` bytes out, and exactly that many, or ERR_CONTAINER_CORRUPT.
 */
export function inflateSmall(compressed: Uint8Array, declared: number, name: string): Uint8Array {
  let out: Buffer;
  try {
    out = inflateRawSync(compressed, { maxOutputLength: Math.max(1, declared) });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new SourceError('ERR_CONTAINER_CORRUPT', `${name}: inflates past its declared size of ${declared} bytes`, { cause: err });
    throw new SourceError('ERR_CONTAINER_CORRUPT', `${name}: deflate data is damaged (${code ?? (err as Error).message})`, { cause: err });
  }
  if (out.length !== declared) throw new SourceError('ERR_CONTAINER_CORRUPT', `${name}: inflates to ${out.length} bytes, not its declared ${declared}`);
  return out;
}
