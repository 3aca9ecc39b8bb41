/**
 * Checks the pages of a column chunk before hyparquet decodes them.
 *
 * hyparquet trusts what a page says: it allocates arrays of the declared value count, and its
 * run-length decoder repeats a run as many times as the run header says, past the end of the
 * output (a 5-byte header can ask for 2^31 values), and follows level lengths that a damaged
 * DATA_PAGE_V2 header left out into an endless loop. So each page is walked here first: header
 * fields checked, the page decompressed (bounded by its declared size), and every
 * RLE/bit-packed-hybrid stream in it (repetition levels, definition levels, dictionary indices,
 * RLE booleans) checked run by run against the page's value count.
 *
 * Reference: parquet.thrift PageHeader, DataPageHeader, DataPageHeaderV2, DictionaryPageHeader;
 * Parquet "Encodings": RLE/bit-packing hybrid (run header varint, low bit 1 = bit-packed groups of
 * 8 values, 0 = repeated run of `header >> 1` values with the value in ceil(width/8) bytes),
 * data page v1 levels prefixed by a 4-byte length, v2 levels unprefixed with their byte lengths in
 * the header and stored uncompressed before the (possibly compressed) values.
 */
import type { Compressors } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { snappyUncompress } from 'hyparquet';
import { SourceError } from '../../errors.js';
import { corrupt, num, type ChunkInfo } from './footer.js';

/** Largest decompressed page hyparquet may allocate. Writers aim at 1 MB pages. */
export const MAX_PAGE_BYTES = 256 * 1024 * 1024;
/**
 * Values one page may declare. hyparquet allocates arrays of this length before decoding, and a
 * run-length-encoded page can declare millions of values in a few bytes; real writers cap pages
 * at 1 MB or 20,000 rows.
 */
export const MAX_PAGE_VALUES = 8 * 1024 * 1024;

const bitWidth = (max: number): number => 32 - Math.clz32(max);

/**
 * Checks one RLE/bit-packed-hybrid stream in `bytes[start, end)` of `width`-bit values, of which
 * there are at most `values`: no run may reach past them (a bit-packed run may pad to a multiple
 * of 8). Run counts are computed with the same 32-bit arithmetic hyparquet uses, so a header that
 * wraps negative is caught too. Returns the offset after the stream's last run read.
 */
