import path from 'node:path';
import type { ScanRecord, Summary } from '@clearance/core';
import { DECISION_LEVEL, blockingReasons, reasonEvidence } from '../facts.js';
import { formatCount } from '../format.js';
import { envOf } from '../options.js';
import type { ReporterFactory } from '../reporter.js';

/**
 * GitHub Actions workflow annotations: one `::error` per excluded file and one `::warning` per file
 * to review, on the file (and the line, when the evidence is in the file itself), saying why; then
 * one `::notice` with the totals. GitHub reads these from the step's standard output and shows them
 * on the run and on the pull request's changed files.
 *
 * Use: `clearance scan data --format github` in a workflow step (the command fails the step through
 * its exit status as usual; `--format summary --out summary.txt` keeps the human summary too).
 *
 * Outside GitHub Actions (`GITHUB_ACTIONS` is not `true`) the same lines are written in a plain
 * `path:line: level: message` form, so a local run shows what CI would annotate.
 *
 * Paths: annotations need paths relative to the repository, so a local source's paths are made
 * relative to `GITHUB_WORKSPACE` (else the working folder) through the scanned location.
 *
 * GitHub shows at most 10 annotations of each level per step and 50 per job; a million excluded
 * files would only flood the log. At most `githubMaxAnnotations` (default 50) of each level are
 * printed, the first in scan order, and a notice says how many more there are. Memory: those few
 * annotations only.
 */
export const github: ReporterFactory = (output, options) => {
  const env = envOf(options);
  const actions = env['GITHUB_ACTIONS'] === 'true';
  const max = options?.githubMaxAnnotations ?? 50;
  const kept: Annotation[] = [];
  const counts = { error: 0, warning: 0 };
  return {
    onRecord(record) {
      const a = annotate(record);
      if (!a) return;
      counts[a.level]++;
      if (counts[a.level] <= max) kept.push(a);
    },
    async onEnd(s) {
      const base = s.source.name === 'local' ? s.source.location : undefined;
      const workspace = env['GITHUB_WORKSPACE'] ?? process.cwd();
      const fileOf = (p: string) => {
        if (base === undefined) return p;
        const rel = path.relative(workspace, path.join(base, p)).split(path.sep).join('/');
        return rel.startsWith('../') ? path.join(base, p) : rel;
      };
      const lines: string[] = [];
      for (const a of kept) {
        const file = fileOf(a.path);
        if (actions) {
          const props = [`file=${property(file)}`, ...(a.line !== undefined ? [`line=${a.line}`] : []), `title=${property(a.title)}`];
          lines.push(`::${a.level} ${props.join(',')}::${data(a.message)}`);
        } else {
          lines.push(`${file}${a.line !== undefined ? `:${a.line}` : ''}: ${a.level}: ${a.message.split('\n').join('; ').replace(/\s+/g, ' ')} [${a.codes}]`);
        }
      }
      for (const level of ['error', 'warning'] as const) {
        const more = counts[level] - max;
        if (more > 0) {
          const what = level === 'error' ? 'excluded files' : 'files to review';
          const text = `${formatCount(more)} more ${what} are not annotated; see the SARIF, HTML or JSON Lines report for all of them.`;
          lines.push(actions ? `::notice title=Clearance::${data(text)}` : `notice: ${text}`);
        }
      }
      const totals = totalsLine(s);
      lines.push(actions ? `::notice title=Clearance::${data(totals)}` : `notice: ${totals}`);
      await output.write(`${lines.join('\n')}\n`);
    },
  };
};

interface Annotation {
  level: 'error' | 'warning';
  path: string;
  line?: number;
  title: string;
  message: string;
  codes: string;
}

function annotate(record: ScanRecord): Annotation | undefined {
  const reasons = blockingReasons(record);
  if (reasons.length === 0) return undefined;
  const level = DECISION_LEVEL[record.verdict.decision] as 'error' | 'warning';
  // The line, when the evidence of the first blocking reason is in this very file.
  let line: number | undefined;
  for (const r of reasons) {
    const e = reasonEvidence(record, r);
    if (e && e.path === record.path && e.line !== undefined) {
      line = e.line;
      break;
    }
  }
  const codes = [...new Set(reasons.map((r) => r.code))].join(', ');
  return {
    level,
    path: record.path,
    ...(line !== undefined ? { line } : {}),
    title: `Clearance: ${record.verdict.decision === 'exclude' ? 'excluded from training' : 'to review before training'}`,
    message: reasons.map((r) => `${r.decision}: ${r.message}`).join('\n'),
    codes,
  };
}

function totalsLine(s: Summary): string {
  const partial = s.interrupted ? ' (interrupted: partial)' : '';
  return `${formatCount(s.files)} files scanned${partial}: ${formatCount(s.verdicts.allow)} allowed, ${formatCount(s.verdicts.review)} to review, ${formatCount(s.verdicts.exclude)} excluded; ${formatCount(s.filesWithErrors)} with errors.`;
}

// Reference: GitHub Docs, "Workflow commands for GitHub Actions" — the message after `::` escapes
// `%`, CR and LF; property values also escape `:` and `,`.
/** Escapes workflow-command data (the message). */
export function data(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
/** Escapes a workflow-command property value. */
export function property(text: string): string {
  return data(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
