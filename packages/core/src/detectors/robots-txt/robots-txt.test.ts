import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FindingSchema, type Finding } from '../../schema/finding.js';
import { runDetector } from '../../test-utils/index.js';
import { AI_AGENTS } from './ai-agents.js';
import { MAX_BYTES, robotsTxt } from './index.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name));

async function read(file: string, content: string | Uint8Array, extra = {}): Promise<Finding[]> {
  return (await runDetector(robotsTxt, file, content, extra)).map((f) => FindingSchema.parse(f));
}

/** Every finding the robots.txt's carriers mean for `path`. */
function at(findings: Finding[], path: string): Finding[] {
  return findings.flatMap((f) => {
    if (f.scope.kind !== 'subtree') return [];
    const g = robotsTxt.forPath!(f, path);
    return g ? [g] : [];
  });
}

/** The one applied finding of `code` for `path`, or undefined. */
const one = (findings: Finding[], path: string, code: string) => at(findings, path).find((f) => f.code === code);

describe('robots-txt detector', () => {
  it('reads the ai.robots.txt list: every listed training crawler is disallowed everywhere', async () => {
    const out = await read('robots.txt', fixture('ai-robots-txt.robots.txt'));
    expect(out.map((f) => f.code)).toEqual(['optout.robots.groups']);
    const f = one(out, 'any/page.html', 'optout.robots.ai-agent');
    expect(f).toMatchObject({ category: 'opt-out', value: { protocol: 'robots', reserved: 'yes', level: 'site', rule: expect.stringMatching(/^User-agent: .* and \d+ more; Disallow: \/$/) } });
    const agents = (f!.value as { agents: string[] }).agents;
    for (const t of ['GPTBot', 'CCBot', 'ClaudeBot', 'Google-Extended', 'Applebot-Extended', 'Bytespider', 'Meta-ExternalAgent', 'cohere-training-data-crawler', 'img2dataset']) expect(agents).toContain(t);
    expect(f!.evidence).toMatchObject({ path: 'robots.txt', excerpt: 'Disallow: /' });
  });

  it('applies the AIPREF attach example: longest prefix, crawlable paths only, most restrictive over groups', async () => {
    const out = await read('site/robots.txt', fixture('aipref-attach-paths.robots.txt'));
    // The robots.txt is a file of its site too, and `*` may crawl it: train-ai=n covers it.
    expect(out.map((f) => f.code).sort()).toEqual(['optout.aipref.robots', 'optout.robots.content-usage', 'optout.robots.groups']);
    expect(out.find((f) => f.code === 'optout.aipref.robots')).toMatchObject({ value: { reserved: 'yes' }, scope: { kind: 'file', root: 'site/robots.txt' } });
    // `*` says train-ai=n for /test, ExampleBot says y: the most restrictive wins.
    expect(one(out, 'site/test', 'optout.aipref.robots')).toMatchObject({
      value: { protocol: 'aipref', reserved: 'yes', training: 'disallowed', rule: 'User-agent: *; Content-Usage: train-ai=n', problems: [expect.stringMatching(/^no path/)] },
      evidence: { path: 'site/robots.txt', line: 4, excerpt: 'Content-Usage: train-ai=n' },
    });
    expect(one(out, 'site/ai-ok/test', 'optout.aipref.robots')).toMatchObject({ value: { reserved: 'no', rule: 'User-agent: *; Content-Usage: /ai-ok/ train-ai=y' } });
    // /never/ may not be crawled by `*`: no preference attaches there from it; ExampleBot's y does.
    expect(one(out, 'site/never/test', 'optout.aipref.robots')).toMatchObject({ value: { reserved: 'no', rule: 'User-agent: ExampleBot; Content-Usage: train-ai=y' } });
    // …and the blanket Disallow is reported apart, as unknown.
    expect(one(out, 'site/never/test', 'optout.robots.wildcard')).toMatchObject({ value: { protocol: 'robots', reserved: 'unknown', rule: 'User-agent: *; Disallow: /never/' } });
    expect(one(out, 'site/test', 'optout.robots.wildcard')).toBeUndefined();
    expect(at(out, 'elsewhere/test')).toEqual([]);
  });

  it('reads Content-Usage with a path (current draft) and without (older drafts), and legacy labels', async () => {
    const now = await read('robots.txt', 'User-Agent: *\nAllow: /\nContent-Usage: / train-ai=n\n');
    expect(one(now, 'a.html', 'optout.aipref.robots')).toMatchObject({ value: { reserved: 'yes' } });
    expect((one(now, 'a.html', 'optout.aipref.robots')!.value as { problems?: unknown }).problems).toBeUndefined();
    const simple = await read('robots.txt', fixture('aipref-attach-simple.robots.txt'));
    expect(one(simple, 'a.html', 'optout.aipref.robots')).toMatchObject({ value: { reserved: 'yes' } });
    for (const [pref, reserved] of [['train-genai=n', 'yes'], ['tdm=n', 'yes'], ['genai=n, search=y', 'yes'], ['search=n', null], ['ai-use=n', null], ['train-ai=y', 'no'], ['Train-AI=n', 'unknown'], ['train-ai=no', 'unknown'], ['train-ai=y, tdm=n', 'unknown'], ['train-ai=?1', 'unknown']] as const) {
      const out = await read('robots.txt', `User-agent: *\nContent-Usage: /docs/ ${pref}\n`);
      const f = one(out, 'docs/x.md', 'optout.aipref.robots');
      expect(f === undefined ? null : (f.value as { reserved: string }).reserved, pref).toBe(reserved);
      expect(one(out, 'blog/x.md', 'optout.aipref.robots')).toBeUndefined();
    }
  });

  it('tells training crawlers, other AI crawlers, the wildcard group and Content-Signal apart', async () => {
    const out = await read('robots.txt', fixture('mixed-signals.robots.txt'));
    expect(out.map((f) => f.code).sort()).toEqual(['optout.content-signal.robots', 'optout.robots.content-signal', 'optout.robots.groups', 'optout.robots.rsl-license']);
    expect(one(out, 'archive/2019/a.html', 'optout.robots.ai-agent')).toMatchObject({ value: { reserved: 'yes', agents: ['GPTBot', 'Google-Extended'], rule: 'User-agent: GPTBot, Google-Extended; Disallow: /archive/' }, evidence: { line: 10 } });
    expect(one(out, 'archive/public/b.html', 'optout.robots.ai-agent')).toMatchObject({ value: { reserved: 'no' } });
    expect(one(out, 'members/c.html', 'optout.robots.ai-agent')).toMatchObject({ value: { reserved: 'unknown', agents: ['PerplexityBot'] } });
    expect(one(out, 'admin/d.html', 'optout.robots.wildcard')).toMatchObject({ value: { reserved: 'unknown', rule: 'User-agent: *; Disallow: /admin/' } });
    expect(one(out, 'admin/d.html', 'optout.robots.ai-agent')).toBeUndefined();
    expect(one(out, 'anything.html', 'optout.content-signal.robots')).toMatchObject({ value: { protocol: 'content-signal', reserved: 'yes', rule: 'User-agent: *; Content-Signal: search=yes, ai-train=no' }, evidence: { line: 4 } });
    // The RSL pointer applies to the whole site as it is.
    const rsl = out.find((f) => f.code === 'optout.robots.rsl-license')!;
    expect(rsl).toMatchObject({ category: 'provenance', value: { url: 'https://example.org/license.xml', licensePath: 'license.xml', licenseHostChecked: false }, evidence: { line: 20 } });
    expect(robotsTxt.forPath!(rsl, 'x/y.html')).toBe(rsl);
  });

  it('follows RFC 9309: longest match, Allow wins a tie, $ anchors, groups merge, tokens are case-insensitive', async () => {
    const text = [
      'user-agent: gptbot/1.1',
      'disallow: /a',
      'allow: /a',
      'disallow: /*.pdf$',
      '',
      'User-Agent: GPTBOT',
      'Disallow: /b/',
      'Allow: /b/ok',
      '# a comment: Disallow: /c',
      'Disallow:',
    ].join('\r\n');
    const out = await read('robots.txt', text);
    const r = (p: string) => (one(out, p, 'optout.robots.ai-agent')?.value as { reserved: string } | undefined)?.reserved;
    expect(r('a/x')).toBe('no');
    expect(r('doc.pdf')).toBe('yes');
    expect(r('doc.pdf.html')).toBe('no');
    expect(r('b/x')).toBe('yes');
    expect(r('b/ok.html')).toBe('no');
    expect(r('c/x')).toBe('no');
  });

  it('says nothing without AI groups, usage rules or a disallowing * group', async () => {
    expect(await read('robots.txt', 'User-agent: Googlebot\nDisallow: /private/\n\nSitemap: /s.xml\n')).toEqual([]);
    const open = await read('robots.txt', 'User-agent: *\nAllow: /\n');
    expect(at(open, 'a.html')).toEqual([]);
    // Rules before any user-agent line bind no crawler.
    expect(at(await read('robots.txt', 'Disallow: /\nUser-agent: *\nAllow: /\n'), 'a.html')).toEqual([]);
  });

  it('reads only the first 500 KiB, cut at a line end, and says so', async () => {
    const rule = 'User-agent: GPTBot\nDisallow: /late/\n';
    const filler = '# padding line to push the rule past the limit\n'.repeat(Math.ceil(MAX_BYTES / 40));
    const bytes = new TextEncoder().encode(`User-agent: CCBot\nDisallow: /early/\n${filler}${rule}`);
    const out = await read('robots.txt', bytes, { head: bytes.subarray(0, MAX_BYTES), whole: null, size: bytes.length });
    expect(out.map((f) => f.code).sort()).toEqual(['optout.robots.groups', 'optout.robots.truncated']);
    expect(one(out, 'early/x', 'optout.robots.ai-agent')).toMatchObject({ value: { reserved: 'yes' } });
    expect(one(out, 'late/x', 'optout.robots.ai-agent')).toMatchObject({ value: { reserved: 'no' } });
  });

  it('stays bounded on hostile input', async () => {
    const started = performance.now();
    const manyGroups = Array.from({ length: 20_000 }, (_, i) => `User-agent: GPTBot\nDisallow: /${'*x'.repeat(30)}${i}$`).join('\n');
    const out = await read('robots.txt', manyGroups.slice(0, MAX_BYTES));
    expect(one(out, `${'x'.repeat(3000)}y`, 'optout.robots.ai-agent')).toMatchObject({ value: { reserved: 'no' } });
    const binary = new Uint8Array(200_000).map((_, i) => (i * 7919) % 256);
    await read('robots.txt', binary);
    await read('robots.txt', ':'.repeat(100_000) + '\n'.repeat(100_000));
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('keeps the AI crawler list as data with a source and a date for every token, in step with ai-agents.json', () => {
    const json = JSON.parse(readFileSync(path.join(import.meta.dirname, 'ai-agents.json'), 'utf8')) as unknown;
    expect(AI_AGENTS).toEqual(json);
    const tokens = AI_AGENTS.agents.map((a) => a.token.toLowerCase());
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const a of AI_AGENTS.agents) {
      expect(a.source, a.token).toMatch(/^https:\/\//);
      expect(a.asOf, a.token).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(a.token, 'a product token matches [A-Za-z_-]').toMatch(/^[A-Za-z0-9_.-]+$/);
    }
    for (const t of ['gptbot', 'ccbot', 'claudebot', 'anthropic-ai', 'google-extended', 'applebot-extended', 'bytespider', 'meta-externalagent', 'perplexitybot', 'cohere-training-data-crawler', 'img2dataset']) expect(tokens).toContain(t);
  });
});
