import { parseArgs } from 'node:util';

import { pairOutputs, type OutputSpec } from '../outputs.js';
import { UsageError } from '../usage.js';

export type FailOn = 'exclude' | 'review' | 'none';

export interface ScanArgs {
  path: string;
  /** Each format with the file it goes to (`-` for standard output). */
  outputs: OutputSpec[];
  policy?: string;
  concurrency: number;
  include: string[];
  exclude: string[];
  followSymlinks: boolean;
  hash: boolean;
  failOn: FailOn;
  quiet: boolean;
  shard?: { index: number; count: number };
  /** Open containers (tar shards, zips, tables, WARCs) and give their members records; with their limits. */
  containers: boolean;
  containerLimits: { maxDepth?: number; maxMembers?: number; maxExpandedBytes?: number; maxRatio?: number };
  /** A field map (YAML or JSON) for the record-level metadata of rows and samples. */
  fieldMap?: string;
  /** Connection options of an `s3://bucket/prefix` path; set only for one. */
  s3?: S3Args;
}

/** How to reach the store of an `s3://` path. Unset fields fall to the AWS SDK's defaults (environment, profile). */
export interface S3Args {
  endpoint?: string;
  region?: string;
  profile?: string;
  pathStyle: boolean;
  requesterPays: boolean;
  /** An S3 Inventory manifest.json (s3:// URL or local path) to list from instead of ListObjectsV2. */
  inventory?: string;
}


const options = {
  format: { type: 'string', short: 'f', multiple: true },
  out: { type: 'string', short: 'o', multiple: true },
  policy: { type: 'string', short: 'p' },
  concurrency: { type: 'string', short: 'c' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'follow-symlinks': { type: 'boolean' },
  'no-hash': { type: 'boolean' },
  'fail-on': { type: 'string' },
  shard: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  'no-containers': { type: 'boolean' },
  'container-depth': { type: 'string' },
  'max-members': { type: 'string' },
  'max-expanded': { type: 'string' },
  'max-ratio': { type: 'string' },
  'field-map': { type: 'string' },
  'endpoint-url': { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'path-style': { type: 'boolean' },
  'requester-pays': { type: 'boolean' },
  inventory: { type: 'string' },
} as const;

/**
 * Parses the arguments of `clearance scan`. `--out` belongs to the `--format` before it, so
 * `--format summary --format jsonl --out scan.jsonl` prints the summary and writes the JSON Lines.
 */
export function parseScanArgs(argv: readonly string[]): ScanArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const { values, positionals: rest, tokens } = parsed;
  if (rest.length !== 1) throw new UsageError(rest.length === 0 ? 'scan needs the folder to scan: clearance scan <path>' : `scan takes one path, got ${rest.length}: ${rest.join(' ')}`);

  const resolved = pairOutputs(tokens);

  const concurrency = values.concurrency === undefined ? 32 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 4096) throw new UsageError(`--concurrency must be a whole number from 1 to 4096, got "${values.concurrency}"`);
  const failOn = (values['fail-on'] ?? 'exclude') as FailOn;
  if (!['exclude', 'review', 'none'].includes(failOn)) throw new UsageError(`--fail-on must be exclude, review or none, got "${failOn}"`);
  let shard: ScanArgs['shard'];
  if (values.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(values.shard);
    const index = Number(m?.[1]);
    const count = Number(m?.[2]);
    if (!m || count < 1 || index >= count) throw new UsageError(`--shard must be INDEX/COUNT with 0 ≤ INDEX < COUNT (e.g. 0/8), got "${values.shard}"`);
    shard = { index, count };
  }
  const s3 = s3Args(rest[0]!, values);
  const containers = !(values['no-containers'] ?? false);
  const limitFlags = (['container-depth', 'max-members', 'max-expanded', 'max-ratio', 'field-map'] as const).filter((k) => values[k] !== undefined);
  if (!containers && limitFlags.length > 0) throw new UsageError(`--${limitFlags[0]} has no effect with --no-containers`);
  const containerLimits: ScanArgs['containerLimits'] = {};
  if (values['container-depth'] !== undefined) containerLimits.maxDepth = wholeNumber('--container-depth', values['container-depth'], 0);
  if (values['max-members'] !== undefined) containerLimits.maxMembers = wholeNumber('--max-members', values['max-members'], 1);
  if (values['max-expanded'] !== undefined) containerLimits.maxExpandedBytes = byteSize('--max-expanded', values['max-expanded']);
  if (values['max-ratio'] !== undefined) containerLimits.maxRatio = wholeNumber('--max-ratio', values['max-ratio'], 1);
  return {
    path: rest[0]!,
    outputs: resolved,
    ...(values.policy !== undefined ? { policy: values.policy } : {}),
    concurrency,
    include: values.include ?? [],
    exclude: values.exclude ?? [],
    followSymlinks: values['follow-symlinks'] ?? false,
    hash: !(values['no-hash'] ?? false),
    failOn,
    quiet: values.quiet ?? false,
    ...(shard ? { shard } : {}),
    containers,
    containerLimits,
    ...(values['field-map'] !== undefined ? { fieldMap: values['field-map'] } : {}),
    ...(s3 ? { s3 } : {}),
  };
}

