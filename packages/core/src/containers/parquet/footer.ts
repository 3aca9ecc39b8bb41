/**
 * Reading and checking a Parquet footer, and checking the page headers of a column chunk before
 * hyparquet decodes it. Everything a footer or page header claims is checked against the file
 * before anything is allocated from it, so a lying file costs bounded time and memory.
 *
 * Reference: Apache Parquet format, README "File Format" (layout: `PAR1`, row groups, FileMetaData,
 * 4-byte little-endian metadata length, `PAR1`) and parquet.thrift (FileMetaData, RowGroup,
 * ColumnChunk, ColumnMetaData, PageHeader); Parquet Modular Encryption (an encrypted footer ends in
 * `PARE`; an encrypted column chunk carries `encrypted_column_metadata` instead of `meta_data`).
 */
import { parquetMetadata, type FileMetaData } from 'hyparquet';
import { SourceError } from '../../errors.js';

/** `PAR1`, little-endian, at both ends of a Parquet file. */
export const MAGIC = 0x31524150;
/** `PARE`: a footer encrypted with Parquet Modular Encryption. */
const MAGIC_ENCRYPTED = 0x45524150;
/** Bytes read from the end of the file first: most footers fit, so one request does. */
const TAIL_BYTES = 64 * 1024;
/** Largest footer read. Real footers of very wide, many-row-group tables reach a few MB. */
export const MAX_METADATA_BYTES = 64 * 1024 * 1024;

export const corrupt = (message: string): SourceError => new SourceError('ERR_CONTAINER_CORRUPT', `Parquet: ${message}`);

/** Reads bytes `[start, end)` of the Parquet file. */
export type ReadAt = (start: number, end: number) => Promise<Uint8Array>;

/** The parsed footer and where the data ends. */
export interface Footer {
  metadata: FileMetaData;
  /** Offset of the first footer byte: every column chunk must end at or before it. */
  dataEnd: number;
}

/**
 * Reads and parses the footer of a `size`-byte Parquet file with at most two reads (the last 64 KiB,
 * then the rest of a larger footer).
 *
 * @throws SourceError ERR_CONTAINER_CORRUPT (no `PAR1` at the end, a metadata length past the start
 *   of the file, unparsable metadata), ERR_CONTAINER_UNSUPPORTED (an encrypted footer),
 *   ERR_CONTAINER_LIMIT (a footer over {@link MAX_METADATA_BYTES}).
 */
export async function readFooter(readAt: ReadAt, size: number): Promise<Footer> {
  // PAR1 + metadata length + PAR1 is the least a Parquet file holds.
  if (size < 12) throw corrupt(`${size} bytes is too short for a Parquet file (truncated?)`);
  const tailStart = Math.max(0, size - TAIL_BYTES);
  const tail = await readAt(tailStart, size);
  if (tail.length !== size - tailStart) throw corrupt(`read ${tail.length} bytes of the last ${size - tailStart} (file shorter than listed?)`);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const magic = view.getUint32(tail.length - 4, true);
  if (magic === MAGIC_ENCRYPTED) {
    throw new SourceError('ERR_CONTAINER_UNSUPPORTED', 'Parquet: the footer is encrypted (Parquet Modular Encryption, PARE); its rows cannot be read without the key');
  }
  if (magic !== MAGIC) throw corrupt('the file does not end in PAR1 (truncated or not Parquet)');
  const metadataLength = view.getUint32(tail.length - 8, true);
  if (metadataLength > size - 12) {
    throw corrupt(`the footer claims ${metadataLength} bytes of metadata in a ${size}-byte file`);
  }
  if (metadataLength > MAX_METADATA_BYTES) {
    throw new SourceError('ERR_CONTAINER_LIMIT', `Parquet: the footer holds ${metadataLength} bytes of metadata, over the ${MAX_METADATA_BYTES}-byte limit`);
  }
  let footer: Uint8Array;
  if (metadataLength + 8 <= tail.length) footer = tail.subarray(tail.length - 8 - metadataLength);
  else {
    footer = await readAt(size - 8 - metadataLength, size);
    if (footer.length !== metadataLength + 8) throw corrupt('short read of the footer');
  }
  let metadata: FileMetaData;
  try {
    // geoparquet off: geometry columns are never read, so their metadata is not needed either.
    metadata = parquetMetadata(footer, { geoparquet: false });
  } catch (err) {
    throw corrupt(`the footer metadata cannot be parsed (${(err as Error).message})`);
  }
  return { metadata, dataEnd: size - 8 - metadataLength };
}

/** One column chunk of a row group, as checked against the file. */
export interface ChunkInfo {
  /** Dotted path in the schema (`image.bytes`). */
  path: string;
  /** Top-level column name. */
  column: string;
  start: number;
  end: number;
  codec: string;
  uncompressed: number;
  /** Whether the leaf is a top-level non-repeated column (a data page then holds at most one value per row). */
  flat: boolean;
  /** Highest repetition and definition levels of the leaf (how its level streams are encoded). */
  maxRep: number;
  maxDef: number;
  /** A BOOLEAN leaf (its RLE values are 1-bit with a length prefix). */
  boolean: boolean;
}

