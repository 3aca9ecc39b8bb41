import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as CycloneDX from '@cyclonedx/cyclonedx-library';
import { NOASSERTION, type ScanRecord, type Summary } from '@clearance/core';
import { blockingReasons, datasetWideLicences, modalityOf } from '../facts.js';
import { formatBytes, formatCount } from '../format.js';
import { datasetName } from '../options.js';
import type { ReporterFactory } from '../reporter.js';
import { createSpill, type Spill } from '../spill.js';

/**
 * A CycloneDX 1.6 ML-BOM (JSON) of the dataset: one component of type `data` for the dataset, with
 * its `data` description (type `dataset`, contents, a one-line description of its size and mix),
 * the licence stated for the whole dataset (`acknowledgement: declared`) and the scan's totals as
 * properties; inside it one `file` component per file with its SHA-256, its effective licence
 * (`acknowledgement: concluded`; none when it could not be determined, with the property
 * `clearance:licence` = `NOASSERTION`) and its verdict, reasons, opt-outs and TPMs as `clearance:*`
 * properties.
 *
 * Built with @cyclonedx/cyclonedx-library's models and JSON normaliser (so ids, hashes and licences
 * are written as the library writes them). The library has no model for a component's `data`
 * (componentData, new in 1.6): that one field is added to the normalised dataset component.
 *
 * Streaming: each file component is normalised when its record arrives and spilled to a temporary
 * file; the BOM around them is built at the end, when the totals are known. Memory: flat.
 */
export const cyclonedx: ReporterFactory = (output, options) => {
  let spill: Spill | undefined;
  let cdx: Loaded | undefined;
  const mix = new Map<string, { files: number; bytes: number }>();
  const declared = new Set<string>();
  return {
    async onRecord(record) {
      cdx ??= await load();
      spill ??= await createSpill(options?.tmpdir);
      const m = modalityOf(record.mediaType);
      const x = mix.get(m) ?? { files: 0, bytes: 0 };
      x.files++;
      x.bytes += record.size;
      mix.set(m, x);
      for (const e of datasetWideLicences(record)) if (declared.size < 16) declared.add(e);
      await spill.writeLine(JSON.stringify(cdx.component.normalize(fileComponent(cdx.lib, record), {})));
    },
    async onEnd(s) {
      try {
        cdx ??= await load();
        const { Enums, Models } = cdx.lib;
        const info = options?.dataset ?? {};
        const name = datasetName(options, s.source.location);
        const dataset = new Models.Component(Enums.ComponentType.Data, name, {
          bomRef: 'dataset',
          ...(info.version ? { version: info.version } : {}),
          ...(info.originator ? { author: info.originator } : {}),
          description: info.description ?? `Scanned by Clearance ${s.tool.version}.`,
        });
        if (declared.size === 1) addLicence(cdx.lib, dataset.licenses, [...declared][0]!, Enums.LicenseAcknowledgement.Declared);
        const props: [string, string][] = [
          ['clearance:files', String(s.files)],
          ['clearance:bytes', String(s.bytes)],
          ['clearance:verdict:allow', String(s.verdicts.allow)],
          ['clearance:verdict:review', String(s.verdicts.review)],
          ['clearance:verdict:exclude', String(s.verdicts.exclude)],
          ['clearance:policy', s.policy.origin],
          ['clearance:policy:sha256', s.policy.sha256],
          ['clearance:source', `${s.source.name} ${s.source.location}`],
          ['clearance:scan:started', s.startedAt],
          ['clearance:scan:finished', s.finishedAt],
          ['clearance:scan:complete', String(!s.interrupted)],
          ...Object.entries(s.rulesets).map(([k, v]): [string, string] => [`clearance:ruleset:${k}`, v]),
        ];
        for (const [k, v] of props) dataset.properties.add(new Models.Property(k, v));

        const tool = new Models.Component(Enums.ComponentType.Application, 'clearance', { version: s.tool.version, description: 'Licences, text-and-data-mining opt-outs and TPMs of training data' });
        const bom = new Models.Bom({ serialNumber: `urn:uuid:${randomUUID()}` });
        bom.metadata.timestamp = new Date(s.finishedAt);
        bom.metadata.tools.components.add(tool);
        bom.metadata.lifecycles.add(Enums.LifecyclePhase.PreBuild);
        bom.components.add(dataset);
        const doc = cdx.factory.makeForBom().normalize(bom, {}) as unknown as BomJson;
        const datasetJson = doc.components.find((c) => c['bom-ref'] === 'dataset')!;
        const mixText = [...mix].sort((a, b) => b[1].files - a[1].files).map(([k, v]) => `${k} ${formatCount(v.files)} files (${formatBytes(v.bytes)})`).join(', ');
        const url = info.downloadLocation ?? locationUrl(s);
        datasetJson['data'] = [
          {
            type: 'dataset',
            name,
            ...(url ? { contents: { url } } : {}),
            description: `${formatCount(s.files)} files, ${formatBytes(s.bytes)}${mixText ? `: ${mixText}` : ''}. Clearance verdicts: ${formatCount(s.verdicts.allow)} allowed, ${formatCount(s.verdicts.review)} to review, ${formatCount(s.verdicts.exclude)} excluded${s.interrupted ? ' (scan interrupted: partial)' : ''}.`,
          },
        ];
        datasetJson['components'] = FILES;
        const text = JSON.stringify(doc, null, 2);
        const at = text.indexOf(JSON.stringify(FILES));
        await output.write(text.slice(0, at));
        await output.write('[');
        let n = 0;
        if (spill) for await (const line of spill.readLines()) await output.write(`${n++ === 0 ? '\n' : ',\n'}${line}`);
        await output.write(`${n > 0 ? '\n' : ''}]${text.slice(at + JSON.stringify(FILES).length)}\n`);
      } finally {
        await spill?.close();
      }
    },
  };
};

