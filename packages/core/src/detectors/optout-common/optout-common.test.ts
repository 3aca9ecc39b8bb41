import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUsagePreferences, reservedOf } from './aipref.js';
import { aiDirectivesOf, parseXRobotsTag } from './directives.js';
import { canonicalPath, compilePattern, sitePath } from './path-pattern.js';
import { policyLocation, relativePolicyPath } from './policy-url.js';
import { groupsFor, parseRobots, productToken } from './robots-syntax.js';
import { readReservation } from './tdm-values.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8').trim();
const matches = (pattern: string, p: string) => compilePattern(pattern)!.matches(canonicalPath(p));

describe('path patterns (RFC 9309 §2.2.2)', () => {
  it.each([
    ['/', '/anything', true],
    ['/fish', '/fish.html', true],
    ['/fish', '/Fish.html', false],
    ['/fish/', '/fish', false],
    ['/*.php', '/folder/filename.php?parameters', true],
    ['/*.php$', '/filename.php/', false],
    ['/*.php$', '/filename.php', true],
    ['/fish*.php', '/fishheads/catfish.php?parameters', true],
    ['/fish*.php', '/Fish.PHP', false],
    ['*.gif', '/a/b.gif', true],
    ['fish', '/fish', true],
    ['/a%3cd', '/a<d', true],
    ['/a%3Cd', '/a%3cd', true],
    ['/%7Ejoe', '/~joe/x', true],
    ['/foo/bar?baz=quz', '/foo/bar?baz=quz', true],
    ['/path/foo-%24', '/path/foo-$', true],
    ['/ä', '/%C3%A4', true],
    ['/**/x$', '/a/b/x', true],
  ])('%s against %s → %s', (pattern, p, expected) => expect(matches(pattern, p)).toBe(expected));

  it('ranks by length, compiles nothing for an empty pattern, and refuses absurd ones', () => {
    expect(compilePattern('')).toBeNull();
    expect(compilePattern('/a*')!.length).toBeGreaterThan(compilePattern('/a')!.length);
    expect(compilePattern(`/${'*'.repeat(100)}`)).toBeNull();
    expect(compilePattern(`/${'a'.repeat(5000)}`)).toBeNull();
  });

  it('keeps canonical forms idempotent and maps dataset paths under a site root', () => {
    for (const s of ['/a b', '/%7e', '/ü/%zz', '/a%2Fb']) expect(canonicalPath(canonicalPath(s))).toBe(canonicalPath(s));
    expect(canonicalPath('/a%2fb')).toBe('/a%2Fb');
    expect(sitePath('', 'a/b')).toBe('/a/b');
    expect(sitePath('news', 'news/a/b')).toBe('/a/b');
    expect(sitePath('news', 'newsroom/a')).toBeNull();
  });
});

describe('robots.txt syntax (RFC 9309 §2.1, §2.2)', () => {
  it('groups user-agent lines, keeps line numbers, and treats sitemap and license as file records', () => {
    const f = parseRobots('\uFEFFUser-agent: A\nuser-agent: B/2.0 (x)\nDisallow: /a # c\nSitemap: /s.xml\nAllow: /b\nUser-agent: C\nContent-Usage: / train-ai=n\n\nLicense: /l.xml\nFoo bar\n');
    expect(f.groups.map((g) => [g.agents, g.line, g.rules.map((r) => [r.allow, r.pattern.source, r.line]), g.records.map((r) => r.key)])).toEqual([
      [['a', 'b'], 1, [[false, '/a', 3], [true, '/b', 5]], []],
      [['c'], 6, [], ['content-usage']],
    ]);
    expect(f.global.map((r) => [r.key, r.value, r.line])).toEqual([['sitemap', '/s.xml', 4], ['license', '/l.xml', 9]]);
    expect(productToken(' GPTBot/1.1 ')).toBe('gptbot');
    expect(groupsFor(f, 'b')).toHaveLength(1);
  });
});

