/**
 * Licences declared in package and dataset metadata: package.json, pyproject.toml, setup.cfg,
 * Cargo.toml, composer.json, an R package's DESCRIPTION, CITATION.cff, codemeta.json,
 * datapackage.json and Croissant JSON-LD (`croissant.json`, `*-croissant.json`, … with the MLCommons
 * Croissant context). Each file is a marker of its folder: what it declares governs the subtree, below
 * a licence file or REUSE declaration beside it and above a dataset card (precedence 10).
 *
 * The written licence is read by the shared reader (licence-names): a valid SPDX expression keeps a
 * high confidence, a URL or a loose name ("Apache 2", "GPLv3+") is corrected with less, and an
 * ambiguous or non-licence statement ("GPL", "Public Domain", "SEE LICENSE IN terms.pdf") has no
 * expression, so that files under it go to review. The written text is always kept in the value.
 *
 * A data package's resources may declare their own licences: those cover the resource's files
 * (and take them out of the package's licence), which is why this marker resolves per path.
 *
 * ok:     package.json `"license": "MIT"` → licence.metadata.npm, MIT (0.9)
 * ok:     pyproject.toml `license = {text = "Apache License 2.0"}` → licence.metadata.pyproject, Apache-2.0 (0.7)
 * not-ok: setup.cfg `license = BSD` → licence.metadata.setup-cfg, expression null (ambiguous)
 * not-ok: a package.json that is not JSON → metadata.invalid (warning)
 */
import { defineDetector, findingUrl, type DetectorInput, type FindingDoc } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { readLicence, type LicenceReading } from '../licence-names/index.js';
import { decodeText, excerpt } from '../text.js';
import { formatOf, MetadataError, READERS, type Declaration, type FormatId } from './formats.js';
import { readRLicence } from './r-licence.js';

/** Metadata files larger than this are not read: a package manifest is a few KB. */
const MAX_BYTES = 1024 * 1024;
/** A licence read from a fallback (PyPI classifiers) is never surer than a corrected name. */
const FALLBACK_CONFIDENCE = 0.7;

const FORMATS: Readonly<Record<FormatId, { file: string; field: string }>> = {
  npm: { file: 'package.json', field: '`license` (or the legacy `licenses` list)' },
  pyproject: { file: 'pyproject.toml', field: '`project.license` (a PEP 639 expression or the older `{text}`/`{file}` table), `tool.poetry.license`, or PyPI licence classifiers when neither is set' },
  'setup-cfg': { file: 'setup.cfg', field: '`[metadata] license` (or `license_file`, or licence classifiers)' },
  cargo: { file: 'Cargo.toml', field: '`package.license` (or `license-file`, or `workspace.package.license`)' },
  composer: { file: 'composer.json', field: '`license` (a list is a choice of licences)' },
  'r-description': { file: "an R package's DESCRIPTION", field: '`License:`, in R\'s syntax (`GPL (>= 2)`, `GPL-2 | GPL-3`, `MIT + file LICENSE`)' },
  'citation-cff': { file: 'CITATION.cff', field: '`license` (a list is a choice of licences) or `license-url`' },
  codemeta: { file: 'codemeta.json', field: '`license` (an SPDX URL, a name, or a list)' },
  datapackage: { file: 'datapackage.json', field: '`licenses` of the package and of each resource (a resource\'s own licences cover its files instead of the package\'s)' },
  croissant: { file: 'a Croissant JSON-LD file (croissant.json)', field: '`license` of the dataset' },
};

function doc(format: FormatId): FindingDoc {
  const f = FORMATS[format];
  return {
    title: `Licence declared in ${f.file}`,
    meaning: `${f.file[0]!.toUpperCase()}${f.file.slice(1)} declares a licence in ${f.field}; it governs the file's folder and everything below it, unless a licence file, a REUSE declaration or a file's own statement nearer the file says otherwise. A valid SPDX expression is taken as written; a licence URL or a loose name ("Apache 2", "GPLv3+") is corrected to an SPDX id with less confidence; an ambiguous or non-licence statement has no expression. The written text is kept in \`value.written\`.`,
    action: 'Check that the declaration covers the data and not only the code that ships with it; a corrected or missing expression is worth confirming against the licence text.',
  };
}

const CODES: Record<string, FindingDoc> = {};
for (const format of Object.keys(FORMATS) as FormatId[]) CODES[`licence.metadata.${format}`] = doc(format);
CODES['licence.metadata.croissant-metadata'] = {
  title: 'Licence of a Croissant metadata file itself',
  meaning: 'A Croissant JSON-LD file declares `sdLicense`: the licence of the metadata record (the JSON-LD file), not of the dataset it describes. It applies to that file only.',
  action: 'None for the data; the dataset\'s licence is in `license`.',
};
CODES['metadata.invalid'] = {
  title: 'Metadata file that could not be read',
  meaning: 'A package or dataset metadata file (package.json, pyproject.toml, CITATION.cff, …) does not parse, or is larger than 1 MiB, so the licence it may declare is unknown.',
  action: 'Fix or check the file; until then it says nothing about the folder\'s licence.',
};

