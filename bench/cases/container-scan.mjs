/**
 * A scan with containers opened, as a user runs it: `scan({ source: localSource({ root }),
 * detectors: builtinDetectors, containers: builtinContainers, hash })`, consuming every record.
 * Argument: `{ root, hash, needs?: string, tarFirst?: boolean }` — `needs` names a container id that
 * must be in `builtinContainers` (the case fails with a clear message when it is not registered yet);
 * `tarFirst` moves the tar container ahead of the others (the engine opens an entry with the first
 * format whose `match` fits, and warc's matches any application/gzip entry, .tar.gz included).
 */
import { builtinContainers, builtinDetectors, localSource, scan } from '@clearance/core';
import { caseArgs, emit, timed } from '../lib/common.mjs';

/** @type {{ root: string, hash: boolean, needs?: string, tarFirst?: boolean }} */
const args = caseArgs();
if (args.needs && !builtinContainers.some((c) => c.id === args.needs)) {
  process.stderr.write(`the ${args.needs} container is not in builtinContainers (registered: ${builtinContainers.map((c) => c.id).join(', ')})\n`);
  process.exit(3);
}

const containers = args.tarFirst ? [...builtinContainers.filter((c) => c.id === 'tar'), ...builtinContainers.filter((c) => c.id !== 'tar')] : builtinContainers;

const { value, seconds } = await timed(async () => {
  const run = scan({ source: localSource({ root: args.root }), detectors: builtinDetectors, containers, hash: args.hash });
  let records = 0;
  let memberRecords = 0;
  let withFields = 0;
  let hashed = 0;
  /** @type {string | undefined} */
  let firstError;
  for await (const record of run) {
    records++;
    if (record.container) memberRecords++;
    if (record.sha256) hashed++;
    if (record.findings.some((f) => f.detector === 'record-fields')) withFields++;
    if (record.errors.length > 0) firstError ??= `${record.path}: ${record.errors[0].code} ${record.errors[0].message}`;
  }
  return { records, memberRecords, withFields, hashed, firstError, summary: await run.summary };
});

const s = value.summary;
emit({
  records: value.records,
  memberRecords: value.memberRecords,
  recordsWithFieldFindings: value.withFields,
  hashed: value.hashed,
  containers: s.containers,
  bytes: s.bytes,
  bytesRead: s.bytesRead,
  errors: s.filesWithErrors,
  errorCodes: s.errors,
  verdicts: s.verdicts,
  licences: Object.fromEntries(Object.entries(s.licences).sort((a, b) => b[1] - a[1]).slice(0, 6)),
  ...(value.firstError ? { firstError: value.firstError } : {}),
  heapUsedAtEnd: process.memoryUsage().heapUsed,
  seconds,
});
