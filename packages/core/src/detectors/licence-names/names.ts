/**
 * Loose licence names to SPDX ids: "Apache 2", "GPLv3+", "CC BY-NC 4.0", "BSD 3-Clause", "MIT License".
 * The WHOLE name must be read: a name with words this table does not know ("MIT-like", "modified
 * BSD with an extra clause") names nothing. A name that leaves out what tells licences apart — a
 * version ("GPL", "CC BY"), the clauses ("BSD"), the family ("Apache Software License" without a
 * version) — is reported as ambiguous, never mapped to a guess.
 *
 * The table is data: each row is a pattern over the normalised name and the id (or a function of the
 * match) it stands for. Normalisation lowers case, spells licence as license, drops punctuation
 * except `+` and version dots, splits `GPLv3` into `gpl 3`, and drops words that never tell
 * licences apart (`the`, `license`, `version`, `international`, …).
 *
 * Reference: SPDX License List names and ids; PyPI trove classifiers (`License :: OSI Approved :: …`);
 * Creative Commons licence names ("Attribution-NonCommercial-ShareAlike 4.0 International").
 */
import { createRequire } from 'node:module';
import { parseSpdx } from '../../policy/spdx.js';

/** What a loose name reads as. */
export interface NameRead {
  /** The SPDX id or expression, or null when the name is ambiguous or names no licence. */
  id: string | null;
  confidence: number;
  /** With no id: `none` for a statement that is not a licence, `ambiguous` for a licence named without what tells its variants apart. */
  kind?: 'none' | 'ambiguous';
  /** With an ambiguous name: the ids of the family it names ("Apache Software License" → `Apache-…`). */
  family?: RegExp;
  note?: string;
}

/** Confidence of a loose name corrected to an id. */
export const NAME_CONFIDENCE = 0.7;
/** Confidence of a GNU licence named with a version but without "only" or "or later". */
export const GNU_BARE_CONFIDENCE = 0.6;

const GNU_BARE_NOTE = 'a GNU licence named without "only" or "or later"; read as -only, as the SPDX License List reads the bare version';

type Groups = Record<string, string | undefined>;
interface Row {
  re: RegExp;
  /** An id, a function of the match's named groups, or null for a name known to be ambiguous. */
  id: string | null | ((g: Groups) => string | null);
  /** With a null id: the text states no licence at all (rather than an ambiguous one). */
  none?: true;
  /** With a null id: the ids of the family the ambiguous name stands for. */
  family?: RegExp | ((g: Groups) => RegExp);
  note?: string;
  confidence?: number;
}

/** Words that never tell two licences apart. */
const NOISE = new Set(['the', 'license', 'licensed', 'under', 'terms', 'of', 'version', 'ver', 'international', 'unported', 'generic', 'deed', 'legal', 'code', 'legalcode', 'spdx', 'identifier', 'a', 'an', 'software', 'released', 'distributed', 'available', 'this', 'project', 'is']);

/** Canonical version for a family: `2` → `2.0`. */
function v(version: string | undefined, allowed: readonly string[]): string | null {
  if (version === undefined) return null;
  const full = version.includes('.') ? version : `${version}.0`;
  return allowed.includes(full) ? full : null;
}

const CC_WORDS: readonly [RegExp, string][] = [
  [/^(?:nc|non ?commercial)$/, 'NC'],
  [/^(?:nd|no ?deriv(?:ative)?s|no ?derivative ?works)$/, 'ND'],
  [/^(?:sa|share ?alike)$/, 'SA'],
];

