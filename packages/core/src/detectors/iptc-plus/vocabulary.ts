/**
 * The PLUS "Data Mining" vocabulary and what each value means for training.
 *
 * Reference: IPTC Photo Metadata Standard 2023.1 and later, property "Data Mining" (XMP
 * `plus:DataMining`, namespace `http://ns.useplus.org/ldf/xmp/1.0/`, a single URI from the PLUS
 * controlled vocabulary `http://ns.useplus.org/ldf/vocab/DMI-…`), and "Other Constraints"
 * (`plus:OtherConstraints`, a language alternative). The vocabulary's labels:
 *
 * | value | IPTC label | reserved | why |
 * | --- | --- | --- | --- |
 * | `DMI-PROHIBITED` | Prohibited | yes | all data mining is reserved |
 * | `DMI-PROHIBITED-AIMLTRAINING` | Prohibited for AI/ML training | yes | training is what Clearance clears |
 * | `DMI-PROHIBITED-GENAIMLTRAINING` | Prohibited for Generative AI/ML training | yes | reserved for generative training; Clearance cannot tell whether the model being trained is generative, so it is applied as a reservation and `uses` says what it covers |
 * | `DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING` | Prohibited except for search engine indexing | yes | training is not search indexing |
 * | `DMI-PROHIBITED-SEECONSTRAINT` | Prohibited, see Other Constraints property | unknown | the terms are free text in `plus:OtherConstraints` (reported with it): a person must read them |
 * | `DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR` | Prohibited, see Embedded Encoded Rights Expression property | unknown | the terms are an embedded rights expression (`Iptc4xmpExt:EmbdEncRightsExpr`, reported with it) |
 * | `DMI-PROHIBITED-SEELINKEDRIGHTSEXPR` | Prohibited, see Linked Encoded Rights Expression property | unknown | the terms are behind a link (`Iptc4xmpExt:LinkedEncRightsExpr`, reported with it) |
 * | `DMI-ALLOWED` | Allowed | no | the rights holder allows data mining |
 * | `DMI-UNSPECIFIED` | Unspecified – no prohibition defined | no | by its own label the value defines no prohibition, so it is no reservation; it is not an allowance either, and gets its own code so that the two are never confused |
 * | anything else | — | unknown | not a value of the vocabulary: a person must read it |
 *
 * Values are matched without their URI prefix (`DMI-PROHIBITED` as well as
 * `http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED`, `https://` too), case-insensitively, trimmed.
 * Display labels ("Prohibited for AI/ML training") are not vocabulary values and are reported
 * unrecognised rather than guessed at.
 */
import type { Reserved } from '../../schema/finding.js';

export const PLUS_NS = 'http://ns.useplus.org/ldf/xmp/1.0/';
export const IPTC_EXT_NS = 'http://iptc.org/std/Iptc4xmpExt/2008-02-29/';
const VOCAB_PREFIX = /^https?:\/\/ns\.useplus\.org\/ldf\/vocab\//i;

export type DataMiningKind = 'reserved' | 'constrained' | 'allowed' | 'unspecified' | 'unrecognised';

export interface DataMiningMeaning {
  /** The vocabulary key (`DMI-PROHIBITED-AIMLTRAINING`), or null when the value is not one. */
  key: string | null;
  kind: DataMiningKind;
  reserved: Reserved;
  /** What the value reserves, when it reserves something. */
  uses?: readonly string[];
  /** For the `SEE…` values: which property holds the terms. */
  see?: 'other-constraints' | 'embedded-rights-expression' | 'linked-rights-expression';
}

const TABLE: Readonly<Record<string, Omit<DataMiningMeaning, 'key'>>> = {
  'DMI-PROHIBITED': { kind: 'reserved', reserved: 'yes', uses: ['data-mining'] },
  'DMI-PROHIBITED-AIMLTRAINING': { kind: 'reserved', reserved: 'yes', uses: ['ai-ml-training'] },
  'DMI-PROHIBITED-GENAIMLTRAINING': { kind: 'reserved', reserved: 'yes', uses: ['generative-ai-ml-training'] },
  'DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING': { kind: 'reserved', reserved: 'yes', uses: ['data-mining-except-search-indexing'] },
  'DMI-PROHIBITED-SEECONSTRAINT': { kind: 'constrained', reserved: 'unknown', see: 'other-constraints' },
  'DMI-PROHIBITED-SEEEMBEDDEDRIGHTSEXPR': { kind: 'constrained', reserved: 'unknown', see: 'embedded-rights-expression' },
  'DMI-PROHIBITED-SEELINKEDRIGHTSEXPR': { kind: 'constrained', reserved: 'unknown', see: 'linked-rights-expression' },
  'DMI-ALLOWED': { kind: 'allowed', reserved: 'no' },
  'DMI-UNSPECIFIED': { kind: 'unspecified', reserved: 'no' },
};

/** What a `plus:DataMining` value says, by the table above. */
export function dataMiningMeaning(written: string): DataMiningMeaning {
  const key = written.trim().replace(VOCAB_PREFIX, '').toUpperCase();
  const hit = TABLE[key];
  return hit ? { key, ...hit } : { key: null, kind: 'unrecognised', reserved: 'unknown' };
}
