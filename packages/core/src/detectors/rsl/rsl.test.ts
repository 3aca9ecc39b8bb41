import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FindingSchema, type Finding } from '../../schema/finding.js';
import { runDetector } from '../../test-utils/index.js';
import { rsl } from './index.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name));

async function read(file: string, content: string | Uint8Array): Promise<Finding[]> {
  return (await runDetector(rsl, file, content)).map((f) => FindingSchema.parse(f));
}
const at = (findings: Finding[], p: string) => (findings[0] ? rsl.forPath!(findings[0], p) : null);

describe('rsl detector', () => {
  it('reads the spec\'s "prohibit all AI use" licence as a reservation of every file of the site', async () => {
    const out = await read('site/license.xml', fixture('prohibit-ai-all.license.xml'));
    expect(out).toEqual([
      expect.objectContaining({ code: 'optout.rsl.rules', category: 'notice', scope: { kind: 'subtree', root: 'site' }, value: expect.objectContaining({ count: 1 }) }),
      // Content url "/" covers the licence file itself too.
      expect.objectContaining({ code: 'optout.rsl.content', category: 'opt-out', scope: { kind: 'file', root: 'site/license.xml' } }),
    ]);
    expect(at(out, 'site/a/b.html')).toMatchObject({
      code: 'optout.rsl.content',
      category: 'opt-out',
      value: { protocol: 'rsl', reserved: 'yes', level: 'site', rule: 'content url="/"; prohibits usage ai-all' },
      evidence: { path: 'site/license.xml', line: 4 },
    });
    expect(at(out, 'elsewhere.html')).toBeNull();
  });

  it('reads by namespace, picks the most specific content, and weighs payment', async () => {
    const out = await read('license.xml', fixture('mixed-terms.license.xml'));
    const r = (p: string) => at(out, p)?.value as { reserved: string; rule: string; payments?: string[]; licenseServer?: string };
    expect(r('articles/2024/x.html')).toMatchObject({ reserved: 'yes', rule: 'content url="https://example.com/articles/*"; permits usage ai-train for payment training', payments: ['training'], licenseServer: 'https://rsl.example.com/api' });
    expect(r('blog/post.html')).toMatchObject({ reserved: 'no', rule: 'content url="/blog/*"; permits usage ai-all (payment attribution)' });
    expect(r('about.html')).toMatchObject({ reserved: 'unknown', rule: 'content url="/"; permits usage search only' });
  });

  it('ignores a license.xml that is not RSL, and never expands entities', async () => {
    expect(await read('license.xml', fixture('not-rsl.license.xml'))).toEqual([]);
    const started = performance.now();
    const out = await read('license.xml', fixture('billion-laughs.license.xml'));
    expect(out[0]).toMatchObject({ severity: 'warning', value: { unreadable: expect.any(String) } });
    expect(at(out, 'a.html')).toMatchObject({ code: 'optout.rsl.unreadable', value: { reserved: 'unknown' } });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('reports a broken RSL file as unreadable, and stays bounded on hostile input', async () => {
    const broken = await read('license.xml', '<rsl xmlns="https://rslstandard.org/rsl"><content url="/"><license>');
    expect(at(broken, 'x')).toMatchObject({ value: { reserved: 'unknown' } });
    const many = `<rsl xmlns="https://rslstandard.org/rsl">${'<content url="/a/*"><license><permits type="usage">search</permits></license></content>'.repeat(5000)}</rsl>`;
    const out = await read('license.xml', many);
    expect(out[0]).toMatchObject({ value: { count: 1000, truncated: true } });
    const deep = `<rsl xmlns="https://rslstandard.org/rsl">${'<x>'.repeat(50_000)}${'</x>'.repeat(50_000)}</rsl>`;
    const started = performance.now();
    expect((await read('license.xml', deep))[0]).toMatchObject({ value: { count: 0, unreadable: 'elements nested deeper than 32' } });
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
