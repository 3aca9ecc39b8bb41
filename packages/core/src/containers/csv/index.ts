/**
 * CSV and TSV tables (`*.csv`, `*.tsv`, and gzip or zstd compressed), read record by record
 * (./records.ts: a damaged record is listed as such and the next ones go on): the header
 * row names the columns, each further record is a row `row=N` (N counts data records from 0) whose
 * columns go on `Entry.fields`, and whose bytes are its text column (`text`, `content`) when it has
 * one. Reference: RFC 4180 (CSV: `,`, `"` quoting, `""` escapes, CRLF); IANA text/tab-separated-values
 * (TSV: tab-separated, no quoting — a `"` in a TSV field is an ordinary character).
 *
 * Which CSV files are opened: a CSV is often plain data (a table of cities, of measurements) whose
 * rows are not works with a licence of their own; opening it would turn one record into thousands.
 * By default (`open: 'known-columns'`) a table is opened only when its header names a column the
 * field map knows — a licence, URL, source, author, copyright or TDM column, as LAION-style tables
 * have — so that each row gets what it says about itself. `'always'` opens every table, `'never'` none.
 *
 * ok:     `URL,TEXT,LICENSE` (LAION-style) → one row per record, fields {URL, TEXT, LICENSE}
 * ok:     `id<TAB>text<TAB>license` → rows whose bytes are the text column
 * not-ok: `city,population` → not opened (no known column): one record for the file
 * not-ok: a record with fewer fields than the header → that row listed with ERR_CONTAINER_CORRUPT, the next go on
 */
import { defineContainer, type Container, type ContainerInput, type OpenedContainer } from '../../engine/container.js';
import { SourceError } from '../../errors.js';
import type { Entry } from '../../source/types.js';
import { compressionOf, decompressed, headText, type Compression } from '../row-common/decompress.js';
import { boundFields, DEFAULT_FIELD_BOUNDS, type FieldBounds } from '../row-common/fields.js';
import type { HeldLimits } from '../row-common/held.js';
import { rowContainer } from '../row-common/rows.js';
import { lines } from '../row-common/lines.js';
import { CsvRecords, type RecordResult } from './records.js';
import { DEFAULT_FIELD_MAP, fieldMapColumns } from '../../detectors/record-fields/field-map.js';

/** Options of {@link csvContainer}. */
export interface CsvOptions {
  /**
   * Which tables to open: `known-columns` (default) those whose header names a column of `knownColumns`;
   * `always` every one; `never` none.
   */
  open?: 'known-columns' | 'always' | 'never';
  /** Column names (case-insensitive) that make a table worth opening. Default: the top-level keys of the default field map. */
  knownColumns?: readonly string[];
  /** Columns whose value is a row's text, tried in order (exact names). Default `['text', 'content']`. */
  contentColumns?: readonly string[];
  /** A record longer than this (characters) is listed with ERR_CONTAINER_LIMIT. Default 16 Mi. */
  maxRecordChars?: number;
  /** Bounds of each row's `fields`. Default {@link DEFAULT_FIELD_BOUNDS}. */
  fieldBounds?: Partial<FieldBounds>;
  /** Bounds of the window of rows held for reading. Default 4,096 rows, 256 MiB. */
  held?: Partial<Omit<HeldLimits, 'maxMemberBytes'>>;
}

const DEFAULT_CONTENT_COLUMNS: readonly string[] = Object.freeze(['text', 'content']);
/** Bytes of the (decompressed) start searched for the header line. */
const HEADER_BYTES = 256 * 1024;

/** Splits one header line (no quoted line breaks) into column names; quotes removed, `""` unescaped. */
export function headerColumns(line: string, delimiter: string, quoted: boolean): string[] {
  if (!quoted) return line.split(delimiter).map((c) => c.trim());
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inQuote) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') inQuote = false;
      else cur += c;
    } else if (c === '"') inQuote = true;
    else if (c === delimiter) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

/** The delimiter of a `.csv` header line: `,` unless `;` or a tab is more frequent (European spreadsheets). */
export function sniffDelimiter(line: string): ',' | ';' | '\t' {
  const count = (d: string) => line.split(d).length - 1;
  const comma = count(',');
  const semi = count(';');
  const tab = count('\t');
  if (semi > comma && semi >= tab) return ';';
  if (tab > comma && tab > semi) return '\t';
  return ',';
}

