/**
 * Dataset cards: a README.md whose YAML front matter carries `license:` (the Hugging Face dataset
 * card layout). The card governs its folder's subtree. Card ids are SPDX ids in lower case
 * (`cc-by-4.0`, `apache-2.0`); one that is not an SPDX id (`other`, `openrail`, `llama2`) is kept as
 * written with expression null, so it goes to review rather than being guessed. A list of several
 * licences is not a single expression: each is reported, and they show as a conflict.
 * Reference: Hugging Face Hub, dataset card metadata (`license`, `license_name`, `license_link`).
 *
 * ok:     `---\nlicense: cc-by-4.0\n---` → licence.dataset-card, CC-BY-4.0
 * not-ok: `---\nlicense: other\nlicense_name: acme-data\n---` → licence.dataset-card, expression null
 * not-ok: front matter that is not valid YAML → card.front-matter-invalid (warning)
 */
import { parseDocument } from 'yaml';
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import { parseSpdx } from '../../policy/spdx.js';
import type { FindingInput } from '../../schema/finding.js';
import { decodeText, excerpt, lineColumn } from '../text.js';

const HEAD = 64 * 1024;

export const datasetCard = defineDetector({
  id: 'dataset-card',
  version: '1.0.0',
  description: 'Licence declared in a dataset card (README.md YAML front matter)',
  match: { names: ['README.md', 'README.markdown', 'dataset_card.md', 'datacard.md'] },
  marker: true,
  wants: { head: HEAD },
  codes: {
    'licence.dataset-card': {
      title: 'Licence in a dataset card',
      meaning: 'A README.md dataset card declares `license:` in its YAML front matter; it governs the card\'s folder and everything below it. An id that is not SPDX (`other`, `openrail`, …) is kept as written, with no expression.',
      action: 'Check the declared licence against the data\'s real provenance: a card states what its author believes, not what each file carries.',
    },
    'card.front-matter-invalid': {
      title: 'Dataset card front matter is not valid YAML',
      meaning: 'The README.md starts with a `---` front-matter block that does not parse as a YAML mapping (or expands aliases beyond a safe limit), so its licence could not be read.',
      action: 'Fix the front matter; until then the card says nothing.',
    },
  },
  detect(input) {
    const text = decodeText(input.head);
    const fm = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
    if (!fm) return [];
    const body = fm[1]!;
    const bodyOffset = text.indexOf(body);
    const doc = parseDocument(body, { prettyErrors: false, uniqueKeys: false });
    let data: unknown;
    let problem = doc.errors[0]?.message.split('\n')[0];
    if (problem === undefined) {
      try {
        // The yaml package refuses alias expansion past maxAliasCount ("billion laughs").
        data = doc.toJS({ maxAliasCount: 50 });
      } catch (err) {
        problem = (err as Error).message;
      }
    }
    if (problem === undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) problem = 'front matter is not a mapping';
    if (problem !== undefined) {
      return [
        {
          code: 'card.front-matter-invalid',
          category: 'notice',
          detector: 'dataset-card',
          severity: 'warning',
          confidence: 1,
          value: { problem },
          evidence: { path: input.path, line: 2 },
          scope: { kind: 'file', root: input.path },
          url: findingUrl('card.front-matter-invalid'),
        },
      ];
    }
    const fields = data as Record<string, unknown>;
    const declared = fields['license'];
    const values = (Array.isArray(declared) ? declared : declared === undefined || declared === null ? [] : [declared]).map((v) => String(v).trim()).filter((v) => v !== '');
    const keyAt = /^license[ \t]*:/m.exec(body);
    const where = keyAt ? lineColumn(text, bodyOffset + keyAt.index) : { line: 2 };
    const line = keyAt ? text.split('\n')[where.line - 1] ?? '' : '';
    return values.map((written) => finding(input, written, fields, where.line, line));
  },
});

function finding(input: DetectorInput, written: string, data: Record<string, unknown>, line: number, lineText: string): FindingInput {
  let expression: string | null = null;
  try {
    expression = parseSpdx(written).canonical;
  } catch {
    expression = null;
  }
  const name = typeof data['license_name'] === 'string' ? data['license_name'] : undefined;
  const link = typeof data['license_link'] === 'string' ? data['license_link'] : undefined;
  return {
    code: 'licence.dataset-card',
    category: 'licence',
    detector: 'dataset-card',
    confidence: expression === null ? 0 : 0.9,
    value: { expression, written, ...(name ? { name } : {}), ...(link ? { link } : {}) },
    evidence: { path: input.path, line, excerpt: excerpt(lineText) },
    scope: { kind: 'subtree', root: input.dir },
    url: findingUrl('licence.dataset-card'),
  };
}
