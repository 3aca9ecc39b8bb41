/** @clearance/report — reporters that turn scan records and summaries into files people and tools read. */
export { openOutput, type Output } from './output.js';
export type { Reporter, ReporterFactory, ReporterOptions } from './reporter.js';
export { reporters, loadReporter, ReporterError } from './registry.js';
export { renderSummary } from './reporters/summary.js';
export { formatBytes, formatCount, formatDuration } from './format.js';
