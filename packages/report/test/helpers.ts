/** Running reporters in tests: into a temporary folder, over demo-dataset scans and synthetic records. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { builtinDetectors, localSource, scan, type ScanRecord, type Summary } from '@clearance/core';
import { openOutput, reporters, type ReporterOptions } from '../src/index.js';

/** The demo dataset that ships with the examples. */
export const DEMO = path.resolve(import.meta.dirname, '../../../examples/demo-dataset');

let demo: Promise<{ records: ScanRecord[]; summary: Summary }> | undefined;
/** A real scan of examples/demo-dataset with the built-in detectors (once per test file). */
export function demoScan(): Promise<{ records: ScanRecord[]; summary: Summary }> {
  demo ??= (async () => {
    const run = scan({ source: localSource({ root: DEMO }), detectors: builtinDetectors });
    const records: ScanRecord[] = [];
    for await (const r of run) records.push(r);
    return { records, summary: await run.summary };
  })();
  return demo;
}

/** A temporary folder, removed by the returned function. */
export async function tempDir(prefix = 'clearance-report-test-'): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs the named reporter over the records and summary into `file`; returns what it wrote. */
export async function render(name: string, records: Iterable<ScanRecord>, summary: Summary, file: string, options?: ReporterOptions): Promise<string> {
  const out = await openOutput(file);
  const reporter = reporters[name]!(out, options);
  for (const r of records) await reporter.onRecord?.(r);
  await reporter.onEnd?.(summary);
  await out.commit();
  return readFile(file, 'utf8');
}

/** Splits Markdown table rows into cells on unescaped pipes. */
export function tableCells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}
