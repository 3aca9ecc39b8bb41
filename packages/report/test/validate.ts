/**
 * Validators for the formats that have an official JSON Schema, compiled once from the copies in
 * test/schemas/ (sources and licences: fixtures/SOURCES.md). Each returns the list of problems, empty
 * when the document is valid.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type AjvDraft04Module from 'ajv-draft-04';
import type AddFormatsModule from 'ajv-formats';

// CommonJS packages whose typings describe an ES default export: take module.exports as it is.
const require = createRequire(import.meta.url);
const AjvDraft04 = require('ajv-draft-04') as typeof AjvDraft04Module.default;
const addFormats = require('ajv-formats') as typeof AddFormatsModule.default;

const dir = path.join(import.meta.dirname, 'schemas');
const load = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as AnySchema;

function problems(validate: ValidateFunction, doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).slice(0, 20).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

let sarif: ValidateFunction | undefined;
/** SARIF 2.1.0 (OASIS, errata 01; JSON Schema draft-04). */
export function validateSarif(doc: unknown): string[] {
  if (!sarif) {
    const ajv = new AjvDraft04({ allErrors: true, strict: false });
    addFormats(ajv);
    sarif = ajv.compile(load('sarif-schema-2.1.0.json'));
  }
  return problems(sarif, doc);
}

let spdx: ValidateFunction | undefined;
/** SPDX 3.0.1 JSON-LD (spdx.org/schema/3.0.1/spdx-json-schema.json; draft 2020-12). */
export function validateSpdx3(doc: unknown): string[] {
  if (!spdx) {
    const ajv = new Ajv2020({ allErrors: false, strict: false });
    addFormats(ajv);
    spdx = ajv.compile(load('spdx-json-schema-3.0.1.json'));
  }
  return problems(spdx, doc);
}

let cdx: ValidateFunction | undefined;
/**
 * CycloneDX 1.6 (draft-07) with the SPDX licence-id and JSF schemas it references by `$id`. ajv-formats
 * has no `iri-reference` or `idn-email`; they are checked here as RFC 3987 and RFC 6531 allow in
 * outline (no spaces or control characters; one `@` with text on both sides).
 */
export function validateCycloneDx(doc: unknown): string[] {
  if (!cdx) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addFormat('iri-reference', (text: string) => !/[\s<>"{}|\\^`]/u.test(text) && [...text].every((c) => c.charCodeAt(0) >= 0x20));
    ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
    ajv.addSchema(load('spdx.schema.json'));
    ajv.addSchema(load('jsf-0.82.schema.json'));
    cdx = ajv.compile(load('bom-1.6.schema.json'));
  }
  return problems(cdx, doc);
}
