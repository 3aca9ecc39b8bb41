/**
 * Builds the matcher's data from licence texts: every text compiled to words with its replaceable and
 * omittable parts (template.ts), identical texts merged under one entry (GPL-2.0-only and
 * GPL-2.0-or-later share a text), words numbered against one vocabulary and packed. Pure: the caller
 * reads the sources (build-sources.ts) and writes the result (scripts/build-licence-data.mjs).
 */
import { brotliCompressSync, constants } from 'node:zlib';
import { unpack } from './data.js';
import { verify } from './verify.js';
import { compilePlainText, compileSpdxTemplate, type MarkupPatch, type Reference, type Region } from './template.js';

/** One licence of the SPDX License List. */
export interface SpdxLicenceInput {
  id: string;
  name: string;
  text: string;
  deprecated: boolean;
}

/** A licence that is not on the SPDX License List (AI model and data licences), with a `LicenseRef-` id. */
export interface ExtraLicenceInput {
  id: string;
  name: string;
  text: string;
  /** Where the text comes from, for the record. */
  source: string;
}

export interface BuildInput {
  /** SPDX License List version the texts are from ("3.28.0"). */
  listVersion: string;
  /** The package the texts come from ("spdx-license-list@6.12.0"). */
  textSource: string;
  licences: readonly SpdxLicenceInput[];
  /** SPDX legacy text templates by id, used instead of rules where present. */
  templates: Readonly<Record<string, string>>;
  templateSource: string;
  /** Markup for plain texts, from SPDX templates and published variants (data/markup.json). */
  patches: readonly MarkupPatch[];
  extras: readonly ExtraLicenceInput[];
}

/** One entry of the packed data: a reference text and the ids that share it (the preferred id first). */
export interface PackedEntry {
  ids: string[];
  /** The name of the preferred id. */
  name: string;
  /** Each id's name, in the order of `ids`, when they differ ("… v3.0 only", "… v3.0 or later"). */
  names?: string[];
  /** Word numbers into the vocabulary, as unsigned LEB128 varints, base64. */
  words: string;
  soft: number[];
  /** [kind (0 optional, 1 var), start, end, maxWords?, match?] */
  regions: (string | number)[][];
  /** `spdx-template`, `rules` (a plain text compiled by rule) or `extra`. */
  from: 'spdx-template' | 'rules' | 'extra';
  /** Every id of the entry is deprecated: reported only when no current licence matches as well. */
  deprecated?: true;
}

export interface PackedData {
  format: 1;
  listVersion: string;
  sources: string[];
  vocab: string[];
  entries: PackedEntry[];
}

/** What a build made, and what it found wrong (a template that does not say what its licence's text says). */
export interface BuildResult {
  data: PackedData;
  problems: string[];
}

/**
 * Which id of a group of licences sharing one text is reported for the bare text: not deprecated,
 * then a GNU "-only" (a licence text alone grants that version; a notice must say "or later"), then
 * the shortest id (OFL-1.1 before OFL-1.1-RFN, MPL-2.0 before MPL-2.0-no-copyleft-exception).
 */
export function preferredOrder(ids: readonly string[], deprecated: ReadonlySet<string>): string[] {
  return [...ids].sort(
    (a, b) =>
      Number(deprecated.has(a)) - Number(deprecated.has(b)) ||
      Number(!a.endsWith('-only')) - Number(!b.endsWith('-only')) ||
      a.length - b.length ||
      (a < b ? -1 : a > b ? 1 : 0),
  );
}

