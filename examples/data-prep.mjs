#!/usr/bin/env node
/**
 * A data-prep step built on @clearance/core: scan a dataset, keep what the policy allows, and write
 *
 * - `manifest.jsonl`: one line per file that may be trained on, `{ "path", "sha256", "licence" }`;
 * - `excluded.jsonl`: one line per file left out (verdict `exclude` or `review`), with its reasons;
 * - `scan-summary.json`: the scan's summary (tool and ruleset versions, policy hash, totals), to keep
 *   beside the manifest as the record of how it was made;
 *
 * and print a one-paragraph summary. Every file is written to a temporary name in the output folder and
 * renamed into place only when the whole scan has succeeded, so a failed or interrupted run leaves the
 * previous outputs as they were.
 *
 * Usage:
 *
 * ```sh
 * node examples/data-prep.mjs [DATASET] [--out DIR] [--policy FILE]
 * ```
 *
 * DATASET defaults to the demo dataset beside this script, DIR to `reports/data-prep` (relative to the
 * working directory) and the policy to the built-in default (see docs/policy.md).
 *
 * Lines are written in scan order, which is not stable between runs (files are read concurrently):
 * sort them (`sort manifest.jsonl`) if you diff manifests.
 */
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { builtinDetectors, loadPolicy, localSource, scan } from '@clearance/core';

/** @typedef {import('@clearance/core').PolicyInput} PolicyInput */
/** @typedef {import('@clearance/core').ResolvedPolicy} ResolvedPolicy */
/** @typedef {import('@clearance/core').ScanRecord} ScanRecord */
/** @typedef {import('@clearance/core').Summary} Summary */

/** The demo dataset that ships beside this script. */
export const DEMO_DATASET = fileURLToPath(new URL('./demo-dataset', import.meta.url));

/**
 * One line of `manifest.jsonl`.
 * @typedef {object} ManifestLine
 * @property {string} path relative POSIX path inside the dataset
 * @property {string | null} sha256 hex sha256 of the file's bytes
 * @property {string} licence the effective SPDX licence expression
 */

/**
 * One line of `excluded.jsonl`.
 * @typedef {object} ExcludedLine
 * @property {string} path
 * @property {string | null} sha256
 * @property {'exclude' | 'review'} decision `exclude`: the policy forbids it; `review`: a person must decide
 * @property {string} licence the effective licence expression, `NOASSERTION` when unknown
 * @property {{ code: string, decision: string, message: string }[]} reasons the rules that kept the file out
 */

/**
 * Options of {@link prepare}.
 * @typedef {object} PrepareOptions
 * @property {string} root the dataset folder to scan
 * @property {string} outDir where to write the outputs; created if missing
 * @property {PolicyInput | ResolvedPolicy | string} [policy] a policy object, one resolved with
 *   `loadPolicy`, or the path of a YAML or JSON policy file. Default: the built-in default policy.
 * @property {AbortSignal} [signal] aborts the scan; nothing is then written
 */

/**
 * What {@link prepare} wrote and counted.
 * @typedef {object} PrepareResult
 * @property {string} manifestPath absolute path of `manifest.jsonl`
 * @property {string} excludedPath absolute path of `excluded.jsonl`
 * @property {string} summaryPath absolute path of `scan-summary.json`
 * @property {number} kept files in the manifest
 * @property {number} left files in `excluded.jsonl` (verdict `exclude` or `review`)
 * @property {Record<string, number>} leftBy reason codes that kept files out, with how many files each
 * @property {Record<string, number>} keptLicences licence expressions of the kept files, with counts
 * @property {Summary} summary the scan's summary
 */

/**
 * Scans `root`, writes the training manifest, the excluded list and the scan summary into `outDir`
 * atomically, and returns what it counted. Rejects, leaving `outDir` as it was, if the scan fails.
 *
 * @param {PrepareOptions} options
 * @returns {Promise<PrepareResult>}
 */
export async function prepare({ root, outDir, policy, signal }) {
  const resolvedPolicy = typeof policy === 'string' ? await loadPolicy(policy) : policy;
  const dir = path.resolve(outDir);
  await mkdir(dir, { recursive: true });
  /** @type {AtomicFile[]} */
  const files = [];
  try {
    const manifest = await AtomicFile.create(path.join(dir, 'manifest.jsonl'), files);
    const excluded = await AtomicFile.create(path.join(dir, 'excluded.jsonl'), files);
    const summaryFile = await AtomicFile.create(path.join(dir, 'scan-summary.json'), files);
    const run = scan({ source: localSource({ root }), detectors: builtinDetectors, policy: resolvedPolicy, hash: true, signal });
    let kept = 0;
    let left = 0;
    /** @type {Record<string, number>} */
    const leftBy = {};
    /** @type {Record<string, number>} */
    const keptLicences = {};
    for await (const record of run) {
      if (record.verdict.decision === 'allow') {
        kept++;
        keptLicences[record.licence.expression] = (keptLicences[record.licence.expression] ?? 0) + 1;
        /** @type {ManifestLine} */
        const line = { path: record.path, sha256: record.sha256, licence: record.licence.expression };
        await manifest.write(`${JSON.stringify(line)}\n`);
      } else {
        left++;
        // Only the rules that pushed the file out explain why it is out; `licence.allowed` would not.
        const reasons = record.verdict.reasons.filter((r) => r.decision !== 'allow');
        for (const code of new Set(reasons.map((r) => r.code))) leftBy[code] = (leftBy[code] ?? 0) + 1;
        /** @type {ExcludedLine} */
        const line = { path: record.path, sha256: record.sha256, decision: record.verdict.decision, licence: record.licence.expression, reasons };
        await excluded.write(`${JSON.stringify(line)}\n`);
      }
    }
    const summary = await run.summary;
    await summaryFile.write(`${JSON.stringify(summary, null, 2)}\n`);
    // Rename only once everything is written: a failure above leaves every previous output in place.
    for (const f of files) await f.close();
    for (const f of files) await f.commit();
    return { manifestPath: manifest.target, excludedPath: excluded.target, summaryPath: summaryFile.target, kept, left, leftBy, keptLicences, summary };
  } catch (err) {
    await Promise.all(files.map((f) => f.discard()));
    throw err;
  }
}

