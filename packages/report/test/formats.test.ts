import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinDetectors, findingCatalogue, NOASSERTION, type ScanRecord, type Summary } from '@clearance/core';
import { TO_COMPLETE, reporters } from '../src/index.js';
import { DEMO, demoScan, render, tableCells, tempDir } from './helpers.js';
import { SummaryOf, syntheticRecord, syntheticScan } from './records.js';
import { validateCycloneDx, validateSarif, validateSpdx3 } from './validate.js';

let dir: string;
let remove: () => Promise<void>;
let demo: { records: ScanRecord[]; summary: Summary };
let synth: { records: ScanRecord[]; summary: Summary };
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  demo = await demoScan();
  synth = syntheticScan(400);
});
afterAll(() => remove());

const file = (name: string) => path.join(dir, name);

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { rules: { id: string; helpUri?: string; shortDescription: { text: string } }[] } };
    results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region?: { startLine?: number; byteOffset?: number } } }[]; relatedLocations?: unknown[] }[];
    invocations: { toolExecutionNotifications?: { message: { text: string } }[] }[];
    originalUriBaseIds: Record<string, { uri?: string }>;
  }[];
}

describe('every built-in reporter', () => {
  it('renders the demo scan and an empty scan without failing', async () => {
    const empty = new SummaryOf().build();
    for (const name of Object.keys(reporters)) {
      expect((await render(name, demo.records, demo.summary, file(`demo-${name}`))).length).toBeGreaterThan(0);
      // An empty clean manifest is an empty file; every other format still says something.
      const text = await render(name, [], empty, file(`empty-${name}`));
      if (name === 'manifest') expect(text).toBe('');
      else expect(text.length, name).toBeGreaterThan(0);
    }
    expect(validateSarif(JSON.parse(await readFile(file('empty-sarif'), 'utf8')))).toEqual([]);
    expect(validateSpdx3(JSON.parse(await readFile(file('empty-spdx3'), 'utf8')))).toEqual([]);
    expect(validateCycloneDx(JSON.parse(await readFile(file('empty-cyclonedx'), 'utf8')))).toEqual([]);
  });
});

describe('summary', () => {
  it('adds opt-outs by protocol, TPMs and the top reasons for exclusion and review, with examples', async () => {
    const text = await render('summary', synth.records, synth.summary, file('s.txt'), { color: false });
    expect(text).toMatch(/Verdicts\s+allow 138 · review 102 · exclude 160/);
    expect(text).toMatch(/Opt-outs\s+robots 100 \(100 excluded\) · tdmrep 40 \(40 excluded, 19 to review, 19 unclear\)/);
    expect(text).toMatch(/TPMs\s+pdf\/standard-security 40 \(20 need a secret, 20 excluded, 20 to review\)/);
    expect(text).toMatch(/Excluded\s+optout\.reserved 140 · tpm\.present 20\n\s+e\.g\. news\/articles\/2026\/story-0000000\.html: robots reserves text and data mining/);
    expect(text).toMatch(/Review\s+licence\.unknown \d+ · licence\.unlisted \d+/);
    expect(text).toMatch(/Errors\s+4 files \(ERR_PERMISSION_DENIED 4\)/);
    expect(text).not.toContain('\u001b[');
  });
});

describe('markdown', () => {
  it('writes well-formed tables whose counts match the scan, and survives hostile paths', async () => {
    const hostile = syntheticRecord(0);
    // Sorts first, so that it is among the examples the report shows (the smallest paths).
    hostile.path = '!news/a|b`c`<script>*x*.html';
    const records = [hostile, ...synth.records.slice(1)];
    const sum = new SummaryOf();
    for (const r of records) sum.add(r);
    const md = await render('markdown', records, sum.build(), file('r.md'));
    expect(md).toMatch(/^## Clearance report: synthetic-corpus/);
    for (const heading of ['### Why files are kept out', '### Licences', '### Text-and-data-mining reservations (opt-outs)', '### Technical protection measures', '### Folders', '### Files that could not be read', '<summary>Scan provenance</summary>']) expect(md).toContain(heading);
    // Every table row has as many cells as its header.
    const lines = md.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^\| ---/.test(lines[i + 1] ?? '')) continue;
      const width = tableCells(lines[i]!).length;
      for (let j = i + 2; j < lines.length && lines[j]!.startsWith('|'); j++) expect(tableCells(lines[j]!), lines[j]).toHaveLength(width);
    }
    expect(md).toMatch(/\| `robots` \| 100 \| 0 \| 0 \| 100 \| 0 \| 0 \|/);
    expect(md).toContain('| **Excluded** | 160 |');
    // Inside a code span, which Markdown renders as literal text.
    expect(md).toContain('``!news/a\\|b`c`<script>*x*.html``');
  });
});

