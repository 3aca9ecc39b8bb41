import type { Decision, ScanRecord } from '@clearance/core';
import { blockingReasons, datasetWideLicences, folderOf, modalityOf, reasonProtocol, type Modality } from './facts.js';

/**
 * Totals the human reports need beyond the Summary's: reasons split by decision with a few example
 * paths, what each opt-out protocol and TPM scheme kept out, and verdicts by folder, licence and
 * modality. Holds counts and bounded samples only — its size depends on how many distinct codes,
 * protocols, folders and licences there are (each capped), never on how many records.
 */
export class Tally {
  files = 0;
  bytes = 0;
  readonly verdicts: Record<Decision, number> = { allow: 0, review: 0, exclude: 0 };
  /** Files under at least one reservation in force (`reserved: yes`), whatever the protocol. */
  reservedFiles = 0;
  /** Files under at least one TPM. */
  tpmFiles = 0;
  /** Bytes of the files with each verdict. */
  readonly verdictBytes: Record<Decision, number> = { allow: 0, review: 0, exclude: 0 };
  /** Reason code → files, by the decision the reason carried. */
  readonly reasons: Record<Decision, Map<string, ReasonTally>> = { allow: new Map(), review: new Map(), exclude: new Map() };
  /** Opt-out protocol → files it applies to, by what it says, and what they became. */
  readonly protocols = new Map<string, ProtocolTally>();
  /** `format/scheme` → files under that TPM. */
  readonly tpm = new Map<string, TpmTally>();
  readonly folders: CappedMap<VerdictTally>;
  readonly licences: CappedMap<VerdictTally>;
  readonly modalities = new Map<Modality, VerdictTally>();
  /** Record error code → files. */
  readonly errors = new Map<string, ReasonTally>();
  /** Licence expressions stated for the whole dataset (by a marker at the top, or dataset-scoped). */
  readonly datasetLicences = new Set<string>();

  constructor(options: { maxFolders?: number; maxLicences?: number; samples?: number } = {}) {
    this.folders = new CappedMap(options.maxFolders ?? 500, '(other folders)', newVerdictTally);
    this.licences = new CappedMap(options.maxLicences ?? 500, '(other licences)', newVerdictTally);
    this.samples = options.samples ?? 3;
  }

  private readonly samples: number;

