/**
 * The `License:` field of an R package's DESCRIPTION, in R's own syntax: alternatives separated by
 * `|`, a version constraint in parentheses (`GPL (>= 2)`), R's short names (`GPL-2`, `BSD_3_clause`,
 * `AGPL-3`) and `+ file LICENSE` for a file that completes or adds to the licence.
 * Reference: "Writing R Extensions", section 1.1.2 (Licensing), and R's share/licenses/license.db.
 *
 * ok:     `GPL (>= 2)` → GPL-2.0-or-later; `GPL-2 | GPL-3` → GPL-2.0-only OR GPL-3.0-only
 * ok:     `MIT + file LICENSE` → MIT (the file holds the licence template's year and holder)
 * not-ok: `GPL-3 + file LICENSE` → null (the file adds terms to the GPL), `Unlimited` → null
 */
import { readLicence, type LicenceReading } from '../licence-names/index.js';

/** R's own names, as license.db defines them, read with this confidence: the syntax is R's, not a guess. */
export const R_CONFIDENCE = 0.8;

/** R short names to SPDX ids (license.db abbreviations with a version). */
const R_NAMES: Readonly<Record<string, string>> = {
  'GPL-2': 'GPL-2.0-only',
  'GPL-3': 'GPL-3.0-only',
  'LGPL-2': 'LGPL-2.0-only',
  'LGPL-2.1': 'LGPL-2.1-only',
  'LGPL-3': 'LGPL-3.0-only',
  'AGPL-3': 'AGPL-3.0-only',
  'Artistic-2.0': 'Artistic-2.0',
  'BSD_2_clause': 'BSD-2-Clause',
  'BSD_3_clause': 'BSD-3-Clause',
  MIT: 'MIT',
  'CC0': 'CC0-1.0',
  'MPL-2.0': 'MPL-2.0',
  'EUPL-1.2': 'EUPL-1.2',
  'Apache License 2.0': 'Apache-2.0',
  'Apache License': '',
  'Lucent Public License': '',
};

/** Licences whose text is a template: `+ file LICENSE` only fills in the year and the holder. */
const TEMPLATES = new Set(['MIT', 'BSD-2-Clause', 'BSD-3-Clause']);

/** Reads an R `License:` field; `file` is set when the field points at a licence file. */
export function readRLicence(field: string): LicenceReading & { file?: string } {
  const text = field.replace(/\s+/g, ' ').trim();
  if (/^file LICEN[CS]E$/i.test(text)) return { expression: null, confidence: 0, method: 'none', note: 'the licence is in the file named by the field', file: text.slice(5) };
  if (/^Unlimited$/i.test(text)) return { expression: null, confidence: 0, method: 'none', note: 'R "Unlimited": no restrictions stated, not an SPDX licence' };
  const alternatives = text.split(/\s*\|\s*/);
  if (alternatives.length > 8) return { expression: null, confidence: 0, method: 'unknown', note: 'too many alternatives' };
  const read = alternatives.map(readAlternative);
  const failed = read.find((r) => r.expression === null);
  if (failed) return alternatives.length === 1 ? failed : { ...failed, note: `one alternative names no licence exactly: ${failed.note ?? ''}`.trim() };
  const expressions = [...new Set(read.map((r) => r.expression!))];
  const expression = expressions.map((e) => (/\s/.test(e) ? `(${e})` : e)).join(' OR ');
  const file = read.find((r) => r.file)?.file;
  const notes = read.map((r) => r.note).filter((n): n is string => n !== undefined);
  return { expression, confidence: Math.min(...read.map((r) => r.confidence)), method: read.every((r) => r.method === 'spdx') ? 'spdx' : 'name', ...(notes[0] ? { note: notes[0] } : {}), ...(file ? { file } : {}) };
}

function readAlternative(alternative: string): LicenceReading & { file?: string } {
  const plusFile = /^(.*?)\s*\+\s*file\s+(LICEN[CS]E\S*)$/i.exec(alternative);
  const base = plusFile ? plusFile[1]! : alternative;
  const file = plusFile ? plusFile[2]! : undefined;
  const read = readBase(base);
  if (read.expression === null || file === undefined) return read;
  if (TEMPLATES.has(read.expression)) return { ...read, note: `${file} fills in the licence template (year and holder)`, file };
  return { expression: null, confidence: 0, method: 'unknown', note: `${file} adds terms to ${read.expression}: read it`, file };
}

function readBase(base: string): LicenceReading {
  const gnu = /^(A?GPL|LGPL)\s*\(\s*(>=|==)\s*(\d(?:\.\d)?)\s*\)$/.exec(base);
  if (gnu) {
    const version = gnu[3]!.includes('.') ? gnu[3]! : `${gnu[3]}.0`;
    const expression = readLicence(`${gnu[1]}-${version}${gnu[2] === '>=' ? '-or-later' : '-only'}`).expression;
    return expression ? { expression, confidence: R_CONFIDENCE, method: 'name' } : { expression: null, confidence: 0, method: 'unknown', note: `${base}: no such GNU licence version` };
  }
  const constraint = /^(.*?)\s*\(\s*(==|>=)\s*([\d.]+)\s*\)$/.exec(base);
  if (constraint) {
    if (constraint[2] === '>=') return { expression: null, confidence: 0, method: 'ambiguous', note: `${base}: "this version or later" of a licence without an SPDX "or later" id` };
    return rename(`${constraint[1]} ${constraint[3]}`);
  }
  return rename(base);
}

function rename(name: string): LicenceReading {
  const r = R_NAMES[name];
  if (r === '') return { expression: null, confidence: 0, method: 'ambiguous', note: `R's "${name}" without a version` };
  if (r !== undefined) return { expression: r, confidence: R_CONFIDENCE, method: 'name' };
  // "GPL" alone is ambiguous in R as everywhere else; anything else reads as a declared licence.
  return readLicence(name);
}
