import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASET, describe as describeRun, prepare, type ExcludedLine, type ManifestLine, type PrepareResult } from './data-prep.mjs';

const CUSTOM_POLICY = fileURLToPath(new URL('./custom-policy.yaml', import.meta.url));
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Every file of the dataset, as relative POSIX paths, listed without Clearance. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

async function readJsonl<T>(file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

interface Outcome {
  result: PrepareResult;
  outDir: string;
  manifest: Map<string, ManifestLine>;
  excluded: Map<string, ExcludedLine>;
  manifestLines: number;
  excludedLines: number;
}

const tempDirs: string[] = [];

async function run(policy?: string): Promise<Outcome> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'clearance-data-prep-'));
  tempDirs.push(outDir);
  const result = await prepare({ root: DEMO_DATASET, outDir, policy });
  const manifestLines = await readJsonl<ManifestLine>(path.join(outDir, 'manifest.jsonl'));
  const excludedLines = await readJsonl<ExcludedLine>(path.join(outDir, 'excluded.jsonl'));
  return {
    result,
    outDir,
    manifest: new Map(manifestLines.map((l) => [l.path, l])),
    excluded: new Map(excludedLines.map((l) => [l.path, l])),
    manifestLines: manifestLines.length,
    excludedLines: excludedLines.length,
  };
}

const under = (folder: string) => (p: string) => p.startsWith(`${folder}/`);