/** Creative Commons attribution licences: element words in any spelling and order, a version, optionally a port. */
function creativeCommons(g: Groups): string | null {
  const words = (g['elements'] ?? '').trim().split(' ').filter((w) => w !== '');
  const set = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    // Two-word spellings: "non commercial", "share alike", "no derivatives".
    const two = i + 1 < words.length ? `${words[i]} ${words[i + 1]}` : '';
    const hit2 = CC_WORDS.find(([re]) => re.test(two));
    if (hit2) {
      // An element said twice is not a licence name anyone writes.
      if (set.has(hit2[1])) return null;
      set.add(hit2[1]);
      i++;
      continue;
    }
    const hit = CC_WORDS.find(([re]) => re.test(words[i]!));
    if (!hit || set.has(hit[1])) return null;
    set.add(hit[1]);
  }
  const elements = ['BY', ...['NC', 'ND', 'SA'].filter((e) => set.has(e))];
  if (set.has('ND') && set.has('SA')) return null;
  const version = v(g['v'], ['1.0', '2.0', '2.5', '3.0', '4.0', '2.1']);
  if (version === null) return null;
  const port = g['port'] ? `-${PORTS[g['port']] ?? g['port'].toUpperCase()}` : '';
  return `CC-${elements.join('-')}-${version}${port}`;
}

const PORTS: Readonly<Record<string, string>> = { germany: 'DE', austria: 'AT', australia: 'AU', netherlands: 'NL', 'united states': 'US', 'england wales': 'UK', france: 'FR', japan: 'JP', igo: 'IGO' };

const GNU_FAMILIES: Readonly<Record<string, { id: string; versions: readonly string[] }>> = {
  gpl: { id: 'GPL', versions: ['1.0', '2.0', '3.0'] },
  'general public': { id: 'GPL', versions: ['1.0', '2.0', '3.0'] },
  'gnu gpl': { id: 'GPL', versions: ['1.0', '2.0', '3.0'] },
  lgpl: { id: 'LGPL', versions: ['2.0', '2.1', '3.0'] },
  'gnu lgpl': { id: 'LGPL', versions: ['2.0', '2.1', '3.0'] },
  // PyPI's classifier "GNU Lesser General Public License v2 or later (LGPLv2+)" names LGPL 2.0 "Lesser".
  'lesser general public': { id: 'LGPL', versions: ['2.0', '2.1', '3.0'] },
  'lesser gpl': { id: 'LGPL', versions: ['2.1', '3.0'] },
  'library general public': { id: 'LGPL', versions: ['2.0'] },
  'library gpl': { id: 'LGPL', versions: ['2.0'] },
  agpl: { id: 'AGPL', versions: ['1.0', '3.0'] },
  'gnu agpl': { id: 'AGPL', versions: ['1.0', '3.0'] },
  'affero general public': { id: 'AGPL', versions: ['1.0', '3.0'] },
  'affero gpl': { id: 'AGPL', versions: ['1.0', '3.0'] },
  'free documentation': { id: 'GFDL', versions: ['1.1', '1.2', '1.3'] },
  fdl: { id: 'GFDL', versions: ['1.1', '1.2', '1.3'] },
  gfdl: { id: 'GFDL', versions: ['1.1', '1.2', '1.3'] },
};

const LATER = '(?<later> ?(?:\\+|or later|or any later|or newer|and later|or greater|or above|later|plus))?';
const ONLY = '(?<only> only)?';

function gnuFamily(g: Groups): RegExp {
  const family = GNU_FAMILIES[(g['fam'] ?? '').replace(/^gnu /, '').trim()] ?? GNU_FAMILIES[(g['fam'] ?? '').trim()];
  return family ? new RegExp(`^${family.id}-\\d\\.\\d-(?:only|or-later)$`) : /^$/;
}

function gnuId(g: Groups): string | null {
  const family = GNU_FAMILIES[(g['fam'] ?? '').replace(/^gnu /, '').trim()] ?? GNU_FAMILIES[(g['fam'] ?? '').trim()];
  if (!family) return null;
  const version = v(g['v'], family.versions);
  if (version === null) return null;
  if (g['later'] && g['only']) return null;
  return `${family.id}-${version}-${g['later'] ? 'or-later' : 'only'}`;
}

/**
 * The table. Patterns are anchored and run on the normalised name (see {@link normaliseName}); the
 * first that matches wins, so more specific rows come first.
 */