function checkHybrid(bytes: Uint8Array, start: number, end: number, width: number, values: number, what: string): number {
  let off = start;
  let seen = 0;
  while (seen < values && off < end) {
    let header = 0;
    let shift = 0;
    for (;;) {
      if (off >= end) return off;
      const b = bytes[off++]!;
      header |= (b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    if (header & 1) {
      const count = (header >> 1) << 3;
      if (count <= 0 || count > values - seen + 7) throw corrupt(`${what}: a bit-packed run of ${count} values where ${values - seen} remain`);
      off += (header >> 1) * width;
      seen += count;
    } else {
      const count = header >>> 1;
      if (count > values - seen) throw corrupt(`${what}: a run of ${count} values where ${values - seen} remain`);
      off += (width + 7) >> 3;
      seen += count;
    }
  }
  return off;
}

/** Decompresses a page as hyparquet will, to look inside it. */
function decompress(chunk: ChunkInfo, compressors: Compressors, input: Uint8Array, size: number): Uint8Array {
  if (chunk.codec === 'UNCOMPRESSED') return input;
  try {
    if (chunk.codec === 'SNAPPY' && !compressors.SNAPPY) {
      const out = new Uint8Array(size);
      snappyUncompress(input, out);
      return out;
    }
    const fn = compressors[chunk.codec as keyof Compressors];
    if (!fn) throw new SourceError('ERR_CONTAINER_UNSUPPORTED', `Parquet: ${chunk.codec} compression is not supported`);
    const out = fn(input, size);
    if (out.length !== size) throw corrupt(`a page of column ${chunk.path.slice(0, 100)} decompresses to ${out.length} bytes, not the ${size} it declares`);
    return out;
  } catch (err) {
    if (err instanceof SourceError) throw err;
    throw corrupt(`a page of column ${chunk.path.slice(0, 100)} cannot be decompressed (${(err as Error).message})`);
  }
}

/** Reads a ULEB128 varint as hyparquet does (32-bit), or null at the end of the bytes. */
function varint(bytes: Uint8Array, at: { off: number }): number | null {
  let v = 0;
  let shift = 0;
  for (;;) {
    if (at.off >= bytes.length) return null;
    const b = bytes[at.off++]!;
    v |= (b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
    shift += 7;
  }
}

/**
 * Checks the value section of a data page where hyparquet would trust counts from it: dictionary
 * indices and RLE values (hybrid streams), and the block header of delta encodings (hyparquet
 * allocates one byte per declared miniblock).
 */
function checkValues(bytes: Uint8Array, start: number, encoding: string | undefined, values: number, v1: boolean, boolean: boolean, what: string): void {
  if (start >= bytes.length) return;
  const prefixed = (): void => {
    // A 4-byte length, then 1-bit values.
    if (start + 4 > bytes.length) return;
    const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(start, true);
    checkHybrid(bytes, start + 4, Math.min(bytes.length, start + 4 + len), 1, values, what);
  };
  if (encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY' || (v1 && encoding === 'RLE')) {
    if (v1 && boolean) return prefixed();
    const width = bytes[start]!;
    if (width > 32) throw corrupt(`${what}: indices of ${width} bits`);
    // hyparquet skips a v1 page of 0-bit indices, but decodes a v2 one.
    if (width === 0 && v1) return;
    checkHybrid(bytes, start + 1, bytes.length, width, values, what);
  } else if (encoding === 'RLE') {
    prefixed();
  } else if (encoding === 'DELTA_BINARY_PACKED' || encoding === 'DELTA_LENGTH_BYTE_ARRAY' || encoding === 'DELTA_BYTE_ARRAY') {
    // Reference: Parquet "Encodings", DELTA_BINARY_PACKED header: block size (a multiple of 128),
    // miniblocks per block (block size / miniblocks a multiple of 32), value count, first value.
    const at = { off: start };
    const block = varint(bytes, at);
    const miniblocks = varint(bytes, at);
    if (block === null || miniblocks === null) return;
    if (!(miniblocks > 0 && miniblocks <= 1024 && block > 0 && block <= 1 << 20)) {
      throw corrupt(`${what}: a delta block of ${block} values in ${miniblocks} miniblocks`);
    }
  }
}

/** What a page walk found, for the container's running totals. */
export interface PageTotals {
  /** Bytes the compressed pages declare once decompressed. */
  decompressed: number;
}

/**
 * Walks and checks every page of one column chunk (its bytes, from its first page): each page lies
 * inside the chunk, declares a sane number of values (at most the row group's rows for a flat
 * column) and a decompressed size within {@link MAX_PAGE_BYTES} and `maxRatio` times its compressed
 * size; its level and index streams cannot make hyparquet run away.
 *
 * @throws SourceError ERR_CONTAINER_CORRUPT or ERR_CONTAINER_LIMIT.
 */
export function checkPages(bytes: Uint8Array, chunk: ChunkInfo, rows: number, maxRatio: number, compressors: Compressors): PageTotals {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = { view, offset: 0 };
  const col = chunk.path.slice(0, 100);
  let decompressed = 0;
  // hyparquet stops reading a chunk one byte before its end; so does this walk.
  while (reader.offset < bytes.length - 1) {
    let header;
    try {
      header = parquetHeader(reader);
    } catch (err) {
      throw corrupt(`a page header of column ${col} cannot be parsed (${(err as Error).message})`);
    }
    const what = `a page of column ${col}`;
    const compressed = num(header.compressed_page_size);
    const size = num(header.uncompressed_page_size);
    const pageStart = reader.offset;
    if (!Number.isSafeInteger(compressed) || compressed < 0 || pageStart + compressed > bytes.length) throw corrupt(`${what} runs past the end of its column chunk`);
    if (!Number.isSafeInteger(size) || size < 0) throw corrupt(`${what} declares ${size} bytes`);
    const v2 = header.data_page_header_v2;
    const values = num(header.data_page_header?.num_values ?? v2?.num_values ?? header.dictionary_page_header?.num_values ?? 0);
    if (!Number.isSafeInteger(values) || values < 0) throw corrupt(`${what} declares ${values} values`);
    if (values > MAX_PAGE_VALUES) {
      throw new SourceError('ERR_CONTAINER_LIMIT', `Parquet: ${what} declares ${values} values, over the ${MAX_PAGE_VALUES} limit`);
    }
    if (chunk.flat && header.type !== 'DICTIONARY_PAGE' && values > rows) throw corrupt(`${what} declares ${values} values in a row group of ${rows} rows`);
    if (chunk.codec !== 'UNCOMPRESSED') {
      if (size > MAX_PAGE_BYTES) {
        throw new SourceError('ERR_CONTAINER_LIMIT', `Parquet: ${what} declares ${size} decompressed bytes, over the ${MAX_PAGE_BYTES} limit`);
      }
      // Small pages cannot be bombs; a large one that inflates more than maxRatio is one.
      if (size > 1024 * 1024 && size > maxRatio * Math.max(1, compressed)) {
        throw new SourceError('ERR_CONTAINER_LIMIT', `Parquet: ${what} would inflate ${compressed} bytes to ${size}, over the ratio limit of ${maxRatio}`);
      }
      decompressed += size;
    }
    const body = bytes.subarray(pageStart, pageStart + compressed);
    if (header.type === 'DATA_PAGE') {
      if (!header.data_page_header) throw corrupt(`${what} has no data page header`);
      const page = decompress(chunk, compressors, body, size);
      let off = 0;
      for (const [max, kind] of [[chunk.maxRep, 'repetition'], [chunk.maxDef, 'definition']] as const) {
        if (max === 0) continue;
        if (off + 4 > page.length) throw corrupt(`${what} ends inside its ${kind} levels`);
        const len = new DataView(page.buffer, page.byteOffset).getUint32(off, true);
        if (off + 4 + len > page.length) throw corrupt(`${what} declares ${len} bytes of ${kind} levels past its end`);
        checkHybrid(page, off + 4, off + 4 + len, bitWidth(max), values, `${what} (${kind} levels)`);
        off += 4 + len;
      }
      checkValues(page, off, header.data_page_header.encoding, values, true, chunk.boolean, what);
    } else if (header.type === 'DATA_PAGE_V2') {
      if (!v2) throw corrupt(`${what} has no data page v2 header`);
      const repLen = num(v2.repetition_levels_byte_length);
      const defLen = num(v2.definition_levels_byte_length);
      const nulls = num(v2.num_nulls);
      const rowsInPage = num(v2.num_rows);
      // A damaged header without these lengths sends hyparquet's offsets to NaN, and it loops for ever.
      if (![repLen, defLen, nulls, rowsInPage].every((n) => Number.isSafeInteger(n) && n >= 0) || repLen + defLen > compressed || nulls > values || rowsInPage > values) {
        throw corrupt(`${what} has an inconsistent v2 header (levels ${repLen}+${defLen} bytes of ${compressed}, ${nulls} nulls and ${rowsInPage} rows of ${values} values)`);
      }
      if (size < repLen + defLen) throw corrupt(`${what} declares ${size} bytes, less than its levels`);
      if (chunk.maxRep > 0) checkHybrid(body, 0, repLen, bitWidth(chunk.maxRep), values, `${what} (repetition levels)`);
      if (chunk.maxDef > 0) checkHybrid(body, repLen, repLen + defLen, bitWidth(chunk.maxDef), values, `${what} (definition levels)`);
      const rest = body.subarray(repLen + defLen);
      const page = v2.is_compressed === false ? rest : decompress(chunk, compressors, rest, size - repLen - defLen);
      checkValues(page, 0, v2.encoding, values - nulls, false, chunk.boolean, what);
    } else if (header.type === 'DICTIONARY_PAGE') {
      if (!header.dictionary_page_header) throw corrupt(`${what} has no dictionary page header`);
    } else {
      throw new SourceError('ERR_CONTAINER_UNSUPPORTED', `Parquet: ${what} is of type ${String(header.type).slice(0, 30)}, which Clearance does not read`);
    }
    reader.offset = pageStart + compressed;
  }
  return { decompressed };
}
