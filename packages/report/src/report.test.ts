import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanRecord, Summary } from '@clearance/core';
import { loadReporter, openOutput, renderSummary, reporters } from './index.js';

const summary: Summary = {
  schemaVersion: 1,
  tool: { name: 'clearance', version: '0.1.0' },
  rulesets: {},
  source: { name: 'local', location: '/data' },
  policy: { sha256: '0'.repeat(64), origin: 'built-in default' },
  hashing: true,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  durationMs: 1234,
  interrupted: false,
  files: 3,
  markers: 1,
  bytes: 2_500_000,
  bytesRead: 2_500_000,
  verdicts: { allow: 1, review: 1, exclude: 1 },
  licences: { MIT: 2, NOASSERTION: 1 },
  optOuts: { tdmrep: 1 },
  tpm: {},
  mediaTypes: { 'text/plain': 3 },
  findings: {},
  errors: { ERR_PERMISSION_DENIED: 1 },
  filesWithErrors: 1,
  reasons: { 'licence.allowed': 2, 'optout.reserved': 1, error: 1 },
  containers: { opened: 0, incomplete: 0, members: 0, rows: 0, memberBytes: 0 },
  copyright: { holders: {}, notices: 0, filesWithNotice: 0, holdersTruncated: false },
};
const record = { path: 'a.txt' } as ScanRecord;

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'clearance-report-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('reporters', () => {
  it('renders the human summary with every section', () => {
    const text = renderSummary(summary);
    expect(text).toContain('3 files · 2.5 MB in 1.2 s');
    expect(text).toMatch(/allow 1 · review 1 · exclude 1/);
    expect(text).toMatch(/Opt-outs\s+tdmrep 1/);
    expect(text).toMatch(/TPMs\s+none/);
    expect(text).toMatch(/Errors\s+1 file \(ERR_PERMISSION_DENIED 1\)/);
    expect(text).toMatch(/Reasons\s+error 1 · optout.reserved 1/);
  });

  it('writes JSON Lines and JSON that parse back', async () => {
    for (const name of ['jsonl', 'json'] as const) {
      const file = path.join(dir, `r.${name}`);
      const out = await openOutput(file);
      const r = reporters[name]!(out);
      await r.onRecord?.(record);
      await r.onRecord?.({ ...record, path: 'b.txt' });
      await r.onEnd?.(summary);
      await out.commit();
      const text = await readFile(file, 'utf8');
      if (name === 'jsonl') expect(text.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([record, { path: 'b.txt' }, { summary }]);
      else expect(JSON.parse(text)).toEqual({ records: [record, { path: 'b.txt' }], summary });
    }
  });

  it('writes an empty JSON report as valid JSON', async () => {
    const file = path.join(dir, 'empty.json');
    const out = await openOutput(file);
    await reporters['json']!(out).onEnd?.(summary);
    await out.commit();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ records: [], summary });
  });

  it('leaves the previous report in place until the new one is committed, and drops an aborted one', async () => {
    const file = path.join(dir, 'keep.jsonl');
    await writeFile(file, 'old\n');
    const out = await openOutput(file);
    await out.write('new\n');
    expect(await readFile(file, 'utf8')).toBe('old\n');
    await out.abort();
    expect(await readFile(file, 'utf8')).toBe('old\n');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes to a stream with backpressure', async () => {
    const sink = new PassThrough({ highWaterMark: 16 });
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const out = await openOutput('-', sink);
    const big = 'x'.repeat(200_000);
    await out.write(big);
    await out.commit();
    expect(Buffer.concat(chunks).toString()).toBe(big);
  });

  it('names the known formats when asked for an unknown one', async () => {
    await expect(loadReporter('pdf')).rejects.toThrow(/unknown format "pdf"; known formats: jsonl, json, summary, markdown, html, sarif, github, spdx3, cyclonedx, manifest, eu-summary/);
    await expect(loadReporter('./missing-reporter.mjs')).rejects.toThrow(/cannot load reporter module/);
  });
});