export const NAME_TABLE: readonly Row[] = [
  // Not licences, or not one licence: said so, never guessed.
  { re: /^(?:none|no|n a|na|nil|null|undefined|todo|tbd|unknown|noassertion|see file|see license file|see file license|see license)$/, id: null, note: 'no licence is named', none: true },
  { re: /^unlicensed$/, id: null, note: 'UNLICENSED means the author grants no licence (npm): not The Unlicense', none: true },
  { re: /^(?:proprietary|commercial|closed|closed source|private|all rights reserved|copyright|copyrighted|other proprietary|other\/proprietary|restricted|internal use only|confidential)$/, id: null, note: 'a proprietary or all-rights-reserved statement, not a licence', none: true },
  { re: /^(?:other|custom|dual|multiple|various|mixed|free|freeware|free for non ?commercial use|non ?commercial|research only|academic|open|open source|osi approved|free to use|see readme)$/, id: null, note: 'names no specific licence', none: true },
  { re: /^(?:public domain|pd|public domain dedication|public domain software|in the public domain)$/, id: null, note: 'public domain is a status, not an SPDX licence; the statement is kept for review', none: true },
  // Public domain tools with ids.
  { re: /^(?:creative commons |cc )?(?:cc ?0|zero|cc zero)(?: 1(?:\.0)?)?(?: universal)?(?: public domain dedication)?$/, id: 'CC0-1.0' },
  { re: /^(?:creative commons )?(?:cc )?(?:public domain mark|pdm)(?: 1(?:\.0)?)?(?: universal)?$/, id: 'CC-PDM-1.0' },
  { re: /^(?:unlicense|unlicence)$/, id: 'Unlicense' },
  { re: /^wtfpl(?: 2(?:\.0)?)?$|^do what the fuck you want to(?: public)?(?: 2(?:\.0)?)?$/, id: 'WTFPL' },
  // MIT family.
  { re: /^(?:mit|expat|mit expat|expat mit|mit\/expat|expat\/mit)$/, id: 'MIT' },
  { re: /^(?:mit 0|mit no attribution|mit zero)$/, id: 'MIT-0' },
  { re: /^(?:x11|x consortium)$/, id: 'X11' },
  { re: /^(?:mit x11|mit\/x11|x11\/mit)$/, id: null, note: '"MIT/X11" names two different SPDX licences (MIT and X11)' },
  // Apache.
  { re: /^(?:apache|asl|al|apl)(?: (?<v>1|1\.0|1\.1|2|2\.0))$/, id: (g) => (v(g['v'], ['1.0', '1.1', '2.0']) ? `Apache-${v(g['v'], ['1.0', '1.1', '2.0'])}` : null) },
  { re: /^apache(?: foundation)?$/, id: null, family: /^Apache-/, note: 'an Apache licence without a version' },
  // BSD.
  { re: /^(?:bsd 3 clause|3 clause bsd|bsd 3|bsd new|new bsd|modified bsd|revised bsd|bsd revised|bsd modified|bsd 3 clause new or revised|bsd 3 clause new|bsd 3 clause revised|bsd three clause|three clause bsd)$/, id: 'BSD-3-Clause' },
  { re: /^(?:bsd 2 clause|2 clause bsd|bsd 2|simplified bsd|bsd simplified|freebsd|bsd 2 clause simplified|bsd 2 clause freebsd|bsd two clause|two clause bsd)$/, id: 'BSD-2-Clause' },
  { re: /^(?:bsd 4 clause|4 clause bsd|bsd 4|original bsd|bsd original|bsd 4 clause original|bsd old|old bsd)$/, id: 'BSD-4-Clause' },
  { re: /^(?:0bsd|bsd 0|bsd 0 clause|0 clause bsd|zero clause bsd|bsd zero clause)$/, id: '0BSD' },
  { re: /^(?:bsd 1 clause|1 clause bsd)$/, id: 'BSD-1-Clause' },
  { re: /^bsd$/, id: null, family: /^(?:BSD-[1234]-Clause|0BSD)$/, note: 'a BSD licence without its clauses (2, 3 or 4)' },
  // GNU.
  { re: new RegExp(`^(?<fam>(?:gnu )?(?:gpl|lgpl|agpl|fdl|gfdl|general public|lesser general public|lesser gpl|library general public|library gpl|affero general public|affero gpl|free documentation))(?: (?<v>\\d(?:\\.\\d)?))?${LATER}${ONLY}$`), id: gnuId, family: gnuFamily },
  // Creative Commons attribution family: "cc by-nc-sa 4.0", "creative commons attribution noncommercial 4.0".
  { re: /^(?:creative commons |cc )(?:by|attribution)(?<elements>(?: (?:nc|nd|sa|non|commercial|noncommercial|no|derivs|derivatives|noderivs|noderivatives|share|alike|sharealike|works))*) (?<v>[1-4](?:\.[015])?)(?: (?<port>germany|austria|australia|netherlands|united states|england wales|france|japan|igo|de|at|au|nl|us|uk|fr|jp))?(?: public)?$/, id: creativeCommons },
  { re: /^(?:attribution)(?<elements>(?: (?:nc|nd|sa|non|commercial|noncommercial|no|derivs|derivatives|noderivs|noderivatives|share|alike|sharealike|works))*) (?<v>[1-4](?:\.[015])?)(?: public)?$/, id: creativeCommons },
  { re: /^(?:creative commons|cc)(?: (?:by|attribution)(?: (?:nc|nd|sa|non|commercial|noncommercial|no|derivs|derivatives|noderivs|noderivatives|share|alike|sharealike))*)?$/, id: null, note: 'a Creative Commons licence without a version' },
  // Mozilla, Eclipse, CDDL, EUPL and other families with versions.
  { re: /^(?:mpl|mozilla public|mozilla)(?: (?<v>1|1\.0|1\.1|2|2\.0))$/, id: (g) => idIf('MPL', g['v'], ['1.0', '1.1', '2.0']) },
  { re: /^(?:mpl|mozilla public)$/, id: null, family: /^MPL-/, note: 'a Mozilla licence without a version' },
  { re: /^(?:epl|eclipse public|eclipse)(?: (?<v>1|1\.0|2|2\.0))$/, id: (g) => idIf('EPL', g['v'], ['1.0', '2.0']) },
  { re: /^(?:cddl|common development and distribution)(?: (?<v>1|1\.0|1\.1))$/, id: (g) => idIf('CDDL', g['v'], ['1.0', '1.1']) },
  { re: /^(?:eupl|european union public)(?: (?<v>1\.0|1\.1|1\.2))$/, id: (g) => idIf('EUPL', g['v'], ['1.0', '1.1', '1.2']) },
  { re: /^(?:artistic)(?: (?<v>1|1\.0|2|2\.0))$/, id: (g) => idIf('Artistic', g['v'], ['1.0', '2.0']) },
  { re: /^(?:afl|academic free)(?: (?<v>1\.1|1\.2|2\.0|2\.1|3|3\.0))$/, id: (g) => idIf('AFL', g['v'], ['1.1', '1.2', '2.0', '2.1', '3.0']) },
  { re: /^(?:osl|open software)(?: (?<v>1\.0|1\.1|2\.0|2\.1|3|3\.0))$/, id: (g) => idIf('OSL', g['v'], ['1.0', '1.1', '2.0', '2.1', '3.0']) },
  { re: /^(?:ofl|sil ofl|sil open font|open font)(?: (?<v>1\.0|1\.1))$/, id: (g) => idIf('OFL', g['v'], ['1.0', '1.1']) },
  { re: /^(?:lppl|latex project public)(?: (?<v>1\.0|1\.1|1\.2|1\.3a|1\.3c))$/, id: (g) => (g['v'] ? `LPPL-${g['v']}` : null) },
  { re: /^(?:isc|iscl|isc open source)$/, id: 'ISC' },
  { re: /^(?:zlib|zlib libpng|zlib\/libpng)$/, id: 'Zlib' },
  { re: /^(?:boost|boost 1\.0|bsl 1\.0|bsl 1)$/, id: 'BSL-1.0' },
  { re: /^(?:psf|psfl|psf 2(?:\.0)?|python foundation|python foundation 2(?:\.0)?)$/, id: 'PSF-2.0' },
  { re: /^(?:python 2(?:\.0)?|cnri python)$/, id: 'Python-2.0' },
  { re: /^(?:ms pl|microsoft public)$/, id: 'MS-PL' },
  { re: /^(?:ms rl|microsoft reciprocal)$/, id: 'MS-RL' },
  { re: /^(?:postgresql|postgres)$/, id: 'PostgreSQL' },
  { re: /^(?:openssl)$/, id: 'OpenSSL' },
  { re: /^(?:json)$/, id: 'JSON' },
  { re: /^(?:unicode)$/, id: null, note: 'a Unicode licence without its version (Unicode-3.0, Unicode-DFS-2016, …)' },
  { re: /^(?:upl|universal permissive)(?: 1(?:\.0)?)?$/, id: 'UPL-1.0' },
  { re: /^(?:bsl 1\.1|busl 1\.1|business source 1\.1)$/, id: 'BUSL-1.1' },
  { re: /^(?:bsl|business source)$/, id: null, note: 'BSL names both the Boost and the Business Source licences' },
  { re: /^(?:ncsa|university of illinois ncsa open source|illinois ncsa)$/, id: 'NCSA' },
  { re: /^(?:vim)$/, id: 'Vim' },
  { re: /^(?:ruby)$/, id: 'Ruby' },
  { re: /^(?:php)(?: (?<v>3\.0|3\.01))$/, id: (g) => (g['v'] ? `PHP-${g['v']}` : null) },
  // Data licences.
  { re: /^(?:odbl|odc odbl|open database|open data commons open database)(?: 1(?:\.0)?)?$/, id: 'ODbL-1.0' },
  { re: /^(?:odc by|odc attribution|open data commons attribution)(?: 1(?:\.0)?)?$/, id: 'ODC-By-1.0' },
  { re: /^(?:pddl|odc pddl|open data commons public domain dedication(?: and)?)(?: 1(?:\.0)?)?$/, id: 'PDDL-1.0' },
  { re: /^(?:cdla|community data agreement) (?<kind>permissive|sharing) (?<v>1|1\.0|2|2\.0)$/, id: (g) => idIf(`CDLA-${g['kind'] === 'permissive' ? 'Permissive' : 'Sharing'}`, g['v'], g['kind'] === 'permissive' ? ['1.0', '2.0'] : ['1.0']) },
  { re: /^(?:cdla|community data agreement)(?: (?:permissive|sharing))?$/, id: null, note: 'a CDLA licence without its kind or version' },
  { re: /^(?:ogl|ogl uk|open government|uk open government)(?: (?<v>1|1\.0|2|2\.0|3|3\.0))$/, id: (g) => idIf('OGL-UK', g['v'], ['1.0', '2.0', '3.0']) },
  { re: /^(?:ogl canada|open government canada)(?: 2(?:\.0)?)?$/, id: 'OGL-Canada-2.0' },
  { re: /^(?:ogl|open government)$/, id: null, note: 'an Open Government Licence without its country and version' },
  { re: /^(?:etalab|ouverte|open etalab)(?: 2(?:\.0)?)$/, id: 'etalab-2.0' },
  { re: /^(?:dl de by|dl de\/by|data germany attribution|datenlizenz deutschland namensnennung)(?: 2(?:\.0)?)$/, id: 'DL-DE-BY-2.0' },
  { re: /^(?:dl de zero|dl de\/zero|data germany zero|datenlizenz deutschland zero)(?: 2(?:\.0)?)$/, id: 'DL-DE-ZERO-2.0' },
  { re: /^(?:nlod|norwegian for open government data)(?: (?<v>1|1\.0|2|2\.0))$/, id: (g) => idIf('NLOD', g['v'], ['1.0', '2.0']) },
];

