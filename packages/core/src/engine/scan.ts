import { AbortError, ClearanceError } from '../errors.js';
import { compilePolicy, evaluate } from '../policy/evaluate.js';
import { resolvePolicy, type ResolvedPolicy } from '../policy/load.js';
import type { PolicyInput } from '../policy/schema.js';
import type { ScanRecord } from '../schema/record.js';
import type { Summary } from '../schema/summary.js';
import type { Entry, Source } from '../source/types.js';
import { mapConcurrent } from '../util/concurrent.js';
import { VERSION } from '../version.js';
import { DEFAULT_CONTAINER_LIMITS, type Container, type ContainerLimits } from './container.js';
import type { Detector } from './detector.js';
import { containerVerdict, recordsOf, type Inside, type Where } from './expand.js';
import { Inspector, type Inspected } from './inspect.js';
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
  /**
   * Container formats to open (tar shards, zips, Parquet tables, …), so that each member or row gets a
   * record of its own (`shard.tar#0001.jpg`). Default: none — pass `builtinContainers` from this package.
   */
  containers?: readonly Container[];
  /** Bounds on what is opened; see {@link ContainerLimits}. Default {@link DEFAULT_CONTAINER_LIMITS}. */
  containerLimits?: Partial<ContainerLimits>;
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
  const limits = resolveLimits(options.containerLimits);
  /** Error messages name paths relative to the source, and stay short: reports must not leak the machine's layout. */
  const shorten = (message: string) => {
    const text = message.split(`${source.location}/`).join('');
    return text.length > 300 ? `${text.slice(0, 297)}...` : text;
  };
  const inspector = new Inspector({ detectors: options.detectors, containers: options.containers ?? [], maxDepth: limits.maxDepth, hash, signal, shorten });
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

  const top: Where = { source, prefix: '', depth: 0, scopes };

  function finish(x: Inspected, where: Where, extra: Pick<ScanRecord, 'contents'> = {}, inside?: Inside): ScanRecord {
    const findings = where.scopes.resolve(x.path, x.own);
    const licence = effectiveLicence(findings);
    const optOuts = optOutsOf(findings);
    const tpm = tpmOf(findings);
    const own = evaluate(policy, { licence, optOuts, tpm, errors: x.errors });
    const verdict = inside ? containerVerdict(own, inside) : own;
    const e = x.entry;
    const record: ScanRecord = {
      path: x.path,
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
      ...(where.container ? { container: where.container } : {}),
      ...extra,
    };
    totals.add(record);
    progress();
    return record;
  }

  const emit = recordsOf({ inspector, limits, concurrency, shorten, finish, ...(signal ? { signal } : {}) });

  let interrupted = false;
  try {
    try {
      if (inspector.hasMarkers) {
        // Only markers are wanted in this pass: a source may skip the rest without a stat or a request.
        const markers = filter(source.list({ signal, want: (path) => inspector.isMarker(path) }), (e) => inspector.isMarker(e.path));
        const held: Inspected[] = [];
        for await (const x of mapConcurrent(markers, concurrency, (e) => inspector.inspect(e, top), signal)) {
          for (const f of x.own) scopes.add(f);
          if (inShard(x.path)) held.push(x);
        }
        scopes.seal();
        for (const x of held) yield* emit(x, top);
      }
      phase = 'files';
      const rest = filter(source.list({ signal }), (e) => !inspector.isMarker(e.path) && inShard(e.path));
      for await (const x of mapConcurrent(rest, concurrency, (e) => inspector.inspect(e, top), signal)) yield* emit(x, top);
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
    for (const detector of options.detectors) {
      rulesets[detector.id] = detector.version;
      for (const [k, v] of Object.entries(detector.data ?? {})) rulesets[k] = v;
    }
    for (const container of options.containers ?? []) rulesets[`container:${container.id}`] = container.version;
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

function resolveLimits(given: Partial<ContainerLimits> | undefined): ContainerLimits {
  const limits = { ...DEFAULT_CONTAINER_LIMITS, ...given };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < (key === 'maxDepth' ? 0 : 1)) throw new ClearanceError('ERR_INVALID_OPTION', `containerLimits.${key} must be a ${key === 'maxDepth' ? 'non-negative' : 'positive'} integer, got ${String(value)}`);
  }
  return limits;
}

function isResolved(p: ScanOptions['policy']): p is ResolvedPolicy {
  return typeof p === 'object' && p !== null && 'policy' in p && 'sha256' in p && 'origin' in p;
}

async function* filter(entries: AsyncIterable<Entry>, keep: (e: Entry) => boolean): AsyncGenerator<Entry> {
  for await (const e of entries) if (keep(e)) yield e;
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

