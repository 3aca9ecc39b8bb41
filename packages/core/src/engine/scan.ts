import picomatch from 'picomatch';
import { AbortError, ClearanceError, SourceError, recordErrorFromErrno } from '../errors.js';
import { compilePolicy, evaluate } from '../policy/evaluate.js';
import { resolvePolicy, type ResolvedPolicy } from '../policy/load.js';
import type { PolicyInput } from '../policy/schema.js';
import { FindingSchema, type Finding } from '../schema/finding.js';
import type { RecordError, ScanRecord } from '../schema/record.js';
import type { Summary } from '../schema/summary.js';
import type { Entry, Source } from '../source/types.js';
import { mapConcurrent } from '../util/concurrent.js';
import { VERSION } from '../version.js';
import { findingUrl, type Detector, type RangeBytes } from './detector.js';
import { readRanges } from './ranges.js';
import { sniff, type Sniffed } from './media-type.js';
import { SMALL_FILE_BYTES, gather, mergeWants, type Gathered } from './read-plan.js';
import { effectiveLicence, optOutsOf, tpmOf } from './resolve.js';
import { ScopeIndex } from './scopes.js';
import { SummaryBuilder } from './summary.js';

/** Options of {@link scan}. */
export interface ScanOptions {
  source: Source;
  /** The detectors to run. Default: none — pass `builtinDetectors` from this package, or your own. */
  detectors: readonly Detector[];
  /** A policy (validated here) or one already resolved with `loadPolicy`. Default: the built-in default policy. */
  policy?: ResolvedPolicy | PolicyInput;
  /** sha256 every file while it is read. Default true; off, most files are read only in part. */
  hash?: boolean;
  /** Files in flight at once. Default 32. */
  concurrency?: number;
  /** Aborts listing and reads; the iteration then throws an `ERR_ABORTED` error and the summary says `interrupted`. */
  signal?: AbortSignal;
  /** Called after every record. Keep it cheap; throttle rendering yourself. */
  onProgress?: (progress: ScanProgress) => void;
  /** Scan only the entries whose path hashes to `index` of `count` shards. Markers are read by every shard. */
  shard?: { index: number; count: number };
}

export interface ScanProgress {
  phase: 'markers' | 'files';
  files: number;
  bytes: number;
  bytesRead: number;
  errors: number;
  elapsedMs: number;
}

/** A running scan: iterate it for records as they are made; `summary` settles when the iteration ends. */
export interface ScanRun extends AsyncIterable<ScanRecord> {
  readonly summary: Promise<Summary>;
}

interface CompiledDetector {
  detector: Detector;
  byName: ((name: string) => boolean) | null;
  byContent: ((sniffed: Sniffed) => boolean) | null;
}

const ENGINE_ID = 'engine';

/**
 * Scans a source: lists it twice (markers first, then everything else) so that subtree findings apply
 * whatever order entries come in, reads each file in the fewest requests its detectors allow, and
 * streams one record per entry. Memory holds the markers' findings and the files in flight, nothing
 * that grows with the number of files.
 *
 * ```ts
 * const run = scan({ source: localSource({ root: 'data' }), detectors: builtinDetectors });
 * for await (const record of run) if (record.verdict.decision === 'allow') keep(record.path);
 * const summary = await run.summary;
 * ```
 */
export function scan(options: ScanOptions): ScanRun {
  let settle!: { resolve: (s: Summary) => void; reject: (e: unknown) => void };
  const summary = new Promise<Summary>((resolve, reject) => (settle = { resolve, reject }));
  // Nobody has to await the summary: a failed scan already throws from the iteration.
  summary.catch(() => undefined);
  let started = false;
  return {
    summary,
    [Symbol.asyncIterator]() {
      if (started) throw new ClearanceError('ERR_INVALID_OPTION', 'a scan can be iterated only once; call scan() again');
      started = true;
      return run(options, settle);
    },
  };
}

