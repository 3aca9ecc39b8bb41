import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NOASSERTION, SPDX_IDS_VERSION, type ScanRecord, type Summary } from '@clearance/core';
import { blockingReasons, datasetWideLicences, modalityOf } from '../facts.js';
import { datasetName } from '../options.js';
import type { ReporterFactory } from '../reporter.js';

/**
 * An SPDX 3.0.1 document in JSON-LD with the Dataset profile: the dataset as a
 * `dataset_DatasetPackage` (`datasetType` from the media types seen, `datasetSize` in bytes,
 * `datasetAvailability`), every file as a `software_File` with its sha256 and media type, and
 * licences as relationships — `hasConcludedLicense` from each file to its effective licence
 * (`expandedlicensing_NoAssertionLicense` when none could be determined), and from the dataset
 * `hasDeclaredLicense` (the licence stated for the whole dataset, by a marker at its top) and
 * `hasConcludedLicense` (the conjunction of its files' licences, or NoAssertion when any file's is
 * unknown). `contains` relationships tie the files to the dataset. Each file's verdict is in its
 * `comment`.
 *
 * Reference: SPDX 3.0.1, model/Dataset/Classes/DatasetPackage.md and the Dataset profile's
 * conformance rules (one concluded and one declared licence relationship per DatasetPackage).
 * What the files cannot tell — who made the dataset, when it was released, where it is published —
 * comes from `ReporterOptions.dataset`; without it `originatedBy` is `NoAssertionElement`,
 * `releaseTime` and `builtTime` are left out and `downloadLocation` is the scanned location.
 *
 * Streaming: files and their relationships are written as they arrive (JSON-LD does not care
 * about the order of the graph); the dataset, licences and document come last. Memory: the
 * distinct licence expressions and up to 1 000 file ids of the current `contains` relationship.
 */
export const spdx3: ReporterFactory = (output, options) => {
  const ns = `urn:uuid:${randomUUID()}`;
  const id = (local: string) => `${ns}#${local}`;
  const pkgId = id('dataset');
  const licenceIds = new Map<string, string>();
  const types = new Set<DatasetType>();
  let files = 0;
  let relationships = 0;
  let chunk: string[] = [];
  let allKnown = true;
  const datasetLicences = new Set<string>();
  const declared = new Set<string>();
  let first = true;

  const element = async (el: Record<string, unknown>) => {
    await output.write(`${first ? '{\n  "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",\n  "@graph": [\n    ' : ',\n    '}${JSON.stringify(el)}`);
    first = false;
  };
  const licenceRef = (expression: string) => {
    if (expression === NOASSERTION) return 'expandedlicensing_NoAssertionLicense';
    let ref = licenceIds.get(expression);
    if (!ref) licenceIds.set(expression, (ref = id(`licence-${licenceIds.size + 1}`)));
    return ref;
  };
  const flushContains = async () => {
    if (chunk.length === 0) return;
    await element({ type: 'Relationship', spdxId: id(`rel-${++relationships}`), creationInfo: CI, from: pkgId, relationshipType: 'contains', to: chunk, completeness: 'noAssertion' });
    chunk = [];
  };

  return {
    async onRecord(record) {
      const fileId = id(`file-${++files}`);
      types.add(datasetTypeOf(record.mediaType));
      if (record.licence.expression === NOASSERTION) allKnown = false;
      else if (datasetLicences.size <= 64) datasetLicences.add(record.licence.expression);
      for (const e of datasetWideLicences(record)) if (declared.size < 64) declared.add(e);
      await element({
        type: 'software_File',
        spdxId: fileId,
        creationInfo: CI,
        name: record.path,
        ...(record.sha256 ? { verifiedUsing: [{ type: 'Hash', algorithm: 'sha256', hashValue: record.sha256 }] } : {}),
        ...(record.mediaType && /^[^/]+\/[^/]+$/.test(record.mediaType) ? { contentType: record.mediaType } : {}),
        software_fileKind: 'file',
        software_primaryPurpose: 'data',
        comment: verdictComment(record),
      });
      await element({ type: 'Relationship', spdxId: id(`rel-${++relationships}`), creationInfo: CI, from: fileId, relationshipType: 'hasConcludedLicense', to: [licenceRef(record.licence.expression)] });
      chunk.push(fileId);
      if (chunk.length >= 1000) await flushContains();
    },
    async onEnd(s) {
      await flushContains();
      const info = options?.dataset ?? {};
      const name = datasetName(options, s.source.location);
      // Declared: what the dataset says of itself at its top; one statement, else no assertion.
      const declaredRef = declared.size === 1 ? licenceRef([...declared][0]!) : 'expandedlicensing_NoAssertionLicense';
      // Concluded: the whole dataset is under every one of its files' licences at once.
      const conj = [...datasetLicences].sort();
      const concludedRef = allKnown && conj.length > 0 && conj.length <= 64 ? licenceRef(conj.length === 1 ? conj[0]! : conj.map((e) => (/\s/.test(e) ? `(${e})` : e)).join(' AND ')) : 'expandedlicensing_NoAssertionLicense';
      const created = isoSeconds(s.finishedAt);
      await element({ type: 'CreationInfo', '@id': CI, specVersion: '3.0.1', created, createdBy: [id('agent')], createdUsing: [id('tool')] });
      await element({ type: 'SoftwareAgent', spdxId: id('agent'), creationInfo: CI, name: `Clearance ${s.tool.version}` });
      await element({ type: 'Tool', spdxId: id('tool'), creationInfo: CI, name: `clearance ${s.tool.version}` });
      if (info.originator) await element({ type: 'Agent', spdxId: id('originator'), creationInfo: CI, name: info.originator });
      // Every licence, including the dataset's two computed just above.
      for (const [expression, ref] of licenceIds) {
        await element({ type: 'simplelicensing_LicenseExpression', spdxId: ref, creationInfo: CI, simplelicensing_licenseExpression: expression, simplelicensing_licenseListVersion: SPDX_IDS_VERSION });
      }
      const datasetType = [...types].sort();
      await element({
        type: 'dataset_DatasetPackage',
        spdxId: pkgId,
        creationInfo: CI,
        name,
        ...(info.description ? { description: info.description } : {}),
        ...(info.version ? { software_packageVersion: info.version } : {}),
        originatedBy: [info.originator ? id('originator') : NO_ASSERTION_ELEMENT],
        software_downloadLocation: info.downloadLocation ?? locationUri(s),
        software_primaryPurpose: 'data',
        ...(info.releaseTime ? { releaseTime: isoSeconds(info.releaseTime) } : {}),
        dataset_datasetType: datasetType.length > 0 ? datasetType : ['noAssertion'],
        dataset_datasetSize: s.bytes,
        dataset_datasetAvailability: info.availability ?? 'directDownload',
        comment: `Cleared by Clearance ${s.tool.version} under the ${s.policy.origin} policy (sha256 ${s.policy.sha256}): ${s.verdicts.allow} allowed, ${s.verdicts.review} to review, ${s.verdicts.exclude} excluded of ${s.files} files${s.interrupted ? '; the scan was interrupted, so not every file is listed' : ''}.`,
      });
      await element({ type: 'Relationship', spdxId: id(`rel-${++relationships}`), creationInfo: CI, from: pkgId, relationshipType: 'hasDeclaredLicense', to: [declaredRef] });
      await element({ type: 'Relationship', spdxId: id(`rel-${++relationships}`), creationInfo: CI, from: pkgId, relationshipType: 'hasConcludedLicense', to: [concludedRef] });
      await element({
        type: 'SpdxDocument',
        spdxId: id('document'),
        creationInfo: CI,
        name: `Clearance scan of ${name}`,
        dataLicense: 'https://spdx.org/licenses/CC0-1.0',
        profileConformance: ['core', 'software', 'simpleLicensing', 'dataset'],
        rootElement: [pkgId],
      });
      await output.write('\n  ]\n}\n');
    },
  };
};

