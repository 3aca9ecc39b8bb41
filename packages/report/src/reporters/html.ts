import type { Decision, ScanRecord, Summary } from '@clearance/core';
import { formatBytes, formatCount, formatDuration } from '../format.js';
import { APP } from '../html/app.js';
import { barChart, donut, type Bar } from '../html/charts.js';
import { esc, scriptJson } from '../html/escape.js';
import { STYLE } from '../html/style.js';
import { datasetName } from '../options.js';
import { reasonTitle } from '../reasons.js';
import type { ReporterFactory, ReporterOptions } from '../reporter.js';
import { createSpill, type Spill } from '../spill.js';
import { Tally, compare } from '../tally.js';

/**
 * One self-contained HTML file for a compliance reviewer: nothing is fetched when it is opened
 * (inline CSS, script and SVG; a Content-Security-Policy forbids any request).
 *
 * - **Overview**: totals, and charts drawn as inline SVG — verdicts, licence mix, opt-outs by
 *   protocol, verdicts by folder, TPMs. A click on a bar filters the table.
 * - **Why files are kept out**: each reason with its count and an example.
 * - **Files**: a searchable, filterable (verdict, licence, opt-out protocol, folder, TPM/errors),
 *   sortable, paged table; a click on a file shows its reasons and evidence (finding codes, where
 *   the evidence is, the short excerpt, inherited or overridden), reservations, TPMs, errors, size,
 *   media type and sha256.
 * - **Provenance**: the scan's summary fields (tool and rule versions, source, policy and its
 *   hash, times, completeness).
 *
 * Size: the files are embedded as compact JSON in a `<script type="application/json">`. A page of
 * millions of rows would not open, so at most `htmlMaxRows` (default 20 000) files and 48 MB of rows
 * are embedded: every excluded file first, then files to review, then allowed ones, each in scan
 * order. The page says how many it holds when that is fewer than the scan's; the charts and totals
 * always cover every file. Memory: rows are spilled to temporary files, never held.
 */
export const html: ReporterFactory = (output, options) => {
  const tally = new Tally();
  const maxRows = options?.htmlMaxRows ?? 20_000;
  const spills: Partial<Record<Decision, Spill>> = {};
  return {
    async onRecord(record) {
      tally.add(record);
      const d = record.verdict.decision;
      const spill = (spills[d] ??= await createSpill(options?.tmpdir));
      // Each verdict's spill may need to fill the whole page on its own (all excluded, say).
      if (spill.lines < maxRows && spill.bytes < MAX_BYTES) await spill.writeLine(scriptJson(row(record)));
    },
    async onEnd(s) {
      try {
        const page = renderPage(s, tally, { embeddedLimit: maxRows }, options);
        const at = page.indexOf(ROWS_PLACEHOLDER);
        await output.write(page.slice(0, at));
        let n = 0;
        let bytes = 0;
        for (const d of ['exclude', 'review', 'allow'] as const) {
          const spill = spills[d];
          if (!spill) continue;
          for await (const line of spill.readLines(maxRows - n)) {
            if (bytes + line.length > MAX_BYTES) break;
            await output.write(`${n === 0 ? '' : ',\n'}${line}`);
            bytes += line.length + 2;
            n++;
          }
        }
        await output.write(page.slice(at + ROWS_PLACEHOLDER.length));
      } finally {
        for (const spill of Object.values(spills)) await spill.close();
      }
    },
  };
};

/** Most bytes of embedded rows: what a browser parses in about a second. */
const MAX_BYTES = 48 * 1024 * 1024;
const ROWS_PLACEHOLDER = '\u0000ROWS\u0000';

const DECISION_INDEX: Readonly<Record<Decision, number>> = { allow: 0, review: 1, exclude: 2 };
const SEVERITY_INDEX = { info: 0, warning: 1, error: 2 } as const;

