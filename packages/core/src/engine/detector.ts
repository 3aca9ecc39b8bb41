import type { Finding, FindingInput, Scope } from '../schema/finding.js';
import type { ByteRange, Entry } from '../source/types.js';

/** Which bytes a detector needs. The engine merges the wants of all interested detectors into the fewest reads. */
export interface DetectorWants {
  /** The first N bytes. */
  head?: number;
  /** The last N bytes. */
  tail?: number;
  /** The whole file, when it is at most `maxBytes` long; larger files get `whole: null` and `truncated: true`. */
  whole?: { maxBytes: number };
  /**
   * Further byte ranges chosen from what was already read — a zip's central directory, read in the
   * tail, says where each member is. Called after the first read, then again with each round's
   * bytes; return the ranges to read next, or none to stop. The engine reads them (from memory when
   * it holds the whole file), in at most {@link RANGE_LIMITS}.rounds rounds, clipping past the end.
   */
  ranges?: (view: RangeView) => readonly ByteRange[];
}

/** Bounds on {@link DetectorWants.ranges}, per detector and file: a hostile file cannot make the engine read without end. */
export const RANGE_LIMITS = { rounds: 3, ranges: 64, bytes: 16 * 1024 * 1024 } as const;

/** Bytes of one range read for a detector. */
export interface RangeBytes {
  start: number;
  end: number;
  bytes: Uint8Array;
}

/** What a detector's `ranges` sees: what has been read so far. */
export interface RangeView {
  size: number;
  head: Uint8Array;
  tail: Uint8Array | null;
  whole: Uint8Array | null;
  /** Ranges read in earlier rounds, in order. */
  ranges: readonly RangeBytes[];
  /** 0 for the first call. */
  round: number;
}

/** Which files a detector looks at: any that matches one of the conditions. */
export interface DetectorMatch {
  /** Globs on the base name, case-insensitive (`LICENSE*`, `*.md`), regular expressions or predicates on it. */
  names?: readonly (string | RegExp | ((name: string) => boolean))[];
  /** Media types, exact or with a wildcard subtype (`text/*`). */
  mediaTypes?: readonly string[];
  /** Any file whose first bytes look like text. */
  text?: boolean;
  /**
   * A predicate on the entry itself, for what a source or container knows beside the bytes
   * (`entry.fields` of a table row, `entry.http` of a crawled response, `entry.metadata`). Like a
   * name match, it is decided before any byte is read. Keep it cheap.
   */
  entry?: (entry: Entry) => boolean;
}

/** What the engine hands a detector for one file. */
export interface DetectorInput {
  entry: Entry;
  /** Relative POSIX path, its base name and its folder ('' at the top). */
  path: string;
  name: string;
  dir: string;
  size: number;
  mediaType: string;
  /** Whether the head looks like text (no NUL byte, decodes as UTF-8 or Latin-1). */
  isText: boolean;
  /** The first bytes (up to the largest `head` wanted, or the whole file when it is small). */
  head: Uint8Array;
  /** The last bytes when a tail was wanted and the file is longer than the head; else null. */
  tail: Uint8Array | null;
  /** The whole file when wanted and not larger than `maxBytes`; else null. */
  whole: Uint8Array | null;
  /** True when `whole` was wanted but the file was too large to hand over. */
  truncated: boolean;
  /** The ranges asked for through `wants.ranges`, in the order read; empty otherwise. */
  ranges: readonly RangeBytes[];
}

/** What a finding code means, for its documentation page and for SARIF rules. */
export interface FindingDoc {
  /** A short title: "SPDX licence tag". */
  title: string;
  /** What the finding says about a file, and on what evidence. */
  meaning: string;
  /** What a person should do about it. */
  action: string;
}

/**
 * A pure unit that knows one family of signals. It declares what it wants and turns bytes into
 * findings; it does no I/O of its own. `detect` may throw: the engine records `ERR_DETECTOR_FAILED`.
 */
export interface Detector {
  /** Stable id, also the `detector` of its findings (`spdx-tag`, `tdmrep`). */
  readonly id: string;
  /** Version of its rules; recorded in the Summary so that a report says which rules produced it. */
  readonly version: string;
  /** One line saying what it finds. */
  readonly description: string;
  readonly match: DetectorMatch;
  /**
   * Files matched by `match.names` are markers: their findings govern the folder's subtree, so the
   * engine reads every marker before any other file, whatever order the source lists them in.
   */
  readonly marker?: boolean;
  /**
   * Rank of this detector's findings against others of the same group (the licence, one opt-out
   * protocol, one code) at the same level: the highest wins, the rest are kept as shadowed. Default 0.
   * Licence precedence: a file's own statement (nearest level anyway) > a licence file or REUSE
   * declaration (20) > package metadata (10) > a dataset card (0).
   */
  readonly precedence?: number;
  readonly wants: DetectorWants;
  /** Every finding code it may return, with its documentation; a code not listed here is refused by the engine. */
  readonly codes: Readonly<Record<string, FindingDoc>>;
  /** Versions of the data the rules rely on (`spdx-license-ids: 3.0.24`), for the Summary. */
  readonly data?: Readonly<Record<string, string>>;
  detect(input: DetectorInput): FindingInput[] | Promise<FindingInput[]>;
  /**
   * For a marker whose finding does not apply to its whole subtree alike (robots.txt rules, TDMRep
   * `location` patterns): what the finding means for the file at `path` (relative to the source),
   * or null when it does not apply there. Must be pure and cheap: it runs for every file below the
   * marker. Without it, a subtree finding applies unchanged to every file below its root.
   */
  forPath?(finding: Finding, path: string): Finding | null;
}

/** Documentation page of a finding code. */
export function findingUrl(code: string): string {
  return `docs/findings/${code}.md`;
}

/** Default scope of a detector's finding: the folder's subtree for a marker, else the file. */
export function defaultScope(detector: Pick<Detector, 'marker'>, input: Pick<DetectorInput, 'path' | 'dir'>): Scope {
  return detector.marker ? { kind: 'subtree', root: input.dir } : { kind: 'file', root: input.path };
}

/** Returns a detector unchanged; gives it a type and keeps the object literal checked. */
export function defineDetector(detector: Detector): Detector {
  return detector;
}
