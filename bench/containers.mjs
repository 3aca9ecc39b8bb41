/**
 * Container benchmark (issue 8): `pnpm bench:containers` (builds first), or
 * `node bench/containers.mjs [options]`.
 *
 *   --quick        3 tar shards (1 gzipped), 300k Parquet rows, instead of 10 shards and 1M rows
 *   --keep         keep the generated data (its folder is printed)
 *   --json         print the results as one JSON document instead of tables
 *   --only=a,b     run only some sections: wds (tar shards, with the 1-shard RSS case), gz, parquet
 *   --profile      afterwards, scan a 2-shard WebDataset and the smaller Parquet file again under
 *                  `node --cpu-prof` and print where the main thread's time went
 *
 * Cases, each in its own Node process (bench/lib/run-case.mjs), so each peak RSS is that case's alone:
 *
 * 1. WebDataset: 10 uncompressed tar shards of 10k members (5k samples: a small real JPEG and a .json
 *    sidecar with url / license / caption), scanned with `scan({ source: localSource({ root }),
 *    detectors: builtinDetectors, containers: builtinContainers })`, hashing off and on; raw baseline:
 *    the same shards read in order with plain fs and a ustar header walk (+ sha256 per member for the
 *    hashing row). The same shards gzipped; raw baseline: gunzip + tar-stream's extract.
 * 2. Parquet: one LAION-style file of 1M rows (url, caption, LICENSE, NSFW, similarity, width,
 *    height; row groups of 100k rows, SNAPPY) written with hyparquet-writer; raw baseline: hyparquet
 *    reading every row of the same columns as row objects, one row group at a time.
 * 3. Peak RSS flatness: the WebDataset scan on 1 shard vs all shards; Parquet at 100k vs 1M rows.
 *
 * Generated data goes under os.tmpdir() and is removed afterwards unless --keep. Progress goes to
 * stderr, results to stdout. Every case has a time limit and the whole run a deadline.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeLaionParquet, makeWebDataset } from './lib/containers-data.mjs';
import { renderFlatness, renderProfiles, renderThroughput, conclusions } from './lib/containers-report.mjs';
import { renderProfile, summarise } from './lib/cpu-profile.mjs';
import { killRunning, runCase, waitQuiet } from './lib/run-case.mjs';
import { benchArgs, benchWorkspace } from './lib/common.mjs';

const { flag, option } = benchArgs(/^--(quick|keep|json|profile|only=.+)$/, 'node bench/containers.mjs [--quick] [--keep] [--json] [--profile] [--only=wds,gz,parquet]');
const quick = flag('quick');
const only = new Set((option('only') ?? 'wds,gz,parquet').split(','));
/** Samples per shard (2 members each), shards, gzipped shards, Parquet rows (small, large), rows per row group. */
const SIZES = quick
  ? { samples: 5000, shards: 3, gzShards: 1, rows: [100_000, 300_000], groupRows: 100_000 }
  : { samples: 5000, shards: 10, gzShards: 10, rows: [100_000, 1_000_000], groupRows: 100_000 };
const deadline = Date.now() + (quick ? 15 : 45) * 60_000;
const QUIET_WAIT_MS = 5_000;
let quietBudgetMs = 30_000;

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (/** @type {string} */ msg) => process.stderr.write(`[bench:containers] ${msg}\n`);
const { tmp, cleanup } = benchWorkspace('clearance-bench-containers-', flag('keep'), log, killRunning, 'data');

/**
 * @typedef {import('./lib/containers-report.mjs').Row} Row
 * @typedef {import('./lib/containers-report.mjs').Section} Section
 */

/**
 * One row: a case to run once, what it counts (members or rows) and the records it must make.
 * @param {string} id @param {string} label
 * @param {{ file: string, args: Record<string, unknown>, timeoutS: number, unit: 'members' | 'rows', items: number, bytes: number, expectRecords?: number, vs?: string, nodeArgs?: string[] }} c
 * @returns {Row}
 */
