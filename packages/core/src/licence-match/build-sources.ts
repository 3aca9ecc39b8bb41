/**
 * Reads the sources of the licence data (for the build script and the test that checks the shipped
 * data is current): the SPDX License List texts of the `spdx-license-list` package (CC0-1.0), the
 * SPDX templates copied into data/templates/, and the texts of licences outside the SPDX list in
 * data/extra/ (each with its source in data/extra/index.json and fixtures/SOURCES.md).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildInput, ExtraLicenceInput } from './build.js';
import type { MarkupPatch } from './template.js';

const require = createRequire(import.meta.url);

/** The folder holding templates/ and extra/, next to this module in src/ (and in dist/ it is looked up in src/). */
export function dataFolder(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // dist/licence-match → src/licence-match: the data sources are not compiled.
  return path.join(here.replace(/([\\/])dist([\\/])licence-match$/, '$1src$2licence-match'), 'data');
}

interface ExtraIndexEntry {
  file: string;
  id: string;
  name: string;
  source: string;
}

/** Reads every source. Throws when one is missing. */
export function readBuildSources(folder = dataFolder()): BuildInput {
  const full = require('spdx-license-list/full') as Record<string, { name: string; licenseText: string }>;
  const pkgJson = require('spdx-license-list/package.json') as { version: string };
  const readme = readFileSync(require.resolve('spdx-license-list/readme.md'), 'utf8');
  const listVersion = /SPDX License List version (\d+\.\d+(?:\.\d+)?)/.exec(readme)?.[1];
  if (listVersion === undefined) throw new Error('cannot read the SPDX License List version from spdx-license-list/readme.md');
  const deprecated = new Set(require('spdx-license-ids/deprecated.json') as string[]);
  const licences = Object.entries(full).map(([id, l]) => ({ id, name: l.name, text: l.licenseText, deprecated: deprecated.has(id) }));
  const templates: Record<string, string> = {};
  const tdir = path.join(folder, 'templates');
  for (const f of readdirSync(tdir)) {
    if (f.endsWith('.template.txt')) templates[f.slice(0, -'.template.txt'.length)] = readFileSync(path.join(tdir, f), 'utf8');
  }
  const patches = JSON.parse(readFileSync(path.join(folder, 'markup.json'), 'utf8')) as MarkupPatch[];
  const index = JSON.parse(readFileSync(path.join(folder, 'extra', 'index.json'), 'utf8')) as ExtraIndexEntry[];
  const extras: ExtraLicenceInput[] = index.map((e) => ({ id: e.id, name: e.name, source: e.source, text: readFileSync(path.join(folder, 'extra', e.file), 'utf8') }));
  return {
    listVersion,
    textSource: `spdx-license-list@${pkgJson.version}`,
    licences,
    templates,
    templateSource: 'spdx/license-list-data templates',
    patches,
    extras,
  };
}
