import { z } from 'zod';
import { RECORD_ERROR_CODES } from '../errors.js';
import { EvidenceSchema, FindingSchema, ReservedSchema, ScopeSchema } from './finding.js';

/** The effective licence of a file: an SPDX expression, `NOASSERTION` when unknown. */
export const RecordLicenceSchema = z.object({
  expression: z.string(),
  confidence: z.number().min(0).max(1),
  /** Where it came from: the file itself, a marker above it, or nowhere. */
  source: z.enum(['file', 'subtree', 'dataset', 'none']),
  /** Paths of the files whose findings decided it. */
  basis: z.array(z.string()),
  /** Other licence statements at the same level that disagree; non-empty means the licence is in conflict. */
  conflicts: z.array(z.object({ expression: z.string().nullable(), path: z.string(), code: z.string() })),
});
export type RecordLicence = z.infer<typeof RecordLicenceSchema>;

export const RecordOptOutSchema = z.object({
  protocol: z.string(),
  reserved: ReservedSchema,
  level: z.string().optional(),
  /** The rule that matched, as the protocol writes it (`Disallow: /news/`, `location: /articles/*`). */
  rule: z.string().optional(),
  code: z.string(),
  scope: ScopeSchema,
  evidence: EvidenceSchema,
});
export type RecordOptOut = z.infer<typeof RecordOptOutSchema>;

export const RecordTpmSchema = z.object({
  format: z.string(),
  scheme: z.string(),
  system: z.string().optional(),
  needsSecret: z.boolean(),
  denied: z.array(z.string()),
  code: z.string(),
  evidence: EvidenceSchema,
});
export type RecordTpm = z.infer<typeof RecordTpmSchema>;

export const DECISIONS = ['allow', 'review', 'exclude'] as const;
export type Decision = (typeof DECISIONS)[number];

export const ReasonSchema = z.object({
  /** Stable reason code, e.g. `licence.allowed`, `optout.reserved`, `tpm.present`, `error`. */
  code: z.string(),
  decision: z.enum(DECISIONS),
  message: z.string(),
});
export type Reason = z.infer<typeof ReasonSchema>;

export const VerdictSchema = z.object({ decision: z.enum(DECISIONS), reasons: z.array(ReasonSchema) });
export type Verdict = z.infer<typeof VerdictSchema>;

export const RecordErrorSchema = z.object({
  code: z.enum(RECORD_ERROR_CODES),
  message: z.string(),
  detector: z.string().optional(),
});
export type RecordError = z.infer<typeof RecordErrorSchema>;

/** One file's whole answer. Streamed as one JSON line per file. Field names are stable. */
export const RecordSchema = z.object({
  /** Relative POSIX path inside the source. Bytes that are not UTF-8 are written as %XX. */
  path: z.string(),
  /** Hex of the raw path bytes, present only when the name is not valid UTF-8. */
  pathBytes: z.string().optional(),
  size: z.number().int().nonnegative(),
  mtime: z.string().optional(),
  etag: z.string().optional(),
  /** Metadata the store keeps beside the object (S3 user metadata, tags). */
  metadata: z.record(z.string(), z.string()).optional(),
  /** Hex sha256 of the bytes, null when hashing is off or the file could not be read whole. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  /** Media type sniffed from content (file-type), else from the extension; null when unread. */
  mediaType: z.string().nullable(),
  /** True for files recognised as markers (LICENSE, dataset cards, …) whose findings govern a subtree. */
  marker: z.boolean(),
  licence: RecordLicenceSchema,
  optOuts: z.array(RecordOptOutSchema),
  tpm: z.array(RecordTpmSchema),
  /** Every finding that applies: the file's own and those inherited from markers above it. */
  findings: z.array(FindingSchema),
  verdict: VerdictSchema,
  errors: z.array(RecordErrorSchema),
  /** Bytes read from the source for this file, and in how many reads. */
  read: z.object({ bytes: z.number().int().nonnegative(), requests: z.number().int().nonnegative() }),
  /** On a member of a container (`shard.tar#0001.jpg`, `part.parquet#row=12`): the container it was read from. */
  container: z
    .object({
      /** Record path of the container: the part of `path` before its last `#`. */
      path: z.string(),
      /** Container format: `tar`, `zip`, `parquet`, `jsonl`, `csv`, `warc`. */
      kind: z.string(),
      /** 1 for a container in the dataset itself, 2 for one inside it, … */
      depth: z.number().int().positive(),
    })
    .optional(),
  /** On a container that was opened: what was found inside. `complete` is false when a limit or damage stopped the listing. */
  contents: z
    .object({
      kind: z.string(),
      members: z.number().int().nonnegative(),
      rows: z.boolean(),
      complete: z.boolean(),
    })
    .optional(),
});
export type ScanRecord = z.infer<typeof RecordSchema>;
