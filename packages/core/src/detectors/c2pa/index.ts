/**
 * C2PA / CAWG training-and-data-mining assertions in a file's embedded C2PA manifest store: JPEG
 * APP11 segments (reassembled), PNG `caBX`, WebP `C2PA`, and ISO-BMFF (HEIF, AVIF, MP4, MOV) `uuid`
 * boxes. Reads the active manifest's `c2pa.training-mining` (C2PA 1.x) and `cawg.training-mining`
 * (CAWG) assertions, with their instance suffixes (`__1`) and versions (`.v2`). Signatures are not
 * validated: every finding says `validated: false`. Level: file.
 *
 * Reference: C2PA Specification 1.3 §18.14 "Training and Data Mining" (label `c2pa.training-mining`,
 * entries `c2pa.ai_training`, `c2pa.ai_generative_training`, `c2pa.data_mining`, `c2pa.ai_inference`
 * with `use` allowed / notAllowed / constrained and `constraint_info`); CAWG Training and Data Mining
 * Assertion 1.1 (label `cawg.training-mining`, the same entries under `cawg.`; other entry keys are
 * allowed, the CDDL's `* tstr => any`).
 *
 * | entry | use | reserved | code |
 * | --- | --- | --- | --- |
 * | `ai_training`, `ai_generative_training`, `data_mining` | `notAllowed` | yes | optout.c2pa.reserved |
 * | same | `allowed` | no | optout.c2pa.allowed |
 * | same | `constrained` | unknown, with `constraint_info` | optout.c2pa.constrained |
 * | same | anything else | unknown | optout.c2pa.unrecognised |
 * | `ai_inference` | any | — (using the file as model input is not training) | c2pa.ai-inference (notice) |
 * | other keys | any | — | c2pa.custom-entry (notice) |
 *
 * Only the active manifest (the last in the store) speaks for the file; assertions of ingredient
 * manifests describe the ingredients. A manifest store that cannot be read whole says `unknown`
 * when its bytes mention a training-mining label, and gets a notice otherwise.
 *
 * ok:     `cawg.training-mining` { entries: { "cawg.ai_training": { use: "notAllowed" } } } → optout.c2pa.reserved (yes)
 * ok:     { "cawg.data_mining": { use: "constrained", constraint_info: "…" } } → optout.c2pa.constrained (unknown)
 * not-ok: { "cawg.ai_training": { use: "forbidden" } } → optout.c2pa.unrecognised (unknown)
 */
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput, Reserved } from '../../schema/finding.js';
import { ascii, indexOf } from '../xmp/bytes.js';
import { EMBEDDED_WANTS, readEmbedded, type EmbeddedBlock } from '../xmp/index.js';
import { C2PA_UUID } from './jumbf.js';
import { entriesOf, field, readManifestStore, type Assertion } from './manifest.js';

const ID = 'c2pa';
const LABEL = /^(c2pa|cawg)\.training-mining(?:\.v\d+)?(?:__\d+)?$/;
const ENTRY = /^(c2pa|cawg)\.(ai_training|ai_generative_training|data_mining|ai_inference)$/;
const TEXT_MAX = 500;

