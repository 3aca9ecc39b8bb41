/**
 * REUSE.toml: `[[annotations]]` tables that give files, by path pattern, their licence
 * (`SPDX-License-Identifier`) and copyright (`SPDX-FileCopyrightText`). A REUSE.toml is a marker of
 * its folder; what it says about one file is resolved per path (forPath): the LAST table whose
 * pattern matches the file is the only one used for it, and a file no table matches gets nothing from
 * this REUSE.toml (a REUSE.toml farther up may still cover it). Licence files (`LICENSE*`,
 * `COPYING*`), the `LICENSES/` folder, `.license` sidecars and `.reuse/` are not Covered Files.
 *
 * Precedence: `closest` (the default) lets a file's own statement win, then the nearest REUSE.toml —
 * which is how the engine resolves any marker. `aggregate` and `override` ask for more than the
 * engine does today (the table's licence joined to, or replacing, the file's own): their findings say
 * so in `value.precedence`, and review should apply them.
 * Reference: REUSE Specification 3.2, "REUSE.toml" and "Order of precedence".
 *
 * ok:     `[[annotations]] path = "data/**" SPDX-License-Identifier = "CC-BY-4.0"` → data/x/y.csv: licence.reuse.toml, CC-BY-4.0
 * not-ok: `version = 2` or TOML that does not parse → reuse.toml.invalid (warning), nothing applied
 */
import { parse as parseToml } from 'smol-toml';
import { defineDetector, findingUrl, type DetectorInput } from '../../engine/detector.js';
import { parseSpdx } from '../../policy/spdx.js';
import type { Finding, FindingInput } from '../../schema/finding.js';
import { parseNotice, type CopyrightNotice } from '../copyright/index.js';
import { decodeText, excerpt } from '../text.js';
import { reuseGlob, type ReuseGlob } from './glob.js';

const MAX_BYTES = 1024 * 1024;
/** Tables and patterns read from one REUSE.toml; more are reported and left out. */
const MAX_TABLES = 2000;
const MAX_PATHS = 10_000;
const MAX_NOTICES = 64;

type Precedence = 'closest' | 'aggregate' | 'override';