/**
 * One embedded row, an array to keep the page small:
 * `[path, decision (0 allow, 1 review, 2 exclude), licence, size, mediaType, sha256,
 *   reasons [[code, decision, message]], findings [[code, category, evidencePath, line, excerpt,
 *   flags (1 inherited, 2 shadowed), severity (0 info, 1 warning, 2 error)]],
 *   optOuts [[protocol, reserved, evidencePath, line, rule]], tpm [[format/scheme, needsSecret]],
 *   errors [[code, message]]]`. Lines are 0 when unknown.
 */
export function row(r: ScanRecord): unknown[] {
  return [
    r.path,
    DECISION_INDEX[r.verdict.decision],
    r.licence.expression,
    r.size,
    r.mediaType ?? '',
    r.sha256 ?? '',
    r.verdict.reasons.map((x) => [x.code, DECISION_INDEX[x.decision], x.message]),
    r.findings.map((f) => [f.code, f.category, f.evidence.path, f.evidence.line ?? 0, f.evidence.excerpt ?? '', (f.inherited ? 1 : 0) | (f.shadowed ? 2 : 0), SEVERITY_INDEX[f.severity]]),
    r.optOuts.map((o) => [o.protocol, o.reserved, o.evidence.path, o.evidence.line ?? 0, o.rule ?? '']),
    r.tpm.map((t) => [`${t.format}/${t.scheme}${t.system ? ` (${t.system})` : ''}`, t.needsSecret ? 1 : 0]),
    r.errors.map((e) => [e.code, e.message]),
  ];
}

const LOGO = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true"><path d="M12 3 4 6v6c0 4.4 3.4 8.3 8 9 4.6-.7 8-4.6 8-9V6l-8-3Z"/><path d="m8.5 12 2.5 2.5 4.5-5"/></svg>';

