import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FindingSchema, type Finding, type FindingInput } from '../../schema/finding.js';
import { runDetector } from '../../test-utils/index.js';
import { tdmrep } from './index.js';
import { MAX_RULES } from './rules.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name));

/** Runs the detector on a tdmrep.json at `file` and returns its findings as the engine holds them. */
async function read(file: string, content: string | Uint8Array): Promise<Finding[]> {
  return (await runDetector(tdmrep, file, content)).map((f: FindingInput) => FindingSchema.parse(f));
}

/** What the site file says for one dataset path (null: nothing). */
function at(findings: Finding[], path: string): Finding | null {
  const carrier = findings.find((f) => f.code === 'optout.tdmrep.rules');
  if (!carrier) throw new Error('no carrier');
  return tdmrep.forPath!(carrier, path);
}

describe('tdmrep detector', () => {
  it('applies the spec example: first matching location, reserved 1/0, policy kept', async () => {
    const out = await read('site/.well-known/tdmrep.json', fixture('spec-multi-rule.json'));
    expect(out.map((f) => f.code)).toEqual(['optout.tdmrep.rules']);
    expect(out[0]).toMatchObject({ category: 'notice', scope: { kind: 'subtree', root: 'site' }, value: { siteRoot: 'site', count: 3 } });

    expect(at(out, 'site/directory-a/report.pdf')).toMatchObject({
      code: 'optout.tdmrep.location',
      category: 'opt-out',
      value: { protocol: 'tdmrep', reserved: 'yes', level: 'site', rule: 'location /directory-a/' },
      evidence: { path: 'site/.well-known/tdmrep.json', line: 3, excerpt: '"location": "/directory-a/"' },
      scope: { kind: 'subtree', root: 'site' },
    });
    expect(at(out, 'site/directory-b/html/page.html')).toMatchObject({
      value: { reserved: 'yes', policy: 'https://provider.com/policies/policy.json', policyPath: 'site/policies/policy.json', policyHostChecked: false },
      evidence: { line: 7 },
    });
    expect(at(out, 'site/directory-b/images/cat.jpg')).toMatchObject({ value: { reserved: 'no', rule: 'location /directory-b/images/*.jpg' } });
    // `*.jpg` without `$` is a prefix: it matches a longer name too, as robots.txt patterns do.
    expect(at(out, 'site/directory-b/images/cat.jpg.txt')).toMatchObject({ value: { reserved: 'no' } });
    // No rule matches: the reservation is unset, so the file gets nothing from this file.
    expect(at(out, 'site/directory-b/images/cat.png')).toBeNull();
    expect(at(out, 'site/index.html')).toBeNull();
    // Case-sensitive, and only below the site root.
    expect(at(out, 'site/Directory-A/x.pdf')).toBeNull();
    expect(at(out, 'other/directory-a/x.pdf')).toBeNull();
  });

  it('takes the folder above .well-known as the site root, the dataset top included', async () => {
    const top = await read('.well-known/tdmrep.json', '[{"location": "/", "tdm-reservation": 1}]');
    expect(top[0]!.scope).toEqual({ kind: 'subtree', root: '' });
    expect(at(top, 'any/file.txt')).toMatchObject({ value: { reserved: 'yes' } });
    const nested = await read('sites/a.example/.well-known/tdmrep.json', '[{"location": "/x$", "tdm-reservation": 1}]');
    expect(at(nested, 'sites/a.example/x')).toMatchObject({ value: { reserved: 'yes' } });
    expect(at(nested, 'sites/a.example/xy')).toBeNull();
  });

  it('lets the first matching rule win, not the longest', async () => {
    const out = await read('.well-known/tdmrep.json', JSON.stringify([{ location: '/', 'tdm-reservation': 0 }, { location: '/private/', 'tdm-reservation': 1 }]));
    expect(at(out, 'private/a.txt')).toMatchObject({ value: { reserved: 'no', rule: 'location /' } });
  });

  it('matches percent-encoded patterns against plain file names', async () => {
    const out = await read('.well-known/tdmrep.json', JSON.stringify([{ location: '/a%20b/*', 'tdm-reservation': 1 }, { location: '/%7Euser/', 'tdm-reservation': 1 }, { location: '/café/', 'tdm-reservation': 1 }]));
    expect(at(out, 'a b/x.txt')).toMatchObject({ value: { reserved: 'yes' } });
    expect(at(out, '~user/x.txt')).toMatchObject({ value: { rule: 'location /%7Euser/' } });
    expect(at(out, 'caf%C3%A9/x.txt')).toMatchObject({ value: { rule: 'location /café/' } });
  });

  it('reads an object with tdm_reservation and a policy key as unknown, with a warning, never dropped', async () => {
    const out = await read('.well-known/tdmrep.json', fixture('deviant-object-underscore.json'));
    // Location "/" covers the tdmrep.json itself too.
    expect(out.map((f) => f.code)).toEqual(['optout.tdmrep.rules', 'optout.tdmrep.location', 'optout.tdmrep.malformed']);
    expect(out[1]).toMatchObject({ value: { reserved: 'unknown' }, scope: { kind: 'file', root: '.well-known/tdmrep.json' } });
    const malformed = out[2]!;
    expect(malformed).toMatchObject({ severity: 'warning', scope: { kind: 'file', root: '.well-known/tdmrep.json' } });
    expect((malformed.value as { problems: string[] }).problems.join('\n')).toMatch(/object instead of an array[\s\S]*"tdm_reservation" instead of "tdm-reservation" \(value 1\)[\s\S]*"policy" instead of "tdm-policy"/);
    expect(at(out, 'page.html')).toMatchObject({ severity: 'warning', value: { reserved: 'unknown', policy: 'https://example.org/tdm-policy.json', problems: expect.arrayContaining([expect.stringContaining('tdm_reservation')]) } });
  });

  it('reads strings "1"/"0" as yes/no with a warning, true as unknown, and a rule without location as possibly covering the rest', async () => {
    const out = await read('.well-known/tdmrep.json', fixture('deviant-strings.json'));
    expect(at(out, 'reports/q1.pdf')).toMatchObject({ severity: 'warning', value: { reserved: 'yes', policyPath: '.well-known/policy.json', policyHostChecked: true, problems: ['the string "1" instead of the number 1'] } });
    expect(at(out, 'open/data.csv')).toMatchObject({ value: { reserved: 'no' } });
    expect(at(out, 'odd/x')).toMatchObject({ value: { reserved: 'unknown' } });
    expect(at(out, 'elsewhere/x')).toMatchObject({ value: { reserved: 'unknown', rule: 'a rule without a usable location' } });
  });

  it('makes every file of the site unknown when the file cannot be read', async () => {
    for (const bad of [fixture('broken.json'), '{"hello": "world"}', '[]', '"x"', 'null']) {
      const out = await read('s/.well-known/tdmrep.json', bad);
      expect(out[0]).toMatchObject({ code: 'optout.tdmrep.rules', severity: 'warning', value: { unreadable: expect.any(String) } });
      expect(at(out, 's/a/b.txt')).toMatchObject({ code: 'optout.tdmrep.unreadable', value: { reserved: 'unknown' } });
      expect(at(out, 'elsewhere.txt')).toBeNull();
    }
    const big = await runDetector(tdmrep, '.well-known/tdmrep.json', '[]', { whole: null, truncated: true, size: 2 * 1024 * 1024 });
    expect(big[0]).toMatchObject({ value: { unreadable: expect.stringContaining('larger than') } });
  });

  it('warns about a tdmrep.json outside .well-known and roots it at its folder', async () => {
    const out = await read('mirror/tdmrep.json', '[{"location": "/", "tdm-reservation": 1}]');
    expect(out.map((f) => f.code)).toEqual(['optout.tdmrep.misplaced', 'optout.tdmrep.rules', 'optout.tdmrep.location']);
    expect(at(out, 'mirror/a.html')).toMatchObject({ value: { reserved: 'yes' } });
  });

  it('survives hostile JSON: deep nesting, huge rule lists, odd values, in bounded time', async () => {
    const started = performance.now();
    const deep = `[{"location": "/", "tdm-reservation": ${'['.repeat(400_000)}${']'.repeat(400_000)}}]`;
    const d = await read('.well-known/tdmrep.json', deep);
    expect(at(d, 'a')).toMatchObject({ value: { reserved: 'unknown', problems: ['value an array is neither 1 nor 0'] } });
    const many = JSON.stringify(Array.from({ length: MAX_RULES + 5 }, (_, i) => ({ location: `/r${i}/`, 'tdm-reservation': 1 })));
    const m = await read('.well-known/tdmrep.json', many);
    expect(at(m, 'r3/x')).toMatchObject({ value: { reserved: 'yes' } });
    expect(at(m, `r${MAX_RULES + 2}/x`)).toMatchObject({ value: { reserved: 'unknown', rule: 'more rules than were read' } });
    const stars = await read('.well-known/tdmrep.json', JSON.stringify([{ location: `/${'*a'.repeat(60)}$`, 'tdm-reservation': 1 }]));
    expect(at(stars, `${'a'.repeat(5000)}b`)).toBeNull();
    const odd = await read('.well-known/tdmrep.json', '[1, "x", null, {"location": 5, "tdm-reservation": 1}, {"location": "/", "tdm-reservation": {"a": 1}}]');
    expect(at(odd, 'a.txt')).toMatchObject({ value: { reserved: 'unknown', problems: ['value an object is neither 1 nor 0'] } });
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
