import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FindingSchema, type Finding } from '../../schema/finding.js';
import { runDetector } from '../../test-utils/index.js';
import { httpHeaders, sidecarTarget } from './index.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name));

async function read(file: string, content: string | Uint8Array): Promise<Finding[]> {
  return (await runDetector(httpHeaders, file, content)).map((f) => FindingSchema.parse(f));
}

/** The applied findings of a sidecar for `p`, as [code, protocol, reserved]. */
function at(findings: Finding[], p: string): [string, string, string][] {
  return findings.flatMap((f) => {
    const g = f.scope.kind === 'subtree' ? httpHeaders.forPath!(f, p) : null;
    if (!g) return [];
    const v = g.value as { protocol: string; reserved: string };
    return [[g.code, v.protocol, v.reserved] as [string, string, string]];
  });
}

describe('http-headers detector', () => {
  it('names the one file a sidecar speaks about', () => {
    expect(sidecarTarget('a/page.html.headers')).toEqual({ target: 'a/page.html', layout: 'raw' });
    expect(sidecarTarget('img.JPG.headers.json')).toEqual({ target: 'img.JPG', layout: 'json' });
    expect(sidecarTarget('a/.headers')).toBeNull();
    expect(sidecarTarget('notes.json')).toBeNull();
    expect(httpHeaders.match.names!.some((n) => typeof n === 'function' && n('page.html.headers'))).toBe(true);
    expect(httpHeaders.match.names!.some((n) => typeof n === 'function' && n('data.json'))).toBe(false);
  });

  it('reads the TDMRep spec examples, for their file only', async () => {
    const out = await read('site/photo.jpg.headers', fixture('tdmrep-spec-reserved.headers'));
    expect(out).toEqual([expect.objectContaining({ code: 'optout.sidecar.tdmrep', category: 'notice', scope: { kind: 'subtree', root: 'site' }, value: expect.objectContaining({ target: 'site/photo.jpg', status: 200 }) })]);
    expect(at(out, 'site/photo.jpg')).toEqual([['optout.tdmrep.http-header', 'tdmrep', 'yes']]);
    expect(at(out, 'site/other.jpg')).toEqual([]);
    expect(at(out, 'site/sub/photo.jpg')).toEqual([]);
    const applied = httpHeaders.forPath!(out[0]!, 'site/photo.jpg')!;
    expect(applied).toMatchObject({ category: 'opt-out', value: { level: 'file', rule: 'tdm-reservation: 1' }, evidence: { path: 'site/photo.jpg.headers', line: 4, excerpt: 'tdm-reservation: 1' } });

    const withPolicy = await read('doc.html.headers', fixture('tdmrep-spec-policy.headers'));
    expect(httpHeaders.forPath!(withPolicy[0]!, 'doc.html')).toMatchObject({ value: { reserved: 'yes', policy: 'https://provider.com/policies/policy.json' } });
  });

  it('reads the AIPREF example response and ignores its body', async () => {
    const out = await read('note.txt.headers', fixture('aipref-attach-response.headers'));
    expect(out.map((f) => f.code)).toEqual(['optout.sidecar.aipref']);
    expect(at(out, 'note.txt')).toEqual([['optout.aipref.http-header', 'aipref-header', 'yes']]);
  });

  it('reads the last response of a redirect chain, folded lines, and X-Robots-Tag for images', async () => {
    const out = await read('photo.jpg.headers', fixture('redirect-chain.headers'));
    expect(at(out, 'photo.jpg')).toEqual([
      ['optout.noai.x-robots-tag', 'noai', 'yes'],
      ['optout.aipref.http-header', 'aipref-header', 'yes'],
    ]);
    expect(httpHeaders.forPath!(out.find((f) => f.code === 'optout.sidecar.noai')!, 'photo.jpg')).toMatchObject({ value: { directives: ['noimageai'] }, evidence: { line: 7 } });
    // The same header for a page: noimageai reserves nothing, googlebot: noai is unknown.
    const page = await read('page.html.headers', fixture('redirect-chain.headers'));
    expect(at(page, 'page.html')).toEqual([
      ['optout.noai.x-robots-tag', 'noai', 'unknown'],
      ['optout.aipref.http-header', 'aipref-header', 'yes'],
    ]);
  });

  it('reads JSON sidecars: HAR-style arrays and objects, names in any case', async () => {
    const har = await read('gallery/cat.png.headers.json', fixture('har-style.headers.json'));
    expect(at(har, 'gallery/cat.png')).toEqual([
      ['optout.tdmrep.http-header', 'tdmrep', 'yes'],
      ['optout.noai.x-robots-tag', 'noai', 'yes'],
    ]);
    const obj = await read('p.html.headers.json', fixture('object-style.headers.json'));
    expect(at(obj, 'p.html')).toEqual([
      ['optout.tdmrep.http-header', 'tdmrep', 'no'],
      ['optout.aipref.http-header', 'aipref-header', 'no'],
    ]);
    // A JSON number is a value like any other once stored: 0 is read as the text "0".
    expect((httpHeaders.forPath!(obj[0]!, 'p.html')!.value as { problems?: unknown }).problems).toBeUndefined();
  });

  it.each([
    ['tdm-reservation: 2', [['optout.tdmrep.http-header', 'tdmrep', 'unknown']]],
    ['tdm-reservation: 1\ntdm-reservation: 0', [['optout.tdmrep.http-header', 'tdmrep', 'unknown']]],
    ['tdm-reservation: 1\ntdm-policy: ../policies/tdm.json', [['optout.tdmrep.http-header', 'tdmrep', 'yes']]],
    ['X-Robots-Tag: noindex, nofollow', []],
    ['X-Robots-Tag: GPTBot: noai', [['optout.noai.x-robots-tag', 'noai', 'yes']]],
    ['X-Robots-Tag: unavailable_after: 25 Jun 2030 15:00:00 PST, noml', [['optout.noai.x-robots-tag', 'noai', 'yes']]],
    ['Content-Usage: Train-AI=n', [['optout.aipref.http-header', 'aipref-header', 'unknown']]],
    ['Content-Usage: search=n', []],
  ])('%s', async (headers, expected) => {
    expect(at(await read('x.html.headers', `HTTP/1.1 200 OK\n${headers}\n`), 'x.html')).toEqual(expected);
  });

  it('resolves a relative tdm-policy against the file it describes', async () => {
    const out = await read('site/pages/x.html.headers', 'tdm-reservation: 1\ntdm-policy: ../policies/tdm.json\n');
    expect(httpHeaders.forPath!(out[0]!, 'site/pages/x.html')).toMatchObject({ value: { policy: '../policies/tdm.json', policyPath: 'site/policies/tdm.json' } });
  });

  it('reports a sidecar it cannot read, and never throws on junk', async () => {
    for (const [name, text] of [['a.txt.headers', '<html>not headers</html>'], ['a.txt.headers.json', '{"url": "x"}'], ['a.txt.headers.json', '[1,2'], ['b.txt.headers.json', '{"headers": 5}']]) {
      expect(await read(name!, text!), name).toEqual([expect.objectContaining({ code: 'optout.sidecar.invalid', severity: 'warning', scope: { kind: 'file', root: name } })]);
    }
    const deep = `{"headers": {"X-Robots-Tag": ${'['.repeat(30_000)}${']'.repeat(30_000)}}}`;
    expect(await read('d.txt.headers.json', deep)).toEqual([]);
    const big = `{"headers": {"X-Robots-Tag": "noai"}, "pad": "${'x'.repeat(70_000)}"}`;
    expect(await read('big.txt.headers.json', big)).toEqual([expect.objectContaining({ code: 'optout.sidecar.invalid', value: expect.objectContaining({ problem: 'larger than 65536 bytes' }) })]);
    const many = `HTTP/1.1 200 OK\n${'X-A: b\n'.repeat(10_000)}X-Robots-Tag: noai\n`;
    expect(await read('m.txt.headers', many)).toEqual([]);
  });
});