export const c2pa = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'C2PA / CAWG training-and-data-mining assertions in an embedded C2PA manifest store (not signature-validated)',
  match: { mediaTypes: ['image/*', 'video/*', 'audio/*'] },
  wants: EMBEDDED_WANTS,
  data: { 'c2pa-training-mining': 'C2PA 1.3 §18.14; CAWG training-mining 1.1' },
  codes: {
    'optout.c2pa.reserved': {
      title: 'C2PA training and data mining: not allowed',
      meaning: 'The file\'s active C2PA manifest has a `c2pa.training-mining` or `cawg.training-mining` assertion whose `ai_training`, `ai_generative_training` or `data_mining` entry has `use: notAllowed`. The manifest\'s signature was not validated (`validated: false`): the statement is read as written.',
      action: 'Leave the file out of training, or obtain permission; validate the manifest (c2patool) if the claim may be forged.',
    },
    'optout.c2pa.allowed': {
      title: 'C2PA training and data mining: allowed',
      meaning: 'An entry of the active manifest\'s training-mining assertion has `use: allowed`. No reservation for that use. Not signature-validated.',
      action: 'Nothing; keep the finding as evidence.',
    },
    'optout.c2pa.constrained': {
      title: 'C2PA training and data mining: constrained',
      meaning: 'An entry of the active manifest\'s training-mining assertion has `use: constrained`: allowed only under the terms in `constraint_info` (carried in the finding). Whether training meets them cannot be read by a machine, so the reservation is `unknown`.',
      action: 'Read the constraint and decide; until then the file goes to review.',
    },
    'optout.c2pa.unrecognised': {
      title: 'C2PA training and data mining: unrecognised value',
      meaning: 'A training-mining entry of the active manifest has a `use` other than allowed, notAllowed or constrained, or is not a map. It states a preference that cannot be read, so the reservation is `unknown`.',
      action: 'Inspect the manifest (c2patool FILE) and decide.',
    },
    'optout.c2pa.unreadable': {
      title: 'C2PA manifest store with a training-mining assertion that could not be read',
      meaning: 'The file\'s C2PA manifest store mentions a training-mining assertion but could not be read: a box length lies, the store is cut short or too large, or the assertion\'s CBOR does not decode. It may reserve training, so the reservation is `unknown`.',
      action: 'Inspect the manifest with c2patool and decide.',
    },
    'c2pa.ai-inference': {
      title: 'C2PA AI inference preference',
      meaning: 'The active manifest\'s training-mining assertion has an `ai_inference` entry: whether the file may be used as input to a trained model. That is not training, so it is reported as a notice, not a reservation.',
      action: 'Respect it if the data is also used for inference (for example retrieval at run time).',
    },
    'c2pa.custom-entry': {
      title: 'C2PA training-mining entry of another vocabulary',
      meaning: 'The training-mining assertion has an entry whose key is not one of the C2PA/CAWG entries (`* tstr => any` in the CAWG CDDL). Its meaning is the issuer\'s; it is reported, not interpreted.',
      action: 'Read the entry and decide whether it restricts your use.',
    },
    'c2pa.manifest-unreadable': {
      title: 'C2PA manifest store not fully read',
      meaning: 'The file carries a C2PA manifest store that could not be read whole (cut short, too large, lying box lengths) and whose bytes read so far do not mention a training-mining assertion. One may be in the part not read.',
      action: 'Inspect the manifest with c2patool if training permissions matter for this file.',
    },
  },
  detect(input) {
    const { blocks } = readEmbedded(input);
    const out: FindingInput[] = [];
    for (const block of blocks) if (block.kind === 'jumbf') out.push(...fromBlock(input, block));
    return out;
  },
});

const MENTION = ascii('training-mining');

function fromBlock(input: DetectorInput, block: EmbeddedBlock): FindingInput[] {
  const { bytes } = block;
  const mentioned = bytes !== null && indexOf(bytes, MENTION) >= 0;
  const evidence = { path: input.path, byteOffset: block.byteOffset };
  const store = bytes !== null && block.complete ? readManifestStore(bytes) : null;
  if (!store) {
    const problem = bytes === null || !block.complete ? (block.problem ?? 'incomplete') : 'the manifest store\'s boxes do not parse';
    if (mentioned) return [unreadable(input, block, problem, evidence)];
    // Other JUMBF (not a C2PA store) is none of our business; a C2PA store we could not read is worth a notice.
    if (bytes !== null && !looksLikeStore(bytes)) return [];
    return [notice(input, block, problem, evidence)];
  }
  const out = findings(input, block, store.assertions, store.manifests.length);
  if (store.problems.length === 0) return out;
  const problem = store.problems.join('; ').slice(0, 300);
  // Lying boxes after what was read: what was read stands; the rest may hide a training-mining assertion.
  if (mentioned && !out.some((f) => f.category === 'opt-out')) return [...out, unreadable(input, block, problem, evidence)];
  if (!mentioned && out.length === 0) return [notice(input, block, problem, evidence)];
  return out;
}

/** A `jumb` box whose description box carries the C2PA manifest-store UUID (read from the raw bytes). */
function looksLikeStore(b: Uint8Array): boolean {
  const at = indexOf(b.subarray(0, 64), ascii('jumd'));
  return at >= 0 && Buffer.from(b.subarray(at + 4, at + 20)).toString('hex') === C2PA_UUID.store;
}

