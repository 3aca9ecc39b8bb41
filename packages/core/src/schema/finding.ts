import { z } from 'zod';

/**
 * Finding: a fact with evidence. Every detector returns these and nothing else; reporters render words
 * from them. Lines and columns are 1-based; excerpts stay short so reports do not leak the dataset.
 */

/** Where a finding came from. */
export const EvidenceSchema = z.object({
  /** Relative POSIX path of the file the evidence is in. */
  path: z.string(),
  line: z.number().int().positive().optional(),
  column: z.number().int().positive().optional(),
  byteOffset: z.number().int().nonnegative().optional(),
  /** At most 200 characters. */
  excerpt: z.string().max(200).optional(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

/** Where a finding applies: its own file, the subtree below `root` (a directory, '' for the top), or the dataset. */
export const ScopeSchema = z.object({
  kind: z.enum(['file', 'subtree', 'dataset']),
  root: z.string(),
});
export type Scope = z.infer<typeof ScopeSchema>;

export const FINDING_CATEGORIES = ['licence', 'opt-out', 'tpm', 'notice', 'provenance'] as const;
export type FindingCategory = (typeof FINDING_CATEGORIES)[number];

/** Finding codes are dotted lowercase: `optout.tdmrep.reserved`, `tpm.pdf.encrypted`. */
export const FindingCodeSchema = z.string().regex(/^[a-z0-9]+(?:\.[a-z0-9-]+)+$/, 'a dotted lowercase code');

/** Value of a `licence` finding: `expression` is an SPDX expression, or null when a licence is present but not identified. */
export const LicenceValueSchema = z.looseObject({ expression: z.string().nullable() });
/** Whether a reservation of text and data mining is in force: `unknown` is kept apart, never read as either. */
export const ReservedSchema = z.enum(['yes', 'no', 'unknown']);
export type Reserved = z.infer<typeof ReservedSchema>;
/**
 * Value of an `opt-out` finding: which protocol, whether it reserves TDM rights, at which level
 * (`site`, `folder`, `file`, `dataset`) and by which rule.
 */
export const OptOutValueSchema = z.looseObject({
  protocol: z.string().min(1),
  reserved: ReservedSchema,
  level: z.enum(['site', 'folder', 'file', 'dataset']).optional(),
  rule: z.string().optional(),
});
/** Value of a `tpm` finding: which measure guards the file and what it restricts. */
export const TpmValueSchema = z.looseObject({
  format: z.string().min(1),
  scheme: z.string().min(1),
  system: z.string().optional(),
  needsSecret: z.boolean(),
  denied: z.array(z.string()),
});
const OtherValueSchema = z.record(z.string(), z.unknown());

const base = {
  code: FindingCodeSchema,
  /** Id of the detector that said it. */
  detector: z.string().min(1),
  confidence: z.number().min(0).max(1),
  severity: z.enum(['info', 'warning', 'error']).default('info'),
  evidence: EvidenceSchema,
  scope: ScopeSchema,
  /** Documentation page for the code (docs/findings/<code>.md). */
  url: z.string(),
  /** Set on a record's copy of a finding that came from a marker above it. */
  inherited: z.boolean().optional(),
  /** Set when a nearer marker of the same kind overrides this one; kept so that nothing is hidden. */
  shadowed: z.boolean().optional(),
};

/** A finding, discriminated by category so that each category's value has a known shape. */
export const FindingSchema = z.discriminatedUnion('category', [
  z.object({ ...base, category: z.literal('licence'), value: LicenceValueSchema }),
  z.object({ ...base, category: z.literal('opt-out'), value: OptOutValueSchema }),
  z.object({ ...base, category: z.literal('tpm'), value: TpmValueSchema }),
  z.object({ ...base, category: z.literal('notice'), value: OtherValueSchema }),
  z.object({ ...base, category: z.literal('provenance'), value: OtherValueSchema }),
]);
export type Finding = z.infer<typeof FindingSchema>;
/** What a detector returns before the engine fills defaults (`severity`). */
export type FindingInput = z.input<typeof FindingSchema>;
export type LicenceFinding = Extract<Finding, { category: 'licence' }>;
export type OptOutFinding = Extract<Finding, { category: 'opt-out' }>;
export type TpmFinding = Extract<Finding, { category: 'tpm' }>;