async function* run(options: ScanOptions, settle: { resolve: (s: Summary) => void; reject: (e: unknown) => void }): AsyncGenerator<ScanRecord> {
  const startedAt = new Date();
  const t0 = performance.now();
  const { source, signal } = options;
  const hash = options.hash ?? true;
  const concurrency = options.concurrency ?? 32;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ClearanceError('ERR_INVALID_OPTION', `concurrency must be a positive integer, got ${concurrency}`);
  const shard = options.shard;
  if (shard && (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count)) {
    throw new ClearanceError('ERR_INVALID_OPTION', `shard must be index/count with 0 ≤ index < count, got ${shard.index}/${shard.count}`);
  }
  const resolved = isResolved(options.policy) ? options.policy : resolvePolicy(options.policy);
  const policy = compilePolicy(resolved.policy);
  const detectors = options.detectors.map(compileDetector);
  const markerNames = detectors.filter((c) => c.detector.marker && c.byName).map((c) => c.byName!);
  const isMarker = (path: string) => markerNames.some((m) => m(baseName(path)));
  const contentDetectors = detectors.filter((c) => c.byContent !== null);
  const byId = new Map(options.detectors.map((d) => [d.id, d]));
  const scopes = new ScopeIndex({
    forPath: (finding, path) => {
      const detector = byId.get(finding.detector);
      if (!detector?.forPath) return finding;
      try {
        return detector.forPath(finding, path);
      } catch {
        // A hook that fails keeps the finding as the marker stated it: over-applying a reservation is safer than dropping it.
        return finding;
      }
    },
    precedence: (finding) => byId.get(finding.detector)?.precedence ?? 0,
  });
  const totals = new SummaryBuilder();
  const inShard = (path: string) => !shard || shard.count === 1 || fnv1a(path) % shard.count === shard.index;
  let phase: ScanProgress['phase'] = 'markers';

  const progress = () =>
    options.onProgress?.({ phase, files: totals.files, bytes: totals.bytes, bytesRead: totals.bytesRead, errors: totals.filesWithErrors, elapsedMs: performance.now() - t0 });

  /** Error messages name paths relative to the source, and stay short: reports must not leak the machine's layout. */
  const shorten = (message: string) => {
    const text = message.split(`${source.location}/`).join('');
    return text.length > 300 ? `${text.slice(0, 297)}...` : text;
  };

  /** Reads one entry and runs its detectors; returns its own findings, not yet resolved against scopes. */
  async function inspect(entry: Entry): Promise<Inspected> {
    const base: Inspected = { entry, marker: isMarker(entry.path), own: [], errors: [], sha256: null, mediaType: null, read: { bytes: 0, requests: 0 } };
    if (entry.error) {
      base.errors.push({ code: entry.error.code, message: shorten(entry.error.message) });
      return base;
    }
    const name = baseName(entry.path);
    const dir = dirName(entry.path);
    const byName = detectors.filter((c) => c.byName?.(name));
    const candidates = [...new Set([...byName, ...contentDetectors])];
    const merged = mergeWants(candidates.map((c) => c.detector.wants), hash);
    // First read: what name-matched detectors need, and up to 64 KiB of what content detectors may want
    // (one cheap request); a content detector wanting more extends it only once sniffing shows it is interested.
    const plan = { ...merged, firstHead: Math.max(mergeWants(byName.map((c) => c.detector.wants), hash).head, Math.min(merged.head, SMALL_FILE_BYTES)) };
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
    base.sha256 = got.sha256;
    base.mediaType = s.mediaType;
    base.read = { bytes: got.bytesRead, requests: got.requests };
    if (s.mismatch) base.own.push(mismatchFinding(entry.path, s));
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
          path: entry.path,
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

  function finish(x: Inspected): ScanRecord {
    const findings = scopes.resolve(x.entry.path, x.own);
    const licence = effectiveLicence(findings);
    const optOuts = optOutsOf(findings);
    const tpm = tpmOf(findings);
    const verdict = evaluate(policy, { licence, optOuts, tpm, errors: x.errors });
    const e = x.entry;
    const record: ScanRecord = {
      path: e.path,
      ...(e.pathBytes !== undefined ? { pathBytes: e.pathBytes } : {}),
      size: e.size,
      ...(e.mtime !== undefined ? { mtime: e.mtime } : {}),
      ...(e.etag !== undefined ? { etag: e.etag } : {}),
      ...(e.metadata !== undefined ? { metadata: e.metadata } : {}),
      sha256: x.sha256,
      mediaType: x.mediaType,
      marker: x.marker,
      licence,
      optOuts,
      tpm,
      findings,
      verdict,
      errors: x.errors,
      read: x.read,
    };
    totals.add(record);
    progress();
    return record;
  }

  let interrupted = false;
  try {
    try {
      if (markerNames.length > 0) {
        const markers = filter(source.list({ signal }), (e) => isMarker(e.path));
        const held: Inspected[] = [];
        for await (const x of mapConcurrent(markers, concurrency, inspect, signal)) {
          for (const f of x.own) scopes.add(f);
          if (inShard(x.entry.path)) held.push(x);
        }
        scopes.seal();
        for (const x of held) yield finish(x);
      }
      phase = 'files';
      const rest = filter(source.list({ signal }), (e) => !isMarker(e.path) && inShard(e.path));
      for await (const x of mapConcurrent(rest, concurrency, inspect, signal)) yield finish(x);
    } catch (err) {
      if (signal?.aborted) {
        interrupted = true;
        throw new AbortError({ cause: err });
      }
      if (err instanceof ClearanceError) throw err;
      throw new ClearanceError('ERR_SOURCE_LISTING', `[${source.name}] scan of ${source.location} failed: ${(err as Error).message}`, { cause: err });
    }
  } catch (err) {
    if (interrupted) settle.resolve(buildSummary(true));
    else settle.reject(err);
    throw err;
  } finally {
    await source.close?.();
  }
  settle.resolve(buildSummary(false));

  function buildSummary(wasInterrupted: boolean): Summary {
    const rulesets: Record<string, string> = {};
    for (const { detector } of detectors) {
      rulesets[detector.id] = detector.version;
      for (const [k, v] of Object.entries(detector.data ?? {})) rulesets[k] = v;
    }
    return totals.build({
      schemaVersion: 1,
      tool: { name: 'clearance', version: VERSION },
      rulesets,
      source: { name: source.name, location: source.location },
      policy: { sha256: resolved.sha256, origin: resolved.origin },
      hashing: hash,
      ...(shard ? { shard } : {}),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - t0),
      interrupted: wasInterrupted,
    });
  }
}

