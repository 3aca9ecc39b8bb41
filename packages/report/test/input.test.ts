import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScanRecord, type Summary } from '@clearance/core';
import { ReportInputError, Tally, createSpill, openOutput, readRecords } from '../src/index.js';
import { reasonProtocol } from '../src/facts.js';
import { render, tempDir } from './helpers.js';
import { syntheticRecord, syntheticScan } from './records.js';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => ({ dir, remove } = await tempDir()));
afterAll(() => remove());

async function collect(input: string | Readable, options?: Parameters<typeof readRecords>[1]) {
  const records: ScanRecord[] = [];
  let summary: Summary | undefined;
  for await (const x of readRecords(input, options)) {
    if ('record' in x) records.push(x.record);
    else summary = x.summary;
  }
  return { records, summary };
}

const lines = (text: string) => Readable.from([text]);

describe('readRecords', () => {
  it('reads back what the jsonl reporter wrote, record by record, then the summary', async () => {
    const { records, summary } = syntheticScan(50);
    const file = path.join(dir, 'scan.jsonl');
    await render('jsonl', records, summary, file);
    const back = await collect(file, { check: 'schema' });
    expect(back.records).toEqual(records);
    expect(back.summary).toEqual(summary);
  });

  it('accepts CRLF line ends, a byte-order mark and blank lines', async () => {
    const { records, summary } = syntheticScan(2);
    const text = `\uFEFF${JSON.stringify(records[0])}\r\n\r\n${JSON.stringify(records[1])}\r\n${JSON.stringify({ summary })}\r\n\n`;
    const back = await collect(lines(text));
    expect(back.records.map((r) => r.path)).toEqual(records.map((r) => r.path));
    expect(back.summary).toEqual(summary);
  });

  it('says which line is wrong, and never takes a partial file for a whole one', async () => {
    const { records, summary } = syntheticScan(3);
    const good = records.map((r) => JSON.stringify(r));
    const sum = JSON.stringify({ summary });
    const cases: [string, RegExp][] = [
      [`${good[0]}\n{"path": "x", "size": 1\n${sum}\n`, /line 2: not JSON/],
      [`${good[0]}\n[1,2]\n${sum}\n`, /line 2: not a JSON object/],
      [`${good[0]}\n${JSON.stringify({ ...records[1], verdict: { decision: 'maybe', reasons: [] } })}\n${sum}\n`, /line 2: not a Clearance record \(no valid "verdict"\)/],
      [`${good[0]}\n${JSON.stringify({ ...records[1], findings: undefined })}\n${sum}\n`, /line 2: not a Clearance record \(missing "findings"/],
      [`${good[0]}\n${sum}\n${good[1]}\n`, /line 3: a record after the summary line/],
      [`${good[0]}\n${sum}\n${sum}\n`, /line 3: a second summary line/],
      [`${good[0]}\n${good[1]}\n`, /ends without a summary line after 2 lines/],
      [`${good[0]}\n${good[1]!.slice(0, 40)}`, /line 2: not JSON/],
      ['', /ends without a summary line after 0 lines/],
      [`${good[0]}\n{"summary": {"files": "many"}}\n`, /line 2: the summary line lacks the summary fields/],
    ];
    for (const [text, message] of cases) await expect(collect(lines(text)), String(message)).rejects.toThrow(message);
    await expect(collect(lines(`${good[0]}\n${sum}\n`))).resolves.toBeDefined();
    // Schema mode catches what the shape check lets through.
    const badHash = `${JSON.stringify({ ...records[0], sha256: 'not-a-hash' })}\n${sum}\n`;
    await expect(collect(lines(badHash))).resolves.toBeDefined();
    await expect(collect(lines(badHash), { check: 'schema' })).rejects.toThrow(/line 1: not a record: sha256/);
    const err = await collect(lines(`${good[0]}\n{oops\n`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReportInputError);
    expect(err).toMatchObject({ code: 'ERR_REPORT_INPUT', line: 2 });
  });

  it('names a missing file', async () => {
    await expect(collect(path.join(dir, 'missing.jsonl'))).rejects.toThrow(/cannot read .*missing\.jsonl: no such file/);
  });
});

describe('spill files', () => {
  it('give back every line in order, across read chunks and multi-byte characters, and leave nothing behind', async () => {
    const spillDir = path.join(dir, 'spill');
    await mkdir(spillDir);
    const spill = await createSpill(spillDir);
    // Unlinked as soon as it is open: nothing in the folder even while it is written.
    expect(await readdir(spillDir)).toEqual([]);
    const want: string[] = [];
    // ~2.6 MB: several 1 MiB read chunks, with 3- and 4-byte characters across their edges.
    for (let i = 0; i < 20_000; i++) want.push(`${i} ${'é€𝄞'.repeat(i % 37)} ${'x'.repeat(i % 101)}`);
    for (const l of want) await spill.writeLine(l);
    expect(spill.lines).toBe(want.length);
    expect(spill.bytes).toBe(Buffer.byteLength(want.join('\n') + '\n'));
    const got: string[] = [];
    for await (const l of spill.readLines()) got.push(l);
    expect(got).toEqual(want);
    const some: string[] = [];
    for await (const l of spill.readLines(3)) some.push(l);
    expect(some).toEqual(want.slice(0, 3));
    await spill.close();
    await spill.close();
    expect(await readdir(spillDir)).toEqual([]);
  });
});

describe('Tally', () => {
  it('counts each file once per protocol and folds folders beyond its cap', () => {
    const t = new Tally({ maxFolders: 3 });
    const { records } = syntheticScan(200);
    for (const r of records) t.add(r);
    expect(t.folders.size).toBe(4);
    expect(t.folders.overflowed).toBe(true);
    expect(t.folders.entries().reduce((n, [, v]) => n + v.files, 0)).toBe(200);
    expect(t.protocols.get('robots')).toMatchObject({ yes: 50, excluded: 50, unknown: 0 });
    expect(t.reasons.exclude.get('optout.reserved')!.samples).toHaveLength(3);
  });

  it('attributes a reason to the protocol whose name starts it, preferring the longest', () => {
    const r = syntheticRecord(0);
    r.optOuts = [
      { ...r.optOuts[0]!, protocol: 'robots' },
      { ...r.optOuts[0]!, protocol: 'robots-meta' },
    ];
    expect(reasonProtocol(r, { code: 'optout.reserved', decision: 'exclude', message: 'robots-meta reserves text and data mining (x)' })).toBe('robots-meta');
    expect(reasonProtocol(r, { code: 'optout.reserved', decision: 'exclude', message: 'robots reserves text and data mining (x)' })).toBe('robots');
    expect(reasonProtocol(r, { code: 'licence.unknown', decision: 'review', message: 'robots …' })).toBeUndefined();
  });
});

describe('report outputs', () => {
  it('commit a manifest\'s siblings with it, and drop them with it', async () => {
    const base = path.join(dir, 'sib', 'train');
    const out = await openOutput(`${base}.jsonl`);
    const side = await out.sibling!(`${base}.paths.txt`);
    await side!.write('a\n');
    await out.write('{}\n');
    expect((await readdir(path.join(dir, 'sib'))).every((f) => f.endsWith('.tmp'))).toBe(true);
    await out.abort();
    expect(await readdir(path.join(dir, 'sib'))).toEqual([]);
    expect(await (await openOutput('-')).sibling!('x')).toBeUndefined();
  });
});
