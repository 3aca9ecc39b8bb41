/**
 * The loopback S3 server the tests run against: Ceph's radosgw started by scripts/s3-server.sh (which
 * installs it when missing and run as root). Test files call {@link useS3Server} in `beforeAll` and
 * the release function it returns in `afterAll`; the server stops a few seconds after the last test
 * process lets go of it, so that test files run one after another share one start (about 12 s).
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const SCRIPT = path.resolve(import.meta.dirname, '../../../scripts/s3-server.sh');
const DIR = process.env.CLEARANCE_S3_DIR ?? '/tmp/clearance-s3';

export interface S3TestServer {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `radosgw`. */
  server: string;
  /** Milliseconds `start` took (near 0 when it was already running). */
  startMs: number;
  /** A path-style client with the test user's keys. */
  client(options?: { endpoint?: string; maxAttempts?: number }): S3Client;
  release(): Promise<void>;
}

/** Starts (or joins) the loopback server. Throws with the script's output when it cannot start. */
export async function useS3Server(): Promise<S3TestServer> {
  fs.mkdirSync(path.join(DIR, 'users'), { recursive: true });
  const token = path.join(DIR, 'users', `${process.pid}-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(token, '');
  const t0 = performance.now();
  let envFile: string;
  try {
    const { stdout } = await promisify(execFile)('bash', [SCRIPT, 'start'], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
    envFile = stdout.trim().split('\n').pop()!;
  } catch (err) {
    fs.rmSync(token, { force: true });
    throw new Error(`scripts/s3-server.sh start failed: ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err });
  }
  const startMs = performance.now() - t0;
  const env = JSON.parse(fs.readFileSync(envFile, 'utf8')) as { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; server: string };
  return {
    ...env,
    startMs,
    client: (options) =>
      new S3Client({
        endpoint: options?.endpoint ?? env.endpoint,
        region: env.region,
        forcePathStyle: true,
        credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        maxAttempts: options?.maxAttempts ?? 3,
      }),
    release: async () => {
      fs.rmSync(token, { force: true });
      // Detached: the stop waits out a short grace period in which the next test file may join.
      const child = spawn('bash', [SCRIPT, 'stop-if-idle', '15'], { detached: true, stdio: 'ignore' });
      child.unref();
    },
  };
}

/** Uploads with a few requests in flight. */
export async function putAll(c: S3Client, bucket: string, prefix: string, files: Map<string, Uint8Array>): Promise<void> {
  const queue = [...files];
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        await c.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${item[0]}`, Body: item[1] }));
      }
    }),
  );
}