function wholeNumber(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number of at least ${min}, got "${text}"`);
  return n;
}

/** `500M`, `64G`, `1T` or a number of bytes. */
function byteSize(flag: string, text: string): number {
  const m = /^(\d+)([KMGT]i?B?)?$/i.exec(text.trim());
  const units: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };
  const n = m ? Number(m[1]) * (m[2] ? units[m[2][0]!.toUpperCase()]! : 1) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} must be a size such as 500M, 64G or 1T, got "${text}"`);
  return n;
}

/** The S3 options, checked: they mean something only for an `s3://` path. */
function s3Args(
  target: string,
  values: { 'endpoint-url'?: string; region?: string; profile?: string; 'path-style'?: boolean; 'requester-pays'?: boolean; inventory?: string; 'follow-symlinks'?: boolean },
): S3Args | undefined {
  const given = (['endpoint-url', 'region', 'profile', 'path-style', 'requester-pays', 'inventory'] as const).filter((k) => values[k] !== undefined);
  if (!/^s3:\/\//i.test(target)) {
    if (given.length > 0) throw new UsageError(`--${given[0]} applies only to an s3://bucket/prefix path, got "${target}"`);
    return undefined;
  }
  if (!/^s3:\/\/[^/]+/i.test(target)) throw new UsageError(`an S3 path needs a bucket: s3://bucket/prefix, got "${target}"`);
  if (values['follow-symlinks']) throw new UsageError('--follow-symlinks applies only to a local folder');
  const endpoint = values['endpoint-url'];
  if (endpoint !== undefined && !/^https?:\/\/[^/]/i.test(endpoint)) throw new UsageError(`--endpoint-url must be an http:// or https:// URL, got "${endpoint}"`);
  return {
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(values.region !== undefined ? { region: values.region } : {}),
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    pathStyle: values['path-style'] ?? false,
    requesterPays: values['requester-pays'] ?? false,
    ...(values.inventory !== undefined ? { inventory: values.inventory } : {}),
  };
}

export const SCAN_HELP = `Usage: clearance scan <path> [options]

<path> is a folder, a file, or an S3 location: s3://bucket/prefix.

Scan a dataset folder and say, for every file, whether it may be trained on and why:
its licence, the text-and-data-mining reservations that apply to it and the technical
protection measures that guard it, under your policy.

Options:
  -f, --format <name>     Report format: summary, jsonl, json, markdown, html, sarif,
                          github, spdx3, cyclonedx, manifest, eu-summary, or a path to
                          a reporter module. Repeatable; each may be followed by its
                          own --out. Default: summary on standard output.
  -o, --out <file>        Write the preceding --format to <file> (atomically). Without
                          it, that format goes to standard output.
  -p, --policy <file>     Policy file (YAML or JSON). Default: the built-in policy
                          (permissive and open-data licences allowed, unknown → review,
                          every opt-out honoured, TPMs excluded).
  -c, --concurrency <n>   Files read at once. Default 32.
      --include <glob>    Only paths matching the glob (repeatable).
      --exclude <glob>    Leave out paths matching the glob (repeatable).
      --follow-symlinks   Read the targets of symbolic links (loops are detected).
      --no-hash           Do not compute sha256; most files are then read only in part.
      --fail-on <what>    Exit 1 when a file is excluded (exclude, the default), when
                          one is excluded or needs review (review), or never (none).
      --shard <i>/<n>     Scan only shard i of n (by path hash); shards merge exactly.
  -q, --quiet             No progress and no messages on standard error.

Containers (tar/WebDataset shards, zip, Parquet, JSON Lines, CSV, WARC) are opened and
each member or row gets its own record, e.g. shard-000.tar#0001.jpg, part.parquet#row=12:
      --no-containers       Treat containers as plain files.
      --container-depth <n> Nesting levels opened (a zip in a tar is 2). Default 3.
      --max-members <n>     Members or rows read from one container. Default 10000000.
      --max-expanded <size> Decompressed bytes of one container (e.g. 500G). Default 1T.
      --max-ratio <n>       Decompressed/compressed ratio beyond which a member or a
                            container is a bomb and is not expanded. Default 200.
      --field-map <file>    Which fields of rows and samples (Parquet columns, JSON Lines
                            metadata, WebDataset .json) carry a licence, a source URL, an
                            author or a reservation (YAML or JSON; see docs/containers.md).

S3 (for an s3://bucket/prefix path; credentials from the AWS SDK's default chain:
environment, ~/.aws/credentials and config, SSO, instance roles):
      --endpoint-url <url>  An S3-compatible store (Ceph RGW, MinIO, R2, GCS).
      --region <region>     Region. Default: AWS_REGION or the profile's.
      --profile <name>      A named profile of ~/.aws/config.
      --path-style          Path-style addressing (endpoint/bucket/key).
      --requester-pays      Accept the charges of a requester-pays bucket.
      --inventory <manifest>  List from an S3 Inventory report (its manifest.json, as
                            s3://… or a local path; CSV or Parquet) instead of listing
                            the bucket: for buckets too large to list.
  -h, --help              Show this help.

Exit status: 0 nothing fails the gate · 1 something does · 2 usage or fatal error.

Examples:
  clearance scan ./data
  clearance scan ./data --format summary --format jsonl --out scan.jsonl
  clearance scan ./data --policy policy.yaml --fail-on review --quiet
  clearance scan s3://corpus/images/ --region eu-west-1 --format jsonl --out scan.jsonl
  clearance scan s3://corpus/text --endpoint-url http://127.0.0.1:7480 --path-style
`;
