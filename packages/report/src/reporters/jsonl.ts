import type { ReporterFactory } from '../reporter.js';

/**
 * JSON Lines: one record per line as it is made, then one last line `{"summary": …}`. The format
 * `clearance report` reads back.
 */
export const jsonl: ReporterFactory = (output) => ({
  onRecord: (record) => output.write(`${JSON.stringify(record)}\n`),
  onEnd: (summary) => output.write(`${JSON.stringify({ summary })}\n`),
});
