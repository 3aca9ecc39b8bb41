import type { ScanRecord } from '../schema/record.js';
import type { Summary } from '../schema/summary.js';

type Counts = Record<string, number>;

function bump(counts: Counts, key: string, by = 1): void {
  counts[key] = (counts[key] ?? 0) + by;
}

/** Adds records up as they stream past; holds counts only, never records. */
export class SummaryBuilder {
  files = 0;
  markers = 0;
  bytes = 0;
  bytesRead = 0;
  filesWithErrors = 0;
  readonly verdicts = { allow: 0, review: 0, exclude: 0 };
  readonly licences: Counts = Object.create(null) as Counts;
  readonly optOuts: Counts = Object.create(null) as Counts;
  readonly tpm: Counts = Object.create(null) as Counts;
  readonly mediaTypes: Counts = Object.create(null) as Counts;
  readonly findings: Counts = Object.create(null) as Counts;
  readonly errors: Counts = Object.create(null) as Counts;
  readonly reasons: Counts = Object.create(null) as Counts;
  readonly holders: Counts = Object.create(null) as Counts;
  /** First spelling of each holder, by its case-folded form. */
  readonly #holderNames = new Map<string, string>();
  /** Files per holder, by its case-folded form. */
  readonly #holderCounts: Counts = Object.create(null) as Counts;
  holdersTruncated = false;
  notices = 0;
  filesWithNotice = 0;
  readonly containers = { opened: 0, incomplete: 0, members: 0, rows: 0, memberBytes: 0 };

  add(record: ScanRecord): void {
    this.files++;
    if (record.marker) this.markers++;
    // Members' bytes are inside their container's: counted apart, not twice.
    if (record.container) this.containers.memberBytes += record.size;
    else this.bytes += record.size;
    if (record.contents) {
      this.containers.opened++;
      if (!record.contents.complete) this.containers.incomplete++;
      if (record.contents.rows) this.containers.rows += record.contents.members;
      else this.containers.members += record.contents.members;
    }
    this.bytesRead += record.read.bytes;
    this.verdicts[record.verdict.decision]++;
    bump(this.licences, record.licence.expression);
    for (const p of new Set(record.optOuts.filter((o) => o.reserved === 'yes').map((o) => o.protocol))) bump(this.optOuts, p);
    for (const k of new Set(record.tpm.map((t) => `${t.format}/${t.scheme}`))) bump(this.tpm, k);
    if (record.mediaType) bump(this.mediaTypes, record.mediaType);
    // Each finding once, on the file that holds its evidence: not again on every file that inherits it.
    for (const f of record.findings) if (f.inherited !== true) bump(this.findings, f.code);
    for (const e of record.errors) bump(this.errors, e.code);
    if (record.errors.length > 0) this.filesWithErrors++;
    for (const r of new Set(record.verdict.reasons.map((x) => x.code))) bump(this.reasons, r);
    this.#addHolders(record);
  }

  #addHolders(record: ScanRecord): void {
    const names = new Set<string>();
    for (const f of record.findings) {
      if (f.category !== 'provenance' || f.shadowed === true) continue;
      const value = f.value as { holder?: unknown; notices?: unknown; of?: unknown };
      // The FSF's notice on a GNU licence text is the text's, not the data's.
      if (value.of === 'licence-text') continue;
      const found: string[] = [];
      if (typeof value.holder === 'string') found.push(value.holder);
      if (Array.isArray(value.notices)) for (const n of value.notices as { holder?: unknown }[]) if (typeof n?.holder === 'string') found.push(n.holder);
      if (found.length > 0 && f.inherited !== true) this.notices++;
      for (const h of found) {
        const name = h.trim();
        if (name !== '') names.add(name);
      }
    }
    if (names.size === 0) return;
    this.filesWithNotice++;
    const seen = new Set<string>();
    for (const name of names) {
      const key = name.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const shown = this.#holderNames.get(key);
      if (shown === undefined) {
        if (this.#holderNames.size >= 10_000) {
          this.holdersTruncated = true;
          bump(this.holders, '(other)');
          continue;
        }
        this.#holderNames.set(key, name);
      } else if (name < shown) {
        // Of several spellings, the one that sorts first is shown: the same whatever order files finish in.
        this.#holderNames.set(key, name);
      }
      bump(this.#holderCounts, key);
    }
  }

  #holders(): Counts {
    const out: Counts = Object.assign(Object.create(null) as Counts, this.holders);
    for (const [key, n] of Object.entries(this.#holderCounts)) bump(out, this.#holderNames.get(key)!, n);
    return out;
  }

  build(meta: Omit<Summary, 'files' | 'markers' | 'bytes' | 'bytesRead' | 'verdicts' | 'licences' | 'optOuts' | 'tpm' | 'mediaTypes' | 'findings' | 'errors' | 'filesWithErrors' | 'reasons' | 'copyright' | 'containers'>): Summary {
    return {
      ...meta,
      files: this.files,
      markers: this.markers,
      bytes: this.bytes,
      bytesRead: this.bytesRead,
      verdicts: { ...this.verdicts },
      licences: sorted(this.licences),
      optOuts: sorted(this.optOuts),
      tpm: sorted(this.tpm),
      mediaTypes: sorted(this.mediaTypes),
      findings: sorted(this.findings),
      errors: sorted(this.errors),
      filesWithErrors: this.filesWithErrors,
      reasons: sorted(this.reasons),
      containers: { ...this.containers },
      copyright: { holders: sorted(this.#holders()), notices: this.notices, filesWithNotice: this.filesWithNotice, holdersTruncated: this.holdersTruncated },
    };
  }
}

/** Largest count first, then by key: stable output for diffs. */
function sorted(counts: Counts): Counts {
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}
