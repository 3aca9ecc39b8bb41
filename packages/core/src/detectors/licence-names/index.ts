/**
 * Declared licences as people write them, read as SPDX expressions: the shared reader of the
 * metadata detectors (package.json, pyproject.toml, Cargo.toml, CITATION.cff, datapackage.json,
 * Croissant, XMP `cc:license`, …). Not a detector.
 *
 * Three ways in, each with its own confidence, and the written form always kept by the caller:
 * - a valid SPDX expression (`MIT`, `apache-2.0`, `GPL-2.0+ OR MIT`): {@link SPDX_CONFIDENCE};
 * - a licence URL (`https://creativecommons.org/licenses/by-nc-sa/4.0/`): 0.8, or 0.6 where the URL
 *   leaves "only"/"or later" open (gnu.org);
 * - a loose name (`Apache 2`, `GPLv3+`, `CC BY-NC 4.0`, `BSD 3-Clause`): 0.7, or 0.6 for a GNU
 *   licence without "only"/"or later".
 * Anything else — an ambiguous name (`GPL`, `BSD`, `CC BY`), a non-licence (`Public Domain`,
 * `UNLICENSED`, `Proprietary`), an unknown URL or free text — reads as `expression: null` with a
 * note saying why, so that a file under it goes to review rather than to a guess.
 *
 * ok:     `readLicence('Apache License, Version 2.0')` → `{ expression: 'Apache-2.0', confidence: 0.7, method: 'name' }`
 * ok:     `readLicence('https://creativecommons.org/publicdomain/zero/1.0/')` → CC0-1.0, method `url`
 * not-ok: `readLicence('GPL')` → `{ expression: null, method: 'ambiguous' }`
 */
import { parseSpdx } from '../../policy/spdx.js';
import { NAME_CONFIDENCE, readFullName, readLicenceName } from './names.js';
import { isUrl, readLicenceUrl } from './urls.js';
import { memoString } from '../../util/memo.js';

export { normaliseName, readLicenceName, NAME_CONFIDENCE, GNU_BARE_CONFIDENCE } from './names.js';
export { readLicenceUrl, urlKey, isUrl, URL_CONFIDENCE } from './urls.js';

/** Confidence of a declared licence that is already a valid SPDX expression. */
export const SPDX_CONFIDENCE = 0.9;

/** Longer text is prose, not a licence name. */
const MAX_NAME = 300;

/** How a declared licence was read. */
export interface LicenceReading {
  /** Canonical SPDX expression, or null when the text names no licence exactly. */
  expression: string | null;
  /** 0 when `expression` is null. */
  confidence: number;
  /**
   * `spdx`: a valid expression; `url`: a known licence URL; `name`: a loose name corrected to an id;
   * `ambiguous`: a licence named without what tells its versions or variants apart; `none`: not a
   * licence statement (`Proprietary`, `Public Domain`, `UNLICENSED`); `unknown`: text this reader
   * does not know.
   */
  method: 'spdx' | 'url' | 'name' | 'ambiguous' | 'none' | 'unknown';
  /** Why there is no expression, or what was assumed. */
  note?: string;
}

const UNKNOWN: LicenceReading = { expression: null, confidence: 0, method: 'unknown', note: 'not a licence id, URL or name this reader knows' };

/**
 * Reads a declared licence: an SPDX expression, a licence URL or a loose name.
 *
 * ```ts
 * readLicence('GPLv3+')          // { expression: 'GPL-3.0-or-later', confidence: 0.7, method: 'name' }
 * readLicence('MIT/Apache-2.0')  // { expression: 'MIT OR Apache-2.0', … } (Cargo's old "/" for OR)
 * readLicence('BSD')             // { expression: null, method: 'ambiguous', note: … }
 * ```
 */
export const readLicence: (written: string) => LicenceReading = memoString(readLicenceOnce);

