import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { builtinDetectors, scan } from '@clearance/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Source } from '../src/index.js';
import { putAll, useS3Server, type S3TestServer } from './server.js';

let server: S3TestServer;
let direct: S3Client;
const BUCKET = `faults-${process.pid}-${Date.now().toString(36)}`;
const files = new Map<string, Uint8Array>();

/** Deterministic, so that a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

interface Faults {
  slowDown: number;
  dropped: number;
  cutBody: number;
  requests: number;
}

/**
 * A proxy on 127.0.0.1 in front of radosgw that answers a fraction of requests with 503 SlowDown,
 * drops the connection before answering, or (for object reads) cuts the body off halfway.
 */
async function faultyProxy(target: string, rate: number, seed: number): Promise<{ url: string; faults: Faults; close: () => Promise<void> }> {
  const random = prng(seed);
  const upstream = new URL(target);
  const faults: Faults = { slowDown: 0, dropped: 0, cutBody: 0, requests: 0 };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const proxy = http.createServer((req, res) => {
    faults.requests++;
    const roll = random();
    if (roll < rate) {
      faults.slowDown++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
      return;
    }
    if (roll < rate * 2) {
      faults.dropped++;
      req.socket.destroy();
      return;
    }
    const isObjectRead = req.method === 'GET' && !/[?&]list-type=/.test(req.url ?? '');
    const cut = isObjectRead && roll < rate * 3;
    const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      const length = Number(ur.headers['content-length'] ?? 0);
      if (cut && length > 1) {
        faults.cutBody++;
        let sent = 0;
        ur.on('data', (chunk: Buffer) => {
          const room = Math.floor(length / 2) - sent;
          if (room > 0) res.write(chunk.subarray(0, room));
          sent += chunk.length;
          if (sent >= length / 2) {
            ur.destroy();
            res.socket?.destroy();
          }
        });
        return;
      }
      ur.pipe(res);
    });
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    close: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      agent.destroy();
    },
  };
}

beforeAll(async () => {
  server = await useS3Server();
  direct = server.client();
  await direct.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const random = prng(7);
  for (let i = 0; i < 150; i++) {
    // Sizes from empty to 600 KB, so that heads, tails and streamed wholes all meet faults.
    const size = i % 10 === 0 ? 0 : Math.floor(random() * (i % 7 === 0 ? 600_000 : 5_000));
    const bytes = new Uint8Array(size);
    for (let j = 0; j < size; j++) bytes[j] = Math.floor(random() * 256);
    files.set(`data/${String(i).padStart(3, '0')}.bin`, bytes);
  }
  files.set('data/LICENSE', new TextEncoder().encode('SPDX-License-Identifier: MIT\n'));
  await putAll(direct, BUCKET, '', files);
}, 300_000);

afterAll(async () => {
  direct?.destroy();
  await server?.release();
});

describe('s3Source under faults (503 SlowDown, dropped connections, bodies cut off)', () => {
  it('makes one record per object with the right sha256 and no errors, retrying with backoff', async () => {
    const proxy = await faultyProxy(server.endpoint, 0.08, 42);
    try {
      const client = server.client({ endpoint: proxy.url, maxAttempts: 10 });
      const source = s3Source({ bucket: BUCKET, prefix: 'data', client, maxKeys: 40 });
      const records = [];
      for await (const r of scan({ source, detectors: builtinDetectors, concurrency: 16 })) records.push(r);
      client.destroy();
      expect(records.length).toBe(files.size);
      for (const r of records) {
        expect(r.errors).toEqual([]);
        expect(r.sha256).toBe(createHash('sha256').update(files.get(`data/${r.path}`)!).digest('hex'));
      }
      // The faults did happen, of every kind.
      expect(proxy.faults.slowDown).toBeGreaterThan(5);
      expect(proxy.faults.dropped).toBeGreaterThan(5);
      expect(proxy.faults.cutBody).toBeGreaterThan(2);
    } finally {
      await proxy.close();
    }
  });

  it('makes a record error, not a crash, when an object keeps failing; a listing that keeps failing is fatal', async () => {
    const proxy = await faultyProxy(server.endpoint, 0.34, 3);
    try {
      // One attempt only: some reads fail for good.
      const client = server.client({ endpoint: proxy.url, maxAttempts: 1 });
      const source = s3Source({ bucket: BUCKET, prefix: 'data', client, maxKeys: 1000 });
      let failure: unknown;
      const records = [];
      try {
        for await (const r of scan({ source, detectors: builtinDetectors, concurrency: 8 })) records.push(r);
      } catch (err) {
        failure = err;
      }
      client.destroy();
      if (failure !== undefined) {
        // The listing met a fault it was not allowed to retry.
        expect((failure as { code?: string }).code).toBe('ERR_SOURCE_LISTING');
        expect(String((failure as Error).message)).toMatch(/cannot list s3:\/\//);
      } else {
        expect(records.length).toBe(files.size);
        expect(records.some((r) => r.errors.some((e) => e.code === 'ERR_READ_FAILED'))).toBe(true);
      }
    } finally {
      await proxy.close();
    }
  });
});
