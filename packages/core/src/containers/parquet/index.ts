/**
 * Parquet container: each ROW of a Parquet table is a member, addressed `part-0.parquet#row=1234`
 * (0-based over the whole file), read over ranged reads of the file with hyparquet: the footer
 * first, then, one row group at a time, only the column chunks needed. The file is never read
 * whole and never held whole.
 *
 * A row's member bytes are its CONTENT (see columns.ts): the embedded file of a Hugging Face
 * Image/Audio column (`{bytes, path}`) or a plain binary column named image/jpg/png/bytes/content
 * — so the XMP, C2PA and IPTC detectors run on the image — or else the UTF-8 text of a `text` or
 * `content` column (not in a LAION-style table, whose `TEXT` is a caption), or else nothing (size 0). Its other scalar columns are the member's `fields`
 * (strings cut to 1,000 characters), which the record-fields detector maps to findings; a
 * LAION-style row (url, caption, LICENSE, NSFW, similarity, width, height) keeps those names.
 *
 * ok: `train-00000-of-00004.parquet` with an `image` struct → `row=0` … with the JPEG's bytes and
 *     `fields: {'image.path': 'a.jpg', label: 3}`; a LAION shard → rows of size 0 with `fields`.
 * not-ok: a footer that claims rows, offsets or a metadata length the file cannot hold →
 *     ERR_CONTAINER_CORRUPT before any data is read; a page that would inflate past the limits →
 *     ERR_CONTAINER_LIMIT; an encrypted footer or LZO pages → ERR_CONTAINER_UNSUPPORTED; a file
 *     named `.parquet` that does not start with `PAR1` (a Git LFS pointer) is not opened.
 *
 * Memory: rows are decoded per row group, in slices of at most 64 Ki rows and about 32 MiB of
 * decoded column data, as the listing is pulled; the current slice and the previous one (at least
 * the last 64 rows listed) are held to serve `read`. A row no longer held is ERR_MEMBER_NOT_HELD.
 */
import { parquetRead, parquetSchema, type AsyncBuffer, type ColumnData, type Compressors, type FileMetaData } from 'hyparquet';
import { defineContainer, type Container, type ContainerInput, type OpenedContainer } from '../../engine/container.js';
import { SourceError } from '../../errors.js';
import type { ByteRange, CallOptions, Entry } from '../../source/types.js';
import { compressorsFor } from './codecs.js';
import { DEFAULT_CONTENT_COLUMNS, DEFAULT_MAX_FIELD_CHARS, MAX_FIELD_COLUMNS, MAX_FIELD_KEYS, planColumns, putField, type ColumnPlan } from './columns.js';
import { MAGIC, checkGroups, readFooter, type ChunkInfo, type GroupInfo } from './footer.js';
import { checkPages } from './pages.js';

export { DEFAULT_CONTENT_COLUMNS } from './columns.js';

/** Options of {@link parquetContainer}. */
export interface ParquetContainerOptions {
  /**
   * Column names tried in order (case-insensitively) for a row's content; the first that exists and
   * can be content wins. Default {@link DEFAULT_CONTENT_COLUMNS}:
   * `image, audio, jpg, jpeg, png, webp, bytes, content, text`; with the default, the text column
   * of a LAION-style table (`url` with `similarity`, `NSFW` or `punsafe`: LAION-400M's `TEXT`) is a
   * caption of an image held elsewhere and stays a field. Pass `[]` (and `embeddedFiles: false`) to
   * make every row fields only.
   */
  contentColumns?: readonly string[];
  /**
   * When no named column fits, take the first struct column with a binary `bytes` child (a
   * Hugging Face Image or Audio feature under another name). Default true.
   */
  embeddedFiles?: boolean;
  /** Longest string kept in a field. Default 1,000. */
  maxFieldChars?: number;
  /** Decoded column bytes aimed at per slice of rows. Default 32 MiB. */
  sliceBytes?: number;
  /** Rows per slice at most. Default 65,536. */
  maxSliceRows?: number;
}

