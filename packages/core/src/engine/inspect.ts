import picomatch from 'picomatch';
import { SourceError, recordErrorFromErrno } from '../errors.js';
import { FindingSchema, type Finding } from '../schema/finding.js';
import type { RecordError } from '../schema/record.js';
import type { Entry, Source } from '../source/types.js';
import type { Container } from './container.js';
import { findingUrl, type Detector, type RangeBytes } from './detector.js';
import { readRanges } from './ranges.js';
import { sniff, type Sniffed } from './media-type.js';
import { FIRST_READ_BYTES, gather, mergeWants, type Gathered } from './read-plan.js';

const ENGINE_ID = 'engine';

/** Where an entry lives: the dataset itself, or a container inside it. */
export interface Place {
  source: Source;
  /** Prefix of record paths: '' in the dataset, `a/shard.tar#` inside that container. */
  prefix: string;
  /** 0 in the dataset, 1 inside one of its containers, … */
  depth: number;
}

/** One entry read and run through its detectors: its own findings, not yet resolved against scopes. */
export interface Inspected {
  entry: Entry;
  /** Record path: the place's prefix and the entry's path. */
  path: string;
  marker: boolean;
  own: Finding[];
  errors: RecordError[];
  sha256: string | null;
  mediaType: string | null;
  read: { bytes: number; requests: number };
  /** Set when the entry is a container the engine should open: the format and what was read of it. */
  open?: { formats: Container[]; head: Uint8Array; complete: boolean; mediaType: string };
}

interface CompiledDetector {
  detector: Detector;
  byName: ((name: string) => boolean) | null;
  byEntry: ((entry: Entry) => boolean) | null;
  byContent: ((sniffed: Sniffed) => boolean) | null;
}

interface CompiledContainer {
  format: Container;
  byName: ((name: string) => boolean) | null;
  byType: ReadonlySet<string>;
}

export interface InspectorOptions {
  detectors: readonly Detector[];
  containers: readonly Container[];
  /** Containers nested deeper than this are not opened. */
  maxDepth: number;
  hash: boolean;
  signal?: AbortSignal;
  /** Makes error messages safe to record (no absolute paths). */
  shorten: (message: string) => string;
}

/** Reads entries in the fewest requests their detectors allow and runs the detectors; knows no detector by name. */
export class Inspector {
  readonly #detectors: CompiledDetector[];
  readonly #content: CompiledDetector[];
  readonly #markers: ((name: string) => boolean)[];
  readonly #containers: CompiledContainer[];
  readonly #options: InspectorOptions;

