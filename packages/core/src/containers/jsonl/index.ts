/**
 * JSON Lines shards (`*.jsonl`, `*.ndjson`, gzip or zstd compressed; `*.json.gz` / `*.json.zst` when
 * their first line is a JSON object followed by another, as Dolma ships them): each non-empty line
 * is a row `row=N` (N counts non-empty lines from 0). A row's bytes are its main text — the first of
 * the `contentKeys` (`text`, `content`) that holds a string — as UTF-8, so the text detectors
 * (spdx-tag, licence-text, copyright) read it; the rest of the record goes on `Entry.fields`
 * (nested objects such as `metadata` or `meta` kept nested, bounded in size), where the
 * record-fields detector maps it to licences, sources and reservations.
 * Reference: JSON Lines (jsonlines.org): UTF-8, one JSON value per `\n`-terminated line, `\r\n` allowed.
 *
 * ok:     `{"text": "…", "meta": {"pile_set_name": "Pile-CC"}}` → row=0, bytes the text, fields {meta: {…}}
 * ok:     `{"id": "x", "text": "…", "metadata": {"license": "CC-BY-4.0"}}` (Common Pile) → fields.metadata.license
 * not-ok: `{"text": "unterminated` → that row listed with ERR_CONTAINER_CORRUPT; the next lines go on
 * not-ok: a 100 MB line → that row listed with ERR_CONTAINER_LIMIT, skipped without being held
 * not-ok: `data.json.gz` holding one pretty-printed JSON document → not opened (a plain file)
 *
 * JSON Lines has no index: the file (or its decompressed stream) is read once from the start, and
 * each row is held in a bounded window until the engine, which reads rows just after listing them,
 * has read it.
 */
import { defineContainer, type Container, type ContainerInput, type OpenedContainer } from '../../engine/container.js';
import { compressionOf, decompressed, headText } from '../row-common/decompress.js';
import { boundFields, DEFAULT_FIELD_BOUNDS, type FieldBounds } from '../row-common/fields.js';
import type { HeldLimits } from '../row-common/held.js';
import { rowContainer } from '../row-common/rows.js';
import { lines } from '../row-common/lines.js';

/** Options of {@link jsonlContainer}. */
export interface JsonlOptions {
  /** Keys whose string value is a row's text, tried in order. Default `['text', 'content']`. */
  contentKeys?: readonly string[];
  /** A line longer than this is listed with ERR_CONTAINER_LIMIT and not parsed. Default 64 MiB. */
  maxLineBytes?: number;
  /** Bounds of each row's `fields`. Default {@link DEFAULT_FIELD_BOUNDS}. */
  fieldBounds?: Partial<FieldBounds>;
  /** Bounds of the window of rows held for reading. Default 4,096 rows, 256 MiB. */
  held?: Partial<Omit<HeldLimits, 'maxMemberBytes'>>;
}

/** Default content keys of JSON Lines records (The Pile, Dolma, Common Pile, FineWeb: `text`). */
export const DEFAULT_CONTENT_KEYS: readonly string[] = Object.freeze(['text', 'content']);
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Names that are JSON Lines by name alone; `*.json.gz` and `*.json.zst` are looked at first. */
const JSONL_NAME = /\.(jsonl|ndjson)(\.(gz|zst))?$/i;

/**
 * Whether the start of a `.json.gz` looks like JSON Lines: a first line that is a JSON object, then
 * a second line that starts an object, or a first line longer than what was decompressed (a long
 * document; a single minified JSON document would read as one row, which is harmless).
 */
export function looksLikeJsonLines(text: Uint8Array, complete: boolean): boolean {
  const s = new TextDecoder().decode(text).replace(/^\uFEFF?\s*/, '');
  if (!s.startsWith('{')) return false;
  const nl = s.indexOf('\n');
  if (nl === -1) return !complete && s.startsWith('{"');
  try {
    const first: unknown = JSON.parse(s.slice(0, nl));
    if (first === null || typeof first !== 'object' || Array.isArray(first)) return false;
  } catch {
    return false;
  }
  const rest = s.slice(nl + 1).trimStart();
  return rest.startsWith('{') || (rest === '' && !complete);
}

function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a) return false;
  }
  return true;
}

/**
 * A JSON Lines container format with its own options.
 *
 * ```ts
 * scan({ source, containers: [jsonlContainer({ contentKeys: ['body'] })] })
 * ```
 */
export function jsonlContainer(options: JsonlOptions = {}): Container {
  const contentKeys = options.contentKeys ?? DEFAULT_CONTENT_KEYS;
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const bounds: FieldBounds = { ...DEFAULT_FIELD_BOUNDS, ...options.fieldBounds };
  return defineContainer({
    id: 'jsonl',
    version: '1.0.0',
    description: 'JSON Lines (.jsonl, .ndjson; gzip, zstd): each record a row, its text as bytes and the rest as fields',
    match: { names: ['*.jsonl', '*.ndjson', '*.jsonl.gz', '*.ndjson.gz', '*.jsonl.zst', '*.ndjson.zst', '*.json.gz', '*.json.zst'] },
    async open(input: ContainerInput): Promise<OpenedContainer | null> {
      const compression = compressionOf(input.head);
      const name = input.entry.path.slice(input.entry.path.lastIndexOf('/') + 1);
      if (!JSONL_NAME.test(name)) {
        const text = headText(input.head, compression);
        if (text === null || !looksLikeJsonLines(text, input.complete)) return null;
      }
      return openJsonl(input, compression, { contentKeys, maxLine, bounds, held: options.held ?? {} });
    },
  });
}

function openJsonl(
  input: ContainerInput,
  compression: ReturnType<typeof compressionOf>,
  o: { contentKeys: readonly string[]; maxLine: number; bounds: FieldBounds; held: Partial<HeldLimits> },
): OpenedContainer {
  const { source, entry, limits } = input;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return rowContainer(input, 'jsonl', o.held, async function* (listing, sig) {
    const chunks = decompressed(source, entry, compression, limits, sig ? { signal: sig } : {});
    for await (const line of lines(chunks, o.maxLine)) {
      if (line.bytes !== null && isBlank(line.bytes)) continue;
      const path = listing.next();
      if (line.bytes === null) {
        yield { path, size: line.length, error: { code: 'ERR_CONTAINER_LIMIT', message: `line of ${line.length} bytes at byte ${line.offset} is longer than ${o.maxLine} (maxLineBytes): not parsed` } };
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(decoder.decode(line.bytes));
      } catch {
        // The parser's message quotes the line: not repeated, reports must not leak the dataset.
        yield { path, size: line.length, error: { code: 'ERR_CONTAINER_CORRUPT', message: `line at byte ${line.offset} is not valid JSON` } };
        continue;
      }
      let text: string | undefined;
      let fields: Record<string, unknown> | undefined;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const record = value as Record<string, unknown>;
        const key = o.contentKeys.find((k) => Object.prototype.hasOwnProperty.call(record, k) && typeof record[k] === 'string');
        if (key !== undefined) text = record[key] as string;
        fields = boundFields(record, o.bounds, key);
        if (Object.keys(fields).length === 0) fields = undefined;
      } else if (typeof value === 'string') text = value;
      else fields = boundFields({ value }, o.bounds);
      const bytes = text === undefined ? new Uint8Array(0) : encoder.encode(text);
      yield listing.member(path, bytes, fields);
    }
  });
}

/** The JSON Lines container with the default options. */
export const jsonl = jsonlContainer();
