import { describe, expect, it } from 'vitest';
import { makeTree, runDetector, scanTree } from '../../test-utils/index.js';
import { hfGating } from './index.js';

const card = (front: string, body = '# A dataset\n') => `---\n${front}\n---\n${body}`;

describe('hf-gating detector', () => {
  it('reports the access conditions of a gated card as provenance of its folder', async () => {
    const out = await runDetector(
      hfGating,
      'corpus/README.md',
      card(
        [
          'license: cc-by-nc-4.0',
          'extra_gated_heading: Acknowledge the conditions',
          'extra_gated_prompt: "You agree not to use the data to train generative models and to cite the authors."',
          'extra_gated_fields:',
          '  Company: text',
          '  Country: country',
          '  Purpose:',
          '    type: select',
          '    options: [Research, Education]',
          '  I agree to the terms: checkbox',
          'extra_gated_eu_disallowed: true',
        ].join('\n'),
      ),
    );
    expect(out).toEqual([
      {
        code: 'provenance.hf-gating',
        category: 'provenance',
        detector: 'hf-gating',
        confidence: 0.9,
        value: {
          heading: 'Acknowledge the conditions',
          prompt: 'You agree not to use the data to train generative models and to cite the authors.',
          euDisallowed: true,
          fields: [
            { name: 'Company', type: 'text' },
            { name: 'Country', type: 'country' },
            { name: 'Purpose', type: 'select' },
            { name: 'I agree to the terms', type: 'checkbox' },
          ],
          keys: ['extra_gated_prompt', 'extra_gated_fields', 'extra_gated_heading', 'extra_gated_eu_disallowed'],
        },
        evidence: { path: 'corpus/README.md', line: 3, excerpt: 'extra_gated_heading: Acknowledge the conditions' },
        scope: { kind: 'subtree', root: 'corpus' },
        url: 'docs/findings/provenance.hf-gating.md',
      },
    ]);
  });

  it('reads gated alone, and cuts long prompts', async () => {
    const [f] = await runDetector(hfGating, 'README.md', card(`gated: manual\nextra_gated_prompt: "${'x'.repeat(2000)}"`));
    expect(f!.value['gated']).toBe('manual');
    expect(String(f!.value['prompt'])).toHaveLength(500);
  });

  it('says nothing for ungated cards, cards without front matter, and front matter that is not YAML', async () => {
    expect(await runDetector(hfGating, 'README.md', card('license: mit\npretty_name: x'))).toEqual([]);
    expect(await runDetector(hfGating, 'README.md', '# extra_gated_prompt: not front matter\n')).toEqual([]);
    expect(await runDetector(hfGating, 'README.md', card('extra_gated_prompt: [unclosed\nfoo: : :'))).toEqual([]);
  });

  it('is provenance: it does not change the verdict, and rides along with the dataset card licence', async () => {
    const tree = await makeTree({
      'README.md': card('license: cc-by-4.0\nextra_gated_prompt: Cite us.'),
      'data/a.txt': 'hello',
    });
    try {
      const { records } = await scanTree(tree.root);
      const a = records.get('data/a.txt')!;
      expect(a.verdict.decision).toBe('allow');
      expect(a.optOuts).toEqual([]);
      expect(a.findings.map((f) => f.code).sort()).toEqual(['licence.dataset-card', 'provenance.hf-gating']);
      expect(a.findings.find((f) => f.code === 'provenance.hf-gating')).toMatchObject({ inherited: true, value: { prompt: 'Cite us.' } });
    } finally {
      await tree.cleanup();
    }
  });
});
