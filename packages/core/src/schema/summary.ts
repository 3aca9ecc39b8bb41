import { z } from 'zod';

const Counts = z.record(z.string(), z.number().int().nonnegative());

/** The dataset's totals and the scan's own provenance. Field names are stable. */
export const SummarySchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('clearance'), version: z.string() }),
  /** Versions of each detector and of the data they rely on (SPDX list, crawler token lists, …). */
  rulesets: z.record(z.string(), z.string()),
  source: z.object({ name: z.string(), location: z.string() }),
  /** sha256 of the canonical policy, and the policy itself. */
  policy: z.object({ sha256: z.string(), origin: z.string() }),
  hashing: z.boolean(),
  shard: z.object({ index: z.number().int().nonnegative(), count: z.number().int().positive() }).optional(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().nonnegative(),
  /** True when the scan was aborted before it listed everything. */
  interrupted: z.boolean(),
  /** Records made: files, and members and rows of containers. */
  files: z.number().int().nonnegative(),
  markers: z.number().int().nonnegative(),
  /** Bytes of the dataset's own files (members of containers are counted in `containers.memberBytes`). */
  bytes: z.number().int().nonnegative(),
  bytesRead: z.number().int().nonnegative(),
  verdicts: z.object({ allow: z.number().int(), review: z.number().int(), exclude: z.number().int() }),
  /** Files by effective licence expression. */
  licences: Counts,
  /** Files with a reservation in force (`reserved: yes`), by protocol. */
  optOuts: Counts,
  /** Files under a TPM, by `format/scheme`. */
  tpm: Counts,
  /** Files by media type. */
  mediaTypes: Counts,
  /** Findings by code, each counted once on the file that holds its evidence (not on the files that inherit it). */
  findings: Counts,
  /** Errors by code, and how many files had at least one. */
  errors: Counts,
  filesWithErrors: z.number().int().nonnegative(),
  /** Reasons by code across all verdicts. */
  reasons: Counts,
  /**
   * Containers opened (tar shards, zips, tables, crawl archives), how many of them could not be listed
   * to the end (a limit or damage), and the members (files) and rows found in them, with the members' bytes.
   */
  containers: z.object({
    opened: z.number().int().nonnegative(),
    incomplete: z.number().int().nonnegative(),
    members: z.number().int().nonnegative(),
    rows: z.number().int().nonnegative(),
    memberBytes: z.number().int().nonnegative(),
  }),
  /**
   * Copyright holders named by provenance findings (a `holder`, or `notices[].holder`): files per
   * holder (own or inherited), notices (each counted once, on its own file), files with a notice.
   * At most 10,000 distinct holders; the rest are counted under `(other)` and `holdersTruncated` is set.
   */
  copyright: z.object({
    holders: Counts,
    notices: z.number().int().nonnegative(),
    filesWithNotice: z.number().int().nonnegative(),
    holdersTruncated: z.boolean(),
  }),
});
export type Summary = z.infer<typeof SummarySchema>;
