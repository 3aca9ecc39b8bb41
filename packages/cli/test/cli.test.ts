import { spawn, spawnSync } from 'node:child_process';
import { truncate } from 'node:fs/promises';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordSchema, SummarySchema } from '@clearance/core';

const bin = path.resolve(import.meta.dirname, '../dist/bin.js');
const run = (args: string[], cwd?: string) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

let dir: string;
let data: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'clearance-cli-'));
  data = path.join(dir, 'data');
  const files: Record<string, string> = {
    'README.md': '---\nlicense: mit\n---\n# Data\n',
    'a.txt': 'a',
    'nc/README.md': '---\nlicense: cc-by-nc-4.0\n---\n',
    'nc/b.txt': 'b',
    'gpl/c.py': '# SPDX-License-Identifier: GPL-3.0-only\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(data, rel)), { recursive: true });
    await writeFile(path.join(data, rel), text);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('clearance CLI', () => {
  it('prints help and version', () => {
    expect(run(["--help"])).toMatchObject({ code: 0, stdout: expect.stringContaining("Usage: clearance <command>") });
    expect(run(["scan", "--help"])).toMatchObject({ code: 0, stdout: expect.stringContaining("Usage: clearance scan <path>") });
    expect(run(['--version']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('prints a summary by default and exits 0 when nothing is excluded', () => {
    const r = run(['scan', data]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Scanned\s+5 files/);
    expect(r.stdout).toMatch(/allow 2 · review 3 · exclude 0/);
    expect(r.stdout).toMatch(/Licences\s+CC-BY-NC-4.0 2 · MIT 2 · GPL-3.0-only 1/);
  });

  it('writes each --format to the --out after it, atomically, with records that match the schema', async () => {
    const jsonl = path.join(dir, 'out', 'scan.jsonl');
    const json = path.join(dir, 'out', 'scan.json');
    const r = run(['scan', data, '--format', 'summary', '--format', 'jsonl', '--out', jsonl, '--format', 'json', '--out', json, '--no-hash']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Verdicts/);
    const lines = (await readFile(jsonl, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(6);
    for (const l of lines.slice(0, -1)) expect(RecordSchema.parse(l).sha256).toBeNull();
    SummarySchema.parse(lines.at(-1)!['summary']);
    const doc = JSON.parse(await readFile(json, 'utf8')) as { records: unknown[]; summary: unknown };
    expect(doc.records).toHaveLength(5);
    expect(SummarySchema.parse(doc.summary).hashing).toBe(false);
    expect((await readdir(path.join(dir, 'out'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('gates on review with --fail-on review, and on exclusions under a denying policy', async () => {
    expect(run(['scan', data, '--fail-on', 'review', '--quiet'])).toMatchObject({ code: 1, stderr: '' });
    const policy = path.join(dir, 'deny-nc.yaml');
    await writeFile(policy, 'licences:\n  deny: [CC-BY-NC-4.0]\n');
    const r = run(['scan', data, '--policy', policy]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/exclude 2/);
    expect(r.stderr).toMatch(/gate failed/);
    expect(run(['scan', data, '--policy', policy, '--fail-on', 'none']).code).toBe(0);
  });

  it('honours --include and --exclude', () => {
    expect(run(['scan', data, '--include', '**/*.txt']).stdout).toMatch(/Scanned\s+2 files/);
    expect(run(['scan', data, '--exclude', 'nc/**']).stdout).toMatch(/Scanned\s+3 files/);
  });

  it.each([
    [['scan'], /needs the folder/],
    [['scan', 'a', 'b'], /one path/],
    [["frobnicate", "x"], /unknown command "frobnicate"; commands: scan/],
    [['scan', '.', '--concurrency', 'lots'], /--concurrency must be/],
    [['scan', '.', '--fail-on', 'maybe'], /--fail-on must be/],
    [['scan', '.', '--out', 'x.json'], /must follow the --format/],
    [['scan', '.', '--format', 'jsonl', '--format', 'json'], /only one format can go to standard output/],
    [['scan', '.', '--shard', '3/3'], /--shard must be/],
    [['scan', '.', '--bogus'], /Unknown option/],
    [['scan', '.', '--no-containers', '--max-ratio', '10'], /--max-ratio has no effect with --no-containers/],
    [['scan', '.', '--max-expanded', '5X'], /--max-expanded must be a size such as 500M/],
    [['scan', '.', '--container-depth', 'two'], /--container-depth must be a whole number of at least 0/],
    [['scan', '.', '--max-members', '0'], /--max-members must be a whole number of at least 1/],
  ])('exits 2 with a message for %j', (args, message) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/clearance (scan )?--help/);
  });

  it('exits 2 with a clear message for a missing folder, an unknown format and a bad policy', async () => {
    expect(run(['scan', path.join(dir, 'nope')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot read .*nope/) });
    expect(run(['scan', data, '--format', 'pdf'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown format "pdf"; known formats: jsonl, json, summary/) });
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, 'licences:\n  allow: [Apache 2]\n');
    expect(run(['scan', data, '--policy', bad])).toMatchObject({ code: 2, stderr: expect.stringMatching(/licences\.allow\.0: not a valid SPDX expression/) });
  });

  it('loads a reporter from a module path', async () => {
    const mod = path.join(dir, 'count-reporter.mjs');
    await writeFile(mod, 'export default (out) => { let n = 0; return { onRecord() { n++; }, onEnd: () => out.write(`records: ${n}\\n`) }; };\n');
    expect(run(['scan', data, '--format', mod]).stdout).toBe('records: 5\n');
  });

  it('on SIGINT stops, writes the partial report marked interrupted, and exits 130', async () => {
    const slow = path.join(dir, 'slow');
    await mkdir(slow, { recursive: true });
    await writeFile(path.join(slow, 'a.txt'), 'a');
    // A sparse 8 GiB file takes seconds to hash: the interrupt lands while it is being read.
    await writeFile(path.join(slow, 'huge.bin'), '');
    await truncate(path.join(slow, 'huge.bin'), 8 * 1024 ** 3);
    const out = path.join(dir, 'interrupted.jsonl');
    const child = spawn(process.execPath, [bin, 'scan', slow, '--format', 'jsonl', '--out', out, '--concurrency', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // The report's temporary file appears once the CLI is loaded and the scan is starting (its
    // signal handlers are installed before that): interrupt then, however slow the machine is.
    const started = Date.now();
    while (!(await readdir(dir)).some((f) => f.startsWith('interrupted.jsonl.') && f.endsWith('.tmp'))) {
      if (Date.now() - started > 30_000) throw new Error('the scan did not start within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/scan aborted/);
    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = SummarySchema.parse(lines.at(-1)!['summary']);
    expect(summary.interrupted).toBe(true);
    expect(summary.files).toBe(lines.length - 1);
    expect(summary.files).toBeLessThan(2);
  });
});
