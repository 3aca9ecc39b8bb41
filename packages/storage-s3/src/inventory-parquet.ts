/**
 * The Parquet data files of an S3 Inventory report, read with hyparquet (pure JS; SNAPPY, the codec S3
 * writes, is built in, and hyparquet-compressors adds GZIP, ZSTD, BROTLI and LZ4 for reports that
 * were rewritten by other tools) over ranged GetObject requests: the footer first, then one row group at
 * a time and only the columns a listing needs, so that neither the file nor its rows are ever all in
 * memory. The next row group is fetched while the rows of the current one are handed out.
 *
 * Columns (as S3 names them in Parquet): `bucket`, `key`, `size`, `last_modified_date`
 * (TIMESTAMP_MILLIS), `e_tag`, and in versioned reports `is_latest` and `is_delete_marker`. Unlike in
 * CSV reports, keys are plain UTF-8, not URL-encoded: `a%20b.txt` is that key, not `a b.txt`.
 *
 * Reference: Amazon S3 User Guide, "Locating your inventory list" (the Parquet manifest example and its
 * `message s3.inventory { required binary bucket (UTF8); required binary key (UTF8); … }` schema) and
 * "Cataloging and analyzing your data with S3 Inventory" (only CSV keys are URL-encoded); Apache
 * Parquet format specification (footer: metadata, its length, `PAR1`).
 */
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ClearanceError } from '@clearance/core';
import { describeError } from './errors.js';
import type { InventoryFile, InventoryRow } from './inventory-file.js';

/** Columns a listing reads; the others (storage class, encryption, …) are never fetched. */
const COLUMNS = ['bucket', 'key', 'size', 'last_modified_date', 'e_tag', 'is_latest', 'is_delete_marker'] as const;
/** The footer is fetched with this many bytes first (one request for most reports). */
const FOOTER_FETCH = 64 * 1024;
/**
 * Most compressed bytes of the wanted columns in one row group. S3 writes row groups of a few MB; a
 * larger one would still be read (memory grows with it), but one past this is refused rather than
 * risk exhausting memory on a corrupt or hostile file.
 */
const MAX_GROUP_BYTES = 512 * 1024 * 1024;
/** Most uncompressed bytes of the wanted columns in one row group (a decompression bomb stops here). */
const MAX_GROUP_UNCOMPRESSED = 2 * 1024 * 1024 * 1024;
const BODY_RETRIES = 3;

/** The rows of one Parquet data file, one row group at a time. */
export async function* listParquetFile(file: InventoryFile): AsyncGenerator<InventoryRow> {
  const where = `s3://${file.bucket}/${file.key}`;
  const fail = (why: string, cause?: unknown) =>
    new ClearanceError('ERR_SOURCE_LISTING', `[s3] the Parquet inventory file ${where} cannot be read: ${why}`, cause !== undefined ? { cause } : undefined);
  const wrap = (err: unknown): Error => (err instanceof ClearanceError || file.signal?.aborted ? (err as Error) : fail(describeError(err), err));

  let buffer: AsyncBuffer;
  let metadata: FileMetaData;
  try {
    buffer = await s3Buffer(file);
    // The manifest's size is the report's; another size means the file was replaced or cut short.
    if (file.size !== undefined && buffer.byteLength !== file.size) throw fail(`it is ${buffer.byteLength} bytes, the manifest says ${file.size}`);
    metadata = await parquetMetadataAsync(buffer, { initialFetchSize: FOOTER_FETCH });
  } catch (err) {
    throw wrap(err);
  }
  let present: Set<string>;
  try {
    present = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
  } catch (err) {
    throw fail(`its schema is malformed (${describeError(err)})`, err);
  }
  if (!present.has('key') || !present.has('size')) {
    throw fail(`it has no key or size column (columns: ${[...present].join(', ').slice(0, 300)})`);
  }
  const columns = COLUMNS.filter((c) => present.has(c));

  // Row groups and the rows each one holds, checked before anything is fetched.
  const groups: { start: number; end: number }[] = [];
  let start = 0;
  for (const [i, group] of metadata.row_groups.entries()) {
    const rows = Number(group.num_rows);
    if (!Number.isSafeInteger(rows) || rows < 0) throw fail(`row group ${i} claims ${String(group.num_rows)} rows`);
    let compressed = 0;
    let uncompressed = 0;
    for (const chunk of group.columns) {
      const name = chunk.meta_data?.path_in_schema[0];
      if (name === undefined || !(columns as readonly string[]).includes(name)) continue;
      compressed += Number(chunk.meta_data?.total_compressed_size ?? 0);
      uncompressed += Number(chunk.meta_data?.total_uncompressed_size ?? 0);
    }
    if (!(compressed <= MAX_GROUP_BYTES) || !(uncompressed <= MAX_GROUP_UNCOMPRESSED)) {
      throw fail(`row group ${i} holds ${compressed} bytes (${uncompressed} uncompressed) of the columns a listing needs, more than the ${MAX_GROUP_BYTES} (${MAX_GROUP_UNCOMPRESSED}) read at once`);
    }
    groups.push({ start, end: start + rows });
    start += rows;
  }

  const read = (g: { start: number; end: number }) =>
    parquetReadObjects({ file: buffer, metadata, columns: [...columns], rowStart: g.start, rowEnd: g.end, compressors, utf8: true });
  let next = groups.length > 0 ? read(groups[0]!) : undefined;
  for (let i = 0; i < groups.length; i++) {
    let rows: Record<string, unknown>[];
    try {
      rows = await next!;
    } catch (err) {
      throw wrap(err);
    }
    // Ask for the next row group while this one is handed out: request latency dominates.
    next = i + 1 < groups.length ? read(groups[i + 1]!) : undefined;
    next?.catch(() => undefined);
    if (rows.length !== groups[i]!.end - groups[i]!.start) throw fail(`row group ${i} holds ${rows.length} rows, its metadata says ${groups[i]!.end - groups[i]!.start}`);
    for (const row of rows) yield rowOf(row, fail);
  }
}

