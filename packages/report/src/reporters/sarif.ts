import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Evidence, Finding, ScanRecord, Summary } from '@clearance/core';
import { DECISION_LEVEL, blockingReasons, maxLevel, reasonCategory, reasonEvidence, severityLevel, type Level } from '../facts.js';
import { formatCount } from '../format.js';
import { catalogueOf, docsBaseOf, docsUrl, envOf } from '../options.js';
import { REASON_DOCS } from '../reasons.js';
import type { CatalogueEntry, ReporterFactory } from '../reporter.js';
import { createSpill, type Spill } from '../spill.js';

/**
 * SARIF 2.1.0 for code-scanning uploads (`github/codeql-action/upload-sarif`) and SARIF viewers.
 *
 * - **Rules**: one per finding code of the detectors' registry (title, meaning, what to do, a
 *   `helpUri` to `docs/findings/<code>.md` when the docs' address is known — see
 *   `ReporterOptions.docsBaseUrl`), and one per policy reason (`verdict/<reason>`).
 * - **Results**: each finding on the file that holds its evidence (not again on every file that
 *   inherits it), at its line; its level is the finding's severity, raised to `error` or `warning`
 *   when the file is excluded or sent to review for a reason of the same kind (licence, opt-out,
 *   TPM). A reason that no finding of the file itself explains — a reservation inherited from a
 *   robots.txt above, no licence at all, a read error — gives a `verdict/<reason>` result on the
 *   file, with the evidence elsewhere as a related location.
 * - **Locations**: URIs relative to the dataset (`uriBaseId: DATASET`, defined in
 *   `originalUriBaseIds`), or to the repository (`SRCROOT`) when run in GitHub Actions on a dataset
 *   inside `GITHUB_WORKSPACE`, so that code scanning can show them on the files.
 *
 * Bounded: results are spilled to temporary files by level and the run keeps at most
 * `sarifMaxResults` (default 25 000, GitHub's limit per run), errors first, then warnings, then
 * notes; a tool notification says how many were left out.
 */
export const sarif: ReporterFactory = (output, options) => {
  const catalogue = catalogueOf(options);
  const docsBase = docsBaseOf(options);
  const env = envOf(options);
  const max = options?.sarifMaxResults ?? 25_000;
  const rules = new RuleSet(docsBase);
  for (const entry of catalogue) rules.addFinding(entry);
  for (const code of Object.keys(REASON_DOCS)) rules.addReason(code);
  const docs = new Map(catalogue.map((e) => [e.code, e]));
  const spills: Partial<Record<Level, Spill>> = {};
  const counts: Record<Level, number> = { error: 0, warning: 0, note: 0 };

  return {
    async onRecord(record) {
      for (const result of resultsFor(record, rules, docs)) {
        counts[result.level]++;
        const spill = (spills[result.level] ??= await createSpill(options?.tmpdir));
        if (spill.lines < max) await spill.writeLine(JSON.stringify(result));
      }
    },
    async onEnd(s) {
      try {
        const base = uriBase(s, env);
        const total = counts.error + counts.warning + counts.note;
        const kept = Math.min(total, max);
        const notifications: unknown[] = [];
        if (total > kept) {
          notifications.push({
            level: 'warning',
            message: { text: `${formatCount(total - kept)} of ${formatCount(total)} results were left out to stay within ${formatCount(max)} results per run (errors are kept first, then warnings, then notes). The JSON Lines report has every file.` },
          });
        }
        if (s.interrupted) notifications.push({ level: 'warning', message: { text: 'The scan was interrupted: only the files scanned before it stopped are reported.' } });
        const run = {
          tool: {
            driver: {
              name: 'Clearance',
              fullName: `Clearance ${s.tool.version}: licences, text-and-data-mining opt-outs and TPMs of training data`,
              version: s.tool.version,
              semanticVersion: s.tool.version,
              rules: rules.list,
            },
          },
          invocations: [
            {
              executionSuccessful: !s.interrupted,
              startTimeUtc: s.startedAt,
              endTimeUtc: s.finishedAt,
              ...(notifications.length > 0 ? { toolExecutionNotifications: notifications } : {}),
            },
          ],
          originalUriBaseIds: base.originalUriBaseIds,
          columnKind: 'unicodeCodePoints',
          properties: { summary: s },
        };
        const head = JSON.stringify({ $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] }, null, 2);
        // The results go where the run object ends: `…"properties": {…}\n  }\n  ]\n}`.
        const cut = head.lastIndexOf('}', head.lastIndexOf(']'));
        await output.write(`${head.slice(0, cut).trimEnd()},\n      "results": [`);
        let written = 0;
        for (const level of ['error', 'warning', 'note'] as const) {
          const spill = spills[level];
          if (!spill) continue;
          for await (const line of spill.readLines(kept - written)) {
            await output.write(`${written === 0 ? '\n' : ',\n'}        ${base.rewrite(line)}`);
            written++;
          }
        }
        await output.write(`${written > 0 ? '\n      ' : ''}]\n    ${head.slice(cut)}\n`);
      } finally {
        for (const spill of Object.values(spills)) await spill.close();
      }
    },
  };
};

