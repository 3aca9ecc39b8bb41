/**
 * Bounded decompression for metadata that containers store compressed: PNG iTXt (zlib), PDF
 * FlateDecode streams, HEIF items with `deflate` content encoding, C2PA `brob` boxes (Brotli).
 * node:zlib stops at `maxOutputLength`, so a decompression bomb costs at most the cap; a truncated
 * stream gives what could be decoded (Z_SYNC_FLUSH) and says it is incomplete.
 */
import { brotliDecompressSync, constants as zlib, inflateRawSync, inflateSync } from 'node:zlib';

/** Default output cap: larger than any real XMP packet or C2PA assertion, far below what could hurt. */
export const INFLATE_MAX_BYTES = 16 * 1024 * 1024;

export type Inflated = { ok: true; bytes: Uint8Array; complete: boolean } | { ok: false; problem: string };

/**
 * Inflates zlib (RFC 1950) data, or raw deflate (RFC 1951) with `raw: true`, keeping at most
 * `maxBytes` of output. Output beyond the cap is a failure (`too-large`), never silently cut: a
 * packet cut in the middle would parse as something it is not.
 */
export function inflateBounded(data: Uint8Array, options: { maxBytes?: number; raw?: boolean } = {}): Inflated {
  const maxOutputLength = Math.max(1, options.maxBytes ?? INFLATE_MAX_BYTES);
  const fn = options.raw ? inflateRawSync : inflateSync;
  try {
    return { ok: true, bytes: fn(data, { maxOutputLength }), complete: true };
  } catch (err) {
    if (isRangeError(err)) return { ok: false, problem: 'too-large' };
    // A stream cut short: decode what is there, and say it is incomplete.
    try {
      const partial = fn(data, { maxOutputLength, finishFlush: zlib.Z_SYNC_FLUSH });
      return { ok: true, bytes: partial, complete: false };
    } catch (again) {
      return { ok: false, problem: isRangeError(again) ? 'too-large' : `inflate failed: ${(err as Error).message}` };
    }
  }
}

/** Decompresses Brotli data (C2PA `brob` boxes) under the same cap. */
export function brotliBounded(data: Uint8Array, options: { maxBytes?: number } = {}): Inflated {
  const maxOutputLength = Math.max(1, options.maxBytes ?? INFLATE_MAX_BYTES);
  try {
    return { ok: true, bytes: brotliDecompressSync(data, { maxOutputLength }), complete: true };
  } catch (err) {
    return { ok: false, problem: isRangeError(err) ? 'too-large' : `brotli failed: ${(err as Error).message}` };
  }
}

function isRangeError(err: unknown): boolean {
  return err instanceof RangeError || (err as { code?: string } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}
