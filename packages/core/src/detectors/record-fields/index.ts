/**
 * Licences, sources, authors and TDM reservations in record-level metadata: the columns of a table
 * row (Parquet, CSV), the metadata of a JSON Lines record, a WebDataset sample's `.json` sidecar —
 * what containers put on `Entry.fields`. A configurable field map (./field-map.ts, docs/containers.md
 * "Field map") says which field carries what. Reads no bytes. Every finding is about its own row.
 *
 * Licences are read exactly or not at all (the licence-names reader: an SPDX expression, a licence
 * URL, a known name); anything else is a licence of unknown meaning (`expression: null`), never a
 * guess. Placeholders (`""`, `unknown`, `N/A`, `?`, `none`, …) say nothing and give nothing.
 *
 * ok:     `{"metadata": {"license": "CC BY 4.0"}}` → licence.record-field, CC-BY-4.0
 * ok:     `LICENSE: https://creativecommons.org/licenses/by-nc-sa/3.0/` (LAION) → CC-BY-NC-SA-3.0
 * ok:     `{"url": "https://a.example/x"}` → provenance.record-url; `{"meta": {"pile_set_name": "ArXiv"}}` → provenance.record-collection
 * ok:     `{"tdm_reservation": 1}` → optout.record-fields.reserved (protocol `record-fields`, file level)
 * not-ok: `{"license": "see website"}` → licence.record-field-unknown (expression null)
 * not-ok: `{"license": 4}` (a COCO licence index) → licence.record-field-unknown
 * ignored: `{"license": "?"}`, `{"caption": "…"}`, fields the map does not name
 */
import { defineDetector, findingUrl, type Detector, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';
import { readLicence } from '../licence-names/index.js';
import { noticeConfidence, noticeValue, parseNotice } from '../copyright/index.js';
import type { Container } from '../../engine/container.js';
import { csvContainer } from '../../containers/csv/index.js';
import { DEFAULT_FIELD_MAP, fieldMapColumns, fieldTree, type FieldMap, type FieldRole, type FieldTree } from './field-map.js';

export { DEFAULT_FIELD_MAP, DEFAULT_FIELDS, FIELD_ROLES, FieldMapSchema, loadFieldMap, resolveFieldMap, fieldMapColumns, type FieldMap, type FieldMapInput, type FieldRole } from './field-map.js';

const ID = 'record-fields';
/** Opt-out protocol id of reservations found in record fields, for a policy's `optOuts.honour`. */
export const RECORD_FIELDS_PROTOCOL = 'record-fields';
const EXCERPT = 200;
/** Values of a list field (authors) read, at most. */
const MAX_LIST = 20;
/** Values that fill a field without saying anything (compared lowercased, trimmed). */
const PLACEHOLDERS = new Set(['', 'unknown', 'n/a', 'na', 'n.a.', 'none', 'null', 'nil', 'nan', 'undefined', '?', '??', '-', '--', 'not specified', 'unspecified', 'not available', 'noassertion', 'no license', 'no licence', 'missing', 'tbd']);

function isPlaceholder(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'string' && PLACEHOLDERS.has(v.trim().toLowerCase()));
}

function isUrl(v: string): boolean {
  return /^[a-z][a-z0-9+.-]{1,15}:\/\/\S+$/i.test(v);
}

function written(v: unknown): string {
  if (typeof v === 'string') return v.trim().slice(0, EXCERPT);
  try {
    return (JSON.stringify(v) ?? String(v)).slice(0, EXCERPT);
  } catch {
    return String(v).slice(0, EXCERPT);
  }
}

/** The fields of a record that the map names, with their dotted path as written in the record. */
function mapped(fields: Readonly<Record<string, unknown>>, tree: FieldTree): { path: string; role: FieldRole; value: unknown }[] {
  const out: { path: string; role: FieldRole; value: unknown }[] = [];
  // The tree is at most eight levels deep, so this recursion is too, however deep the record is.
  const walk = (obj: Readonly<Record<string, unknown>>, node: FieldTree, prefix: string) => {
    if (!node.children) return;
    for (const key of Object.keys(obj)) {
      const child = node.children.get(key.toLowerCase());
      if (child === undefined) continue;
      const value = obj[key];
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (child.role !== undefined) out.push({ path, role: child.role, value });
      if (child.children && value !== null && typeof value === 'object' && !Array.isArray(value)) walk(value as Record<string, unknown>, child, path);
    }
  };
  walk(fields, tree, '');
  return out;
}

