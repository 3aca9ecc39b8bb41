/**
 * The licence data the matcher uses, unpacked on first use and kept for the life of the process:
 * reference texts as word numbers, an exact-hash table of whole texts, and an inverted index from
 * word 4-grams to the licences that contain them.
 */
import { brotliDecompressSync } from 'node:zlib';
import { unpackVarints, type PackedData } from './build.js';
import { LICENCE_DATA, LICENCE_DATA_INFO } from './data/licences.gen.js';
import { STRICT } from './template.js';

/** A region of a reference (see template.ts), unpacked. */
export interface RefRegion {
  kind: 'optional' | 'var';
  start: number;
  end: number;
  maxWords: number;
  /** Compiled `match`, or null for any words; `strict` when only the original words are allowed. */
  match: RegExp | null;
  strict: boolean;
}

/** One reference text and the licence ids that share it. */
export interface RefEntry {
  index: number;
  ids: readonly string[];
  /** Each id's name, in the order of `ids`. */
  names: readonly string[];
  words: Int32Array;
  soft: Uint8Array;
  regions: readonly RefRegion[];
  /** Per word: 1 inside an optional region, 2 inside a var, 3 both. */
  flags: Uint8Array;
  /** Per word: index in `regions` of the var holding it (the innermost), or -1. */
  varIndex: Int16Array;
  /** Vars with no words of their own (an empty original, or one made of a dropped copyright line), by position. */
  emptyVars: ReadonlyMap<number, number>;
  /** Distinct 4-grams of all the entry's words, made on first use (to find where a text holds it). */
  allNgrams?: Set<number>;
  /** Its words that are not optional, their positions and unique 4-grams, made on first use (verify.ts). */
  core?: { core: number[]; coreWords: Int32Array; anchors: ReadonlyMap<number, number> };
  /** Words outside vars and optional parts: what a text must contain to be this licence. */
  required: number;
  /** Distinct indexed 4-grams of the entry's required words (optional parts and vars left out; sampled, see NgramIndex). */
  ngrams: number;
  /** What one indexed 4-gram stands for, to compare entries: 1 when sampled, 1/SAMPLE when indexed whole. */
  gramWeight: number;
  from: 'spdx-template' | 'rules' | 'extra';
  deprecated: boolean;
}

/** The unpacked data. */
export interface LicenceData {
  listVersion: string;
  sources: readonly string[];
  entries: readonly RefEntry[];
  byId: ReadonlyMap<string, RefEntry>;
  /** Word → number; words not in any licence have none. */
  vocab: ReadonlyMap<string, number>;
  words: readonly string[];
  /** Hash of a whole text's required-or-optional words (without list markers) → entries. */
  exact: ReadonlyMap<string, RefEntry[]>;
  index: NgramIndex;
}

/** The name of a licence id of the data (its SPDX full name), or the id itself when unknown. */
export function licenceName(data: LicenceData, id: string): string {
  const e = data.byId.get(id);
  return e ? (e.names[e.ids.indexOf(id)] ?? id) : id;
}

/** Size of the word n-grams the index is built on. */
export const N = 4;

/** Version of the SPDX License List the data holds, without unpacking it. */
export const LICENCE_LIST_VERSION: string = LICENCE_DATA_INFO.listVersion;
/** Sources of the data, without unpacking it. */
export const LICENCE_DATA_SOURCES: readonly string[] = LICENCE_DATA_INFO.sources;

let cached: LicenceData | undefined;

/** The data, unpacked and indexed on first call (about 100 ms), then shared. */
export function licenceData(): LicenceData {
  cached ??= unpack(JSON.parse(brotliDecompressSync(Buffer.from(LICENCE_DATA, 'base64')).toString('utf8')) as PackedData);
  return cached;
}

/** Unpacks packed data (also used by tests on data built in memory). */
export function unpack(packed: PackedData): LicenceData {
  const vocab = new Map<string, number>();
  packed.vocab.forEach((w, i) => vocab.set(w, i));
  const entries: RefEntry[] = packed.entries.map((p, index) => {
    const words = unpackVarints(p.words);
    const soft = new Uint8Array(words.length);
    for (const i of p.soft) soft[i] = 1;
    const flags = new Uint8Array(words.length);
    const regions: RefRegion[] = p.regions.map((r) => {
      const kind = r[0] === 0 ? 'optional' : 'var';
      const start = r[1] as number;
      const end = r[2] as number;
      for (let i = start; i < end; i++) flags[i]! |= kind === 'optional' ? 1 : 2;
      const source = r[4] as string | undefined;
      const strict = source === STRICT;
      return { kind, start, end, maxWords: (r[3] as number | undefined) ?? 0, match: source !== undefined && !strict ? new RegExp(`^(?:${source})$`, 'i') : null, strict };
    });
    let required = 0;
    for (let i = 0; i < words.length; i++) if (flags[i] === 0 && soft[i] === 0) required++;
    const varIndex = new Int16Array(words.length).fill(-1);
    const emptyVars = new Map<number, number>();
    regions.forEach((r, ri) => {
      if (r.kind !== 'var') return;
      if (r.start === r.end) emptyVars.set(r.start, ri);
      for (let i = r.start; i < r.end; i++) varIndex[i] = ri;
    });
    return { index, ids: p.ids, names: p.names ?? p.ids.map(() => p.name), words, soft, regions, flags, varIndex, emptyVars, required, ngrams: 0, gramWeight: 1, from: p.from, deprecated: p.deprecated === true };
  });
  const byId = new Map<string, RefEntry>();
  for (const e of entries) for (const id of e.ids) byId.set(id, e);
  const exact = new Map<string, RefEntry[]>();
  for (const e of entries) {
    for (const key of new Set(exactKeys(e))) {
      const list = exact.get(key);
      if (list) list.push(e);
      else exact.set(key, [e]);
    }
  }
  const index = new NgramIndex(entries);
  return { listVersion: packed.listVersion, sources: packed.sources, entries, byId, vocab, words: packed.vocab, exact, index };
}

