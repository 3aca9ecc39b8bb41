/**
 * Licence matching: identifies the licences a text grants — full texts of every licence of the SPDX
 * License List and of the AI model licences Clearance adds, licence notices and choice statements —
 * exactly, with evidence, and says when a text is close to a licence but modified.
 *
 * ```ts
 * import { identifyLicences, decodeLicenceBytes } from './licence-match/index.js';
 * const { text } = decodeLicenceBytes(bytes);
 * const id = identifyLicences(text);           // { expression: 'MIT', matches: [...], nearMisses: [] }
 * ```
 */
export { identifyLicences, findChoiceStatements, type ChoiceStatement, type IdentifyOptions, type LicenceIdentification, type LicenceMatch, type NearMiss } from './identify.js';
export { decodeLicenceBytes } from './normalise.js';
export { licenceData, LICENCE_LIST_VERSION, LICENCE_DATA_SOURCES } from './data.js';
export type { Difference } from './verify.js';
