import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { DECISIONS, RecordSchema, SummarySchema, type ScanRecord, type Summary } from '@clearance/core';

/** A saved report that cannot be read back: bad JSON, a line that is not a record, no summary. */
export class ReportInputError extends Error {
  readonly code = 'ERR_REPORT_INPUT';
  constructor(
    message: string,
    /** 1-based line of the input, when the problem is on one line. */
    readonly line?: number,
  ) {
    super(`[clearance] ${message}`);
    this.name = 'ReportInputError';
  }
}

/** Options of {@link readRecords}. */
export interface ReadRecordsOptions {
  /**
   * `shape` (default): check the fields reporters rely on (path, size, licence, verdict, arrays).
   * `schema`: validate every line against the record and summary schemas of @clearance/core; exact
   * but several times slower.
   */
  check?: 'shape' | 'schema';
  signal?: AbortSignal;
}

/**
 * Reads a JSON Lines report written by `clearance scan --format jsonl` line by line: records, then
 * the last line `{"summary": …}`. Yields each record as it is read, and the summary last; memory
 * does not grow with the file. Throws {@link ReportInputError} (with the line number) on a line that
 * does not parse or is not a record, on a second summary, on a record after the summary, and when the
 * file ends without a summary (a scan that was killed, or a truncated copy).
 *
 * @param input a file path, `-` for standard input, or a readable stream
 */
export async function* readRecords(input: string | Readable, options: ReadRecordsOptions = {}): AsyncGenerator<{ record: ScanRecord } | { summary: Summary }> {
  const name = typeof input === 'string' ? (input === '-' ? 'standard input' : input) : 'the input';
  let stream: Readable;
  if (typeof input !== 'string') stream = input;
  else if (input === '-') stream = process.stdin;
  else {
    const file = createReadStream(input);
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', (err: NodeJS.ErrnoException) => reject(new ReportInputError(`cannot read ${name}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`)));
    });
    stream = file;
  }
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  let summary: Summary | undefined;
  try {
    for await (const raw of lines) {
      n++;
      options.signal?.throwIfAborted();
      const line = n === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new ReportInputError(`${name}, line ${n}: not JSON (${(err as Error).message})`, n);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ReportInputError(`${name}, line ${n}: not a JSON object`, n);
      if ('summary' in value && !('path' in value)) {
        if (summary) throw new ReportInputError(`${name}, line ${n}: a second summary line (merge the shards' records into one file with one summary first)`, n);
        summary = checkSummary(value.summary, options, name, n);
        continue;
      }
      if (summary) throw new ReportInputError(`${name}, line ${n}: a record after the summary line`, n);
      yield { record: checkRecord(value, options, name, n) };
    }
  } finally {
    lines.close();
    if (typeof input === 'string' && input !== '-') stream.destroy();
  }
  if (!summary) throw new ReportInputError(`${name} ends without a summary line after ${n} line${n === 1 ? '' : 's'}: it is not a complete Clearance JSON Lines report (was the scan killed, or the file cut?)`);
  yield { summary };
}

function checkRecord(value: object, options: ReadRecordsOptions, name: string, n: number): ScanRecord {
  if (options.check === 'schema') {
    const r = RecordSchema.safeParse(value);
    if (!r.success) throw new ReportInputError(`${name}, line ${n}: not a record: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, n);
    return r.data;
  }
  const v = value as Partial<Record<keyof ScanRecord, unknown>>;
  const verdict = v.verdict as { decision?: unknown; reasons?: unknown } | undefined;
  const licence = v.licence as { expression?: unknown } | undefined;
  const problem =
    typeof v.path !== 'string'
      ? 'no "path"'
      : typeof v.size !== 'number'
        ? 'no "size"'
        : typeof licence?.expression !== 'string'
          ? 'no "licence.expression"'
          : !DECISIONS.includes(verdict?.decision as never) || !Array.isArray(verdict?.reasons)
            ? 'no valid "verdict"'
            : !Array.isArray(v.findings) || !Array.isArray(v.optOuts) || !Array.isArray(v.tpm) || !Array.isArray(v.errors)
              ? 'missing "findings", "optOuts", "tpm" or "errors"'
              : undefined;
  if (problem) throw new ReportInputError(`${name}, line ${n}: not a Clearance record (${problem})`, n);
  return value as ScanRecord;
}

function checkSummary(value: unknown, options: ReadRecordsOptions, name: string, n: number): Summary {
  if (options.check === 'schema') {
    const r = SummarySchema.safeParse(value);
    if (!r.success) throw new ReportInputError(`${name}, line ${n}: not a summary: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, n);
    return r.data;
  }
  const s = value as Partial<Summary> | null;
  if (typeof s !== 'object' || s === null || typeof s.files !== 'number' || typeof s.verdicts !== 'object' || typeof s.source !== 'object' || typeof s.tool !== 'object') {
    throw new ReportInputError(`${name}, line ${n}: the summary line lacks the summary fields (files, verdicts, source, tool)`, n);
  }
  return s as Summary;
}
