import { ClearanceError, VERSION, builtinDetectors, loadPolicy, localSource, resolvePolicy, scan, type Summary } from '@clearance/core';
import { loadReporter, openOutput, type Output, type Reporter } from '@clearance/report';
import { HELP, UsageError, parseCommandLine, type ScanArgs } from './args.js';
import { progressLine } from './progress.js';

/** What the CLI writes to and reads from; tests pass their own. */
export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Aborted on SIGINT/SIGTERM by bin.ts. */
  signal?: AbortSignal;
}

/** Runs the CLI and returns the exit status: 0 passed the gate, 1 failed it, 2 usage or fatal error. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let args;
  try {
    args = parseCommandLine(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`clearance: ${err.message}\nRun "clearance --help" for usage.\n`);
      return 2;
    }
    throw err;
  }
  if (args.command === 'version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (args.command === 'help') {
    io.stdout.write(HELP);
    return 0;
  }
  try {
    return await runScan(args, io);
  } catch (err) {
    if (err instanceof ClearanceError || (err instanceof Error && 'code' in err && err.code === 'ERR_REPORTER')) {
      io.stderr.write(`${err.message.replace(/^\[clearance\] /, 'clearance: ')}\n`);
      return err instanceof ClearanceError && err.code === 'ERR_ABORTED' ? 130 : 2;
    }
    throw err;
  }
}

async function runScan(args: ScanArgs, io: Io): Promise<number> {
  const policy = args.policy !== undefined ? await loadPolicy(args.policy) : resolvePolicy(undefined);
  const factories = await Promise.all(args.outputs.map(async (o) => ({ ...o, factory: await loadReporter(o.format) })));
  const outputs: Output[] = [];
  const reporters: Reporter[] = [];
  try {
    for (const o of factories) {
      const output = await openOutput(o.out, io.stdout);
      outputs.push(output);
      reporters.push(o.factory(output));
    }
  } catch (err) {
    await Promise.all(outputs.map((o) => o.abort()));
    throw new ClearanceError('ERR_INVALID_OPTION', `cannot open report file: ${(err as Error).message}`, { cause: err });
  }

  const progress = !args.quiet && io.stderr.isTTY ? progressLine(io.stderr) : undefined;
  const run = scan({
    source: localSource({ root: args.path, include: args.include, exclude: args.exclude, followSymlinks: args.followSymlinks }),
    detectors: builtinDetectors,
    policy,
    hash: args.hash,
    concurrency: args.concurrency,
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
    await Promise.all(outputs.map((o) => o.abort()));
    throw failure ?? new Error('the scan ended without a summary');
  }
  // An interrupted scan still writes what it has, marked `interrupted` in the summary.
  for (const r of reporters) await r.onEnd?.(summary);
  await Promise.all(outputs.map((o) => o.commit()));
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