/** The `$schema` written into SARIF files: the OASIS 2.1.0 (errata 01) schema. */
export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

interface Result {
  ruleId: string;
  ruleIndex: number;
  level: Level;
  message: { text: string };
  locations: unknown[];
  relatedLocations?: unknown[];
  properties?: Record<string, unknown>;
}

/** The results of one record: its own findings, then the reasons none of them explains. */
function resultsFor(record: ScanRecord, rules: RuleSet, docs: ReadonlyMap<string, CatalogueEntry>): Result[] {
  const out: Result[] = [];
  const blocking = blockingReasons(record);
  const explained = new Set<string>();
  for (const f of record.findings) {
    if (f.inherited === true || f.evidence.path !== record.path) continue;
    const matching = blocking.filter((r) => reasonCategory(r.code) === f.category);
    let level = severityLevel(f.severity);
    for (const r of matching) {
      level = maxLevel(level, DECISION_LEVEL[r.decision]);
      explained.add(r.code);
    }
    const title = docs.get(f.code)?.doc.title ?? f.code;
    const because = matching.length > 0 ? ` — ${matching.map((r) => `${r.decision}: ${r.message}`).join('; ')}` : '';
    out.push({
      ruleId: f.code,
      ruleIndex: rules.indexOf(f.code) ?? rules.addFinding({ code: f.code, detector: f.detector, doc: { title: f.code, meaning: f.code, action: '' } }),
      level,
      message: { text: `${title}: ${describe(f)}${because}` },
      locations: [location(record, f.evidence)],
      properties: { category: f.category, detector: f.detector, confidence: f.confidence, verdict: record.verdict.decision },
    });
  }
  for (const r of blocking) {
    if (explained.has(r.code)) continue;
    explained.add(r.code);
    const id = `verdict/${r.code}`;
    const evidence = reasonEvidence(record, r);
    const local = evidence && evidence.path === record.path ? evidence : undefined;
    out.push({
      ruleId: id,
      ruleIndex: rules.indexOf(id) ?? rules.addReason(r.code),
      level: DECISION_LEVEL[r.decision],
      message: { text: `${r.decision}: ${r.message}` },
      locations: [location(record, local)],
      ...(evidence && !local ? { relatedLocations: [{ id: 1, ...location(record, evidence), message: { text: 'evidence' } }] } : {}),
      properties: { verdict: record.verdict.decision },
    });
  }
  return out;
}

/** A finding's value in a few words. */
function describe(f: Finding): string {
  switch (f.category) {
    case 'licence':
      return f.value.expression ?? 'licence present but not identified';
    case 'opt-out':
      return `${f.value.protocol} reserved=${f.value.reserved}${f.value.rule ? ` (${f.value.rule})` : ''}`;
    case 'tpm':
      return `${f.value.format} ${f.value.scheme}${f.value.system ? ` (${f.value.system})` : ''}${f.value.needsSecret ? ', needs a secret to open' : ''}${f.value.denied.length > 0 ? `; denies ${f.value.denied.join(', ')}` : ''}`;
    default:
      return f.scope.kind === 'file' ? 'in this file' : `applies to ${f.scope.root === '' ? 'the whole dataset' : `${f.scope.root}/`}`;
  }
}

function location(record: ScanRecord, evidence: Evidence | undefined): Record<string, unknown> {
  const where = evidence?.path ?? record.path;
  const region: Record<string, unknown> = {};
  if (evidence?.line !== undefined) {
    region['startLine'] = evidence.line;
    if (evidence.column !== undefined) region['startColumn'] = evidence.column;
  } else if (evidence?.byteOffset !== undefined) {
    region['byteOffset'] = evidence.byteOffset;
  }
  if (evidence?.excerpt && Object.keys(region).length > 0) region['snippet'] = { text: evidence.excerpt };
  return {
    physicalLocation: {
      artifactLocation: { uri: where === record.path ? pathUri(record.path, record.pathBytes) : pathUri(where), uriBaseId: 'DATASET' },
      ...(Object.keys(region).length > 0 ? { region } : {}),
    },
  };
}

/**
 * A relative path as a URI reference: each segment percent-encoded. A name that is not UTF-8 is
 * encoded from its raw bytes (`pathBytes`), not from the `%XX` text the record shows for it.
 */