/** One `[[annotations]]` table as held in the marker finding's value. */
export interface ReuseTable {
  /** 1-based line of the table's header. */
  line: number;
  paths: string[];
  precedence: Precedence;
  /** The table's licence, when it has `SPDX-License-Identifier`: several expressions all apply (AND). */
  licence: { expression: string | null; written: string; problem?: string } | null;
  /** The table's copyright notices, parsed (unparseable ones kept as written, holder null). */
  copyright: { holder: string | null; statement: string; years?: CopyrightNotice['years']; contact?: string }[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] | null => {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  return null;
};

/** Reads a REUSE.toml's text into its tables and the problems found. */
export function readReuseToml(text: string): { tables: ReuseTable[]; problems: string[] } {
  const problems: string[] = [];
  let data: Record<string, unknown>;
  try {
    data = parseToml(text, { maxDepth: 32, unsafeKeyBehaviour: 'drop' });
  } catch (err) {
    return { tables: [], problems: [`not valid TOML: ${(err as Error).message.split('\n')[0]}`] };
  }
  if (data['version'] !== 1) return { tables: [], problems: [`version must be 1, got ${JSON.stringify(data['version'] ?? null)}: this reader knows REUSE.toml version 1 only`] };
  const annotations = data['annotations'];
  if (annotations === undefined) return { tables: [], problems: [] };
  if (!Array.isArray(annotations)) return { tables: [], problems: ['annotations must be an array of tables ([[annotations]])'] };
  // Table header lines, in order, for evidence.
  const headers: number[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && headers.length < MAX_TABLES; i++) if (/^\s*\[\[\s*annotations\s*\]\]/.test(lines[i]!)) headers.push(i + 1);
  const tables: ReuseTable[] = [];
  let pathCount = 0;
  for (const [i, a] of annotations.entries()) {
    if (i >= MAX_TABLES) {
      problems.push(`more than ${MAX_TABLES} tables: the rest are not read`);
      break;
    }
    const where = `table ${i + 1}`;
    if (!isRecord(a)) {
      problems.push(`${where} is not a table`);
      continue;
    }
    const paths = strings(a['path']);
    if (!paths || paths.length === 0) {
      problems.push(`${where} has no path`);
      continue;
    }
    pathCount += paths.length;
    if (pathCount > MAX_PATHS) {
      problems.push(`more than ${MAX_PATHS} paths: the rest are not read`);
      break;
    }
    // "toml" is what REUSE.toml files written for reuse-tool's pre-releases call "override".
    const precedence = a['precedence'] === 'toml' ? 'override' : (a['precedence'] ?? 'closest');
    if (precedence !== 'closest' && precedence !== 'aggregate' && precedence !== 'override') {
      problems.push(`${where}: unknown precedence ${JSON.stringify(precedence)}`);
      continue;
    }
    const ids = a['SPDX-License-Identifier'] === undefined ? [] : strings(a['SPDX-License-Identifier']);
    const notices = a['SPDX-FileCopyrightText'] === undefined ? [] : strings(a['SPDX-FileCopyrightText']);
    if (ids === null) problems.push(`${where}: SPDX-License-Identifier must be a string or a list of strings`);
    if (notices === null) problems.push(`${where}: SPDX-FileCopyrightText must be a string or a list of strings`);
    tables.push({ line: headers[i] ?? 1, paths, precedence, licence: ids && ids.length > 0 ? licenceOf(ids) : null, copyright: (notices ?? []).slice(0, MAX_NOTICES).map(noticeOf) });
  }
  return { tables, problems };
}

function licenceOf(ids: string[]): NonNullable<ReuseTable['licence']> {
  const written = ids.join(' AND ');
  try {
    const parts = ids.map((id) => parseSpdx(id).canonical);
    const expression = parts.length === 1 ? parts[0]! : parseSpdx(parts.map((p) => `(${p})`).join(' AND ')).canonical;
    return { expression, written };
  } catch (err) {
    return { expression: null, written, problem: (err as Error).message };
  }
}

function noticeOf(text: string): ReuseTable['copyright'][number] {
  // "The prefix of the Copyright Notice MAY be omitted": a table's notice is a notice by definition.
  const n = parseNotice(text, { field: true });
  return n ? { holder: n.holder, statement: n.statement, ...(n.years ? { years: n.years } : {}), ...(n.contact ? { contact: n.contact } : {}) } : { holder: null, statement: text.slice(0, 200) };
}

/** Paths a REUSE.toml never covers: licence files, LICENSES/, .reuse/, version control, .license sidecars. */
function covered(rel: string): boolean {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  if (/^(?:LICEN[CS]E|COPYING)(?:\..*)?$/i.test(name)) return false;
  if (/\.license$/i.test(name)) return false;
  return !/^(?:LICENSES|\.reuse|\.git|\.hg|\.svn)\//.test(rel) && !/(?:^|\/)\.git\//.test(rel);
}

interface Compiled {
  globs: (ReuseGlob | null)[][];
}
const compiled = new WeakMap<readonly ReuseTable[], Compiled>();
function compile(tables: readonly ReuseTable[]): Compiled {
  let c = compiled.get(tables);
  if (!c) compiled.set(tables, (c = { globs: tables.map((t) => t.paths.map(reuseGlob)) }));
  return c;
}

/** The last table that covers `rel`, or undefined. */
export function lastMatch(tables: readonly ReuseTable[], rel: string): { table: ReuseTable; index: number } | undefined {
  if (!covered(rel)) return undefined;
  const { globs } = compile(tables);
  for (let i = tables.length - 1; i >= 0; i--) if (globs[i]!.some((g) => g?.test(rel))) return { table: tables[i]!, index: i };
  return undefined;
}

function relative(root: string, path: string): string | null {
  if (root === '') return path;
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : null;
}

export const reuseToml = defineDetector({
  id: 'reuse-toml',
  version: '1.0.0',
  description: 'REUSE.toml annotations: licence and copyright of files by path pattern',
  match: { names: ['REUSE.toml'] },
  marker: true,
  precedence: 20,
  wants: { whole: { maxBytes: MAX_BYTES } },
  codes: {
    'reuse.toml': {
      title: 'REUSE.toml annotations',
      meaning: 'The folder has a REUSE.toml whose `[[annotations]]` tables give licences and copyright notices to files by path pattern. The finding on the REUSE.toml itself lists its tables; each file a table covers gets `licence.reuse.toml` and `provenance.reuse.copyright` from the last table that matches it.',
      action: 'None: the tables are applied per file. Check that patterns cover what the project means them to.',
    },
    'licence.reuse.toml': {
      title: 'Licence given by a REUSE.toml table',
      meaning: 'The last `[[annotations]]` table of a REUSE.toml whose `path` matches this file gives it `SPDX-License-Identifier` (several expressions all apply, joined with AND). It ranks with licence files (a file\'s own statement beats it). `value.precedence` is the table\'s: with `aggregate` the file\'s own licence applies as well, with `override` the table\'s replaces the file\'s own — the engine does not yet apply either, so such a finding should be reviewed against the file\'s own statement.',
      action: 'None when the expression is allowed; with `aggregate` or `override` and a file that states its own licence, decide by hand which applies.',
    },
    'provenance.reuse.copyright': {
      title: 'Copyright given by REUSE',
      meaning: 'A REUSE.toml table that covers this file (or, on the REUSE.toml itself, all its tables) states `SPDX-FileCopyrightText` copyright notices: `value.notices` has each holder and years.',
      action: 'Keep the notices with the file\'s record.',
    },
    'reuse.toml.invalid': {
      title: 'REUSE.toml that cannot be applied',
      meaning: 'The REUSE.toml does not parse, has a `version` other than 1, or has tables that are malformed (no `path`, an unknown `precedence`, a licence that is not a valid SPDX expression). A file that does not parse, or has another version, is not applied at all; malformed tables are left out and listed in `value.problems`.',
      action: 'Fix the REUSE.toml (`reuse lint` checks it); until then the files it means to cover may show no licence.',
    },
  },
  detect(input) {
    if (input.whole === null) return input.truncated ? [invalid(input, [`larger than ${MAX_BYTES} bytes`])] : [];
    const text = decodeText(input.whole);
    const { tables, problems } = readReuseToml(text);
    const bad = tables.filter((t) => t.licence?.problem).map((t) => `table at line ${t.line}: ${t.licence!.problem}`);
    const out: FindingInput[] = [];
    if (problems.length > 0 || bad.length > 0) out.push(invalid(input, [...problems, ...bad]));
    if (tables.length === 0) return out;
    const scope = { kind: 'subtree' as const, root: input.dir };
    out.push({
      code: 'reuse.toml',
      category: 'notice',
      detector: 'reuse-toml',
      confidence: 1,
      value: { tables },
      evidence: { path: input.path, line: tables[0]!.line },
      scope,
      url: findingUrl('reuse.toml'),
    });
    const notices = tables.flatMap((t) => t.copyright);
    if (notices.length > 0) {
      out.push({
        code: 'provenance.reuse.copyright',
        category: 'provenance',
        detector: 'reuse-toml',
        confidence: 0.95,
        // The tables again: each file gets the notices of the last table that covers it.
        value: { notices, tables },
        evidence: { path: input.path, line: tables.find((t) => t.copyright.length > 0)!.line },
        scope,
        url: findingUrl('provenance.reuse.copyright'),
      });
    }
    return out;
  },
  forPath(finding, path) {
    if (finding.code !== 'reuse.toml' && finding.code !== 'provenance.reuse.copyright') return finding;
    const tables = (finding.value as { tables?: ReuseTable[] }).tables;
    if (!tables) return null;
    const rel = relative(finding.scope.root, path);
    if (rel === null) return null;
    const hit = lastMatch(tables, rel);
    if (!hit) return null;
    const { table, index } = hit;
    const lineText = `[[annotations]] #${index + 1}`;
    if (finding.code === 'reuse.toml') {
      if (!table.licence) return null;
      return {
        ...finding,
        code: 'licence.reuse.toml',
        category: 'licence',
        confidence: table.licence.expression === null ? 0 : 0.95,
        severity: table.precedence === 'closest' ? 'info' : 'warning',
        value: { expression: table.licence.expression, written: table.licence.written, precedence: table.precedence, table: index + 1, pattern: table.paths[compile(tables).globs[index]!.findIndex((g) => g?.test(rel))] ?? null },
        evidence: { path: finding.evidence.path, line: table.line, excerpt: excerpt(lineText) },
        url: findingUrl('licence.reuse.toml'),
      };
    }
    if (table.copyright.length === 0) return null;
    return {
      ...finding,
      value: { notices: table.copyright, precedence: table.precedence, table: index + 1 },
      evidence: { path: finding.evidence.path, line: table.line },
    } as Finding;
  },
});

function invalid(input: DetectorInput, problems: string[]): FindingInput {
  return {
    code: 'reuse.toml.invalid',
    category: 'notice',
    detector: 'reuse-toml',
    severity: 'warning',
    confidence: 1,
    value: { problems: problems.slice(0, 20).map((p) => (p.length > 300 ? `${p.slice(0, 297)}...` : p)) },
    evidence: { path: input.path },
    scope: { kind: 'file', root: input.path },
    url: findingUrl('reuse.toml.invalid'),
  };
}
