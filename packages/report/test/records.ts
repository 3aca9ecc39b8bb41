/**
 * Synthetic records and summaries for reporter tests and the memory bench: a news site under a
 * robots.txt reservation, web pages under TDMRep (some unclear), encrypted and restricted PDFs,
 * photos and code under open licences, unlicensed data, a GPL folder the policy does not list, and
 * a few unreadable files. Deterministic: record `i` is always the same. The verdicts and reason
 * messages are written the way the default policy writes them.
 */
import { createHash } from 'node:crypto';
import type { Decision, Finding, Reason, ScanRecord, Summary } from '@clearance/core';

const SHA = (s: string) => createHash('sha256').update(s).digest('hex');

function finding(code: string, category: Finding['category'], value: Record<string, unknown>, evidence: Finding['evidence'], extra: Partial<Finding> = {}): Finding {
  return {
    code,
    category,
    detector: code.split('.')[1] ?? 'test',
    confidence: 1,
    severity: 'info',
    evidence,
    scope: { kind: 'file', root: evidence.path },
    url: `docs/findings/${code}.md`,
    value,
    ...extra,
  } as Finding;
}

function verdict(reasons: Reason[]): ScanRecord['verdict'] {
  const rank: Record<Decision, number> = { allow: 0, review: 1, exclude: 2 };
  let decision: Decision = 'allow';
  for (const r of reasons) if (rank[r.decision] > rank[decision]) decision = r.decision;
  return { decision, reasons };
}

function base(path: string, size: number, mediaType: string, licence: string, basis: string[]): ScanRecord {
  return {
    path,
    size,
    mtime: '2026-03-01T12:00:00.000Z',
    sha256: SHA(path),
    mediaType,
    marker: false,
    licence: { expression: licence, confidence: licence === 'NOASSERTION' ? 0 : 0.9, source: basis.length > 0 ? 'subtree' : 'none', basis, conflicts: [] },
    optOuts: [],
    tpm: [],
    findings: [],
    verdict: { decision: 'allow', reasons: [] },
    errors: [],
    read: { bytes: Math.min(size, 4096), requests: 1 },
  };
}

const allowed = (expr: string): Reason => ({ code: 'licence.allowed', decision: 'allow', message: `${expr} is allowed` });

