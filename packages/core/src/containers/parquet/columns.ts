/**
 * Which columns of a Parquet table Clearance reads, and how a row's values become record `fields`
 * and member bytes.
 *
 * A table's top-level columns fall in three groups:
 * - the CONTENT column, at most one: its value is the row's bytes, on which the detectors run. An
 *   embedded file (a Hugging Face `datasets` Image or Audio feature, stored as a struct
 *   `{bytes: binary, path: string}`, or a plain binary column) gives the file's bytes; a text column
 *   gives the text's UTF-8 bytes.
 * - FIELD columns: every other column whose leaves are scalars or strings. Their values go to the
 *   row's `fields`, bounded (strings cut, lists shortened, structs flattened to dotted keys).
 * - columns NOT READ: other binary columns (embeddings, thumbnails), geometry, VARIANT, BSON and
 *   INTERVAL. Their column chunks are never fetched.
 */
import type { SchemaElement, SchemaTree } from 'hyparquet';

/**
 * Column names tried, in this order (case-insensitively), for a row's content. A name only counts
 * when its column can be content: a struct with a binary `bytes` child, a binary column, or a
 * string column. `caption` and `alt` are deliberately absent: a LAION caption describes an image
 * somewhere else, it is not the content, so it stays a field; for the same reason a text column of a
 * table with `url` and `similarity`/`NSFW`/`punsafe` columns (LAION-400M's `TEXT`) is never content.
 */
export const DEFAULT_CONTENT_COLUMNS: readonly string[] = Object.freeze(['image', 'audio', 'jpg', 'jpeg', 'png', 'webp', 'bytes', 'content', 'text']);

/** Longest string kept in a field, in UTF-16 code units. */
export const DEFAULT_MAX_FIELD_CHARS = 1000;
/** Longest string kept inside a list or nested struct of a field. */
const MAX_NESTED_CHARS = 200;
/** Items kept of a list field. */
const MAX_LIST_ITEMS = 16;
/** Struct nesting flattened into dotted keys; deeper values are dropped. */
const MAX_DEPTH = 3;
/** Keys of one row's `fields`. */
const MAX_KEYS = 128;
/** Top-level columns read for fields (a wide table's other columns are not read, and said so). */
export const MAX_FIELD_COLUMNS = 128;

type LeafKind = 'string' | 'scalar' | 'binary' | 'unsupported';

/** How hyparquet will decode a leaf with `utf8: false`, and whether Clearance wants it. */
function leafKind(element: SchemaElement): LeafKind {
  const ctype = element.converted_type;
  const ltype = element.logical_type?.type;
  if (ctype === 'BSON' || ctype === 'INTERVAL' || ltype === 'GEOMETRY' || ltype === 'GEOGRAPHY') return 'unsupported';
  if (element.type === 'BYTE_ARRAY') {
    if (ctype === 'UTF8' || ctype === 'ENUM' || ctype === 'JSON' || ltype === 'STRING' || ltype === 'ENUM' || ltype === 'JSON') return 'string';
    if (ctype === 'DECIMAL' || ltype === 'DECIMAL') return 'scalar';
    return 'binary';
  }
  if (element.type === 'FIXED_LEN_BYTE_ARRAY') {
    if (ctype === 'DECIMAL' || ltype === 'DECIMAL' || ltype === 'UUID' || ltype === 'FLOAT16') return 'scalar';
    return 'binary';
  }
  return 'scalar';
}

/** The leaves below a node (the node itself when it is a leaf), with their kinds. */
function leaves(node: SchemaTree): { node: SchemaTree; kind: LeafKind }[] {
  if (node.children.length === 0) return [{ node, kind: leafKind(node.element) }];
  // A VARIANT group holds binary metadata and values hyparquet turns into objects: not a field.
  if (node.element.logical_type?.type === 'VARIANT') return [{ node, kind: 'unsupported' }];
  return node.children.flatMap(leaves);
}

/** What a row's content is made of. */
export type ContentKind = 'struct-bytes' | 'binary' | 'text';

/** The columns read and what each is for. */
export interface ColumnPlan {
  /** Top-level column names passed to hyparquet (content first, when there is one). */
  readonly read: readonly string[];
  /** The content column, its kind, and its name as in the schema. */
  readonly content: { readonly name: string; readonly kind: ContentKind } | null;
  /** Columns read for fields only. */
  readonly fields: readonly string[];
  /** Field columns not read because the table is wider than {@link MAX_FIELD_COLUMNS}. */
  readonly droppedFields: number;
}

/** The kind of content a top-level column can give, or null when it cannot be content. */
function contentKind(node: SchemaTree): ContentKind | null {
  if (node.element.repetition_type === 'REPEATED') return null;
  if (node.children.length === 0) {
    const kind = leafKind(node.element);
    return kind === 'binary' ? 'binary' : kind === 'string' ? 'text' : null;
  }
  const bytes = node.children.find((c) => c.element.name === 'bytes');
  if (bytes && bytes.children.length === 0 && bytes.element.repetition_type !== 'REPEATED' && leafKind(bytes.element) === 'binary') {
    // The struct's other members become fields: they must not be binary or unsupported themselves.
    const others = node.children.filter((c) => c !== bytes).flatMap(leaves);
    if (others.every((l) => l.kind === 'string' || l.kind === 'scalar')) return 'struct-bytes';
  }
  return null;
}

