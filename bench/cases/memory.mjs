/**
 * Memory: a full scan (builtin detectors, hashing on, every record consumed and dropped) of a
 * synthetic in-memory source with `count` entries. run.mjs starts one process per size, so the
 * peak RSS printed is that scan's alone. Started with --expose-gc, it also reports the heap still
 * live after a full GC at the end: a peak that grows while the live heap does not is garbage the
 * collector let pile up, not memory the engine holds. Argument: `{ count }`.
 */
import { builtinDetectors, scan } from '@clearance/core';
import { caseArgs, emit, timed } from '../lib/common.mjs';
import { syntheticSource } from '../lib/synthetic-source.mjs';

/** @type {{ count: number }} */
const args = caseArgs();

const { value, seconds } = await timed(async () => {
  const run = scan({ source: syntheticSource(args.count), detectors: builtinDetectors, hash: true });
  let records = 0;
  for await (const record of run) if (record.path !== '') records++;
  const summary = await run.summary;
  return { records, summary };
});

const s = value.summary;
emit({
  files: value.records,
  bytes: s.bytes,
  bytesRead: s.bytesRead,
  errors: s.filesWithErrors,
  verdicts: s.verdicts,
  heapUsedAtEnd: process.memoryUsage().heapUsed,
  liveHeapAfterGc: typeof globalThis.gc === 'function' ? (globalThis.gc(), process.memoryUsage().heapUsed) : null,
  seconds,
});