afterAll(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('prepare() on the demo dataset, default policy', () => {
  let files: string[];
  let out: Outcome;

  beforeAll(async () => {
    files = await listFiles(DEMO_DATASET);
    out = await run();
  });

  it('accounts for every file exactly once, and agrees with the scan summary', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(out.manifestLines + out.excludedLines).toBe(files.length);
    expect(out.result.summary.files).toBe(files.length);
    expect(out.manifest.size + out.excluded.size).toBe(files.length);
    expect([...out.manifest.keys(), ...out.excluded.keys()].sort()).toEqual(files);
    expect(out.result.kept).toBe(out.manifestLines);
    expect(out.result.left).toBe(out.excludedLines);
    expect(out.result.summary.verdicts.allow).toBe(out.manifestLines);
    expect(out.result.summary.verdicts.review + out.result.summary.verdicts.exclude).toBe(out.excludedLines);
  });

  it('writes the sha256 of each file’s bytes', async () => {
    for (const line of [...out.manifest.values(), ...out.excluded.values()]) {
      expect(line.sha256, line.path).toBe(await sha256Of(path.join(DEMO_DATASET, line.path)));
    }
    expect(out.excluded.get('text/forum/threads-2024-03.jsonl')?.sha256).toBe(EMPTY_SHA256);
  });

  it('keeps files whose SPDX tag names an allowed licence, with that licence', () => {
    const tagged: Record<string, string> = {
      'code/python/dedupe.py': 'MIT',
      'code/c/ringbuf.c': 'MIT',
      'code/c/ringbuf.h': 'MIT',
      'code/js/normalize-station.js': 'MIT OR Apache-2.0',
      'code/python/tokenize_utils.py': 'Apache-2.0',
      'code/web/tide-viewer.html': 'Apache-2.0',
      'code/sql/landings-schema.sql': 'BSD-2-Clause',
    };
    for (const [file, licence] of Object.entries(tagged)) {
      expect(out.manifest.get(file), file).toMatchObject({ path: file, licence });
    }
  });

  it('sends an invalid SPDX tag and an unlisted licence to review, not to the manifest', () => {
    const invalid = out.excluded.get('code/shell/fetch-gauge-archive.sh');
    expect(invalid).toMatchObject({ decision: 'review', licence: 'NOASSERTION' });
    expect(invalid?.reasons.map((r) => r.code)).toContain('licence.unknown');
    for (const file of ['code/gpl-tools/wordfreq.c', 'code/gpl-tools/Makefile']) {
      const line = out.excluded.get(file);
      expect(line, file).toMatchObject({ decision: 'review', licence: 'GPL-3.0-or-later' });
      expect(line?.reasons.map((r) => r.code)).toEqual(['licence.unlisted']);
    }
  });

  it('does not allow the CC BY-NC museum scans: their own card wins over the top-level card', () => {
    const museum = files.filter(under('images/museum-scans'));
    expect(museum.length).toBeGreaterThanOrEqual(5);
    for (const file of museum) {
      expect(out.manifest.has(file), file).toBe(false);
      const line = out.excluded.get(file);
      expect(line, file).toMatchObject({ decision: 'review', licence: 'CC-BY-NC-4.0' });
      expect(line?.reasons.map((r) => r.code)).toEqual(['licence.unlisted']);
    }
  });

  it('sends the CC BY-SA forum (unlisted by default) to review, the empty export included', () => {
    for (const file of files.filter(under('text/forum'))) {
      expect(out.excluded.get(file), file).toMatchObject({ decision: 'review', licence: 'CC-BY-SA-4.0' });
    }
  });

  it('keeps the contributed photos under the dataset card’s CC-BY-4.0', () => {
    const photos = files.filter(under('images/photos'));
    expect(photos.length).toBe(7);
    for (const file of photos.filter((p) => p !== 'images/photos/tide-gauge.jpg')) {
      expect(out.manifest.get(file), file).toMatchObject({ licence: 'CC-BY-4.0' });
    }
  });

  it('never gives the MIT wiki articles another licence than MIT', () => {
    // The LICENSE file there holds the MIT text. Until a detector identifies licence texts, the articles
    // are NOASSERTION and wait for review; once one does, they are kept as MIT. Either way, the top-level
    // card's CC-BY-4.0 must not leak past the nearer LICENSE file.
    const articles = files.filter((p) => under('text/wiki-like')(p) && p !== 'text/wiki-like/LICENSE');
    expect(articles.length).toBe(5);
    for (const file of articles) {
      const kept = out.manifest.get(file);
      if (kept) expect(kept.licence, file).toBe('MIT');
      else {
        const line = out.excluded.get(file);
        expect(line, file).toMatchObject({ decision: 'review', licence: 'NOASSERTION' });
        expect(line?.reasons.map((r) => r.code)).toEqual(['licence.unknown']);
      }
    }
  });

  it('gives, for every file left out, at least one reason that is not "allow"', () => {
    for (const line of out.excluded.values()) {
      expect(line.reasons.length, line.path).toBeGreaterThan(0);
      for (const r of line.reasons) expect(r.decision, line.path).not.toBe('allow');
    }
  });

  it('leaves no temporary files and writes the scan summary beside the manifest', async () => {
    expect((await readdir(out.outDir)).sort()).toEqual(['excluded.jsonl', 'manifest.jsonl', 'scan-summary.json']);
    const summary = JSON.parse(await readFile(path.join(out.outDir, 'scan-summary.json'), 'utf8')) as { files: number; policy: { origin: string } };
    expect(summary.files).toBe(files.length);
    expect(summary.policy.origin).toBe('built-in default');
  });

  it('describes the run in one paragraph', () => {
    const text = describeRun(out.result);
    expect(text).not.toContain('\n');
    expect(text).toContain(`Scanned ${files.length} files`);
    expect(text).toContain(`Kept ${out.manifestLines} files`);
  });

  it('excludes news/articles/* (TDMRep rule in news/.well-known/tdmrep.json), and only them', () => {
    const articles = files.filter(under('news/articles'));
    expect(articles.length).toBe(3);
    for (const file of articles) {
      expect(out.manifest.has(file), file).toBe(false);
      const line = out.excluded.get(file);
      expect(line, file).toMatchObject({ decision: 'exclude' });
      const reason = line?.reasons.find((r) => r.code === 'optout.reserved');
      expect(reason?.message, file).toBe('tdmrep reserves text and data mining (news/.well-known/tdmrep.json, location /articles/*)');
    }
    // The press release falls under the rule "tdm-reservation": 0, the front page under no rule: neither is reserved.
    for (const file of ['news/press-releases/2024-06-01-regatta.html', 'news/index.html']) {
      expect(out.excluded.get(file)?.reasons.map((r) => r.code) ?? [], file).not.toContain('optout.reserved');
    }
  });

  it('excludes news/opinion/2024-05-30-letters.html (<meta name="tdm-reservation" content="1">)', () => {
    const line = out.excluded.get('news/opinion/2024-05-30-letters.html');
    expect(line).toMatchObject({ decision: 'exclude' });
    expect(line?.reasons.filter((r) => r.code === 'optout.reserved').map((r) => r.message)).toEqual(['tdmrep reserves text and data mining (news/opinion/2024-05-30-letters.html, <meta name="tdm-reservation" content="1">)']);
  });

  it('excludes web-crawl/** (robots.txt Content-Usage: train-ai=n, GPTBot and CCBot turned away, noai pages)', () => {
    const crawled = files.filter(under('web-crawl'));
    expect(crawled.length).toBe(6);
    const aipref = 'aipref reserves text and data mining (web-crawl/robots.txt, User-agent: *; Content-Usage: train-ai=n)';
    const robots = 'robots reserves text and data mining (web-crawl/robots.txt, User-agent: GPTBot, CCBot; Disallow: /)';
    for (const file of crawled) {
      expect(out.manifest.has(file), file).toBe(false);
      const line = out.excluded.get(file);
      expect(line, file).toMatchObject({ decision: 'exclude' });
      const reserved = line?.reasons.filter((r) => r.code === 'optout.reserved').map((r) => r.message) ?? [];
      expect(reserved, file).toContain(aipref);
      // robots.txt is always open to crawlers (RFC 9309), so only its Content-Usage rule covers it.
      if (file === 'web-crawl/robots.txt') expect(reserved, file).toEqual([aipref]);
      else expect(reserved, file).toContain(robots);
    }
    expect(out.excluded.get('web-crawl/walks/river-kel-loop.html')?.reasons.map((r) => r.message)).toContain(
      'noai reserves text and data mining (web-crawl/walks/river-kel-loop.html, <meta name="robots" content="index, follow, noai, noimageai">)',
    );
  });
});