/** Rows held behind the listing at least, so reads of rows listed a little earlier still succeed. */
const MIN_HELD_ROWS = 64;
/** Bytes of held content past which older slices go even within {@link MIN_HELD_ROWS}. */
const MAX_HELD_BYTES = 256 * 1024 * 1024;
/** Bytes of fetched column chunks kept so that the slices of one row group fetch each chunk once. */
const CACHE_BYTES = 64 * 1024 * 1024;
/** Largest single ranged read: a column chunk bigger than this cannot be decoded in bounded memory. */
const MAX_FETCH_BYTES = 512 * 1024 * 1024;

const ROW_PATH = /^row=(\d+)$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Rows decoded together: their content (bytes, text not yet encoded, or none). */
interface Slice {
  first: number;
  end: number;
  content: (Uint8Array | string | null)[];
  bytes: number;
}

/** Any failure from hyparquet as a record error; SourceErrors of our own pass through. */
function asSourceError(err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // An unknown page type is a damaged page header, not a feature Clearance lacks.
  if (/unsupported|not supported/i.test(message) && !/page type: undefined/.test(message)) return new SourceError('ERR_CONTAINER_UNSUPPORTED', `Parquet: ${message.slice(0, 300)}`, { cause: err });
  return new SourceError('ERR_CONTAINER_CORRUPT', `Parquet: the data cannot be decoded (${message.slice(0, 300)})`, { cause: err });
}

/** Copies a Uint8Array into an ArrayBuffer of its own, as hyparquet's AsyncBuffer wants. */
function toArrayBuffer(u8: Uint8Array): ArrayBuffer {
  if (u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength && u8.buffer instanceof ArrayBuffer) return u8.buffer;
  // Not u8.slice(): on a Node Buffer that is a view of the same (pooled) memory, not a copy.
  const copy = new Uint8Array(u8.length);
  copy.set(u8);
  return copy.buffer;
}

class ParquetRows implements OpenedContainer {
  readonly name = 'parquet';
  readonly kind = 'parquet';
  readonly markers = false;
  readonly rows = true;
  readonly location: string;
  private readonly held: Slice[] = [];
  private footer: Promise<{ metadata: FileMetaData; groups: GroupInfo[]; plan: ColumnPlan }> | null = null;

  /** The whole file when the engine's head holds it: copied, since content blobs are views into it. */
  private readonly whole: Uint8Array | null;

  constructor(
    private readonly input: ContainerInput,
    private readonly options: Required<ParquetContainerOptions>,
  ) {
    this.location = `${input.source.location.replace(/\/+$/, '')}/${input.entry.path}`;
    this.whole = input.complete ? new Uint8Array(input.head) : null;
  }

  /** Bytes `[start, end)` of the Parquet file, from the head when it holds the whole file. */
  private async readAt(start: number, end: number, signal?: AbortSignal): Promise<Uint8Array> {
    const { input } = this;
    if (this.whole) return this.whole.subarray(start, end);
    return input.source.read(input.entry, { start, end }, signal ? { signal } : undefined);
  }

  private load(): Promise<{ metadata: FileMetaData; groups: GroupInfo[]; plan: ColumnPlan }> {
    this.footer ??= (async () => {
      const { metadata, dataEnd } = await readFooter((s, e) => this.readAt(s, e, this.input.signal), this.input.entry.size);
      let groups: GroupInfo[];
      try {
        groups = checkGroups(metadata, dataEnd);
      } catch (err) {
        // A schema nested past the stack, say: still a bad file, not a bug.
        if (err instanceof SourceError) throw err;
        throw new SourceError('ERR_CONTAINER_CORRUPT', `Parquet: the footer cannot be checked (${(err as Error).message})`);
      }
      let plan: ColumnPlan;
      try {
        plan = planColumns(parquetSchema(metadata), this.options.contentColumns, this.options.embeddedFiles, this.options.contentColumns !== DEFAULT_CONTENT_COLUMNS);
      } catch (err) {
        throw new SourceError('ERR_CONTAINER_CORRUPT', `Parquet: the schema cannot be read (${(err as Error).message})`);
      }
      if (plan.droppedFields > 0) {
        this.input.problem('ERR_CONTAINER_LIMIT', `Parquet: fields kept from the first ${MAX_FIELD_COLUMNS} columns; ${plan.droppedFields} more columns not read`);
      }
      return { metadata, groups, plan };
    })();
    // A failed footer stays failed: both listings report the same error.
    return this.footer;
  }

