import type { FindingDoc } from './detector.js';
import type { RecordErrorCode } from '../errors.js';
import type { Entry, Source } from '../source/types.js';

/**
 * Bounds on what the engine opens inside a dataset. Over a bound, the container's record gets an
 * `ERR_CONTAINER_LIMIT` error, what was scanned so far stays scanned, and the scan goes on.
 */
export interface ContainerLimits {
  /** Nesting levels opened: 1 opens the dataset's containers only, 2 a zip inside a tar too. */
  maxDepth: number;
  /** Members (files or rows) listed from one container. */
  maxMembers: number;
  /** Bytes of all members of one container once decompressed (as listed, and as actually produced). */
  maxExpandedBytes: number;
  /** Decompressed bytes per compressed byte, for one member and for the whole container (zip bombs). */
  maxRatio: number;
  /**
   * Bytes of one member a streaming container (a compressed tar, a WARC) holds in memory so that
   * detectors can read it at random. Larger members are hashed as they pass and only their first
   * and last {@link STREAM_WINDOW_BYTES} are kept; reads elsewhere fail with `ERR_MEMBER_NOT_HELD`.
   */
  maxMemberBytes: number;
}

export const DEFAULT_CONTAINER_LIMITS: ContainerLimits = Object.freeze({
  maxDepth: 3,
  maxMembers: 10_000_000,
  maxExpandedBytes: 1024 * 1024 ** 3,
  maxRatio: 200,
  maxMemberBytes: 16 * 1024 * 1024,
});

/** Head and tail a streaming container keeps of a member larger than {@link ContainerLimits.maxMemberBytes}. */
export const STREAM_WINDOW_BYTES = 1024 * 1024;

/** What the engine hands a container format to open one entry. */
export interface ContainerInput {
  /** The source the container lives in (the dataset, or an enclosing container), read-only. */
  source: Source;
  entry: Entry;
  /** The sniffed media type of the container entry. */
  mediaType: string;
  /** Its first bytes, already read (at least the sniffing head, or the whole entry when it is small). */
  head: Uint8Array;
  /** True when `head` is the whole entry. */
  complete: boolean;
  limits: ContainerLimits;
  /** How deep this container is: 1 for a container in the dataset itself. */
  depth: number;
  signal?: AbortSignal;
  /**
   * Reports a problem of the container as a whole (a corrupt index, a limit reached, a member it had
   * to skip); it lands in the container's record `errors`. Problems of one member go on that member's
   * entry (`Entry.error`) or are thrown by `read`/`stream` as a SourceError.
   */
  problem(code: ContainerErrorCode, message: string): void;
}

/** Record error codes a container may report. */
export type ContainerErrorCode = Extract<RecordErrorCode, `ERR_CONTAINER_${string}` | `ERR_MEMBER_${string}`>;

/**
 * An opened container: a Source over its members. Member `path`s are relative POSIX paths inside the
 * container (`0001.jpg`, `images/a.png`, `row=1234`); the engine prefixes them with the container's
 * own path and `#`. `list` may be called twice (markers first, then the rest) unless `markers` is false.
 * The engine hands `read` and `stream` the very Entry object `list` yielded (never a copy), soon
 * after listing it, with up to its concurrency of members in flight.
 */
export interface OpenedContainer extends Source {
  /** The container format's id, recorded on every member (`tar`, `zip`, `parquet`, `jsonl`, `warc`). */
  readonly kind: string;
  /**
   * Whether members can be marker files (a LICENSE inside a zip). When true (the default) the engine
   * lists the container twice: marker members first, so they govern the members below them whatever
   * order they come in, then the rest. Tables of rows have no marker members: say false.
   */
  readonly markers?: boolean;
  /** Members are rows of a table (counted as rows in the Summary). */
  readonly rows?: boolean;
}

/**
 * A container format: recognises entries that hold other entries (a tar shard, a zip, a Parquet
 * table, a JSON Lines file, a WARC) and opens them as a Source, so that each member or row gets its
 * own record. Like a detector, it does no I/O of its own beyond the `source` it is given, never
 * writes, and never follows member names out of the container.
 *
 * Rules every format keeps:
 * - A member name that escapes its root (`../x`, `/etc/x`, a drive letter) is listed with a safe path
 *   (leading `/` and `..` segments removed) and `error: ERR_MEMBER_PATH_UNSAFE`; it is never read as
 *   a path anywhere. Links (tar symlinks and hard links) are listed with `ERR_NOT_REGULAR_FILE`.
 * - A `#` in a member name is written `%23`, so a record path splits at `#` unambiguously.
 * - `read` and `stream` never produce more bytes than the member's listed `size`; decompression stops
 *   there (a member that inflates past its declared size is `ERR_CONTAINER_CORRUPT`) and at
 *   `limits.maxRatio` (`ERR_CONTAINER_LIMIT`).
 * - A container that turns out corrupt half-way throws a SourceError (`ERR_CONTAINER_CORRUPT`) from
 *   `list`: the members listed so far keep their records and the container's record gets the error.
 */
export interface Container {
  /** Stable id (`tar`, `zip`), also the `kind` of what it opens. */
  readonly id: string;
  readonly version: string;
  readonly description: string;
  /** Which entries it opens: base-name globs (case-insensitive) or sniffed media types. */
  readonly match: { names?: readonly (string | RegExp)[]; mediaTypes?: readonly string[] };
  /** Codes of findings it attaches to members (through a detector) or problems it reports, with their docs. */
  readonly codes?: Readonly<Record<string, FindingDoc>>;
  /** Opens one entry; null when, on a closer look, the entry is not this format after all. */
  open(input: ContainerInput): Promise<OpenedContainer | null>;
}

/** Returns a container format unchanged; gives it a type and keeps the object literal checked. */
export function defineContainer(container: Container): Container {
  return container;
}

/**
 * A member name made safe to put in a record path: `\` becomes `/`, leading `/`, `./` and drive
 * letters and any `..` segment are removed, `#` is written `%23`. `unsafe` says whether the name
 * tried to leave its root (the member must then be listed with `ERR_MEMBER_PATH_UNSAFE`).
 */
export function safeMemberPath(name: string): { path: string; unsafe: boolean } {
  const slashed = name.replace(/\\/g, '/');
  let unsafe = /^[a-zA-Z]:/.test(slashed) || slashed.startsWith('/');
  const parts: string[] = [];
  for (const part of slashed.replace(/^[a-zA-Z]:/, '').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      unsafe = true;
      continue;
    }
    parts.push(part.replace(/%/g, '%25').replace(/#/g, '%23'));
  }
  return { path: parts.length > 0 ? parts.join('/') : '(unnamed)', unsafe };
}
