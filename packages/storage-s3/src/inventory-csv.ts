/**
 * The CSV data files of an S3 Inventory report: gzip-compressed, one object per line, the columns
 * the manifest's `fileSchema` names, every field in double quotes, keys URL-encoded.
 * Reference: Amazon S3 User Guide, "Cataloging and analyzing your data with S3 Inventory" ("When you're
 * using the CSV file format, the key name is URL-encoded and must be decoded before you can use it").
 */
import readline from 'node:readline';
import { createGunzip } from 'node:zlib';
import { getStream, type CsvColumns, type InventoryFile, type InventoryRow } from './inventory-file.js';

/** The rows of one gzip CSV data file, streamed line by line. */
export async function* listCsvFile(file: InventoryFile, columns: CsvColumns): AsyncGenerator<InventoryRow> {
  const body = await getStream(file.client, file.bucket, file.key, file.signal, file.requestPayer);
  const lines = readline.createInterface({ input: body.pipe(createGunzip()), crlfDelay: Infinity });
  const at = (row: string[], i: number) => (i >= 0 ? row[i] : undefined);
  const bool = (v: string | undefined) => (v === undefined || v === '' ? undefined : v.toLowerCase() === 'true');
  for await (const line of lines) {
    if (line === '') continue;
    const row = parseCsvLine(line);
    const bucket = at(row, columns.bucket);
    const mtime = at(row, columns.mtime);
    const etag = at(row, columns.etag);
    const isLatest = bool(at(row, columns.isLatest));
    const isDeleteMarker = bool(at(row, columns.isDeleteMarker));
    yield {
      key: decodeKey(row[columns.key] ?? ''),
      size: row[columns.size] ?? '',
      ...(bucket !== undefined ? { bucket } : {}),
      ...(mtime !== undefined ? { mtime } : {}),
      ...(etag !== undefined ? { etag } : {}),
      ...(isLatest !== undefined ? { isLatest } : {}),
      ...(isDeleteMarker !== undefined ? { isDeleteMarker } : {}),
    };
  }
}

/** One CSV record of an inventory: fields in double quotes, `""` for a quote inside. */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      out.push(value);
      i = line.indexOf(',', i) === -1 ? line.length + 1 : line.indexOf(',', i) + 1;
    } else {
      const end = line.indexOf(',', i);
      out.push(line.slice(i, end === -1 ? line.length : end));
      i = end === -1 ? line.length + 1 : end + 1;
    }
  }
  return out;
}

/** Inventory CSV keys are URL-encoded (form encoding: `+` for a space). */
function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}
