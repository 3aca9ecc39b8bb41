/**
 * @clearance/storage-s3 — Amazon S3 and S3-compatible object stores (Ceph RGW, MinIO, Cloudflare R2,
 * GCS interoperability) as a Clearance Source.
 *
 * ```ts
 * import { scan, builtinDetectors } from '@clearance/core';
 * import { s3Source } from '@clearance/storage-s3';
 * const run = scan({ source: s3Source({ bucket: 'corpus', prefix: 'text/' }), detectors: builtinDetectors });
 * ```
 */
export { s3Source, type S3SourceOptions } from './source.js';
export { parseS3Url, isS3Url, type S3Location } from './url.js';