function idIf(prefix: string, version: string | undefined, allowed: readonly string[]): string | null {
  const full = v(version, allowed);
  return full === null ? null : `${prefix}-${full}`;
}

/**
 * Normalises a licence name for the table: lower case, one spelling of licence, punctuation to
 * spaces (keeping `+`, version dots and the `/` of `zlib/libpng`), `gplv3` → `gpl 3`, noise words dropped.
 */
export function normaliseName(text: string): string {
  const s = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019\u201c\u201d"'`´]/g, '')
    .replace(/licen[cs]e[sd]?/g, (w) => (w.endsWith('d') ? 'licensed' : 'license'))
    .replace(/^\s*license\s*::\s*(?:osi approved\s*::\s*)?/, '')
    .replace(/\bversion\s*(\d)/g, ' $1')
    .replace(/\bv(?:er)?\.?\s*(\d)/g, ' $1')
    .replace(/\b([a-z]{2,}?)v?(\d)/g, (_m, word: string, digit: string) => (word === 'cc' && digit === '0' ? 'cc0' : `${word} ${digit}`))
    .replace(/(\d)\.(\d)\.0\b/g, '$1.$2')
    .replace(/(\d)-(\d)(?!\d)/g, (m, a: string, b: string, offset: number, all: string) => (/(?:clause|bsd)/.test(all.slice(Math.max(0, offset - 8), offset + 10)) ? m : `${a}.${b}`))
    .replace(/[-_,;:()[\]{}<>|!?*&]+/g, ' ')
    .replace(/\.(?!\d)/g, ' ')
    .replace(/\s*\+\s*/g, ' + ')
    .replace(/(\d)\s*\+/g, '$1 +');
  const words = s.split(/\s+/).filter((w) => w !== '' && !NOISE.has(w));
  // A trailing plus sticks to the version before it: "gpl 2.0+".
  return words.join(' ').replace(/ \+$/, '+');
}

