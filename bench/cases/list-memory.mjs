/**
 * Memory of the real local source's listing: the synthetic source of memory.mjs cannot show whether
 * `localSource().list()` itself holds entries it has not handed out yet. This consumes the listing
 * at a scan's pace (about 10k entries/s) for `seconds`, then measures the heap still live after a
 * full GC. A listing with constant memory shows the same live heap on a 10k tree and a 100k tree;
 * one that walks ahead of its consumer holds the rest of the tree. Started with --expose-gc.
 * Argument: `{ root, include?, seconds? }`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { localSource } from '@clearance/core';
import { caseArgs, emit } from '../lib/common.mjs';

/** @type {{ root: string, include?: string[], seconds?: number }} */
const args = caseArgs();
const seconds = args.seconds ?? 2;
const gc = /** @type {() => void} */ (globalThis.gc);
if (typeof gc !== 'function') throw new Error('list-memory.mjs needs --expose-gc');

const t0 = performance.now();
let files = 0;
/** @type {number | null} */
let liveHeap = null;
for await (const entry of localSource({ root: args.root, ...(args.include ? { include: args.include } : {}) }).list()) {
  if (entry.error) continue;
  files++;
  if (files % 10 === 0) await sleep(1);
  if (performance.now() - t0 > seconds * 1000) {
    // Measure while the listing is still open: leaving the loop would let go of what it holds.
    gc();
    liveHeap = process.memoryUsage().heapUsed;
    break;
  }
}
// A listing that ended before the time was up is measured at its end.
if (liveHeap === null) {
  gc();
  liveHeap = process.memoryUsage().heapUsed;
}
emit({ files, liveHeap, bytes: 0, seconds: (performance.now() - t0) / 1000 });
