import type { ScanRecord } from '@clearance/core';
import type { Output } from '../output.js';
import type { ReporterFactory } from '../reporter.js';

/**
 * The clean manifest: what a training loader may read, and apart from it what it must not, with
 * the reasons. `--format manifest --out <name>.jsonl` writes three files side by side, each
 * atomically and only when the whole report succeeds:
 *
 * | file | one line per | content |
 * | --- | --- | --- |
 * | `<name>.jsonl` | allowed file | `{"path","sha256","licence"}` |
 * | `<name>.paths.txt` | allowed file | the path alone, for loaders that take a file list |
 * | `<name>.excluded.jsonl` | file excluded or to review | `{"path","sha256","decision","licence","reasons":[{"code","decision","message"}]}` |
 *
 * `<name>` is the `--out` path without its `.jsonl` extension (`--out train` gives `train`,
 * `train.paths.txt` and `train.excluded.jsonl`). To standard output (no `--out`) only the allowed
 * files' JSON Lines are written. Lines come in scan order; sort them to compare two manifests.
 * Paths are relative to the scanned folder. A path holding a line break cannot be written in a
 * line list: such a file is left out of `.paths.txt` (leaving a file out is the safe side) and stays
 * in `.jsonl`. Streaming: nothing is held.
 */
export const manifest: ReporterFactory = (output) => {
  let opened: Promise<{ paths?: Output; excluded?: Output }> | undefined;
  const open = () =>
    (opened ??= (async () => {
      if (!output.sibling || output.target === '-') return {};
      const base = manifestBase(output.target);
      const paths = await output.sibling(`${base}.paths.txt`);
      const excluded = await output.sibling(`${base}.excluded.jsonl`);
      return { ...(paths ? { paths } : {}), ...(excluded ? { excluded } : {}) };
    })());
  return {
    async onRecord(record) {
      const { paths, excluded } = await open();
      if (record.verdict.decision === 'allow') {
        await output.write(`${JSON.stringify(manifestLine(record))}\n`);
        if (paths && !/[\r\n]/.test(record.path)) await paths.write(`${record.path}\n`);
      } else if (excluded) {
        await excluded.write(`${JSON.stringify(excludedLine(record))}\n`);
      }
    },
    async onEnd() {
      // Open the siblings even for an empty scan, so that all three files exist.
      await open();
    },
  };
};

/** `reports/train.jsonl` → `reports/train`. */
export function manifestBase(target: string): string {
  return target.endsWith('.jsonl') ? target.slice(0, -'.jsonl'.length) : target;
}

/** One line of `<name>.jsonl`. */
export interface ManifestLine {
  path: string;
  sha256: string | null;
  licence: string;
}

/** One line of `<name>.excluded.jsonl`. */
export interface ExcludedLine {
  path: string;
  sha256: string | null;
  decision: 'exclude' | 'review';
  licence: string;
  reasons: { code: string; decision: string; message: string }[];
}

export function manifestLine(record: ScanRecord): ManifestLine {
  return { path: record.path, sha256: record.sha256, licence: record.licence.expression };
}

export function excludedLine(record: ScanRecord): ExcludedLine {
  return {
    path: record.path,
    sha256: record.sha256,
    decision: record.verdict.decision as 'exclude' | 'review',
    licence: record.licence.expression,
    reasons: record.verdict.reasons.filter((r) => r.decision !== 'allow').map(({ code, decision, message }) => ({ code, decision, message })),
  };
}
