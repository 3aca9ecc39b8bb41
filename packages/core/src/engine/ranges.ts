import { SourceError, recordErrorFromErrno } from '../errors.js';
import type { ByteRange, Entry, Source } from '../source/types.js';
import { RANGE_LIMITS, type DetectorWants, type RangeBytes, type RangeView } from './detector.js';

/**
 * Serves a detector's `wants.ranges` round by round, within {@link RANGE_LIMITS}: from memory when
 * the whole file is held, else one source read per range. Ranges are clipped to the file; empty or
 * inverted ones are dropped. Returns what was read and what it cost.
 */
export async function readRanges(
  source: Source,
  entry: Entry,
  ask: NonNullable<DetectorWants['ranges']>,
  first: Omit<RangeView, 'ranges' | 'round'>,
  signal?: AbortSignal,
  /** Ranges already read for this file by other detectors (`start-end` → bytes): shared, never read twice. */
  cache: Map<string, Uint8Array> = new Map(),
): Promise<{ ranges: RangeBytes[]; bytes: number; requests: number }> {
  const out: RangeBytes[] = [];
  let bytes = 0;
  let requests = 0;
  let budget = RANGE_LIMITS.bytes;
  for (let round = 0; round < RANGE_LIMITS.rounds; round++) {
    const wanted = ask({ ...first, ranges: out, round });
    if (wanted.length === 0) break;
    for (const r of clip(wanted, entry.size)) {
      if (out.length >= RANGE_LIMITS.ranges || budget <= 0) return { ranges: out, bytes, requests };
      const end = Math.min(r.end, r.start + budget);
      budget -= end - r.start;
      if (first.whole) {
        out.push({ start: r.start, end, bytes: first.whole.subarray(r.start, end) });
        continue;
      }
      const key = `${r.start}-${end}`;
      const cached = cache.get(key);
      if (cached) {
        out.push({ start: r.start, end, bytes: cached });
        continue;
      }
      let got: Uint8Array;
      try {
        got = await source.read(entry, { start: r.start, end }, { signal });
      } catch (err) {
        throw signal?.aborted ? err : recordErrorFromErrno(err);
      }
      requests++;
      bytes += got.length;
      cache.set(key, got);
      if (got.length !== end - r.start) throw new SourceError('ERR_CHANGED_DURING_READ', `the file shrank while it was read (range ${r.start}-${end} gave ${got.length} bytes)`);
      out.push({ start: r.start, end, bytes: got });
    }
  }
  return { ranges: out, bytes, requests };
}

function clip(ranges: readonly ByteRange[], size: number): ByteRange[] {
  const out: ByteRange[] = [];
  for (const r of ranges) {
    if (!Number.isFinite(r.start) || !Number.isFinite(r.end)) continue;
    const start = Math.max(0, Math.floor(r.start));
    const end = Math.min(size, Math.floor(r.end));
    if (end > start) out.push({ start, end });
  }
  return out;
}
