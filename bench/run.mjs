/**
 * Clearance benchmark suite: `pnpm bench` (builds first), or `node bench/run.mjs [options]`.
 *
 *   --quick           10k small files, 2 × 256 MiB, 100k/300k synthetic entries (a fast check)
 *   --keep            keep the generated trees (their folder is printed)
 *   --json            print the results as one JSON document instead of tables
 *   --only=a,b        run only some sections: small, large, memory
 *   --rounds=N        runs of each cheap timed variant (default 2; the fastest is kept); the small-file
 *                     scans and the memory cases run once
 *
 * Generates its trees under os.tmpdir(), runs every case in its own Node process (so each peak RSS
 * is that case's alone), and compares each scan with a raw baseline measured in the same run, on the
 * same trees, alternating baseline and scan so that both see the same page-cache state. Progress goes
 * to stderr; results to stdout. Every case has a time limit and the whole run a deadline.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeLargeFiles, makeSmallTree, warm } from './lib/generate.mjs';
import { filesPerSec, ratioOf, renderChecks, renderListing, renderMemory, renderSection, speedup, workerConclusion } from './lib/report.mjs';
import { killRunning, runCase, waitQuiet } from './lib/run-case.mjs';
import { benchArgs, benchWorkspace } from './lib/common.mjs';

const { flag, option } = benchArgs(/^--(quick|keep|json|only=.+|rounds=\d+)$/, 'node bench/run.mjs [--quick] [--keep] [--json] [--only=small,large,memory] [--rounds=N]');
const quick = flag('quick');
const only = new Set((option('only') ?? 'small,large,memory').split(','));
const ROUNDS = Number(option('rounds') ?? 2);
const MiB = 1024 * 1024;
const SIZES = quick
  ? { small: 10_000, large: { count: 2, size: 256 * MiB }, memory: [100_000, 300_000] }
  : { small: 100_000, large: { count: 6, size: 512 * MiB }, memory: [100_000, 1_000_000] };
/** Hard bound on the whole run; each case also has its own limit. */
const deadline = Date.now() + (quick ? 10 : 30) * 60_000;
const FLAT = 1.25;
/** Longest wait for a quiet machine before one timed run, and in all. */
const QUIET_WAIT_MS = 10_000;
let quietBudgetMs = 150_000;

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (/** @type {string} */ msg) => process.stderr.write(`[bench] ${msg}\n`);
const { tmp, cleanup } = benchWorkspace('clearance-bench-', flag('keep'), log, killRunning, 'trees');

/** @typedef {import('./lib/report.mjs').Row} Row */
/** @typedef {import('./lib/report.mjs').Section} Section */
/** @typedef {{ row: Row, file: string, args: Record<string, unknown>, timeoutS: number, nodeArgs?: string[], patch?: (r: any) => void }} Variant */

/**
 * Runs each variant `rounds` times, interleaved (a b a b …), keeping each one's fastest run.
 * A failed variant keeps its error and is not run again.
 * @param {Variant[]} variants
 * @param {number} rounds
 */
async function measure(variants, rounds) {
  for (let round = 0; round < rounds; round++) {
    for (const v of variants) {
      if (v.row.error) continue;
      const left = deadline - Date.now();
      if (left < 5000) {
        v.row.error = 'skipped: the run is out of time';
        continue;
      }
      if (quietBudgetMs > 0) quietBudgetMs -= await waitQuiet(Math.min(QUIET_WAIT_MS, quietBudgetMs));
      log(`${v.row.label} (run ${round + 1}/${rounds})`);
      try {
        const r = await runCase(path.join(here, 'cases', v.file), v.args, { timeoutMs: Math.min(v.timeoutS * 1000, left), nodeArgs: v.nodeArgs });
        v.patch?.(r);
        v.row.rounds++;
        if (!v.row.result || r.seconds < v.row.result.seconds) v.row.result = r;
      } catch (err) {
        v.row.error = /** @type {Error} */ (err).message.split('\n').slice(0, 6).join(' | ');
      }
    }
  }
}

/** @param {string} id @param {string} label @param {string} [vs] @returns {Row} */
const row = (id, label, vs) => ({ id, label, result: null, rounds: 0, ...(vs ? { vs } : {}) });

/** @type {Section[]} */
const sections = [];
/** @type {import('./lib/report.mjs').Check[]} */
const checks = [];
/** @type {Section | undefined} */
let memory;
/** @type {Section | undefined} */
let listing;

