/**
 * The loopback radosgw for bench/s3.mjs, joined the way packages/storage-s3/test/server.ts joins it:
 * a token file named after this process in the server's users folder, `scripts/s3-server.sh start`
 * (which starts it, or finds it running), and on release the token removed and a detached
 * `stop-if-idle`, so that a test run of another process sharing the server is never cut off.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/s3-server.sh');
const DIR = process.env.CLEARANCE_S3_DIR ?? '/tmp/clearance-s3';

/**
 * Starts (or joins) the server.
 * @returns {Promise<{ endpoint: string, region: string, accessKeyId: string, secretAccessKey: string, startMs: number, release: () => void }>}
 */
export async function useS3Server() {
  fs.mkdirSync(path.join(DIR, 'users'), { recursive: true });
  const token = path.join(DIR, 'users', `${process.pid}-bench`);
  fs.writeFileSync(token, '');
  const t0 = performance.now();
  let envFile;
  try {
    const { stdout } = await promisify(execFile)('bash', [SCRIPT, 'start'], { timeout: 240_000, maxBuffer: 16 * 1024 * 1024 });
    envFile = stdout.trim().split('\n').pop() ?? '';
  } catch (err) {
    fs.rmSync(token, { force: true });
    throw new Error(`scripts/s3-server.sh start failed: ${/** @type {{ stderr?: string }} */ (err).stderr ?? String(err)}`, { cause: err });
  }
  const env = JSON.parse(fs.readFileSync(envFile, 'utf8'));
  return {
    ...env,
    startMs: performance.now() - t0,
    release() {
      fs.rmSync(token, { force: true });
      spawn('bash', [SCRIPT, 'stop-if-idle', '15'], { detached: true, stdio: 'ignore' }).unref();
    },
  };
}
