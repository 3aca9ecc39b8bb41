// Types for the two modules of unbzip2-stream (no types published) that the bzip2 driver uses.
declare module 'unbzip2-stream/lib/bzip2.js' {
  const bzip2: {
    /** Reads the stream header (`BZh1`…`BZh9`); returns the block size in 100 kB units. */
    header(bits: (n: number | null) => number): number;
    /** Decodes one block, calling `out` per byte; returns the running stream CRC, or null at the end-of-stream marker. */
    decompress(bits: (n: number | null) => number, out: (byte: number) => void, buf: Int32Array, bufsize: number, streamCRC: number | null): number | null;
  };
  export default bzip2;
}
declare module 'unbzip2-stream/lib/bit_iterator.js' {
  /** A bit reader over buffers handed out by `next` (undefined when there are none left). */
  export default function bitIterator(next: () => Uint8Array | undefined): ((n: number | null) => number) & { bytesRead: number };
}
