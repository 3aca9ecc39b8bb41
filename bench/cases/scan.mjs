/**
 * The scan itself, as a user runs it: `scan({ source: localSource({ root }), detectors: builtinDetectors })`
 * over a generated tree, consuming every record. Argument: `{ root, hash, concurrency?, digests? }`.
 */
import { builtinDetectors, localSource, scan } from '@clearance/core';
import { caseArgs, emit, timed } from '../lib/common.mjs';

/** @type {{ root: string, hash: boolean, concurrency?: number, digests?: boolean }} */
const args = caseArgs();

const { value, seconds } = await timed(async () => {
  const run = scan({ source: localSource({ root: args.root }), detectors: builtinDetectors, hash: args.hash, concurrency: args.concurrency ?? 32 });
  let records = 0;
  /** @type {string | undefined} */
  let firstError;
  /** @type {[string, string][]} */
  const digests = [];
  for await (const record of run) {
    records++;
    if (args.digests && record.sha256) digests.push([record.path, record.sha256.slice(0, 16)]);
    if (record.errors.length > 0) firstError ??= `${record.path}: ${record.errors[0].code} ${record.errors[0].message}`;
  }
  return { records, firstError, digests, summary: await run.summary };
});

const s = value.summary;
emit({
  files: value.records,
  bytes: s.bytes,
  bytesRead: s.bytesRead,
  errors: s.filesWithErrors,
  verdicts: s.verdicts,
  ...(value.firstError ? { firstError: value.firstError } : {}),
  // Shortened sha256 per file, in path order, when asked: run.mjs checks them against the raw baseline.
  ...(args.digests ? { digests: value.digests.sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((d) => d[1]) } : {}),
  seconds,
});
