import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeTree, runDetector, scanTree } from '../../test-utils/index.js';
import { croissantUsage } from './index.js';

const fixture = readFileSync(new URL('fixtures/croissant.json', import.meta.url), 'utf8');
const ctx = '"@context": {"@vocab": "https://schema.org/", "cr": "http://mlcommons.org/croissant/"}';

describe('croissant-usage detector', () => {
  it('reports usageInfo (a URL and a CreativeWork) as provenance of the folder', async () => {
    const out = await runDetector(croissantUsage, 'tide/croissant.json', fixture);
    expect(out).toEqual([
      expect.objectContaining({
        code: 'provenance.croissant-usage-info',
        category: 'provenance',
        value: {
          usageInfo: [
            { url: 'https://data.kelmouth.example/tide-gauges/terms' },
            { name: 'Harbour Trust data terms', text: 'Research and education use; commercial model training requires written permission.' },
          ],
        },
        evidence: expect.objectContaining({ path: 'tide/croissant.json', line: 15 }),
        scope: { kind: 'subtree', root: 'tide' },
      }),
    ]);
  });

  it('reads the real Croissant example of the MNIST dataset without inventing usage terms', async () => {
    const mnist = readFileSync(new URL('../project-metadata/fixtures/croissant-mnist/metadata.json', import.meta.url), 'utf8');
    expect(mnist).toContain('mlcommons.org/croissant');
    expect(await runDetector(croissantUsage, 'metadata.json', mnist)).toEqual([]);
  });

  it('accepts prefixed keys and plain text; ignores JSON-LD that is not Croissant, and broken JSON', async () => {
    const [a] = await runDetector(croissantUsage, 'x-croissant.json', `{${ctx}, "sc:usageInfo": "Cite the authors."}`);
    expect(a!.value).toEqual({ usageInfo: [{ text: 'Cite the authors.' }] });
    expect(await runDetector(croissantUsage, 'metadata.json', '{"@context": "https://schema.org/", "usageInfo": "https://e.example/terms"}')).toEqual([]);
    expect(await runDetector(croissantUsage, 'croissant.json', `{${ctx}, "usageInfo": `)).toEqual([]);
  });

  it('notices a Croissant file too large to read, and not other large metadata.json files', async () => {
    const head = new TextEncoder().encode(`{${ctx}, "recordSet": [`);
    const extra = { truncated: true, whole: null, head, size: 20 * 1024 * 1024 };
    expect(await runDetector(croissantUsage, 'croissant.json', head, extra)).toEqual([expect.objectContaining({ code: 'croissant.too-large', severity: 'warning' })]);
    expect(await runDetector(croissantUsage, 'metadata.json', '{"images": [', { ...extra, head: new TextEncoder().encode('{"images": [') })).toEqual([]);
  });

  it('rides along in records without changing the verdict', async () => {
    const tree = await makeTree({ 'tide/croissant.json': fixture, 'tide/readings.csv': 'hour,level\n0,1.2\n', 'tide/LICENSE': 'placeholder' });
    try {
      const { records } = await scanTree(tree.root);
      const csv = records.get('tide/readings.csv')!;
      expect(csv.optOuts).toEqual([]);
      expect(csv.findings.find((f) => f.code === 'provenance.croissant-usage-info')).toMatchObject({ inherited: true });
      expect(csv.verdict.reasons.map((r) => r.code)).not.toContain('optout.reserved');
    } finally {
      await tree.cleanup();
    }
  });
});