  add(record: ScanRecord): void {
    const decision = record.verdict.decision;
    this.files++;
    this.bytes += record.size;
    this.verdicts[decision]++;
    this.verdictBytes[decision] += record.size;
    addVerdict(this.folders.get(folderOf(record.path)), decision, record.size);
    addVerdict(this.licences.get(record.licence.expression), decision, record.size);
    const modality = modalityOf(record.mediaType);
    let m = this.modalities.get(modality);
    if (!m) this.modalities.set(modality, (m = newVerdictTally()));
    addVerdict(m, decision, record.size);

    const seen = new Set<string>();
    for (const r of record.verdict.reasons) {
      const key = `${r.decision}\u0000${r.code}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let t = this.reasons[r.decision].get(r.code);
      if (!t) this.reasons[r.decision].set(r.code, (t = { files: 0, samples: [] }));
      t.files++;
      keepFirst(t.samples, { path: record.path, message: r.message }, this.samples);
    }

    if (record.optOuts.some((o) => o.reserved === 'yes')) this.reservedFiles++;
    if (record.tpm.length > 0) this.tpmFiles++;
    const byProtocol = new Map<string, ProtocolTally>();
    for (const o of record.optOuts) {
      let p = this.protocols.get(o.protocol);
      if (!p) this.protocols.set(o.protocol, (p = { yes: 0, unknown: 0, no: 0, excluded: 0, review: 0, notHonoured: 0, samples: [] }));
      byProtocol.set(o.protocol, p);
    }
    for (const [protocol, p] of byProtocol) {
      const states = new Set(record.optOuts.filter((o) => o.protocol === protocol).map((o) => o.reserved));
      // One answer per file and protocol: a reservation anywhere wins over doubt, doubt over a "no".
      if (states.has('yes')) p.yes++;
      else if (states.has('unknown')) p.unknown++;
      else p.no++;
    }
    // What each protocol's reservation did to the file under the policy.
    const outcome = new Map<string, Decision | 'not-honoured'>();
    for (const r of record.verdict.reasons) {
      const protocol = reasonProtocol(record, r);
      if (protocol === undefined) continue;
      const prev = outcome.get(protocol);
      const now: Decision | 'not-honoured' = r.code === 'optout.not-honoured' ? 'not-honoured' : r.decision;
      if (prev === undefined || rank(now) > rank(prev)) outcome.set(protocol, now);
    }
    for (const [protocol, what] of outcome) {
      const p = this.protocols.get(protocol);
      if (!p) continue;
      if (what === 'exclude') p.excluded++;
      else if (what === 'review') p.review++;
      else if (what === 'not-honoured') p.notHonoured++;
      if (what === 'exclude' || what === 'review') keepFirst(p.samples, { path: record.path, message: '' }, this.samples);
    }

    const schemes = new Set<string>();
    for (const t of record.tpm) {
      const key = `${t.format}/${t.scheme}`;
      if (schemes.has(key)) continue;
      schemes.add(key);
      let s = this.tpm.get(key);
      if (!s) this.tpm.set(key, (s = { files: 0, needsSecret: 0, excluded: 0, review: 0, samples: [] }));
      s.files++;
      if (t.needsSecret) s.needsSecret++;
      if (decision === 'exclude' && blockingReasons(record).some((r) => r.code.startsWith('tpm.'))) s.excluded++;
      if (decision === 'review' && blockingReasons(record).some((r) => r.code.startsWith('tpm.'))) s.review++;
      keepFirst(s.samples, { path: record.path, message: t.system ?? '' }, this.samples);
    }

    for (const code of new Set(record.errors.map((e) => e.code))) {
      let e = this.errors.get(code);
      if (!e) this.errors.set(code, (e = { files: 0, samples: [] }));
      e.files++;
      keepFirst(e.samples, { path: record.path, message: record.errors.find((x) => x.code === code)?.message ?? '' }, this.samples);
    }

    for (const e of datasetWideLicences(record)) if (this.datasetLicences.size < 16) this.datasetLicences.add(e);
  }

  /** Reasons with the given decision, most files first. */
  topReasons(decision: Decision, n = 10): [string, ReasonTally][] {
    return [...this.reasons[decision]].sort((a, b) => b[1].files - a[1].files || compare(a[0], b[0])).slice(0, n);
  }
}

export interface Sample {
  path: string;
  message: string;
}
export interface ReasonTally {
  files: number;
  samples: Sample[];
}
export interface ProtocolTally {
  /** Files with a reservation in force (`reserved: yes`). */
  yes: number;
  /** Files where the protocol may reserve but could not be read for sure. */
  unknown: number;
  /** Files where the protocol says explicitly that nothing is reserved. */
  no: number;
  /** Files this protocol's reservation excluded, or sent to review, under the policy. */
  excluded: number;
  review: number;
  /** Files where the policy chose not to honour this protocol. */
  notHonoured: number;
  samples: Sample[];
}
export interface TpmTally {
  files: number;
  needsSecret: number;
  excluded: number;
  review: number;
  samples: Sample[];
}
export interface VerdictTally {
  files: number;
  bytes: number;
  allow: number;
  review: number;
  exclude: number;
  /** Bytes of the files allowed. */
  allowBytes: number;
}

function newVerdictTally(): VerdictTally {
  return { files: 0, bytes: 0, allow: 0, review: 0, exclude: 0, allowBytes: 0 };
}

function addVerdict(t: VerdictTally, decision: Decision, size: number): void {
  t.files++;
  t.bytes += size;
  t[decision]++;
  if (decision === 'allow') t.allowBytes += size;
}

function rank(d: Decision | 'not-honoured'): number {
  return d === 'exclude' ? 3 : d === 'review' ? 2 : d === 'not-honoured' ? 1 : 0;
}

/** A map that stops growing at `max` keys; later keys count under `overflow`. */
export class CappedMap<V> {
  private readonly map = new Map<string, V>();
  /** Whether some keys were folded into the overflow entry. */
  overflowed = false;
  constructor(
    private readonly max: number,
    readonly overflow: string,
    private readonly make: () => V,
  ) {}
  get(key: string): V {
    let v = this.map.get(key);
    if (v) return v;
    if (this.map.size >= this.max && key !== this.overflow) {
      this.overflowed = true;
      return this.get(this.overflow);
    }
    this.map.set(key, (v = this.make()));
    return v;
  }
  entries(): [string, V][] {
    return [...this.map];
  }
  get size(): number {
    return this.map.size;
  }
}

/** Byte-wise string order, stable across locales. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Keeps the `max` samples with the smallest paths: the same examples whatever order the scan
 * finished files in, so two reports of one dataset agree.
 */
function keepFirst(samples: Sample[], sample: Sample, max: number): void {
  if (samples.length >= max && sample.path >= samples[samples.length - 1]!.path) return;
  samples.push(sample);
  samples.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (samples.length > max) samples.length = max;
}
