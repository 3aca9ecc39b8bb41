/**
 * Listing from Parquet S3 Inventory reports. The reports are written here with hyparquet-writer in the
 * schema S3 uses (`message s3.inventory { required binary bucket (UTF8); required binary key (UTF8);
 * optional binary version_id (UTF8); optional boolean is_latest; optional boolean is_delete_marker;
 * optional int64 size; optional int64 last_modified_date (TIMESTAMP_MILLIS); optional binary e_tag
 * (UTF8); optional binary storage_class (UTF8); }`, SNAPPY, as S3 writes it) and uploaded to the
 * loopback radosgw with a manifest naming them.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SchemaElement } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan, builtinDetectors } from '@clearance/core';
import { s3Source } from '../src/index.js';
import { useS3Server, type S3TestServer } from './server.js';

let server: S3TestServer;
let client: S3Client;
const BUCKET = `pq-${process.pid}-${Date.now().toString(36)}`;
const MTIME = new Date('2024-01-02T03:04:05.000Z');

interface Row {
  key: string;
  size: number | null;
  latest?: boolean;
  deleteMarker?: boolean;
  bucket?: string;
}

/** ETags of the objects put, as S3 Inventory writes them (no quotes). */
const etags = new Map<string, string>();

const SCHEMA: SchemaElement[] = [
  { name: 's3.inventory', num_children: 9 },
  { name: 'bucket', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'key', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'version_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'is_latest', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
  { name: 'is_delete_marker', type: 'BOOLEAN', repetition_type: 'OPTIONAL' },
  { name: 'size', type: 'INT64', repetition_type: 'OPTIONAL' },
  { name: 'last_modified_date', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'OPTIONAL' },
  { name: 'e_tag', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'storage_class', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
];

/** A Parquet inventory data file as S3 writes one (SNAPPY, the versioned schema). */
function report(rows: Row[], rowGroupSize = 1000, codec: 'SNAPPY' | 'GZIP' = 'SNAPPY'): Uint8Array {
  const col = (name: string, data: unknown[]) => ({ name, data: data as never });
  return new Uint8Array(
    parquetWriteBuffer({
      schema: SCHEMA,
      codec,
      compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)) },
      rowGroupSize,
      columnData: [
        col('bucket', rows.map((r) => r.bucket ?? BUCKET)),
        col('key', rows.map((r) => r.key)),
        col('version_id', rows.map((_, i) => `v${i}`)),
        col('is_latest', rows.map((r) => r.latest ?? true)),
        col('is_delete_marker', rows.map((r) => r.deleteMarker ?? false)),
        col('size', rows.map((r) => (r.size === null ? null : BigInt(r.size)))),
        col('last_modified_date', rows.map(() => MTIME)),
        col('e_tag', rows.map((r) => (r.deleteMarker ? null : (etags.get(r.key) ?? `etag-${r.key.length}`)))),
        col('storage_class', rows.map(() => 'STANDARD')),
      ],
    }),
  );
}