function notice(input: DetectorInput, block: EmbeddedBlock, problem: string, evidence: { path: string; byteOffset: number }): FindingInput {
  return {
    code: 'c2pa.manifest-unreadable',
    category: 'notice',
    detector: ID,
    severity: 'warning',
    confidence: 1,
    value: { problem, container: block.container, location: block.location },
    evidence,
    scope: { kind: 'file', root: input.path },
    url: findingUrl('c2pa.manifest-unreadable'),
  };
}

function unreadable(input: DetectorInput, block: EmbeddedBlock, problem: string, evidence: { path: string; byteOffset: number }): FindingInput {
  return {
    code: 'optout.c2pa.unreadable',
    category: 'opt-out',
    detector: ID,
    severity: 'warning',
    confidence: 0.5,
    value: { protocol: 'c2pa', reserved: 'unknown', level: 'file', rule: 'unreadable manifest store', problem, validated: false, container: block.container, location: block.location },
    evidence,
    scope: { kind: 'file', root: input.path },
    url: findingUrl('optout.c2pa.unreadable'),
  };
}

function findings(input: DetectorInput, block: EmbeddedBlock, assertions: readonly Assertion[], manifests: number): FindingInput[] {
  const out: FindingInput[] = [];
  // Offsets inside a store reassembled from JPEG segments do not map to the file past the first segment.
  const at = (offset: number) => (block.location === 'app11' || block.compressed ? block.byteOffset : block.byteOffset + offset);
  const where = { validated: false, container: block.container, location: block.location, manifests };
  for (const a of assertions) {
    if (!LABEL.test(a.label)) continue;
    const evidence = { path: input.path, byteOffset: at(a.offset) };
    if (!a.content.ok) {
      out.push(unreadable(input, block, `${a.label}: ${a.content.problem}`, evidence));
      continue;
    }
    const entries = entriesOf(field(a.content.value, 'entries'));
    if (!entries) {
      out.push(opt(input, 'optout.c2pa.unrecognised', 'unknown', `${a.label}: no entries map`, { assertion: a.label, ...where }, evidence));
      continue;
    }
    for (const [key, entry] of entries) {
      const use = field(entry, 'use');
      const constraint = field(entry, 'constraint_info');
      const info = { assertion: a.label, entry: key, ...(typeof use === 'string' ? { use: use.slice(0, 100) } : {}), ...(typeof constraint === 'string' ? { constraint: constraint.slice(0, TEXT_MAX) } : {}), ...where };
      const rule = `${a.label} ${key}: ${typeof use === 'string' ? use.slice(0, 60) : JSON.stringify(use)?.slice(0, 60) ?? 'no use'}`;
      const m = ENTRY.exec(key);
      if (!m || m[2] === 'ai_inference') {
        const code = m ? 'c2pa.ai-inference' : 'c2pa.custom-entry';
        out.push({ code, category: 'notice', detector: ID, confidence: 0.9, value: info, evidence: { ...evidence, excerpt: rule.slice(0, 200) }, scope: { kind: 'file', root: input.path }, url: findingUrl(code) });
        continue;
      }
      if (use === 'notAllowed') out.push(opt(input, 'optout.c2pa.reserved', 'yes', rule, info, evidence));
      else if (use === 'allowed') out.push(opt(input, 'optout.c2pa.allowed', 'no', rule, info, evidence));
      else if (use === 'constrained') out.push(opt(input, 'optout.c2pa.constrained', 'unknown', rule, info, evidence));
      else out.push(opt(input, 'optout.c2pa.unrecognised', 'unknown', rule, info, evidence));
    }
  }
  return out;
}

function opt(input: DetectorInput, code: string, reserved: Reserved, rule: string, info: Record<string, unknown>, evidence: { path: string; byteOffset: number }): FindingInput {
  const warning = code === 'optout.c2pa.unrecognised';
  return {
    code,
    category: 'opt-out',
    detector: ID,
    severity: warning ? 'warning' : 'info',
    // Read as written, signature not validated: high but not full confidence.
    confidence: warning ? 0.5 : 0.85,
    value: { protocol: 'c2pa', reserved, level: 'file', rule, ...info },
    evidence: { ...evidence, excerpt: rule.slice(0, 200) },
    scope: { kind: 'file', root: input.path },
    url: findingUrl(code),
  };
}
