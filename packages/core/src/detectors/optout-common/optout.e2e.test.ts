import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../schema/record.js';
import { makeTree, scanTree } from '../../test-utils/index.js';

/**
 * A small crawl of three sites, each stating its opt-outs differently, scanned by the engine with
 * every built-in detector and the default policy (every reservation excludes; unknown → review).
 */
const tree: Record<string, string | Uint8Array> = {
  'README.md': '---\nlicense: cc-by-4.0\n---\n# Crawl\n',
  // News site: TDMRep file, with a header sidecar and page metadata that supersede it.
  'sites/news.example/.well-known/tdmrep.json': JSON.stringify([
    { location: '/articles/*', 'tdm-reservation': 1, 'tdm-policy': '/.well-known/tdm-policy.json' },
    { location: '/press/*', 'tdm-reservation': 0 },
  ]),
  'sites/news.example/.well-known/tdm-policy.json': JSON.stringify({
    '@context': ['http://www.w3.org/ns/odrl.jsonld', { tdm: 'http://www.w3.org/ns/tdmrep#' }],
    '@type': 'Offer',
    profile: 'http://www.w3.org/ns/tdmrep',
    uid: 'https://news.example/policies/1',
    permission: [{ action: 'tdm:mine', duty: [{ action: 'obtainConsent' }] }],
  }),
  'sites/news.example/index.html': '<!doctype html><html><head><title>News</title></head><body></body></html>',
  'sites/news.example/articles/a.html': '<!doctype html><html><head><title>A</title></head><body>a</body></html>',
  'sites/news.example/articles/b.html': '<!doctype html><html><head><meta name="tdm-reservation" content="0"></head><body>b</body></html>',
  'sites/news.example/press/p.html': '<!doctype html><html><head><title>P</title></head><body>p</body></html>',
  'sites/news.example/press/q.html': '<!doctype html><html><head><title>Q</title></head><body>q</body></html>',
  'sites/news.example/press/q.html.headers': 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\ntdm-reservation: 1\r\n\r\n',
  'sites/news.example/opinion/o.html': '<!doctype html><html><head><meta name="tdm-reservation" content="1"></head><body>o</body></html>',
  // An EPUB 3 made with zip(1) whose package document says tdm:reservation 1, under the press rule (0).
  'sites/news.example/press/book.epub': readFileSync(path.join(import.meta.dirname, '../tdmrep-epub/fixtures/epub3-reserved.epub')),
  // Blog: robots.txt with an AI crawler group, a blanket Disallow and an AIPREF rule; a noai sidecar.
  'sites/blog.example/robots.txt': 'User-agent: GPTBot\nDisallow: /private/\n\nUser-agent: *\nAllow: /\nDisallow: /old/\nContent-Usage: /drafts/ train-ai=n\n',
  'sites/blog.example/private/x.html': '<p>x</p>',
  'sites/blog.example/drafts/d.md': '# draft\n',
  'sites/blog.example/public/p.md': '# public\n',
  'sites/blog.example/old/o.md': '# old\n',
  'sites/blog.example/img/cat.jpg': new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]),
  'sites/blog.example/img/cat.jpg.headers.json': JSON.stringify({ headers: { 'X-Robots-Tag': 'noai' } }),
  'sites/blog.example/img/dog.jpg': new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]),
  // Art site: Spawning ai.txt by file type.
  'sites/art.example/ai.txt': 'User-Agent: *\nDisallow: *.png\n',
  'sites/art.example/a.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]),
  'sites/art.example/notes.txt': 'notes\n',
};

let root: string;
let cleanup: () => Promise<void>;
let records: Map<string, ScanRecord>;

beforeAll(async () => {
  ({ root, cleanup } = await makeTree(tree));
  ({ records } = await scanTree(root));
});
afterAll(() => cleanup());

const rec = (p: string) => {
  const r = records.get(p);
  if (!r) throw new Error(`no record for ${p}`);
  return r;
};
/** [protocol, reserved, code] of the opt-outs in force on a file, sorted. */
const optOuts = (p: string) =>
  rec(p)
    .optOuts.map((o) => [o.protocol, o.reserved, o.code])
    .sort((a, b) => a.join().localeCompare(b.join()));