  constructor(options: InspectorOptions) {
    this.#options = options;
    this.#detectors = options.detectors.map(compileDetector);
    this.#content = this.#detectors.filter((c) => c.byContent !== null);
    this.#markers = this.#detectors.filter((c) => c.detector.marker && c.byName).map((c) => c.byName!);
    this.#containers = options.containers.map((format) => ({
      format,
      byName: format.match.names && format.match.names.length > 0 ? nameMatcher(format.match.names) : null,
      byType: new Set(format.match.mediaTypes ?? []),
    }));
  }

  get hasMarkers(): boolean {
    return this.#markers.length > 0;
  }

  /** Whether the entry at this path is a marker (its findings govern its folder's subtree). */
  isMarker(path: string): boolean {
    const name = baseName(path);
    return this.#markers.some((m) => m(name));
  }

  async inspect(entry: Entry, place: Place): Promise<Inspected> {
    const { hash, signal, shorten } = this.#options;
    const source = place.source;
    const path = place.prefix + entry.path;
    const base: Inspected = { entry, path, marker: this.isMarker(entry.path), own: [], errors: [], sha256: null, mediaType: null, read: { bytes: 0, requests: 0 } };
    if (entry.error) {
      base.errors.push({ code: entry.error.code, message: shorten(entry.error.message) });
      return base;
    }
    const name = baseName(entry.path);
    const dir = place.prefix + dirName(entry.path);
    const byName = this.#detectors.filter((c) => c.byName?.(name) === true || c.byEntry?.(entry) === true);
    const candidates = [...new Set([...byName, ...this.#content])];
    const merged = mergeWants(candidates.map((c) => c.detector.wants), hash && entry.sha256 === undefined);
    // First read: what name-matched detectors need, and up to 16 KiB of what content detectors may want;
    // a content detector wanting more extends it only once sniffing shows it is interested.
    const plan = { ...merged, firstHead: Math.max(mergeWants(byName.map((c) => c.detector.wants), hash).head, Math.min(merged.head, FIRST_READ_BYTES)) };
    let sniffed: Sniffed | undefined;
    let interested: CompiledDetector[] = [];
    const decide = async (head: Uint8Array) => {
      sniffed = await sniff(head, name, entry.size);
      interested = candidates.filter((c) => byName.includes(c) || c.byContent?.(sniffed!) === true);
      const wants = mergeWants(interested.map((c) => c.detector.wants), false);
      return { head: wants.head, tail: wants.tail, wholeMax: wants.wholeMax };
    };
    let got: Gathered;
    try {
      got = await gather(source, entry, plan, decide, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      const e = recordErrorFromErrno(err);
      base.errors.push({ code: e.code, message: shorten(e.message) });
      return base;
    }
    if (!sniffed) await decide(got.head);
    const s = sniffed!;
    base.sha256 = got.sha256 ?? (hash ? (entry.sha256 ?? null) : null);
    base.mediaType = s.mediaType;
    base.read = { bytes: got.bytesRead, requests: got.requests };
    if (s.mismatch) base.own.push(mismatchFinding(path, s));
    if (place.depth < this.#options.maxDepth) {
      const formats = this.#containers.filter((c) => c.byName?.(name) === true || c.byType.has(s.mediaType)).map((c) => c.format);
      if (formats.length > 0) base.open = { formats, head: got.head, complete: got.complete || got.whole?.length === entry.size, mediaType: s.mediaType };
    }
    // Detectors that ask for the same ranges of one file (several read its embedded metadata) share one read.
    const rangeCache = new Map<string, Uint8Array>();
    for (const c of interested) {
      const d = c.detector;
      const max = d.wants.whole?.maxBytes;
      const whole = max !== undefined && entry.size <= max ? got.whole : null;
      try {
        let ranges: RangeBytes[] = [];
        if (d.wants.ranges) {
          const extra = await readRanges(source, entry, d.wants.ranges, { size: entry.size, head: got.head, tail: got.complete ? null : got.tail, whole: got.whole }, signal, rangeCache);
          ranges = extra.ranges;
          base.read.bytes += extra.bytes;
          base.read.requests += extra.requests;
        }
        const out = await d.detect({
          entry,
          path,
          name,
          dir,
          size: entry.size,
          mediaType: s.mediaType,
          isText: s.isText,
          head: got.head,
          tail: got.complete ? null : got.tail,
          whole,
          truncated: max !== undefined && whole === null,
          ranges,
        });
        for (const raw of out) {
          const parsed = FindingSchema.safeParse(raw);
          if (parsed.success && !Object.hasOwn(d.codes ?? {}, parsed.data.code)) {
            base.errors.push({ code: 'ERR_DETECTOR_OUTPUT_INVALID', detector: d.id, message: `detector ${d.id} returned the undeclared finding code ${parsed.data.code}` });
          } else if (parsed.success) base.own.push(parsed.data);
          else base.errors.push({ code: 'ERR_DETECTOR_OUTPUT_INVALID', detector: d.id, message: `detector ${d.id} returned an invalid finding: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` });
        }
      } catch (err) {
        if (signal?.aborted) throw err;
        if (err instanceof SourceError) {
          base.errors.push({ code: err.code, detector: d.id, message: shorten(err.message) });
          continue;
        }
        base.errors.push({ code: 'ERR_DETECTOR_FAILED', detector: d.id, message: `detector ${d.id} failed: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    return base;
  }
}

function compileDetector(detector: Detector): CompiledDetector {
  const { names, mediaTypes, text, entry } = detector.match;
  const byName = names && names.length > 0 ? nameMatcher(names) : null;
  let byContent: CompiledDetector['byContent'] = null;
  if ((mediaTypes && mediaTypes.length > 0) || text) {
    const exact = new Set((mediaTypes ?? []).filter((t) => !t.endsWith('/*')));
    const prefixes = (mediaTypes ?? []).filter((t) => t.endsWith('/*')).map((t) => t.slice(0, -1));
    byContent = (s) => (text === true && s.isText) || exact.has(s.mediaType) || prefixes.some((p) => s.mediaType.startsWith(p));
  }
  return { detector, byName, byEntry: entry ?? null, byContent };
}

/**
 * One test for all of a detector's names: its globs compiled into a single regular expression
 * (picomatch's own matcher normalises and loops per call; this runs for every detector on every file).
 */
function nameMatcher(names: NonNullable<Detector['match']['names']>): (name: string) => boolean {
  const globs = names.filter((n): n is string => typeof n === 'string');
  const sources = globs.map((g) => picomatch.makeRe(g, { nocase: true, dot: true }).source);
  const glob = sources.length > 0 ? new RegExp(sources.map((x) => `(?:${x})`).join('|'), 'i') : null;
  const tests = names.filter((n) => typeof n !== 'string').map((n) => (n instanceof RegExp ? (name: string) => n.test(name) : n));
  if (tests.length === 0) return glob ? (name) => glob.test(name) : () => false;
  return (name) => glob?.test(name) === true || tests.some((t) => t(name));
}

function mismatchFinding(path: string, s: Sniffed): Finding {
  const m = s.mismatch!;
  return {
    code: 'media.extension-mismatch',
    category: 'notice',
    detector: ENGINE_ID,
    severity: 'warning',
    confidence: 0.9,
    value: { extension: m.extension, extensionType: m.extensionType, contentType: m.contentType },
    evidence: { path, byteOffset: 0 },
    scope: { kind: 'file', root: path },
    url: findingUrl('media.extension-mismatch'),
  };
}

export function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}
