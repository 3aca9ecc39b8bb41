import { SourceError } from '@clearance/core';

/** What the SDK's errors carry that matters here. */
interface SdkErrorLike {
  name?: string;
  Code?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { statusCode?: number };
}

/** HTTP status of an SDK error, when it reached the server. */
export function statusOf(err: unknown): number | undefined {
  const e = err as SdkErrorLike | undefined;
  return e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
}

/** S3 error code (`NoSuchKey`, `AccessDenied`, …) or the Node errno of a network failure. */
export function codeOf(err: unknown): string {
  const e = err as SdkErrorLike | undefined;
  return e?.Code ?? e?.code ?? e?.name ?? 'Error';
}

/** A short `Code (status): message` for error records and fatal messages. */
export function describeError(err: unknown): string {
  const status = statusOf(err);
  const message = (err as SdkErrorLike | undefined)?.message ?? String(err);
  const code = codeOf(err);
  const head = status !== undefined ? `${code} (HTTP ${status})` : code;
  return message && message !== code && message !== 'UnknownError' ? `${head}: ${message}` : head;
}

/**
 * Maps a failed GetObject/HeadObject of one object to the record error it means: 404 → the object
 * vanished, 403 → permission denied (an archived object too, with the reason), 412 → its ETag is no
 * longer the one listed. Anything else, once the SDK's retries are spent, is `ERR_READ_FAILED`.
 */
export function sourceErrorOf(err: unknown, what: string): SourceError {
  if (err instanceof SourceError) return err;
  const status = statusOf(err);
  const code = codeOf(err);
  const text = describeError(err);
  if (status === 404 || code === 'NoSuchKey' || code === 'NotFound') {
    return new SourceError('ERR_ENTRY_VANISHED', `${what} vanished after it was listed (${text})`, { cause: err });
  }
  if (status === 412 || code === 'PreconditionFailed') {
    return new SourceError('ERR_CHANGED_DURING_READ', `${what} changed after it was listed: its ETag is no longer the one listed (${text})`, { cause: err });
  }
  if (code === 'InvalidObjectState') {
    return new SourceError('ERR_PERMISSION_DENIED', `${what} is archived and must be restored before it can be read (${text})`, { cause: err });
  }
  if (status === 403 || code === 'AccessDenied') {
    return new SourceError('ERR_PERMISSION_DENIED', `permission denied reading ${what} (${text})`, { cause: err });
  }
  return new SourceError('ERR_READ_FAILED', `${what} could not be read (${text})`, { cause: err });
}
