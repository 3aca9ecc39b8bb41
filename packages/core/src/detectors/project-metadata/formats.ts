/**
 * Where each package or dataset metadata format declares its licence. Each reader takes the file's
 * text and returns the declarations it finds, as written, with the field and line they are on; the
 * detector reads them into SPDX expressions. A reader throws {@link MetadataError} for a file that
 * does not parse; a file of the right name that is not of the format (a DESCRIPTION that is not an
 * R package's) returns no declarations.
 */
import { parse as parseToml } from 'smol-toml';
import { parseDocument } from 'yaml';

/** A file of a metadata format that could not be parsed. */
export class MetadataError extends Error {}

/** One licence declaration as the file writes it. */
export interface Declaration {
  /** The text of the licence field; several texts are alternatives (`or: true`) or separate statements. */
  written: string[];
  /** The texts are alternatives of one licence (a CITATION.cff or composer.json list): read as `A OR B`. */
  or?: boolean;
  /** Dotted name of the field: `license`, `project.license.text`, `licenses[0].type`. */
  field: string;
  /** 1-based line of the field, when found. */
  line?: number;
  /** A licence file the field points at instead of, or beside, naming a licence (`SEE LICENSE IN LICENSE.txt`). */
  file?: string;
  /** R's syntax: the DESCRIPTION reader maps it itself. */
  r?: true;
  /** The declaration is about the metadata file itself, not the folder (Croissant's `sdLicense`). */
  fileOnly?: true;
  /** For a data package resource: the paths (relative to the metadata file's folder) it applies to. */
  paths?: string[];
  /** For a data package's own licence: resource paths that declare their own and so are not covered. */
  except?: string[];
  /** A fallback (PyPI classifiers): read with at most the confidence of a loose name. */
  fallback?: true;
}

export type FormatId = 'npm' | 'pyproject' | 'setup-cfg' | 'cargo' | 'composer' | 'r-description' | 'citation-cff' | 'codemeta' | 'datapackage' | 'croissant';

/** 1-based line of the first match of `re` in `text` (at or after `from`), or undefined. */
export function lineOf(text: string, re: RegExp, from = 0): number | undefined {
  const flags = re.flags.includes('g') ? re.flags : `${re.flags}g`;
  const g = new RegExp(re.source, flags.includes('m') ? flags : `${flags}m`);
  g.lastIndex = from;
  const m = g.exec(text);
  if (!m) return undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < m.index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new MetadataError(`not valid JSON: ${(err as Error).message}`);
  }
}

