import { ClearanceError } from '@clearance/core';
import { loadReporter, openOutput, type Output, type Reporter, type ReporterOptions } from '@clearance/report';
import { UsageError, type Io } from './usage.js';

/** One report to write: a format (name or reporter module path) and its file (`-`: standard output). */
export interface OutputSpec {
  format: string;
  out: string;
}

/** The option tokens of `util.parseArgs({ tokens: true })` that matter here. */
type Token = { kind: string; name?: string; value?: string | undefined };

/**
 * Pairs each `--out` with the `--format` before it, so that
 * `--format summary --format jsonl --out scan.jsonl` prints the summary and writes the JSON Lines.
 * A format without an `--out` goes to standard output; only one may. With no `--format` at all,
 * `fallback` goes to standard output. Shared by `clearance scan` and `clearance report`.
 */
export function pairOutputs(tokens: readonly Token[], fallback = 'summary'): OutputSpec[] {
  const outputs: { format: string; out: string | undefined }[] = [];
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    if (t.name === 'format') outputs.push({ format: t.value!, out: undefined });
    if (t.name === 'out') {
      const last = outputs.at(-1);
      if (!last || last.out !== undefined) throw new UsageError(`--out ${t.value} must follow the --format it is for`);
      last.out = t.value!;
    }
  }
  if (outputs.length === 0) outputs.push({ format: fallback, out: '-' });
  const resolved = outputs.map((o) => ({ format: o.format, out: o.out ?? '-' }));
  const toStdout = resolved.filter((o) => o.out === '-');
  if (toStdout.length > 1) throw new UsageError(`only one format can go to standard output; give --out <file> to all but one of: ${toStdout.map((o) => o.format).join(', ')}`);
  return resolved;
}

/** Reporters opened on their outputs, committed or aborted together. */
export interface OpenReports {
  reporters: Reporter[];
  outputs: Output[];
  /** Flushes every output and renames each file into place. */
  commit(): Promise<void>;
  /** Drops every file being written; earlier files at those paths stay. */
  abort(): Promise<void>;
}

/**
 * Loads each format's reporter and opens its output. Throws {@link ClearanceError}
 * `ERR_INVALID_OPTION` when a file cannot be opened (after dropping those already opened), and the
 * reporter registry's error for an unknown format.
 */
export async function openReports(specs: readonly OutputSpec[], io: Pick<Io, 'stdout'>, options?: ReporterOptions): Promise<OpenReports> {
  const factories = await Promise.all(specs.map(async (o) => ({ ...o, factory: await loadReporter(o.format) })));
  const outputs: Output[] = [];
  const reporters: Reporter[] = [];
  try {
    for (const o of factories) {
      const output = await openOutput(o.out, io.stdout);
      outputs.push(output);
      reporters.push(o.factory(output, options));
    }
  } catch (err) {
    await Promise.all(outputs.map((o) => o.abort()));
    throw new ClearanceError('ERR_INVALID_OPTION', `cannot open report file: ${(err as Error).message}`, { cause: err });
  }
  return {
    reporters,
    outputs,
    commit: async () => {
      await Promise.all(outputs.map((o) => o.commit()));
    },
    abort: async () => {
      await Promise.all(outputs.map((o) => o.abort()));
    },
  };
}
