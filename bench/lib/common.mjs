/**
 * Helpers shared by the bench cases. Every case is a child process started by bench/run.mjs with one
 * JSON argument; it does its work and prints exactly one JSON line on stdout (its result), so that
 * `process.resourceUsage().maxRSS` is the peak of that case alone and nothing else.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The JSON argument a case was started with.
 * @template T
 * @returns {T}
 */
export function caseArgs() {
  const raw = process.argv[2];
  if (!raw) throw new Error('a bench case takes one JSON argument; run it through bench/run.mjs');
  return JSON.parse(raw);
}

/** Peak resident set size of this process so far, in bytes (Linux reports KiB). */
export function peakRss() {
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Prints the case's one result line, with its peak RSS and the CPU time of all its threads.
 * @param {Record<string, unknown>} result
 */
export function emit(result) {
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ ...result, peakRss: peakRss(), cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
}

/**
 * Runs `fn` and returns its result with the elapsed wall time in seconds.
 * @template T
 * @param {() => Promise<T>} fn
 * @returns {Promise<{ value: T, seconds: number }>}
 */
export async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Runs `work(item)` over an async iterable with at most `limit` in flight, a plain counter and queue
 * (no Promise.race), so the baseline's own scheduling costs next to nothing.
 * @template T
 * @param {AsyncIterable<T>} items
 * @param {number} limit
 * @param {(item: T, done: (err?: Error | null) => void) => void} work callback-style: call `done` once
 * @returns {Promise<void>}
 */
export async function pumpCallbacks(items, limit, work) {
  let inFlight = 0;
  /** @type {Error | null} */
  let failure = null;
  /** @type {(() => void) | null} */
  let wake = null;
  const done = (/** @type {Error | null | undefined} */ err) => {
    inFlight--;
    if (err && !failure) failure = err;
    if (wake) {
      const w = wake;
      wake = null;
      w();
    }
  };
  for await (const item of items) {
    if (failure) throw failure;
    while (inFlight >= limit) await new Promise((resolve) => (wake = () => resolve(undefined)));
    inFlight++;
    work(item, done);
  }
  while (inFlight > 0) await new Promise((resolve) => (wake = () => resolve(undefined)));
  if (failure) throw failure;
}

/**
 * Starts `count` workers from `url` with `workerData`, and resolves once each has said it is ready.
 * @param {URL} url
 * @param {number} count
 * @param {unknown} workerData
 */
export async function startWorkers(url, count, workerData) {
  const { Worker } = await import('node:worker_threads');
  const workers = Array.from({ length: count }, () => new Worker(url, { workerData }));
  await Promise.all(workers.map((w) => once(w, 'message')));
  return workers;
}

/**
 * The command line of a bench script: `--name` flags and `--name=value` options. Exits 2 with the
 * usage line when an argument does not match `allowed`.
 * @param {RegExp} allowed
 * @param {string} usage
 */
export function benchArgs(allowed, usage) {
  const argv = process.argv.slice(2);
  const unknown = argv.filter((a) => !allowed.test(a));
  if (unknown.length > 0) {
    process.stderr.write(`unknown option(s): ${unknown.join(' ')}\nusage: ${usage}\n`);
    process.exit(2);
  }
  return {
    flag: (/** @type {string} */ name) => argv.includes(`--${name}`),
    option: (/** @type {string} */ name) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1],
  };
}

/**
 * A temporary folder for a bench run's data, removed by the returned `cleanup` (kept when `keep`),
 * which also stops running cases; SIGINT and SIGTERM clean up and exit 130.
 * @param {string} prefix
 * @param {boolean} keep
 * @param {(msg: string) => void} log
 * @param {() => void} stopCases
 * @param {string} what what the folder holds, for the "kept" message
 */
export function benchWorkspace(prefix, keep, log, stopCases, what = 'data') {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const cleanup = () => {
    stopCases();
    if (keep) log(`${what} kept in ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  };
  for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.on(sig, () => {
      log(`${sig}: stopping`);
      cleanup();
      process.exit(130);
    });
  }
  return { tmp, cleanup };
}