const row = (id, label, c) => ({ id, label, ...c, result: null });

/**
 * Runs a row's case (waiting for a quiet moment first, within budget); a failure is kept on the row.
 * @param {Row} r
 */
async function measure(r) {
  const left = deadline - Date.now();
  if (left < 5000) {
    r.error = 'skipped: the run is out of time';
    return;
  }
  if (quietBudgetMs > 0) quietBudgetMs -= await waitQuiet(Math.min(QUIET_WAIT_MS, quietBudgetMs));
  log(r.label);
  try {
    const res = await runCase(path.join(here, 'cases', r.file), r.args, { timeoutMs: Math.min(r.timeoutS * 1000, left), nodeArgs: r.nodeArgs });
    r.result = res;
    if (r.expectRecords !== undefined && res.records !== r.expectRecords) r.error = `made ${res.records} records, expected ${r.expectRecords} (${r.items} ${r.unit} + their containers)`;
    else if (r.expectRecords === undefined && (res.members ?? res.rows) !== r.items) r.error = `counted ${res.members ?? res.rows} ${r.unit}, the data has ${r.items}`;
  } catch (err) {
    r.error = /** @type {Error} */ (err).message.split('\n').slice(0, 6).join(' | ');
  }
}

/**
 * A folder holding hard links to some of the given files (same bytes, no copy).
 * @param {string} dir @param {string[]} files
 */
function linkFolder(dir, files) {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of files) fs.linkSync(f, path.join(dir, path.basename(f)));
  return dir;
}

/** @type {Section[]} */
const sections = [];
/** @type {{ title: string, text: string }[]} */
const profiles = [];
/** @type {{ wds?: string, wdsOne?: string, pqSmall?: string }} */
const data = {};