describe('sarif', () => {
  it('is valid SARIF 2.1.0 with a rule per finding code, help links, and located results', async () => {
    const text = await render('sarif', [...demo.records, ...synth.records], synth.summary, file('r.sarif'), { docsBaseUrl: 'https://example.org/clearance/' });
    const log = JSON.parse(text) as SarifLog;
    expect(validateSarif(log)).toEqual([]);
    const run = log.runs[0]!;
    const rules = run.tool.driver.rules;
    for (const { code } of findingCatalogue(builtinDetectors)) {
      const rule = rules.find((r) => r.id === code);
      expect(rule?.helpUri, code).toBe(`https://example.org/clearance/docs/findings/${code}.md`);
    }
    for (const r of run.results) expect(rules[r.ruleIndex]!.id).toBe(r.ruleId);
    // An encrypted PDF: its own finding, raised to error because it excluded the file, at its byte offset.
    const pdf = run.results.find((r) => r.ruleId === 'tpm.pdf.encrypted')!;
    expect(pdf).toMatchObject({ level: 'error', locations: [{ physicalLocation: { artifactLocation: { uri: 'books/locked/book-0000008.pdf', uriBaseId: 'DATASET' }, region: { byteOffset: 1234 } } }] });
    // A page excluded by a robots.txt above it: a verdict result on the page, the evidence related.
    const news = run.results.find((r) => r.ruleId === 'verdict/optout.reserved' && r.locations[0]!.physicalLocation.artifactLocation.uri.startsWith('news/articles/2026/'))!;
    expect(news.level).toBe('error');
    expect(news.relatedLocations).toEqual([expect.objectContaining({ physicalLocation: expect.objectContaining({ artifactLocation: { uri: 'news/robots.txt', uriBaseId: 'DATASET' }, region: expect.objectContaining({ startLine: 4 }) }) })]);
    // A code file's SPDX tag, at its line.
    const tag = run.results.find((r) => r.ruleId === 'licence.spdx.tag' && r.locations[0]!.physicalLocation.artifactLocation.uri.startsWith('code/mit/'))!;
    expect(tag).toMatchObject({ level: 'note', locations: [{ physicalLocation: { region: { startLine: 1 } } }] });
    // Errors come first.
    const levels = run.results.map((r) => r.level);
    expect(levels.indexOf('error')).toBe(0);
    expect(levels.lastIndexOf('error')).toBeLessThan(levels.indexOf('warning'));
    expect(run.originalUriBaseIds['DATASET']!.uri).toBe('file:///data/synthetic-corpus/');
  });

  it('keeps at most sarifMaxResults, errors first, and says how many it left out', async () => {
    const log = JSON.parse(await render('sarif', synth.records, synth.summary, file('cap.sarif'), { sarifMaxResults: 7 })) as SarifLog;
    expect(validateSarif(log)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.results).toHaveLength(7);
    expect(run.results.every((r) => r.level === 'error')).toBe(true);
    expect(run.invocations[0]!.toolExecutionNotifications![0]!.message.text).toMatch(/^\d[\d,]* of \d[\d,]* results were left out to stay within 7 results/);
  });

  it('points at the repository in GitHub Actions, and encodes names', async () => {
    const r = syntheticRecord(14); // MIT code with its own SPDX tag
    r.path = 'images/a b%/c#d.py';
    r.findings[0]!.evidence.path = r.path;
    const sum = new SummaryOf();
    sum.add(r);
    const log = JSON.parse(await render('sarif', [r], sum.build('/home/runner/work/repo/data/set'), file('gh.sarif'), { env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: '/home/runner/work/repo' } })) as SarifLog;
    expect(validateSarif(log)).toEqual([]);
    const run = log.runs[0]!;
    expect(run.results[0]!.locations[0]!.physicalLocation.artifactLocation).toEqual({ uri: 'data/set/images/a%20b%25/c%23d.py', uriBaseId: 'SRCROOT' });
    expect(run.originalUriBaseIds['SRCROOT']!.uri).toBe('file:///home/runner/work/repo/');
  });

  it('is caught by the schema when it is wrong (the validator can fail)', async () => {
    const log = JSON.parse(await readFile(file('cap.sarif'), 'utf8')) as SarifLog;
    log.runs[0]!.results[0]!.level = 'fatal';
    expect(validateSarif(log).join('\n')).toMatch(/level/);
  });
});

