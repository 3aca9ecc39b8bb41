/**
 * Licences and TDM reservations declared in the metadata an object store keeps beside an object:
 * S3 user metadata (`x-amz-meta-*`, put on the entry by @clearance/storage-s3 with its `metadata`
 * option) and object tags (`tag:*`, with its `tags` option). Reads no bytes: only `input.entry.metadata`.
 * The key names follow the conventions of the TDMRep HTTP headers (`tdm-reservation`, `tdm-policy`;
 * Reference: W3C TDMRep Final Community Group Report, §3.2 "HTTP headers") and of SPDX for licences.
 *
 * ok:     `x-amz-meta-license: Apache-2.0` → licence.object-metadata, Apache-2.0
 * ok:     `tag:tdm-reservation: 1` → optout.object-metadata.reserved (file level)
 * ok:     `x-amz-meta-tdm-reservation: 0` → optout.object-metadata.not-reserved
 * not-ok: `x-amz-meta-license: see website` → licence.object-metadata-invalid (expression null)
 * not-ok: `x-amz-meta-tdm-reservation: maybe` → optout.object-metadata.unknown
 * ignored: other metadata (`x-amz-meta-author`), ETags and checksums
 */
import { defineDetector, findingUrl } from '../../engine/detector.js';
import { parseSpdx } from '../../policy/spdx.js';
import type { FindingInput } from '../../schema/finding.js';

const ID = 'object-metadata';
/** Key names, after the `x-amz-meta-` or `tag:` prefix, lowercased. */
const LICENCE_KEYS = new Set(['license', 'licence', 'spdx-license-identifier', 'license-spdx']);
const RESERVATION_KEYS = new Set(['tdm-reservation']);
const POLICY_KEYS = new Set(['tdm-policy']);
/** Values longer than this are cut in the evidence: reports must stay short. */
const EXCERPT = 200;

/** The declarations of one metadata map: `[source key, name after the prefix, value]`. */
function declarations(metadata: Record<string, string>): { key: string; name: string; value: string }[] {
  const out = [];
  for (const [key, value] of Object.entries(metadata)) {
    const lower = key.toLowerCase();
    const name = lower.startsWith('x-amz-meta-') ? lower.slice('x-amz-meta-'.length) : lower.startsWith('tag:') ? lower.slice(4) : null;
    if (name !== null) out.push({ key, name, value: value.trim() });
  }
  return out;
}

export const objectMetadata = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'Licences and TDM reservations in object-store metadata (S3 x-amz-meta-* and tags)',
  match: { names: ['*'] },
  wants: {},
  codes: {
    'licence.object-metadata': {
      title: 'Licence in object metadata',
      meaning: 'The object store keeps a licence beside this object (S3 user metadata such as `x-amz-meta-license`, or an object tag `license`), as a valid SPDX expression. It applies to this object alone.',
      action: 'None: the policy judges the expression. If it is wrong, fix the metadata at the store.',
    },
    'licence.object-metadata-invalid': {
      title: 'Licence in object metadata that is not SPDX',
      meaning: 'The object store keeps a licence field beside this object whose value is not a valid SPDX expression. It is a licence statement whose meaning is unknown.',
      action: 'Read the value (the evidence gives it) and decide the licence by hand, or have the metadata corrected to an SPDX expression.',
    },
    'optout.object-metadata.reserved': {
      title: 'TDM rights reserved in object metadata',
      meaning: 'The object store keeps `tdm-reservation: 1` beside this object (user metadata or a tag), after the TDMRep convention: text-and-data-mining rights are reserved for this object.',
      action: 'Leave the object out of training, or obtain a licence from the rights holder (see `tdm-policy` when given).',
    },
    'optout.object-metadata.not-reserved': {
      title: 'TDM rights not reserved in object metadata',
      meaning: 'The object store keeps `tdm-reservation: 0` beside this object: its rights holder states that TDM rights are not reserved.',
      action: 'None.',
    },
    'optout.object-metadata.unknown': {
      title: 'Unreadable TDM reservation in object metadata',
      meaning: 'The object store keeps a `tdm-reservation` field beside this object whose value is neither 0 nor 1.',
      action: 'Read the value and ask the rights holder; until then treat the object as possibly reserved.',
    },
  },
  detect(input) {
    const metadata = input.entry.metadata;
    if (!metadata) return [];
    const out: FindingInput[] = [];
    const evidence = (key: string, value: string) => ({ path: input.path, excerpt: `${key}: ${value}`.slice(0, EXCERPT) });
    const scope = { kind: 'file' as const, root: input.path };
    const decl = declarations(metadata);
    const policy = decl.find((d) => POLICY_KEYS.has(d.name))?.value;
    for (const { key, name, value } of decl) {
      if (LICENCE_KEYS.has(name)) {
        try {
          const { canonical } = parseSpdx(value);
          out.push({ code: 'licence.object-metadata', category: 'licence', detector: ID, confidence: 0.95, value: { expression: canonical, written: value, key }, evidence: evidence(key, value), scope, url: findingUrl('licence.object-metadata') });
        } catch (err) {
          out.push({
            code: 'licence.object-metadata-invalid',
            category: 'licence',
            detector: ID,
            severity: 'warning',
            confidence: 0,
            value: { expression: null, written: value.slice(0, EXCERPT), key, problem: (err as Error).message },
            evidence: evidence(key, value),
            scope,
            url: findingUrl('licence.object-metadata-invalid'),
          });
        }
      } else if (RESERVATION_KEYS.has(name)) {
        const reserved = value === '1' ? 'yes' : value === '0' ? 'no' : 'unknown';
        const code = reserved === 'yes' ? 'optout.object-metadata.reserved' : reserved === 'no' ? 'optout.object-metadata.not-reserved' : 'optout.object-metadata.unknown';
        out.push({
          code,
          category: 'opt-out',
          detector: ID,
          severity: reserved === 'no' ? 'info' : 'warning',
          confidence: reserved === 'unknown' ? 0.5 : 0.95,
          value: { protocol: 'object-metadata', reserved, level: 'file', key, ...(policy !== undefined ? { policy: policy.slice(0, EXCERPT) } : {}) },
          evidence: evidence(key, value),
          scope,
          url: findingUrl(code),
        });
      }
    }
    return out;
  },
});