/** The `i`-th synthetic record. */
export function syntheticRecord(i: number): ScanRecord {
  const kind = i % 20;
  const n = String(i).padStart(7, '0');
  if (i % 97 === 96) {
    const r = base(`archive/locked-${n}.bin`, 0, 'application/octet-stream', 'NOASSERTION', []);
    r.sha256 = null;
    r.mediaType = null;
    r.errors = [{ code: 'ERR_PERMISSION_DENIED', message: 'permission denied' }];
    r.verdict = verdict([
      { code: 'error', decision: 'review', message: 'ERR_PERMISSION_DENIED: permission denied' },
      { code: 'licence.unknown', decision: 'review', message: 'no licence found' },
    ]);
    return r;
  }
  if (kind < 5) {
    // news/: a robots.txt at the top of the folder disallows AI crawlers everywhere.
    const r = base(`news/articles/2026/story-${n}.html`, 8_000 + (i % 900), 'text/html', 'NOASSERTION', []);
    const ev = { path: 'news/robots.txt', line: 4, excerpt: 'User-agent: GPTBot' };
    r.findings = [finding('optout.robots.disallow', 'opt-out', { protocol: 'robots', reserved: 'yes', level: 'site', rule: 'User-agent: GPTBot; Disallow: /' }, ev, { inherited: true, scope: { kind: 'subtree', root: 'news' } })];
    r.optOuts = [{ protocol: 'robots', reserved: 'yes', level: 'site', rule: 'User-agent: GPTBot; Disallow: /', code: 'optout.robots.disallow', scope: { kind: 'subtree', root: 'news' }, evidence: ev }];
    r.verdict = verdict([
      { code: 'optout.reserved', decision: 'exclude', message: 'robots reserves text and data mining (news/robots.txt, User-agent: GPTBot; Disallow: /)' },
      { code: 'licence.unknown', decision: 'review', message: 'no licence found' },
    ]);
    return r;
  }
  if (kind < 8) {
    // web/: TDMRep at the site root; one page in three is matched by a pattern that cannot be read for sure.
    const unclear = kind === 7;
    const r = base(`web/pages/page-${n}.html`, 12_000 + (i % 3000), 'text/html', 'CC-BY-4.0', ['web/README.md']);
    const ev = { path: 'web/.well-known/tdmrep.json', line: 3, excerpt: '"tdm-reservation": 1' };
    const lic = finding('licence.dataset-card', 'licence', { expression: 'CC-BY-4.0' }, { path: 'web/README.md', line: 2, excerpt: 'license: cc-by-4.0' }, { inherited: true, scope: { kind: 'subtree', root: 'web' } });
    r.findings = [finding('optout.tdmrep.reserved', 'opt-out', { protocol: 'tdmrep', reserved: unclear ? 'unknown' : 'yes', level: 'site', rule: 'location: /pages/*' }, ev, { inherited: true, scope: { kind: 'subtree', root: 'web' } }), lic];
    r.optOuts = [{ protocol: 'tdmrep', reserved: unclear ? 'unknown' : 'yes', level: 'site', rule: 'location: /pages/*', code: 'optout.tdmrep.reserved', scope: { kind: 'subtree', root: 'web' }, evidence: ev }];
    r.verdict = verdict([
      unclear
        ? { code: 'optout.unknown', decision: 'review', message: 'tdmrep may reserve text and data mining, but it cannot be read for sure (web/.well-known/tdmrep.json, location: /pages/*)' }
        : { code: 'optout.reserved', decision: 'exclude', message: 'tdmrep reserves text and data mining (web/.well-known/tdmrep.json, location: /pages/*)' },
      allowed('CC-BY-4.0'),
    ]);
    return r;
  }
  if (kind < 10) {
    // books/: PDFs, half encrypted with a user password, half with restrictions only.
    const secret = kind === 8;
    const r = base(`books/${secret ? 'locked' : 'restricted'}/book-${n}.pdf`, 400_000 + (i % 50_000), 'application/pdf', 'CC-BY-NC-4.0', ['books/LICENSE']);
    const ev = { path: r.path, byteOffset: 1234, excerpt: '/Filter /Standard /V 5 /R 6' };
    r.findings = [
      finding(secret ? 'tpm.pdf.encrypted' : 'tpm.pdf.restricted', 'tpm', { format: 'pdf', scheme: 'standard-security', system: 'AES-256', needsSecret: secret, denied: secret ? [] : ['copy', 'modify'] }, ev, { severity: secret ? 'error' : 'warning' }),
    ];
    r.tpm = [{ format: 'pdf', scheme: 'standard-security', system: 'AES-256', needsSecret: secret, denied: secret ? [] : ['copy', 'modify'], code: secret ? 'tpm.pdf.encrypted' : 'tpm.pdf.restricted', evidence: ev }];
    r.verdict = verdict([
      { code: secret ? 'tpm.present' : 'tpm.restrictions', decision: secret ? 'exclude' : 'review', message: `pdf standard-security (AES-256)${secret ? ', needs a secret to open' : '; denies copy, modify'}` },
      { code: 'licence.unlisted', decision: 'review', message: 'CC-BY-NC-4.0 is neither allowed nor denied by the policy' },
    ]);
    return r;
  }
  if (kind < 14) {
    const r = base(`images/photos/${String(i % 1000).padStart(3, '0')}/photo-${n}.jpg`, 250_000 + (i % 100_000), 'image/jpeg', 'CC-BY-4.0', ['images/README.md']);
    r.findings = [finding('licence.dataset-card', 'licence', { expression: 'CC-BY-4.0' }, { path: 'images/README.md', line: 2, excerpt: 'license: cc-by-4.0' }, { inherited: true, scope: { kind: 'subtree', root: 'images' } })];
    r.verdict = verdict([allowed('CC-BY-4.0')]);
    return r;
  }
  if (kind < 17) {
    const gpl = kind === 16;
    const expr = gpl ? 'GPL-3.0-or-later' : 'MIT';
    const r = base(`code/${gpl ? 'gpl' : 'mit'}/module_${n}.py`, 3_000 + (i % 4000), 'text/x-python', expr, []);
    r.licence.source = 'file';
    r.licence.basis = [r.path];
    r.findings = [finding('licence.spdx.tag', 'licence', { expression: expr }, { path: r.path, line: 1, excerpt: `# SPDX-License-Identifier: ${expr}` })];
    r.verdict = verdict([gpl ? { code: 'licence.unlisted', decision: 'review', message: `${expr} is neither allowed nor denied by the policy` } : allowed(expr)]);
    return r;
  }
  if (kind < 19) {
    const r = base(`data/tables/table-${n}.csv`, 50_000 + (i % 20_000), 'text/csv', 'NOASSERTION', []);
    r.verdict = verdict([{ code: 'licence.unknown', decision: 'review', message: 'no licence found' }]);
    return r;
  }
  const r = base(`audio/clips/clip-${n}.ogg`, 900_000 + (i % 10_000), 'audio/ogg', 'CC0-1.0', ['audio/LICENSE']);
  r.findings = [finding('licence.file', 'licence', { expression: 'CC0-1.0' }, { path: 'audio/LICENSE', line: 1 }, { inherited: true, scope: { kind: 'subtree', root: 'audio' } })];
  r.verdict = verdict([allowed('CC0-1.0')]);
  return r;
}