/** Licence finding of one field value: exact, or of unknown meaning. */
function licenceFinding(input: DetectorInput, path: string, value: unknown): FindingInput | null {
  const base = { category: 'licence' as const, detector: ID, evidence: { path: input.path, excerpt: `${path}: ${written(value)}`.slice(0, EXCERPT) }, scope: { kind: 'file' as const, root: input.path } };
  let text: string | null = null;
  let note: string | undefined;
  if (typeof value === 'string') text = value;
  else if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') text = value[0];
  else if (Array.isArray(value)) note = `a list of ${value.length} values: whether all apply or any one does is not said`;
  else if (typeof value === 'number') note = 'a number, not a licence (an index into a licence table kept elsewhere?)';
  else note = 'not a licence name, URL or SPDX expression';
  if (text !== null) {
    if (isPlaceholder(text)) return null;
    const reading = readLicence(text);
    if (reading.expression !== null) {
      return { ...base, code: 'licence.record-field', confidence: reading.confidence, value: { expression: reading.expression, written: written(text), field: path, method: reading.method, ...(reading.note ? { note: reading.note } : {}) }, url: findingUrl('licence.record-field') };
    }
    note = reading.note ?? 'not a licence this reader knows';
  }
  return { ...base, code: 'licence.record-field-unknown', severity: 'warning', confidence: 0, value: { expression: null, written: written(value), field: path, note }, url: findingUrl('licence.record-field-unknown') };
}

/** Strings of a field that may hold one or several values (`authors: ["A", "B"]`). */
function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? value.slice(0, MAX_LIST) : [value];
  return list.filter((v): v is string => typeof v === 'string' && !isPlaceholder(v)).map((v) => v.trim().replace(/\s+/g, ' '));
}

function reservationOf(value: unknown): 'yes' | 'no' | 'unknown' {
  if (value === 1 || value === true || value === '1') return 'yes';
  if (value === 0 || value === false || value === '0') return 'no';
  return 'unknown';
}

const CODES = {
  'licence.record-field': {
    title: 'Licence in a record field',
    meaning: 'A field of this row or record (a table column, a JSON Lines record\'s `metadata.license`, a WebDataset sidecar\'s `license`) names its licence: an SPDX expression, a licence URL (creativecommons.org, opensource.org, …) or a known licence name, read exactly. `value.field` says which field, `value.written` what it says, `value.method` how it was read. It applies to this row alone, and outranks a dataset card.',
    action: 'None: the policy judges the expression. If the field is wrong, correct the dataset\'s metadata, or map the field elsewhere in the field map (`--field-map`).',
  },
  'licence.record-field-unknown': {
    title: 'Unreadable licence in a record field',
    meaning: 'A field the field map says carries a licence holds something that is not an SPDX expression, a known licence URL or a known licence name (`see website`, `all rights reserved`, `Public Domain`, a number, a list of several). The row has a licence statement whose meaning is unknown: its expression is null, and no licence is guessed.',
    action: 'Read `value.written` (and `value.note`) and decide the licence by hand; if the field does not carry licences at all, set it to `ignore` in the field map.',
  },
  'provenance.record-url': {
    title: 'Source URL in a record field',
    meaning: 'A field of this row or record (`url`, `metadata.url`, a URL in `source`) gives the address the content was taken from. Provenance, not a licence: it does not change the verdict, but it says where to look for the terms and opt-outs of the source site.',
    action: 'None. To check the site\'s opt-outs, scan its robots.txt or TDMRep file, or keep the URL in the provenance record.',
  },
  'provenance.record-collection': {
    title: 'Collection named in a record field',
    meaning: 'A field of this row or record names the collection or subset it belongs to (The Pile\'s `meta.pile_set_name`, Dolma\'s `source`, FineWeb\'s `dump`). Provenance only: the collection\'s own licence and terms are not read from it.',
    action: 'None; check the collection\'s terms where the dataset documents them.',
  },
  'provenance.record-author': {
    title: 'Author in a record field',
    meaning: 'A field of this row or record (`author`, `authors`, `metadata.author`) names an author or rights holder; `value.holder` is counted among the Summary\'s copyright holders. Provenance, not a licence.',
    action: 'None; attribution may be owed under the record\'s licence.',
  },
  'provenance.record-copyright': {
    title: 'Copyright notice in a record field',
    meaning: 'A `copyright` field of this row or record holds a copyright notice; `value.holder` and `value.years` are read from it as from any notice. Provenance, not a licence.',
    action: 'None; keep the notice with the data where its licence asks for it.',
  },
  'optout.record-fields.reserved': {
    title: 'TDM rights reserved in a record field',
    meaning: 'A `tdm-reservation` field of this row or record is `1` (or `true`): after the TDMRep convention, text-and-data-mining rights are reserved for this record. Protocol `record-fields`, level file.',
    action: 'Leave the record out of training, or obtain a licence from the rights holder (see `value.policy` when given).',
  },
  'optout.record-fields.not-reserved': {
    title: 'TDM rights not reserved in a record field',
    meaning: 'A `tdm-reservation` field of this row or record is `0` (or `false`): its rights holder states that TDM rights are not reserved.',
    action: 'None.',
  },
  'optout.record-fields.unknown': {
    title: 'Unreadable TDM reservation in a record field',
    meaning: 'A `tdm-reservation` field of this row or record holds something other than 0 or 1, so whether TDM rights are reserved cannot be told.',
    action: 'Read the value and ask the rights holder; until then treat the record as possibly reserved.',
  },
} as const;

