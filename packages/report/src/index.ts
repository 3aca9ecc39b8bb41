/** @clearance/report — reporters that turn scan records and summaries into files people and tools read. */
export { openOutput, type Output } from './output.js';
export type { CatalogueEntry, DatasetInfo, Reporter, ReporterFactory, ReporterOptions } from './reporter.js';
export { reporters, loadReporter, ReporterError } from './registry.js';
export { renderSummary, type RenderSummaryOptions } from './reporters/summary.js';
export { renderMarkdown } from './reporters/markdown.js';
export { renderEuSummary, TO_COMPLETE } from './reporters/eu-summary.js';
export { manifestBase, type ExcludedLine, type ManifestLine } from './reporters/manifest.js';
export { SARIF_SCHEMA } from './reporters/sarif.js';
export { readRecords, ReportInputError, type ReadRecordsOptions } from './read.js';
export { createSpill, type Spill } from './spill.js';
export { Tally } from './tally.js';
export { formatBytes, formatCount, formatDuration } from './format.js';