async function put(Key: string, Body: string | Uint8Array): Promise<void> {
  const res = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
  if (res.ETag) etags.set(Key, res.ETag.replace(/"/g, ''));
}

async function manifest(name: string, files: { key: string; body?: Uint8Array }[], fileFormat = 'Parquet'): Promise<string> {
  await put(
    `inventory/${name}/manifest.json`,
    JSON.stringify({
      sourceBucket: BUCKET,
      destinationBucket: `arn:aws:s3:::${BUCKET}`,
      version: '2016-11-30',
      creationTimestamp: '1704164645000',
      fileFormat,
      fileSchema: `message s3.inventory { ${SCHEMA.slice(1).map((e) => `${e.repetition_type === 'REQUIRED' ? 'required' : 'optional'} ${e.type === 'BYTE_ARRAY' ? 'binary' : e.type!.toLowerCase()} ${e.name}${e.converted_type ? ` (${e.converted_type})` : ''};`).join(' ')} }`,
      files: files.map((f) => ({ key: f.key, size: f.body?.length ?? 0, MD5checksum: '00000000000000000000000000000000' })),
    }),
  );
  return `s3://${BUCKET}/inventory/${name}/manifest.json`;
}

/** Entries the source lists, or the error that ended the listing. */
async function listAll(inventory: string, prefix = 'data', c = client) {
  const source = s3Source({ bucket: BUCKET, prefix, client: c, inventory });
  const entries = [];
  try {
    for await (const e of source.list()) entries.push(e);
  } catch (err) {
    return { entries, error: err as { code?: string; message: string } };
  }
  return { entries, error: undefined };
}

beforeAll(async () => {
  server = await useS3Server();
  client = server.client();
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await put('data/a b.txt', 'hello');
  await put('data/100%25 literal.txt', 'SPDX-License-Identifier: MIT\n');
  await put('data/sub/é.txt', 'x');
}, 300_000);

afterAll(async () => {
  client?.destroy();
  await server?.release();
});

describe('listing from a Parquet S3 Inventory report', () => {
  it('lists the current objects below the prefix with keys as written (not URL-decoded), skipping delete markers, old versions and other buckets', async () => {
    const one = report([
      { key: 'data/a b.txt', size: 5 },
      { key: 'data/100%25 literal.txt', size: 29 },
      { key: 'data/gone.txt', size: null, deleteMarker: true },
      { key: 'data/gone.txt', size: 7, latest: false },
      { key: 'data/a b.txt', size: 3, latest: false },
      { key: 'other/d.txt', size: 1 },
    ]);
    const two = report([
      { key: 'data/sub/é.txt', size: 1 },
      { key: 'data/sub/elsewhere.txt', size: 1, bucket: 'another-bucket' },
    ]);
    await put('inventory/v/data/1.parquet', one);
    await put('inventory/v/data/2.parquet', two);
    const inventory = await manifest('v', [
      { key: 'inventory/v/data/1.parquet', body: one },
      { key: 'inventory/v/data/2.parquet', body: two },
    ]);
    const { entries, error } = await listAll(inventory);
    expect(error).toBeUndefined();
    expect(entries.map((e) => [e.path, e.size, e.mtime, e.etag])).toEqual([
      ['a b.txt', 5, MTIME.toISOString(), `"${etags.get('data/a b.txt')}"`],
      ['100%25 literal.txt', 29, MTIME.toISOString(), `"${etags.get('data/100%25 literal.txt')}"`],
      ['sub/é.txt', 1, MTIME.toISOString(), `"${etags.get('data/sub/é.txt')}"`],
    ]);

    // The same objects listed by ListObjectsV2 agree with the inventory.
    const listed = [];
    for await (const e of s3Source({ bucket: BUCKET, prefix: 'data', client }).list()) listed.push([e.path, e.size]);
    expect(listed.sort()).toEqual(entries.map((e) => [e.path, e.size]).sort());

    // And a scan from the inventory reads the objects it names: the licence in the literal-% key is found.
    const records = [];
    for await (const r of scan({ source: s3Source({ bucket: BUCKET, prefix: 'data', client, inventory }), detectors: builtinDetectors })) records.push(r);
    const lit = records.find((r) => r.path === '100%25 literal.txt');
    expect(lit?.errors ?? []).toEqual([]);
    expect(lit?.licence?.expression).toBe('MIT');
  });

  it('streams a multi-row-group file one row group at a time over ranged reads', async () => {
    // Keys that do not compress, so that the file is much larger than the footer's first fetch.
    const noise = (i: number) => createHash('sha256').update(String(i)).digest('hex');
    const rows: Row[] = Array.from({ length: 20_000 }, (_, i) => ({ key: `data/many/${String(i).padStart(5, '0')}-${noise(i)}.txt`, size: i }));
    const body = report(rows, 4000);
    await put('inventory/big/data/1.parquet', body);
    const inventory = await manifest('big', [{ key: 'inventory/big/data/1.parquet', body }]);
    // Record every ranged GET of the data file.
    const c = server.client();
    const ranges: string[] = [];
    c.middlewareStack.add(
      (next) => async (args) => {
        const req = args.request as { path?: string; headers?: Record<string, string> };
        if (req.path?.endsWith('/inventory/big/data/1.parquet') && req.headers?.range) ranges.push(req.headers.range);
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordRanges' },
    );
    const { entries, error } = await listAll(inventory, 'data/many', c);
    c.destroy();
    expect(error).toBeUndefined();
    expect(entries.length).toBe(20_000);
    expect(entries[19_999]).toMatchObject({ path: `19999-${noise(19_999)}.txt`, size: 19_999 });
    // Footer, then at least one request per row group (5), and none for the whole file.
    expect(ranges.length).toBeGreaterThanOrEqual(6);
    for (const r of ranges) {
      const [, a, b] = /^bytes=(\d+)-(\d+)$/.exec(r)!;
      expect(Number(b) - Number(a) + 1).toBeLessThan(body.length / 2);
    }
  });

  it('reads a GZIP-compressed report too (hyparquet-compressors), for reports rewritten by other tools', async () => {
    const body = report([{ key: 'data/a b.txt', size: 5 }, { key: 'data/sub/é.txt', size: 1 }], 1000, 'GZIP');
    await put('inventory/gz/data/1.parquet', body);
    const { entries, error } = await listAll(await manifest('gz', [{ key: 'inventory/gz/data/1.parquet', body }]));
    expect(error).toBeUndefined();
    expect(entries.map((e) => [e.path, e.size])).toEqual([
      ['a b.txt', 5],
      ['sub/é.txt', 1],
    ]);
  });

  it('fails the listing with a clear ERR_SOURCE_LISTING on a corrupt or truncated Parquet file, without hanging', async () => {
    const good = report(Array.from({ length: 300 }, (_, i) => ({ key: `data/c/${i}.txt`, size: i })), 100);
    const garbage = new TextEncoder().encode('this is not a parquet file, although it is named like one');
    const truncated = good.subarray(0, Math.floor(good.length / 2));
    // Data pages overwritten, footer intact: the metadata reads, the pages do not.
    const scrambled = good.slice();
    for (let i = 4; i < Math.floor(good.length * 0.6); i++) scrambled[i] = (i * 131) & 0xff;
    // A footer whose metadata length points before the start of the file.
    const lying = good.slice();
    new DataView(lying.buffer).setUint32(lying.length - 8, 0x7fffffff, true);
    for (const [name, body] of Object.entries({ garbage, truncated, scrambled, lying })) {
      await put(`inventory/bad-${name}/data/1.parquet`, body);
      const inventory = await manifest(`bad-${name}`, [{ key: `inventory/bad-${name}/data/1.parquet`, body }]);
      const { error } = await listAll(inventory, 'data/c');
      expect(error, name).toBeDefined();
      expect(error!.code, name).toBe('ERR_SOURCE_LISTING');
      expect(error!.message, name).toContain(`the Parquet inventory file s3://${BUCKET}/inventory/bad-${name}/data/1.parquet cannot be read`);
    }
  }, 60_000);

  it('fails clearly when the manifest names a file the manifest sizes differently, or a Parquet file without key or size columns', async () => {
    const body = report([{ key: 'data/a b.txt', size: 5 }]);
    await put('inventory/resized/data/1.parquet', body);
    const inventory = await manifest('resized', [{ key: 'inventory/resized/data/1.parquet', body: body.subarray(1) }]);
    const resized = await listAll(inventory);
    expect(resized.error?.code).toBe('ERR_SOURCE_LISTING');
    expect(resized.error?.message).toMatch(/the manifest says/);

    const noSize = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'key', data: ['data/a b.txt'], type: 'STRING' }] }));
    await put('inventory/nosize/data/1.parquet', noSize);
    const result = await listAll(await manifest('nosize', [{ key: 'inventory/nosize/data/1.parquet', body: noSize }]));
    expect(result.error?.code).toBe('ERR_SOURCE_LISTING');
    expect(result.error?.message).toMatch(/no key or size column/);
  });
});
