/**
 * Raw baseline for the Parquet case: hyparquet reading every row of the same columns, with no engine,
 * one row group at a time (as the container does, so memory stays bounded), as row objects, each
 * row touched. Argument: `{ file }`.
 */
import fs from 'node:fs';
import { parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import { caseArgs, emit, timed } from '../lib/common.mjs';

/** @type {{ file: string }} */
const args = caseArgs();

/** An AsyncBuffer over a file descriptor: one positioned read per slice. */
function fileBuffer(/** @type {string} */ file) {
  const fd = fs.openSync(file, 'r');
  const size = fs.fstatSync(fd).size;
  return {
    byteLength: size,
    /** @param {number} start @param {number} [end] */
    slice(start, end = size) {
      return new Promise((resolve, reject) => {
        const buf = Buffer.allocUnsafe(end - start);
        fs.read(fd, buf, 0, buf.length, start, (err) => (err ? reject(err) : resolve(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length))));
      });
    },
    close: () => fs.closeSync(fd),
  };
}

const { value, seconds } = await timed(async () => {
  const file = fileBuffer(args.file);
  const metadata = await parquetMetadataAsync(file);
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  let rows = 0;
  let chars = 0;
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    await parquetRead({
      file,
      metadata,
      columns,
      rowStart: start,
      rowEnd: end,
      rowFormat: 'object',
      onComplete: (/** @type {Record<string, unknown>[]} */ data) => {
        for (const row of data) {
          rows++;
          chars += String(row.LICENSE ?? '').length;
        }
      },
    });
    start = end;
  }
  file.close();
  return { rows, chars, groups: metadata.row_groups.length, bytes: file.byteLength };
});

emit({ rows: value.rows, groups: value.groups, bytes: value.bytes, seconds });
