/** What the readers of an inventory's data files share: where a file is, what a row carries. */
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** What a data-file reader needs: where the file is and how to fetch it. */
export interface InventoryFile {
  client: S3Client;
  bucket: string;
  key: string;
  /** Size the manifest gives, when it gives one. */
  size?: number;
  signal?: AbortSignal;
  requestPayer?: 'requester';
}

/**
 * One row of a data file, whatever its format: fields already typed (keys decoded, booleans as
 * booleans), `undefined` where the report has no such column or the row no value.
 */
export interface InventoryRow {
  bucket?: string;
  key: string;
  size?: number | string;
  mtime?: Date | string;
  etag?: string;
  isLatest?: boolean;
  isDeleteMarker?: boolean;
}

/** Column positions of a CSV report, from the manifest's `fileSchema` (`Bucket, Key, Size, …`). */
export interface CsvColumns {
  bucket: number;
  key: number;
  size: number;
  mtime: number;
  etag: number;
  isLatest: number;
  isDeleteMarker: number;
}

/** The body of one whole object as a stream. */
export async function getStream(client: S3Client, bucket: string, key: string, signal?: AbortSignal, requestPayer?: 'requester'): Promise<Readable> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, RequestPayer: requestPayer }), { abortSignal: signal });
  return res.Body as Readable;
}
