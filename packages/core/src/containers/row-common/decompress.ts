/**
 * Whole-stream decompression for the row containers (JSON Lines, CSV): gzip through Node's zlib,
 * zstd through fzstd (Node 20's zlib has no zstd), both bounded by the container limits so that a
 * decompression bomb costs bounded time and memory. Not a container.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { constants as zc, createGunzip, gunzipSync } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { SourceError } from '../../errors.js';
import type { ContainerLimits } from '../../engine/container.js';
import type { CallOptions, Entry, Source } from '../../source/types.js';

/** How a row file is compressed, by its first bytes (the name may lie: a `.gz` that is plain text is read as plain). */
export type Compression = 'none' | 'gzip' | 'zstd';

/**
 * The compression the first bytes show.
 * Reference: RFC 1952 §2.3.1 (gzip ID1 ID2 = 1f 8b, CM 8 = deflate); RFC 8878 §3.1.1 (zstd frame magic 0xFD2FB528, little-endian).
 */
export function compressionOf(head: Uint8Array): Compression {
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/**
 * Compressed bytes below which the ratio is not checked yet: the first output of a small stream may
 * well be many times its first input (a header, a dictionary warming up). At the default ratio this
 * lets 12.8 MiB out before the first check can fail, and no more.
 */
const RATIO_FLOOR = 64 * 1024;
/** Compressed input is fed in slices this long, so that one call cannot inflate far without a check. */
const SLICE = 16 * 1024;

/**
 * The decompressed bytes of `entry`, chunk by chunk, in bounded memory. Throws a SourceError:
 * `ERR_CONTAINER_LIMIT` past `limits.maxRatio` (decompressed per compressed byte, over the whole
 * stream) or `limits.maxExpandedBytes`; `ERR_CONTAINER_CORRUPT` for a damaged or truncated stream.
 * Uncompressed entries pass through unchanged and unbounded (the file is its own size).
 */
export async function* decompressed(source: Source, entry: Entry, compression: Compression, limits: ContainerLimits, opts: CallOptions = {}): AsyncGenerator<Uint8Array> {
  if (compression === 'none') {
    yield* source.stream(entry, opts);
    return;
  }
  let consumed = 0;
  let produced = 0;
  // Fed in short slices, one at a time, so that `consumed` is what the decompressor has had, not
  // what the source handed over at once (a memory source yields the whole file as one chunk).
  // Copies: the decompressor keeps input past the next read, and a source may reuse its chunk
  // buffer once the next chunk is asked for (the local source does).
  const counted = async function* () {
    for await (const chunk of source.stream(entry, opts)) {
      for (let i = 0; i < chunk.length; i += SLICE) {
        // Uint8Array#slice copies; a Buffer's own slice would not.
        const slice = Uint8Array.prototype.slice.call(chunk, i, i + SLICE);
        consumed += slice.length;
        yield slice;
      }
    }
  };
  const check = (n: number) => {
    produced += n;
    if (produced > limits.maxExpandedBytes) throw new SourceError('ERR_CONTAINER_LIMIT', `decompressed past ${limits.maxExpandedBytes} bytes (limits.maxExpandedBytes)`);
    if (produced > limits.maxRatio * Math.max(consumed, RATIO_FLOOR)) {
      throw new SourceError('ERR_CONTAINER_LIMIT', `decompresses more than ${limits.maxRatio} times its compressed size (limits.maxRatio): ${produced} bytes from ${consumed}`);
    }
  };
  if (compression === 'gzip') {
    const gunzip = createGunzip();
    // pipeline destroys both sides on an error or an early return; errors surface in the loop below.
    pipeline(Readable.from(counted(), { highWaterMark: 1 }), gunzip, () => {});
    try {
      for await (const out of gunzip as AsyncIterable<Buffer>) {
        check(out.length);
        yield out;
      }
    } catch (err) {
      if (err instanceof SourceError) throw err;
      throw new SourceError('ERR_CONTAINER_CORRUPT', `gzip stream is damaged: ${(err as Error).message}`, { cause: err });
    } finally {
      gunzip.destroy();
    }
    return;
  }
  // zstd: fzstd calls back once per block (at most 128 KiB); the check runs in the callback, so a
  // bomb stops within one block of the limit rather than after a whole input chunk has inflated.
  const out: Uint8Array[] = [];
  const z = new ZstdDecompress((block) => {
    check(block.length);
    // fzstd reuses nothing it hands out, but a block may view its window: copy to own it.
    out.push(Uint8Array.prototype.slice.call(block));
  });
  const push = (bytes: Uint8Array, final: boolean) => {
    try {
      z.push(bytes, final);
    } catch (err) {
      if (err instanceof SourceError) throw err;
      throw new SourceError('ERR_CONTAINER_CORRUPT', `zstd stream is damaged: ${(err as Error).message}`, { cause: err });
    }
  };
  let any = false;
  for await (const slice of counted()) {
    any = true;
    push(slice, false);
    while (out.length > 0) yield out.shift()!;
  }
  if (any) push(new Uint8Array(0), true);
  while (out.length > 0) yield out.shift()!;
}

/**
 * Up to `maxOut` decompressed bytes of the start of a stream, from its first compressed bytes (the
 * head the engine already read): enough to look at a header row or a first record before opening.
 * Null when the head does not decompress (damaged, or a bomb that passes `maxOut` at once).
 */
export function headText(head: Uint8Array, compression: Compression, maxOut = 1024 * 1024): Uint8Array | null {
  if (compression === 'none') return head;
  if (compression === 'gzip') {
    try {
      // Z_SYNC_FLUSH: a truncated stream gives what it has instead of an error.
      return gunzipSync(head, { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: maxOut });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        // Too much from too little: read a shorter prefix, which cannot produce as much.
        try {
          return gunzipSync(head.subarray(0, 1024), { finishFlush: zc.Z_SYNC_FLUSH, maxOutputLength: maxOut });
        } catch {
          return null;
        }
      }
      return null;
    }
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  const stop = new Error('enough');
  const z = new ZstdDecompress((block) => {
    parts.push(block.slice(0, Math.max(0, maxOut - total)));
    total += block.length;
    if (total >= maxOut) throw stop;
  });
  try {
    for (let i = 0; i < head.length && total < maxOut; i += 4096) z.push(head.subarray(i, i + 4096), false);
  } catch (err) {
    if (err !== stop && total === 0) return null;
  }
  return Buffer.concat(parts);
}