/** A Parquet row as an inventory row; values of the wrong type make the file unreadable, not a guess. */
function rowOf(row: Record<string, unknown>, fail: (why: string) => Error): InventoryRow {
  const key = text(row.key);
  if (key === undefined || key === '') throw fail('a row has no key');
  const bucket = text(row.bucket);
  const etag = text(row.e_tag);
  const size = row.size;
  const mtime = row.last_modified_date;
  const out: InventoryRow = { key };
  if (bucket !== undefined) out.bucket = bucket;
  if (typeof size === 'bigint') out.size = size <= BigInt(Number.MAX_SAFE_INTEGER) && size >= 0n ? Number(size) : size.toString();
  else if (typeof size === 'number') out.size = size;
  else if (size !== null && size !== undefined) throw fail(`the size of ${key} is not an integer`);
  if (mtime instanceof Date) out.mtime = mtime;
  // TIMESTAMP_MILLIS without its annotation: milliseconds since 1970.
  else if (typeof mtime === 'bigint') out.mtime = new Date(Number(mtime));
  if (etag !== undefined) out.etag = etag;
  if (typeof row.is_latest === 'boolean') out.isLatest = row.is_latest;
  if (typeof row.is_delete_marker === 'boolean') out.isDeleteMarker = row.is_delete_marker;
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return utf8.decode(value);
  return undefined;
}

/**
 * The data file as hyparquet's AsyncBuffer: its length and ETag from one HeadObject, then each slice one
 * GetObject with an explicit `bytes=start-end` range and `If-Match`, so a file replaced while it is
 * read fails rather than mixing two reports.
 */
async function s3Buffer(file: InventoryFile): Promise<AsyncBuffer> {
  const { client, bucket, key, signal, requestPayer } = file;
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, RequestPayer: requestPayer }), { abortSignal: signal });
  const byteLength = head.ContentLength ?? 0;
  const etag = head.ETag;
  return {
    byteLength,
    async slice(start: number, end: number = byteLength): Promise<ArrayBuffer> {
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end > byteLength || end < start) {
        throw new Error(`its metadata points at bytes ${start}..${end}, outside the file's ${byteLength} bytes`);
      }
      if (end === start) return new ArrayBuffer(0);
      for (let attempt = 0; ; attempt++) {
        const res = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}`, RequestPayer: requestPayer, ...(etag ? { IfMatch: etag } : {}) }),
          { abortSignal: signal },
        );
        let bytes: Uint8Array;
        try {
          bytes = await res.Body!.transformToByteArray();
        } catch (err) {
          if (signal?.aborted || attempt >= BODY_RETRIES) throw err;
          continue;
        }
        // A store that ignores Range answers 200 with the whole file.
        if (res.ContentRange === undefined && res.$metadata.httpStatusCode === 200 && bytes.length === byteLength) bytes = bytes.subarray(start, end);
        if (bytes.length !== end - start) throw new Error(`asked for ${end - start} bytes at ${start}, got ${bytes.length}`);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
      }
    },
  };
}
