/**
 * Hugging Face dataset gating: the access conditions a dataset card declares in its YAML front
 * matter — `gated`, `extra_gated_prompt`, `extra_gated_fields`, `extra_gated_heading`,
 * `extra_gated_description`, `extra_gated_button_content`, `extra_gated_eu_disallowed`. A gated
 * dataset's files were obtained by accepting those conditions: that is provenance to keep with the
 * training record, not a text-and-data-mining reservation, so it is reported as `provenance` and
 * never changes a verdict. The card governs its folder's subtree.
 *
 * It reads the same README.md as the dataset-card detector (which reads `license:`); both match the
 * file, each reports its own facts. Front matter that is not YAML is dataset-card's to report.
 * Reference: Hugging Face Hub documentation, "Gated datasets" (customising the access request form
 * with `extra_gated_*` metadata) and "Dataset cards" (YAML metadata block).
 *
 * ok:     `---\nextra_gated_prompt: "You agree not to …"\nextra_gated_fields:\n  Company: text\n---` → provenance.hf-gating
 * not-ok: a card without any gating field → nothing
 */
import { parseDocument } from 'yaml';
import { defineDetector, findingUrl } from '../../engine/detector.js';
import { decodeText, excerpt, lineColumn } from '../text.js';

const HEAD = 64 * 1024;
const TEXT_MAX = 500;
const KEYS = ['gated', 'extra_gated_prompt', 'extra_gated_fields', 'extra_gated_heading', 'extra_gated_description', 'extra_gated_button_content', 'extra_gated_eu_disallowed'] as const;

export const hfGating = defineDetector({
  id: 'hf-gating',
  version: '1.0.0',
  description: 'Hugging Face dataset gating (extra_gated_* fields) in a dataset card, as provenance',
  match: { names: ['README.md', 'README.markdown', 'dataset_card.md', 'datacard.md'] },
  marker: true,
  wants: { head: HEAD },
  codes: {
    'provenance.hf-gating': {
      title: 'Gated dataset (Hugging Face access conditions)',
      meaning: 'The dataset card declares Hugging Face gating: users had to accept conditions (`extra_gated_prompt`, the fields of `extra_gated_fields`, …) to download the files below it. This is not a reservation of text and data mining and does not change the verdict; it records under which conditions the data was obtained.',
      action: 'Check that whoever downloaded the data accepted these conditions, that they allow your use, and keep the acceptance with the training record.',
    },
  },
  detect(input) {
    const text = decodeText(input.head);
    const fm = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
    if (!fm) return [];
    const body = fm[1]!;
    // A cheap check before parsing: most cards are not gated.
    if (!/^(?:gated|extra_gated_\w+)[ \t]*:/m.test(body)) return [];
    const doc = parseDocument(body, { prettyErrors: false, uniqueKeys: false });
    if (doc.errors.length > 0) return [];
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 50 });
    } catch {
      return [];
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return [];
    const fields = data as Record<string, unknown>;
    const present = KEYS.filter((k) => fields[k] !== undefined && fields[k] !== null);
    if (present.length === 0) return [];
    const value: Record<string, unknown> = {};
    if (fields['gated'] !== undefined) value['gated'] = scalar(fields['gated']);
    if (typeof fields['extra_gated_prompt'] === 'string') value['prompt'] = cut(fields['extra_gated_prompt']);
    if (typeof fields['extra_gated_heading'] === 'string') value['heading'] = cut(fields['extra_gated_heading']);
    if (typeof fields['extra_gated_description'] === 'string') value['description'] = cut(fields['extra_gated_description']);
    if (typeof fields['extra_gated_button_content'] === 'string') value['button'] = cut(fields['extra_gated_button_content']);
    if (typeof fields['extra_gated_eu_disallowed'] === 'boolean') value['euDisallowed'] = fields['extra_gated_eu_disallowed'];
    const requested = formFields(fields['extra_gated_fields']);
    if (requested) value['fields'] = requested;
    value['keys'] = present;
    const bodyOffset = text.indexOf(body);
    const key = new RegExp(`^(?:${present.join('|')})[ \\t]*:`, 'm').exec(body);
    const where = key ? lineColumn(text, bodyOffset + key.index) : { line: 2 };
    const line = text.split('\n')[where.line - 1] ?? '';
    return [
      {
        code: 'provenance.hf-gating',
        category: 'provenance',
        detector: 'hf-gating',
        confidence: 0.9,
        value,
        evidence: { path: input.path, line: where.line, excerpt: excerpt(line) },
        scope: { kind: 'subtree', root: input.dir },
        url: findingUrl('provenance.hf-gating'),
      },
    ];
  },
});

function cut(s: string): string {
  const t = s.trim();
  return t.length > TEXT_MAX ? `${t.slice(0, TEXT_MAX - 3)}...` : t;
}

function scalar(v: unknown): string | number | boolean {
  return typeof v === 'boolean' || typeof v === 'number' ? v : cut(String(v));
}

/** The names and types of the fields the access form asks for: `Name: text` or `Name: { type: select, options: [...] }`. */
function formFields(v: unknown): { name: string; type: string }[] | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  return Object.entries(v as Record<string, unknown>)
    .slice(0, 50)
    .map(([name, spec]) => {
      const type = typeof spec === 'string' ? spec : typeof spec === 'object' && spec !== null && typeof (spec as { type?: unknown }).type === 'string' ? (spec as { type: string }).type : typeof spec;
      return { name: cut(name).slice(0, 200), type: type.slice(0, 40) };
    });
}