try {
  if (only.has('small')) {
    const root = path.join(tmp, 'small');
    log(`writing ${SIZES.small.toLocaleString('en-US')} small files under ${root}`);
    const tree = makeSmallTree(root, SIZES.small);
    // The baselines list with fast-glob and no stat, so they do not know the sizes: use the tree's.
    const withTreeBytes = (/** @type {any} */ r) => (r.bytes = tree.bytes);
    const rows = {
      raw: row('raw', 'raw: fast-glob + open/read 4 KiB/close, 32 in flight (callback API)'),
      scan: row('scan', 'scan, hash off', 'raw'),
      scanHash: row('scanHash', 'scan, hash on', 'raw'),
      sync2: row('sync2', 'raw: same reads, sync API in 2 worker threads', 'raw'),
      sync4: row('sync4', 'raw: same reads, sync API in 4 worker threads', 'raw'),
    };
    // Baseline, scan and the worker variants take turns, so that all see the same cache and load.
    // The scans run once each: at more than ten times the baseline's time, a second run would cost
    // minutes and not change the ratio's first digit; the cheap raw variants run ROUNDS times.
    const raws = [
      { row: rows.raw, file: 'raw-small.mjs', args: { root }, timeoutS: 120, patch: withTreeBytes },
      { row: rows.sync2, file: 'raw-small-workers.mjs', args: { root, workers: 2 }, timeoutS: 120, patch: withTreeBytes },
      { row: rows.sync4, file: 'raw-small-workers.mjs', args: { root, workers: 4 }, timeoutS: 120, patch: withTreeBytes },
    ];
    await measure([raws[0], { row: rows.scan, file: 'scan.mjs', args: { root, hash: false }, timeoutS: 900 }, raws[1], raws[2]], 1);
    const again = ROUNDS >= 2 ? raws : [];
    await measure([again[0], { row: rows.scanHash, file: 'scan.mjs', args: { root, hash: true }, timeoutS: 900 }, ...again.slice(1)].filter((v) => v !== undefined), 1);
    if (ROUNDS > 2) await measure(raws, ROUNDS - 2);
    const section = {
      title: `Small files: ${tree.files.toLocaleString('en-US')} files, ${(tree.bytes / 1e6).toFixed(0)} MB, ${tree.markers} markers, warm page cache`,
      note: 'ratio = files/s ÷ files/s of the row named in "vs". The scan reads files ≤ 64 KiB whole; the raw baseline reads 4 KiB of each.',
      rows: Object.values(rows),
    };
    for (const r of section.rows) if (r.result && r.result.files !== tree.files) r.error = `saw ${r.result.files} files, the tree has ${tree.files}`;
    sections.push(section);
    const ratio = ratioOf(section, rows.scan);
    checks.push({ name: 'small files: scan (hash off) ÷ raw', value: ratio, target: '≥ 0.50', pass: ratio === null ? null : ratio >= 0.5 });
    const hashed = ratioOf(section, rows.scanHash);
    checks.push({ name: 'small files: scan (hash on) ÷ raw', value: hashed, target: 'for information', pass: null });
    // The synthetic source of the memory section cannot show whether the local source's own listing
    // holds entries: compare the live heap while listing a tenth of this tree and all of it.
    const subset = quick ? ['part-000/**'] : ['part-00[0-9]/**'];
    listing = {
      title: 'Memory: local source listing, consumed at a scan\'s pace for 2 s, live heap after GC',
      note: 'A listing with constant memory holds as much on the whole tree as on a tenth of it.',
      rows: [row('sub', `a tenth of the tree (${subset[0]}, ${(tree.files / 10).toLocaleString('en-US')} files)`), row('all', `the whole tree (${tree.files.toLocaleString('en-US')} files)`)],
    };
    await measure(
      listing.rows.map((r, i) => ({ row: r, file: 'list-memory.mjs', args: { root, ...(i === 0 ? { include: subset } : {}) }, nodeArgs: ['--expose-gc'], timeoutS: 60 })),
      1,
    );
    const [sub, all] = listing.rows.map((r) => r.result);
    const grows = sub && all ? all.liveHeap / sub.liveHeap : null;
    checks.push({ name: 'memory: local listing live heap, whole tree ÷ a tenth', value: grows, target: `≤ ${FLAT} (flat)`, pass: grows === null ? null : grows <= FLAT });
  }

  if (only.has('large')) {
    const root = path.join(tmp, 'large');
    const { count, size } = SIZES.large;
    log(`writing ${count} × ${size / MiB} MiB under ${root}`);
    const set = makeLargeFiles(root, count, size);
    warm(root);
    const rows = {
      raw: row('raw', 'raw: read stream (64 KiB) + sha256, 1 file at a time'),
      scan: row('scan', 'scan, hash on', 'raw'),
      main: row('main', 'raw: 1 MiB reads, sha256 on main thread, 2 files at a time', 'raw'),
      pool: row('pool', 'raw: 1 MiB reads, sha256 in 2 worker threads, 2 files at a time', 'raw'),
    };
    await measure(
      [
        { row: rows.raw, file: 'raw-large.mjs', args: { root, mode: 'stream' }, timeoutS: 300 },
        { row: rows.scan, file: 'scan.mjs', args: { root, hash: true, digests: true }, timeoutS: 300 },
      ],
      ROUNDS,
    );
    await measure(
      [
        { row: rows.main, file: 'raw-large.mjs', args: { root, mode: 'main', files: 2 }, timeoutS: 300 },
        { row: rows.pool, file: 'raw-large.mjs', args: { root, mode: 'pool', files: 2, workers: 2 }, timeoutS: 300 },
      ],
      ROUNDS,
    );
    const section = {
      title: `Large files: ${count} × ${size / MiB} MiB = ${((count * size) / 2 ** 30).toFixed(1)} GiB, written and fsynced, warm page cache`,
      note: 'ratio = throughput ÷ the read-stream baseline. Every variant must produce the same sha256 digests.',
      rows: Object.values(rows),
    };
    const expected = JSON.stringify(rows.raw.result?.digests);
    for (const r of section.rows) if (r.result && JSON.stringify(r.result.digests) !== expected) r.error = `digests differ from the baseline's: ${JSON.stringify(r.result.digests)}`;
    for (const r of section.rows) if (r.result && r.result.bytes !== set.bytes) r.error = `read ${r.result.bytes} bytes, the set has ${set.bytes}`;
    sections.push(section);
    const ratio = ratioOf(section, rows.scan);
    checks.push({ name: 'large files: scan (hash on) ÷ raw', value: ratio, target: '≥ 0.80', pass: ratio === null ? null : ratio >= 0.8 });
    // The read-stream baseline is what the issue asks for, but not the fastest way to hash: say how
    // the scan compares with the fastest raw variant too.
    const best = [rows.main, rows.pool].map((r) => r.result).filter((r) => r !== null).sort((x, y) => x.seconds - y.seconds)[0];
    const vsBest = best && rows.scan.result ? best.seconds / rows.scan.result.seconds : null;
    checks.push({ name: 'large files: scan (hash on) ÷ fastest raw variant', value: vsBest, target: 'for information', pass: null });
  }

  if (only.has('memory')) {
    const sizes = [0, ...SIZES.memory];
    const rows = sizes.map((n) => row(`n${n}`, n === 0 ? '0 (Node + library floor)' : n.toLocaleString('en-US')));
    for (const [i, n] of sizes.entries()) await measure([{ row: rows[i], file: 'memory.mjs', args: { count: n }, nodeArgs: ['--expose-gc'], timeoutS: n > 300_000 ? 900 : 300 }], 1);
    memory = { title: 'Memory: synthetic in-memory source, builtin detectors, hash on, one process per size', note: 'peak RSS = process.resourceUsage().maxRSS of the scan process.', rows };
    const [a, b] = [rows[1].result, rows[2].result];
    const ratio = a && b ? b.peakRss / a.peakRss : null;
    checks.push({ name: `memory: peak RSS ${SIZES.memory[1].toLocaleString('en-US')} ÷ ${SIZES.memory[0].toLocaleString('en-US')} entries`, value: ratio, target: `≤ ${FLAT} (flat)`, pass: ratio === null ? null : ratio <= FLAT });
  }
} finally {
  cleanup();
}

