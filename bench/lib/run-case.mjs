/**
 * Starts one bench case in its own Node process and collects its JSON line. Also measures how busy
 * the rest of the machine was meanwhile (other processes compete for the same 2 cores and make
 * figures noisy), from /proc/stat minus the case's own CPU time.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { clearTimeout, setTimeout } from 'node:timers';

/** Busy CPU time of the whole machine so far, in seconds; null where /proc/stat is not available. */
function machineBusySeconds() {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: everything but idle and iowait is busy.
    const busy = cpu.reduce((a, b) => a + b, 0) - cpu[3] - cpu[4];
    return busy / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/**
 * Waits until other processes leave the machine nearly idle (under 0.25 busy cores over half a
 * second), for at most `maxMs`; resolves with how long it waited. On a small shared machine one
 * busy neighbour halves a case's speed, so each timed run starts in a quiet moment when there is one.
 * @param {number} maxMs
 */
export async function waitQuiet(maxMs) {
  const t0 = performance.now();
  while (performance.now() - t0 < maxMs) {
    const a = machineBusySeconds();
    if (a === null) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const b = /** @type {number} */ (machineBusySeconds());
    if ((b - a) / 0.5 < 0.25) break;
  }
  return performance.now() - t0;
}

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();

/** Kills the cases still running (on Ctrl-C or a fatal error), by their own pid. */
export function killRunning() {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * @typedef {Record<string, any> & { seconds: number, peakRss: number, cpuSeconds: number, otherCores: number | null }} CaseResult
 */

/**
 * Runs `bench/cases/<file>` with `args` and resolves with its result line plus `otherCores`: the
 * average number of cores other processes kept busy during the case.
 * @param {string} file path of the case script
 * @param {Record<string, unknown>} args
 * @param {{ timeoutMs: number, nodeArgs?: string[] }} opts
 * @returns {Promise<CaseResult>}
 */
export function runCase(file, args, opts) {
  return new Promise((resolve, reject) => {
    const busy0 = machineBusySeconds();
    const t0 = performance.now();
    const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), file, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      const wall = (performance.now() - t0) / 1000;
      const busy1 = machineBusySeconds();
      const what = `${file.split('/').pop()} ${JSON.stringify(args)}`;
      if (timedOut) return reject(new Error(`${what} did not finish within ${Math.round(opts.timeoutMs / 1000)} s and was killed`));
      if (code !== 0) return reject(new Error(`${what} failed (${signal ?? `exit ${code}`}):\n${err.trim()}`));
      const line = out.trim().split('\n').pop() ?? '';
      let result;
      try {
        result = JSON.parse(line);
      } catch {
        return reject(new Error(`${what} printed no JSON result:\n${out}${err}`));
      }
      const otherCores = busy0 === null || busy1 === null ? null : Math.max(0, (busy1 - busy0 - result.cpuSeconds) / wall);
      resolve({ ...result, otherCores });
    });
  });
}