describe('github', () => {
  it('writes escaped workflow commands, at most githubMaxAnnotations of each level, and the totals', async () => {
    const r = syntheticRecord(16); // GPL code: review, with its line
    r.path = 'code/gpl/a,b:c%.py';
    r.findings[0]!.evidence.path = r.path;
    r.licence.basis = [r.path];
    r.verdict.reasons[0]!.message = 'line one\nline two: 100%';
    const records = [r, ...synth.records];
    const sum = new SummaryOf();
    for (const x of records) sum.add(x);
    const s = sum.build(path.join(dir, 'ds'));
    const text = await render('github', records, s, file('gh.txt'), { env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir }, githubMaxAnnotations: 3 });
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('::warning file=ds/code/gpl/a%2Cb%3Ac%25.py,line=1,title=Clearance%3A to review before training::review: line one%0Aline two: 100%25');
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith('::warning '))).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith('::error ')).every((l) => /^::error file=ds\/[^,]+,(line=\d+,)?title=Clearance%3A excluded from training::exclude: /.test(l))).toBe(true);
    expect(text).toMatch(/::notice title=Clearance::157 more excluded files are not annotated/);
    expect(lines.at(-1)).toBe('::notice title=Clearance::401 files scanned: 138 allowed, 103 to review, 160 excluded; 4 with errors.');
  });

  it('writes plain lines outside GitHub Actions', async () => {
    const text = await render('github', synth.records.slice(0, 20), synth.summary, file('plain.txt'), { env: {} });
    expect(text).not.toContain('::');
    expect(text).toMatch(/^\/data\/synthetic-corpus\/news\/articles\/2026\/story-0000000\.html: error: exclude: robots reserves text and data mining .*; review: no licence found \[optout\.reserved, licence\.unknown\]$/m);
  });
});

interface SpdxElement {
  type: string;
  spdxId?: string;
  from?: string;
  to?: string[];
  relationshipType?: string;
  name?: string;
  verifiedUsing?: { algorithm: string; hashValue: string }[];
  simplelicensing_licenseExpression?: string;
  [k: string]: unknown;
}