function readLicenceOnce(written: string): LicenceReading {
  const text = written.replace(/\s+/g, ' ').trim();
  if (text === '') return { expression: null, confidence: 0, method: 'none', note: 'empty' };
  if (text.length > MAX_NAME) return { ...UNKNOWN, note: 'too long for a licence name: prose is not read as a licence' };
  const upper = text.toUpperCase();
  if (upper === 'NOASSERTION' || upper === 'NONE') return { expression: null, confidence: 0, method: 'none', note: `SPDX ${upper}: no licence is stated` };
  if (upper === 'UNLICENSED') return { expression: null, confidence: 0, method: 'none', note: 'UNLICENSED means the author grants no licence (npm): not The Unlicense' };
  const spdx = exact(text);
  if (spdx) return { expression: spdx, confidence: SPDX_CONFIDENCE, method: 'spdx' };
  if (isUrl(text)) {
    const u = readLicenceUrl(text);
    if (!u) return { ...UNKNOWN, note: 'a URL that is not a known licence page' };
    return finish(u.id, u.confidence, 'url', 'ambiguous', u.note);
  }
  const single = readOne(text);
  if (single) return single;
  // "MIT or Apache 2.0", Cargo's legacy "MIT/Apache-2.0": an OR of parts that each read exactly.
  const parts = text.split(/\s+or\s+|\s*\/\s*/i);
  if (parts.length > 1 && parts.length <= 4) {
    const read = parts.map((p) => readOne(p));
    if (read.every((r) => r !== undefined && r.expression !== null)) {
      const alternatives = [...new Set(read.map((r) => r!.expression!))];
      const expression = exact(alternatives.map((e) => (/\s/.test(e) ? `(${e})` : e)).join(' OR '));
      if (expression) {
        const notes = read.map((r) => r!.note).filter((n) => n !== undefined);
        // The split itself is a reading of loose text: never more sure than a corrected name.
        return { expression, confidence: Math.min(NAME_CONFIDENCE, ...read.map((r) => r!.confidence)), method: 'name', ...(notes.length > 0 ? { note: notes[0] } : {}) };
      }
    }
  }
  return UNKNOWN;
}

/** One licence: an exact id, an SPDX full name, a loose name, or a name with an abbreviation in parentheses. */
function readOne(text: string): (LicenceReading & { family?: RegExp }) | undefined {
  const spdx = exact(text);
  if (spdx) return { expression: spdx, confidence: SPDX_CONFIDENCE, method: 'spdx' };
  if (isUrl(text)) {
    const u = readLicenceUrl(text);
    return u ? finish(u.id, u.confidence, 'url', 'ambiguous', u.note) : undefined;
  }
  const direct = readFullName(text) ?? readLicenceName(text);
  if (direct) return { ...finish(direct.id, direct.confidence, 'name', direct.kind ?? 'ambiguous', direct.note), ...(direct.family ? { family: direct.family } : {}) };
  // "GNU General Public License v2 (GPLv2)", "MIT License (MIT)": both halves must agree.
  const paren = /^(.*?)\s*\(([^()]+)\)\s*(.*)$/.exec(text);
  if (paren) {
    const outer = `${paren[1]} ${paren[3]}`.trim();
    const a = outer === '' ? undefined : readOne(outer);
    const b = readOne(paren[2]!);
    if (a && b && a.expression !== null && a.expression === b.expression) return { ...a, confidence: Math.min(a.confidence, b.confidence) };
    // "Apache Software License (Apache-2.0)": the outer half names a family, the abbreviation the version.
    if (a?.expression === null && a.family && b?.expression && a.family.test(b.expression)) return { ...b, confidence: Math.min(b.confidence, NAME_CONFIDENCE) };
    // "Mozilla Public License 1.0 (MPL)": the abbreviation names the family the outer half gives a version of.
    if (a?.expression && b?.expression === null && b.family?.test(a.expression)) return a;
    if (a && b && a.expression === null && b.expression === null) return a;
    if (a && b && a.expression !== b.expression) return { expression: null, confidence: 0, method: 'ambiguous', note: `"${outer}" and "${paren[2]}" do not name the same licence` };
    // One half reads, the other is an abbreviation this table does not spell out (PyPI's "(ISCL)").
    if (a && a.expression !== null && b === undefined && /^[A-Za-z0-9.+\- ]{1,16}$/.test(paren[2]!)) return a;
  }
  return undefined;
}

function finish(id: string | null, confidence: number, method: 'url' | 'name', kind: 'none' | 'ambiguous', note: string | undefined): LicenceReading {
  if (id === null) return { expression: null, confidence: 0, method: kind, ...(note !== undefined ? { note } : {}) };
  const expression = exact(id);
  if (!expression) return { expression: null, confidence: 0, method: 'unknown', note: `${id} is not on the SPDX License List this build knows` };
  return { expression, confidence, method, ...(note !== undefined ? { note } : {}) };
}

/** The canonical expression when the text is a valid SPDX expression, else null. */
function exact(text: string): string | null {
  // A free-text name with spaces but no operator is not an expression ("MIT License" would fail anyway).
  if (!/^[A-Za-z0-9.+\-:() ]+$/.test(text)) return null;
  try {
    return parseSpdx(text).canonical;
  } catch {
    return null;
  }
}