/**
 * Chooses the content column and the field columns of a table.
 *
 * @param root - the schema tree (hyparquet `parquetSchema(metadata)`).
 * @param contentColumns - names tried in order for the content; see {@link DEFAULT_CONTENT_COLUMNS}.
 * @param embeddedFiles - when no named column fits, take the first struct with a binary `bytes` child.
 * @param explicit - whether `contentColumns` was given by the caller: then a text column it names is
 *   content even in a LAION-style table.
 */
export function planColumns(root: SchemaTree, contentColumns: readonly string[], embeddedFiles: boolean, explicit = false): ColumnPlan {
  const top = root.children;
  let content: ColumnPlan['content'] = null;
  for (const wanted of contentColumns) {
    const lower = wanted.toLowerCase();
    const node = top.find((c) => c.element.name.toLowerCase() === lower);
    const kind = node ? contentKind(node) : null;
    if (node && kind) {
      content = { name: node.element.name, kind };
      break;
    }
  }
  // A LAION-style table (LAION-400M/2B: URL, TEXT, WIDTH, HEIGHT, similarity, LICENSE, NSFW) lists
  // images held elsewhere: its TEXT is the image's caption, not the row's content, so it stays a field.
  if (!explicit && content?.kind === 'text' && isImageUrlTable(top)) content = null;
  if (!content && embeddedFiles) {
    for (const node of top) {
      if (node.children.length > 0 && contentKind(node) === 'struct-bytes') {
        content = { name: node.element.name, kind: 'struct-bytes' };
        break;
      }
    }
  }
  const fieldNames: string[] = [];
  let dropped = 0;
  for (const node of top) {
    if (node.element.name === content?.name) continue;
    if (!leaves(node).every((l) => l.kind === 'string' || l.kind === 'scalar')) continue;
    if (fieldNames.length >= MAX_FIELD_COLUMNS) dropped++;
    else fieldNames.push(node.element.name);
  }
  return { read: content ? [content.name, ...fieldNames] : fieldNames, content, fields: fieldNames, droppedFields: dropped };
}

/** Whether the columns are those of a table of image URLs with CLIP scores or safety tags (LAION). */
function isImageUrlTable(top: readonly SchemaTree[]): boolean {
  const names = new Set(top.map((c) => c.element.name.toLowerCase()));
  return names.has('url') && (names.has('similarity') || names.has('nsfw') || names.has('punsafe'));
}

/** A value made JSON-safe and small; `undefined` when it is dropped (binary, too deep). */
function small(value: unknown, maxChars: number, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return value.length > maxChars ? value.slice(0, maxChars) : value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
    case 'object': {
      if (value === null) return null;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (ArrayBuffer.isView(value)) {
        // Typed arrays of numbers (a list of floats) are lists; bytes are binary and dropped.
        if (value instanceof Uint8Array || value instanceof DataView) return undefined;
        return small(Array.from(value as unknown as ArrayLike<unknown>), maxChars, depth);
      }
      if (depth >= MAX_DEPTH) return undefined;
      if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length && out.length < MAX_LIST_ITEMS; i++) {
          const v = small(value[i], MAX_NESTED_CHARS, depth + 1);
          if (v !== undefined) out.push(v);
        }
        return out;
      }
      const out: Record<string, unknown> = {};
      let n = 0;
      for (const [k, v] of Object.entries(value)) {
        if (n >= MAX_LIST_ITEMS) break;
        const s = small(v, MAX_NESTED_CHARS, depth + 1);
        if (s !== undefined) {
          out[k] = s;
          n++;
        }
      }
      return out;
    }
    default:
      return undefined;
  }
}

/**
 * Puts one column's value of a row into `fields`: structs become dotted keys (`image.path`), lists
 * stay lists of at most 16 small items, strings are cut to `maxChars`, binary values are left out.
 * Adds at most `room` keys and returns how many it added.
 */
export function putField(fields: Record<string, unknown>, key: string, value: unknown, maxChars: number, room: number, depth = 0): number {
  if (room <= 0) return 0;
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && !ArrayBuffer.isView(value)) {
    if (depth >= MAX_DEPTH) return 0;
    let added = 0;
    for (const [k, v] of Object.entries(value)) added += putField(fields, `${key}.${k}`, v, maxChars, room - added, depth + 1);
    return added;
  }
  const v = value === undefined ? null : small(value, maxChars, depth);
  if (v === undefined) return 0;
  fields[key] = v;
  return 1;
}

/** Keys of one row's `fields` at most. */
export const MAX_FIELD_KEYS = MAX_KEYS;
