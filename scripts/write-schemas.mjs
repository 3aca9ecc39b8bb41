#!/usr/bin/env node
// Writes the JSON Schemas of records, summaries and policies into docs/schema/ from the zod schemas
// exported by @clearance/core, and one page per finding code into docs/findings/ from the detectors'
// own code registry (built: run `pnpm build` first). `--check` fails when a file is stale or a page
// has no code any more, so the published docs never drift from the code.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { FindingSchema, PolicySchema, RecordSchema, SummarySchema, builtinDetectors, findingCatalogue } from '../packages/core/dist/index.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const check = process.argv.includes('--check');
const targets = [
  ['record.schema.json', RecordSchema, 'output', 'One line of a Clearance JSON Lines report: one file and its verdict.'],
  ['summary.schema.json', SummarySchema, 'output', 'The summary of a Clearance scan: totals and the scan provenance.'],
  ['finding.schema.json', FindingSchema, 'output', 'A Clearance finding: a fact about a file, with evidence and scope.'],
  ['policy.schema.json', PolicySchema, 'input', 'A Clearance policy file (JSON or YAML). Every field is optional.'],
];
const files = new Map();
for (const [file, schema, io, description] of targets) {
  const json = { description, ...z.toJSONSchema(schema, { io, unrepresentable: 'any' }) };
  files.set(path.join('docs', 'schema', file), `${JSON.stringify(json, null, 2)}\n`);
}
const catalogue = findingCatalogue(builtinDetectors);
for (const { code, detector, doc } of catalogue) {
  files.set(path.join('docs', 'findings', `${code}.md`), `# \`${code}\` — ${doc.title}\n\nReported by: \`${detector}\`\n\n## What it means\n\n${doc.meaning}\n\n## What to do\n\n${doc.action}\n`);
}
const index = ['# Finding codes', '', 'Generated from the detectors\' registry by `pnpm schema`; do not edit by hand.', '', '| code | title | detector |', '| --- | --- | --- |'];
for (const { code, detector, doc } of catalogue) index.push(`| [\`${code}\`](${code}.md) | ${doc.title} | \`${detector}\` |`);
files.set(path.join('docs', 'findings', 'README.md'), `${index.join('\n')}\n`);

let stale = 0;
if (check) {
  for (const [rel, text] of files) {
    const current = await readFile(path.join(root, rel), 'utf8').catch(() => '');
    if (current !== text) {
      stale++;
      console.error(`${rel} is out of date: run "pnpm schema"`);
    }
  }
  const pages = await readdir(path.join(root, 'docs', 'findings')).catch(() => []);
  for (const page of pages) {
    if (!files.has(path.join('docs', 'findings', page))) {
      stale++;
      console.error(`docs/findings/${page} documents no current code: delete it`);
    }
  }
} else {
  await mkdir(path.join(root, 'docs', 'findings'), { recursive: true });
  for (const [rel, text] of files) await writeFile(path.join(root, rel), text);
  console.log(`wrote ${files.size} files under docs/`);
}
if (stale > 0) process.exitCode = 1;
