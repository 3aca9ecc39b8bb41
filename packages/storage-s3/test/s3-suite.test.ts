import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { builtinDetectors, localSource, scan } from '@clearance/core';
import * as vitest from 'vitest';
import { sourceSuite, type SourceSuiteHarness } from '../../core/src/source/source-suite.js';
import { s3Source } from '../src/index.js';
import { putAll, useS3Server, type S3TestServer } from './server.js';

const { beforeAll, afterAll } = vitest;

let server: S3TestServer;
let client: S3Client;
const BUCKET = `suite-${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await useS3Server();
  client = server.client();
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 300_000);

afterAll(async () => {
  client?.destroy();
  await server?.release();
});

let runs = 0;
const s3: SourceSuiteHarness = {
  name: 's3 (loopback radosgw)',
  async create(files) {
    const prefix = `run-${runs++}/`;
    await putAll(client, BUCKET, prefix, files);
    return {
      source: (options) =>
        s3Source({
          bucket: BUCKET,
          // Without the trailing slash: the prefix names a folder, as a local root does.
          prefix: prefix.slice(0, -1),
          client,
          ...(options?.include ? { include: options.include } : {}),
          ...(options?.exclude ? { exclude: options.exclude } : {}),
          ...(options?.pageSize ? { maxKeys: options.pageSize } : {}),
        }),
      remove: async (rel) => void (await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}${rel}` }))),
      write: async (rel, bytes) => void (await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}${rel}`, Body: bytes }))),
      // The server keeps its objects in memory and is thrown away with them.
      dispose: async () => undefined,
    };
  },
};

sourceSuite(vitest, { scan, localSource, builtinDetectors }, s3);