describe('opt-outs end to end (scanTree, default policy)', () => {
  it('applies TDMRep site rules per location, and lets headers and page metadata supersede them', () => {
    expect(optOuts('sites/news.example/articles/a.html')).toEqual([['tdmrep', 'yes', 'optout.tdmrep.location']]);
    expect(rec('sites/news.example/articles/a.html').optOuts[0]).toMatchObject({ level: 'site', rule: 'location /articles/*', evidence: { path: 'sites/news.example/.well-known/tdmrep.json', line: 1 } });
    expect(rec('sites/news.example/articles/a.html').verdict.decision).toBe('exclude');

    // The page's own tdm-reservation 0 supersedes the site rule's 1; the site rule stays, shadowed.
    expect(optOuts('sites/news.example/articles/b.html')).toEqual([['tdmrep', 'no', 'optout.tdmrep.html-meta']]);
    expect(rec('sites/news.example/articles/b.html').findings.find((f) => f.code === 'optout.tdmrep.location')).toMatchObject({ shadowed: true, inherited: true });
    expect(rec('sites/news.example/articles/b.html').verdict.decision).toBe('allow');

    expect(optOuts('sites/news.example/press/p.html')).toEqual([['tdmrep', 'no', 'optout.tdmrep.location']]);
    expect(rec('sites/news.example/press/p.html').verdict.decision).toBe('allow');

    // The stored header of q.html supersedes the site rule (0) for q.html only.
    expect(optOuts('sites/news.example/press/q.html')).toEqual([['tdmrep', 'yes', 'optout.tdmrep.http-header']]);
    expect(rec('sites/news.example/press/q.html').verdict.decision).toBe('exclude');

    expect(optOuts('sites/news.example/opinion/o.html')).toEqual([['tdmrep', 'yes', 'optout.tdmrep.html-meta']]);
    expect(optOuts('sites/news.example/press/book.epub')).toEqual([['tdmrep', 'yes', 'optout.tdmrep.epub']]);
    expect(rec('sites/news.example/press/book.epub').verdict.decision).toBe('exclude');
    expect(rec('sites/news.example/opinion/o.html').verdict.decision).toBe('exclude');

    // No rule matches: unset, so nothing from TDMRep.
    expect(optOuts('sites/news.example/index.html')).toEqual([]);
    expect(rec('sites/news.example/index.html').verdict.decision).toBe('allow');
  });

  it('names the TDM policy of a reservation, and reads the policy where it lies', () => {
    expect(rec('sites/news.example/articles/a.html').findings.find((f) => f.code === 'optout.tdmrep.location')?.value).toMatchObject({ policyPath: 'sites/news.example/.well-known/tdm-policy.json' });
    expect(rec('sites/news.example/.well-known/tdm-policy.json').findings).toContainEqual(
      expect.objectContaining({ code: 'optout.tdmrep.policy', value: expect.objectContaining({ permissions: [{ action: ['tdm:mine'], duties: ['obtainConsent'] }] }) }),
    );
  });

  it('applies robots.txt: AI crawler groups, the * group apart, and AIPREF Content-Usage', () => {
    expect(optOuts('sites/blog.example/private/x.html')).toEqual([['robots', 'yes', 'optout.robots.ai-agent']]);
    expect(rec('sites/blog.example/private/x.html').verdict).toMatchObject({ decision: 'exclude', reasons: expect.arrayContaining([expect.objectContaining({ code: 'optout.reserved', message: expect.stringContaining('User-agent: GPTBot; Disallow: /private/') })]) });

    expect(optOuts('sites/blog.example/drafts/d.md')).toEqual([
      ['aipref', 'yes', 'optout.aipref.robots'],
      ['robots', 'no', 'optout.robots.ai-agent'],
    ]);
    expect(rec('sites/blog.example/drafts/d.md').verdict.decision).toBe('exclude');

    expect(optOuts('sites/blog.example/public/p.md')).toEqual([['robots', 'no', 'optout.robots.ai-agent']]);
    expect(rec('sites/blog.example/public/p.md').verdict.decision).toBe('allow');

    // A blanket Disallow is not about AI: reserved unknown, so review by default, not exclude.
    expect(optOuts('sites/blog.example/old/o.md')).toEqual([['robots', 'unknown', 'optout.robots.wildcard']]);
    expect(rec('sites/blog.example/old/o.md').verdict).toMatchObject({ decision: 'review', reasons: expect.arrayContaining([expect.objectContaining({ code: 'optout.unknown' })]) });
  });

  it('applies a header sidecar to its one file, and ai.txt by file type', () => {
    expect(optOuts('sites/blog.example/img/cat.jpg')).toEqual([
      ['noai', 'yes', 'optout.noai.x-robots-tag'],
      ['robots', 'no', 'optout.robots.ai-agent'],
    ]);
    expect(rec('sites/blog.example/img/cat.jpg').verdict.decision).toBe('exclude');
    expect(optOuts('sites/blog.example/img/dog.jpg')).toEqual([['robots', 'no', 'optout.robots.ai-agent']]);
    expect(rec('sites/blog.example/img/dog.jpg').verdict.decision).toBe('allow');

    expect(optOuts('sites/art.example/a.png')).toEqual([['ai-txt', 'yes', 'optout.ai-txt.path']]);
    expect(rec('sites/art.example/a.png').verdict.decision).toBe('exclude');
    expect(optOuts('sites/art.example/notes.txt')).toEqual([]);
  });

  it('gives a marker only what its rules say about its own path (here nothing), and carries the rules as notices', () => {
    for (const p of ['sites/news.example/.well-known/tdmrep.json', 'sites/blog.example/robots.txt', 'sites/blog.example/img/cat.jpg.headers.json', 'sites/news.example/press/q.html.headers', 'sites/art.example/ai.txt']) {
      expect(rec(p).optOuts.filter((o) => o.evidence.path === p), p).toEqual([]);
      expect(rec(p).marker, p).toBe(true);
      expect(rec(p).findings.some((f) => f.category === 'notice' && f.code.startsWith('optout.')), p).toBe(true);
    }
  });
});
