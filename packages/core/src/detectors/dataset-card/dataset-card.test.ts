import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { datasetCard } from './index.js';

const card = (front: string, body = '# A dataset\n\nSome prose.\n') => `---\n${front}\n---\n${body}`;

describe('dataset-card detector', () => {
  it('reads an SPDX id written in lower case', async () => {
    const out = await runDetector(datasetCard, 'data/README.md', card('pretty_name: Demo\nlicense: cc-by-4.0\ntask_categories:\n  - text-generation'));
    expect(out).toEqual([
      expect.objectContaining({ code: 'licence.dataset-card', value: expect.objectContaining({ expression: 'CC-BY-4.0', written: 'cc-by-4.0' }), evidence: expect.objectContaining({ line: 3 }), scope: { kind: 'subtree', root: 'data' } }),
    ]);
    expect(out[0]!.confidence).toBeGreaterThan(0.5);
  });

  it('keeps a non-SPDX licence as written, with no expression', async () => {
    const out = await runDetector(datasetCard, 'README.md', card('license: other\nlicense_name: acme-research\nlicense_link: LICENSE.txt'));
    expect(out).toEqual([expect.objectContaining({ confidence: 0, value: { expression: null, written: 'other', name: 'acme-research', link: 'LICENSE.txt' } })]);
  });

  it('reports each licence of a list', async () => {
    const out = await runDetector(datasetCard, 'README.md', card('license:\n  - mit\n  - apache-2.0'));
    expect(out.map((f) => (f.value as { expression: string }).expression)).toEqual(['MIT', 'Apache-2.0']);
  });

  it('says nothing about a README without front matter, or without a licence in it', async () => {
    expect(await runDetector(datasetCard, 'README.md', '# Project\n\nlicense: mit\n')).toEqual([]);
    expect(await runDetector(datasetCard, 'README.md', card('pretty_name: x'))).toEqual([]);
  });

  it('reports front matter that is not YAML, and survives an alias bomb', async () => {
    expect(await runDetector(datasetCard, 'README.md', card('license: [mit\nfoo: : :'))).toEqual([expect.objectContaining({ code: 'card.front-matter-invalid', severity: 'warning' })]);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`), 'license: mit'].join('\n');
    const started = performance.now();
    const out = await runDetector(datasetCard, 'README.md', card(bomb));
    expect(out).toEqual([expect.objectContaining({ code: 'card.front-matter-invalid' })]);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