describe('AIPREF preferences (draft-ietf-aipref-vocab)', () => {
  it('reads the draft\'s examples', () => {
    expect(parseUsagePreferences(fixture('aipref-vocab-basic.txt'))).toMatchObject({ training: 'allowed', labels: { 'train-ai': 'y', search: 'n' } });
    // The last value of a key wins, and a Boolean or a String is not a y/n Token.
    expect(parseUsagePreferences(fixture('aipref-vocab-duplicates.txt'))).toMatchObject({ training: 'unreadable', labels: { 'train-ai': 'true', search: 'n' } });
    // Parameters are ignored; only the last train-ai member counts.
    expect(parseUsagePreferences(fixture('aipref-vocab-params.txt'))).toMatchObject({ training: 'allowed' });
    // A trailing ";" is not a valid Dictionary: everything is unknown.
    expect(parseUsagePreferences(fixture('aipref-vocab-params-unknown.txt'))).toMatchObject({ training: 'unreadable' });
  });

  it.each([
    ['train-ai=n', 'disallowed', 'yes'],
    ['search=n, ai-use=n', 'none', null],
    ['train-genai=n', 'disallowed', 'yes'],
    ['tdm=n, search=y', 'disallowed', 'yes'],
    ['train-ai=y, genai=n', 'conflict', 'unknown'],
    ['TRAIN-AI=n', 'unreadable', 'unknown'],
    ['hello world', 'none', null],
    ['', 'none', null],
  ])('%s → %s', (text, training, reserved) => {
    const p = parseUsagePreferences(text);
    expect(p.training).toBe(training);
    expect(reservedOf(p.training)).toBe(reserved);
  });
});

describe('robots directives and TDMRep values', () => {
  it('finds noai, noimageai and noml, with an optional user agent', () => {
    expect(aiDirectivesOf('noindex, NOAI, noai, noimageai')).toEqual(['noai', 'noimageai']);
    expect(parseXRobotsTag('otherbot: noml')).toEqual({ agent: 'otherbot', directives: ['noml'] });
    expect(parseXRobotsTag('max-snippet: 20, noai')).toEqual({ agent: null, directives: ['noai'] });
    expect(parseXRobotsTag('noindex')).toEqual({ agent: null, directives: [] });
  });

  it('reads tdm-reservation values exactly, and says what deviates', () => {
    expect(readReservation(1, { text: false })).toEqual({ reserved: 'yes' });
    expect(readReservation('0', { text: true })).toEqual({ reserved: 'no' });
    expect(readReservation('1', { text: false })).toMatchObject({ reserved: 'yes', problem: expect.stringContaining('string') });
    expect(readReservation(true, { text: false })).toMatchObject({ reserved: 'unknown' });
    expect(readReservation('2', { text: true })).toMatchObject({ reserved: 'unknown' });
  });

  it('resolves policy URLs to dataset paths only when it can', () => {
    expect(policyLocation('/p/1.json', 'news', '/.well-known/tdmrep.json', { absoluteAllowed: true })).toEqual({ path: 'news/p/1.json', hostChecked: true });
    expect(policyLocation('policy.json', '', '/.well-known/tdmrep.json', { absoluteAllowed: true })).toEqual({ path: '.well-known/policy.json', hostChecked: true });
    expect(policyLocation('https://x.example/a%20b.json', 's', '/.well-known/tdmrep.json', { absoluteAllowed: true })).toEqual({ path: 's/a b.json', hostChecked: false });
    expect(policyLocation('https://x.example/p.json', 's', '/x.html', { absoluteAllowed: false })).toBeNull();
    expect(policyLocation('mailto:a@b', 's', '/x', { absoluteAllowed: true })).toBeNull();
    expect(policyLocation('https://x.example/', 's', '/x', { absoluteAllowed: true })).toBeNull();
    expect(relativePolicyPath('tdm/p.json', 'news/a/page.html')).toBe('news/a/tdm/p.json');
    expect(relativePolicyPath('../../p%20q.json', 'news/a/page.html')).toBe('p q.json');
    expect(relativePolicyPath('../../../../p.json', 'news/a/page.html')).toBe('p.json');
    for (const u of ['/p.json', 'https://x/p.json', '#x', '', 'dir/']) expect(relativePolicyPath(u, 'a/b.html'), u).toBeNull();
  });
});