const small = sections.find((s) => s.title.startsWith('Small'));
const large = sections.find((s) => s.title.startsWith('Large'));
const get = (/** @type {Section | undefined} */ s, /** @type {string} */ id) => s?.rows.find((r) => r.id === id)?.result;
const smallSync = [get(small, 'sync2'), get(small, 'sync4')].filter(Boolean).sort((x, y) => filesPerSec(/** @type {any} */ (y)) - filesPerSec(/** @type {any} */ (x)))[0];
const conclusion = workerConclusion({
  hashPool: speedup(get(large, 'pool'), get(large, 'main')),
  hashWorkers: 2,
  smallSync: speedup(smallSync, get(small, 'raw')),
  smallWorkers: smallSync?.workers ?? 2,
});

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
if (flag('json')) {
  process.stdout.write(`${JSON.stringify({ machine, quick, rounds: ROUNDS, sections, memory, listing, checks, conclusion }, null, 2)}\n`);
} else {
  const out = [
    `# Clearance bench${quick ? ' (--quick)' : ''}`,
    `${machine.cpu}, ${machine.cores} cores, ${machine.ramGiB} GiB, Node ${machine.node}, ${machine.platform}; load average at the end ${machine.loadavg.join(' ')}`,
    `Code: ${machine.code}`,
    `Best of ${ROUNDS} runs per variant (small-file scans, memory: 1 run), each started when the machine was quiet if it became so within ${QUIET_WAIT_MS / 1000} s.`,
    '"other cores" = CPU that other processes used during the kept run; figures taken while it is high are noisy.',
    '',
    ...sections.flatMap((s) => [renderSection(s), '']),
    ...(memory ? [renderMemory(memory, checks.find((c) => c.name.startsWith('memory: peak'))), ''] : []),
    ...(listing ? [renderListing(listing, checks.find((c) => c.name.startsWith('memory: local'))), ''] : []),
    renderChecks(checks),
    '',
    conclusion,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}
const failed = [...sections, ...(memory ? [memory] : []), ...(listing ? [listing] : [])].flatMap((s) => s.rows).filter((r) => r.error);
process.exitCode = failed.length > 0 ? 1 : 0;