export const projectMetadata = defineDetector({
  id: 'project-metadata',
  version: '1.0.0',
  description: 'Licences declared in package and dataset metadata (package.json, pyproject.toml, Cargo.toml, CITATION.cff, datapackage.json, Croissant, …)',
  match: { names: [(name) => formatOf(name) !== undefined] },
  marker: true,
  precedence: 10,
  wants: { whole: { maxBytes: MAX_BYTES } },
  codes: CODES,
  detect(input) {
    const format = formatOf(input.name);
    if (format === undefined) return [];
    if (input.whole === null) return input.truncated ? [invalid(input, `larger than ${MAX_BYTES} bytes`)] : [];
    const text = decodeText(input.whole);
    let declarations: Declaration[];
    try {
      declarations = READERS[format](text);
    } catch (err) {
      // Bad input is data: a parse error, or a parser refusing a hostile document (depth, aliases).
      return [invalid(input, err instanceof MetadataError ? err.message : `unreadable: ${(err as Error).message}`)];
    }
    const lines = text.split('\n', 100_000);
    return declarations.slice(0, 64).map((d) => finding(input, format, d, lines));
  },
  forPath(finding, path) {
    const value = finding.value as { paths?: string[]; except?: string[] };
    if (value.paths === undefined && value.except === undefined) return finding;
    const rel = relative(finding.scope.root, path);
    if (rel === null) return null;
    if (value.paths !== undefined) return setOf(value.paths).has(rel) ? finding : null;
    return setOf(value.except!).has(rel) ? null : finding;
  },
});

/** Path lists as sets, built once per finding: forPath runs for every file below the marker. */
const sets = new WeakMap<readonly string[], Set<string>>();
function setOf(list: readonly string[]): Set<string> {
  let s = sets.get(list);
  if (!s) sets.set(list, (s = new Set(list)));
  return s;
}

function relative(root: string, path: string): string | null {
  if (root === '') return path;
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : null;
}

function read(d: Declaration): LicenceReading & { file?: string } {
  if (d.written.length === 0) return { expression: null, confidence: 0, method: 'none', note: `the licence is in ${d.file ?? 'a file'}` };
  if (d.r) return readRLicence(d.written[0]!);
  if (!d.or || d.written.length === 1) {
    const r = readLicence(d.written[0]!);
    // "SEE LICENSE IN <file>" and the like point at a file instead of naming a licence.
    return d.file !== undefined && r.expression === null ? { ...r, method: 'none', note: `the licence is in ${d.file}` } : r;
  }
  const parts = d.written.map((w) => readLicence(w));
  const failed = parts.findIndex((p) => p.expression === null);
  if (failed >= 0) return { ...parts[failed]!, note: `"${d.written[failed]}" names no licence exactly${parts[failed]!.note ? `: ${parts[failed]!.note}` : ''}` };
  const alternatives = [...new Set(parts.map((p) => p.expression!))];
  const r = readLicence(alternatives.map((e) => (/\s/.test(e) ? `(${e})` : e)).join(' OR '));
  return { ...r, confidence: Math.min(r.confidence, ...parts.map((p) => p.confidence)), method: parts.every((p) => p.method === 'spdx') ? 'spdx' : 'name' };
}

function finding(input: DetectorInput, format: FormatId, d: Declaration, lines: readonly string[]): FindingInput {
  const r = read(d);
  const confidence = d.fallback ? Math.min(r.confidence, FALLBACK_CONFIDENCE) : r.confidence;
  const code = d.fileOnly ? 'licence.metadata.croissant-metadata' : `licence.metadata.${format}`;
  const file = d.file ?? r.file;
  const lineText = d.line !== undefined ? lines[d.line - 1] : undefined;
  return {
    code,
    category: 'licence',
    detector: 'project-metadata',
    confidence: r.expression === null ? 0 : confidence,
    value: {
      expression: r.expression,
      written: d.written.length === 1 ? d.written[0]! : d.written.join(' | '),
      method: r.method,
      field: d.field,
      ...(r.note !== undefined ? { note: r.note } : {}),
      ...(file !== undefined ? { file } : {}),
      ...(d.paths !== undefined ? { paths: d.paths } : {}),
      ...(d.except !== undefined ? { except: d.except } : {}),
    },
    evidence: { path: input.path, ...(d.line !== undefined ? { line: d.line } : {}), ...(lineText !== undefined ? { excerpt: excerpt(lineText) } : {}) },
    scope: d.fileOnly ? { kind: 'file', root: input.path } : { kind: 'subtree', root: input.dir },
    url: findingUrl(code),
  };
}

function invalid(input: DetectorInput, problem: string): FindingInput {
  return {
    code: 'metadata.invalid',
    category: 'notice',
    detector: 'project-metadata',
    severity: 'warning',
    confidence: 1,
    value: { problem: problem.length > 300 ? `${problem.slice(0, 297)}...` : problem, format: formatOf(input.name) ?? null },
    evidence: { path: input.path },
    scope: { kind: 'file', root: input.path },
    url: findingUrl('metadata.invalid'),
  };
}
