/**
 * The field map of the record-fields detector: which record-level fields (a table row's columns, a
 * JSON Lines record's metadata, a WebDataset sidecar) say what about their record. A documented,
 * validated object, loaded from YAML or JSON with `--field-map`; see docs/containers.md "Field map".
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ClearanceError } from '../../errors.js';

/**
 * What a field carries:
 * - `licence`: a licence, as an SPDX expression, a licence URL or a known name;
 * - `url`: the URL the record was taken from (provenance);
 * - `source`: a URL when it is one, else the name of the collection it came from;
 * - `collection`: the subset or collection the record belongs to (`pile_set_name`, a crawl dump);
 * - `author`: an author or rights holder, by name (counted among the Summary's holders);
 * - `copyright`: a copyright notice (`© 2020 Jane Doe`), read for its holder and years;
 * - `tdm-reservation`: a TDMRep-style reservation, `1` reserved, `0` not;
 * - `tdm-policy`: the URL of the TDM policy that goes with a reservation;
 * - `ignore`: nothing (to switch off a default).
 */
export const FIELD_ROLES = ['licence', 'url', 'source', 'collection', 'author', 'copyright', 'tdm-reservation', 'tdm-policy', 'ignore'] as const;
export type FieldRole = (typeof FIELD_ROLES)[number];

/**
 * The built-in map. Keys are dotted paths into the record, matched case-insensitively
 * (`LICENSE` and `license` alike); `metadata.license` is the `license` key of a `metadata` object.
 */
export const DEFAULT_FIELDS: Readonly<Record<string, FieldRole>> = Object.freeze({
  // LAION-style tables and WebDataset .json sidecars (caption, similarity, NSFW and sizes are ignored).
  license: 'licence',
  licence: 'licence',
  url: 'url',
  source: 'source',
  author: 'author',
  authors: 'author',
  copyright: 'copyright',
  'tdm-reservation': 'tdm-reservation',
  tdm_reservation: 'tdm-reservation',
  'tdm-policy': 'tdm-policy',
  tdm_policy: 'tdm-policy',
  // Common Pile (per-document licence in metadata.license), Dolma (metadata.url on web sources).
  'metadata.license': 'licence',
  'metadata.licence': 'licence',
  'metadata.url': 'url',
  'metadata.source': 'source',
  'metadata.author': 'author',
  'metadata.authors': 'author',
  'metadata.copyright': 'copyright',
  'metadata.tdm-reservation': 'tdm-reservation',
  'metadata.tdm_reservation': 'tdm-reservation',
  // The Pile: the subset a document comes from, provenance only.
  'meta.pile_set_name': 'collection',
  'meta.license': 'licence',
  'meta.url': 'url',
  // FineWeb: the Common Crawl dump.
  dump: 'collection',
});

const PATH = /^[^.\s][^.]*(\.[^.\s][^.]*){0,7}$/;

/** A field map as written in a file: every key optional, unknown keys refused. */
export const FieldMapSchema = z
  .object({
    /** Start from the built-in map (default true); false uses `fields` alone. */
    defaults: z.boolean().default(true),
    /** Dotted field paths (case-insensitive) and what each carries; `ignore` switches a default off. */
    fields: z
      .record(
        z.string().regex(PATH, 'a field path is one to eight dot-separated names, e.g. metadata.license'),
        // "license" is accepted for "licence": the US spelling is what most datasets use.
        z.preprocess((v) => (v === 'license' ? 'licence' : v), z.enum(FIELD_ROLES)),
      )
      .default({}),
  })
  .strict();

export type FieldMapInput = z.input<typeof FieldMapSchema>;

/** A validated field map: every path (lowercased) with its role, the defaults merged in. */
export interface FieldMap {
  readonly fields: Readonly<Record<string, FieldRole>>;
  /** Where it came from, for messages: `built-in`, a file path. */
  readonly origin: string;
}

/** The built-in field map. */
export const DEFAULT_FIELD_MAP: FieldMap = Object.freeze({ fields: DEFAULT_FIELDS, origin: 'built-in' });

/**
 * Validates a field map object and merges it over the defaults. Throws a ClearanceError
 * (`ERR_INVALID_OPTION`) that lists every problem with its field path.
 *
 * ```ts
 * resolveFieldMap({ fields: { 'meta.rights': 'licence', caption: 'ignore' } })
 * ```
 */
export function resolveFieldMap(input: unknown, origin = 'field map'): FieldMap {
  const parsed = FieldMapSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top)'}: ${i.message}`);
    throw new ClearanceError('ERR_INVALID_OPTION', `${origin} is not a valid field map:\n  - ${issues.join('\n  - ')}`);
  }
  const fields: Record<string, FieldRole> = {};
  if (parsed.data.defaults) for (const [k, v] of Object.entries(DEFAULT_FIELDS)) fields[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(parsed.data.fields)) fields[k.toLowerCase()] = v;
  return { fields, origin };
}

/** Reads a field map file (`.json`, or YAML for anything else), validates it and merges the defaults. */
export async function loadFieldMap(file: string): Promise<FieldMap> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ClearanceError('ERR_INVALID_OPTION', `cannot read field map ${file}: ${(err as Error).message}`, { cause: err });
  }
  let data: unknown;
  const json = /\.json$/i.test(file);
  try {
    data = json ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new ClearanceError('ERR_INVALID_OPTION', `field map ${file} is not valid ${json ? 'JSON' : 'YAML'}: ${(err as Error).message}`, { cause: err });
  }
  return resolveFieldMap(data, `field map ${file}`);
}

/** Top-level column names the map gives a role (not `ignore`): what makes a CSV table worth opening. */
export function fieldMapColumns(map: FieldMap): string[] {
  return Object.entries(map.fields)
    .filter(([k, role]) => !k.includes('.') && role !== 'ignore')
    .map(([k]) => k);
}

/** A field map as a tree of lowercased path segments, for one walk over a record's fields. */
export interface FieldTree {
  role?: FieldRole;
  children?: Map<string, FieldTree>;
}

export function fieldTree(map: FieldMap): FieldTree {
  const root: FieldTree = {};
  for (const [path, role] of Object.entries(map.fields)) {
    if (role === 'ignore') continue;
    let node = root;
    for (const seg of path.split('.')) {
      node.children ??= new Map();
      let next = node.children.get(seg);
      if (next === undefined) node.children.set(seg, (next = {}));
      node = next;
    }
    node.role = role;
  }
  return root;
}
