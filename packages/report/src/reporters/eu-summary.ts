import { builtinDetectors, type Summary } from '@clearance/core';
import { modalityOf, type Modality } from '../facts.js';
import { formatBytes, formatCount } from '../format.js';
import { cell, code, table } from '../markdown-text.js';
import { datasetName } from '../options.js';
import type { ReporterFactory, ReporterOptions } from '../reporter.js';
import { Tally, compare } from '../tally.js';
import { provenanceRows } from './markdown.js';

/**
 * A draft, in Markdown, of the public summary of training content that providers of general-purpose
 * AI models publish under Article 53(1)(d) of the AI Act, following the sections of the European
 * Commission's template (Explanatory Notice and Template, 24 July 2025):
 *
 * 1. General information — 1.1 provider, 1.2 model, 1.3 modalities, size and other characteristics;
 * 2. List of data sources — 2.1 public datasets, 2.2 private datasets from third parties, 2.3 data
 *    crawled and scraped online, 2.4 user data, 2.5 synthetic data, 2.6 other sources;
 * 3. Data processing aspects — 3.1 respect of reservations of rights from the text-and-data-mining
 *    exception, 3.2 removal of illegal content, 3.3 other information.
 *
 * What a scan knows is filled in: modalities with file counts and sizes (all files, and those
 * allowed for training), the licences found, and for 3.1 which reservation protocols were checked
 * (the opt-out detectors that ran, with their versions) and how many files each one's reservation
 * excluded or sent to review. Everything else is a prompt marked **[TO COMPLETE]** for a person:
 * provider and model, size ranges (the template counts tokens, images and hours; a scanner counts
 * files and bytes), languages, crawlers and domains, user and synthetic data, illegal-content
 * removal. The figures cover the scanned dataset only, not every source a model was trained on.
 * Not legal advice. Holds counts only.
 */
export const euSummary: ReporterFactory = (output, options) => {
  const tally = new Tally();
  let newest: string | undefined;
  return {
    onRecord(record) {
      tally.add(record);
      if (record.mtime !== undefined && (newest === undefined || record.mtime > newest)) newest = record.mtime;
    },
    onEnd: (s) => output.write(renderEuSummary(s, tally, { ...(newest ? { newestMtime: newest } : {}), ...(options ? { options } : {}) })),
  };
};

/** The marker of a field a person must fill in. */
export const TO_COMPLETE = '**[TO COMPLETE]**';

const MODALITIES: readonly Modality[] = ['text', 'image', 'audio', 'video', 'other'];

