import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordSchema, type ScanRecord } from '@clearance/core';

const bin = path.resolve(import.meta.dirname, '../dist/bin.js');
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const records = (stdout: string): ScanRecord[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((x) => x['summary'] === undefined)
    .map((x) => RecordSchema.parse(x));

let dir: string;
let data: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'clearance-cli-containers-'));
  data = path.join(dir, 'data');
  // A WebDataset shard made by GNU tar from a folder of samples: key.txt + key.json sidecar.
  const samples = path.join(dir, 'samples');
  await mkdir(samples, { recursive: true });
  await writeFile(path.join(samples, '0001.txt'), 'a caption\n');
  await writeFile(path.join(samples, '0001.json'), JSON.stringify({ url: 'https://example.org/1.jpg', license: 'CC-BY-4.0' }));
  await writeFile(path.join(samples, '0002.txt'), 'another caption\n');
  await writeFile(path.join(samples, '0002.json'), JSON.stringify({ url: 'https://example.org/2.jpg', license: 'see website' }));
  await mkdir(data, { recursive: true });
  const tar = spawnSync('tar', ['-cf', path.join(data, 'shard-000.tar'), '0001.txt', '0001.json', '0002.txt', '0002.json'], { cwd: samples });
  expect(tar.status).toBe(0);
  // JSON Lines rows whose licence sits in a field the default map does not know.
  await writeFile(path.join(data, 'rows.jsonl'), `${JSON.stringify({ text: 'first row', meta: { rights: 'MIT' } })}\n${JSON.stringify({ text: 'second row', meta: { rights: 'Apache-2.0' } })}\n`);
  await writeFile(path.join(dir, 'fields.yaml'), 'fields:\n  meta.rights: licence\n');
  await writeFile(path.join(dir, 'bad-fields.yaml'), 'fields:\n  meta.rights: licenze\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('clearance scan: containers', () => {
  it('gives members and rows their own records, with licences from WebDataset sidecars', () => {
    const r = run(['scan', data, '--format', 'jsonl', '--fail-on', 'none']);
    expect(r.code, r.stderr).toBe(0);
    const by = new Map(records(r.stdout).map((x) => [x.path, x]));
    expect([...by.keys()].sort()).toEqual([
      'rows.jsonl',
      'rows.jsonl#row=0',
      'rows.jsonl#row=1',
      'shard-000.tar',
      'shard-000.tar#0001.json',
      'shard-000.tar#0001.txt',
      'shard-000.tar#0002.json',
      'shard-000.tar#0002.txt',
    ]);
    expect(by.get('shard-000.tar#0001.txt')!.licence.expression).toBe('CC-BY-4.0');
    expect(by.get('shard-000.tar#0001.txt')!.container).toEqual({ path: 'shard-000.tar', kind: 'tar', depth: 1 });
    // "see website" is a licence statement of unknown meaning: review, never a guess.
    expect(by.get('shard-000.tar#0002.txt')!.licence.expression).toBe('NOASSERTION');
    expect(by.get('shard-000.tar#0002.txt')!.verdict.decision).toBe('review');
    expect(by.get('shard-000.tar')!.contents).toEqual({ kind: 'tar', members: 4, rows: false, complete: true });
    expect(by.get('rows.jsonl')!.contents).toEqual({ kind: 'jsonl', members: 2, rows: true, complete: true });
    expect(by.get('rows.jsonl#row=0')!.licence.expression).toBe('NOASSERTION');
  });

  it('reads licences from the fields a --field-map names', () => {
    const r = run(['scan', data, '--format', 'jsonl', '--fail-on', 'none', '--field-map', path.join(dir, 'fields.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    const by = new Map(records(r.stdout).map((x) => [x.path, x]));
    expect(by.get('rows.jsonl#row=0')!.licence.expression).toBe('MIT');
    expect(by.get('rows.jsonl#row=1')!.licence.expression).toBe('Apache-2.0');
    // The defaults stay: the sidecar's licence is still read.
    expect(by.get('shard-000.tar#0001.txt')!.licence.expression).toBe('CC-BY-4.0');
  });

  it('treats containers as plain files with --no-containers, and summarises what it opened', () => {
    const plain = run(['scan', data, '--format', 'jsonl', '--fail-on', 'none', '--no-containers']);
    expect(records(plain.stdout).map((x) => x.path).sort()).toEqual(['rows.jsonl', 'shard-000.tar']);
    const summary = run(['scan', data, '--fail-on', 'none']);
    expect(summary.stdout).toMatch(/Containers\s+2 containers opened · 4 members · 2 rows/);
  });

  it('exits 2 with the field path for a field map that does not validate, and for a missing one', () => {
    const bad = run(['scan', data, '--field-map', path.join(dir, 'bad-fields.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/meta\.rights/);
    const missing = run(['scan', data, '--field-map', path.join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read field map/);
  });
});
