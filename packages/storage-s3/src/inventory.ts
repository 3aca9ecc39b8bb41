/**
 * Listing from an S3 Inventory report, for buckets too large to list: the `manifest.json` names the
 * report's data files (gzip-compressed CSV) in the destination bucket and their columns (`fileSchema`).
 * Rows are streamed one data file at a time, so memory stays constant.
 * Reference: Amazon S3 User Guide, "Configuring Amazon S3 Inventory" / "Inventory manifest" (the
 * manifest's fields, and CSV object keys being URL-encoded). Parquet and ORC reports are refused with a
 * clear message.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ClearanceError } from '@clearance/core';
import { parseS3Url } from './url.js';

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
  files?: { key?: string }[];
}

/** Objects listed by an S3 Inventory report, filtered to `bucket` and `prefix`. */
export async function* listInventory(options: InventoryOptions): AsyncGenerator<InventoryObject> {
  const { client, signal } = options;
  const getStream = async (bucket: string, key: string): Promise<Readable> => {
    const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, RequestPayer: options.requestPayer }), { abortSignal: signal });
    return res.Body as Readable;
  };
  const at = parseS3Url(options.manifest);
  const text = at ? await streamText(await getStream(at.bucket, at.prefix)) : await fs.promises.readFile(options.manifest, 'utf8');
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (err) {
    throw new ClearanceError('ERR_SOURCE_LISTING', `[s3] the inventory manifest ${options.manifest} is not JSON: ${(err as Error).message}`);
  }
  const format = (manifest.fileFormat ?? '').toUpperCase();
  if (format !== 'CSV') throw new ClearanceError('ERR_SOURCE_LISTING', `[s3] inventory format ${manifest.fileFormat ?? '(none)'} is not supported; only CSV reports are read`);
  const columns = (manifest.fileSchema ?? '').split(',').map((c) => c.trim().toLowerCase());
  const col = (name: string) => columns.indexOf(name);
  const [iBucket, iKey, iSize, iMtime, iEtag] = [col('bucket'), col('key'), col('size'), col('lastmodifieddate'), col('etag')];
  if (iKey < 0 || iSize < 0) throw new ClearanceError('ERR_SOURCE_LISTING', `[s3] the inventory manifest's fileSchema lacks Key or Size: "${manifest.fileSchema ?? ''}"`);
  // destinationBucket is an ARN (arn:aws:s3:::name).
  const destination = (manifest.destinationBucket ?? '').replace(/^arn:aws[a-z-]*:s3:::/, '');
  if (destination === '') throw new ClearanceError('ERR_SOURCE_LISTING', '[s3] the inventory manifest names no destinationBucket');
  for (const file of manifest.files ?? []) {
    if (!file.key) continue;
    const lines = readline.createInterface({ input: (await getStream(destination, file.key)).pipe(createGunzip()), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      const row = parseCsvLine(line);
      if (iBucket >= 0 && row[iBucket] !== options.bucket) continue;
      const key = decodeKey(row[iKey] ?? '');
      if (!key.startsWith(options.prefix)) continue;
      const size = Number(row[iSize]);
      if (!Number.isSafeInteger(size) || size < 0) throw new ClearanceError('ERR_SOURCE_LISTING', `[s3] inventory ${file.key}: bad size "${row[iSize]}" for ${key}`);
      const etag = iEtag >= 0 ? row[iEtag] : undefined;
      const mtime = iMtime >= 0 ? row[iMtime] : undefined;
      yield { key, size, ...(etag ? { etag: etag.startsWith('"') ? etag : `"${etag}"` } : {}), ...(mtime ? { mtime: new Date(mtime).toISOString() } : {}) };
    }
  }
}

/** One CSV record of an inventory: fields in double quotes, `""` for a quote inside. */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      out.push(value);
      i = line.indexOf(',', i) === -1 ? line.length + 1 : line.indexOf(',', i) + 1;
    } else {
      const end = line.indexOf(',', i);
      out.push(line.slice(i, end === -1 ? line.length : end));
      i = end === -1 ? line.length + 1 : end + 1;
    }
  }
  return out;
}

/** Inventory CSV keys are URL-encoded (form encoding: `+` for a space). */
function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
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
