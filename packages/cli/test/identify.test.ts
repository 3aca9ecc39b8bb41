import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = path.resolve(import.meta.dirname, '../dist/bin.js');
/** Real licence files (the shared corpus, copied as core fixtures; sources in fixtures/SOURCES.md). */
const corpus = (name: string) => path.resolve(import.meta.dirname, '../../core/src/licence-match/fixtures/corpus', `${name}.txt`);
const run = (args: string[], input?: string) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, ...(input !== undefined ? { input } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

interface Identified {
  path: string;
  expression: string | null;
  confidence: number;
  matches: { id: string; name: string; kind: string; lines: { start: number; end: number } }[];
  reason?: string;
  closest?: { id: string; similarity: number };
  differences?: { kind: string; line: number; found?: string }[];
  error?: string;
}
const json = (stdout: string) => JSON.parse(stdout) as { spdxLicenseListVersion: string; files: Identified[] };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'clearance-identify-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('clearance identify', () => {
  it('is listed and has help', () => {
    expect(run(['--help']).stdout).toMatch(/^ {2}identify +identify the licence in licence files' text$/m);
    expect(run(['identify', '--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: clearance identify <file>\.\.\. \[options\]\n[^]*SPDX License List \d+\.\d+/) });
  });

  it('names the licence of a licence file, with its lines and confidence, and exits 0', () => {
    const r = run(['identify', corpus('case-026')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${corpus('case-026')}
  Licence:     MIT
  Confidence:  99%
  Matched:     MIT (MIT License), licence text, lines 1-21, 99%
`);
  });

  it('names no licence for a modified text, says what differs on which line, and exits 1', () => {
    const r = run(['identify', corpus('case-039')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('  Licence:     none (NOASSERTION)\n  Reason:      close to MIT but modified\n  Closest:     MIT (MIT License)');
    expect(r.stdout).toMatch(/Differences: line 12: added "for paid software you must include/);
  });

  it('prints JSON with the SPDX list version, one entry per file', () => {
    const r = run(['identify', corpus('case-053'), corpus('case-036'), corpus('case-015'), '--format', 'json']);
    expect(r.code).toBe(1);
    const out = json(r.stdout);
    expect(out.spdxLicenseListVersion).toMatch(/^\d+\.\d+/);
    expect(out.files.map((f) => f.expression)).toEqual(['GPL-2.0-only OR GPL-3.0-only', null, null]);
    expect(out.files[0]!.matches[0]).toMatchObject({ kind: 'notice', name: 'GNU General Public License v2.0 only or GNU General Public License v3.0 only' });
    expect(out.files[1]).toMatchObject({ closest: { id: 'MIT' }, differences: [expect.objectContaining({ kind: 'changed', line: 9 }), expect.objectContaining({ kind: 'changed', line: 13 })] });
    expect(out.files[2]).toMatchObject({ reason: 'no licence text Clearance knows', matches: [] });
    expect(out.files[2]!.closest).toBeUndefined();
  });

  it('identifies each file of a folder on its own (LICENSE-MIT, LICENSE-APACHE) and reads standard input', async () => {
    const mit = path.join(dir, 'LICENSE-MIT');
    const apache = path.join(dir, 'LICENSE-APACHE');
    await writeFile(mit, readFileSync(corpus('case-004')));
    await writeFile(apache, readFileSync(corpus('case-002')));
    const both = json(run(['identify', mit, apache, '-f', 'json']).stdout);
    expect(both.files.map((f) => [path.basename(f.path), f.expression])).toEqual([
      ['LICENSE-MIT', 'MIT'],
      ['LICENSE-APACHE', 'Apache-2.0'],
    ]);
    const stdin = run(['identify', '-', '--format', 'json'], readFileSync(corpus('case-100'), 'utf8'));
    expect(stdin.code).toBe(0);
    expect(json(stdin.stdout).files[0]).toMatchObject({ path: '-', expression: '0BSD' });
  });

  it('identifies a file whatever its name: a NOTICE holding a licence text is read as one', async () => {
    const notice = path.join(dir, 'NOTICE');
    await writeFile(notice, readFileSync(corpus('case-047')));
    expect(json(run(['identify', notice, '-f', 'json']).stdout).files[0]!.expression).toBe('ISC');
  });

  it('says which files could not be read, and exits 2', async () => {
    const binary = path.join(dir, 'blob.bin');
    await writeFile(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    const r = run(['identify', path.join(dir, 'missing'), dir, binary, corpus('case-026')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`clearance: ${path.join(dir, 'missing')}: no such file`);
    expect(r.stderr).toContain(`clearance: ${dir}: not a file`);
    expect(r.stdout).toMatch(/blob\.bin\n {2}Licence: {5}none \(NOASSERTION\)\n {2}Reason: {6}not text/);
    expect(r.stdout).toContain('  Licence:     MIT\n');
  });

  it('refuses a command line it cannot run', () => {
    expect(run(['identify'])).toMatchObject({ code: 2, stderr: expect.stringContaining('identify needs at least one file') });
    expect(run(['identify', 'LICENSE', '--format', 'xml'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--format must be text or json') });
    expect(run(['identify', 'LICENSE', '--bogus']).code).toBe(2);
  });
});
