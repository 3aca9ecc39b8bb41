import type { Decision, Evidence, Reason, ScanRecord } from '@clearance/core';

/**
 * Small readings of a record that several reporters share: which reasons keep a file out, which
 * evidence a reason rests on, which protocol a reservation belongs to, the file's modality and
 * folder. Pure functions over one record; nothing here holds state.
 */

/** How serious a kept-out file is, in the words SARIF and GitHub annotations use. */
export type Level = 'error' | 'warning' | 'note';

/** `exclude` → error, `review` → warning, `allow` → note. */
export const DECISION_LEVEL: Readonly<Record<Decision, Level>> = { exclude: 'error', review: 'warning', allow: 'note' };

const LEVEL_RANK: Readonly<Record<Level, number>> = { note: 0, warning: 1, error: 2 };

/** The more serious of two levels. */
export function maxLevel(a: Level, b: Level): Level {
  return LEVEL_RANK[a] >= LEVEL_RANK[b] ? a : b;
}

/** A finding's severity as a level: `info` → note. */
export function severityLevel(severity: 'info' | 'warning' | 'error'): Level {
  return severity === 'info' ? 'note' : severity;
}

/** The reasons that kept the file out (decision `review` or `exclude`), most serious first. */
export function blockingReasons(record: ScanRecord): Reason[] {
  return record.verdict.reasons.filter((r) => r.decision !== 'allow').sort((a, b) => (a.decision === b.decision ? 0 : a.decision === 'exclude' ? -1 : 1));
}

/** The finding category a policy reason code speaks about (`optout.reserved` → `opt-out`), or `error`. */
export function reasonCategory(code: string): 'licence' | 'opt-out' | 'tpm' | 'error' | undefined {
  if (code.startsWith('licence.')) return 'licence';
  if (code.startsWith('optout.')) return 'opt-out';
  if (code.startsWith('tpm.')) return 'tpm';
  if (code === 'error') return 'error';
  return undefined;
}

/**
 * The protocol of an opt-out reason. The policy writes each opt-out reason as
 * `<protocol> reserves …`, `<protocol> may reserve …` or `<protocol> reservation at … not
 * honoured`, and records the reservation in `optOuts`; the protocol is the one of those whose name
 * starts the message. Undefined when none matches (a reason from another policy engine).
 */
export function reasonProtocol(record: ScanRecord, reason: Reason): string | undefined {
  if (!reason.code.startsWith('optout.')) return undefined;
  let best: string | undefined;
  for (const o of record.optOuts) {
    if (reason.message.startsWith(`${o.protocol} `) && (best === undefined || o.protocol.length > best.length)) best = o.protocol;
  }
  return best;
}

/** The evidence a reason rests on, when the record says: the reservation, the TPM or the licence statement. */
export function reasonEvidence(record: ScanRecord, reason: Reason): Evidence | undefined {
  switch (reasonCategory(reason.code)) {
    case 'opt-out': {
      const protocol = reasonProtocol(record, reason);
      const wanted = reason.code === 'optout.unknown' ? 'unknown' : 'yes';
      return (record.optOuts.find((o) => o.protocol === protocol && o.reserved === wanted) ?? record.optOuts.find((o) => o.protocol === protocol))?.evidence;
    }
    case 'tpm': {
      const needsSecret = reason.code === 'tpm.present';
      return (record.tpm.find((t) => t.needsSecret === needsSecret) ?? record.tpm[0])?.evidence;
    }
    case 'licence': {
      const basis = new Set(record.licence.basis);
      const f = record.findings.find((x) => x.category === 'licence' && x.shadowed !== true && basis.has(x.evidence.path));
      return f?.evidence;
    }
    default:
      return undefined;
  }
}

/** Licence expressions a record's own findings state for the whole dataset (a marker at its top). */
export function datasetWideLicences(record: ScanRecord): string[] {
  const out: string[] = [];
  for (const f of record.findings) {
    if (f.category !== 'licence' || f.inherited === true || f.shadowed === true || f.value.expression === null) continue;
    if (f.scope.kind === 'dataset' || (f.scope.kind === 'subtree' && f.scope.root === '')) out.push(f.value.expression);
  }
  return out;
}

/** Modalities in the words of the EU training-content template (text, image, audio, video, other). */
export type Modality = 'text' | 'image' | 'audio' | 'video' | 'other';

const TEXT_APPLICATION = /^application\/(?:json|ld\+json|x-ndjson|jsonl|xml|xhtml\+xml|javascript|x-javascript|typescript|sql|x-sh|x-python|x-yaml|yaml|toml|x-tex|rtf|pdf|msword|epub\+zip|vnd\.oasis\.opendocument\.text|vnd\.openxmlformats-officedocument\.wordprocessingml\.document|x-empty)$/;

/**
 * The modality of a media type. Documents (PDF, EPUB, word-processor files) and source code count as
 * text, because that is what a model is trained on from them; archives, fonts and unknown binaries
 * are `other`.
 */
export function modalityOf(mediaType: string | null): Modality {
  if (!mediaType) return 'other';
  const top = mediaType.slice(0, mediaType.indexOf('/'));
  if (top === 'text') return 'text';
  if (top === 'image' || top === 'audio' || top === 'video') return top;
  if (TEXT_APPLICATION.test(mediaType)) return 'text';
  return 'other';
}

/** Name of the folder a record counts under in per-folder tables: its first path segment, or `(top level)`. */
export const TOP_LEVEL = '(top level)';
export function folderOf(path: string): string {
  const slash = path.indexOf('/');
  return slash === -1 ? TOP_LEVEL : path.slice(0, slash);
}

/** `a`, `b` → `a b` with a space, skipping empties. */
export function joinWords(...parts: (string | undefined | false)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join(' ');
}
