/**
 * Finding builders shared by the TPM detectors (pdf-encryption, office-encryption, bmff-encryption,
 * asf-drm, mobi-drm), so that every one reports the same shape.
 *
 * Code scheme: `tpm.<format>.<kind>`, where the kind says what the measure means for training:
 * - `encrypted` — opening the content needs a secret (a password or a key); `needsSecret: true`.
 * - `drm` — a rights-management system guards the content (a vendor handler, a licence server, a
 *   device key); `needsSecret: true`, `system` names it.
 * - `restricted` — protected, but the content opens without a secret (an empty or well-known default
 *   password); `needsSecret: false`, `denied` lists what the measure forbids.
 * - `partial` — part of the file is encrypted (PDF attachments), the rest opens freely.
 * - `unresolved` — a protection marker is certainly present but its details could not be read within
 *   bounds; reported as needing a secret (the safe reading), with lower confidence.
 * - `malformed` — a `notice` (severity warning), not a `tpm`: the structure could not be read within
 *   bounds (lying offsets, cycles, truncation, a decompression bomb), so whether a measure is present
 *   is not known.
 */
import { findingUrl, type DetectorInput } from '../../engine/detector.js';
import type { FindingInput } from '../../schema/finding.js';

/** The `value` of a TPM finding: the shared fields, plus format-specific details. */
export interface TpmValue {
  /** The file format: `pdf`, `ooxml`, `doc`, `xls`, `ppt`, `mp4`, `asf`, `mobi`. */
  format: string;
  /** The cipher or scheme: `AES-256`, `RC4-40`, `cenc`, `cbcs`, `agile`, `xor`. */
  scheme: string;
  /** The DRM system or vendor handler: `Widevine`, `Adobe.APS`, `FairPlay`. */
  system?: string;
  /** Whether opening the content needs a secret the dataset does not carry. */
  needsSecret: boolean;
  /** Uses the measure forbids: `print`, `copy`, `modify`, … */
  denied: string[];
  [detail: string]: unknown;
}

/** Builds a `tpm` finding scoped to its file. */
export function tpmFinding(
  detector: string,
  input: Pick<DetectorInput, 'path'>,
  code: string,
  value: TpmValue,
  where: { byteOffset: number; excerpt?: string },
  confidence = 0.99,
): FindingInput {
  return {
    code,
    category: 'tpm',
    detector,
    confidence,
    severity: 'info',
    value: stripUndefined(value) as TpmValue,
    evidence: { path: input.path, byteOffset: Math.max(0, Math.floor(where.byteOffset)), ...(where.excerpt ? { excerpt: shortExcerpt(where.excerpt) } : {}) },
    scope: { kind: 'file', root: input.path },
    url: findingUrl(code),
  };
}

/** Builds a `notice` with severity warning: the structure could not be read, so protection is not known. */
export function malformedFinding(detector: string, input: Pick<DetectorInput, 'path'>, code: string, format: string, problems: readonly Problem[]): FindingInput {
  const first = problems[0];
  return {
    code,
    category: 'notice',
    detector,
    confidence: 0.9,
    severity: 'warning',
    value: { format, problems: problems.slice(0, 8).map((p) => p.message) },
    evidence: { path: input.path, ...(first?.byteOffset !== undefined ? { byteOffset: Math.max(0, Math.floor(first.byteOffset)) } : {}) },
    scope: { kind: 'file', root: input.path },
    url: findingUrl(code),
  };
}

/** Something a parser met that it could not read: a lie, a loop, a bound reached. */
export interface Problem {
  message: string;
  byteOffset?: number;
}

/** Evidence excerpts are a few printable characters of structure, never content: at most 80. */
export function shortExcerpt(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > 80 ? `${clean.slice(0, 77)}...` : clean;
}

/** Latin-1 text of bytes (every byte one character): for keyword searches and excerpts. */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Hex of bytes, lower case. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function stripUndefined(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out;
}
