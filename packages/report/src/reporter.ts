import type { ScanRecord, Summary } from '@clearance/core';
import type { Output } from './output.js';

/**
 * Turns records and a summary into a format people or tools read. Hooks may return a promise; the
 * scan waits for it, so a reporter that writes respects backpressure.
 */
export interface Reporter {
  onRecord?(record: ScanRecord): void | Promise<void>;
  onEnd?(summary: Summary): void | Promise<void>;
}

/** Makes a reporter that writes to `output`. */
export type ReporterFactory = (output: Output, options?: ReporterOptions) => Reporter;

export interface ReporterOptions {
  /** Use ANSI colours (summary). Default: when the output is a terminal and NO_COLOR is unset. */
  color?: boolean;
}
