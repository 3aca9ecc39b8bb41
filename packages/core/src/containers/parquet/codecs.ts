/**
 * Decompressors for the Parquet codecs hyparquet does not carry itself (it does SNAPPY). Each
 * writes at most `outputLength` bytes, the page header's declared size, which the page walk in
 * footer.ts has already bounded; hyparquet then checks the length matches.
 *
 * GZIP and BROTLI use node:zlib (native, fast); ZSTD (Node 20's zlib has none), LZ4 and LZ4_RAW
 * come from hyparquet-compressors (fzstd and a small LZ4 block decoder), loaded only when a file
 * uses them.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Compressors } from 'hyparquet';
import { SourceError } from '../../errors.js';

/** Codecs Clearance reads. LZO (deprecated in the format, no maintained JS decoder) is not one. */
export const READABLE_CODECS: ReadonlySet<string> = new Set(['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'ZSTD', 'LZ4', 'LZ4_RAW']);

const base: Compressors = {
  GZIP: (input, outputLength) => gunzipSync(input, { maxOutputLength: Math.max(1, outputLength) }),
  BROTLI: (input, outputLength) => brotliDecompressSync(input, { maxOutputLength: Math.max(1, outputLength) }),
};

let extra: Promise<Compressors> | null = null;

/**
 * The decompressors for a set of codecs; loads hyparquet-compressors the first time ZSTD or LZ4
 * is needed.
 *
 * @throws SourceError ERR_CONTAINER_UNSUPPORTED for a codec Clearance cannot read.
 */
export async function compressorsFor(codecs: Iterable<string>): Promise<Compressors> {
  let needExtra = false;
  for (const codec of codecs) {
    if (!READABLE_CODECS.has(codec)) throw new SourceError('ERR_CONTAINER_UNSUPPORTED', `Parquet: ${String(codec).slice(0, 40)} compression is not supported`);
    if (codec === 'ZSTD' || codec === 'LZ4' || codec === 'LZ4_RAW') needExtra = true;
  }
  if (!needExtra) return base;
  extra ??= import('hyparquet-compressors').then((m) => ({
    ...base,
    // fzstd writes into the buffer it is given and stops at its end.
    ZSTD: (input: Uint8Array, outputLength: number) => m.decompressZstd(input, new Uint8Array(outputLength)),
    LZ4: m.decompressLz4,
    LZ4_RAW: m.decompressLz4Raw,
  }));
  return extra;
}