/**
 * A record-fields detector over a field map (from {@link loadFieldMap} or {@link resolveFieldMap}).
 *
 * ```ts
 * const detectors = [...builtinDetectors.filter((d) => d.id !== 'record-fields'), recordFieldsDetector(await loadFieldMap('fields.yaml'))];
 * ```
 */
export function recordFieldsDetector(fieldMap: FieldMap = DEFAULT_FIELD_MAP): Detector {
  const tree = fieldTree(fieldMap);
  return defineDetector({
    id: ID,
    version: '1.0.0',
    description: 'Licences, source URLs, authors and TDM reservations in record-level fields (table rows, JSON Lines metadata, WebDataset sidecars), through a field map',
    match: { entry: (e) => e.fields !== undefined },
    wants: {},
    codes: CODES,
    detect(input) {
      const fields = input.entry.fields;
      if (!fields) return [];
      const found = mapped(fields, tree);
      if (found.length === 0) return [];
      const out: FindingInput[] = [];
      const scope = { kind: 'file' as const, root: input.path };
      const evidence = (path: string, value: unknown) => ({ path: input.path, excerpt: `${path}: ${written(value)}`.slice(0, EXCERPT) });
      const policy = found.find((f) => f.role === 'tdm-policy' && typeof f.value === 'string' && !isPlaceholder(f.value))?.value as string | undefined;
      const provenance = (code: keyof typeof CODES, path: string, raw: unknown, value: Record<string, unknown>, confidence: number) =>
        out.push({ code, category: 'provenance', detector: ID, confidence, value: { ...value, field: path }, evidence: evidence(path, raw), scope, url: findingUrl(code) });
      for (const { path, role, value } of found) {
        switch (role) {
          case 'licence': {
            const f = licenceFinding(input, path, value);
            if (f) out.push(f);
            break;
          }
          case 'url':
          case 'source':
            for (const s of strings(value)) {
              if (isUrl(s)) provenance('provenance.record-url', path, value, { url: s.slice(0, 2048) }, 0.9);
              else if (role === 'source') provenance('provenance.record-collection', path, value, { collection: s.slice(0, EXCERPT) }, 0.9);
            }
            break;
          case 'collection':
            for (const s of strings(typeof value === 'number' ? String(value) : value)) provenance('provenance.record-collection', path, value, { collection: s.slice(0, EXCERPT) }, 0.9);
            break;
          case 'author':
            for (const s of strings(value)) provenance('provenance.record-author', path, value, { holder: s.slice(0, EXCERPT) }, 0.8);
            break;
          case 'copyright':
            for (const s of strings(value)) {
              const n = parseNotice(s, { field: true });
              if (n) provenance('provenance.record-copyright', path, value, noticeValue(n), noticeConfidence(n));
              else provenance('provenance.record-copyright', path, value, { statement: s.slice(0, EXCERPT) }, 0.5);
            }
            break;
          case 'tdm-reservation': {
            if (isPlaceholder(value)) break;
            const reserved = reservationOf(value);
            const code = reserved === 'yes' ? 'optout.record-fields.reserved' : reserved === 'no' ? 'optout.record-fields.not-reserved' : 'optout.record-fields.unknown';
            out.push({
              code,
              category: 'opt-out',
              detector: ID,
              severity: reserved === 'no' ? 'info' : 'warning',
              confidence: reserved === 'unknown' ? 0.5 : 0.9,
              value: { protocol: RECORD_FIELDS_PROTOCOL, reserved, level: 'file', field: path, ...(policy !== undefined ? { policy: policy.trim().slice(0, EXCERPT) } : {}) },
              evidence: evidence(path, value),
              scope,
              url: findingUrl(code),
            });
            break;
          }
          case 'tdm-policy':
          case 'ignore':
            break;
        }
      }
      return out;
    },
  });
}

/** The record-fields detector with the built-in field map. */
export const recordFields = recordFieldsDetector();

/**
 * Detectors and containers set up for a field map, for `--field-map`: the record-fields detector
 * reads the map's fields, and the CSV container opens tables whose header names one of its columns.
 * Other detectors and containers are passed through unchanged.
 *
 * ```ts
 * const map = await loadFieldMap('fields.yaml');
 * const { detectors, containers } = applyFieldMap(map, { detectors: builtinDetectors, containers: builtinContainers });
 * ```
 */
export function applyFieldMap(map: FieldMap, given: { detectors: readonly Detector[]; containers: readonly Container[] }): { detectors: Detector[]; containers: Container[] } {
  const detector = recordFieldsDetector(map);
  const table = csvContainer({ knownColumns: fieldMapColumns(map) });
  return {
    detectors: given.detectors.map((d) => (d.id === ID ? detector : d)),
    containers: given.containers.map((c) => (c.id === 'csv' ? table : c)),
  };
}
