/**
 * Reads a C2PA manifest store: its manifests, which one is active, and the assertions in the active
 * manifest's assertion store, with their content decoded (CBOR with cbor2, or JSON). Signatures are
 * not validated: a finding built on this says `validated: false`.
 *
 * cbor2 was chosen for CBOR: pure JavaScript, no native add-on (cbor-x pulls an optional native
 * extension), maintained by the author of the older `cbor` package, and it bounds nesting
 * (`maxDepth`) and refuses lengths that run past the input instead of allocating them.
 *
 * Reference: C2PA Specification 2.1 §11.1 (manifest store layout), §11.3.2 (the active manifest is
 * the last one), §6.4 (assertion labels and `__N` instance suffixes), §A.7 (CBOR content boxes).
 */
import { decode } from 'cbor2';
import { C2PA_UUID, parseJumbf, type JumbfContent, type JumbfNode, type JumbfSuperbox } from './jumbf.js';

/** Deepest CBOR nesting decoded; real assertions nest a few levels. */
const CBOR_MAX_DEPTH = 32;
/** Largest JSON assertion parsed. */
const JSON_MAX = 1024 * 1024;

export interface Assertion {
  label: string;
  /** Offset of the assertion's superbox in the store's bytes. */
  offset: number;
  /** The decoded content, or why it could not be decoded. */
  content: { ok: true; value: unknown; format: 'cbor' | 'json' } | { ok: false; problem: string };
}

export interface ManifestStore {
  /** Labels of the manifests, in store order (`urn:uuid:…` or `urn:c2pa:…`). */
  manifests: string[];
  /** The active manifest's label; null when the store holds no manifest. */
  active: string | null;
  /** Assertions of the active manifest. */
  assertions: Assertion[];
  problems: string[];
}

/** Whether the bytes are a C2PA manifest store (a `jumb` box whose description says `c2pa`). */
export function isManifestStore(nodes: readonly JumbfNode[]): JumbfSuperbox | null {
  const root = nodes[0];
  return root?.kind === 'super' && root.uuid === C2PA_UUID.store ? root : null;
}

/** Reads the store in `bytes`; null when they are not a C2PA manifest store. */
export function readManifestStore(bytes: Uint8Array): ManifestStore | null {
  const { nodes, problems } = parseJumbf(bytes);
  const store = isManifestStore(nodes);
  if (!store) return null;
  const manifests = store.children.filter((c): c is JumbfSuperbox => c.kind === 'super' && (c.uuid === C2PA_UUID.manifest || c.uuid === C2PA_UUID.updateManifest));
  const active = manifests[manifests.length - 1];
  const assertions: Assertion[] = [];
  if (active) {
    const stores = active.children.filter((c): c is JumbfSuperbox => c.kind === 'super' && c.uuid === C2PA_UUID.assertions);
    if (stores.length === 0) problems.push('the active manifest has no assertion store');
    for (const s of stores) {
      for (const a of s.children) {
        if (a.kind !== 'super' || a.label === undefined) continue;
        assertions.push({ label: a.label, offset: a.offset, content: decodeContent(a) });
      }
    }
  }
  return { manifests: manifests.map((m) => m.label ?? ''), active: active ? (active.label ?? '') : null, assertions, problems };
}

function decodeContent(a: JumbfSuperbox): Assertion['content'] {
  const box = a.children.find((c): c is JumbfContent => c.kind === 'content');
  if (!box) return { ok: false, problem: 'no content box' };
  if (box.type === 'cbor') {
    try {
      return { ok: true, value: decode(box.data, { maxDepth: CBOR_MAX_DEPTH }), format: 'cbor' };
    } catch (err) {
      return { ok: false, problem: `CBOR: ${(err as Error).message.slice(0, 160)}` };
    }
  }
  if (box.type === 'json') {
    if (box.data.length > JSON_MAX) return { ok: false, problem: 'JSON content too large' };
    try {
      return { ok: true, value: JSON.parse(Buffer.from(box.data).toString('utf8')) as unknown, format: 'json' };
    } catch (err) {
      return { ok: false, problem: `JSON: ${(err as Error).message.slice(0, 160)}` };
    }
  }
  return { ok: false, problem: `content box ${JSON.stringify(box.type)} not read` };
}

/** A field of a decoded CBOR map (a plain object, or a Map when keys were not all strings). */
export function field(value: unknown, key: string): unknown {
  if (value instanceof Map) return (value as Map<unknown, unknown>).get(key);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return (value as Record<string, unknown>)[key];
  return undefined;
}

/** The string-keyed entries of a decoded CBOR map. */
export function entriesOf(value: unknown): [string, unknown][] | null {
  if (value instanceof Map) return [...(value as Map<unknown, unknown>).entries()].filter((e): e is [string, unknown] => typeof e[0] === 'string');
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return Object.entries(value as Record<string, unknown>);
  return null;
}