/** Builds the packed data. */
export function buildLicenceData(input: BuildInput): BuildResult {
  const problems: string[] = [];
  // "GPL-2.0+" and the like are the old way of writing "-or-later": deprecated too.
  const deprecated = new Set(input.licences.filter((l) => l.deprecated || l.id.endsWith('+')).map((l) => l.id));
  // Licences whose texts have the same words share one entry (grouped by their plain texts' words);
  // a template's markup wins over rules.
  const groups = new Map<string, { ids: string[]; names: Map<string, string>; ref: Reference; from: PackedEntry['from'] }>();
  const add = (id: string, name: string, ref: Reference, from: PackedEntry['from'], plainWords: readonly string[] = ref.words) => {
    const key = plainWords.join(' ');
    const g = groups.get(key);
    if (!g) groups.set(key, { ids: [id], names: new Map([[id, name]]), ref, from });
    else {
      g.ids.push(id);
      g.names.set(id, name);
      if (from === 'spdx-template' && g.from !== 'spdx-template') {
        g.ref = ref;
        g.from = from;
      } else if (from !== 'spdx-template' && g.from !== 'spdx-template') {
        // The same words laid out differently (a title on its own line or not): what either marks omittable is.
        const seen = new Set(g.ref.regions.map((r) => `${r.kind}:${r.start}:${r.end}`));
        const extra = ref.regions.filter((r) => r.kind === 'optional' && !seen.has(`optional:${r.start}:${r.end}`));
        if (extra.length > 0) g.ref = { ...g.ref, regions: [...g.ref.regions, ...extra].sort((a, b) => a.start - b.start || b.end - a.end) };
      }
    }
  };
  const used = new Set<MarkupPatch>();
  // A deprecated id with a current successor (GPL-3.0+ → GPL-3.0-or-later) is never reported: its
  // text is the successor's, sometimes in an older revision that would only compete with it.
  const current = new Set(input.licences.filter((l) => !l.deprecated).map((l) => l.id));
  const superseded = (id: string) => [`${id.replace(/\+$/, '')}-only`, `${id.replace(/\+$/, '')}-or-later`].some((s) => current.has(s));
  for (const l of input.licences) {
    if (deprecated.has(l.id) && superseded(l.id)) continue;
    const template = input.templates[l.id];
    const patches = input.patches.filter((p) => p.ids.includes(l.id));
    for (const p of patches) used.add(p);
    let plain: Reference;
    try {
      plain = compilePlainText(l.text, patches);
    } catch (err) {
      problems.push(`${l.id}: ${(err as Error).message}`);
      continue;
    }
    if (plain.words.length === 0) {
      problems.push(`${l.id}: the text has no words`);
      continue;
    }
    if (template !== undefined) {
      let ref: Reference;
      try {
        ref = compileSpdxTemplate(template);
      } catch (err) {
        problems.push(`${l.id}: template does not compile: ${(err as Error).message}`);
        continue;
      }
      // The licence's own text must match its template: else the template was copied wrong, or is of another version.
      const check = selfCheck(ref, plain.words);
      if (check !== null) problems.push(`${l.id}: the licence text does not match its template: ${check}`);
      add(l.id, l.name, ref, 'spdx-template', plain.words);
    } else add(l.id, l.name, plain, 'rules');
  }
  for (const e of input.extras) {
    const patches = input.patches.filter((p) => p.ids.includes(e.id));
    for (const p of patches) used.add(p);
    try {
      add(e.id, e.name, compilePlainText(e.text, patches), 'extra');
    } catch (err) {
      problems.push(`${e.id}: ${(err as Error).message}`);
    }
  }
  for (const p of input.patches) if (!used.has(p)) problems.push(`markup patch for ${p.ids.join(', ')} names no licence of the list`);

  const vocab: string[] = [];
  const numbers = new Map<string, number>();
  const entries: PackedEntry[] = [];
  for (const g of groups.values()) {
    const ids = preferredOrder(g.ids, deprecated);
    const nums = g.ref.words.map((w) => {
      let n = numbers.get(w);
      if (n === undefined) {
        n = vocab.length;
        vocab.push(w);
        numbers.set(w, n);
      }
      return n;
    });
    const names = ids.map((id) => g.names.get(id)!);
    entries.push({ ids, name: names[0]!, ...(names.some((n) => n !== names[0]) ? { names } : {}), words: packVarints(nums), soft: g.ref.soft, regions: g.ref.regions.map(packRegion), from: g.from, ...(deprecated.has(ids[0]!) ? { deprecated: true } : {}) });
  }
  entries.sort((a, b) => (a.ids[0]! < b.ids[0]! ? -1 : 1));
  const sources = [input.textSource, `${input.templateSource} (${Object.keys(input.templates).length} templates)`];
  const extraSources = [...new Set(input.extras.map((e) => e.source))];
  if (extraSources.length > 0) sources.push(...extraSources);
  return { data: { format: 1, listVersion: input.listVersion, sources, vocab, entries }, problems };
}

