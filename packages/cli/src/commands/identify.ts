import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { licenceFile, type DetectorInput, type FindingInput } from '@clearance/core';
import { UsageError, type Command, type Io } from '../usage.js';

const LIST_VERSION = licenceFile.data?.['spdx-license-list'] ?? 'unknown';

export const IDENTIFY_HELP = `Usage: clearance identify <file>... [options]

Identify the licence each file's text grants, as a scan does for LICENSE and COPYING
files: every licence of the SPDX License List ${LIST_VERSION} and the AI model licences
Clearance knows (Llama, OpenRAIL, as LicenseRef- ids), matched by the SPDX matching
guidelines; GNU notices decide -only or -or-later; several licences with "at your
option" make an OR. A text close to a licence but modified is no licence: it is shown
as "none", with the closest licence and what differs, line by line. Use - to read
standard input.

Options:
  -f, --format <name>   text (the default) or json.
  -h, --help            Show this help.

Exit status: 0 every file's licence identified · 1 a file's was not (unknown or
modified text) · 2 usage error or a file that could not be read.

Examples:
  clearance identify LICENSE
  clearance identify LICENSE-MIT LICENSE-APACHE --format json
`;

/** `clearance identify <file>...`: the licence of each file's text, with the evidence. */
export const identifyCommand: Command = {
  name: 'identify',
  summary: 'identify the licence in licence files\' text',
  help: IDENTIFY_HELP,
  run: (argv, io) => runIdentify(parseIdentifyArgs(argv), io),
};

interface IdentifyArgs {
  files: string[];
  format: 'text' | 'json';
}

