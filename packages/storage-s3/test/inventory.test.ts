import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Source } from '../src/index.js';
import { parseCsvLine } from '../src/inventory.js';
import { useS3Server, type S3TestServer } from './server.js';

let server: S3TestServer;
let client: S3Client;
const BUCKET = `inv-${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await useS3Server();
  client = server.client();
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const put = (Key: string, Body: string | Uint8Array) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
  await put('data/a b.txt', 'hello');
  await put('data/sub/c.txt', 'SPDX-License-Identifier: MIT\n');
  await put('other/d.txt', 'x');
  // An inventory report as S3 writes one: URL-encoded keys, unquoted ETags, two gzip CSV files.
  const row = (key: string, size: number) => `"${BUCKET}","${encodeURIComponent(key).replace(/%20/g, '+')}","${size}","2024-01-02T03:04:05.000Z","etag-not-used"`;
  await put('inventory/data/1.csv.gz', gzipSync(`${row('data/a b.txt', 5)}\n${row('other/d.txt', 1)}\n`));
  await put('inventory/data/2.csv.gz', gzipSync(`${row('data/sub/c.txt', 29)}\n`));
  await put(
    'inventory/manifest.json',
    JSON.stringify({
      sourceBucket: BUCKET,
      destinationBucket: `arn:aws:s3:::${BUCKET}`,
      version: '2016-11-30',
      fileFormat: 'CSV',
      fileSchema: 'Bucket, Key, Size, LastModifiedDate, ETag',
      files: [{ key: 'inventory/data/1.csv.gz' }, { key: 'inventory/data/2.csv.gz' }],
    }),
  );
}, 300_000);

afterAll(async () => {
  client?.destroy();
  await server?.release();
});

describe('listing from an S3 Inventory report', () => {
  it('lists the objects the CSV report names below the prefix, with sizes, mtimes and decoded keys', async () => {
    const source = s3Source({ bucket: BUCKET, prefix: 'data', client, inventory: `s3://${BUCKET}/inventory/manifest.json` });
    const entries = [];
    for await (const e of source.list()) entries.push(e);
    expect(entries.map((e) => [e.path, e.size, e.mtime, e.etag])).toEqual([
      ['a b.txt', 5, '2024-01-02T03:04:05.000Z', '"etag-not-used"'],
      ['sub/c.txt', 29, '2024-01-02T03:04:05.000Z', '"etag-not-used"'],
    ]);
  });

  it('skips delete markers and non-current versions of a versioned CSV report', async () => {
    const row = (key: string, size: string, latest: string, deleted: string) => `"${BUCKET}","${encodeURIComponent(key)}","v","${latest}","${deleted}","${size}"`;
    const body = [row('data/a b.txt', '5', 'true', 'false'), row('data/a b.txt', '3', 'false', 'false'), row('data/gone.txt', '', 'true', 'true'), row('data/gone.txt', '9', 'false', 'false')];
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'inventory/versions/1.csv.gz', Body: gzipSync(body.join('\n') + '\n') }));
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'inventory/versions.json',
        Body: JSON.stringify({ destinationBucket: `arn:aws:s3:::${BUCKET}`, fileFormat: 'CSV', fileSchema: 'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size', files: [{ key: 'inventory/versions/1.csv.gz' }] }),
      }),
    );
    const entries = [];
    for await (const e of s3Source({ bucket: BUCKET, prefix: 'data', client, inventory: `s3://${BUCKET}/inventory/versions.json` }).list()) entries.push([e.path, e.size]);
    expect(entries).toEqual([['a b.txt', 5]]);
  });

  it('parses quoted CSV fields with quotes and commas inside', () => {
    expect(parseCsvLine('"b","a,""b""","3"')).toEqual(['b', 'a,"b"', '3']);
    expect(parseCsvLine('b,,3')).toEqual(['b', '', '3']);
  });

  it('refuses an ORC report with a message naming CSV and Parquet, and a broken manifest, with ERR_SOURCE_LISTING', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'inventory/orc.json', Body: JSON.stringify({ destinationBucket: `arn:aws:s3:::${BUCKET}`, fileFormat: 'ORC', files: [] }) }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'inventory/bad.json', Body: '{' }));
    const failure = async (m: string) => {
      const source = s3Source({ bucket: BUCKET, prefix: 'data', client, inventory: `s3://${BUCKET}/inventory/${m}` });
      try {
        for await (const _ of source.list()) void _;
      } catch (err) {
        return err as { code?: string; message: string };
      }
      throw new Error('the listing did not fail');
    };
    const orc = await failure('orc.json');
    expect(orc.code).toBe('ERR_SOURCE_LISTING');
    expect(orc.message).toMatch(/ORC format, which Clearance does not read.*CSV or Parquet/);
    expect((await failure('bad.json')).code).toBe('ERR_SOURCE_LISTING');
  });

  it('is what `clearance scan --inventory` lists from, and refuses the option on a local path', () => {
    const bin = path.resolve(import.meta.dirname, '../../cli/dist/bin.js');
    const env = { ...process.env, NO_COLOR: '1', AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_REGION: '', AWS_PROFILE: '' };
    const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, timeout: 120_000 });
    const r = run(['scan', `s3://${BUCKET}/data`, '--endpoint-url', server.endpoint, '--path-style', '--inventory', `s3://${BUCKET}/inventory/manifest.json`, '--format', 'jsonl', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { path?: string; etag?: string; errors?: { code: string }[] })
      .filter((x) => x.path !== undefined);
    // The paths below the prefix that the report names, with the report's ETag: this report's ETags are
    // made up, so each read is refused as a changed object — proof that the listing came from the report.
    expect(records.map((x) => [x.path, x.etag, x.errors!.map((e) => e.code)]).sort()).toEqual([
      ['a b.txt', '"etag-not-used"', ['ERR_CHANGED_DURING_READ']],
      ['sub/c.txt', '"etag-not-used"', ['ERR_CHANGED_DURING_READ']],
    ]);
    const local = run(['scan', '.', '--inventory', 'manifest.json']);
    expect(local.status).toBe(2);
    expect(local.stderr).toMatch(/--inventory applies only to an s3:\/\/bucket\/prefix path/);
  });
});
