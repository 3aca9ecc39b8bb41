/**
 * Machine-readable TDM policies: the ODRL offers a TDMRep `tdm-policy` URL points to, when the
 * dataset holds them (`news/.well-known/tdm-policy.json`). It reports, on the policy file itself,
 * what the policy permits and on which duties (obtain consent, compensate) and constraints
 * (research purpose only, …) — the terms on which a reserved file may still be mined.
 *
 * The join with the files a policy governs is by path: every TDMRep finding that names a policy
 * carries `policyPath` (see optout-common/policy-url.ts), the dataset path of this file. A detector
 * sees one file at a time, so it cannot copy the policy's terms into each reserved file's finding.
 *
 * Reference: TDMRep final community group report (2024), §"Expressing a TDM Policy": a profile of
 * ODRL 2.2 — `@context` http://www.w3.org/ns/odrl.jsonld, `@type` Offer, `profile`
 * http://www.w3.org/ns/tdmrep, `assigner` (vCard), `permission` with `action` tdm:mine, `duty`
 * (`obtainConsent`, `compensate`) and `constraint` (`purpose` eq `tdm:research` / `tdm:non-research`).
 *
 * Cheap first: a JSON file is only parsed when its text names the ODRL context. Contact details of
 * the assigner other than its name and web page are left out of reports.
 *
 * ok:     the report's full example → optout.tdmrep.policy: permission tdm:mine, duty obtainConsent
 * not-ok: a JSON file without the ODRL context → nothing
 */
import { defineDetector, findingUrl } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { clip } from '../optout-common/findings.js';
import { decodeText } from '../text.js';

const ID = 'tdmrep-policy';
/** A TDM policy is a few KiB; larger JSON files are not policies worth parsing in full. */
const MAX_BYTES = 64 * 1024;
const ODRL = 'www.w3.org/ns/odrl';
const TDMREP_PROFILE = /^https?:\/\/www\.w3\.org\/ns\/tdmrep\/?$/;

interface Rule {
  action: string[];
  target?: string;
  duties?: string[];
  constraints?: { leftOperand: string; operator: string; rightOperand: string }[];
}

export const tdmrepPolicy = defineDetector({
  id: ID,
  version: '1.0.0',
  description: 'TDMRep machine-readable TDM policies (ODRL offers): permissions, duties and constraints',
  match: { names: ['*.json', '*.jsonld'] },
  wants: { head: MAX_BYTES },
  codes: {
    'optout.tdmrep.policy': {
      title: 'TDM policy (ODRL offer)',
      meaning: 'This file is a machine-readable TDM policy: an ODRL offer, in the TDMRep profile when `tdmrepProfile` is true. It lists what the rights holder permits (`permissions`: actions such as tdm:mine, with `duties` such as obtainConsent or compensate and `constraints` such as purpose eq tdm:research), prohibits and obliges. Reserved files whose TDMRep finding has this file as `policyPath` may be mined on these terms.',
      action: 'Meet the duties (ask for consent, pay) before mining the files that point here, or leave them out.',
    },
    'optout.tdmrep.policy-invalid': {
      title: 'TDM policy cannot be read',
      meaning: 'A JSON file that names the ODRL context is not valid JSON, not a JSON object, or larger than 64 KiB, so the policy\'s terms are not known.',
      action: 'Read the policy by hand.',
    },
  },
  detect(input) {
    // A byte search first: most JSON files are not policies and are never decoded.
    const head = input.head.subarray(0, MAX_BYTES);
    if (Buffer.from(head.buffer, head.byteOffset, head.byteLength).indexOf(ODRL) < 0) return [];
    const text = decodeText(head);
    const invalid = (problem: string): FindingInput[] => [
      {
        code: 'optout.tdmrep.policy-invalid',
        category: 'notice',
        detector: ID,
        severity: 'warning',
        confidence: 1,
        value: { problem },
        evidence: { path: input.path },
        scope: { kind: 'file', root: input.path },
        url: findingUrl('optout.tdmrep.policy-invalid'),
      },
    ];
    if (input.size > MAX_BYTES) return invalid(`larger than ${MAX_BYTES} bytes`);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      return invalid(`not JSON: ${clip((err as Error).message, 120)}`);
    }
    if (!isObject(data)) return invalid('not a JSON object');
    const permissions = rules(data['permission']);
    const prohibitions = rules(data['prohibition']);
    const obligations = rules(data['obligation']);
    if (permissions.length + prohibitions.length + obligations.length === 0) return [];
    const profile = str(data['profile']);
    const assigner = isObject(data['assigner']) ? data['assigner'] : undefined;
    const assignerName = assigner ? (str(assigner['vcard:fn']) ?? str(assigner['fn']) ?? str(assigner['uid'])) : str(data['assigner']);
    const assignerUrl = assigner ? (str(assigner['vcard:hasURL']) ?? str(assigner['hasURL'])) : undefined;
    return [
      {
        code: 'optout.tdmrep.policy',
        category: 'provenance',
        detector: ID,
        confidence: 0.9,
        value: {
          tdmrepProfile: profile !== undefined && TDMREP_PROFILE.test(profile),
          ...(str(data['uid']) ? { uid: str(data['uid']) } : {}),
          ...(str(data['@type']) ? { type: str(data['@type']) } : {}),
          ...(profile ? { profile } : {}),
          ...(assignerName ? { assigner: assignerName } : {}),
          ...(assignerUrl ? { assignerUrl } : {}),
          permissions,
          ...(prohibitions.length > 0 ? { prohibitions } : {}),
          ...(obligations.length > 0 ? { obligations } : {}),
        },
        evidence: { path: input.path, line: 1 },
        scope: { kind: 'file', root: input.path },
        url: findingUrl('optout.tdmrep.policy'),
      },
    ];
  },
});

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return clip(v.trim(), 200);
  // JSON-LD node reference: {"@id": "..."}.
  if (isObject(v) && typeof v['@id'] === 'string') return clip(v['@id'], 200);
  return undefined;
}

/** ODRL allows one object or an array of them wherever a set is expected. */
function list(v: unknown, max: number): unknown[] {
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).slice(0, max);
}

/** An action: a string, a node reference, or an object with `rdf:value` (refined actions). */
function actions(v: unknown): string[] {
  return list(v, 10).flatMap((a) => {
    const s = str(a) ?? (isObject(a) ? str(a['rdf:value']) : undefined);
    return s ? [s] : [];
  });
}

function rules(v: unknown): Rule[] {
  return list(v, 20).flatMap((r) => {
    if (!isObject(r)) return [];
    const rule: Rule = { action: actions(r['action']) };
    const target = str(r['target']);
    if (target) rule.target = target;
    const duties = list(r['duty'], 10).flatMap((d) => (isObject(d) ? actions(d['action']) : []));
    if (duties.length > 0) rule.duties = duties;
    const constraints = list(r['constraint'], 10).flatMap((c) => {
      if (!isObject(c)) return [];
      const leftOperand = str(c['leftOperand']);
      const operator = str(c['operator']);
      const rightOperand = str(c['rightOperand']) ?? (typeof c['rightOperand'] === 'number' ? String(c['rightOperand']) : undefined);
      return leftOperand && operator && rightOperand ? [{ leftOperand, operator, rightOperand }] : [];
    });
    if (constraints.length > 0) rule.constraints = constraints;
    return [rule];
  });
}
