/**
 * Decompressors for compressed tars, as async generators over the parent's stream, each metered:
 * the bytes produced are counted against `maxExpandedBytes` and against `maxRatio` times the
 * compressed bytes consumed so far, and the stream stops with ERR_CONTAINER_LIMIT the moment either
 * is passed (checked at least every 64 KiB of output, so a bomb costs bounded time and memory).
 *
 * - gzip: node:zlib (multi-member streams too).
 * - zstd: node:zlib when it has zstd (Node ≥ 22.15), else fzstd (pure JS, streaming; Node 20 has no
 *   zstd). fzstd allocates the window a frame header asks for, so a first frame asking for more
 *   than {@link ZSTD_WINDOW_MAX} (the zstd CLI's own default bound) is refused.
 * - bzip2: the block decoder of unbzip2-stream (pure JS), driven here so that output is metered
 *   byte by byte; its own stream wrapper gathers a whole block (up to ~46 MB for a bomb) in a JS array.
 */
import { Readable, pipeline } from 'node:stream';
import zlib from 'node:zlib';
import { Decompress } from 'fzstd';
import bz2 from 'unbzip2-stream/lib/bzip2.js';
import bitIterator from 'unbzip2-stream/lib/bit_iterator.js';
import { SourceError } from '../../errors.js';
import type { ContainerLimits } from '../../engine/container.js';

export type Compression = 'gzip' | 'zstd' | 'bzip2';

/** Output below this is never a ratio breach: tar pads with zeros, so a tiny archive can compress 100:1. */
export const RATIO_SLACK_BYTES = 1024 * 1024;
/** Largest zstd window accepted (2^27, zstd's default `--memory` bound when decompressing). */
export const ZSTD_WINDOW_MAX = 128 * 1024 * 1024;

/** Counts compressed bytes in and decompressed bytes out; throws ERR_CONTAINER_LIMIT past a bound. */
export class Meter {
  in = 0;
  out = 0;
  constructor(private readonly limits: Pick<ContainerLimits, 'maxRatio' | 'maxExpandedBytes'>) {}
  addIn(n: number): void {
    this.in += n;
  }
  addOut(n: number): void {
    this.out += n;
    if (this.out > this.limits.maxExpandedBytes) {
      throw new SourceError('ERR_CONTAINER_LIMIT', `tar: decompressed more than maxExpandedBytes (${this.limits.maxExpandedBytes} bytes); stopped`);
    }
    if (this.out > RATIO_SLACK_BYTES && this.out > this.limits.maxRatio * this.in) {
      throw new SourceError(
        'ERR_CONTAINER_LIMIT',
        `tar: ${this.out} bytes decompressed from ${this.in} compressed bytes, more than maxRatio (${this.limits.maxRatio}:1); stopped as a decompression bomb`,
      );
    }
  }
}

/** The compression of a tar from its first bytes, or null when it starts like no compressed stream. */
export function sniffCompression(head: Uint8Array): Compression | null {
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head.length >= 4 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68 && head[3]! >= 0x31 && head[3]! <= 0x39) return 'bzip2';
  return null;
}

/** Decompresses `src` metered by `meter`. */
export function decompress(kind: Compression, src: AsyncIterable<Uint8Array>, meter: Meter): AsyncGenerator<Uint8Array> {
  switch (kind) {
    case 'gzip':
      return viaZlib(zlib.createGunzip(), src, meter);
    case 'zstd': {
      const native = (zlib as unknown as { createZstdDecompress?: () => zlib.Gunzip }).createZstdDecompress;
      return native ? viaZlib(native(), src, meter) : viaFzstd(src, meter);
    }
    case 'bzip2':
      return viaBzip2(src, meter);
  }
}

async function* viaZlib(z: zlib.Gunzip, src: AsyncIterable<Uint8Array>, meter: Meter): AsyncGenerator<Uint8Array> {
  const input = Readable.from(src, { objectMode: false, highWaterMark: 64 * 1024 });
  pipeline(input, z, () => {
    // Errors surface through the iteration of `z` below.
  });
  try {
    for await (const chunk of z as AsyncIterable<Buffer>) {
      // bytesWritten: compressed bytes the engine has consumed, not those merely buffered ahead.
      meter.in = z.bytesWritten;
      meter.addOut(chunk.length);
      yield chunk;
    }
  } finally {
    z.destroy();
    input.destroy();
  }
}

