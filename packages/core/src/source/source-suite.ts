/**
 * The shared Source test suite: one set of tests that every Source must pass, run over the local
 * filesystem (local-suite.test.ts) and over S3 (packages/storage-s3). For tests only: it is not
 * exported from the package; import it by relative path.
 *
 * The suite takes vitest's functions and the engine as arguments rather than importing them, so that
 * a Source built against `@clearance/core`'s dist is scanned by that same engine: the engine tells a
 * {@link SourceError} by its class, and a class from src is not the class from dist.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as Vitest from 'vitest';
import type { scan as scanFn } from '../engine/scan.js';
import type { Detector } from '../engine/detector.js';
import type { localSource as localSourceFn } from './local.js';
import type { Entry, Source } from './types.js';

/** A location holding the files of one test, in the store under test. */
export interface SuiteLocation {
  /** A source over the location. `pageSize` asks for small listing pages (ignored where there are none). */
  source(options?: { include?: string[]; exclude?: string[]; pageSize?: number }): Source;
  /** Deletes one file, as another process would between listing and reading. */
  remove(relPath: string): Promise<void>;
  /** Writes one file (new content: a new ETag, size or mtime), as another process would. */
  write(relPath: string, bytes: Uint8Array): Promise<void>;
  dispose(): Promise<void>;
}

/** How the suite reaches one kind of store. */
export interface SourceSuiteHarness {
  /** Shown in the test names: `local`, `s3 (radosgw)`. */
  name: string;
  /** Stores `files` (relative POSIX path → bytes) at a fresh location. */
  create(files: Map<string, Uint8Array>): Promise<SuiteLocation>;
}

/** The engine the suite scans with; pass the build the source under test was built against. */
export interface SuiteEngine {
  scan: typeof scanFn;
  localSource: typeof localSourceFn;
  builtinDetectors: readonly Detector[];
}

type VitestApi = Pick<typeof Vitest, 'describe' | 'it' | 'expect' | 'beforeAll' | 'afterAll'>;

/** examples/demo-dataset, relative to this file (src and dist alike are two levels below the package). */
export const DEMO_DATASET = path.resolve(import.meta.dirname, '../../../../examples/demo-dataset');

/** Every file below `root`, relative path → bytes. */
export function readTree(root: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const rel of fs.readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    const abs = path.join(root, rel);
    if (fs.statSync(abs).isFile()) out.set(rel.split(path.sep).join('/'), fs.readFileSync(abs));
  }
  return out;
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

async function listAll(source: Source): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const e of source.list()) out.push(e);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function streamAll(source: Source, entry: Entry): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of source.stream(entry)) parts.push(Uint8Array.from(chunk));
  return Buffer.concat(parts);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

/** The fields of a record that must not depend on the store. */
function essence(r: { path: string; size: number; sha256: string | null; mediaType: string | null; licence: unknown; verdict: unknown; optOuts: unknown; tpm: unknown; errors: unknown }) {
  return { path: r.path, size: r.size, sha256: r.sha256, mediaType: r.mediaType, licence: r.licence, verdict: r.verdict, optOuts: r.optOuts, tpm: r.tpm, errors: r.errors };
}

/**
 * Defines the suite's tests for one store.
 *
 * ```ts
 * import * as vitest from 'vitest';
 * sourceSuite(vitest, { scan, localSource, builtinDetectors }, localHarness);
 * ```
 */
