import type { Summary } from '@clearance/core';
import { formatBytes, formatCount, formatDuration } from '../format.js';
import { cell, code, percent, table } from '../markdown-text.js';
import { datasetName } from '../options.js';
import type { ReporterFactory, ReporterOptions } from '../reporter.js';
import { Tally, compare } from '../tally.js';
import { oneLine } from './summary.js';

/**
 * Markdown for a pull request comment, a GitHub job summary (`--out "$GITHUB_STEP_SUMMARY"`) or a
 * dataset card: verdicts, why files are kept out (with an example of each reason), licences,
 * text-and-data-mining reservations by protocol, TPMs, folders, errors and the scan's provenance.
 * Holds counts and a few sample paths, never records. Long tables are cut to their largest rows.
 */
export const markdown: ReporterFactory = (output, options) => {
  const tally = new Tally();
  return {
    onRecord: (record) => tally.add(record),
    onEnd: (s) => output.write(renderMarkdown(s, tally, options)),
  };
};

const MAX_ROWS = 15;

/** The Markdown report for a summary and the tally of its records. */
export function renderMarkdown(s: Summary, t: Tally, options?: ReporterOptions): string {
  const out: string[] = [];
  const name = datasetName(options, s.source.location);
  out.push(`## Clearance report: ${cell(name)}`, '');
  if (s.interrupted) out.push('> [!WARNING]', '> The scan was interrupted: these figures cover only the files scanned before it stopped.', '');
  const date = s.finishedAt.slice(0, 10);
  out.push(
    `${formatCount(s.files)} files (${formatBytes(s.bytes)}) in ${code(s.source.location, { inTable: false })} scanned on ${date} by Clearance ${cell(s.tool.version)} under the ${cell(s.policy.origin)} policy.`,
    '',
  );
  const total = s.files;
  out.push(
    ...table(
      ['Verdict', 'Files', 'Share', 'Size'],
      [
        ['**Allowed** for training', formatCount(s.verdicts.allow), percent(s.verdicts.allow, total), t.files > 0 ? formatBytes(t.verdictBytes.allow) : '–'],
        ['**To review** by a person', formatCount(s.verdicts.review), percent(s.verdicts.review, total), t.files > 0 ? formatBytes(t.verdictBytes.review) : '–'],
        ['**Excluded**', formatCount(s.verdicts.exclude), percent(s.verdicts.exclude, total), t.files > 0 ? formatBytes(t.verdictBytes.exclude) : '–'],
      ],
      'lrrr',
    ),
    '',
  );

  // Why files are kept out: the reasons that decided, most files first, with one example each.
  const reasons = [...t.topReasons('exclude', MAX_ROWS).map((r) => ['exclude', ...r] as const), ...t.topReasons('review', MAX_ROWS).map((r) => ['review', ...r] as const)];
  out.push('### Why files are kept out', '');
  if (t.files === 0) {
    const fromSummary = Object.entries(s.reasons).filter(([k]) => k !== 'licence.allowed' && k !== 'optout.not-honoured');
    if (fromSummary.length === 0) out.push('Nothing was kept out.', '');
    else out.push(...table(['Reason', 'Files'], fromSummary.map(([k, v]) => [code(k), formatCount(v)]), 'lr'), '');
  } else if (reasons.length === 0) {
    out.push('Nothing was kept out.', '');
  } else {
    out.push(
      ...table(
        ['Reason', 'Decision', 'Files', 'Example'],
        reasons.map(([decision, c, x]) => [code(c), decision, formatCount(x.files), x.samples[0] ? `${code(x.samples[0].path)} ${cell(oneLine(x.samples[0].message, 120))}` : '']),
        'llrl',
      ),
      '',
    );
  }

  out.push('### Licences', '');
  const licences = (t.files > 0 ? t.licences.entries() : Object.entries(s.licences).map(([k, v]) => [k, { files: v, allow: 0, review: 0, exclude: 0 }] as const)).sort(
    (a, b) => b[1].files - a[1].files || compare(a[0], b[0]),
  );
  if (licences.length === 0) out.push('No files.', '');
  else {
    const rows = licences.slice(0, MAX_ROWS).map(([k, v]) => (t.files > 0 ? [code(k), formatCount(v.files), formatCount(v.allow), formatCount(v.review), formatCount(v.exclude)] : [code(k), formatCount(v.files)]));
    out.push(...table(t.files > 0 ? ['Licence', 'Files', 'Allowed', 'Review', 'Excluded'] : ['Licence', 'Files'], rows, 'lrrrr'));
    if (licences.length > MAX_ROWS) out.push('', `…and ${licences.length - MAX_ROWS} more.`);
    out.push('', '`NOASSERTION`: no licence could be determined for the file.', '');
  }

  out.push('### Text-and-data-mining reservations (opt-outs)', '');
  if (t.protocols.size === 0 && Object.keys(s.optOuts).length === 0) {
    out.push('No machine-readable reservation of text-and-data-mining rights applies to any file.', '');
  } else if (t.files === 0) {
    out.push(...table(['Protocol', 'Files reserved'], Object.entries(s.optOuts).map(([k, v]) => [code(k), formatCount(v)]), 'lr'), '');
  } else {
    const rows = [...t.protocols]
      .sort((a, b) => b[1].yes - a[1].yes || compare(a[0], b[0]))
      .map(([p, x]) => [code(p), formatCount(x.yes), formatCount(x.unknown), formatCount(x.no), formatCount(x.excluded), formatCount(x.review), formatCount(x.notHonoured)]);
    out.push(...table(['Protocol', 'Reserved', 'Unclear', 'Not reserved', 'Excluded', 'To review', 'Not honoured'], rows, 'lrrrrrr'), '');
    out.push('Files counted once per protocol. *Excluded* and *To review*: files the reservation kept out under the policy; *Not honoured*: the policy chose not to honour that protocol.', '');
  }

  out.push('### Technical protection measures', '');
  if (t.tpm.size === 0 && Object.keys(s.tpm).length === 0) out.push('No file is guarded by a technical protection measure.', '');
  else if (t.files === 0) out.push(...table(['Measure', 'Files'], Object.entries(s.tpm).map(([k, v]) => [code(k), formatCount(v)]), 'lr'), '');
  else {
    const rows = [...t.tpm].sort((a, b) => b[1].files - a[1].files || compare(a[0], b[0])).map(([k, x]) => [code(k), formatCount(x.files), formatCount(x.needsSecret), formatCount(x.excluded), formatCount(x.review)]);
    out.push(...table(['Measure', 'Files', 'Need a secret', 'Excluded', 'To review'], rows, 'lrrrr'), '');
  }

  if (t.files > 0) {
    const folders = t.folders.entries().sort((a, b) => b[1].files - a[1].files || compare(a[0], b[0]));
    out.push('### Folders', '');
    out.push(
      ...table(
        ['Folder', 'Files', 'Allowed', 'Review', 'Excluded', 'Size'],
        folders.slice(0, MAX_ROWS).map(([k, v]) => [code(k), formatCount(v.files), formatCount(v.allow), formatCount(v.review), formatCount(v.exclude), formatBytes(v.bytes)]),
        'lrrrrr',
      ),
    );
    if (folders.length > MAX_ROWS) out.push('', `…and ${folders.length - MAX_ROWS} more.`);
    out.push('');
  }

  out.push('### Files that could not be read', '');
  if (s.filesWithErrors === 0) out.push('None.', '');
  else if (t.files === 0) out.push(...table(['Error', 'Files'], Object.entries(s.errors).map(([k, v]) => [code(k), formatCount(v)]), 'lr'), '');
  else {
    const rows = [...t.errors].sort((a, b) => b[1].files - a[1].files || compare(a[0], b[0])).map(([k, x]) => [code(k), formatCount(x.files), x.samples[0] ? code(x.samples[0].path) : '']);
    out.push(...table(['Error', 'Files', 'Example'], rows, 'lrl'), '');
  }

  out.push('<details><summary>Scan provenance</summary>', '', ...table(['Field', 'Value'], provenanceRows(s).map(([k, v]) => [k, v])), '', '</details>', '');
  return `${out.join('\n')}\n`;
}

/** The scan's provenance as label/value pairs (Markdown-safe values). */
export function provenanceRows(s: Summary): [string, string][] {
  const rows: [string, string][] = [
    ['Tool', `${cell(s.tool.name)} ${cell(s.tool.version)}`],
    ['Rules', Object.entries(s.rulesets).map(([k, v]) => `${code(k)} ${cell(v)}`).join(', ') || '–'],
    ['Source', `${cell(s.source.name)} ${code(s.source.location)}`],
    ['Policy', `${cell(s.policy.origin)}, sha256 ${code(s.policy.sha256)}`],
    ['Hashing', s.hashing ? 'sha256 of every file read whole' : 'off (`--no-hash`)'],
  ];
  if (s.shard) rows.push(['Shard', `${s.shard.index} of ${s.shard.count}`]);
  rows.push(
    ['Started', cell(s.startedAt)],
    ['Finished', cell(s.finishedAt)],
    ['Duration', formatDuration(s.durationMs)],
    ['Read', `${formatBytes(s.bytesRead)} of ${formatBytes(s.bytes)}`],
    ['Markers', formatCount(s.markers)],
    ['Complete', s.interrupted ? '**no — interrupted**' : 'yes'],
  );
  return rows;
}