type Lib = typeof CycloneDX;
interface Loaded {
  lib: Lib;
  factory: CycloneDX.Serialize.JSON.Normalize.Factory;
  component: CycloneDX.Serialize.JSON.Normalize.ComponentNormalizer;
}

/** The library, loaded when a BOM is first written: the CLI need not load it for other formats. */
async function load(): Promise<Loaded> {
  const lib = await import('@cyclonedx/cyclonedx-library');
  const factory = new lib.Serialize.JSON.Normalize.Factory(lib.Spec.Spec1dot6);
  return { lib, factory, component: factory.makeForComponent() };
}

/** Placeholder where the spilled file components go. */
const FILES = '\u0000clearance-files\u0000';

interface BomJson {
  components: Record<string, unknown>[];
}

function fileComponent(lib: Lib, record: ScanRecord): CycloneDX.Models.Component {
  const { Enums, Models } = lib;
  const c = new Models.Component(Enums.ComponentType.File, record.path, { bomRef: `file:${record.path}` });
  if (record.sha256) c.hashes.set(Enums.HashAlgorithm['SHA-256'], record.sha256);
  if (record.licence.expression !== NOASSERTION) addLicence(lib, c.licenses, record.licence.expression, Enums.LicenseAcknowledgement.Concluded);
  const props: [string, string][] = [['clearance:verdict', record.verdict.decision]];
  if (record.licence.expression === NOASSERTION) props.push(['clearance:licence', NOASSERTION]);
  if (record.mediaType) props.push(['clearance:media-type', record.mediaType]);
  for (const r of blockingReasons(record)) props.push([`clearance:reason:${r.code}`, r.message]);
  for (const o of record.optOuts) props.push([`clearance:optout:${o.protocol}`, o.reserved]);
  for (const t of record.tpm) props.push([`clearance:tpm:${t.format}/${t.scheme}`, t.needsSecret ? 'needs-secret' : 'restrictions']);
  for (const e of record.errors) props.push([`clearance:error:${e.code}`, e.message]);
  for (const [k, v] of props) c.properties.add(new Models.Property(k, v));
  return c;
}

/** A single SPDX id as a licence with an id; anything else as an expression. */
function addLicence(lib: Pick<Lib, 'Models' | 'SPDX'>, repo: CycloneDX.Models.LicenseRepository, expression: string, acknowledgement: CycloneDX.Enums.LicenseAcknowledgement): void {
  const { Models, SPDX } = lib;
  if (SPDX.isSupportedSpdxId(expression)) repo.add(new Models.SpdxLicense(expression, { acknowledgement }));
  else {
    const e = new Models.LicenseExpression(expression);
    e.acknowledgement = acknowledgement;
    repo.add(e);
  }
}

function locationUrl(s: Summary): string | undefined {
  if (s.source.name === 'local' && path.isAbsolute(s.source.location)) return pathToFileURL(s.source.location).href;
  try {
    return new URL(s.source.location).href;
  } catch {
    return undefined;
  }
}