/** The blank node of the document's one CreationInfo. */
const CI = '_:creationinfo';
/** SPDX 3's "no assertion" individual, as an IRI (an Agent is wanted there, and none is known). */
const NO_ASSERTION_ELEMENT = 'https://spdx.org/rdf/3.0.1/terms/Core/NoAssertionElement';

type DatasetType = 'audio' | 'image' | 'other' | 'structured' | 'text' | 'video';

const STRUCTURED = /^(?:text\/(?:csv|tab-separated-values)|application\/(?:json|x-ndjson|jsonl|vnd\.apache\.parquet|x-parquet|vnd\.apache\.arrow\.file|x-sqlite3|vnd\.sqlite3|sql))$/;

/** SPDX 3 `DatasetType` of a media type: tables and records are `structured`, the rest by modality. */
export function datasetTypeOf(mediaType: string | null): DatasetType {
  if (mediaType && STRUCTURED.test(mediaType)) return 'structured';
  return modalityOf(mediaType);
}

function verdictComment(record: ScanRecord): string {
  const reasons = blockingReasons(record);
  const why = reasons.length > 0 ? `: ${reasons.map((r) => `${r.code} (${r.message})`).join('; ')}` : '';
  return `Clearance verdict: ${record.verdict.decision}${why}`.slice(0, 2000);
}

/** `2026-01-01T00:00:00.123Z` → `2026-01-01T00:00:00Z`, as SPDX 3's DateTime wants. */
export function isoSeconds(text: string): string {
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return text;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function locationUri(s: Summary): string {
  if (s.source.name === 'local' && path.isAbsolute(s.source.location)) return pathToFileURL(s.source.location).href;
  try {
    return new URL(s.source.location).href;
  } catch {
    return `urn:clearance:source:${encodeURIComponent(s.source.name)}:${encodeURIComponent(s.source.location)}`;
  }
}
