import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDetector } from '../../test-utils/index.js';
import { tdmrepPolicy } from './index.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name));

describe('tdmrep-policy detector', () => {
  it('reports the permission, its duty and the assigner of a consent policy, without contact details', async () => {
    const out = await runDetector(tdmrepPolicy, 'news/.well-known/tdm-policy.json', fixture('consent.policy.json'));
    expect(out).toEqual([
      expect.objectContaining({
        code: 'optout.tdmrep.policy',
        category: 'provenance',
        value: {
          tdmrepProfile: true,
          uid: 'https://courier.kelmouth.example/policies/1',
          type: 'Offer',
          profile: 'http://www.w3.org/ns/tdmrep',
          assigner: 'Kelmouth Courier Ltd',
          assignerUrl: 'https://courier.kelmouth.example/tdm-licensing.html',
          permissions: [{ action: ['tdm:mine'], target: 'https://courier.kelmouth.example/articles', duties: ['obtainConsent'] }],
        },
        scope: { kind: 'file', root: 'news/.well-known/tdm-policy.json' },
      }),
    ]);
    expect(JSON.stringify(out)).not.toContain('mailto:');
  });

  it('reads single objects where ODRL allows sets, and constraints', async () => {
    const out = await runDetector(tdmrepPolicy, 'p.json', fixture('research-fee.policy.json'));
    expect(out[0]!.value).toMatchObject({ assigner: 'https://archive.example', permissions: [{ action: ['tdm:mine'], duties: ['compensate'], constraints: [{ leftOperand: 'purpose', operator: 'eq', rightOperand: 'tdm:non-research' }] }] });
  });

  it('ignores JSON that is not an ODRL policy, and reports a broken one', async () => {
    expect(await runDetector(tdmrepPolicy, 'package.json', '{"name": "x", "permission": [1]}')).toEqual([]);
    expect(await runDetector(tdmrepPolicy, 'p.json', '{"@context": "http://www.w3.org/ns/odrl.jsonld", "uid": "x"}')).toEqual([]);
    expect(await runDetector(tdmrepPolicy, 'p.json', '{"@context": "http://www.w3.org/ns/odrl.jsonld", "permission": [')).toEqual([expect.objectContaining({ code: 'optout.tdmrep.policy-invalid', severity: 'warning' })]);
    const deep = `{"@context": "http://www.w3.org/ns/odrl.jsonld", "permission": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    expect(await runDetector(tdmrepPolicy, 'p.json', deep)).toEqual([]);
  });
});