  async *list(opts?: CallOptions): AsyncIterable<Entry> {
    const signal = opts?.signal ?? this.input.signal;
    const { metadata, groups, plan } = await this.load();
    const { limits } = this.input;
    let expanded = 0;
    let decompressed = 0;
    // Column data decoded, all columns together, against the whole-container ratio (maxExpandedBytes
    // bounds the members' content, counted as they are listed).
    const maxDecompressed = limits.maxRatio * Math.max(1, this.input.entry.size);
    for (const group of groups) {
      signal?.throwIfAborted();
      if (group.rows === 0) continue;
      const needed = group.chunks.filter((c) => plan.read.includes(c.column));
      const compressors = await compressorsFor(new Set(needed.map((c) => c.codec)));
      const file = this.groupBuffer(group, needed, compressors, (bytes) => {
        decompressed += bytes;
        if (decompressed > maxDecompressed) {
          throw new SourceError('ERR_CONTAINER_LIMIT', `Parquet: the column data decompresses to more than ${maxDecompressed} bytes (maxRatio times the file size)`);
        }
      }, signal);
      const perRow = needed.reduce((n, c) => n + c.uncompressed, 0) / group.rows;
      let sliceRows = Math.max(1, Math.min(this.options.maxSliceRows, Math.floor(this.options.sliceBytes / Math.max(1, perRow))));
      // A group only a little over one slice is read whole: splitting it costs more than it saves.
      if (group.rows <= sliceRows * 1.5) sliceRows = group.rows;
      for (let s = 0; s < group.rows; s += sliceRows) {
        signal?.throwIfAborted();
        const first = group.firstRow + s;
        const end = Math.min(group.firstRow + group.rows, first + sliceRows);
        const columns = await this.decode(metadata, plan, file, compressors, first, end);
        const slice: Slice = { first, end, content: new Array<Uint8Array | string | null>(end - first).fill(null), bytes: 0 };
        this.hold(slice, first);
        for (let i = 0; i < end - first; i++) {
          const row = first + i;
          if (row >= limits.maxMembers) {
            throw new SourceError('ERR_CONTAINER_LIMIT', `Parquet: more than ${limits.maxMembers} rows (maxMembers); the rest are not listed`);
          }
          const entry = this.entry(plan, columns, slice, i, row);
          expanded += entry.size;
          if (expanded > limits.maxExpandedBytes) {
            throw new SourceError('ERR_CONTAINER_LIMIT', `Parquet: the rows' content exceeds ${limits.maxExpandedBytes} bytes (maxExpandedBytes); the rest are not listed`);
          }
          if (this.held.length > 2) this.evict(row);
          yield entry;
        }
        // The slice's column values are no longer needed; its content stays held for reads.
        columns.clear();
      }
    }
  }