/** Reads a loose licence name with the table. Undefined when no row matches (the name is unknown). */
export function readLicenceName(text: string): NameRead | undefined {
  const norm = normaliseName(text);
  for (const row of NAME_TABLE) {
    const m = row.re.exec(norm);
    if (!m) continue;
    const id = typeof row.id === 'function' ? row.id({ ...m.groups }) : row.id;
    if (id === null) {
      const family = typeof row.family === 'function' ? row.family({ ...m.groups }) : row.family;
      return { id: null, confidence: 0, kind: row.none ? 'none' : 'ambiguous', ...(family ? { family } : {}), note: row.note ?? 'the name leaves out what tells licences apart (a version, clauses or variant)' };
    }
    const bareGnu = /^(?:A?GPL|LGPL|GFDL)-\d\.\d-only$/.test(id) && !/\bonly\b/.test(norm);
    return {
      id,
      confidence: row.confidence ?? (bareGnu ? GNU_BARE_CONFIDENCE : NAME_CONFIDENCE),
      ...(bareGnu ? { note: GNU_BARE_NOTE } : row.note ? { note: row.note } : {}),
    };
  }
  return undefined;
}

const require = createRequire(import.meta.url);

/**
 * SPDX full names, normalised like loose names, to their ids: "Apache License 2.0",
 * "Creative Commons Attribution Non Commercial Share Alike 4.0 International". A name shared by two
 * ids (none today) would name neither. Built on first use: most scans read no metadata, and start-up
 * time counts.
 */
