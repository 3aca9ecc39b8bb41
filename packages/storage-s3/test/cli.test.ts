import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../../core/src/source/source-suite.js';
import { putAll, useS3Server, type S3TestServer } from './server.js';

const bin = path.resolve(import.meta.dirname, '../../cli/dist/bin.js');
const demo = path.resolve(import.meta.dirname, '../../../examples/demo-dataset');
let server: S3TestServer;
let client: S3Client;
let dir: string;
const BUCKET = `cli-${process.pid}-${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await useS3Server();
  client = server.client();
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await putAll(client, BUCKET, 'datasets/demo/', readTree(demo));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-s3-cli-'));
}, 300_000);

afterAll(async () => {
  client?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await server?.release();
});

function run(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey, AWS_REGION: '', AWS_PROFILE: '' },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const essence = (line: string) => {
  const r = JSON.parse(line) as Record<string, unknown>;
  return r['summary'] ? null : { path: r['path'], size: r['size'], sha256: r['sha256'], mediaType: r['mediaType'], licence: r['licence'], verdict: r['verdict'], optOuts: r['optOuts'] };
};

describe('clearance scan s3://', () => {
  it('writes the same records for s3://bucket/prefix as for the local folder, with ETags as provenance', () => {
    const s3Out = path.join(dir, 's3.jsonl');
    const localOut = path.join(dir, 'local.jsonl');
    const s3 = run(['scan', `s3://${BUCKET}/datasets/demo`, '--endpoint-url', server.endpoint, '--path-style', '--region', 'us-east-1', '--format', 'jsonl', '--out', s3Out, '--fail-on', 'none', '--quiet']);
    expect(s3.stderr).not.toMatch(/clearance:/);
    expect(s3.code).toBe(0);
    const local = run(['scan', demo, '--format', 'jsonl', '--out', localOut, '--fail-on', 'none', '--quiet']);
    expect(local.code).toBe(0);
    const lines = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n');
    const sortByPath = (a: { path: unknown } | null, b: { path: unknown } | null) => String(a?.path).localeCompare(String(b?.path));
    const got = lines(s3Out).map(essence).filter(Boolean).sort(sortByPath);
    const want = lines(localOut).map(essence).filter(Boolean).sort(sortByPath);
    expect(got.length).toBeGreaterThan(10);
    expect(got).toEqual(want);
    const first = JSON.parse(lines(s3Out)[0]!) as { etag?: string };
    expect(first.etag).toMatch(/^"[0-9a-f]{32}"$/);
    const summary = JSON.parse(lines(s3Out).at(-1)!) as { summary: { source: { name: string; location: string } } };
    expect(summary.summary.source).toEqual({ name: 's3', location: `s3://${BUCKET}/datasets/demo` });
  });

  it('gates as a local scan does and honours --include', () => {
    const r = run(['scan', `s3://${BUCKET}/datasets/demo`, '--endpoint-url', server.endpoint, '--path-style', '--include', 'text/**']);
    const local = run(['scan', demo, '--include', 'text/**']);
    expect(r.code).toBe(local.code);
    const scanned = (s: string) => /Scanned\s+(\d+) files/.exec(s)?.[1];
    expect(scanned(r.stdout)).toBe(scanned(local.stdout));
    expect(Number(scanned(r.stdout))).toBeGreaterThan(0);
  });

  it('exits 2 with a clear message for a missing bucket, an empty prefix, and S3 options on a local path', () => {
    const missing = run(['scan', 's3://no-such-bucket-here/x', '--endpoint-url', server.endpoint, '--path-style', '--quiet']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot list s3:\/\/no-such-bucket-here\/x: NoSuchBucket/);
    const empty = run(['scan', `s3://${BUCKET}/datasets/nothing-here`, '--endpoint-url', server.endpoint, '--path-style', '--quiet']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/nothing found at s3:\/\/.*\/datasets\/nothing-here/);
    const local = run(['scan', demo, '--path-style']);
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/--path-style applies only to an s3:\/\/bucket\/prefix path/);
    expect(run(['scan', 's3://b/p', '--endpoint-url', 'localhost:9000']).stderr).toMatch(/--endpoint-url must be an http/);
  });
});
