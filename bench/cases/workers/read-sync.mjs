/**
 * Worker of raw-small-workers.mjs: receives batches of paths and, for each, openSync + readSync of
 * the first 4 KiB + closeSync; answers each batch with the count and bytes read.
 */
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';

const HEAD = 4096;
const buf = Buffer.allocUnsafe(HEAD);
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

port.on('message', (/** @type {string[]} */ batch) => {
  let bytesRead = 0;
  for (const file of batch) {
    const fd = fs.openSync(file, 'r');
    try {
      bytesRead += fs.readSync(fd, buf, 0, HEAD, 0);
    } finally {
      fs.closeSync(fd);
    }
  }
  port.postMessage({ files: batch.length, bytesRead });
});
port.postMessage('ready');
