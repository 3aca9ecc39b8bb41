import { spawnSync } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordSchema, SummarySchema } from '@clearance/core';

const bin = path.resolve(import.meta.dirname, '../dist/bin.js');
const demo = path.resolve(import.meta.dirname, '../../../examples/demo-dataset');
const run = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) => {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', ...options.env };
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, ...(options.input !== undefined ? { input: options.input } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

let dir: string;
let scan: string;
let strict: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'clearance-cli-report-'));
  scan = path.join(dir, 'scan.jsonl');
  expect(run(['scan', demo, '--format', 'jsonl', '--out', scan, '--fail-on', 'none', '--quiet']).code).toBe(0);
  // The same dataset under a policy that denies its main licence, so that files are excluded.
  const policy = path.join(dir, 'deny.yaml');
  await writeFile(policy, 'licences:\n  deny: [CC-BY-4.0]\n');
  strict = path.join(dir, 'strict.jsonl');
  expect(run(['scan', demo, '--policy', policy, '--format', 'jsonl', '--out', strict, '--fail-on', 'none', '--quiet']).code).toBe(0);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('clearance report', () => {
  it('is listed and has help', () => {
    expect(run(['--help']).stdout).toMatch(/^ {2}report +render a saved JSON Lines scan in other formats$/m);
    expect(run(['report', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: clearance report <scan.jsonl> [options]') });
  });

  it('prints the summary of a saved scan by default, as the scan printed it', () => {
    const scanned = run(['scan', demo, '--fail-on', 'none']).stdout;
    const r = run(['report', scan]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    // Same figures; only the scan's own duration differs between two runs.
    const strip = (t: string) => t.replace(/ in [\d.]+ (ms|s)/, '');
    expect(strip(r.stdout)).toBe(strip(scanned));
  });

  it('writes each --format to the --out after it, from one pass over the file', async () => {
    const out = path.join(dir, 'out');
    const f = (name: string) => path.join(out, name);
    const r = run(['report', strict, '--format', 'html', '--out', f('r.html'), '--format', 'sarif', '--out', f('r.sarif'), '--format', 'manifest', '--out', f('train.jsonl'), '--format', 'markdown', '--out', f('r.md'), '--format', 'spdx3', '--out', f('r.spdx.json'), '--format', 'cyclonedx', '--out', f('r.cdx.json'), '--format', 'eu-summary', '--out', f('eu.md'), '--format', 'json', '--out', f('r.json'), '--format', 'summary']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Excluded\s+licence\.denied \d+/);
    expect(r.stderr.trim().split('\n')).toHaveLength(8);
    expect((await readdir(out)).sort()).toEqual(['eu.md', 'r.cdx.json', 'r.html', 'r.json', 'r.md', 'r.sarif', 'r.spdx.json', 'train.excluded.jsonl', 'train.jsonl', 'train.paths.txt']);
    const records = (await readFile(strict, 'utf8')).trim().split('\n').slice(0, -1).map((l) => RecordSchema.parse(JSON.parse(l)));
    const allowed = records.filter((x) => x.verdict.decision === 'allow').map((x) => x.path);
    expect((await readFile(f('train.paths.txt'), 'utf8')).trim().split('\n').filter(Boolean)).toEqual(allowed);
    const json = JSON.parse(await readFile(f('r.json'), 'utf8')) as { records: unknown[]; summary: unknown };
    expect(json.records).toEqual(records);
    SummarySchema.parse(json.summary);
    expect(await readFile(f('r.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(JSON.parse(await readFile(f('r.sarif'), 'utf8'))).toMatchObject({ version: '2.1.0' });
    expect(await readFile(f('r.md'), 'utf8')).toMatch(/^## Clearance report: demo-dataset/);
    expect(await readFile(f('eu.md'), 'utf8')).toMatch(/^# Public summary of training content — draft/);
  });

  it('reads standard input, validates on request, and gates with --fail-on', () => {
    const text = spawnSync('cat', [strict], { encoding: 'utf8' }).stdout;
    expect(run(['report', '-', '--format', 'summary', '--validate'], { input: text })).toMatchObject({ code: 0, stdout: expect.stringMatching(/Verdicts/) });
    expect(run(['report', strict, '--fail-on', 'exclude', '--quiet'])).toMatchObject({ code: 1, stderr: '' });
    const r = run(['report', strict, '--fail-on', 'exclude']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/gate failed \(--fail-on exclude\): \d+ excluded/);
    expect(run(['report', scan, '--fail-on', 'bogus']).code).toBe(2);
  });

  it('annotates for GitHub Actions', () => {
    const r = run(['report', strict, '--format', 'github'], { env: { GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: path.resolve(demo, '../..') } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^::error file=examples\/demo-dataset\/[^,]+(,line=\d+)?,title=Clearance%3A excluded from training::exclude: CC-BY-4\.0 is denied by the policy/m);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^::notice title=Clearance::\d+ files scanned: /);
  });

  it('writes nothing and exits 2 on a file that is not a whole report', async () => {
    const lines = (await readFile(scan, 'utf8')).trim().split('\n');
    const cut = path.join(dir, 'cut.jsonl');
    await writeFile(cut, `${lines.slice(0, 5).join('\n')}\n${lines[5]!.slice(0, 30)}`);
    const target = path.join(dir, 'kept.html');
    await writeFile(target, 'previous report');
    const r = run(['report', cut, '--format', 'html', '--out', target]);
    expect(r).toMatchObject({ code: 2, stderr: expect.stringMatching(/^clearance: .*cut\.jsonl, line 6: not JSON/) });
    expect(await readFile(target, 'utf8')).toBe('previous report');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const nosummary = path.join(dir, 'nosummary.jsonl');
    await writeFile(nosummary, `${lines.slice(0, -1).join('\n')}\n`);
    expect(run(['report', nosummary])).toMatchObject({ code: 2, stderr: expect.stringMatching(/ends without a summary line/) });
    expect(run(['report', path.join(dir, 'none.jsonl')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot read .*none\.jsonl: no such file/) });
  });

  it('loads a reporter from a module path', async () => {
    const mod = path.join(dir, 'count-reporter.mjs');
    await writeFile(mod, "export default (output) => { let n = 0; return { onRecord() { n++; }, onEnd: (s) => output.write(`${n} of ${s.files}\\n`) }; };\n");
    expect(run(['report', scan, '--format', mod])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^(\d+) of \1\n$/) });
  });

  it('rejects bad command lines with usage errors', () => {
    expect(run(['report'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/report needs a saved scan/) });
    expect(run(['report', scan, '--out', 'x.html'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--out x\.html must follow the --format it is for/) });
    expect(run(['report', scan, '--format', 'html', '--format', 'markdown'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/only one format can go to standard output/) });
    expect(run(['report', scan, '--format', 'pdf'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown format "pdf"; known formats: jsonl, json, summary, markdown, html/) });
  });
});
