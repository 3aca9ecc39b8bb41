/**
 * Finding values shared by the detectors that identify licence texts (licence-file, licence-text,
 * licence-choice): what was matched, where, and, for a modified text, what differed.
 */
import type { LicenceIdentification } from '../../licence-match/index.js';
import { excerpt } from '../text.js';

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 3)}...` : s);

/** The value of a licence finding: the expression, each licence found and its lines, how they were joined. */
export function licenceFindingValue(id: LicenceIdentification): Record<string, unknown> & { expression: string | null } {
  return {
    expression: id.expression,
    matches: id.matches.map((m) => ({
      id: m.id,
      name: m.name,
      kind: m.kind,
      lines: m.lines,
      confidence: m.confidence,
      ...(m.note ? { note: cut(m.note, 200) } : {}),
    })),
    ...(id.operator ? { operator: id.operator.op, operatorReason: id.operator.reason } : {}),
    ...(id.expression === null ? { reason: reasonOf(id) } : {}),
    ...(id.ambiguous.length > 0 ? { ambiguous: id.ambiguous } : {}),
  };
}

function reasonOf(id: LicenceIdentification): string {
  if (id.ambiguous.length > 0) return `the text matches ${id.ambiguous[0]!.join(' and ')} equally (they differ only where it is silent)`;
  if (id.additional) return 'the text beside the licence reads like added terms';
  if (id.nearMisses.length > 0) return `close to ${id.nearMisses[0]!.id} but modified`;
  if (id.matches.length > 0) return 'a licence notice that names no version';
  return 'no licence text Clearance knows';
}

/**
 * For a text that is no licence verbatim but close to one (or a licence with added terms): the
 * closest licence and what differed, with the first line to look at; null otherwise.
 */
export function modifiedValue(id: LicenceIdentification): { value: Record<string, unknown>; line: number; excerpt?: string } | null {
  if (id.expression !== null) return null;
  const near = id.nearMisses[0];
  if (!near && !id.additional) return null;
  const differences = (near?.differences ?? []).map((d) => ({
    kind: d.kind,
    line: d.line,
    ...(d.expected ? { expected: cut(d.expected, 80) } : {}),
    ...(d.found ? { found: cut(d.found, 80) } : {}),
    ...(d.typo ? { typo: true } : {}),
  }));
  const value: Record<string, unknown> = {
    ...(near ? { closest: { id: near.id, name: near.name, similarity: near.similarity }, differences } : {}),
    ...(id.additional ? { additional: { lines: id.additional.lines, words: id.additional.words } } : {}),
    ...(!near && id.matches[0] ? { closest: { id: id.matches[0].id, name: id.matches[0].name, similarity: id.matches[0].similarity } } : {}),
  };
  const line = id.additional?.lines.start ?? differences[0]?.line ?? near?.lines?.start ?? 1;
  const text = id.additional ? id.additional.excerpt : differences[0] ? describe(differences[0]) : undefined;
  return { value, line, ...(text ? { excerpt: excerpt(text) } : {}) };
}

function describe(d: { kind: string; expected?: string; found?: string }): string {
  if (d.kind === 'added') return `added: ${d.found ?? ''}`;
  if (d.kind === 'missing') return `missing: ${d.expected ?? ''}`;
  return `changed: ${d.expected ?? ''} → ${d.found ?? ''}`;
}

/** The line of `text` that contains `offset`, trimmed and cut to an excerpt. */
export function firstLineOf(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  return excerpt(text.slice(start, end < 0 ? text.length : end).replace(/[#*_>`]+/g, ' ').replace(/\s+/g, ' '));
}
