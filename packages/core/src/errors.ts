/**
 * Errors. A bad run (configuration, policy, an unreadable root) throws one of these; a bad file never
 * throws out of a scan, it becomes a {@link RecordError} with one of the {@link RecordErrorCode}s.
 */

/** Codes carried by errors that end a run. Stable: callers branch on them. */
export type ClearanceErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_POLICY_INVALID'
  | 'ERR_POLICY_UNREADABLE'
  | 'ERR_SOURCE_ROOT'
  | 'ERR_SOURCE_LISTING'
  | 'ERR_ABORTED';

/** Base of every error Clearance throws on purpose. `code` lets callers branch without `instanceof`. */
export class ClearanceError extends Error {
  readonly code: ClearanceErrorCode;
  constructor(code: ClearanceErrorCode, message: string, options?: { cause?: unknown }) {
    super(`[clearance] ${message}`, options);
    this.name = 'ClearanceError';
    this.code = code;
  }
}

/** The policy file could not be read or does not validate; `issues` lists each problem with its field path. */
export class PolicyError extends ClearanceError {
  readonly issues: readonly string[];
  constructor(message: string, issues: readonly string[] = [], options?: { cause?: unknown }) {
    super('ERR_POLICY_INVALID', issues.length > 0 ? `${message}\n  - ${issues.join('\n  - ')}` : message, options);
    this.name = 'PolicyError';
    this.issues = issues;
  }
}

/** The scan was aborted through its AbortSignal. */
export class AbortError extends ClearanceError {
  constructor(options?: { cause?: unknown }) {
    super('ERR_ABORTED', 'scan aborted', options);
    this.name = 'AbortError';
  }
}

/** Codes a Record's `errors` may carry: what went wrong with one entry, never fatal to the scan. */
export const RECORD_ERROR_CODES = [
  'ERR_ENTRY_VANISHED',
  'ERR_PERMISSION_DENIED',
  'ERR_NOT_REGULAR_FILE',
  'ERR_NAME_TOO_LONG',
  'ERR_SYMLINK_NOT_FOLLOWED',
  'ERR_SYMLINK_LOOP',
  'ERR_SYMLINK_BROKEN',
  'ERR_DIR_UNREADABLE',
  'ERR_CHANGED_DURING_READ',
  'ERR_IO',
  'ERR_READ_FAILED',
  'ERR_DETECTOR_FAILED',
  'ERR_DETECTOR_OUTPUT_INVALID',
  'ERR_CONTAINER_CORRUPT',
  'ERR_CONTAINER_LIMIT',
  'ERR_CONTAINER_UNSUPPORTED',
  'ERR_MEMBER_PATH_UNSAFE',
  'ERR_MEMBER_NOT_HELD',
] as const;

/** One of {@link RECORD_ERROR_CODES}. */
export type RecordErrorCode = (typeof RECORD_ERROR_CODES)[number];

/**
 * Thrown by a Source's `read`/`stream` for one entry; the engine turns it into a record error.
 * Sources map their native failures (errno, HTTP status) to a {@link RecordErrorCode}.
 */
export class SourceError extends Error {
  readonly code: RecordErrorCode;
  constructor(code: RecordErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
    this.code = code;
  }
}

/** Maps a Node errno code to the record error it means. */
export function recordErrorFromErrno(err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  switch (errno) {
    // ENOTDIR: a folder on the path was replaced by a file; ESTALE: (NFS) deleted on the server.
    case 'ENOENT':
    case 'ENOTDIR':
    case 'ESTALE':
      return new SourceError('ERR_ENTRY_VANISHED', `the file vanished before it could be read (${message})`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new SourceError('ERR_PERMISSION_DENIED', `permission denied (${message})`, { cause: err });
    case 'EISDIR':
    case 'ENXIO':
    case 'ENODEV':
      return new SourceError('ERR_NOT_REGULAR_FILE', `not a regular file (${message})`, { cause: err });
    case 'ENAMETOOLONG':
      return new SourceError('ERR_NAME_TOO_LONG', `path too long for the operating system (${message})`, { cause: err });
    case 'ELOOP':
      return new SourceError('ERR_SYMLINK_LOOP', `too many levels of symbolic links (${message})`, { cause: err });
    case 'EIO':
      return new SourceError('ERR_IO', `input/output error (${message})`, { cause: err });
    default:
      return new SourceError('ERR_READ_FAILED', message, { cause: err });
  }
}
