import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReporterFactory } from './reporter.js';
import { cyclonedx } from './reporters/cyclonedx.js';
import { euSummary } from './reporters/eu-summary.js';
import { github } from './reporters/github.js';
import { html } from './reporters/html.js';
import { json } from './reporters/json.js';
import { jsonl } from './reporters/jsonl.js';
import { manifest } from './reporters/manifest.js';
import { markdown } from './reporters/markdown.js';
import { sarif } from './reporters/sarif.js';
import { spdx3 } from './reporters/spdx3.js';
import { summary } from './reporters/summary.js';

/**
 * Reporters shipped with Clearance, by name: `jsonl` and `json` (records and summary), `summary`
 * (terminal), `markdown` (pull requests, job summaries, dataset cards), `html` (one self-contained
 * page for a reviewer), `sarif` (code scanning), `github` (workflow annotations), `spdx3` and
 * `cyclonedx` (bills of materials of the dataset), `manifest` (what may be trained on, and what
 * not) and `eu-summary` (a draft of the EU AI Act training-content summary). See docs/reports.md.
 */
export const reporters: Readonly<Record<string, ReporterFactory>> = {
  jsonl,
  json,
  summary,
  markdown,
  html,
  sarif,
  github,
  spdx3,
  cyclonedx,
  manifest,
  'eu-summary': euSummary,
};

/** Error raised when a reporter name is unknown or a reporter module cannot be loaded. */
export class ReporterError extends Error {
  readonly code = 'ERR_REPORTER';
  constructor(message: string, options?: { cause?: unknown }) {
    super(`[clearance] ${message}`, options);
    this.name = 'ReporterError';
  }
}

/**
 * A reporter by name, or from a module path (anything with a `/` or ending in `.js`/`.mjs`) whose
 * default export is a {@link ReporterFactory}.
 */
export async function loadReporter(nameOrPath: string): Promise<ReporterFactory> {
  const known = reporters[nameOrPath];
  if (known) return known;
  if (!/[\\/]|\.m?js$/.test(nameOrPath)) {
    throw new ReporterError(`unknown format "${nameOrPath}"; known formats: ${Object.keys(reporters).join(', ')}, or a path to a reporter module`);
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path.resolve(nameOrPath)).href)) as { default?: unknown };
  } catch (err) {
    throw new ReporterError(`cannot load reporter module ${nameOrPath}: ${(err as Error).message}`, { cause: err });
  }
  if (typeof mod.default !== 'function') throw new ReporterError(`reporter module ${nameOrPath} has no default export function`);
  return mod.default as ReporterFactory;
}
