/**
 * Listing from an S3 Inventory report, for buckets too large to list: the `manifest.json` names the
 * report's data files in the destination bucket (`files[]`), their format (`fileFormat`: CSV, ORC or
 * Parquet) and their columns (`fileSchema`). Data files are read one after another, and each one in
 * bounded pieces (CSV: a gunzip stream read line by line; Parquet: one row group at a time over ranged
 * reads), so memory stays constant however many objects the report lists.
 *
 * Both formats follow the same rules: rows of another bucket, delete markers (`IsDeleteMarker`) and
 * versions that are not the current one (`IsLatest` false) are skipped, as ListObjectsV2 would not list
 * them. ORC reports are refused with a message asking for CSV or Parquet.
 *
 * Reference: Amazon S3 User Guide, "Cataloging and analyzing your data with S3 Inventory" (the list's
 * contents: CSV keys are URL-encoded, `IsLatest` and `IsDeleteMarker` of versioned reports) and
 * "Locating your inventory list" (the manifest's fields and its CSV/ORC/Parquet examples).
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { ClearanceError } from '@clearance/core';
import { parseS3Url } from './url.js';
import { listCsvFile } from './inventory-csv.js';
import { listParquetFile } from './inventory-parquet.js';
import { getStream, type CsvColumns, type InventoryFile, type InventoryRow } from './inventory-file.js';

export { parseCsvLine } from './inventory-csv.js';

/** One object as an inventory lists it. */
export interface InventoryObject {
  key: string;
  size: number;
  etag?: string;
  mtime?: string;
}

export interface InventoryOptions {
  client: S3Client;
  /** `s3://bucket/…/manifest.json` or a local path to one. */
  manifest: string;
  bucket: string;
  prefix: string;
  signal?: AbortSignal;
  requestPayer?: 'requester';
}

interface Manifest {
  sourceBucket?: string;
  destinationBucket?: string;
  fileFormat?: string;
  fileSchema?: string;
  files?: { key?: string; size?: number }[];
}

/** Objects listed by an S3 Inventory report, filtered to `bucket` and `prefix`. */
export async function* listInventory(options: InventoryOptions): AsyncGenerator<InventoryObject> {
  const { client, signal, requestPayer } = options;
  const at = parseS3Url(options.manifest);
  const text = at ? await streamText(await getStream(client, at.bucket, at.prefix, signal, requestPayer)) : await fs.promises.readFile(options.manifest, 'utf8');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (err) {
    throw new ClearanceError('ERR_SOURCE_LISTING', `[s3] the inventory manifest ${options.manifest} is not JSON: ${(err as Error).message}`);
  }
  const format = (manifest.fileFormat ?? '').toUpperCase();
  if (format === 'ORC') {
    throw new ClearanceError(
      'ERR_SOURCE_LISTING',
      `[s3] the inventory ${options.manifest} is in ORC format, which Clearance does not read: configure the inventory report with the CSV or Parquet output format, or list the bucket without --inventory`,
    );
  }
  if (format !== 'CSV' && format !== 'PARQUET') {
    throw new ClearanceError('ERR_SOURCE_LISTING', `[s3] inventory format ${manifest.fileFormat ?? '(none)'} is not supported; CSV and Parquet reports are read`);
  }
  // destinationBucket is an ARN (arn:aws:s3:::name).
  const destination = (manifest.destinationBucket ?? '').replace(/^arn:aws[a-z-]*:s3:::/, '');
  if (destination === '') throw new ClearanceError('ERR_SOURCE_LISTING', '[s3] the inventory manifest names no destinationBucket');
  const csv = format === 'CSV' ? csvColumns(manifest.fileSchema ?? '') : undefined;
  for (const file of manifest.files ?? []) {
    if (!file.key) continue;
    const where: InventoryFile = { client, bucket: destination, key: file.key, signal, requestPayer, ...(typeof file.size === 'number' ? { size: file.size } : {}) };
    for await (const row of csv ? listCsvFile(where, csv) : listParquetFile(where)) {
      const object = objectOf(row, options, file.key);
      if (object) yield object;
    }
  }
}

function csvColumns(fileSchema: string): CsvColumns {
  const columns = fileSchema.split(',').map((c) => c.trim().toLowerCase());
  const col = (name: string) => columns.indexOf(name);
  const out = {
    bucket: col('bucket'),
    key: col('key'),
    size: col('size'),
    mtime: col('lastmodifieddate'),
    etag: col('etag'),
    isLatest: col('islatest'),
    isDeleteMarker: col('isdeletemarker'),
  };
  if (out.key < 0 || out.size < 0) throw new ClearanceError('ERR_SOURCE_LISTING', `[s3] the inventory manifest's fileSchema lacks Key or Size: "${fileSchema}"`);
  return out;
}

/** The object a row names, or null when the listing leaves it out (another bucket or prefix, a delete marker, an old version). */
function objectOf(row: InventoryRow, options: InventoryOptions, file: string): InventoryObject | null {
  if (row.bucket !== undefined && row.bucket !== options.bucket) return null;
  if (!row.key.startsWith(options.prefix)) return null;
  // A versioned report lists every version and every delete marker; a listing shows only the current,
  // live one. A delete marker has no size, so it must go before the size check.
  if (row.isDeleteMarker === true || row.isLatest === false) return null;
  const size = typeof row.size === 'number' ? row.size : row.size === undefined || row.size === '' ? NaN : Number(row.size);
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new ClearanceError('ERR_SOURCE_LISTING', `[s3] inventory ${file}: bad size "${String(row.size ?? '(none)')}" for ${row.key}`);
  }
  const mtime = row.mtime === undefined || row.mtime === '' ? undefined : new Date(row.mtime);
  const etag = row.etag;
  return {
    key: row.key,
    size,
    ...(etag ? { etag: etag.startsWith('"') ? etag : `"${etag}"` } : {}),
    ...(mtime && !Number.isNaN(mtime.getTime()) ? { mtime: mtime.toISOString() } : {}),
  };
}

async function streamText(stream: Readable): Promise<string> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    // A manifest lists files, not objects: a few MB at most.
    if (total > 64 * 1024 * 1024) throw new ClearanceError('ERR_SOURCE_LISTING', '[s3] the inventory manifest is larger than 64 MiB');
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}
