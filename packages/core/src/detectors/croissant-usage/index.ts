/**
 * Croissant `usageInfo`: what a Croissant dataset description says about usage terms (schema.org
 * `usageInfo`: "further information about the usage terms, copyright, licensing" of a CreativeWork,
 * as text, a URL, or a CreativeWork with a name, URL and description). Reported as `provenance` of
 * the folder the Croissant file describes — never as a reservation — for a person to read with the
 * training record. The Croissant `license` is read by the project-metadata detector; this one reads
 * only `usageInfo`, in the same files (`croissant.json`, `*-croissant.json`, `metadata.json`, …,
 * whose `@context` or `conformsTo` names the MLCommons Croissant vocabulary).
 *
 * Keys are matched as Croissant documents write them: `usageInfo` under the Croissant context's
 * schema.org `@vocab`, `sc:usageInfo` / `schema:usageInfo`, or the full IRI; the document is not
 * expanded as JSON-LD.
 * Reference: Croissant Format Specification 1.0 and 1.1, "Dataset-level Information" (schema.org
 * Dataset properties; "Other schema.org properties" may be given); schema.org/usageInfo.
 *
 * ok:     `{"@context": {"@vocab": "https://schema.org/", …"cr": "http://mlcommons.org/croissant/"}, "usageInfo": "https://example.org/terms"}` → provenance.croissant-usage-info
 * not-ok: a JSON-LD document that is not Croissant → nothing
 */
import { defineDetector, findingUrl } from '../../engine/detector.js';
import { decodeText } from '../text.js';

const MAX = 16 * 1024 * 1024;
const TEXT_MAX = 500;
const KEYS = ['usageInfo', 'sc:usageInfo', 'schema:usageInfo', 'https://schema.org/usageInfo', 'http://schema.org/usageInfo'];

export const croissantUsage = defineDetector({
  id: 'croissant-usage',
  version: '1.0.0',
  description: 'Usage terms (schema.org usageInfo) in a Croissant dataset description, as provenance',
  match: { names: [/^(?:.*[-_.])?croissant(?:[-_.].*)?\.json(?:ld)?$/i, /^metadata\.json$/i] },
  marker: true,
  wants: { head: 64 * 1024, whole: { maxBytes: MAX } },
  codes: {
    'provenance.croissant-usage-info': {
      title: 'Usage terms in a Croissant description',
      meaning: 'A Croissant dataset description declares `usageInfo` (schema.org): text or a link about the terms under which the dataset may be used. It is recorded as provenance for the folder the description governs; it is neither a licence nor a reservation of text and data mining, and does not change the verdict.',
      action: 'Read the terms (the text, or the page at `url`) and check that they allow training; keep them with the training record.',
    },
    'croissant.too-large': {
      title: 'Croissant description too large to read',
      meaning: 'A file whose first bytes name the Croissant vocabulary is larger than 16 MiB, so its `usageInfo` was not read.',
      action: 'Read the file\'s `usageInfo` yourself.',
    },
  },
  detect(input) {
    if (input.truncated || !input.whole) {
      // Only a file that shows itself as Croissant in its first bytes is worth a notice (metadata.json is a common name).
      if (!/mlcommons\.org\/croissant/i.test(decodeText(input.head))) return [];
      return [
        {
          code: 'croissant.too-large',
          category: 'notice',
          detector: 'croissant-usage',
          severity: 'warning',
          confidence: 1,
          value: { size: input.size },
          evidence: { path: input.path },
          scope: { kind: 'file', root: input.path },
          url: findingUrl('croissant.too-large'),
        },
      ];
    }
    const text = decodeText(input.whole);
    // Cheap check first: neither Croissant nor usageInfo, nothing to parse.
    if (!/mlcommons\.org\/croissant/i.test(text) || !/usageInfo/.test(text)) return [];
    let data: unknown;
    try {
      data = JSON.parse(text) as unknown;
    } catch {
      return []; // invalid JSON is project-metadata's to report
    }
    const doc = Array.isArray(data) ? data.find(isCroissant) : isCroissant(data) ? data : undefined;
    if (!doc) return [];
    const key = KEYS.find((k) => doc[k] !== undefined);
    if (!key) return [];
    const terms = usage(doc[key]);
    if (terms.length === 0) return [];
    const at = text.indexOf(`"${key}"`);
    const line = at < 0 ? undefined : text.slice(0, at).split('\n').length;
    return [
      {
        code: 'provenance.croissant-usage-info',
        category: 'provenance',
        detector: 'croissant-usage',
        confidence: 0.9,
        value: { usageInfo: terms },
        evidence: { path: input.path, ...(line !== undefined ? { line } : {}), excerpt: `${key}: ${terms.map((t) => t.url ?? t.name ?? t.text ?? '').join(', ')}`.slice(0, 200) },
        scope: { kind: 'subtree', root: input.dir },
        url: findingUrl('provenance.croissant-usage-info'),
      },
    ];
  },
});

function isCroissant(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return /mlcommons\.org\/croissant/i.test(JSON.stringify(o['@context'] ?? '') + JSON.stringify(o['conformsTo'] ?? o['dct:conformsTo'] ?? ''));
}

interface Terms {
  text?: string;
  url?: string;
  name?: string;
}

/** `usageInfo` values: text, a URL, a CreativeWork (name, url, description), or a list of them. */
function usage(v: unknown): Terms[] {
  const list = Array.isArray(v) ? v.slice(0, 20) : [v];
  const out: Terms[] = [];
  for (const item of list) {
    if (typeof item === 'string' && item.trim() !== '') out.push(/^https?:\/\//i.test(item.trim()) ? { url: cut(item) } : { text: cut(item) });
    else if (typeof item === 'object' && item !== null) {
      const o = item as Record<string, unknown>;
      const url = o['url'] ?? o['@id'];
      const t: Terms = {};
      if (typeof url === 'string') t.url = cut(url);
      if (typeof o['name'] === 'string') t.name = cut(o['name']);
      if (typeof o['description'] === 'string') t.text = cut(o['description']);
      else if (typeof o['text'] === 'string') t.text = cut(o['text']);
      if (Object.keys(t).length > 0) out.push(t);
    }
  }
  return out;
}

function cut(s: string): string {
  const t = s.trim();
  return t.length > TEXT_MAX ? `${t.slice(0, TEXT_MAX - 3)}...` : t;
}
