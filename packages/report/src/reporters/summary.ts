import type { Summary } from '@clearance/core';
import { formatBytes, formatCount, formatDuration, plural, topCounts } from '../format.js';
import type { ReporterFactory } from '../reporter.js';
import { Tally, compare } from '../tally.js';

/**
 * A short human summary for a terminal: totals, verdicts, licences, opt-outs by protocol (and what
 * they kept out), TPMs, errors, and the most frequent reasons files were excluded or sent to review,
 * with an example of each. Holds counts and a few sample paths, never records.
 */
export const summary: ReporterFactory = (output, options) => {
  const color = options?.color ?? (output.isTTY && process.env['NO_COLOR'] === undefined);
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const tally = new Tally();
  return {
    onRecord: (record) => tally.add(record),
    onEnd: (s) => output.write(renderSummary(s, { paint, tally })),
  };
};

/** Options of {@link renderSummary}. */
export interface RenderSummaryOptions {
  /** Wraps text in an ANSI SGR code (`1` bold, `31` red …). Default: no colour. */
  paint?: (code: string, s: string) => string;
  /**
   * Totals gathered from the records. Without it (or when it saw no records) the opt-out, TPM and
   * reason lines are drawn from the summary alone.
   */
  tally?: Tally;
}

/**
 * The summary as text. `paint` may also be passed directly as the second argument (the form used
 * before {@link RenderSummaryOptions} existed).
 */
export function renderSummary(s: Summary, options: RenderSummaryOptions | RenderSummaryOptions['paint'] = {}): string {
  const { paint = (_c: string, t: string) => t, tally } = typeof options === 'function' ? { paint: options } : options;
  const t = tally && tally.files > 0 ? tally : undefined;
  const lines: string[] = [];
  const label = (x: string) => paint('1', x.padEnd(11));
  const indent = ' '.repeat(11);
  lines.push(
    `${paint('1', 'Clearance')} ${s.tool.version} · ${s.source.name} ${s.source.location}${s.interrupted ? paint('33', ' · INTERRUPTED (partial)') : ''}`,
  );
  lines.push(`${label('Scanned')}${plural(s.files, 'file')} · ${formatBytes(s.bytes)} in ${formatDuration(s.durationMs)} · read ${formatBytes(s.bytesRead)}${s.hashing ? ' · sha256' : ' · no hashing'}`);
  const c = s.containers;
  if (c.opened > 0) {
    const inside = [c.members > 0 ? plural(c.members, 'member') : '', c.rows > 0 ? plural(c.rows, 'row') : ''].filter((x) => x !== '').join(' · ') || 'nothing';
    lines.push(`${label('Containers')}${plural(c.opened, 'container')} opened · ${inside} · ${formatBytes(c.memberBytes)} inside${c.incomplete > 0 ? paint('33', ` · ${formatCount(c.incomplete)} not read to the end`) : ''}`);
  }
  lines.push(
    `${label('Verdicts')}${paint('32', `allow ${formatCount(s.verdicts.allow)}`)} · ${paint('33', `review ${formatCount(s.verdicts.review)}`)} · ${paint('31', `exclude ${formatCount(s.verdicts.exclude)}`)}`,
  );
  lines.push(`${label('Licences')}${topCounts(s.licences, 8)}`);
  if (s.copyright.filesWithNotice > 0) lines.push(`${label('Copyright')}${topCounts(s.copyright.holders, 5)} (${plural(s.copyright.filesWithNotice, 'file')} with a notice)`);

  if (t && t.protocols.size > 0) {
    const parts = [...t.protocols]
      .sort((a, b) => b[1].yes - a[1].yes || b[1].unknown - a[1].unknown || compare(a[0], b[0]))
      .map(([protocol, p]) => {
        const extra = [
          p.excluded > 0 ? paint('31', `${formatCount(p.excluded)} excluded`) : '',
          p.review > 0 ? paint('33', `${formatCount(p.review)} to review`) : '',
          p.unknown > 0 ? `${formatCount(p.unknown)} unclear` : '',
          p.notHonoured > 0 ? `${formatCount(p.notHonoured)} not honoured` : '',
        ].filter(Boolean);
        return `${protocol} ${formatCount(p.yes)}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
      });
    lines.push(`${label('Opt-outs')}${parts.slice(0, 6).join(' · ')}${parts.length > 6 ? ` · +${parts.length - 6} more` : ''}`);
  } else {
    lines.push(`${label('Opt-outs')}${topCounts(s.optOuts, 8)}`);
  }

  if (t && t.tpm.size > 0) {
    const parts = [...t.tpm]
      .sort((a, b) => b[1].files - a[1].files || compare(a[0], b[0]))
      .map(([scheme, x]) => {
        const extra = [
          x.needsSecret > 0 ? `${formatCount(x.needsSecret)} need a secret` : '',
          x.excluded > 0 ? paint('31', `${formatCount(x.excluded)} excluded`) : '',
          x.review > 0 ? paint('33', `${formatCount(x.review)} to review`) : '',
        ].filter(Boolean);
        return `${scheme} ${formatCount(x.files)}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
      });
    lines.push(`${label('TPMs')}${parts.slice(0, 6).join(' · ')}${parts.length > 6 ? ` · +${parts.length - 6} more` : ''}`);
  } else {
    lines.push(`${label('TPMs')}${topCounts(s.tpm, 8)}`);
  }

  const errorFiles = s.filesWithErrors === 0 ? 'none' : `${plural(s.filesWithErrors, 'file')} (${topCounts(s.errors, 6)})`;
  lines.push(`${label('Errors')}${s.filesWithErrors > 0 ? paint('31', errorFiles) : errorFiles}`);

  if (t) {
    for (const [decision, title, code] of [
      ['exclude', 'Excluded', '31'],
      ['review', 'Review', '33'],
    ] as const) {
      const top = t.topReasons(decision, 6);
      if (top.length === 0) continue;
      lines.push(`${label(title)}${top.map(([c, x]) => `${paint(code, c)} ${formatCount(x.files)}`).join(' · ')}${t.reasons[decision].size > 6 ? ` · +${t.reasons[decision].size - 6} more` : ''}`);
      // One example for each of the three most frequent reasons: enough to see what to fix first.
      for (const [c, x] of top.slice(0, 3)) {
        const sample = x.samples[0];
        if (sample) lines.push(`${indent}${paint('2', `e.g. ${sample.path}: ${oneLine(sample.message, 100)}`)}${top.length > 1 ? paint('2', ` [${c}]`) : ''}`);
      }
    }
  } else {
    const reasons = Object.fromEntries(Object.entries(s.reasons).filter(([k]) => k !== 'licence.allowed' && k !== 'optout.not-honoured'));
    lines.push(`${label('Reasons')}${topCounts(reasons, 6)}`);
  }
  lines.push(`${label('Policy')}${s.policy.origin}`);
  return `${lines.join('\n')}\n`;
}

/** Collapses whitespace and cuts at `max` characters with an ellipsis. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
