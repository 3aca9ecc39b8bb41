/**
 * Varietal spellings that the SPDX License List Matching Guidelines treat as the same word, with
 * their common inflections, each mapped to one canonical spelling (the US one, as most texts on the
 * list use it). Multi-word equivalents ("per cent", "sub-license", "non-commercial", "copyright
 * owner") are handled by the verifier, which accepts a change whose words join to the same letters.
 * Reference: SPDX License List Matching Guidelines, B.9 (varietal word spelling) and the list in
 * https://spdx.org/licenses/equivalentwords.txt.
 */

/** British or variant spelling → canonical spelling, for the stems of the SPDX list. */
const STEMS: readonly (readonly [string, string])[] = [
  ['acknowledgement', 'acknowledgment'],
  ['analogue', 'analog'],
  ['analyse', 'analyze'],
  ['artefact', 'artifact'],
  ['authorisation', 'authorization'],
  ['authorise', 'authorize'],
  ['calibre', 'caliber'],
  ['cancelled', 'canceled'],
  ['capitalisation', 'capitalization'],
  ['catalogue', 'catalog'],
  ['categorise', 'categorize'],
  ['centre', 'center'],
  ['emphasise', 'emphasize'],
  ['favour', 'favor'],
  ['favourite', 'favorite'],
  ['fulfil', 'fulfill'],
  ['fulfilment', 'fulfillment'],
  ['initialise', 'initialize'],
  ['judgement', 'judgment'],
  ['labelling', 'labeling'],
  ['labour', 'labor'],
  ['maximise', 'maximize'],
  ['modelled', 'modeled'],
  ['modelling', 'modeling'],
  ['offence', 'offense'],
  ['optimise', 'optimize'],
  ['organisation', 'organization'],
  ['organise', 'organize'],
  ['practise', 'practice'],
  ['programme', 'program'],
  ['realise', 'realize'],
  ['recognise', 'recognize'],
  ['signalling', 'signaling'],
  ['utilisation', 'utilization'],
  ['whilst', 'while'],
  ['wilfull', 'wilful'],
];

/** Inflections added to each stem: a plural, a past, a participle, an agent noun. */
const ENDINGS = ['', 's', 'd', 'ed', 'ing', 'r', 'rs'];

const MAP = new Map<string, string>();
for (const [variant, canonical] of STEMS) {
  for (const end of ENDINGS) {
    // "authorise" + "d" = "authorised" → "authorized"; "organise" + "ing" → "organising" needs the e dropped.
    MAP.set(variant + end, canonical + end);
    if (variant.endsWith('e') && (end === 'ed' || end === 'ing')) MAP.set(variant.slice(0, -1) + end, canonical.slice(0, -1) + end);
  }
}

/**
 * The canonical spelling of one lower-case word: `licence` → `license`, `organisations` →
 * `organizations`, `https` → `http` (Guideline B.14: the protocol of a link does not matter).
 */
export function canonicalWord(word: string): string {
  if (word.includes('licenc')) word = word.replace(/licenc/g, 'licens');
  if (word === 'https') return 'http';
  return MAP.get(word) ?? word;
}
