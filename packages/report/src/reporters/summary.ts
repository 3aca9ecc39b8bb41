import type { Summary } from '@clearance/core';
import { formatBytes, formatDuration, plural, topCounts } from '../format.js';
import type { ReporterFactory } from '../reporter.js';

/**
 * A short human summary for a terminal: totals, verdicts, licences, opt-outs, TPMs, errors and the
 * most frequent reasons files were excluded or sent to review. Holds counts only, never records.
 */
export const summary: ReporterFactory = (output, options) => {
  const color = options?.color ?? (output.isTTY && process.env['NO_COLOR'] === undefined);
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return {
    onEnd: (s) => output.write(renderSummary(s, paint)),
  };
};

export function renderSummary(s: Summary, paint: (code: string, s: string) => string = (_c, t) => t): string {
  const lines: string[] = [];
  const label = (t: string) => paint('1', t.padEnd(11));
  lines.push(
    `${paint('1', 'Clearance')} ${s.tool.version} · ${s.source.name} ${s.source.location}${s.interrupted ? paint('33', ' · INTERRUPTED (partial)') : ''}`,
  );
  lines.push(`${label('Scanned')}${plural(s.files, 'file')} · ${formatBytes(s.bytes)} in ${formatDuration(s.durationMs)} · read ${formatBytes(s.bytesRead)}${s.hashing ? ' · sha256' : ' · no hashing'}`);
  lines.push(
    `${label('Verdicts')}${paint('32', `allow ${s.verdicts.allow.toLocaleString('en-US')}`)} · ${paint('33', `review ${s.verdicts.review.toLocaleString('en-US')}`)} · ${paint('31', `exclude ${s.verdicts.exclude.toLocaleString('en-US')}`)}`,
  );
  lines.push(`${label('Licences')}${topCounts(s.licences, 8)}`);
  lines.push(`${label('Opt-outs')}${topCounts(s.optOuts, 8)}`);
  lines.push(`${label('TPMs')}${topCounts(s.tpm, 8)}`);
  const errorFiles = s.filesWithErrors === 0 ? 'none' : `${plural(s.filesWithErrors, 'file')} (${topCounts(s.errors, 6)})`;
  lines.push(`${label('Errors')}${s.filesWithErrors > 0 ? paint('31', errorFiles) : errorFiles}`);
  const reasons = Object.fromEntries(Object.entries(s.reasons).filter(([k]) => k !== 'licence.allowed' && k !== 'optout.not-honoured'));
  lines.push(`${label('Reasons')}${topCounts(reasons, 6)}`);
  lines.push(`${label('Policy')}${s.policy.origin}`);
  return `${lines.join('\n')}\n`;
}