  /**
   * An AsyncBuffer over one row group's needed chunks: every read is a ranged read of the file;
   * a range holding a whole column chunk has its page headers checked before hyparquet sees it;
   * fetched ranges are kept (up to {@link CACHE_BYTES}) so that the slices of a row group do not
   * fetch a chunk again.
   */
  private groupBuffer(group: GroupInfo, needed: ChunkInfo[], compressors: Compressors, onDecompressed: (bytes: number) => void, signal?: AbortSignal): AsyncBuffer {
    const size = this.input.entry.size;
    const cache: { start: number; bytes: Uint8Array }[] = [];
    let cached = 0;
    const checked = new Set<ChunkInfo>();
    return {
      byteLength: size,
      slice: async (start: number, end = size): Promise<ArrayBuffer> => {
        const hit = cache.find((c) => c.start <= start && end <= c.start + c.bytes.length);
        if (hit) return toArrayBuffer(hit.bytes.subarray(start - hit.start, end - hit.start));
        if (!(start >= 0 && end <= size && end >= start)) throw new SourceError('ERR_CONTAINER_CORRUPT', `Parquet: a read of bytes ${start}..${end} past the end of the file`);
        if (end - start > MAX_FETCH_BYTES) {
          throw new SourceError('ERR_CONTAINER_LIMIT', `Parquet: a column chunk of ${end - start} bytes in row group ${group.index}, over the ${MAX_FETCH_BYTES}-byte read limit`);
        }
        const bytes = await this.readAt(start, end, signal);
        if (bytes.length !== end - start) throw new SourceError('ERR_CONTAINER_CORRUPT', `Parquet: short read of bytes ${start}..${end} (file shorter than listed?)`);
        for (const chunk of needed) {
          if (checked.has(chunk) || chunk.start < start || chunk.end > end) continue;
          checked.add(chunk);
          onDecompressed(checkPages(bytes.subarray(chunk.start - start, chunk.end - start), chunk, group.rows, this.input.limits.maxRatio, compressors).decompressed);
        }
        if (bytes.length <= CACHE_BYTES) {
          while (cache.length > 0 && cached + bytes.length > CACHE_BYTES) cached -= cache.shift()!.bytes.length;
          cache.push({ start, bytes });
          cached += bytes.length;
        }
        return toArrayBuffer(bytes);
      },
    };
  }

  /** Decodes rows `[first, end)` of the needed columns: one array of `end - first` values per column. */
  private async decode(metadata: FileMetaData, plan: ColumnPlan, file: AsyncBuffer, compressors: Compressors, first: number, end: number): Promise<Map<string, unknown[]>> {
    const n = end - first;
    const columns = new Map<string, unknown[]>();
    const filled = new Map<string, number>();
    for (const name of plan.read) {
      columns.set(name, new Array<unknown>(n));
      filled.set(name, 0);
    }
    if (plan.read.length === 0) return columns;
    try {
      await parquetRead({
        file,
        metadata,
        columns: [...plan.read],
        rowStart: first,
        rowEnd: end,
        // Binary stays binary: only columns annotated as strings become strings.
        utf8: false,
        compressors,
        // JSON columns stay text: a bad JSON value must not fail its neighbours.
        parsers: { jsonFromBytes: (bytes: Uint8Array) => bytes && decoder.decode(bytes) },
        onChunk: ({ columnName, columnData, rowStart }: ColumnData) => {
          const out = columns.get(columnName);
          if (!out) return;
          // Chunks are whole pages: they may start before the slice and end after it.
          const from = Math.max(first, rowStart);
          const to = Math.min(end, rowStart + columnData.length);
          for (let r = from; r < to; r++) out[r - first] = columnData[r - rowStart];
          if (to > from) filled.set(columnName, (filled.get(columnName) ?? 0) + (to - from));
        },
      });
    } catch (err) {
      throw asSourceError(err);
    }
    for (const [name, count] of filled) {
      if (count !== n) {
        throw new SourceError('ERR_CONTAINER_CORRUPT', `Parquet: column ${name.slice(0, 100)} holds values for ${count} of rows ${first}..${end - 1} (a lying row count?)`);
      }
    }
    return columns;
  }

