/**
 * Types of data-prep.mjs, for TypeScript callers such as data-prep.test.ts. Keep in step with the
 * JSDoc in data-prep.mjs.
 */
import type { PolicyInput, ResolvedPolicy, Summary } from '@clearance/core';

/** The demo dataset that ships beside the script. */
export declare const DEMO_DATASET: string;

/** One line of `manifest.jsonl`. */
export interface ManifestLine {
  path: string;
  sha256: string | null;
  licence: string;
}

/** One line of `excluded.jsonl`. */
export interface ExcludedLine {
  path: string;
  sha256: string | null;
  decision: 'exclude' | 'review';
  licence: string;
  reasons: { code: string; decision: string; message: string }[];
}

export interface PrepareOptions {
  /** The dataset folder to scan. */
  root: string;
  /** Where to write the outputs; created if missing. */
  outDir: string;
  /** A policy object, one resolved with `loadPolicy`, or the path of a YAML or JSON policy file. Default: the built-in default. */
  policy?: PolicyInput | ResolvedPolicy | string;
  /** Aborts the scan; nothing is then written. */
  signal?: AbortSignal;
}

export interface PrepareResult {
  manifestPath: string;
  excludedPath: string;
  summaryPath: string;
  kept: number;
  left: number;
  leftBy: Record<string, number>;
  keptLicences: Record<string, number>;
  summary: Summary;
}

/** Scans `root` and writes manifest.jsonl, excluded.jsonl and scan-summary.json into `outDir` atomically. */
export declare function prepare(options: PrepareOptions): Promise<PrepareResult>;

/** The one-paragraph account of a run that the command line prints. */
export declare function describe(result: PrepareResult): string;