function parseIdentifyArgs(argv: readonly string[]): IdentifyArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { format: { type: 'string', short: 'f' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const format = parsed.values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got "${format}"`);
  if (parsed.positionals.length === 0) throw new UsageError('identify needs at least one file: clearance identify <file>... (- for standard input)');
  return { files: parsed.positionals, format };
}

/** What `--format json` prints for one file. */
export interface Identified {
  path: string;
  /** The SPDX expression the text grants; null when none can be named. */
  expression: string | null;
  confidence: number;
  matches: { id: string; name: string; kind: string; lines: { start: number; end: number }; confidence: number; note?: string }[];
  operator?: string;
  operatorReason?: string;
  /** Why no licence was named. */
  reason?: string;
  /** For a modified text: the nearest licence and what differs. */
  closest?: { id: string; name: string; similarity: number };
  differences?: { kind: string; line: number; expected?: string; found?: string; typo?: boolean }[];
  additional?: { lines: { start: number; end: number }; words: number };
  ambiguous?: string[][];
  encoding?: string;
  /** The file could not be read. */
  error?: string;
}

/** Largest file read whole; the licence-file detector's limit. */
const MAX_BYTES = 1024 * 1024;

async function runIdentify(args: IdentifyArgs, io: Io): Promise<number> {
  const results: Identified[] = [];
  for (const file of args.files) {
    if (io.signal?.aborted) return 130;
    results.push(await identifyFile(file));
  }
  if (args.format === 'json') {
    io.stdout.write(`${JSON.stringify({ spdxLicenseListVersion: LIST_VERSION, files: results }, null, 2)}\n`);
  } else {
    io.stdout.write(results.map(formatText).join('\n'));
  }
  for (const r of results) if (r.error) io.stderr.write(`clearance: ${r.path}: ${r.error}\n`);
  if (results.some((r) => r.error)) return 2;
  return results.some((r) => r.expression === null) ? 1 : 0;
}

async function readInput(file: string): Promise<{ bytes: Uint8Array | null; size: number }> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      const b = chunk as Buffer;
      size += b.length;
      if (size <= MAX_BYTES) chunks.push(b);
    }
    return { bytes: size <= MAX_BYTES ? Buffer.concat(chunks) : null, size };
  }
  const s = await stat(file);
  if (!s.isFile()) throw new Error('not a file');
  if (s.size > MAX_BYTES) return { bytes: null, size: s.size };
  const bytes = await readFile(file);
  return { bytes, size: bytes.length };
}

/** Text unless it has a NUL byte outside a UTF-16 byte order mark's text. */
function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) return true;
  return !bytes.subarray(0, 64 * 1024).includes(0);
}

/** Runs the licence-file detector on the file, as a scan does for a LICENSE file, and gathers its findings. */
export async function identifyFile(file: string): Promise<Identified> {
  let read;
  try {
    read = await readInput(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { path: file, expression: null, confidence: 0, matches: [], error: e.code === 'ENOENT' ? 'no such file' : e.message };
  }
  const { bytes, size } = read;
  const input: DetectorInput = {
    entry: { path: file, size },
    path: file,
    // Always read as a licence file: a file named NOTICE or README is identified the same way.
    name: 'LICENSE',
    dir: '',
    size,
    mediaType: 'text/plain',
    isText: bytes === null || looksLikeText(bytes),
    head: bytes ?? new Uint8Array(0),
    tail: null,
    whole: bytes,
    truncated: bytes === null,
    ranges: [],
  };
  const findings: FindingInput[] = await licenceFile.detect(input);
  const main = findings.find((f) => f.code === 'licence.file');
  const modified = findings.find((f) => f.code === 'licence.file.modified');
  const v = main?.value ?? {};
  const m = modified?.value ?? {};
  const result: Identified = {
    path: file,
    expression: (v['expression'] as string | null | undefined) ?? null,
    confidence: main?.confidence ?? 0,
    matches: (v['matches'] as Identified['matches'] | undefined) ?? [],
  };
  const copy = <K extends keyof Identified>(key: K, from: Record<string, unknown>) => {
    if (from[key] !== undefined) result[key] = from[key] as Identified[K];
  };
  copy('operator', v);
  copy('operatorReason', v);
  copy('reason', v);
  copy('closest', m);
  copy('differences', m);
  copy('additional', m);
  copy('ambiguous', v);
  copy('encoding', v);
  if (bytes === null) result.reason = `larger than ${MAX_BYTES} bytes: not read`;
  return result;
}

const pct = (n: number) => `${Math.round(n * 100)}%`;
const span = (l: { start: number; end: number }) => (l.start === l.end ? `line ${l.start}` : `lines ${l.start}-${l.end}`);
const KIND: Record<string, string> = { text: 'licence text', notice: 'notice', choice: 'choice statement' };

/** The text report of one file, like `licensee detect` or `askalono id`. */
export function formatText(r: Identified): string {
  const lines = [r.path];
  const row = (label: string, value: string) => lines.push(`  ${(label ? `${label}:` : '').padEnd(13)}${value}`);
  if (r.error) {
    row('Licence', 'not read');
    row('Error', r.error);
    return `${lines.join('\n')}\n`;
  }
  row('Licence', r.expression ?? 'none (NOASSERTION)');
  if (r.expression !== null) row('Confidence', pct(r.confidence));
  if (r.reason) row('Reason', r.reason);
  for (const [i, match] of r.matches.entries()) {
    row(i === 0 ? 'Matched' : '', `${match.id} (${match.name}), ${KIND[match.kind] ?? match.kind}, ${span(match.lines)}, ${pct(match.confidence)}`);
    if (match.note) row('', `  ${match.note}`);
  }
  if (r.operator) row('Joined by', `${r.operator}: ${r.operatorReason ?? ''}`.trimEnd());
  if (r.ambiguous) for (const group of r.ambiguous) row('Ambiguous', group.join(', '));
  if (r.closest) row('Closest', `${r.closest.id} (${r.closest.name}), ${pct(r.closest.similarity)} of its words in place`);
  if (r.additional) row('Added terms', `${span(r.additional.lines)}, ${r.additional.words} words`);
  for (const [i, d] of (r.differences ?? []).entries()) {
    const what = d.kind === 'added' ? `added "${d.found ?? ''}"` : d.kind === 'missing' ? `missing "${d.expected ?? ''}"` : `"${d.expected ?? ''}" changed to "${d.found ?? ''}"`;
    row(i === 0 ? 'Differences' : '', `line ${d.line}: ${what}${d.typo ? ' (a typo?)' : ''}`);
  }
  if (r.encoding) row('Encoding', r.encoding);
  return `${lines.join('\n')}\n`;
}