function packRegion(r: Region): (string | number)[] {
  const out: (string | number)[] = [r.kind === 'optional' ? 0 : 1, r.start, r.end];
  if (r.kind === 'var') {
    out.push(r.maxWords ?? 20);
    if (r.match !== undefined) out.push(r.match);
  }
  return out;
}

/** Verifies words against a compiled reference; null when they match, else the first differences. */
function selfCheck(ref: Reference, words: readonly string[]): string | null {
  const vocab = [...new Set([...ref.words, ...words])];
  const numbers = new Map(vocab.map((w, i) => [w, i]));
  const packed: PackedData = {
    format: 1,
    listVersion: '',
    sources: [],
    vocab,
    entries: [{ ids: ['x'], name: 'x', words: packVarints(ref.words.map((w) => numbers.get(w)!)), soft: ref.soft, regions: ref.regions.map(packRegion), from: 'spdx-template' }],
  };
  const data = unpack(packed);
  const ids = Int32Array.from(words.map((w) => numbers.get(w)!));
  const result = verify(data.entries[0]!, { ids, soft: new Uint8Array(ids.length), words }, 0, ids.length, vocab);
  if (result.ok) return null;
  return result.differences
    .slice(0, 3)
    .map((d) => `${d.kind} "${d.expected}" / "${d.found}" at word ${d.at}`)
    .join('; ');
}

/** Unsigned LEB128 varints, base64. */
export function packVarints(nums: readonly number[]): string {
  const bytes: number[] = [];
  for (let n of nums) {
    while (n >= 0x80) {
      bytes.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    bytes.push(n);
  }
  return Buffer.from(bytes).toString('base64');
}

/** Inverse of {@link packVarints}. */
export function unpackVarints(b64: string): Int32Array {
  const bytes = Buffer.from(b64, 'base64');
  const out = new Int32Array(bytes.length);
  let n = 0;
  let value = 0;
  let shift = 0;
  // An indexed loop: iterating a Buffer costs several times more, and this runs at start-up on every word.
  for (let k = 0; k < bytes.length; k++) {
    const byte = bytes[k]!;
    value |= (byte & 0x7f) << shift;
    if (byte & 0x80) shift += 7;
    else {
      out[n++] = value;
      value = 0;
      shift = 0;
    }
  }
  return out.subarray(0, n);
}

/** The packed data as the TypeScript module the library loads: brotli-compressed JSON, base64. */
export function renderDataModule(data: PackedData): string {
  const json = JSON.stringify(data);
  const packed = brotliCompressSync(Buffer.from(json), { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: json.length } }).toString('base64');
  const info = { listVersion: data.listVersion, sources: data.sources, entries: data.entries.length, ids: data.entries.reduce((n, e) => n + e.ids.length, 0) };
  const lines = packed.match(/.{1,1000}/g) ?? [];
  return `// Generated by packages/core/scripts/build-licence-data.mjs from the sources in LICENCE_DATA_INFO. Do not edit.
/** What the packed licence data holds. */
export const LICENCE_DATA_INFO = ${JSON.stringify(info)} as const;
/** Brotli-compressed JSON (see PackedData in build.ts), base64. */
export const LICENCE_DATA =
${lines.map((l) => `  '${l}'`).join(' +\n')};
`;
}