describe('prepare() with examples/custom-policy.yaml', () => {
  let out: Outcome;

  beforeAll(async () => {
    out = await run(CUSTOM_POLICY);
  });

  it('excludes the denied CC BY-NC scans and keeps the allowed CC BY-SA forum', () => {
    for (const [file, line] of out.excluded) {
      if (!under('images/museum-scans')(file)) continue;
      expect(line, file).toMatchObject({ decision: 'exclude', licence: 'CC-BY-NC-4.0' });
      expect(line.reasons.map((r) => r.code)).toEqual(['licence.denied']);
    }
    expect([...out.manifest.keys()].filter(under('images/museum-scans'))).toEqual([]);
    expect(out.manifest.get('text/forum/threads-2024-01.jsonl')).toMatchObject({ licence: 'CC-BY-SA-4.0' });
    expect(out.result.summary.policy.origin).toBe(CUSTOM_POLICY);
  });

  it('still sends the unlisted GPL code to review', () => {
    expect(out.excluded.get('code/gpl-tools/wordfreq.c')).toMatchObject({ decision: 'review', licence: 'GPL-3.0-or-later' });
  });
});

describe('prepare() writes atomically', () => {
  it('leaves the previous outputs untouched, and no temporary files, when the scan fails', async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), 'clearance-data-prep-'));
    tempDirs.push(outDir);
    await writeFile(path.join(outDir, 'manifest.jsonl'), 'previous\n');
    await expect(prepare({ root: path.join(outDir, 'no-such-dataset'), outDir })).rejects.toMatchObject({ code: 'ERR_SOURCE_ROOT' });
    await expect(prepare({ root: DEMO_DATASET, outDir, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(await readdir(outDir)).toEqual(['manifest.jsonl']);
    expect(await readFile(path.join(outDir, 'manifest.jsonl'), 'utf8')).toBe('previous\n');
  });
});
