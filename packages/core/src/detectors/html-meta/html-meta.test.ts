import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { htmlMeta } from './index.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name));
const page = (head: string, body = '<p>text</p>') => `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;
const reservedOf = async (head: string) => {
  const out = await runDetector(htmlMeta, 'p.html', page(head));
  return out.map((f) => [f.code, (f.value as { reserved?: string }).reserved ?? null]);
};

describe('html-meta detector', () => {
  it('reads the TDMRep spec example: reserved, with its policy', async () => {
    const out = await runDetector(htmlMeta, 'site/doc.html', fixture('tdmrep-spec.html'));
    expect(out).toEqual([
      expect.objectContaining({
        code: 'optout.tdmrep.html-meta',
        category: 'opt-out',
        value: { protocol: 'tdmrep', reserved: 'yes', level: 'file', rule: '<meta name="tdm-reservation" content="1">', policy: 'https://provider.com/policies/policy.json' },
        evidence: { path: 'site/doc.html', line: 5, column: 5, excerpt: '<meta name="tdm-reservation" content="1">' },
        scope: { kind: 'file', root: 'site/doc.html' },
      }),
    ]);
  });

  it('reads real tags in any case and order, and not those in comments, scripts, styles or the body', async () => {
    const out = await runDetector(htmlMeta, 'news/a/page.html', fixture('noai-and-traps.html'));
    expect(out.map((f) => f.code)).toEqual(['optout.tdmrep.html-meta', 'optout.noai.html-meta']);
    expect(out[0]).toMatchObject({ value: { reserved: 'yes', policy: 'tdm/policy.json', policyPath: 'news/a/tdm/policy.json' }, evidence: { line: 8 } });
    expect(out[1]).toMatchObject({ value: { protocol: 'noai', reserved: 'yes', level: 'file', directives: ['noai'] }, evidence: { line: 7 } });
  });

  it('reports noimageai as a notice about the page\'s images, not as a reservation of the page', async () => {
    const out = await runDetector(htmlMeta, 'g.html', fixture('noimageai.html'));
    expect(out).toEqual([expect.objectContaining({ code: 'optout.noai.html-meta-images', category: 'notice', value: expect.objectContaining({ directive: 'noimageai' }) })]);
  });

  it('ignores noindex and pages that only mention the words', async () => {
    expect(await runDetector(htmlMeta, 's.html', fixture('search-only.html'))).toEqual([]);
    expect(await runDetector(htmlMeta, 'plain.html', page('<title>x</title>'))).toEqual([]);
  });

  it.each([
    ['<meta name="tdm-reservation" content="0">', [['optout.tdmrep.html-meta', 'no']]],
    ['<meta name="TDM-Reservation" content=" 1 ">', [['optout.tdmrep.html-meta', 'yes']]],
    ['<meta name="tdm-reservation" content="yes">', [['optout.tdmrep.html-meta', 'unknown']]],
    ['<meta name="tdm-reservation" content="1"><meta name="tdm-reservation" content="0">', [['optout.tdmrep.html-meta', 'unknown']]],
    ['<meta name="tdm-reservation">', [['optout.tdmrep.html-meta', 'unknown']]],
    ['<meta name="tdm-policy" content="https://x/p.json">', []],
    ['<meta name="GPTBot" content="noai">', [['optout.noai.html-meta', 'yes']]],
    ['<meta name="PerplexityBot" content="noml">', [['optout.noai.html-meta', 'unknown']]],
    ['<meta name="description" content="noai art">', []],
    ['<meta name=robots content=noindex,&#32;NOAI>', [['optout.noai.html-meta', 'yes']]],
  ])('%s', async (head, expected) => {
    expect(await reservedOf(head)).toEqual(expected);
  });

  it('only looks at the first 64 KiB, and survives broken markup fast', async () => {
    const late = page(`<script>${'x'.repeat(70 * 1024)}</script><meta name="tdm-reservation" content="1">`);
    const bytes = new TextEncoder().encode(late);
    expect(await runDetector(htmlMeta, 'late.html', bytes, { head: bytes.subarray(0, 64 * 1024), whole: null })).toEqual([]);
    const started = performance.now();
    const junk = `<head>${'<meta name="tdm-reservation" content="1" '.repeat(2000)}${'<'.repeat(20_000)}`;
    const out = await runDetector(htmlMeta, 'junk.html', junk);
    expect(out.length).toBeLessThanOrEqual(1);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
