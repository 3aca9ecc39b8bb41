import { applyFieldMap, builtinContainers, builtinDetectors, loadFieldMap, loadPolicy, localSource, resolvePolicy, scan, type Source, type Summary } from '@clearance/core';
import { openReports } from '../outputs.js';
import { progressLine } from '../progress.js';
import type { Command, Io } from '../usage.js';
import { SCAN_HELP, parseScanArgs, type ScanArgs } from './scan-args.js';

/** `clearance scan <path>`: scan, report, and gate on the verdicts. */
export const scanCommand: Command = {
  name: 'scan',
  summary: 'scan a dataset and report what may be trained on',
  help: SCAN_HELP,
  run: (argv, io) => runScan(parseScanArgs(argv), io),
};

async function runScan(args: ScanArgs, io: Io): Promise<number> {
  const policy = args.policy !== undefined ? await loadPolicy(args.policy) : resolvePolicy(undefined);
  const formats = { detectors: builtinDetectors, containers: args.containers ? builtinContainers : [] };
  const { detectors, containers } = args.fieldMap !== undefined ? applyFieldMap(await loadFieldMap(args.fieldMap), formats) : formats;
  const reports = await openReports(args.outputs, io);
  const { reporters, outputs } = reports;

  const source = await sourceOf(args);
  const progress = !args.quiet && io.stderr.isTTY ? progressLine(io.stderr) : undefined;
  const run = scan({
    source,
    detectors,
    policy,
    hash: args.hash,
    concurrency: args.concurrency,
    ...(args.containers ? { containers, containerLimits: args.containerLimits } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
    ...(args.shard ? { shard: args.shard } : {}),
    ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
  });

  let failure: Error | undefined;
  try {
    for await (const record of run) {
      for (const r of reporters) await r.onRecord?.(record);
    }
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
  }
  progress?.clear();
  let summary: Summary | undefined;
  try {
    summary = await run.summary;
  } catch {
    summary = undefined;
  }
  if (!summary) {
    // The scan failed before it could sum up: keep no half-written report.
    await reports.abort();
    throw failure ?? new Error('the scan ended without a summary');
  }
  // An interrupted scan still writes what it has, marked `interrupted` in the summary.
  for (const r of reporters) await r.onEnd?.(summary);
  await reports.commit();
  if (failure) throw failure;
  if (!args.quiet) {
    for (const o of outputs) if (o.target !== '-') io.stderr.write(`clearance: wrote ${o.target}\n`);
  }
  const failed = args.failOn === 'exclude' ? summary.verdicts.exclude > 0 : args.failOn === 'review' ? summary.verdicts.exclude + summary.verdicts.review > 0 : false;
  if (failed && !args.quiet) {
    io.stderr.write(`clearance: gate failed (--fail-on ${args.failOn}): ${summary.verdicts.exclude} excluded, ${summary.verdicts.review} to review\n`);
  }
  return failed ? 1 : 0;
}

/** A local folder, or an S3 prefix through @clearance/storage-s3 (loaded only then: the AWS SDK is large). */
async function sourceOf(args: ScanArgs): Promise<Source> {
  if (!args.s3) return localSource({ root: args.path, include: args.include, exclude: args.exclude, followSymlinks: args.followSymlinks });
  const { s3Source, parseS3Url } = await import('@clearance/storage-s3');
  const { bucket, prefix } = parseS3Url(args.path)!;
  const s3 = args.s3;
  return s3Source({
    bucket,
    prefix,
    include: args.include,
    exclude: args.exclude,
    ...(s3.endpoint !== undefined ? { endpoint: s3.endpoint } : {}),
    ...(s3.region !== undefined ? { region: s3.region } : {}),
    ...(s3.profile !== undefined ? { profile: s3.profile } : {}),
    forcePathStyle: s3.pathStyle,
    requesterPays: s3.requesterPays,
    ...(s3.inventory !== undefined ? { inventory: s3.inventory } : {}),
    // Every file in flight may hold a connection, and listing one more.
    maxSockets: args.concurrency + 4,
  });
}
