#!/usr/bin/env node
// Writes the JSON Schemas of records, summaries and policies into docs/schema/ from the zod schemas
// exported by @clearance/core (built: run `pnpm build` first). `--check` fails when a file is stale,
// so the published schemas never drift from the code.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { FindingSchema, PolicySchema, RecordSchema, SummarySchema } from '../packages/core/dist/index.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const check = process.argv.includes('--check');
const targets = [
  ['record.schema.json', RecordSchema, 'output', 'One line of a Clearance JSON Lines report: one file and its verdict.'],
  ['summary.schema.json', SummarySchema, 'output', 'The summary of a Clearance scan: totals and the scan provenance.'],
  ['finding.schema.json', FindingSchema, 'output', 'A Clearance finding: a fact about a file, with evidence and scope.'],
  ['policy.schema.json', PolicySchema, 'input', 'A Clearance policy file (JSON or YAML). Every field is optional.'],
];
let stale = 0;
for (const [file, schema, io, description] of targets) {
  const json = { description, ...z.toJSONSchema(schema, { io, unrepresentable: 'any' }) };
  const text = `${JSON.stringify(json, null, 2)}\n`;
  const target = path.join(root, 'docs', 'schema', file);
  if (check) {
    const current = await readFile(target, 'utf8').catch(() => '');
    if (current !== text) {
      stale++;
      console.error(`docs/schema/${file} is out of date: run "pnpm schema"`);
    }
  } else {
    await writeFile(target, text);
    console.log(`wrote docs/schema/${file}`);
  }
}
if (stale > 0) process.exitCode = 1;
