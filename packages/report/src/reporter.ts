import type { FindingDoc, ScanRecord, Summary } from '@clearance/core';
import type { Output } from './output.js';

/**
 * Turns records and a summary into a format people or tools read. Hooks may return a promise; the
 * scan waits for it, so a reporter that writes respects backpressure. A reporter holds counts and
 * bounded samples, or spills to a temporary file ({@link createSpill}); never every record.
 */
export interface Reporter {
  onRecord?(record: ScanRecord): void | Promise<void>;
  onEnd?(summary: Summary): void | Promise<void>;
}

/** Makes a reporter that writes to `output`. */
export type ReporterFactory = (output: Output, options?: ReporterOptions) => Reporter;

/** One documented finding code, as `findingCatalogue()` of @clearance/core lists them. */
export interface CatalogueEntry {
  code: string;
  detector: string;
  doc: FindingDoc;
}

/** Options every built-in reporter understands; each reads the ones it needs. All are optional. */
export interface ReporterOptions {
  /** Use ANSI colours (summary). Default: when the output is a terminal and NO_COLOR is unset. */
  color?: boolean;
  /**
   * Environment to read (`GITHUB_ACTIONS`, `GITHUB_WORKSPACE`, `CLEARANCE_DOCS_URL`). Default:
   * `process.env`.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * The finding codes and their documentation (SARIF rules, help links). Default:
   * `findingCatalogue(builtinDetectors)` from @clearance/core.
   */
  catalogue?: readonly CatalogueEntry[];
  /**
   * Absolute URL under which `docs/findings/<code>.md` is published, ending in `/`, e.g.
   * `https://github.com/acme/clearance/blob/v1.2.0/`. Default: `CLEARANCE_DOCS_URL` from the
   * environment, else the `file:` URL of this installation's docs folder when it has one.
   */
  docsBaseUrl?: string;
  /** Folder for temporary spill files. Default: the system's temporary folder. */
  tmpdir?: string;
  /** HTML: most files embedded in the page's table (default 20 000); see the html reporter. */
  htmlMaxRows?: number;
  /** SARIF: most results in the run (default 25 000, GitHub code scanning's limit per run). */
  sarifMaxResults?: number;
  /** github: most annotations of each level printed (default 50). */
  githubMaxAnnotations?: number;
  /** What the scanner cannot know about the dataset, for spdx3, cyclonedx and eu-summary. */
  dataset?: DatasetInfo;
}

/** Facts about a dataset that are not in its files. Every field is optional. */
export interface DatasetInfo {
  /** Default: the last segment of the source location. */
  name?: string;
  version?: string;
  /** Who made the dataset (person or organisation). */
  originator?: string;
  /** URL it is downloaded from. Default: the scanned location. */
  downloadLocation?: string;
  /** When it was published, ISO 8601. */
  releaseTime?: string;
  /** SPDX 3 dataset availability. Default: `directDownload` (the scanner read the files directly). */
  availability?: 'clickthrough' | 'directDownload' | 'query' | 'registration' | 'scrapingScript';
  description?: string;
}
