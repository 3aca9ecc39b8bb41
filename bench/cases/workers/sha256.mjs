/**
 * Worker of raw-large.mjs (mode `pool`): keeps one sha256 per file id. `{ id, chunk, n }` hashes the
 * first n bytes of a transferred ArrayBuffer and sends the buffer back (transferred) as the ack;
 * `{ id, end: true }` answers with the hex digest.
 */
import crypto from 'node:crypto';
import { parentPort } from 'node:worker_threads';

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
/** @type {Map<number, import('node:crypto').Hash>} */
const hashes = new Map();

port.on('message', (/** @type {{ id: number, chunk?: ArrayBuffer, n?: number, end?: boolean }} */ m) => {
  let hash = hashes.get(m.id);
  if (!hash) hashes.set(m.id, (hash = crypto.createHash('sha256')));
  if (m.end) {
    hashes.delete(m.id);
    port.postMessage(hash.digest('hex'));
    return;
  }
  const chunk = /** @type {ArrayBuffer} */ (m.chunk);
  hash.update(new Uint8Array(chunk, 0, m.n));
  port.postMessage(chunk, [chunk]);
});
port.postMessage('ready');