export function sourceSuite(t: VitestApi, engine: SuiteEngine, harness: SourceSuiteHarness): void {
  const { describe, it, expect, afterAll } = t;
  const open: SuiteLocation[] = [];
  const create = async (files: Map<string, Uint8Array>) => {
    const loc = await harness.create(files);
    open.push(loc);
    return loc;
  };
  afterAll(async () => {
    for (const loc of open.splice(0)) await loc.dispose();
  });

  const scanAll = async (source: Source, hash = true) => {
    const out = [];
    for await (const r of engine.scan({ source, detectors: engine.builtinDetectors, hash })) out.push(r);
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  };

  describe(`Source suite: ${harness.name}`, () => {
    it('gives the same records as a local scan for the demo dataset (path, size, sha256, media type, licence, opt-outs, TPM, verdict)', async () => {
      const files = readTree(DEMO_DATASET);
      expect(files.size).toBeGreaterThan(10);
      const loc = await create(files);
      const expected = (await scanAll(engine.localSource({ root: DEMO_DATASET }))).map(essence);
      const got = (await scanAll(loc.source())).map(essence);
      expect(got).toEqual(expected);
      // Not vacuous: the dataset has licences, opt-outs and verdicts of every kind.
      expect(new Set(got.map((r) => (r.verdict as { decision: string }).decision))).toEqual(new Set(['allow', 'review', 'exclude']));
      // Without hashing too, where most files are read only in part.
      const partial = (await scanAll(loc.source(), false)).map(essence);
      expect(partial).toEqual((await scanAll(engine.localSource({ root: DEMO_DATASET }), false)).map(essence));
    });

    it('lists relative paths with sizes, dot files included, and filters with include/exclude globs as localSource does', async () => {
      const loc = await create(
        new Map([
          ['a.txt', enc('hello')],
          ['.hidden', enc('1')],
          ['sub/deeper/b.md', enc('xy')],
          ['sub/.env', enc('K=V')],
          ['sub/c.txt', enc('')],
        ]),
      );
      const entries = await listAll(loc.source());
      expect(entries.map((e) => [e.path, e.size])).toEqual([
        ['.hidden', 1],
        ['a.txt', 5],
        ['sub/.env', 3],
        ['sub/c.txt', 0],
        ['sub/deeper/b.md', 2],
      ]);
      for (const e of entries) expect(e.error).toBeUndefined();
      expect((await listAll(loc.source({ include: ['**/*.txt'] }))).map((e) => e.path)).toEqual(['a.txt', 'sub/c.txt']);
      expect((await listAll(loc.source({ exclude: ['sub/**'] }))).map((e) => e.path)).toEqual(['.hidden', 'a.txt']);
      expect((await listAll(loc.source({ include: ['**', '!**/.*'] }))).map((e) => e.path)).toEqual(['a.txt', 'sub/c.txt', 'sub/deeper/b.md']);
    });

    it('reads byte ranges: fewer bytes at the end, none past it, an empty entry as nothing; streams the whole', async () => {
      const body = Buffer.alloc(300_000);
      for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 8)) & 0xff;
      const loc = await create(new Map([['big.bin', body], ['empty.txt', new Uint8Array(0)]]));
      const source = loc.source();
      const entries = await listAll(source);
      const big = entries.find((e) => e.path === 'big.bin')!;
      const empty = entries.find((e) => e.path === 'empty.txt')!;
      expect(big.size).toBe(body.length);
      expect(Buffer.from(await source.read(big, { start: 0, end: 16 }))).toEqual(body.subarray(0, 16));
      expect(Buffer.from(await source.read(big, { start: 1000, end: 70_000 }))).toEqual(body.subarray(1000, 70_000));
      expect(Buffer.from(await source.read(big, { start: body.length - 5, end: body.length + 1 }))).toEqual(body.subarray(body.length - 5));
      expect((await source.read(big, { start: body.length, end: body.length + 1 })).length).toBe(0);
      expect((await source.read(big, { start: body.length + 10, end: body.length + 20 })).length).toBe(0);
      expect((await source.read(empty, { start: 0, end: 1 })).length).toBe(0);
      expect(sha256(await streamAll(source, big))).toBe(sha256(body));
      expect((await streamAll(source, empty)).length).toBe(0);
      const records = await scanAll(source);
      expect(records.map((r) => [r.path, r.sha256, r.errors])).toEqual([
        ['big.bin', sha256(body), []],
        ['empty.txt', sha256(new Uint8Array(0)), []],
      ]);
    });

    it('lists more than 1000 entries across many pages, each once', async () => {
      const files = new Map<string, Uint8Array>();
      for (let i = 0; i < 1001; i++) files.set(`many/${String(i).padStart(4, '0')}.txt`, enc(`file ${i}\n`));
      const loc = await create(files);
      const entries = await listAll(loc.source({ pageSize: 97 }));
      expect(entries.length).toBe(1001);
      expect(new Set(entries.map((e) => e.path)).size).toBe(1001);
      expect(entries[1000]).toMatchObject({ path: 'many/1000.txt', size: 10 });
      const records = await scanAll(loc.source({ pageSize: 97 }), true);
      expect(records.length).toBe(1001);
      expect(records[7]!.sha256).toBe(sha256(enc('file 7\n')));
    });

    it('turns an entry deleted after listing into ERR_ENTRY_VANISHED, for reads, streams and records', async () => {
      const loc = await create(new Map([['gone.txt', enc('soon gone')], ['stays.txt', enc('still here')]]));
      const source = loc.source();
      const entries = await listAll(source);
      await loc.remove('gone.txt');
      const gone = entries.find((e) => e.path === 'gone.txt')!;
      expect(await codeOf(source.read(gone, { start: 0, end: 4 }))).toBe('ERR_ENTRY_VANISHED');
      expect(await codeOf(streamAll(source, gone))).toBe('ERR_ENTRY_VANISHED');
      expect(Buffer.from(await source.read(entries.find((e) => e.path === 'stays.txt')!, { start: 0, end: 5 })).toString()).toBe('still');
    });

    it('refuses an entry rewritten after listing with ERR_CHANGED_DURING_READ', async () => {
      const loc = await create(new Map([['doc.txt', enc('version one')]]));
      const source = loc.source();
      const [entry] = await listAll(source);
      // A different size as well as different bytes: a local file's mtime may not move within a millisecond.
      await loc.write('doc.txt', enc('version two, longer'));
      expect(await codeOf(source.read(entry!, { start: 0, end: 7 }))).toBe('ERR_CHANGED_DURING_READ');
      expect(await codeOf(streamAll(source, entry!))).toBe('ERR_CHANGED_DURING_READ');
    });
  });
}
