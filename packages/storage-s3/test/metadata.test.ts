import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { builtinDetectors, scan, type ScanRecord } from '@clearance/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Source } from '../src/index.js';
import { useS3Server, type S3TestServer } from './server.js';

let server: S3TestServer;
let client: S3Client;
const BUCKET = `meta-${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await useS3Server();
  client = server.client();
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const put = (Key: string, extra: { Metadata?: Record<string, string>; Tagging?: string }) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'hello world\n', ...extra }));
  await put('m/licensed.txt', { Metadata: { license: 'CC-BY-4.0', author: 'Ada' } });
  await put('m/reserved.txt', { Tagging: 'tdm-reservation=1&tdm-policy=https%3A%2F%2Fexample.com%2Fp.json', Metadata: { license: 'MIT' } });
  await put('m/plain.txt', {});
}, 300_000);

afterAll(async () => {
  client?.destroy();
  await server?.release();
});

async function records(options: { metadata?: boolean; tags?: boolean }): Promise<Map<string, ScanRecord>> {
  const out = new Map<string, ScanRecord>();
  for await (const r of scan({ source: s3Source({ bucket: BUCKET, prefix: 'm/', client, ...options }), detectors: builtinDetectors })) out.set(r.path, r);
  return out;
}

describe('object metadata and tags as provenance and findings', () => {
  it('puts x-amz-meta-* (HeadObject) and tags (GetObjectTagging) on records, and turns licences and reservations into findings', async () => {
    const r = await records({ metadata: true, tags: true });
    expect(r.get('licensed.txt')!.metadata).toMatchObject({ 'x-amz-meta-license': 'CC-BY-4.0', 'x-amz-meta-author': 'Ada' });
    expect(r.get('licensed.txt')!.licence).toMatchObject({ expression: 'CC-BY-4.0' });
    expect(r.get('licensed.txt')!.verdict.decision).toBe('allow');
    expect(r.get('reserved.txt')!.metadata).toMatchObject({ 'tag:tdm-reservation': '1', 'tag:tdm-policy': 'https://example.com/p.json', 'x-amz-meta-license': 'MIT' });
    expect(r.get('reserved.txt')!.optOuts).toMatchObject([{ protocol: 'object-metadata', reserved: 'yes' }]);
    expect(r.get('reserved.txt')!.verdict.decision).toBe('exclude');
    expect(r.get('plain.txt')!.verdict.decision).toBe('review');
    for (const rec of r.values()) expect(rec.etag).toMatch(/^"[0-9a-f]{32}"$/);
  });

  it('asks for neither by default: records carry only what the listing says', async () => {
    const r = await records({});
    expect(r.get('licensed.txt')!.metadata).toBeUndefined();
    expect(r.get('reserved.txt')!.verdict.decision).toBe('review');
  });
});
