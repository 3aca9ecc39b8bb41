/**
 * Test helper for the TPM detectors: runs a detector on a file as the engine does for a LARGE file —
 * a head, a tail, then `wants.ranges` round by round — even when the file is small, so that tests
 * exercise the partial-read path (`runDetector` hands small files over whole).
 */
import type { Detector } from '../../engine/detector.js';
import { SNIFF_BYTES } from '../../engine/read-plan.js';
import { readRanges } from '../../engine/ranges.js';
import type { FindingInput } from '../../schema/finding.js';
import { memorySource } from '../../test-utils/index.js';

/** Options of {@link detectPartially}. */
export interface PartialOptions {
  /** Head bytes handed over. Default: the engine's sniff size (4100) or the detector's head, whichever is larger. */
  head?: number;
  /** Tail bytes handed over. Default: the detector's `wants.tail`, or none. */
  tail?: number;
  mediaType?: string;
  /** What `truncated` says. Default false. */
  truncated?: boolean;
}

/** Runs `detector` on `bytes` read in part; returns its findings and what the reads cost. */
export async function detectPartially(
  detector: Detector,
  path: string,
  bytes: Uint8Array,
  options: PartialOptions = {},
): Promise<{ findings: FindingInput[]; bytesRead: number; requests: number; rangesRead: number }> {
  const size = bytes.length;
  const headLen = Math.min(size, options.head ?? Math.max(SNIFF_BYTES, detector.wants.head ?? 0));
  const head = bytes.subarray(0, headLen);
  const tailLen = options.tail ?? detector.wants.tail ?? 0;
  const tail = tailLen > 0 && size > headLen ? bytes.subarray(Math.max(headLen, size - tailLen)) : null;
  const entry = { path, size };
  const extra = detector.wants.ranges
    ? await readRanges(memorySource(bytes, path), entry, detector.wants.ranges, { size, head, tail, whole: null })
    : { ranges: [], bytes: 0, requests: 0 };
  const name = path.slice(path.lastIndexOf('/') + 1);
  const findings = await detector.detect({
    entry,
    path,
    name,
    dir: path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '',
    size,
    mediaType: options.mediaType ?? 'application/octet-stream',
    isText: false,
    head,
    tail,
    whole: null,
    truncated: options.truncated ?? false,
    ranges: extra.ranges,
  });
  return { findings, bytesRead: head.length + (tail?.length ?? 0) + extra.bytes, requests: 1 + (tail ? 1 : 0) + extra.requests, rangesRead: extra.ranges.length };
}
