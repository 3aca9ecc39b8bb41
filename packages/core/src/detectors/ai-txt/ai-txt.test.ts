import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FindingSchema, type Finding } from '../../schema/finding.js';
import { runDetector } from '../../test-utils/index.js';
import { aiTxt } from './index.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name));

async function read(file: string, content: string | Uint8Array): Promise<Finding[]> {
  return (await runDetector(aiTxt, file, content)).map((f) => FindingSchema.parse(f));
}

const at = (findings: Finding[], p: string) => (findings[0] ? aiTxt.forPath!(findings[0], p) : null);
const reserved = (findings: Finding[], p: string) => (at(findings, p)?.value as { reserved?: string } | undefined)?.reserved ?? null;

describe('ai-txt detector', () => {
  it('reads the blanket ai.txt of ai.robots.txt: every file of the site is reserved', async () => {
    const out = await read('site/ai.txt', fixture('ai-robots-txt.ai.txt'));
    // `Disallow: /` covers the ai.txt itself too.
    expect(out).toEqual([
      expect.objectContaining({ code: 'optout.ai-txt.rules', category: 'notice', scope: { kind: 'subtree', root: 'site' } }),
      expect.objectContaining({ code: 'optout.ai-txt.path', category: 'opt-out', scope: { kind: 'file', root: 'site/ai.txt' } }),
    ]);
    expect(at(out, 'site/a/b.html')).toMatchObject({
      code: 'optout.ai-txt.path',
      category: 'opt-out',
      value: { protocol: 'ai-txt', reserved: 'yes', level: 'site', rule: 'User-Agent: *; Disallow: /' },
      evidence: { path: 'site/ai.txt', line: 5 },
    });
    expect(at(out, 'other/a.html')).toBeNull();
  });

  it('reserves by file type, without regard to case, and lets a longer Allow win', async () => {
    const out = await read('ai.txt', fixture('by-type.ai.txt'));
    expect(reserved(out, 'photos/IMG_0001.JPG')).toBe('yes');
    expect(reserved(out, 'photos/a.png')).toBe('yes');
    expect(reserved(out, 'notes/readme.txt')).toBe('no');
    expect(reserved(out, 'press-kit/logo.png')).toBe('no');
    expect(reserved(out, 'data/table.csv')).toBeNull();
  });

  it('reserves when any group disallows, and says nothing for an empty file', async () => {
    const out = await read('ai.txt', 'User-Agent: GoodBot\nAllow: /\n\nUser-Agent: *\nDisallow: /art/\n');
    expect(reserved(out, 'art/x.png')).toBe('yes');
    expect(reserved(out, 'blog/x.html')).toBe('no');
    expect(await read('ai.txt', '# nothing\n')).toEqual([]);
  });

  it('stays bounded on hostile input', async () => {
    const started = performance.now();
    const text = Array.from({ length: 10_000 }, (_, i) => `User-Agent: *\nDisallow: /${'*a'.repeat(50)}${i}$`).join('\n');
    const out = await read('ai.txt', text);
    expect(reserved(out, `${'a'.repeat(2000)}b`)).toBeNull();
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
