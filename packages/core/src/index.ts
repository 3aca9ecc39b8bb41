/**
 * @clearance/core — walk a dataset, find each file's licence, opt-outs and TPMs, apply a policy and
 * stream provenance records.
 */
export { scan, type ScanOptions, type ScanProgress, type ScanRun } from './engine/scan.js';
export { defineDetector, findingUrl, type Detector, type DetectorInput, type DetectorMatch, type DetectorWants, type FindingDoc, type RangeBytes, type RangeView, RANGE_LIMITS } from './engine/detector.js';
export {
  defineContainer,
  safeMemberPath,
  DEFAULT_CONTAINER_LIMITS,
  STREAM_WINDOW_BYTES,
  type Container,
  type ContainerErrorCode,
  type ContainerInput,
  type ContainerLimits,
  type OpenedContainer,
} from './engine/container.js';
export { builtinContainers } from './containers/index.js';
export { tarContainer } from './containers/tar/index.js';
export { zipContainer } from './containers/zip/index.js';
export { parquetContainer, type ParquetContainerOptions } from './containers/parquet/index.js';
export { jsonlContainer, type JsonlOptions } from './containers/jsonl/index.js';
export { csvContainer, type CsvOptions } from './containers/csv/index.js';
export { warcContainer } from './containers/warc/index.js';
export {
  applyFieldMap,
  loadFieldMap,
  resolveFieldMap,
  recordFieldsDetector,
  DEFAULT_FIELD_MAP,
  FieldMapSchema,
  type FieldMap,
  type FieldMapInput,
} from './detectors/record-fields/index.js';
export { ENGINE_CODES, findingCatalogue } from './engine/codes.js';
export { NOASSERTION } from './engine/resolve.js';
export { SNIFF_BYTES, SMALL_FILE_BYTES } from './engine/read-plan.js';
export { builtinDetectors, datasetCard, licenceFile, spdxTag } from './detectors/index.js';
export { localSource, type LocalSourceOptions } from './source/local.js';
export type { ByteRange, CallOptions, Entry, Source } from './source/types.js';
export { PolicySchema, DEFAULT_ALLOWED_LICENCES, type Policy, type PolicyInput } from './policy/schema.js';
export { loadPolicy, resolvePolicy, type ResolvedPolicy } from './policy/load.js';
export { parseSpdx, isSpdxExpression, SPDX_IDS_VERSION } from './policy/spdx.js';
export * from './schema/finding.js';
export * from './schema/record.js';
export * from './schema/summary.js';
export {
  AbortError,
  ClearanceError,
  PolicyError,
  SourceError,
  RECORD_ERROR_CODES,
  type ClearanceErrorCode,
  type RecordErrorCode,
} from './errors.js';
export { VERSION } from './version.js';
