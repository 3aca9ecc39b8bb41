import type { Decision, Reason, RecordError, RecordLicence, RecordOptOut, RecordTpm, Verdict } from '../schema/record.js';
import { NOASSERTION } from '../engine/resolve.js';
import type { Policy } from './schema.js';
import { parseSpdx, standing } from './spdx.js';

const RANK: Record<Decision, number> = { allow: 0, review: 1, exclude: 2 };

/** A policy made ready for many evaluations: allow and deny lists as sets of canonical leaves. */
export interface CompiledPolicy {
  policy: Policy;
  allow: ReadonlySet<string>;
  deny: ReadonlySet<string>;
  honours(protocol: string): boolean;
}

export function compilePolicy(policy: Policy): CompiledPolicy {
  const toLeaves = (list: readonly string[]) => {
    const out = new Set<string>();
    for (const e of list) for (const leaf of leavesOf(e)) out.add(leaf);
    return out;
  };
  const honoured = policy.optOuts.honour === 'all' ? null : new Set(policy.optOuts.honour);
  return {
    policy,
    allow: toLeaves(policy.licences.allow),
    deny: toLeaves(policy.licences.deny),
    honours: (protocol) => honoured === null || honoured.has(protocol),
  };
}

function leavesOf(expression: string): string[] {
  const { canonical } = parseSpdx(expression);
  // An allow entry "A OR B" allows both A and B.
  return canonical.split(/\s+(?:AND|OR)\s+/).map((s) => s.replace(/[()]/g, '').trim());
}

/** What the record's facts mean under the policy: every rule that fired, and the strictest decision. */
export function evaluate(
  compiled: CompiledPolicy,
  facts: { licence: RecordLicence; optOuts: readonly RecordOptOut[]; tpm: readonly RecordTpm[]; errors: readonly RecordError[] },
): Verdict {
  const { policy } = compiled;
  const reasons: Reason[] = [];

  for (const e of facts.errors) {
    reasons.push({ code: 'error', decision: policy.errors, message: `${e.code}: ${e.message}` });
  }
  for (const t of facts.tpm) {
    const decision = t.needsSecret ? policy.tpm.action : policy.tpm.restrictionsOnly;
    const what = t.system ? `${t.format} ${t.scheme} (${t.system})` : `${t.format} ${t.scheme}`;
    const denied = t.denied.length > 0 ? `; denies ${t.denied.join(', ')}` : '';
    reasons.push({ code: t.needsSecret ? 'tpm.present' : 'tpm.restrictions', decision, message: `${what}${t.needsSecret ? ', needs a secret to open' : ''}${denied}` });
  }
  for (const o of facts.optOuts) {
    if (o.reserved === 'no') continue;
    if (!compiled.honours(o.protocol)) {
      reasons.push({ code: 'optout.not-honoured', decision: 'allow', message: `${o.protocol} reservation at ${o.evidence.path} not honoured by the policy` });
      continue;
    }
    const rule = o.rule !== undefined ? `, ${o.rule}` : '';
    if (o.reserved === 'unknown') {
      reasons.push({ code: 'optout.unknown', decision: policy.optOuts.unknown, message: `${o.protocol} may reserve text and data mining, but it cannot be read for sure (${o.evidence.path}${rule})` });
    } else {
      reasons.push({ code: 'optout.reserved', decision: policy.optOuts.action, message: `${o.protocol} reserves text and data mining (${o.evidence.path}${rule})` });
    }
  }
  reasons.push(licenceReason(compiled, facts.licence));

  let decision: Decision = 'allow';
  for (const r of reasons) if (RANK[r.decision] > RANK[decision]) decision = r.decision;
  return { decision, reasons };
}

function licenceReason(compiled: CompiledPolicy, licence: RecordLicence): Reason {
  const { policy } = compiled;
  // effectiveLicence lists conflicts with NOASSERTION only when identified statements disagree.
  if (licence.expression === NOASSERTION && licence.conflicts.length > 0) {
    const list = licence.conflicts.map((c) => `${c.expression ?? 'unidentified'} (${c.path})`).join('; ');
    return { code: 'licence.conflict', decision: policy.licences.conflict, message: `licence statements disagree: ${list}` };
  }
  if (licence.expression === NOASSERTION) {
    const why = licence.basis.length > 0 ? `the licence statement at ${licence.basis.join(', ')} is not identified (see its findings)` : 'no licence found';
    return { code: 'licence.unknown', decision: policy.licences.unknown, message: why };
  }
  let result;
  try {
    result = standing(parseSpdx(licence.expression).ast, compiled.allow, compiled.deny);
  } catch {
    return { code: 'licence.unknown', decision: policy.licences.unknown, message: `licence expression ${licence.expression} cannot be evaluated` };
  }
  const unidentified = licence.conflicts.filter((c) => c.expression === null);
  if (result === 'allowed' && unidentified.length > 0) {
    const paths = unidentified.map((c) => c.path).join(', ');
    return { code: 'licence.partly-unknown', decision: policy.licences.unknown, message: `${licence.expression} is allowed, but the licence text at ${paths} is not identified yet` };
  }
  switch (result) {
    case 'allowed':
      return { code: 'licence.allowed', decision: 'allow', message: `${licence.expression} is allowed` };
    case 'denied':
      return { code: 'licence.denied', decision: 'exclude', message: `${licence.expression} is denied by the policy` };
    default:
      return { code: 'licence.unlisted', decision: policy.licences.unlisted, message: `${licence.expression} is neither allowed nor denied by the policy` };
  }
}