describe('spdx3', () => {
  it('is valid SPDX 3.0.1 with a DatasetPackage, hashed files and licences as relationships', async () => {
    const records = [...demo.records, ...synth.records.slice(0, 120)];
    const doc = JSON.parse(await render('spdx3', records, demo.summary, file('r.spdx.json'))) as { '@context': string; '@graph': SpdxElement[] };
    expect(validateSpdx3(doc)).toEqual([]);
    const g = doc['@graph'];
    const pkg = g.find((e) => e.type === 'dataset_DatasetPackage')!;
    expect(pkg).toMatchObject({ name: 'demo-dataset', software_primaryPurpose: 'data', dataset_datasetSize: demo.summary.bytes, dataset_datasetAvailability: 'directDownload' });
    expect(pkg['dataset_datasetType']).toEqual(expect.arrayContaining(['text', 'image', 'structured', 'audio']));
    const files = g.filter((e) => e.type === 'software_File');
    expect(files).toHaveLength(records.length);
    for (const r of records) {
      const f = files.find((x) => x.name === r.path)!;
      expect(f.verifiedUsing).toEqual(r.sha256 ? [{ type: 'Hash', algorithm: 'sha256', hashValue: r.sha256 }] : undefined);
    }
    const rels = g.filter((e) => e.type === 'Relationship');
    const contained = new Set(rels.filter((r) => r.relationshipType === 'contains' && r.from === pkg.spdxId).flatMap((r) => r.to!));
    expect(files.every((f) => contained.has(f.spdxId!))).toBe(true);
    const licences = new Map(g.filter((e) => e.type === 'simplelicensing_LicenseExpression').map((e) => [e.spdxId!, e.simplelicensing_licenseExpression!]));
    for (const r of records) {
      const f = files.find((x) => x.name === r.path)!;
      const rel = rels.filter((x) => x.relationshipType === 'hasConcludedLicense' && x.from === f.spdxId);
      expect(rel).toHaveLength(1);
      expect(r.licence.expression === NOASSERTION ? rel[0]!.to![0] : licences.get(rel[0]!.to![0]!)).toBe(r.licence.expression === NOASSERTION ? 'expandedlicensing_NoAssertionLicense' : r.licence.expression);
    }
    // Dataset profile conformance: exactly one declared and one concluded licence for the package.
    expect(rels.filter((r) => r.from === pkg.spdxId && r.relationshipType === 'hasDeclaredLicense')).toHaveLength(1);
    expect(rels.filter((r) => r.from === pkg.spdxId && r.relationshipType === 'hasConcludedLicense')).toHaveLength(1);
    // The demo dataset's card at its top says CC-BY-4.0 for the whole dataset.
    const declared = rels.find((r) => r.from === pkg.spdxId && r.relationshipType === 'hasDeclaredLicense')!;
    expect(licences.get(declared.to![0]!)).toBe('CC-BY-4.0');
    const doc0 = g.find((e) => e.type === 'SpdxDocument')!;
    expect(doc0['rootElement']).toEqual([pkg.spdxId]);
    expect(doc0['profileConformance']).toContain('dataset');
  });

  it('is caught by the schema when it is wrong', async () => {
    const doc = JSON.parse(await readFile(file('r.spdx.json'), 'utf8')) as { '@graph': SpdxElement[] };
    doc['@graph'].find((e) => e.type === 'dataset_DatasetPackage')!['dataset_datasetType'] = ['pictures'];
    expect(validateSpdx3(doc)).not.toEqual([]);
  });
});

interface CdxComponent {
  type: string;
  name: string;
  'bom-ref'?: string;
  hashes?: { alg: string; content: string }[];
  licenses?: ({ license: { id?: string; acknowledgement?: string } } | { expression: string; acknowledgement?: string })[];
  properties?: { name: string; value: string }[];
  components?: CdxComponent[];
  data?: { type: string; name: string; description: string }[];
}

describe('cyclonedx', () => {
  it('is a valid CycloneDX 1.6 BOM with the dataset as a data component holding its files', async () => {
    const records = [...demo.records, ...synth.records.slice(0, 100)];
    const bom = JSON.parse(await render('cyclonedx', records, demo.summary, file('r.cdx.json'))) as { specVersion: string; components: CdxComponent[]; metadata: { tools: { components: { name: string }[] } } };
    expect(validateCycloneDx(bom)).toEqual([]);
    expect(bom.specVersion).toBe('1.6');
    expect(bom.metadata.tools.components[0]!.name).toBe('clearance');
    const dataset = bom.components.find((c) => c.type === 'data')!;
    expect(dataset.data![0]).toMatchObject({ type: 'dataset', name: 'demo-dataset' });
    expect(dataset.licenses).toEqual([{ license: { id: 'CC-BY-4.0', acknowledgement: 'declared' } }]);
    expect(dataset.components).toHaveLength(records.length);
    const mixed = dataset.components!.find((c) => c.name === records.find((r) => r.licence.expression === 'MIT OR Apache-2.0')?.path);
    expect(mixed?.licenses).toEqual([{ expression: 'MIT OR Apache-2.0', acknowledgement: 'concluded' }]);
    const unknown = dataset.components!.find((c) => c.name === 'data/tables/table-0000017.csv')!;
    expect(unknown.licenses).toBeUndefined();
    expect(unknown.properties).toEqual(expect.arrayContaining([{ name: 'clearance:licence', value: NOASSERTION }, { name: 'clearance:verdict', value: 'review' }]));
    const pdf = dataset.components!.find((c) => c.name === 'books/locked/book-0000008.pdf')!;
    expect(pdf.hashes).toEqual([{ alg: 'SHA-256', content: records.find((r) => r.path === pdf.name)!.sha256 }]);
    expect(pdf.properties).toEqual(expect.arrayContaining([{ name: 'clearance:tpm:pdf/standard-security', value: 'needs-secret' }]));
  });

  it('is caught by the schema when it is wrong', async () => {
    const bom = JSON.parse(await readFile(file('r.cdx.json'), 'utf8')) as { components: CdxComponent[] };
    bom.components[0]!.components![0]!.hashes = [{ alg: 'SHA-257', content: 'x' }];
    expect(validateCycloneDx(bom)).not.toEqual([]);
  });
});