/** The window size the first zstd frame asks for, or null when the bytes are too few to tell. */
export function zstdWindow(head: Uint8Array): number | null {
  if (head.length < 6) return null;
  const fhd = head[4]!;
  const single = (fhd >> 5) & 1;
  if (!single) {
    const wd = head[5]!;
    const base = 2 ** (10 + (wd >> 3));
    return base + (base / 8) * (wd & 7);
  }
  // Reference: RFC 8878 §3.1.1.1.1 (Frame_Header_Descriptor) and §3.1.1.1.4 (Frame_Content_Size):
  // a single-segment frame's window is its content size.
  const didSize = [0, 1, 2, 4][fhd & 3]!;
  const fcsSize = [1, 2, 4, 8][fhd >> 6]!;
  const at = 5 + didSize;
  if (head.length < at + fcsSize) return null;
  let v = 0;
  for (let i = fcsSize - 1; i >= 0; i--) v = v * 256 + head[at + i]!;
  return fcsSize === 2 ? v + 256 : v;
}

async function* viaFzstd(src: AsyncIterable<Uint8Array>, meter: Meter): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  // ondata runs inside push: a throw there (a limit) stops the decoder mid-chunk.
  const d = new Decompress((chunk) => {
    meter.addOut(chunk.length);
    if (chunk.length > 0) out.push(chunk);
  });
  let first = true;
  for await (const c of src) {
    if (first && c.length > 0) {
      first = false;
      const w = zstdWindow(c);
      if (w !== null && w > ZSTD_WINDOW_MAX) throw new SourceError('ERR_CONTAINER_UNSUPPORTED', `tar: the zstd frame asks for a ${w}-byte window (limit ${ZSTD_WINDOW_MAX})`);
    }
    // Small pieces: one push of many RLE blocks would otherwise emit a lot before the next check.
    for (let i = 0; i < c.length; i += 16 * 1024) {
      const piece = c.subarray(i, i + 16 * 1024);
      meter.addIn(piece.length);
      fzstdCall(() => {
        d.push(piece);
      });
      while (out.length > 0) yield out.shift()!;
    }
  }
  fzstdCall(() => {
    d.push(new Uint8Array(0), true);
  });
  while (out.length > 0) yield out.shift()!;
}

function fzstdCall(f: () => void): void {
  try {
    f();
  } catch (err) {
    if (err instanceof SourceError) throw err;
    throw new SourceError('ERR_CONTAINER_CORRUPT', `tar: zstd stream is corrupt (${(err as Error).message})`, { cause: err });
  }
}

/** Output buffer of the bzip2 driver; flushed (and metered) whenever full and at the end of a block. */
const BZ_CHUNK = 64 * 1024;

async function* viaBzip2(src: AsyncIterable<Uint8Array>, meter: Meter): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = [];
  let have = 0;
  // Created on the first chunk: the iterator takes its first buffer as it is made.
  let bits: ReturnType<typeof bitIterator> | null = null;
  let blockSize = 0;
  let streamCrc: number | null = null;
  let started = false;
  const out: Uint8Array[] = [];
  let buf = new Uint8Array(BZ_CHUNK);
  let used = 0;
  const flush = (): void => {
    if (used === 0) return;
    meter.addOut(used);
    out.push(buf.subarray(0, used));
    buf = new Uint8Array(BZ_CHUNK);
    used = 0;
  };
  const emit = (byte: number): void => {
    buf[used++] = byte;
    if (used === BZ_CHUNK) flush();
  };
  const step = (): void => {
    try {
      if (blockSize === 0) {
        blockSize = bz2.header(bits!);
        streamCrc = 0;
        started = true;
        return;
      }
      const size = 100_000 * blockSize;
      streamCrc = bz2.decompress(bits!, emit, new Int32Array(size), size, streamCrc);
      // null: the end-of-stream marker; another stream may follow (pbzip2, lbzip2).
      if (streamCrc === null) blockSize = 0;
      flush();
    } catch (err) {
      if (err instanceof SourceError) throw err;
      throw new SourceError('ERR_CONTAINER_CORRUPT', `tar: bzip2 stream is corrupt (${(err as Error).message})`, { cause: err });
    }
  };
  for await (const c of src) {
    meter.addIn(c.length);
    queue.push(c);
    have += c.length;
    bits ??= bitIterator(() => queue.shift());
    // A block is decoded only once all of it may be buffered (a compressed block is at most ~25 kB
    // over its block size), as unbzip2-stream's own wrapper does.
    while (have - bits.bytesRead + 1 >= 25_000 + 100_000 * blockSize) {
      step();
      while (out.length > 0) yield out.shift()!;
    }
  }
  while (bits !== null && have > bits.bytesRead) {
    step();
    while (out.length > 0) yield out.shift()!;
  }
  if (!started || streamCrc !== null) throw new SourceError('ERR_CONTAINER_CORRUPT', 'tar: bzip2 stream ends before its end-of-stream marker');
}