let fullNames: Map<string, string | null> | undefined;
function fullNameTable(): Map<string, string | null> {
  if (fullNames) return fullNames;
  const spdxList = require('spdx-license-list') as Record<string, { name: string }>;
  const deprecated = new Set(require('spdx-license-ids/deprecated.json') as string[]);
  const table = new Map<string, string | null>();
  for (const [listed, { name }] of Object.entries(spdxList)) {
    if (deprecated.has(listed)) continue;
    let id: string;
    try {
      // The list still carries "GPL-2.0+" beside "GPL-2.0-or-later": one licence, one canonical id.
      id = parseSpdx(listed).canonical;
    } catch {
      continue;
    }
    const key = normaliseName(name.replace(/\s+/g, ' '));
    if (key === '') continue;
    table.set(key, table.has(key) && table.get(key) !== id ? null : id);
  }
  return (fullNames = table);
}

/** Reads an SPDX full name, exactly (after normalisation). */
export function readFullName(text: string): NameRead | undefined {
  const id = fullNameTable().get(normaliseName(text));
  if (id === undefined) return undefined;
  if (id === null) return { id: null, confidence: 0, kind: 'ambiguous', note: 'the name is shared by several SPDX licences' };
  return { id, confidence: NAME_CONFIDENCE };
}
