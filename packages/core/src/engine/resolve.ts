import type { Finding, LicenceFinding } from '../schema/finding.js';
import type { RecordLicence, RecordOptOut, RecordTpm } from '../schema/record.js';

/** The SPDX word for "no licence could be determined". */
export const NOASSERTION = 'NOASSERTION';

/**
 * The effective licence from a file's resolved findings. Only the winning level counts (shadowed
 * findings lost to a nearer one). One expression there is the answer; several disagreeing ones are
 * a conflict, answered with NOASSERTION and every statement listed, never a guess.
 */
export function effectiveLicence(findings: readonly Finding[]): RecordLicence {
  const active = findings.filter((f): f is LicenceFinding => f.category === 'licence' && f.shadowed !== true);
  if (active.length === 0) return { expression: NOASSERTION, confidence: 0, source: 'none', basis: [], conflicts: [] };
  const identified = active.filter((f) => f.value.expression !== null);
  const expressions = [...new Set(identified.map((f) => f.value.expression!))];
  const source = active[0]!.inherited ? (active[0]!.scope.kind === 'dataset' ? 'dataset' : 'subtree') : 'file';
  const conflict = (f: LicenceFinding) => ({ expression: f.value.expression, path: f.evidence.path, code: f.code });
  if (expressions.length === 1) {
    const winners = identified;
    return {
      expression: expressions[0]!,
      confidence: Math.min(...winners.map((f) => f.confidence)),
      source,
      basis: unique(winners.map((f) => f.evidence.path)),
      // A licence file whose text is not identified yet may say something else: shown, not dropped.
      conflicts: active.filter((f) => f.value.expression === null).map(conflict),
    };
  }
  return {
    expression: NOASSERTION,
    confidence: 0,
    source,
    basis: unique(active.map((f) => f.evidence.path)),
    conflicts: expressions.length > 1 ? active.map(conflict) : [],
  };
}

export function optOutsOf(findings: readonly Finding[]): RecordOptOut[] {
  const out: RecordOptOut[] = [];
  for (const f of findings) {
    if (f.category !== 'opt-out' || f.shadowed === true) continue;
    const { protocol, reserved, level, rule } = f.value;
    out.push({ protocol, reserved, ...(level !== undefined ? { level } : {}), ...(rule !== undefined ? { rule } : {}), code: f.code, scope: f.scope, evidence: f.evidence });
  }
  return out;
}

export function tpmOf(findings: readonly Finding[]): RecordTpm[] {
  const out: RecordTpm[] = [];
  for (const f of findings) {
    if (f.category !== 'tpm' || f.shadowed === true) continue;
    const { format, scheme, system, needsSecret, denied } = f.value;
    out.push({ format, scheme, ...(system !== undefined ? { system } : {}), needsSecret, denied, code: f.code, evidence: f.evidence });
  }
  return out;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