/** Column names made unique and non-empty: `""` → `column_3`, a second `url` → `url_2`. */
function uniqueColumns(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((raw, i) => {
    const name = raw === '' ? `column_${i + 1}` : raw;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}_${n}`;
  });
}

/** The first line of the decompressed start of the file, without a BOM or CR; null when there is none. */
function firstLine(head: Uint8Array, compression: Compression): string | null {
  const text = headText(head.subarray(0, HEADER_BYTES), compression);
  if (text === null) return null;
  const s = new TextDecoder().decode(text.subarray(0, HEADER_BYTES)).replace(/^\uFEFF/, '');
  const nl = s.indexOf('\n');
  const line = (nl === -1 ? s : s.slice(0, nl)).replace(/\r$/, '');
  return line.trim() === '' ? null : line;
}

/**
 * A CSV/TSV container format with its own options.
 *
 * ```ts
 * scan({ source, containers: [csvContainer({ open: 'always', contentColumns: ['caption'] })] })
 * ```
 */
export function csvContainer(options: CsvOptions = {}): Container {
  const mode = options.open ?? 'known-columns';
  const known = new Set((options.knownColumns ?? fieldMapColumns(DEFAULT_FIELD_MAP)).map((c) => c.toLowerCase()));
  const contentColumns = options.contentColumns ?? DEFAULT_CONTENT_COLUMNS;
  const maxRecord = options.maxRecordChars ?? 16 * 1024 * 1024;
  const bounds: FieldBounds = { ...DEFAULT_FIELD_BOUNDS, ...options.fieldBounds };
  return defineContainer({
    id: 'csv',
    version: '1.0.0',
    description: 'CSV and TSV tables (and .gz, .zst) whose header names a licence, URL or source column: each record a row with its columns as fields',
    match: { names: ['*.csv', '*.tsv', '*.csv.gz', '*.tsv.gz', '*.csv.zst', '*.tsv.zst'] },
    async open(input: ContainerInput): Promise<OpenedContainer | null> {
      if (mode === 'never') return null;
      const compression = compressionOf(input.head);
      const name = input.entry.path.slice(input.entry.path.lastIndexOf('/') + 1);
      const tsv = /\.tsv(\.(gz|zst))?$/i.test(name);
      const line = firstLine(input.head, compression);
      if (line === null) return null;
      const delimiter = tsv ? '\t' : sniffDelimiter(line);
      if (mode === 'known-columns' && !headerColumns(line, delimiter, !tsv).some((c) => known.has(c.toLowerCase()))) return null;
      return openCsv(input, compression, { delimiter, quoted: !tsv, contentColumns, maxRecord, bounds, held: options.held ?? {} });
    },
  });
}

function openCsv(
  input: ContainerInput,
  compression: Compression,
  o: { delimiter: string; quoted: boolean; contentColumns: readonly string[]; maxRecord: number; bounds: FieldBounds; held: Partial<HeldLimits> },
): OpenedContainer {
  const { source, entry, limits } = input;
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  return rowContainer(input, 'csv', o.held, async function* (listing, sig) {
    const records = new CsvRecords({ delimiter: o.delimiter, quoted: o.quoted, maxChars: o.maxRecord });
    let columns: string[] | null = null;
    let contentIndex = -1;
    let first = true;
    let startLine = 0;
    let lineNo = 0;
    const rowOf = (result: NonNullable<RecordResult>, at: number): Entry | null => {
      if (columns === null) {
        if ('error' in result) throw new SourceError('ERR_CONTAINER_CORRUPT', `the header row does not parse: ${result.error}`);
        columns = uniqueColumns(result.fields.map((c) => c.trim()));
        const byName = o.contentColumns.map((c) => columns!.indexOf(c)).filter((i) => i >= 0);
        contentIndex = byName.length > 0 ? byName[0]! : -1;
        return null;
      }
      const path = listing.next();
      if ('error' in result) {
        if (result.error === 'limit') return { path, size: 0, error: { code: 'ERR_CONTAINER_LIMIT', message: `record at line ${at} is longer than ${o.maxRecord} characters (maxRecordChars): not read` } };
        return { path, size: 0, error: { code: 'ERR_CONTAINER_CORRUPT', message: `record at line ${at} does not parse: ${result.error}` } };
      }
      const values = result.fields;
      if (values.length !== columns.length) {
        return { path, size: 0, error: { code: 'ERR_CONTAINER_CORRUPT', message: `record at line ${at} has ${values.length} fields; the header has ${columns.length}` } };
      }
      const record: Record<string, string> = {};
      for (let i = 0; i < columns.length; i++) if (i !== contentIndex) record[columns[i]!] = values[i]!;
      const bytes = contentIndex >= 0 ? encoder.encode(values[contentIndex]) : new Uint8Array(0);
      return listing.member(path, bytes, boundFields(record, o.bounds));
    };
    const chunks = decompressed(source, entry, compression, limits, sig ? { signal: sig } : {});
    // A line over the record bound is skipped by the splitter itself, never buffered.
    for await (const line of lines(chunks, o.maxRecord * 4)) {
      lineNo++;
      if (!records.pending) startLine = lineNo;
      let result: RecordResult;
      if (line.bytes === null) {
        records.abandon();
        result = { error: 'limit' };
      } else {
        let s = decoder.decode(line.bytes);
        if (first) s = s.replace(/^\uFEFF/, '');
        first = false;
        if (!records.pending && s.trim() === '') continue;
        result = records.line(s);
      }
      if (result === null) continue;
      const e = rowOf(result, startLine);
      if (e) yield e;
    }
    const last = records.end();
    if (last) {
      const e = rowOf(last, startLine);
      if (e) yield e;
    }
  });
}

/** The CSV/TSV container with the default options (opens tables with a column the field map knows). */
export const csv = csvContainer();
