import { SourceError } from '../errors.js';
import type { RecordError, ScanRecord } from '../schema/record.js';
import type { Entry } from '../source/types.js';
import { mapConcurrent } from '../util/concurrent.js';
import type { ContainerLimits, OpenedContainer } from './container.js';
import type { Inspected, Inspector, Place } from './inspect.js';
import type { ScopeIndex } from './scopes.js';

/** Where an entry is and which scopes govern it; `container` is set inside a container. */
export interface Where extends Place {
  scopes: ScopeIndex;
  container?: { path: string; kind: string; depth: number };
}

/** Verdicts of the records directly inside a container. */
export interface Inside {
  exclude: number;
  review: number;
}

/** What opening containers needs from the scan that runs it. */
export interface ExpandContext {
  inspector: Inspector;
  limits: ContainerLimits;
  concurrency: number;
  signal?: AbortSignal;
  /** Makes an error message safe to record. */
  shorten: (message: string) => string;
  /** Resolves an inspected entry into its record (and counts it). */
  finish: (x: Inspected, where: Where, extra?: Pick<ScanRecord, 'contents'>, inside?: Inside) => ScanRecord;
}

/**
 * Returns `emit(x, where)`: the records of one inspected entry — a plain entry's own; for a container,
 * its members' (markers first, members concurrently, nested containers in turn), then the container's
 * own record with what was found in it.
 */
export function recordsOf(ctx: ExpandContext): (x: Inspected, where: Where) => AsyncGenerator<ScanRecord> {
  const { inspector, limits, concurrency, signal, shorten, finish } = ctx;

  async function* emit(x: Inspected, where: Where): AsyncGenerator<ScanRecord> {
    if (!x.open) {
      yield finish(x, where);
      return;
    }
    const { formats, head, complete, mediaType } = x.open;
    delete x.open;
    const problems: RecordError[] = [];
    const problem = (code: RecordError['code'], message: string) => {
      const m = shorten(message);
      if (problems.length < 20 && !problems.some((p) => p.code === code && p.message === m)) problems.push({ code, message: m });
    };
    // The first format that matches and, on a closer look, recognises the entry opens it.
    let opened: OpenedContainer | null = null;
    let format = formats[0]!;
    for (const candidate of formats) {
      format = candidate;
      try {
        opened = await candidate.open({ source: where.source, entry: x.entry, mediaType, head, complete, limits, depth: where.depth + 1, signal, problem });
      } catch (err) {
        if (signal?.aborted) throw err;
        problem(err instanceof SourceError ? err.code : 'ERR_CONTAINER_CORRUPT', `${candidate.id}: ${(err as Error).message}`);
        break;
      }
      if (opened) break;
    }
    if (!opened) {
      if (problems.length > 0) x.errors.push(...problems);
      yield finish(x, where);
      return;
    }
    const inner: Where = {
      source: opened,
      prefix: `${x.path}#`,
      depth: where.depth + 1,
      scopes: where.scopes.child(`${x.path}#`, x.path, x.own),
      container: { path: x.path, kind: opened.kind, depth: where.depth + 1 },
    };
    let members = 0;
    let expanded = 0;
    const hasMarkers = opened.markers !== false && inspector.hasMarkers;
    /** Verdicts of the records directly inside (a nested container's record already sums up its own). */
    const inside = { exclude: 0, review: 0 };
    const depth = where.depth + 1;
    async function* counted(records: AsyncIterable<ScanRecord>): AsyncGenerator<ScanRecord> {
      for await (const r of records) {
        if (r.container?.depth === depth) {
          if (r.verdict.decision === 'exclude') inside.exclude++;
          else if (r.verdict.decision === 'review') inside.review++;
        }
        yield r;
      }
    }
    /**
     * The container's listing, cut at the member and expanded-bytes limits. The markers pass only
     * picks markers out (and stops quietly at the member limit); the main pass counts every member
     * against the limits, the markers too, and yields the rest.
     */
    async function* listed(pass: 'markers' | 'main'): AsyncGenerator<Entry> {
      let seen = 0;
      for await (const e of opened!.list({ signal })) {
        const marker = hasMarkers && inspector.isMarker(e.path);
        if (++seen > limits.maxMembers) {
          if (pass === 'main') problem('ERR_CONTAINER_LIMIT', `${format.id}: more than ${limits.maxMembers} members; the rest were not scanned`);
          return;
        }
        if (pass === 'markers') {
          if (marker) yield e;
          continue;
        }
        expanded += e.size;
        if (expanded > limits.maxExpandedBytes) {
          problem('ERR_CONTAINER_LIMIT', `${format.id}: members expand past ${limits.maxExpandedBytes} bytes; the rest were not scanned`);
          return;
        }
        members++;
        if (!marker) yield e;
      }
    }
    try {
      if (hasMarkers) {
        const held: Inspected[] = [];
        try {
          for await (const m of mapConcurrent(listed('markers'), concurrency, (e) => inspector.inspect(e, inner), signal)) {
            for (const f of m.own) inner.scopes.add(f);
            held.push(m);
          }
        } catch (err) {
          // Damage met while picking markers out is met again, and recorded, by the main pass.
          if (signal?.aborted) throw err;
        }
        inner.scopes.seal();
        for (const m of held) yield* counted(emit(m, inner));
      }
      for await (const m of mapConcurrent(listed('main'), concurrency, (e) => inspector.inspect(e, inner), signal)) yield* counted(emit(m, inner));
    } catch (err) {
      if (signal?.aborted) throw err;
      problem(err instanceof SourceError ? err.code : 'ERR_CONTAINER_CORRUPT', `${format.id}: ${(err as Error).message}`);
    } finally {
      await opened.close?.();
    }
    x.errors.push(...problems);
    yield finish(x, where, { contents: { kind: opened.kind, members, rows: opened.rows === true, complete: problems.every((p) => p.code !== 'ERR_CONTAINER_LIMIT' && p.code !== 'ERR_CONTAINER_CORRUPT') } }, inside);
  }

  return emit;
}

/**
 * A container is no better than what is in it: one who keeps every path marked `allow` must not keep
 * a whole shard whose members include excluded ones. Its own verdict is lowered to the worst of its
 * members', with a reason that says how many.
 */
export function containerVerdict(verdict: ScanRecord['verdict'], inside: Inside): ScanRecord['verdict'] {
  const rank = { allow: 0, review: 1, exclude: 2 } as const;
  const worst = inside.exclude > 0 ? 'exclude' : inside.review > 0 ? 'review' : null;
  if (worst === null) return verdict;
  const message =
    worst === 'exclude'
      ? `${inside.exclude} member${inside.exclude === 1 ? ' is' : 's are'} excluded and ${inside.review} to review: keep the allowed members, not the whole container`
      : `${inside.review} member${inside.review === 1 ? ' needs' : 's need'} review`;
  return {
    decision: rank[verdict.decision] < rank[worst] ? worst : verdict.decision,
    reasons: [...verdict.reasons, { code: 'container.members', decision: worst, message }],
  };
}
