import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { builtinDetectors, findingCatalogue } from '@clearance/core';
import type { CatalogueEntry, ReporterOptions } from './reporter.js';

/** The environment a reporter reads. */
export function envOf(options: ReporterOptions | undefined): Readonly<Record<string, string | undefined>> {
  return options?.env ?? process.env;
}

let builtin: readonly CatalogueEntry[] | undefined;
/** The finding catalogue: the caller's, or the built-in detectors'. */
export function catalogueOf(options: ReporterOptions | undefined): readonly CatalogueEntry[] {
  if (options?.catalogue) return options.catalogue;
  builtin ??= findingCatalogue(builtinDetectors);
  return builtin;
}

/**
 * Where `docs/findings/<code>.md` can be opened: the option, `CLEARANCE_DOCS_URL`, or this
 * installation's own docs folder (a source checkout has one; the published package does not).
 * Undefined when none is known: reporters then leave the link out rather than invent one.
 */
export function docsBaseOf(options: ReporterOptions | undefined): string | undefined {
  const given = options?.docsBaseUrl ?? envOf(options)['CLEARANCE_DOCS_URL'];
  if (given) return given.endsWith('/') ? given : `${given}/`;
  const local = new URL('../../../', import.meta.url);
  return existsSync(fileURLToPath(new URL('docs/findings/', local))) ? local.href : undefined;
}

/** Absolute URL of a finding code's page, when a docs base is known. */
export function docsUrl(base: string | undefined, code: string): string | undefined {
  return base === undefined ? undefined : new URL(`docs/findings/${encodeURIComponent(code)}.md`, base).href;
}

/** The dataset's name: the option, else the last segment of the source location. */
export function datasetName(options: ReporterOptions | undefined, location: string): string {
  if (options?.dataset?.name) return options.dataset.name;
  const trimmed = location.replace(/[\\/]+$/, '');
  const last = trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
  return last || trimmed || 'dataset';
}