/** Key of a word sequence for the exact-hash table: two 32-bit hashes of its words (list markers left out). */
export function exactKey(words: Int32Array, soft: Uint8Array, flags: Uint8Array | null, withOptional: boolean): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  let n = 0;
  for (let i = 0; i < words.length; i++) {
    if (soft[i]) continue;
    if (flags && !withOptional && flags[i]! & 1) continue;
    const w = words[i]!;
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h2 = Math.imul(h2 ^ (w + 0x9e3779b9), 0x85ebca6b) ^ (h2 >>> 13);
    n++;
  }
  return `${n}:${(h1 >>> 0).toString(36)}:${(h2 >>> 0).toString(36)}`;
}

/** An entry's two exact keys, in one pass: without its optional parts, and with them. */
function exactKeys(e: RefEntry): [string, string] {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  let n = 0;
  let o1 = 0x811c9dc5;
  let o2 = 0x01000193;
  let m = 0;
  const { words, soft, flags } = e;
  for (let i = 0; i < words.length; i++) {
    if (soft[i] !== 0) continue;
    const w = words[i]!;
    o1 = Math.imul(o1 ^ w, 0x01000193);
    o2 = Math.imul(o2 ^ (w + 0x9e3779b9), 0x85ebca6b) ^ (o2 >>> 13);
    m++;
    if ((flags[i]! & 1) !== 0) continue;
    h1 = Math.imul(h1 ^ w, 0x01000193);
    h2 = Math.imul(h2 ^ (w + 0x9e3779b9), 0x85ebca6b) ^ (h2 >>> 13);
    n++;
  }
  return [`${n}:${(h1 >>> 0).toString(36)}:${(h2 >>> 0).toString(36)}`, `${m}:${(o1 >>> 0).toString(36)}:${(o2 >>> 0).toString(36)}`];
}

