/**
 * How the opt-out detectors shape their findings.
 *
 * A site-level marker (tdmrep.json, robots.txt, ai.txt, license.xml) and a sidecar of stored headers
 * say nothing about themselves: they state rules for other files. So such a marker's own finding is a
 * `notice` that carries its rules (the "carrier", on the marker's own record), and the detector's
 * `forPath` turns it, for each file below, into the `opt-out` finding that applies to that file — or
 * null when no rule of the marker speaks about it. A file gets exactly the rule that matched it, with
 * its line as evidence. The marker file itself is a file of its site too (`/robots.txt` is covered by
 * `Content-Usage: / train-ai=n`); the engine does not apply a marker to itself, so the detector adds
 * what its rules say about its own path with {@link ownPath}.
 */
import { findingUrl } from '../../engine/detector.js';
import { FindingSchema, type Evidence, type Finding, type FindingInput, type Reserved } from '../../schema/finding.js';
import { excerpt } from '../text.js';

/** Level of an opt-out statement, as records show it. */
export type OptOutLevel = 'site' | 'folder' | 'file' | 'dataset';

/** What an applied opt-out finding says, beyond protocol and reservation. */
export interface AppliedOptOut {
  code: string;
  protocol: string;
  reserved: Reserved;
  level: OptOutLevel;
  /** The rule that matched, as written (`User-agent: GPTBot / Disallow: /`, `location /articles/*`). */
  rule: string;
  evidence: Evidence;
  confidence: number;
  severity?: 'info' | 'warning';
  /** More value fields (`policy`, `agents`, `problems`, …). */
  extra?: Record<string, unknown>;
}

/** The opt-out finding a carrier means for one file; it keeps the carrier's detector and scope. */
export function applied(carrier: Finding, o: AppliedOptOut): Finding {
  return {
    code: o.code,
    category: 'opt-out',
    detector: carrier.detector,
    confidence: o.confidence,
    severity: o.severity ?? 'info',
    value: { protocol: o.protocol, reserved: o.reserved, level: o.level, rule: o.rule, ...(o.extra ?? {}) },
    evidence: o.evidence,
    scope: carrier.scope,
    url: findingUrl(o.code),
  };
}

/**
 * Caches what is compiled from a carrier (patterns, groups) by the finding object: the engine hands
 * `forPath` the same held finding for every file, so each marker is compiled once per scan.
 */
export function memoByFinding<T>(compile: (f: Finding) => T): (f: Finding) => T {
  const cache = new WeakMap<Finding, T>();
  return (f) => {
    let v = cache.get(f);
    if (v === undefined) {
      v = compile(f);
      cache.set(f, v);
    }
    return v;
  };
}

/** Evidence for one line of a marker: path, line and a short excerpt of it. */
export function lineEvidence(path: string, line: number | undefined, text: string | undefined): Evidence {
  return { path, ...(line !== undefined && line > 0 ? { line } : {}), ...(text !== undefined && text.trim() !== '' ? { excerpt: excerpt(text) } : {}) };
}

/** A string cut to `max` characters, for values kept in findings (which reports must not bloat). */
export function clip(s: string, max = 200): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/**
 * What a carrier's rules say about the marker's own path, as a finding of that file (or nothing):
 * `forPath` applied to the carrier as the engine would hold it.
 */
export function ownPath(carrier: FindingInput, forPath: (f: Finding, path: string) => Finding | null, path: string): FindingInput[] {
  const held = FindingSchema.safeParse(carrier);
  if (!held.success) return [];
  const f = forPath(held.data, path);
  return f ? [{ ...f, scope: { kind: 'file', root: path } }] : [];
}

/**
 * A map that stops growing at `max` entries: what forPath caches per marker (the finding a rule gives)
 * stays bounded whatever the number of files. Past the bound, values are computed every time.
 */
export class BoundedCache<K, V> {
  readonly #map = new Map<K, V>();
  constructor(readonly max = 1024) {}
  get(key: K, make: () => V): V {
    const hit = this.#map.get(key);
    if (hit !== undefined) return hit;
    const v = make();
    if (this.#map.size < this.max) this.#map.set(key, v);
    return v;
  }
}