export function pathUri(p: string, pathBytes?: string): string {
  if (pathBytes !== undefined && /^[0-9a-f]*$/i.test(pathBytes)) {
    let out = '';
    for (const byte of Buffer.from(pathBytes, 'hex')) {
      const c = String.fromCharCode(byte);
      out += /[A-Za-z0-9\-._~/]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    return out;
  }
  return p.split('/').map(encodeURIComponent).join('/');
}

interface UriBase {
  originalUriBaseIds: Record<string, unknown>;
  rewrite(line: string): string;
}

/**
 * Where relative URIs start. In GitHub Actions, on a local dataset inside GITHUB_WORKSPACE, the
 * results are rewritten relative to the repository (SRCROOT) so that code scanning finds the files.
 */
function uriBase(s: Summary, env: Readonly<Record<string, string | undefined>>): UriBase {
  const local = s.source.name === 'local' && path.isAbsolute(s.source.location);
  const datasetUri = local ? pathToFileURL(s.source.location.endsWith(path.sep) ? s.source.location : `${s.source.location}${path.sep}`).href : absoluteUrl(s.source.location);
  const dataset = { ...(datasetUri ? { uri: datasetUri.endsWith('/') ? datasetUri : `${datasetUri}/` } : {}), description: { text: 'The root of the scanned dataset.' } };
  const workspace = env['GITHUB_ACTIONS'] === 'true' ? env['GITHUB_WORKSPACE'] : undefined;
  if (local && workspace && path.isAbsolute(workspace)) {
    const prefix = path.relative(workspace, s.source.location).split(path.sep).join('/');
    if (!prefix.startsWith('..') && !path.isAbsolute(prefix)) {
      const uriPrefix = prefix === '' ? '' : `${pathUri(prefix)}/`;
      return {
        originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(`${workspace}${path.sep}`).href, description: { text: 'The repository checked out by GitHub Actions.' } }, DATASET: dataset },
        rewrite: (line) => line.replace(/"uri":"((?:[^"\\]|\\.)*)","uriBaseId":"DATASET"/g, (_m, uri: string) => `"uri":"${uriPrefix}${uri}","uriBaseId":"SRCROOT"`),
      };
    }
  }
  return { originalUriBaseIds: { DATASET: dataset }, rewrite: (line) => line };
}

function absoluteUrl(text: string): string | undefined {
  try {
    return new URL(text).href;
  } catch {
    return undefined;
  }
}

/** The run's rules, in the order of their `ruleIndex`. */
class RuleSet {
  readonly list: Record<string, unknown>[] = [];
  private readonly index = new Map<string, number>();
  constructor(private readonly docsBase: string | undefined) {}

  indexOf(id: string): number | undefined {
    return this.index.get(id);
  }

  addFinding({ code, detector, doc }: CatalogueEntry): number {
    const helpUri = docsUrl(this.docsBase, code);
    return this.add(code, {
      id: code,
      name: ruleName(code),
      shortDescription: { text: doc.title },
      fullDescription: { text: doc.meaning },
      help: { text: `${doc.meaning}\n\nWhat to do: ${doc.action}`, markdown: `**${doc.title}**\n\n${doc.meaning}\n\n**What to do.** ${doc.action}` },
      ...(helpUri ? { helpUri } : {}),
      properties: { tags: ['clearance', category(code)], detector },
    });
  }

  addReason(code: string): number {
    const doc = REASON_DOCS[code] ?? { title: code, meaning: `Policy reason ${code}.` };
    const helpUri = this.docsBase ? new URL('docs/policy.md', this.docsBase).href : undefined;
    return this.add(`verdict/${code}`, {
      id: `verdict/${code}`,
      name: ruleName(`verdict.${code}`),
      shortDescription: { text: doc.title },
      fullDescription: { text: doc.meaning },
      help: { text: `${doc.meaning} The policy decides what this reason does: see docs/policy.md.` },
      ...(helpUri ? { helpUri } : {}),
      properties: { tags: ['clearance', 'verdict', reasonCategory(code) ?? 'policy'] },
    });
  }

  private add(id: string, rule: Record<string, unknown>): number {
    const known = this.index.get(id);
    if (known !== undefined) return known;
    this.list.push(rule);
    this.index.set(id, this.list.length - 1);
    return this.list.length - 1;
  }
}

/** `optout.tdmrep.reserved` → `OptoutTdmrepReserved` (SARIF's optional, identifier-like rule name). */
function ruleName(code: string): string {
  return code
    .split(/[.\-/]/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function category(code: string): string {
  const head = code.slice(0, code.indexOf('.'));
  return head === 'optout' ? 'opt-out' : head;
}