/** Hash of the 4-gram of words starting at `i`, or -1 when it holds a word no licence has. */
export function ngramAt(words: Int32Array, i: number): number {
  const a = words[i]!;
  const b = words[i + 1]!;
  const c = words[i + 2]!;
  const d = words[i + 3]!;
  if ((a | b | c | d) < 0) return -1;
  let h = Math.imul(a + 1, 0x9e3779b1);
  h = Math.imul(h ^ (b + 0x7f4a7c15), 0x85ebca6b);
  h = Math.imul(h ^ (c + 0x165667b1), 0xc2b2ae35);
  h = Math.imul(h ^ (d + 0x27d4eb2f), 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * Inverted index from 4-gram hashes to the entries containing them: open-addressing tables of
 * distinct hashes, each with a chain of postings, all in typed arrays.
 *
 * The main table holds only the 4-grams whose hash is 0 modulo {@link SAMPLE} (content-defined
 * sampling, as in winnowing): a text holding a licence holds the same sample of its 4-grams, so the
 * share of the sample it holds measures how much of the licence it holds, for a quarter of the
 * look-ups and of the memory. Texts too short to have a usable sample (fewer than
 * {@link MIN_SAMPLE} sampled 4-grams) are indexed whole in a small second table.
 */
export class NgramIndex {
  readonly #main: GramTable;
  readonly #tiny: GramTable;
  readonly #entries: number;
  readonly #isTiny: Uint8Array;

  constructor(entries: RefEntry[]) {
    this.#entries = entries.length;
    this.#isTiny = new Uint8Array(entries.length);
    // Only the sample is made for most entries; a short text's whole set of 4-grams is made for it alone.
    const sampled = entries.map((e) => requiredNgrams(e, true));
    const whole: number[][] = [];
    let mainTotal = 0;
    let tinyTotal = 0;
    entries.forEach((e, i) => {
      if (fewDistinct(sampled[i]!, MIN_SAMPLE)) {
        this.#isTiny[i] = 1;
        whole[i] = requiredNgrams(e);
        tinyTotal += whole[i].length;
      } else mainTotal += sampled[i]!.length;
    });
    this.#main = new GramTable(mainTotal);
    this.#tiny = new GramTable(tinyTotal);
    entries.forEach((e, i) => {
      e.ngrams = this.#isTiny[i] ? this.#tiny.add(e.index, whole[i]!) : this.#main.add(e.index, sampled[i]!);
      e.gramWeight = this.#isTiny[i] ? 1 / SAMPLE : 1;
    });
  }

  /** For each entry, how many distinct (sampled, or all for a short text) 4-grams of `words` it holds. */
  count(words: Int32Array): Uint32Array {
    const hits = new Uint32Array(this.#entries);
    const stampMain = this.#main.nextStamp();
    const stampTiny = this.#tiny.nextStamp();
    for (let i = 0; i + N <= words.length; i++) {
      const h = ngramAt(words, i);
      if (h < 0) continue;
      if (isSampled(h)) this.#main.visit(h, stampMain, hits);
      this.#tiny.visit(h, stampTiny, hits);
    }
    return hits;
  }
}

/** Whether `xs` holds fewer than `k` distinct values (a linear scan of at most k; no Set of boxed hashes). */
function fewDistinct(xs: readonly number[], k: number): boolean {
  const seen: number[] = [];
  for (const x of xs) {
    if (seen.includes(x)) continue;
    seen.push(x);
    if (seen.length >= k) return false;
  }
  return true;
}

/** One in SAMPLE 4-grams is in the main index. */
export const SAMPLE = 4;
/** Fewer sampled 4-grams than this, and a text is indexed whole. */
export const MIN_SAMPLE = 12;
const isSampled = (h: number) => (h & (SAMPLE - 1)) === 0;

/** Open-addressing table of 4-gram hashes with posting chains. */
class GramTable {
  readonly #keys: Uint32Array;
  readonly #head: Int32Array;
  readonly #seen: Uint32Array;
  readonly #mask: number;
  readonly #postEntry: Uint16Array;
  readonly #postNext: Int32Array;
  #posts = 0;
  #stamp = 0;

  constructor(total: number) {
    let size = 16;
    while (size < total * 2) size <<= 1;
    this.#keys = new Uint32Array(size);
    // head -1: a free slot; keys are compared only in used slots.
    this.#head = new Int32Array(size).fill(-1);
    this.#seen = new Uint32Array(size);
    this.#mask = size - 1;
    this.#postEntry = new Uint16Array(Math.max(1, total));
    this.#postNext = new Int32Array(Math.max(1, total));
  }

  /** Adds an entry's grams; returns how many distinct ones it has. */
  add(entry: number, grams: readonly number[]): number {
    let distinct = 0;
    for (const h of grams) {
      let s = (h ^ (h >>> 15)) & this.#mask;
      while (this.#head[s]! >= 0 && this.#keys[s] !== h) s = (s + 1) & this.#mask;
      const head = this.#head[s]!;
      this.#keys[s] = h;
      // Entries are added one after another, so a repeat within one entry is at the chain's head.
      if (head >= 0 && this.#postEntry[head] === entry) continue;
      this.#postEntry[this.#posts] = entry;
      this.#postNext[this.#posts] = head;
      this.#head[s] = this.#posts++;
      distinct++;
    }
    return distinct;
  }

  nextStamp(): number {
    return ++this.#stamp;
  }

  /** Counts `h` once per call (stamp) for every entry holding it. */
  visit(h: number, stamp: number, hits: Uint32Array): void {
    let s = (h ^ (h >>> 15)) & this.#mask;
    for (;;) {
      const head = this.#head[s]!;
      if (head < 0) return;
      if (this.#keys[s] === h) {
        if (this.#seen[s] === stamp) return;
        this.#seen[s] = stamp;
        for (let p = head; p >= 0; p = this.#postNext[p]!) hits[this.#postEntry[p]!]!++;
        return;
      }
      s = (s + 1) & this.#mask;
    }
  }
}

/**
 * The 4-grams of an entry's required words: what any copy of the licence holds. Vars (examples of
 * names) and optional parts (titles, appendices, LGPL-3.0's copy of GPL-3.0) break the runs, so that
 * how much of a licence a text holds is measured on what the licence requires. List markers are
 * skipped, as they are in the texts looked up.
 */
export function requiredNgrams(e: RefEntry, sampledOnly = false): number[] {
  const out: number[] = [];
  const { words, soft, flags } = e;
  // A rolling window over the run of required words (the hash is ngramAt's): one pass, no copies;
  // this runs on every word of every licence at start-up.
  let a = 0;
  let b = 0;
  let c = 0;
  let run = 0;
  for (let i = 0; i < words.length; i++) {
    if (soft[i] !== 0) continue;
    if (flags[i] !== 0) {
      run = 0;
      continue;
    }
    const d = words[i]!;
    if (run >= N - 1) {
      let h = Math.imul(a + 1, 0x9e3779b1);
      h = Math.imul(h ^ (b + 0x7f4a7c15), 0x85ebca6b);
      h = Math.imul(h ^ (c + 0x165667b1), 0xc2b2ae35);
      h = Math.imul(h ^ (d + 0x27d4eb2f), 0x9e3779b1);
      h = (h ^ (h >>> 15)) >>> 0;
      if (!sampledOnly || (h & (SAMPLE - 1)) === 0) out.push(h);
    }
    a = b;
    b = c;
    c = d;
    run++;
  }
  return out;
}