  /** The Entry of row `row` (index `i` in its slice); records its content in the slice. */
  private entry(plan: ColumnPlan, columns: Map<string, unknown[]>, slice: Slice, i: number, row: number): Entry {
    const fields: Record<string, unknown> = {};
    let room = MAX_FIELD_KEYS;
    let content: Uint8Array | string | null = null;
    let size = 0;
    if (plan.content) {
      const value = columns.get(plan.content.name)?.[i];
      if (plan.content.kind === 'struct-bytes') {
        if (value !== null && typeof value === 'object') {
          for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            if (k === 'bytes') content = v instanceof Uint8Array ? v : null;
            else room -= putField(fields, `${plan.content.name}.${k}`, v, this.options.maxFieldChars, room);
          }
        }
      } else if (plan.content.kind === 'binary') content = value instanceof Uint8Array ? value : null;
      else content = typeof value === 'string' ? value : null;
      if (content instanceof Uint8Array) size = content.length;
      else if (typeof content === 'string') size = Buffer.byteLength(content, 'utf8');
    }
    for (const name of plan.fields) room -= putField(fields, name, columns.get(name)?.[i], this.options.maxFieldChars, room);
    slice.content[i] = content;
    slice.bytes += size;
    return { path: `row=${row}`, size, fields };
  }

  /** Holds a new slice; drops the oldest ones the reads can no longer need. */
  private hold(slice: Slice, listed: number): void {
    this.held.push(slice);
    this.evict(listed);
  }

  private evict(listed: number): void {
    let bytes = this.held.reduce((n, s) => n + s.bytes, 0);
    while (this.held.length > 2) {
      const oldest = this.held[0]!;
      if (listed - oldest.end < MIN_HELD_ROWS && bytes <= MAX_HELD_BYTES) break;
      this.held.shift();
      bytes -= oldest.bytes;
    }
  }

  async read(entry: Entry, range: ByteRange): Promise<Uint8Array> {
    const m = ROW_PATH.exec(entry.path);
    if (!m) throw new SourceError('ERR_READ_FAILED', `Parquet: ${entry.path.slice(0, 100)} is not a row of this table`);
    const row = Number(m[1]);
    const slice = this.held.find((s) => s.first <= row && row < s.end);
    if (!slice) {
      throw new SourceError('ERR_MEMBER_NOT_HELD', `Parquet: row ${row} is no longer held (rows are decoded in slices as they are listed; read a row soon after it is listed)`);
    }
    let content = slice.content[row - slice.first] ?? null;
    if (typeof content === 'string') {
      content = encoder.encode(content);
      slice.content[row - slice.first] = content;
    }
    if (!content) return new Uint8Array(0);
    const start = Math.max(0, Math.min(range.start, content.length));
    return content.subarray(start, Math.max(start, Math.min(range.end, content.length)));
  }

  async *stream(entry: Entry): AsyncIterable<Uint8Array> {
    const bytes = await this.read(entry, { start: 0, end: entry.size });
    if (bytes.length > 0) yield bytes;
  }
}

/**
 * A Parquet container with options; {@link parquet} is the default instance.
 *
 * @example
 * ```ts
 * // Scan a table whose rows' content is in `document` rather than `text`.
 * const containers = [parquetContainer({ contentColumns: ['document'] }), ...builtinContainers.filter((c) => c.id !== 'parquet')];
 * ```
 */
export function parquetContainer(options: ParquetContainerOptions = {}): Container {
  const resolved: Required<ParquetContainerOptions> = {
    contentColumns: options.contentColumns ?? DEFAULT_CONTENT_COLUMNS,
    embeddedFiles: options.embeddedFiles ?? true,
    maxFieldChars: options.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS,
    sliceBytes: options.sliceBytes ?? 32 * 1024 * 1024,
    maxSliceRows: options.maxSliceRows ?? 65_536,
  };
  return defineContainer({
    id: 'parquet',
    version: '1.0.0',
    description: 'Parquet tables (Hugging Face datasets, LAION-style shards): each row is a member with its columns as fields and an embedded file or text as content; read by ranged reads of the footer and the needed column chunks (hyparquet).',
    match: { names: ['*.parquet', '*.parq'], mediaTypes: ['application/vnd.apache.parquet', 'application/x-parquet'] },
    async open(input) {
      // A name is not enough: a `.parquet` from a Git LFS checkout without LFS is a text pointer.
      const head = input.head;
      if (head.length < 4 || new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true) !== MAGIC) return null;
      return new ParquetRows(input, resolved);
    },
  });
}

/** The Parquet container with default options (content from {@link DEFAULT_CONTENT_COLUMNS}). */
export const parquet: Container = parquetContainer();
