import { z } from 'zod';
import { parseSpdx } from './spdx.js';

const Action = z.enum(['allow', 'review', 'exclude']);

const SpdxList = z.array(z.string()).superRefine((list, ctx) => {
  list.forEach((expression, i) => {
    try {
      parseSpdx(expression);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: [i], message: (err as Error).message });
    }
  });
});

/**
 * The permissive and open-data licences allowed by default. Anything else that is identified is
 * `unlisted` (review by default); nothing is denied by default.
 */
export const DEFAULT_ALLOWED_LICENCES = [
  '0BSD',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'BSL-1.0',
  'CC0-1.0',
  'CC-BY-3.0',
  'CC-BY-4.0',
  'CDLA-Permissive-1.0',
  'CDLA-Permissive-2.0',
  'ISC',
  'MIT',
  'MIT-0',
  'ODC-By-1.0',
  'PDDL-1.0',
  'PSF-2.0',
  'Unlicense',
  'Zlib',
] as const;

/** A policy as written in a file (JSON or YAML). Every field is optional; defaults are documented in docs/policy.md. */
export const PolicySchema = z
  .strictObject({
    /** Shown in reports. */
    name: z.string().default('default'),
    licences: z
      .strictObject({
        /** SPDX expressions whose licences may be trained on. Default: {@link DEFAULT_ALLOWED_LICENCES}. */
        allow: SpdxList.default([...DEFAULT_ALLOWED_LICENCES]),
        /** SPDX expressions whose licences may not. Default: none. */
        deny: SpdxList.default([]),
        /** No licence found (NOASSERTION). Default: review. */
        unknown: Action.default('review'),
        /** A licence identified but neither allowed nor denied. Default: review. */
        unlisted: Action.default('review'),
        /** Licence statements that disagree at the same level. Default: review. */
        conflict: Action.default('review'),
      })
      .prefault({}),
    optOuts: z
      .strictObject({
        /** Which protocols' reservations are honoured: `all`, or a list of protocol ids. Default: all. */
        honour: z.union([z.literal('all'), z.array(z.string().min(1))]).default('all'),
        /** What a reservation in force does. Default: exclude. */
        action: Action.default('exclude'),
        /** What a reservation that cannot be read for sure (malformed, ambiguous) does. Default: review. */
        unknown: Action.default('review'),
      })
      .prefault({}),
    tpm: z
      .strictObject({
        /** A measure that needs a secret to open the file (encryption, DRM). Default: exclude. */
        action: Action.default('exclude'),
        /** A measure that opens without a secret and only restricts uses (a PDF's permission bits). Default: review. */
        restrictionsOnly: Action.default('review'),
      })
      .prefault({}),
    /** A file that could not be read whole or at all. Default: review. */
    errors: Action.default('review'),
  })
  .prefault({});

export type PolicyInput = z.input<typeof PolicySchema>;
export type Policy = z.output<typeof PolicySchema>;