function toml(text: string): Record<string, unknown> {
  try {
    return parseToml(text, { maxDepth: 64, unsafeKeyBehaviour: 'drop' });
  } catch (err) {
    throw new MetadataError(`not valid TOML: ${(err as Error).message.split('\n')[0]}`);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(str).filter((s): s is string => s !== undefined);

/** package.json: `license` (an SPDX expression, or legacy `{type, url}`), legacy `licenses: [{type, url}]`. Reference: npm docs, package.json `license`. */
export function readNpm(text: string): Declaration[] {
  const data = json(text);
  if (!isRecord(data)) throw new MetadataError('package.json is not an object');
  const line = lineOf(text, /^\s*"license"\s*:/);
  const lic = data['license'];
  const out: Declaration[] = [];
  if (typeof lic === 'string' && lic.trim() !== '') {
    const see = /^SEE LICEN[CS]E IN\s+(\S.*)$/i.exec(lic.trim());
    out.push(see ? { written: [lic.trim()], field: 'license', line, file: see[1]!.trim() } : { written: [lic.trim()], field: 'license', line });
  } else if (isRecord(lic)) {
    const w = strings(lic['type']).concat(strings(lic['url']));
    if (w.length > 0) out.push({ written: [w[0]!], field: lic['type'] !== undefined ? 'license.type' : 'license.url', line });
  }
  if (out.length === 0 && Array.isArray(data['licenses'])) {
    // The old `licenses` array lists alternatives, as npm's normalize-package-data reads it.
    const w = (data['licenses'] as unknown[]).slice(0, 16).map((l) => (isRecord(l) ? str(l['type']) ?? str(l['url']) : str(l))).filter((s): s is string => s !== undefined);
    if (w.length > 0) out.push({ written: w, or: true, field: 'licenses', line: lineOf(text, /^\s*"licenses"\s*:/) });
  }
  return out;
}

/** Licence classifiers of PyPI (`License :: OSI Approved :: MIT License`), a fallback when no licence field is set. */
function classifiers(list: unknown, field: string, text: string): Declaration[] {
  const found = strings(list).filter((c) => /^License\s*::/.test(c) && !/^License\s*::\s*OSI Approved\s*$/.test(c));
  return found.slice(0, 8).map((c) => ({ written: [c], field, line: lineOf(text, new RegExp(c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))), fallback: true as const }));
}

/**
 * pyproject.toml: `project.license` as a PEP 639 SPDX expression or the older table (`{text = …}`,
 * `{file = …}`); `tool.poetry.license`; PyPI licence classifiers only when no licence field is set.
 * Reference: PEP 621, PEP 639 (`license`, `license-files`); Poetry `tool.poetry.license`.
 */
export function readPyproject(text: string): Declaration[] {
  const data = toml(text);
  const out: Declaration[] = [];
  const project = isRecord(data['project']) ? data['project'] : undefined;
  const projectAt = text.search(/^\s*\[project\]/m);
  const lic = project?.['license'];
  const line = lineOf(text, /^\s*license\s*=/, Math.max(0, projectAt));
  const files = project ? strings(project['license-files']) : [];
  if (typeof lic === 'string' && lic.trim() !== '') out.push({ written: [lic.trim()], field: 'project.license', line, ...(files[0] ? { file: files[0] } : {}) });
  else if (isRecord(lic)) {
    const t = str(lic['text']);
    const f = str(lic['file']);
    if (t) out.push({ written: [t], field: 'project.license.text', line });
    else if (f) out.push({ written: [], field: 'project.license.file', line, file: f });
  }
  const tool = isRecord(data['tool']) ? data['tool'] : undefined;
  const poetry = tool && isRecord(tool['poetry']) ? tool['poetry'] : undefined;
  const poetryLic = str(poetry?.['license']);
  if (poetryLic && out.length === 0) out.push({ written: [poetryLic], field: 'tool.poetry.license', line: lineOf(text, /^\s*license\s*=/, Math.max(0, text.search(/^\s*\[tool\.poetry\]/m))) });
  if (out.length === 0) out.push(...classifiers(project?.['classifiers'] ?? poetry?.['classifiers'], 'classifiers', text));
  return out;
}

/**
 * setup.cfg: `[metadata] license`, `license_file(s)`, licence classifiers as a fallback. INI in
 * Python's configparser dialect: `key = value` or `key: value`, values continued on indented lines.
 * Reference: setuptools "Configuring setuptools using setup.cfg files", [metadata] section.
 */
export function readSetupCfg(text: string): Declaration[] {
  const metadata = iniSection(text, 'metadata');
  if (!metadata) return [];
  const out: Declaration[] = [];
  const lic = metadata.get('license');
  const file = metadata.get('license_file')?.value.trim() || metadata.get('license_files')?.value.trim().split(/\s*[\n,]\s*/)[0];
  if (lic && lic.value.trim() !== '') out.push({ written: [lic.value.replace(/\s+/g, ' ').trim()], field: 'metadata.license', line: lic.line, ...(file ? { file } : {}) });
  else if (file) out.push({ written: [], field: 'metadata.license_file', line: (metadata.get('license_file') ?? metadata.get('license_files'))?.line, file });
  const cls = metadata.get('classifiers');
  if (out.length === 0 && cls) {
    for (const c of cls.value.split('\n').map((s) => s.trim()).filter((s) => /^License\s*::/.test(s)).slice(0, 8)) out.push({ written: [c], field: 'metadata.classifiers', line: cls.line, fallback: true });
  }
  return out;
}

/** One section of a configparser-style INI file: key (lower case) → value and 1-based line. */
function iniSection(text: string, name: string): Map<string, { value: string; line: number }> | null {
  const lines = text.split(/\r?\n/);
  let inside = false;
  let found = false;
  let current: { value: string; line: number } | null = null;
  const out = new Map<string, { value: string; line: number }>();
  for (let i = 0; i < lines.length && i < 20_000; i++) {
    const line = lines[i]!;
    const header = /^\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      inside = header[1]!.trim().toLowerCase() === name;
      found ||= inside;
      current = null;
      continue;
    }
    if (!inside || /^\s*[#;]/.test(line)) continue;
    if (/^\s+\S/.test(line) && current) {
      current.value += `\n${line.trim()}`;
      continue;
    }
    const kv = /^([^=:\s][^=:]*?)\s*[=:]\s*(.*)$/.exec(line);
    if (kv) {
      current = { value: kv[2]!, line: i + 1 };
      out.set(kv[1]!.trim().toLowerCase().replace(/-/g, '_'), current);
    } else current = null;
  }
  return found ? out : null;
}

/** Cargo.toml: `package.license` (SPDX, with the legacy `/` for OR), `package.license-file`, `workspace.package.license`. Reference: The Cargo Book, the manifest format. */
export function readCargo(text: string): Declaration[] {
  const data = toml(text);
  const out: Declaration[] = [];
  for (const [table, header] of [['package', /^\s*\[package\]/m], ['workspace.package', /^\s*\[workspace\.package\]/m]] as const) {
    const t = table === 'package' ? data['package'] : isRecord(data['workspace']) ? data['workspace']['package'] : undefined;
    if (!isRecord(t)) continue;
    const at = Math.max(0, text.search(header));
    const lic = str(t['license']);
    const file = str(t['license-file']);
    if (lic) out.push({ written: [lic], field: `${table}.license`, line: lineOf(text, /^\s*license\s*=/, at), ...(file ? { file } : {}) });
    else if (file) out.push({ written: [], field: `${table}.license-file`, line: lineOf(text, /^\s*license-file\s*=/, at), file });
    if (out.length > 0) break;
  }
  return out;
}

/** composer.json: `license`, a string or an array of alternatives. Reference: Composer schema, `license` ("disjunctive" when several). */
export function readComposer(text: string): Declaration[] {
  const data = json(text);
  if (!isRecord(data)) throw new MetadataError('composer.json is not an object');
  const w = strings(data['license']).slice(0, 16);
  return w.length === 0 ? [] : [{ written: w, or: true, field: 'license', line: lineOf(text, /^\s*"license"\s*:/) }];
}

/** R DESCRIPTION (Debian control format): `License:`, only in a file that is an R package's (it has `Package:`). */
export function readRDescription(text: string): Declaration[] {
  if (!/^Package:\s*\S/m.test(text)) return [];
  const m = /^License:[ \t]*(.*(?:\r?\n[ \t]+.*)*)/m.exec(text);
  if (!m || m[1]!.trim() === '') return [];
  return [{ written: [m[1]!.replace(/\s+/g, ' ').trim()], field: 'License', line: lineOf(text, /^License:/), r: true }];
}

/** CITATION.cff: `license`, an SPDX id or a list read as OR; `license-url` for a licence outside the list. Reference: CFF 1.2.0 schema guide, `license`. */
export function readCitationCff(text: string): Declaration[] {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) throw new MetadataError(`not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    throw new MetadataError((err as Error).message);
  }
  if (!isRecord(data)) return [];
  const w = strings(data['license']).slice(0, 16);
  const url = str(data['license-url']);
  if (w.length > 0) return [{ written: w, or: true, field: 'license', line: lineOf(text, /^license\s*:/) }];
  if (url) return [{ written: [url], field: 'license-url', line: lineOf(text, /^license-url\s*:/) }];
  return [];
}

/** A schema.org licence value: a URL or name, or an object with `@id`, `url`, `identifier` or `name`. */
function schemaLicences(v: unknown): string[] {
  const out: string[] = [];
  for (const item of (Array.isArray(v) ? v : [v]).slice(0, 16)) {
    if (typeof item === 'string' && item.trim() !== '') out.push(item.trim());
    else if (isRecord(item)) {
      const s = str(item['@id']) ?? str(item['url']) ?? str(item['identifier']) ?? str(item['name']);
      if (s) out.push(s);
    }
  }
  return out;
}

/** codemeta.json: `license` (schema.org: a URL such as https://spdx.org/licenses/MIT, a name, or a list, each its own statement). Reference: CodeMeta 2.0/3.0 terms. */
export function readCodemeta(text: string): Declaration[] {
  const data = json(text);
  if (!isRecord(data)) throw new MetadataError('codemeta.json is not an object');
  const line = lineOf(text, /^\s*"license"\s*:/);
  return schemaLicences(data['license']).map((w) => ({ written: [w], field: 'license', line }));
}

/**
 * datapackage.json: `licenses[]` of the package (`name` is an Open Definition or SPDX id, `path` a
 * URL), and of each resource, which then covers that resource's files instead of the package's.
 * Reference: Frictionless Data Package v1/v2, `licenses`; Data Resource `licenses`, `path`.
 */
export function readDatapackage(text: string): Declaration[] {
  const data = json(text);
  if (!isRecord(data)) throw new MetadataError('datapackage.json is not an object');
  const out: Declaration[] = [];
  const covered: string[] = [];
  const resources = Array.isArray(data['resources']) ? (data['resources'] as unknown[]).slice(0, 10_000) : [];
  for (const [i, r] of resources.entries()) {
    if (!isRecord(r) || !Array.isArray(r['licenses'])) continue;
    const paths = strings(r['path']).filter((p) => !/^[a-z][a-z0-9+.-]*:/i.test(p)).map((p) => p.replace(/^\.\//, ''));
    if (paths.length === 0) continue;
    covered.push(...paths);
    const at = text.indexOf(JSON.stringify(paths[0]).slice(1, -1));
    const line = at < 0 ? undefined : lineOf(text, /"licenses"\s*:/, at) ?? lineOf(text, /\S/, at);
    for (const w of licenceEntries(r['licenses'] as unknown[])) out.push({ written: [w], field: `resources[${i}].licenses`, line, paths });
  }
  if (Array.isArray(data['licenses'])) {
    // The package's own key is the least indented one (resources' keys sit deeper).
    const line = lineOf(text, /^ {0,2}\t?"licenses"\s*:/) ?? lineOf(text, /"licenses"\s*:/);
    for (const w of licenceEntries(data['licenses'] as unknown[])) out.push({ written: [w], field: 'licenses', line, ...(covered.length > 0 ? { except: covered } : {}) });
  }
  return out;
}

function licenceEntries(list: unknown[]): string[] {
  return list
    .slice(0, 16)
    .map((l) => (isRecord(l) ? str(l['name']) ?? str(l['path']) ?? str(l['title']) : str(l)))
    .filter((s): s is string => s !== undefined);
}

/** Whether a JSON-LD document is a Croissant one: its `@context` or `conformsTo` names the MLCommons Croissant vocabulary. */
function isCroissant(data: Record<string, unknown>): boolean {
  const ctx = JSON.stringify(data['@context'] ?? '') + JSON.stringify(data['conformsTo'] ?? data['dct:conformsTo'] ?? '');
  return /mlcommons\.org\/croissant/i.test(ctx);
}

/** Croissant JSON-LD: `license` of the dataset, `sdLicense` of the metadata file itself. Reference: Croissant format specification 1.0/1.1, Dataset-level properties. */
export function readCroissant(text: string): Declaration[] {
  const data = json(text);
  if (!isRecord(data) || !isCroissant(data)) return [];
  const out: Declaration[] = [];
  const line = lineOf(text, /^\s*"(?:sc:|schema:)?license"\s*:/);
  for (const w of schemaLicences(data['license'] ?? data['sc:license'] ?? data['schema:license'])) out.push({ written: [w], field: 'license', line });
  const sdLine = lineOf(text, /^\s*"(?:sc:|schema:)?sdLicense"\s*:/);
  for (const w of schemaLicences(data['sdLicense'] ?? data['sc:sdLicense'])) out.push({ written: [w], field: 'sdLicense', line: sdLine, fileOnly: true });
  return out;
}

/** The format a base name stands for, or undefined. */
export function formatOf(name: string): FormatId | undefined {
  const lower = name.toLowerCase();
  switch (lower) {
    case 'package.json':
      return 'npm';
    case 'pyproject.toml':
      return 'pyproject';
    case 'setup.cfg':
      return 'setup-cfg';
    case 'cargo.toml':
      return 'cargo';
    case 'composer.json':
      return 'composer';
    case 'citation.cff':
      return 'citation-cff';
    case 'codemeta.json':
      return 'codemeta';
    case 'datapackage.json':
      return 'datapackage';
    default:
      break;
  }
  if (name === 'DESCRIPTION') return 'r-description';
  // Croissant files are named croissant.json by Hugging Face's export and metadata.json in the
  // Croissant repository's own datasets; either is read only when its context is Croissant's.
  if (/^(?:.*[-_.])?croissant(?:[-_.].*)?\.json(?:ld)?$/i.test(name) || lower === 'metadata.json') return 'croissant';
  return undefined;
}

export const READERS: Readonly<Record<FormatId, (text: string) => Declaration[]>> = {
  npm: readNpm,
  pyproject: readPyproject,
  'setup-cfg': readSetupCfg,
  cargo: readCargo,
  composer: readComposer,
  'r-description': readRDescription,
  'citation-cff': readCitationCff,
  codemeta: readCodemeta,
  datapackage: readDatapackage,
  croissant: readCroissant,
};