interface Inspected {
  entry: Entry;
  marker: boolean;
  own: Finding[];
  errors: RecordError[];
  sha256: string | null;
  mediaType: string | null;
  read: { bytes: number; requests: number };
}

function compileDetector(detector: Detector): CompiledDetector {
  const { names, mediaTypes, text } = detector.match;
  const byName = names && names.length > 0 ? nameMatcher(names) : null;
  let byContent: CompiledDetector['byContent'] = null;
  if ((mediaTypes && mediaTypes.length > 0) || text) {
    const exact = new Set((mediaTypes ?? []).filter((t) => !t.endsWith('/*')));
    const prefixes = (mediaTypes ?? []).filter((t) => t.endsWith('/*')).map((t) => t.slice(0, -1));
    byContent = (s) => (text === true && s.isText) || exact.has(s.mediaType) || prefixes.some((p) => s.mediaType.startsWith(p));
  }
  return { detector, byName, byContent };
}

function nameMatcher(names: NonNullable<Detector['match']['names']>): (name: string) => boolean {
  const globs = names.filter((n): n is string => typeof n === 'string');
  const glob = globs.length > 0 ? picomatch(globs, { nocase: true, dot: true }) : () => false;
  const tests = names.filter((n) => typeof n !== 'string').map((n) => (n instanceof RegExp ? (name: string) => n.test(name) : n));
  return (name) => glob(name) || tests.some((t) => t(name));
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

function isResolved(p: ScanOptions['policy']): p is ResolvedPolicy {
  return typeof p === 'object' && p !== null && 'policy' in p && 'sha256' in p && 'origin' in p;
}

async function* filter(entries: AsyncIterable<Entry>, keep: (e: Entry) => boolean): AsyncGenerator<Entry> {
  for await (const e of entries) if (keep(e)) yield e;
}

function baseName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** FNV-1a over UTF-16 code units: a stable, fast hash for sharding by path. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