/**
 * The one-paragraph account of a {@link prepare} run that the CLI prints.
 *
 * @param {PrepareResult} result
 * @returns {string}
 */
export function describe(result) {
  const { summary, kept, left, leftBy, keptLicences } = result;
  const count = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const list = (counts) =>
    Object.entries(counts)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  const policyHash = summary.policy.sha256.slice(0, 12);
  const parts = [
    `Scanned ${count(summary.files, 'file')} (${formatBytes(summary.bytes)}) in ${summary.source.location} in ${(summary.durationMs / 1000).toFixed(1)} s`,
    `with policy ${summary.policy.origin} (sha256 ${policyHash}…) and clearance ${summary.tool.version}.`,
    `Kept ${count(kept, 'file')} for training${kept > 0 ? ` (${list(keptLicences)})` : ''}, listed in ${result.manifestPath}.`,
    left === 0
      ? 'Nothing was left out.'
      : `Left out ${count(left, 'file')} — ${summary.verdicts.exclude} excluded by the policy and ${summary.verdicts.review} awaiting review — because of ${list(leftBy)}; the reasons for each are in ${result.excludedPath}.`,
    summary.filesWithErrors > 0 ? `${count(summary.filesWithErrors, 'file')} could not be read fully.` : '',
    `The scan's provenance is in ${result.summaryPath}.`,
  ];
  return parts.filter((p) => p !== '').join(' ');
}

/** @param {number} n */
function formatBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}

/**
 * A file written under a temporary name in its own folder (so that the rename is atomic on one
 * filesystem) and renamed into place by {@link AtomicFile#commit}.
 */
class AtomicFile {
  /**
   * @param {string} target
   * @param {string} temp
   * @param {import('node:fs/promises').FileHandle} handle
   */
  constructor(target, temp, handle) {
    /** @readonly */
    this.target = target;
    /** @readonly */
    this.temp = temp;
    /** @type {import('node:fs/promises').FileHandle | null} */
    this.handle = handle;
    /** @type {string[]} */
    this.pending = [];
    this.pendingBytes = 0;
  }

  /**
   * Opens a temporary file for `target` and adds it to `group`, so that the caller can discard the whole
   * group if anything fails.
   * @param {string} target
   * @param {AtomicFile[]} group
   */
  static async create(target, group) {
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    // 'wx': never reuse, or follow a link planted at, the temporary name.
    const file = new AtomicFile(target, temp, await open(temp, 'wx'));
    group.push(file);
    return file;
  }

  /** Buffers small writes; a data-prep manifest can have millions of lines. @param {string} text */
  async write(text) {
    this.pending.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= 64 * 1024) await this.flush();
  }

  async flush() {
    if (this.pending.length === 0 || this.handle === null) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    await this.handle.writeFile(chunk, 'utf8');
  }

  /** Flushes, syncs to disk and closes the temporary file. */
  async close() {
    if (this.handle === null) return;
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    this.handle = null;
  }

  /** Renames the closed temporary file into place. */
  async commit() {
    await rename(this.temp, this.target);
  }

  /** Closes and removes the temporary file; the file at the target, if any, is untouched. */
  async discard() {
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => undefined);
    await rm(this.temp, { force: true });
  }
}

/** The command line: `node data-prep.mjs [DATASET] [--out DIR] [--policy FILE]`. */
async function main() {
  /** @type {ReturnType<typeof parseArgs>} */
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o', default: path.join('reports', 'data-prep') },
        policy: { type: 'string', short: 'p' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`data-prep: ${err instanceof Error ? err.message : String(err)}\nusage: node data-prep.mjs [DATASET] [--out DIR] [--policy FILE]`);
    process.exitCode = 2;
    return;
  }
  if (args.values.help) {
    console.log('usage: node data-prep.mjs [DATASET] [--out DIR] [--policy FILE]\n\nScans DATASET (default: the demo dataset), writes DIR/manifest.jsonl (what may be trained on),\nDIR/excluded.jsonl (what may not, and why) and DIR/scan-summary.json. DIR defaults to reports/data-prep.');
    return;
  }
  if (args.positionals.length > 1) {
    console.error('data-prep: give one dataset folder at most\nusage: node data-prep.mjs [DATASET] [--out DIR] [--policy FILE]');
    process.exitCode = 2;
    return;
  }
  const controller = new globalThis.AbortController();
  process.once('SIGINT', () => controller.abort());
  try {
    const result = await prepare({
      root: args.positionals[0] ?? DEMO_DATASET,
      outDir: String(args.values.out),
      policy: typeof args.values.policy === 'string' ? args.values.policy : undefined,
      signal: controller.signal,
    });
    console.log(describe(result));
  } catch (err) {
    if (controller.signal.aborted) {
      console.error('data-prep: interrupted; no output was written');
      process.exitCode = 130;
      return;
    }
    // Errors from core carry a code (ERR_SOURCE_ROOT, ERR_POLICY_INVALID, …) and a message that says
    // what went wrong, a policy's field-by-field problems included.
    const code = err && typeof err === 'object' && 'code' in err ? ` [${String(err.code)}]` : '';
    console.error(`data-prep${code}: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}

// Run the command line only when this file is the program, not when a test imports it.
const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (invokedDirectly) await main();