/** One row group: its first row in the file, its rows and its column chunks. */
export interface GroupInfo {
  index: number;
  firstRow: number;
  rows: number;
  chunks: ChunkInfo[];
}

export const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : NaN);

/**
 * Checks what the footer claims about row groups and column chunks against the file: row counts
 * add up to the file's, every chunk lies inside the data, and every column holds at least one
 * value per row. A lying footer is ERR_CONTAINER_CORRUPT here, before any data is read.
 */
export function checkGroups(metadata: FileMetaData, dataEnd: number): GroupInfo[] {
  const leaves = metadata.schema.filter((e) => e.type !== undefined);
  const flatLeaf = new Set<string>();
  // Top-level leaves: schema elements right under the root that carry a type and are not repeated.
  let i = 1;
  while (i < metadata.schema.length) {
    const e = metadata.schema[i];
    if (!e) break;
    if (e.type !== undefined && !e.num_children && e.repetition_type !== 'REPEATED') flatLeaf.add(e.name);
    // Skip the subtree: count elements until the children are consumed.
    let pending = e.num_children ?? 0;
    i++;
    while (pending > 0 && i < metadata.schema.length) {
      pending += (metadata.schema[i]?.num_children ?? 0) - 1;
      i++;
    }
  }
  const levels = leafLevels(metadata);
  const groups: GroupInfo[] = [];
  let firstRow = 0;
  const declared = num(metadata.num_rows);
  for (const [index, rg] of metadata.row_groups.entries()) {
    const rows = num(rg.num_rows);
    if (!Number.isSafeInteger(rows) || rows < 0) throw corrupt(`row group ${index} claims ${String(rg.num_rows)} rows`);
    if (rg.columns.length !== leaves.length) {
      throw corrupt(`row group ${index} has ${rg.columns.length} column chunks for ${leaves.length} columns`);
    }
    const chunks: ChunkInfo[] = [];
    for (const chunk of rg.columns) {
      if (chunk.file_path) {
        throw new SourceError('ERR_CONTAINER_UNSUPPORTED', `Parquet: row group ${index} keeps its columns in another file (${chunk.file_path.slice(0, 100)})`);
      }
      const meta = chunk.meta_data;
      if (!meta) {
        throw new SourceError('ERR_CONTAINER_UNSUPPORTED', `Parquet: a column chunk of row group ${index} has no readable metadata (an encrypted column?)`);
      }
      const path = meta.path_in_schema.join('.');
      const start = num(meta.dictionary_page_offset) || num(meta.data_page_offset);
      const length = num(meta.total_compressed_size);
      const values = num(meta.num_values);
      const uncompressed = num(meta.total_uncompressed_size);
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < 4 || length < 0 || start + length > dataEnd) {
        throw corrupt(`column ${path.slice(0, 100)} of row group ${index} claims bytes ${start}..${start + length}, outside the data (4..${dataEnd})`);
      }
      if (!(values >= rows)) {
        throw corrupt(`row group ${index} claims ${rows} rows but its column ${path.slice(0, 100)} holds ${values} values`);
      }
      const column = meta.path_in_schema[0] ?? '';
      const level = levels.get(path);
      if (!level) throw corrupt(`column chunk ${path.slice(0, 100)} of row group ${index} is not in the schema`);
      chunks.push({
        path,
        column,
        start,
        end: start + length,
        codec: meta.codec,
        uncompressed: Number.isFinite(uncompressed) ? uncompressed : 0,
        flat: meta.path_in_schema.length === 1 && flatLeaf.has(column),
        boolean: meta.type === 'BOOLEAN',
        ...level,
      });
    }
    groups.push({ index, firstRow, rows, chunks });
    firstRow += rows;
  }
  if (firstRow !== declared) throw corrupt(`the row groups hold ${firstRow} rows but the file claims ${String(metadata.num_rows)}`);
  return groups;
}

/** Highest repetition and definition levels of every leaf, by dotted path. */
function leafLevels(metadata: FileMetaData): Map<string, { maxRep: number; maxDef: number }> {
  const out = new Map<string, { maxRep: number; maxDef: number }>();
  const schema = metadata.schema;
  let i = 1;
  // Depth-first over the flat schema list; `i` moves past each element once, so this is linear.
  const visit = (prefix: string[], rep: number, def: number): void => {
    const e = schema[i++];
    if (!e) throw corrupt('the schema ends before its elements do');
    const r = e.repetition_type === 'REPEATED' ? rep + 1 : rep;
    // As hyparquet counts them: anything not REQUIRED (an absent repetition too) adds a level.
    const d = e.repetition_type === 'REQUIRED' ? def : def + 1;
    const path = [...prefix, e.name];
    const children = e.num_children ?? 0;
    if (children <= 0 || e.type !== undefined) out.set(path.join('.'), { maxRep: r, maxDef: d });
    for (let c = 0; c < children; c++) visit(path, r, d);
  };
  const top = schema[0]?.num_children ?? 0;
  if (top > schema.length) throw corrupt(`the schema root claims ${top} columns in ${schema.length} elements`);
  for (let c = 0; c < top; c++) visit([], 0, 0);
  return out;
}