describe('manifest', () => {
  it('writes the allowed files as JSON Lines and as a path list, and the rest with their reasons', async () => {
    const odd = syntheticRecord(10);
    odd.path = 'images/line\nbreak.jpg';
    const records = [...synth.records, odd];
    const main = await render('manifest', records, synth.summary, file('train.jsonl'));
    const allowed = records.filter((r) => r.verdict.decision === 'allow');
    const lines = main.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual(allowed.map((r) => ({ path: r.path, sha256: r.sha256, licence: r.licence.expression })));
    const paths = (await readFile(file('train.paths.txt'), 'utf8')).split('\n');
    expect(paths.at(-1)).toBe('');
    expect(paths.slice(0, -1)).toEqual(allowed.filter((r) => r !== odd).map((r) => r.path));
    const excluded = (await readFile(file('train.excluded.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { path: string; decision: string; reasons: { code: string; decision: string }[] });
    expect(excluded).toHaveLength(records.length - allowed.length);
    expect(excluded[0]).toMatchObject({ path: 'news/articles/2026/story-0000000.html', decision: 'exclude', licence: NOASSERTION, reasons: [{ code: 'optout.reserved', decision: 'exclude' }, { code: 'licence.unknown', decision: 'review' }] });
    expect(excluded.every((e) => e.reasons.length > 0 && e.reasons.every((r) => r.decision !== 'allow'))).toBe(true);
  });
});

describe('eu-summary', () => {
  it('follows the template sections, fills what a scan knows and marks the rest for a person', async () => {
    const md = await render('eu-summary', synth.records, synth.summary, file('eu.md'));
    const headings = [...md.matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual([
      '1. General information',
      '1.1 Provider identification',
      '1.2 Model identification',
      '1.3 Modalities, overall training data size and other characteristics',
      '2. List of data sources',
      '2.1 Publicly available datasets',
      '2.2 Private non-publicly available datasets obtained from third parties',
      '2.3 Data crawled and scraped from online sources',
      '2.4 User data',
      '2.5 Synthetic data',
      '2.6 Other sources of data',
      '3. Data processing aspects',
      '3.1 Respect of reservation of rights from the text and data mining exception or limitation',
      '3.2 Removal of illegal content',
      '3.3 Other information (optional)',
      'Annex: how this draft was made',
    ]);
    expect(md.split(TO_COMPLETE).length - 1).toBeGreaterThanOrEqual(15);
    expect(md).toMatch(/\| text \| yes \| 298 \|/);
    expect(md).toMatch(/\| audio \| yes \| 20 \|/);
    expect(md).toMatch(/\| video \| no \| 0 \|/);
    expect(md).toContain('| `robots` | 100 | 0 | 100 | 0 | 0 |');
    expect(md).toContain('| `tdmrep` | 40 | 19 | 40 | 19 | 0 |');
    expect(md).toMatch(/newest file in the scan was last modified on 2026-03-01/);
    const optOutDetectors = builtinDetectors.filter((d) => Object.keys(d.codes).some((c) => c.startsWith('optout.')));
    const ran = optOutDetectors.filter((d) => synth.summary.rulesets[d.id] !== undefined);
    if (ran.length > 0) for (const d of ran) expect(md).toContain(`| \`${d.id}\` |`);
    else expect(md).toContain('No reservation protocol was checked by this scan');
  });

  it('lists the opt-out checks that ran, from the rulesets of a real scan', async () => {
    const md = await render('eu-summary', demo.records, demo.summary, file('eu-demo.md'));
    const ran = builtinDetectors.filter((d) => demo.summary.rulesets[d.id] !== undefined && Object.keys(d.codes).some((c) => c.startsWith('optout.')));
    for (const d of ran) expect(md).toContain(`| \`${d.id}\` | ${d.version} |`);
    expect(md).toContain(`${DEMO.split(path.sep).at(-1)}`);
  });
});