/** The whole page, with placeholders where the embedded rows and their count go. */
function renderPage(s: Summary, t: Tally, embed: { embeddedLimit: number }, options?: ReporterOptions): string {
  const name = datasetName(options, s.source.location);
  const files = s.files;
  const pct = (n: number) => (files === 0 ? '0 %' : `${((100 * n) / files).toFixed(n === files || n === 0 ? 0 : 1)} %`);
  const optOutFiles = t.reservedFiles;
  const tpmFiles = t.tpmFiles;
  const gate = s.verdicts.exclude > 0 ? ['bad', `${formatCount(s.verdicts.exclude)} file${s.verdicts.exclude === 1 ? '' : 's'} excluded from training`] : s.verdicts.review > 0 ? ['warn', `Nothing excluded · ${formatCount(s.verdicts.review)} to review`] : ['ok', 'Every file may be trained on'];

  const kpi = (cls: string, k: string, v: string, d: string) => `<div class="kpi ${cls}"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div><div class="d">${esc(d)}</div></div>`;
  const kpis = [
    kpi('', 'Files', formatCount(files), `${formatBytes(s.bytes)} · ${formatCount(s.markers)} markers`),
    kpi('allow', 'Allowed', formatCount(s.verdicts.allow), `${pct(s.verdicts.allow)} · ${formatBytes(t.verdictBytes.allow)}`),
    kpi('review', 'To review', formatCount(s.verdicts.review), `${pct(s.verdicts.review)} · ${formatBytes(t.verdictBytes.review)}`),
    kpi('exclude', 'Excluded', formatCount(s.verdicts.exclude), `${pct(s.verdicts.exclude)} · ${formatBytes(t.verdictBytes.exclude)}`),
    kpi('', 'Opt-outs', formatCount(optOutFiles), `files reserved · ${t.protocols.size} protocol${t.protocols.size === 1 ? '' : 's'}`),
    kpi('', 'TPMs', formatCount(tpmFiles), 'files protected'),
    kpi('', 'Errors', formatCount(s.filesWithErrors), 'files not read'),
  ].join('');

  const verdictChart = donut(
    [
      { value: s.verdicts.allow, cls: 's-allow', label: 'Allowed' },
      { value: s.verdicts.review, cls: 's-review', label: 'To review' },
      { value: s.verdicts.exclude, cls: 's-exclude', label: 'Excluded' },
    ],
    { title: 'Verdicts', centre: formatCount(files), caption: files === 1 ? 'file' : 'files', filterKey: 'verdict', filterValues: ['allow', 'review', 'exclude'] },
  );

  const licenceEntries = (t.files > 0 ? t.licences.entries() : Object.entries(s.licences).map(([k, v]) => [k, { files: v, allow: 0, review: 0, exclude: 0 }] as const)).sort((a, b) => b[1].files - a[1].files || compare(a[0], b[0]));
  const licenceBars: Bar[] = licenceEntries.slice(0, 10).map(([k, v]) => ({
    label: k,
    segments:
      t.files > 0
        ? [
            { value: v.allow, cls: 's-allow', label: 'allowed' },
            { value: v.review, cls: 's-review', label: 'to review' },
            { value: v.exclude, cls: 's-exclude', label: 'excluded' },
          ]
        : [{ value: v.files, cls: 's-neutral', label: 'files' }],
    filter: { licence: k },
  }));
  if (licenceEntries.length > 10) {
    const rest = licenceEntries.slice(10).reduce((n, [, v]) => n + v.files, 0);
    licenceBars.push({ label: `${licenceEntries.length - 10} other licences`, segments: [{ value: rest, cls: 's-neutral', label: 'files' }] });
  }

  const protocolBars: Bar[] = [...t.protocols]
    .sort((a, b) => b[1].yes - a[1].yes || b[1].unknown - a[1].unknown || compare(a[0], b[0]))
    .slice(0, 10)
    .map(([p, x]) => ({
      label: p,
      segments: [
        { value: x.yes, cls: 's-reserved', label: 'reserved' },
        { value: x.unknown, cls: 's-unknown', label: 'unclear' },
      ],
      note: `${formatCount(x.yes + x.unknown)}${x.excluded > 0 ? ` · ${formatCount(x.excluded)} excluded` : ''}`,
      filter: { protocol: p },
    }));

  const folderEntries = t.folders.entries().sort((a, b) => b[1].files - a[1].files || compare(a[0], b[0]));
  const folderBars: Bar[] = folderEntries.slice(0, 12).map(([k, v]) => ({
    label: k,
    segments: [
      { value: v.allow, cls: 's-allow', label: 'allowed' },
      { value: v.review, cls: 's-review', label: 'to review' },
      { value: v.exclude, cls: 's-exclude', label: 'excluded' },
    ],
    filter: { folder: k },
  }));

  const tpmBars: Bar[] = [...t.tpm]
    .sort((a, b) => b[1].files - a[1].files || compare(a[0], b[0]))
    .slice(0, 8)
    .map(([k, x]) => ({ label: k, segments: [{ value: x.needsSecret, cls: 's-exclude', label: 'needs a secret' }, { value: x.files - x.needsSecret, cls: 's-review', label: 'restrictions only' }], filter: { signal: 'tpm' } }));

  const modality = [...t.modalities].sort((a, b) => b[1].files - a[1].files);
  const modalityBars: Bar[] = modality.map(([k, v]) => ({
    label: k,
    segments: [
      { value: v.allow, cls: 's-allow', label: 'allowed' },
      { value: v.review, cls: 's-review', label: 'to review' },
      { value: v.exclude, cls: 's-exclude', label: 'excluded' },
    ],
    note: `${formatCount(v.files)} · ${formatBytes(v.bytes)}`,
  }));

  const legend = '<div class="legend-inline"><span><i class="s-allow" style="background:var(--allow)"></i>Allowed</span><span><i style="background:var(--review)"></i>To review</span><span><i style="background:var(--exclude)"></i>Excluded</span></div>';
  const card = (title: string, sub: string, body: string, extra = '') => `<div class="card"><h3>${esc(title)}</h3><p class="sub">${esc(sub)}</p>${body}${extra}</div>`;

  const reasonRows: string[] = [];
  for (const d of ['exclude', 'review'] as const) {
    for (const [code, x] of t.topReasons(d, 50)) {
      const sample = x.samples[0];
      reasonRows.push(
        `<tr><td><span class="badge ${d}">${d === 'exclude' ? 'Excluded' : 'Review'}</span></td><td><code>${esc(code)}</code><div class="note">${esc(reasonTitle(code))}</div></td><td class="num">${formatCount(x.files)}</td><td>${sample ? `<code>${esc(sample.path)}</code><div class="note">${esc(sample.message.slice(0, 240))}</div>` : ''}</td></tr>`,
      );
    }
  }
  const reasonsTable =
    reasonRows.length > 0
      ? `<div class="tbl"><table><thead><tr><th>Decision</th><th>Reason</th><th class="num">Files</th><th>Example</th></tr></thead><tbody>${reasonRows.join('')}</tbody></table></div>`
      : `<div class="callout">No file was excluded or sent to review.</div>`;

  // Shown by the page's script when it holds fewer rows than the scan has files (the row or byte limit).
  const capNote = `<div class="callout" id="cap-note" data-files="${t.files}" hidden>This page lists <b id="embedded-count">some</b> of the scan's ${formatCount(t.files)} files: every excluded file first, then files to review, then allowed files, up to ${formatCount(embed.embeddedLimit)} rows. The overview above counts every file; the JSON Lines report (<code>--format jsonl</code>) lists them all.</div>`;
  const interrupted = s.interrupted ? `<div class="callout"><b>The scan was interrupted.</b> This report covers only the files scanned before it stopped.</div>` : '';

  const provenance: [string, string][] = [
    ['Tool', `${s.tool.name} ${s.tool.version}`],
    ['Rules', Object.entries(s.rulesets).map(([k, v]) => `${k} ${v}`).join(' · ') || '–'],
    ['Source', `${s.source.name} · ${s.source.location}`],
    ['Policy', s.policy.origin],
    ['Policy sha256', s.policy.sha256],
    ['Hashing', s.hashing ? 'sha256 of every file' : 'off (--no-hash)'],
    ...(s.shard ? ([['Shard', `${s.shard.index} of ${s.shard.count}`]] as [string, string][]) : []),
    ['Started', s.startedAt],
    ['Finished', s.finishedAt],
    ['Duration', formatDuration(s.durationMs)],
    ['Bytes read', `${formatBytes(s.bytesRead)} of ${formatBytes(s.bytes)} (${formatCount(s.bytesRead)} bytes)`],
    ['Files · markers', `${formatCount(s.files)} · ${formatCount(s.markers)}`],
    ['Complete', s.interrupted ? 'no — interrupted' : 'yes'],
    ['Findings', Object.entries(s.findings).map(([k, v]) => `${k} ${formatCount(v)}`).join(' · ') || 'none'],
    ['Errors', Object.entries(s.errors).map(([k, v]) => `${k} ${formatCount(v)}`).join(' · ') || 'none'],
    ['Media types', Object.entries(s.mediaTypes).slice(0, 12).map(([k, v]) => `${k} ${formatCount(v)}`).join(' · ') || 'none'],
  ];

  const finished = new Date(s.finishedAt);
  const when = Number.isNaN(finished.getTime()) ? s.finishedAt : finished.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="clearance ${esc(s.tool.version)}">
<title>Clearance report · ${esc(name)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="top"><div class="wrap">
<div class="brand">${LOGO}Clearance report</div>
<h1>${esc(name)}</h1>
<div class="meta"><span><b>${formatCount(files)}</b> files · <b>${esc(formatBytes(s.bytes))}</b></span><span>Source <b>${esc(s.source.location)}</b></span><span>Scanned <b>${esc(when)}</b> in ${esc(formatDuration(s.durationMs))}</span><span>Policy <b>${esc(s.policy.origin)}</b></span><span>Clearance <b>${esc(s.tool.version)}</b></span></div>
<div class="banner ${gate[0]}">${esc(gate[1]!)}</div>
</div></header>
<main><div class="wrap">
<div class="kpis">${kpis}</div>
${interrupted}
<section id="overview">
<h2>Overview</h2>
<p class="sub">Every file of the scan is counted here. Click a bar to list its files below.</p>
<div class="grid">
${card('Verdicts', 'What the policy decided for each file.', verdictChart)}
${card('Licence mix', 'Files by effective licence (NOASSERTION: none could be determined).', barChart(licenceBars, { title: 'Licence mix', empty: 'No files' }), legend)}
${card('Opt-outs by protocol', 'Files under a text-and-data-mining reservation, by protocol.', barChart(protocolBars, { title: 'Opt-outs by protocol', empty: 'No reservation applies to any file', noteWidth: 150 }), '<div class="legend-inline"><span><i style="background:var(--reserved)"></i>Reserved</span><span><i style="background:var(--unknown)"></i>Unclear</span></div>')}
${card('Technical protection measures', 'Files guarded by encryption or DRM, by scheme.', barChart(tpmBars, { title: 'Technical protection measures', empty: 'No file is protected' }), '<div class="legend-inline"><span><i style="background:var(--exclude)"></i>Needs a secret</span><span><i style="background:var(--review)"></i>Restrictions only</span></div>')}
${card('By folder', 'Verdicts in each top-level folder.', barChart(folderBars, { title: 'Verdicts by folder', empty: 'No files' }), legend + (t.folders.overflowed ? `<p class="note">Folders beyond the first ${formatCount(t.folders.size - 1)} are counted together.</p>` : ''))}
${card('Modalities', 'Files and size by kind of content.', barChart(modalityBars, { title: 'Modalities', empty: 'No files', noteWidth: 130 }), legend)}
</div>
</section>
<section id="reasons">
<h2>Why files are kept out</h2>
<p class="sub">Reasons behind each exclusion and review, most frequent first, with an example.</p>
${reasonsTable}
</section>
<section id="files">
<h2>Files</h2>
<p class="sub">Search paths, licences, reasons and finding codes; filter; click a file to see its evidence.</p>
${capNote}
<div class="tbl">
<div class="controls">
<input id="q" type="search" placeholder="Search files, licences, reasons, codes…" aria-label="Search files" autocomplete="off">
<div class="seg" id="verdict-filter" role="group" aria-label="Verdict"><button data-value="all" aria-pressed="true">All<span class="n"></span></button><button data-value="exclude" aria-pressed="false">Excluded<span class="n"></span></button><button data-value="review" aria-pressed="false">Review<span class="n"></span></button><button data-value="allow" aria-pressed="false">Allowed<span class="n"></span></button></div>
<select id="f-licence" aria-label="Licence"><option value="">All licences</option></select>
<select id="f-protocol" aria-label="Opt-out protocol"><option value="">Any opt-out</option><option value="*">Some reservation</option></select>
<select id="f-folder" aria-label="Folder"><option value="">All folders</option></select>
<select id="f-signal" aria-label="Other"><option value="">Everything</option><option value="tpm">Protected (TPM)</option><option value="error">Read errors</option><option value="conflict">Licence conflicts</option></select>
<select id="f-sort" aria-label="Sort"><option value="verdict">Most serious first</option><option value="path">Path</option><option value="size">Largest first</option></select>
<button class="link" id="reset" type="button">Reset</button>
</div>
<table id="files-table"><thead><tr><th style="width:120px">Verdict</th><th>Path</th><th>Licence</th><th>Why</th><th class="num">Size</th></tr></thead><tbody id="files-body"><tr class="empty-row"><td colspan="5"><noscript>The file table needs JavaScript; the overview above does not.</noscript></td></tr></tbody></table>
<div class="pager"><span id="files-count"></span><span><button id="page-prev" type="button">Previous</button> <span id="page-of"></span> <button id="page-next" type="button">Next</button></span></div>
</div>
</section>
<section id="provenance">
<h2>Scan provenance</h2>
<p class="sub">How this report was made: keep it with the training manifest as evidence.</p>
<dl class="prov">${provenance.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
</section>
</div></main>
<footer><div class="wrap">Generated by Clearance ${esc(s.tool.version)} on ${esc(when)}. This file is self-contained: it loads nothing from the network.</div></footer>
<script type="application/json" id="clearance-data">[${ROWS_PLACEHOLDER}]</script>
<script>${APP}</script>
</body>
</html>
`;
}