/** Adds records up the way the engine's summary does (counts only). */
export class SummaryOf {
  private files = 0;
  private bytes = 0;
  private readonly verdicts = { allow: 0, review: 0, exclude: 0 };
  private readonly counts = { licences: {}, optOuts: {}, tpm: {}, mediaTypes: {}, findings: {}, errors: {}, reasons: {} } as Record<'licences' | 'optOuts' | 'tpm' | 'mediaTypes' | 'findings' | 'errors' | 'reasons', Record<string, number>>;
  private filesWithErrors = 0;

  add(r: ScanRecord): void {
    const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
    this.files++;
    this.bytes += r.size;
    this.verdicts[r.verdict.decision]++;
    bump(this.counts.licences, r.licence.expression);
    for (const p of new Set(r.optOuts.filter((o) => o.reserved === 'yes').map((o) => o.protocol))) bump(this.counts.optOuts, p);
    for (const k of new Set(r.tpm.map((t) => `${t.format}/${t.scheme}`))) bump(this.counts.tpm, k);
    if (r.mediaType) bump(this.counts.mediaTypes, r.mediaType);
    for (const f of r.findings) if (f.inherited !== true) bump(this.counts.findings, f.code);
    for (const e of r.errors) bump(this.counts.errors, e.code);
    if (r.errors.length > 0) this.filesWithErrors++;
    for (const c of new Set(r.verdict.reasons.map((x) => x.code))) bump(this.counts.reasons, c);
  }

  build(location = '/data/synthetic-corpus'): Summary {
    return {
      schemaVersion: 1,
      tool: { name: 'clearance', version: '0.1.0' },
      rulesets: { 'spdx-tag': '1.0.0', 'spdx-license-ids': '3.0.24', robots: '1.0.0', tdmrep: '1.0.0', 'pdf-encryption': '1.0.0' },
      source: { name: 'local', location },
      policy: { sha256: 'a'.repeat(64), origin: 'built-in default' },
      hashing: true,
      startedAt: '2026-03-02T09:00:00.000Z',
      finishedAt: '2026-03-02T09:04:10.250Z',
      durationMs: 250_250,
      interrupted: false,
      files: this.files,
      markers: 0,
      bytes: this.bytes,
      bytesRead: this.bytes,
      verdicts: { ...this.verdicts },
      ...this.counts,
      filesWithErrors: this.filesWithErrors,
      containers: { opened: 0, incomplete: 0, members: 0, rows: 0, memberBytes: 0 },
      copyright: { holders: { 'Kelmouth Courier Ltd.': 2 }, notices: 2, filesWithNotice: 2, holdersTruncated: false },
    };
  }
}

/** `n` synthetic records and their summary. */
export function syntheticScan(n: number, location?: string): { records: ScanRecord[]; summary: Summary } {
  const sum = new SummaryOf();
  const records: ScanRecord[] = [];
  for (let i = 0; i < n; i++) {
    const r = syntheticRecord(i);
    records.push(r);
    sum.add(r);
  }
  return { records, summary: sum.build(location) };
}