try {
  if (only.has('wds')) {
    const root = path.join(tmp, 'wds');
    log(`writing ${SIZES.shards} WebDataset shards of ${(2 * SIZES.samples).toLocaleString('en-US')} members under ${root}`);
    const wds = await makeWebDataset(root, { shards: SIZES.shards, samples: SIZES.samples });
    const one = linkFolder(path.join(tmp, 'wds-1'), wds.files.slice(0, 1));
    data.wds = root;
    data.wdsOne = one;
    const perShard = 2 * SIZES.samples;
    const base = { unit: /** @type {const} */ ('members'), items: wds.members, bytes: wds.bytes };
    const scanArgs = { file: 'container-scan.mjs', timeoutS: quick ? 600 : 900, expectRecords: wds.members + wds.shards };
    const rows = [
      row('raw', 'raw: fs reads of 1 MiB + ustar header walk', { ...base, file: 'raw-tar.mjs', args: { root, hash: false }, timeoutS: 120 }),
      row('scan', 'scan, hash off', { ...base, ...scanArgs, args: { root, hash: false }, vs: 'raw' }),
      row('rawHash', 'raw: same + sha256 of each member', { ...base, file: 'raw-tar.mjs', args: { root, hash: true }, timeoutS: 120 }),
      row('scanHash', 'scan, hash on', { ...base, ...scanArgs, args: { root, hash: true }, vs: 'rawHash' }),
      row('scanOne', `scan, hash off, 1 shard (${perShard.toLocaleString('en-US')} members)`, {
        ...scanArgs,
        unit: 'members',
        items: perShard,
        bytes: fs.statSync(wds.files[0]).size,
        args: { root: one, hash: false },
        expectRecords: perShard + 1,
      }),
    ];
    for (const r of rows) await measure(r);
    sections.push({
      id: 'wds',
      title: `WebDataset: ${wds.shards} uncompressed tar shards × ${perShard.toLocaleString('en-US')} members = ${wds.members.toLocaleString('en-US')} members (${(wds.bytes / 1e6).toFixed(0)} MB of tar, ${(wds.memberBytes / 1e6).toFixed(1)} MB of members), warm page cache`,
      note: `members/s over all shards; MB/s = tar bytes ÷ s; ratio = members/s ÷ members/s of the row named in "vs". Each sample: a small JPEG (JFIF + EXIF, 16×12) and a .json sidecar (url, license, caption); ${(wds.memberBytes / wds.members).toFixed(0)} bytes per member on average.`,
      unit: 'members',
      rows,
    });
  }

  if (only.has('gz')) {
    const root = path.join(tmp, 'wds-gz');
    log(`writing ${SIZES.gzShards} gzipped WebDataset shards under ${root}`);
    const gz = await makeWebDataset(root, { shards: SIZES.gzShards, samples: SIZES.samples, gzip: true });
    const base = { unit: /** @type {const} */ ('members'), items: gz.members, bytes: gz.bytes };
    const scanArgs = { file: 'container-scan.mjs', timeoutS: quick ? 600 : 900, expectRecords: gz.members + gz.shards };
    const rows = [
      row('raw', 'raw: fs read stream → gunzip → tar-stream extract', { ...base, file: 'raw-tar.mjs', args: { root, hash: false }, timeoutS: 180 }),
      row('scan', 'scan, hash off, builtinContainers as registered', { ...base, ...scanArgs, args: { root, hash: false }, vs: 'raw' }),
      row('scanTarFirst', 'scan, hash off, tar tried before warc', { ...base, ...scanArgs, args: { root, hash: false, tarFirst: true }, vs: 'raw' }),
    ];
    for (const r of rows) await measure(r);
    sections.push({
      id: 'gz',
      title: `WebDataset gzipped: ${gz.shards} .tar.gz shards, ${gz.members.toLocaleString('en-US')} members (${(gz.bytes / 1e6).toFixed(1)} MB compressed)`,
      note: 'The same samples as above, each shard gzipped (node:zlib level 6). MB/s = compressed bytes ÷ s. "tar tried before warc": builtinContainers with tar moved ahead of warc, which matches any application/gzip entry and declines a gzipped tar first (before dd1849b the engine then left the shard unopened).',
      unit: 'members',
      rows,
    });
  }

  if (only.has('parquet')) {
    const [small, large] = SIZES.rows;
    const files = SIZES.rows.map((n) => path.join(tmp, `parquet-${n}`, `laion-${n}.parquet`));
    /** @type {{ rows: number, groups: number, bytes: number }[]} */
    const made = [];
    for (const [i, n] of SIZES.rows.entries()) {
      log(`writing a LAION-style Parquet file of ${n.toLocaleString('en-US')} rows`);
      made.push(makeLaionParquet(files[i], { rows: n, groupRows: SIZES.groupRows }));
    }
    data.pqSmall = path.dirname(files[0]);
    const at = (/** @type {number} */ i) => ({ unit: /** @type {const} */ ('rows'), items: made[i].rows, bytes: made[i].bytes });
    const scanArgs = { file: 'container-scan.mjs', timeoutS: quick ? 600 : 1200 };
    const rows = [
      row('raw', `raw: hyparquet, row objects per row group, ${large.toLocaleString('en-US')} rows`, { ...at(1), file: 'raw-parquet.mjs', args: { file: files[1] }, timeoutS: 300 }),
      row('scan', `scan, hash off, ${large.toLocaleString('en-US')} rows`, { ...at(1), ...scanArgs, args: { root: path.dirname(files[1]), hash: false, needs: 'parquet' }, expectRecords: large + 1, vs: 'raw' }),
      row('rawSmall', `raw: hyparquet, ${small.toLocaleString('en-US')} rows`, { ...at(0), file: 'raw-parquet.mjs', args: { file: files[0] }, timeoutS: 120 }),
      row('scanSmall', `scan, hash off, ${small.toLocaleString('en-US')} rows`, { ...at(0), ...scanArgs, args: { root: path.dirname(files[0]), hash: false, needs: 'parquet' }, expectRecords: small + 1, vs: 'rawSmall' }),
    ];
    for (const r of rows) await measure(r);
    sections.push({
      id: 'parquet',
      title: `Parquet: LAION-style rows (url, caption, LICENSE, NSFW, similarity, width, height), row groups of ${SIZES.groupRows.toLocaleString('en-US')}, SNAPPY; ${made.map((m) => `${m.rows.toLocaleString('en-US')} rows = ${(m.bytes / 1e6).toFixed(1)} MB`).join(', ')}`,
      note: 'rows/s; ratio = rows/s ÷ rows/s of the raw row named in "vs". The rows have no content column: each is a record of size 0 with its columns as fields.',
      unit: 'rows',
      rows,
    });
  }

  if (flag('profile')) {
    const prof = path.join(tmp, 'profiles');
    /** @type {[string, string | undefined, Record<string, unknown>][]} */
    const targets = [];
    if (data.wds) {
      const two = linkFolder(path.join(tmp, 'wds-2'), fs.readdirSync(data.wds).sort().slice(0, 2).map((f) => path.join(/** @type {string} */ (data.wds), f)));
      targets.push(['WebDataset scan, 2 shards, hash off', two, { root: two, hash: false }]);
    }
    if (data.pqSmall) targets.push([`Parquet scan, ${SIZES.rows[0].toLocaleString('en-US')} rows, hash off`, data.pqSmall, { root: data.pqSmall, hash: false, needs: 'parquet' }]);
    for (const [i, [title, , args]] of targets.entries()) {
      const dir = path.join(prof, String(i));
      log(`profiling: ${title}`);
      try {
        await runCase(path.join(here, 'cases', 'container-scan.mjs'), args, { timeoutMs: Math.max(5000, Math.min(600_000, deadline - Date.now())), nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
        // The main thread's profile: thread id 0 in CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile.
        const main = fs.readdirSync(dir).find((f) => f.split('.')[4] === '0') ?? fs.readdirSync(dir)[0];
        profiles.push({ title, text: renderProfile(summarise(JSON.parse(fs.readFileSync(path.join(dir, main), 'utf8'))), 25) });
      } catch (err) {
        profiles.push({ title, text: `failed: ${/** @type {Error} */ (err).message.split('\n')[0]}` });
      }
    }
  }
} finally {
  cleanup();
}

/** The commit the bench ran on, and whether packages/ had changes not committed: figures depend on both. */
function codeVersion() {
  try {
    const git = (/** @type {string[]} */ ...a) => execFileSync('git', ['-C', here, ...a], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', '../packages').length > 0 ? ' + uncommitted changes in packages/' : ''}`;
  } catch {
    return 'unknown';
  }
}

const machine = { code: codeVersion(), cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, ramGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}`, loadavg: os.loadavg().map((l) => Number(l.toFixed(2))) };
const summary = conclusions(sections);
if (flag('json')) {
  process.stdout.write(`${JSON.stringify({ machine, quick, sizes: SIZES, sections, conclusions: summary, profiles }, null, 2)}\n`);
} else {
  const out = [
    `# Clearance container bench${quick ? ' (--quick)' : ''}`,
    `${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB, Node ${machine.node}, ${machine.platform}; load average at the end ${machine.loadavg.join(' ')}`,
    `Code: ${machine.code}`,
    'One run per case, each in its own process, started when the machine was quiet if it became so within a few seconds.',
    '"other cores" = CPU that other processes used during the run; figures taken while it is high are noisy.',
    '"CPU s" = CPU time of the case\'s process, all threads (main, I/O workers, GC); "/CPU-s" = items per CPU second, steadier than wall time on a busy machine.',
    '',
    ...sections.flatMap((s) => [renderThroughput(s), '']),
    renderFlatness(sections),
    '',
    '## Conclusions',
    ...summary.map((c) => `- ${c}`),
    ...(profiles.length > 0 ? ['', renderProfiles(profiles)] : []),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}
process.exitCode = sections.flatMap((s) => s.rows).some((r) => r.error) ? 1 : 0;