/** The EU training-content summary draft for a summary and the tally of its records. */
export function renderEuSummary(s: Summary, t: Tally, extra: { newestMtime?: string; options?: ReporterOptions } = {}): string {
  const name = datasetName(extra.options, s.source.location);
  const o: string[] = [];
  const todo = (what: string) => `${TO_COMPLETE} ${what}`;
  o.push(
    `# Public summary of training content — draft`,
    '',
    `> Draft made by Clearance ${cell(s.tool.version)} from a scan of ${code(name, { inTable: false })} (${formatCount(s.files)} files, ${formatBytes(s.bytes)}) that finished on ${s.finishedAt.slice(0, 10)}. It follows the sections of the European Commission's *Template for the Public Summary of Training Content for general-purpose AI models* (Article 53(1)(d) of Regulation (EU) 2024/1689, published 24 July 2025). Figures come from the scan and cover this dataset only; every field marked ${TO_COMPLETE} needs a person. Check the result against the Commission's current template before publishing. Not legal advice.`,
    '',
  );
  if (s.interrupted) o.push('> [!WARNING]', '> The scan was interrupted: the figures below cover only the files scanned before it stopped. Re-run the scan before using this draft.', '');

  o.push('## 1. General information', '');
  o.push('### 1.1 Provider identification', '', `- Name and contact details of the provider: ${todo('')}`, `- Authorised representative in the Union, where applicable: ${todo('')}`, '');
  o.push(
    '### 1.2 Model identification',
    '',
    `- Versioned name(s) of the model(s) this summary covers: ${todo('')}`,
    `- Model dependencies (the model(s) this one was fine-tuned or otherwise derived from, with a link to their summaries): ${todo('')}`,
    `- Date the model was placed on the Union market: ${todo('')}`,
    '',
  );
  o.push('### 1.3 Modalities, overall training data size and other characteristics', '');
  const mediaByModality = new Map<Modality, [string, number][]>();
  for (const [mt, n] of Object.entries(s.mediaTypes)) {
    const m = modalityOf(mt);
    mediaByModality.set(m, [...(mediaByModality.get(m) ?? []), [mt, n]]);
  }
  const rows = MODALITIES.map((m) => {
    const v = t.modalities.get(m);
    const top = (mediaByModality.get(m) ?? []).sort((a, b) => b[1] - a[1] || compare(a[0], b[0])).slice(0, 4).map(([mt]) => code(mt)).join(', ');
    return [m === 'other' ? 'other' : m, v ? 'yes' : 'no', v ? formatCount(v.files) : '0', v ? formatBytes(v.bytes) : '–', v ? formatCount(v.allow) : '0', v ? formatBytes(v.allowBytes) : '–', top];
  });
  o.push(...table(['Modality', 'Present', 'Files', 'Size', 'Files allowed for training', 'Size allowed', 'Main media types'], rows, 'llrrrrl'), '');
  o.push(
    `- Training data size, for each modality present, in the ranges the template offers: ${todo('the template counts tokens for text, images for images and hours for audio and video; a scanner counts files and bytes (above). Convert and choose the range.')}`,
    `- Types of content in each modality (for example fiction, scientific text, photographs, source code): ${todo('the media types above are a starting point.')}`,
    `- Latest date of data collection: ${todo(extra.newestMtime ? `the newest file in the scan was last modified on ${extra.newestMtime.slice(0, 10)}; that is a hint, not the collection date.` : 'the scan did not record modification times.')}`,
    `- Languages of the training data: ${todo('')}`,
    `- Other overall characteristics: ${todo('')}`,
    '',
  );

  o.push('## 2. List of data sources', '');
  o.push('### 2.1 Publicly available datasets', '');
  o.push(`${todo(`if ${code(name, { inTable: false })} is a publicly available dataset, name it and link to it; list any other public datasets used.`)}`, '');
  const lic = (t.files > 0 ? t.licences.entries().map(([k, v]) => [k, v.files, v.allow] as const) : Object.entries(s.licences).map(([k, v]) => [k, v, undefined] as const)).sort((a, b) => b[1] - a[1] || compare(a[0], b[0]));
  if (lic.length > 0) {
    o.push(`Licences found in the scanned dataset (by file; \`NOASSERTION\`: none could be determined):`, '');
    o.push(...table(['Licence', 'Files', 'Allowed for training'], lic.slice(0, 12).map(([k, n, a]) => [code(k), formatCount(n), a === undefined ? '–' : formatCount(a)]), 'lrr'));
    if (lic.length > 12) o.push('', `…and ${lic.length - 12} more.`);
    o.push('');
  }
  o.push(
    '### 2.2 Private non-publicly available datasets obtained from third parties',
    '',
    `- 2.2.1 Datasets commercially licensed by rightholders or their representatives: ${todo('')}`,
    `- 2.2.2 Private datasets obtained from other third parties: ${todo('')}`,
    '',
  );
  o.push('### 2.3 Data crawled and scraped from online sources', '');
  o.push(
    `- Crawlers used (names or identifiers), their purposes and behaviour: ${todo('')}`,
    `- Period of data collection: ${todo('')}`,
    `- How the crawlers respect reservations (robots.txt and other machine-readable protocols) when collecting: ${todo('see 3.1 for what was checked in the collected files.')}`,
    `- Types of content and online sources crawled: ${todo('')}`,
    `- The most relevant domain names (the template asks for the top 10 % of domains by size of content scraped; 5 % or 1 000 domains for SMEs): ${todo('the crawl logs have these; a scan of the stored files does not.')}`,
    '',
  );
  const folders = t.folders.entries().sort((a, b) => b[1].files - a[1].files || compare(a[0], b[0]));
  if (folders.length > 0) {
    o.push('Folders of the scanned dataset, which may help to sort its content into the categories above:', '');
    o.push(...table(['Folder', 'Files', 'Size', 'Allowed for training'], folders.slice(0, 15).map(([k, v]) => [code(k), formatCount(v.files), formatBytes(v.bytes), formatCount(v.allow)]), 'lrrr'));
    if (folders.length > 15) o.push('', `…and ${folders.length - 15} more.`);
    o.push('');
  }
  o.push('### 2.4 User data', '', `${todo('data from users of the provider\'s services used for training, and from which services.')}`, '');
  o.push('### 2.5 Synthetic data', '', `${todo('synthetic data used, and the models that generated it.')}`, '');
  o.push('### 2.6 Other sources of data', '', `${todo('')}`, '');

  o.push('## 3. Data processing aspects', '');
  o.push('### 3.1 Respect of reservation of rights from the text and data mining exception or limitation', '');
  const checks = optOutChecks(s);
  o.push(
    `Before training, every file of ${code(name, { inTable: false })} was checked by Clearance ${cell(s.tool.version)} for machine-readable reservations of text-and-data-mining rights (Article 4(3) of Directive (EU) 2019/790), and for technical protection measures, under the policy ${cell(s.policy.origin)} (sha256 ${code(s.policy.sha256, { inTable: false })}). Files kept out are not in the training manifest.`,
    '',
  );
  if (checks.length > 0) {
    o.push('Reservation protocols checked:', '');
    o.push(...table(['Check', 'Version', 'What it reads'], checks.map((c) => [code(c.id), cell(c.version), cell(c.description)])), '');
  } else {
    o.push('> [!IMPORTANT]', '> No reservation protocol was checked by this scan (no opt-out detector ran). Section 3.1 cannot rely on it.', '');
  }
  if (t.protocols.size > 0) {
    o.push('What the reservations found did, by protocol (files counted once per protocol):', '');
    const rows3 = [...t.protocols]
      .sort((a, b) => b[1].yes - a[1].yes || compare(a[0], b[0]))
      .map(([p, x]) => [code(p), formatCount(x.yes), formatCount(x.unknown), formatCount(x.excluded), formatCount(x.review), formatCount(x.notHonoured)]);
    o.push(...table(['Protocol', 'Files reserved', 'Unclear', 'Excluded', 'Sent to review', 'Not honoured by the policy'], rows3, 'lrrrrr'), '');
  } else if (checks.length > 0) {
    o.push('No reservation applied to any file of the dataset.', '');
  }
  const tpmFiles = t.tpmFiles;
  if (t.tpm.size > 0) o.push(`Technical protection measures: ${formatCount(tpmFiles)} file(s) under ${t.tpm.size} scheme(s); ${formatCount([...t.tpm.values()].reduce((n, x) => n + x.excluded, 0))} excluded. They were not circumvented.`, '');
  o.push(
    `- The scan reads the reservations stored with the dataset (files such as robots.txt or tdmrep.json kept beside the content, and metadata embedded in the files) as they were when it ran; it does not fetch the live signals of the sites the content came from. Measures taken at collection time: ${todo('')}`,
    `- Commitment to the General-Purpose AI Code of Practice (copyright chapter), if the provider signed it: ${todo('')}`,
    '',
  );
  o.push('### 3.2 Removal of illegal content', '', `${todo('measures taken to avoid or remove illegal content from the training data.')}`, '');
  o.push('### 3.3 Other information (optional)', '', `${todo('')}`, '');

  o.push('## Annex: how this draft was made', '', ...table(['Field', 'Value'], provenanceRows(s)), '');
  return `${o.join('\n')}\n`;
}

/** The opt-out checks that ran in the scan: detectors that declare `optout.*` codes and appear in the summary's rulesets. */
function optOutChecks(s: Summary): { id: string; version: string; description: string }[] {
  return builtinDetectors
    .filter((d) => s.rulesets[d.id] !== undefined && Object.keys(d.codes).some((c) => c.startsWith('optout.')))
    .map((d) => ({ id: d.id, version: s.rulesets[d.id]!, description: d.description }));
}
