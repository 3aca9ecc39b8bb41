import { parseArgs } from 'node:util';
import type { Summary } from '@clearance/core';
import { ReportInputError, readRecords } from '@clearance/report';
import { openReports, pairOutputs, type OutputSpec } from '../outputs.js';
import { UsageError, type Command, type Io } from '../usage.js';
import type { FailOn } from './scan-args.js';

export const REPORT_HELP = `Usage: clearance report <scan.jsonl> [options]

Render a scan saved with "clearance scan --format jsonl --out scan.jsonl" in other
formats, without scanning again. The file is read line by line: a scan of millions of
files renders in bounded memory. Use - to read standard input.

Options:
  -f, --format <name>   Report format (repeatable; each may be followed by its --out):
                          summary     short human summary (the default)
                          markdown    for pull requests, job summaries, dataset cards
                          html        one self-contained page for a reviewer
                          sarif       SARIF 2.1.0 for code scanning
                          github      GitHub Actions annotations (plain lines elsewhere)
                          spdx3       SPDX 3.0.1 JSON-LD, Dataset profile
                          cyclonedx   CycloneDX 1.6 ML-BOM
                          manifest    what may be trained on: <out>.jsonl, <out>.paths.txt,
                                      and what not, with reasons: <out>.excluded.jsonl
                          eu-summary  draft EU AI Act training-content summary
                          jsonl, json the records again
                        or a path to a reporter module.
  -o, --out <file>      Write the preceding --format to <file> (atomically). Without
                        it, that format goes to standard output.
      --fail-on <what>  Exit 1 when a file is excluded (exclude), excluded or to review
                        (review), or never (none, the default).
      --validate        Check every line against the record schema (slower).
  -q, --quiet           No messages on standard error.
  -h, --help            Show this help.

Exit status: 0 written · 1 the gate failed · 2 usage error or unreadable input.

Examples:
  clearance scan ./data --format jsonl --out scan.jsonl --fail-on none
  clearance report scan.jsonl --format html --out report.html --format sarif --out scan.sarif
  clearance report scan.jsonl --format manifest --out train.jsonl
  clearance report scan.jsonl --format markdown --out "$GITHUB_STEP_SUMMARY"
`;

/** `clearance report <scan.jsonl>`: render a saved scan in other formats, without scanning again. */
export const reportCommand: Command = {
  name: 'report',
  summary: 'render a saved JSON Lines scan in other formats',
  help: REPORT_HELP,
  run: (argv, io) => runReport(parseReportArgs(argv), io),
};

interface ReportArgs {
  input: string;
  outputs: OutputSpec[];
  failOn: FailOn;
  check: 'shape' | 'schema';
  quiet: boolean;
}

const options = {
  format: { type: 'string', short: 'f', multiple: true },
  out: { type: 'string', short: 'o', multiple: true },
  'fail-on': { type: 'string' },
  validate: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

function parseReportArgs(argv: readonly string[]): ReportArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const { values, positionals, tokens } = parsed;
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'report needs a saved scan: clearance report <scan.jsonl> (- for standard input)' : `report takes one file, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  const failOn = (values['fail-on'] ?? 'none') as FailOn;
  if (!['exclude', 'review', 'none'].includes(failOn)) throw new UsageError(`--fail-on must be exclude, review or none, got "${failOn}"`);
  return { input: positionals[0]!, outputs: pairOutputs(tokens), failOn, check: values.validate ? 'schema' : 'shape', quiet: values.quiet ?? false };
}

async function runReport(args: ReportArgs, io: Io): Promise<number> {
  const reports = await openReports(args.outputs, io);
  let summary: Summary | undefined;
  try {
    // One line at a time: a saved scan of millions of files renders in bounded memory.
    for await (const item of readRecords(args.input, { check: args.check, ...(io.signal ? { signal: io.signal } : {}) })) {
      if ('record' in item) {
        for (const r of reports.reporters) await r.onRecord?.(item.record);
      } else {
        summary = item.summary;
      }
    }
    for (const r of reports.reporters) await r.onEnd?.(summary!);
  } catch (err) {
    await reports.abort();
    if (err instanceof ReportInputError) {
      io.stderr.write(`${err.message.replace(/^\[clearance\] /, 'clearance: ')}\n`);
      return 2;
    }
    if (io.signal?.aborted) {
      io.stderr.write('clearance: report aborted; no file was written\n');
      return 130;
    }
    throw err;
  }
  await reports.commit();
  if (!args.quiet) {
    for (const o of reports.outputs) if (o.target !== '-') io.stderr.write(`clearance: wrote ${o.target}\n`);
  }
  const s = summary!;
  const failed = args.failOn === 'exclude' ? s.verdicts.exclude > 0 : args.failOn === 'review' ? s.verdicts.exclude + s.verdicts.review > 0 : false;
  if (failed && !args.quiet) io.stderr.write(`clearance: gate failed (--fail-on ${args.failOn}): ${s.verdicts.exclude} excluded, ${s.verdicts.review} to review\n`);
  return failed ? 1 : 0;
}
