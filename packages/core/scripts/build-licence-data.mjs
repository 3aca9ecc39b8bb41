/**
 * Builds packages/core/src/licence-match/data/licences.gen.ts, the licence data the matcher ships with,
 * from the SPDX License List texts of the spdx-license-list package, the SPDX templates in
 * src/licence-match/data/templates/ and the texts in src/licence-match/data/extra/.
 *
 *   node --import tsx packages/core/scripts/build-licence-data.mjs          # write the module
 *   node --import tsx packages/core/scripts/build-licence-data.mjs --check  # fail when it is stale
 *
 * Run it after upgrading spdx-license-list, adding a template or an extra text, or changing the
 * normaliser or the template compiler (the module holds their output).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLicenceData, renderDataModule } from '../src/licence-match/build.ts';
import { dataFolder, readBuildSources } from '../src/licence-match/build-sources.ts';

const check = process.argv.includes('--check');
const started = performance.now();
const { data, problems } = buildLicenceData(readBuildSources());
for (const p of problems) process.stderr.write(`build-licence-data: ${p}\n`);
if (problems.length > 0) process.exitCode = 1;
const out = path.join(dataFolder(), 'licences.gen.ts');
const module = renderDataModule(data);
const relative = path.relative(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'), out);
if (check) {
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    // missing: stale
  }
  if (current !== module) {
    process.stderr.write(`build-licence-data: ${relative} is stale; run node --import tsx packages/core/scripts/build-licence-data.mjs\n`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(out, module);
  const ids = data.entries.reduce((n, e) => n + e.ids.length, 0);
  process.stderr.write(`build-licence-data: wrote ${relative}: ${data.entries.length} texts, ${ids} ids, ${data.vocab.length} words, ${(module.length / 1024).toFixed(0)} KiB, SPDX License List ${data.listVersion} (${Math.round(performance.now() - started)} ms)\n`);
}