describe('http-headers on WARC response members (entry.http)', () => {
  const member = (headers: [string, string][], url = 'https://example.org/a/page') => ({ entry: { path: 'crawl.warc.gz#record=3', size: 10, http: { url, status: 200, headers } } });

  it('matches members with http, not other entries', () => {
    expect(httpHeaders.match.entry?.({ path: 'x#record=0', size: 1, http: { headers: [] } })).toBe(true);
    expect(httpHeaders.match.entry?.({ path: 'x#row=0', size: 1 })).toBe(false);
  });

  it('gives the member its own opt-outs, file-scoped, with a relative tdm-policy resolved against the URL', async () => {
    const f = await runDetector(httpHeaders, 'crawl.warc.gz#record=3', '<p>x</p>', member([['Content-Type', 'text/html'], ['X-Robots-Tag', 'noai'], ['tdm-reservation', '1'], ['tdm-policy', '../policy.json'], ['Content-Usage', 'train-ai=n']]));
    expect(f.map((x) => [x.code, (x.value as { reserved: string }).reserved]).sort()).toEqual([
      ['optout.aipref.http-header', 'yes'],
      ['optout.noai.x-robots-tag', 'yes'],
      ['optout.tdmrep.http-header', 'yes'],
    ]);
    for (const x of f) expect(x).toMatchObject({ category: 'opt-out', scope: { kind: 'file', root: 'crawl.warc.gz#record=3' }, value: { level: 'file' } });
    expect(f.find((x) => x.code === 'optout.tdmrep.http-header')!.value).toMatchObject({ policy: 'https://example.org/policy.json' });
  });

  it('noimageai counts for an image response only; noindex is no opt-out', async () => {
    const img = await runDetector(httpHeaders, 'crawl.warc.gz#record=3', 'x', member([['Content-Type', 'image/jpeg'], ['X-Robots-Tag', 'noimageai']]));
    expect(img.map((x) => x.code)).toEqual(['optout.noai.x-robots-tag']);
    const page = await runDetector(httpHeaders, 'crawl.warc.gz#record=3', 'x', member([['Content-Type', 'text/html'], ['X-Robots-Tag', 'noimageai, noindex']]));
    expect(page).toEqual([]);
  });
});
