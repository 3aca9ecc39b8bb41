/** An `s3://bucket/prefix` location. */
export interface S3Location {
  bucket: string;
  /** Key prefix, without a leading slash; may be empty. */
  prefix: string;
}

/**
 * Parses `s3://bucket/prefix`. Returns null for anything that is not an `s3://` URL, so that callers
 * can tell a local path from an S3 one.
 *
 * ```ts
 * parseS3Url('s3://data/images/') // { bucket: 'data', prefix: 'images/' }
 * parseS3Url('./data')            // null
 * ```
 */
export function parseS3Url(url: string): S3Location | null {
  const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/i.exec(url);
  if (!m) return null;
  return { bucket: m[1]!, prefix: m[2] ?? '' };
}

/** Whether a scan argument names an S3 location. */
export function isS3Url(url: string): boolean {
  return /^s3:\/\//i.test(url);
}
