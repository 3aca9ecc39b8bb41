import type { RecordErrorCode } from '../errors.js';

/** One object in a source. */
export interface Entry {
  /** Relative POSIX path; bytes that are not UTF-8 are written as %XX (see `pathBytes`). */
  path: string;
  /** Hex of the raw path bytes, only when the name is not valid UTF-8. */
  pathBytes?: string;
  size: number;
  /** ISO 8601 modification time, when the store keeps one. */
  mtime?: string;
  /** The store's entity tag, when it keeps one. Never a content hash. */
  etag?: string;
  /** Metadata the store keeps beside the object (S3 user metadata, tags), as provenance. */
  metadata?: Record<string, string>;
  /**
   * Record-level metadata a container knows of a member: a table row's columns, a JSON Lines record's
   * metadata object, a WebDataset sample's `.json` sidecar. Detectors map it to findings.
   */
  fields?: Readonly<Record<string, unknown>>;
  /** The HTTP response a crawl archive (WARC) kept with this payload: evidence for opt-out detectors. */
  http?: { readonly url?: string; readonly status?: number; readonly headers: readonly (readonly [string, string])[] };
  /** Hex sha256 of the bytes, when the source computed it while passing them (a streamed container member). */
  sha256?: string;
  /**
   * Set when the source listed the entry but cannot offer its bytes (a FIFO, a symlink it does not
   * follow, an unreadable directory). The engine turns it into a record with this error and reads nothing.
   */
  error?: { code: RecordErrorCode; message: string };
}

/** Byte range, `end` exclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface ListOptions extends CallOptions {
  /**
   * A hint: the caller wants only the entries whose path passes. A source may skip the others before
   * doing any work on them (a stat, a HEAD request); it may also list them anyway. Entries with an
   * `error` (an unreadable folder) are listed whatever it says.
   */
  want?: (path: string) => boolean;
}

/**
 * A storage adapter. Read-only: nothing a Source does may change the dataset.
 *
 * `read` and `stream` throw a {@link SourceError} with a record error code when one entry fails;
 * `list` throws a {@link ClearanceError} only when the listing itself cannot go on.
 */
export interface Source {
  /** Short adapter name, e.g. `local`, `s3`. */
  readonly name: string;
  /** Where it points, for the Summary: an absolute path, `s3://bucket/prefix`. */
  readonly location: string;
  /** Every entry, as an async iterable that holds constant memory whatever the size of the source. */
  list(opts?: ListOptions): AsyncIterable<Entry>;
  /**
   * Bytes `[start, end)` of one entry; fewer when the entry is shorter, none from its end on. The
   * engine asks for one byte past the listed end to see growth, of an empty entry too (`[0, 1)`), so
   * a range past the end must give fewer bytes, not an error. Throws ERR_CHANGED_DURING_READ when the
   * source can tell the entry is no longer the version listed.
   */
  read(entry: Entry, range: ByteRange, opts?: CallOptions): Promise<Uint8Array>;
  /** The whole entry as a stream of chunks. Throws ERR_CHANGED_DURING_READ when the source can tell it changed. */
  stream(entry: Entry, opts?: CallOptions): AsyncIterable<Uint8Array>;
  close?(): Promise<void>;
}
