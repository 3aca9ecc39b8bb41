/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and says where the time went: self time per
 * function (name, file:line) and per area (a package under node_modules, a file of @clearance/core,
 * node internals, GC, idle), and inclusive time for the busiest functions. Times are from the
 * profile's own sample deltas, so they are wall-clock time on the main thread while it was sampled.
 *
 * `node bench/lib/cpu-profile.mjs <file.cpuprofile> [top]` prints the summary on its own.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {{ id: number, callFrame: { functionName: string, url: string, lineNumber: number }, hitCount?: number, children?: number[] }} ProfileNode
 * @typedef {{ nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }} Profile
 * @typedef {{ name: string, where: string, area: string, selfMs: number, totalMs: number }} FunctionTime
 */

/** Short area of a script URL: `pkg:<name>`, `core:<file>`, `node:<module>`, or the special V8 names. @param {string} url @param {string} name */
export function areaOf(url, name) {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const nm = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/);
  if (nm) return `pkg:${nm[1]}`;
  const core = url.match(/packages\/core\/dist\/(.+?)\.js$/);
  if (core) return `core:${core[1]}`;
  if (url.startsWith('node:')) return url.replace(/^node:internal\//, 'node:');
  const bench = url.match(/bench\/(.+)$/);
  return bench ? `bench:${bench[1]}` : url;
}

/** @param {string} url @param {number} line */
function whereOf(url, line) {
  if (!url) return '';
  const short = url.replace(/^file:\/\//, '').replace(/.*\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/.*\/packages\/core\/dist\//, 'core/');
  return `${short}:${line + 1}`;
}

/**
 * Summarises one profile.
 * @param {Profile} profile
 * @returns {{ totalMs: number, functions: FunctionTime[], areas: { area: string, selfMs: number }[] }}
 */
export function summarise(profile) {
  /** @type {Map<number, ProfileNode>} */
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  /** @type {Map<number, number>} */
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** Self time per node, in µs. */
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
  }
  const key = (/** @type {ProfileNode} */ n) => `${n.callFrame.functionName || '(anonymous)'}\u0000${n.callFrame.url}\u0000${n.callFrame.lineNumber}`;
  /** @type {Map<string, FunctionTime>} */
  const fns = new Map();
  const get = (/** @type {ProfileNode} */ n) => {
    const k = key(n);
    let f = fns.get(k);
    if (!f) {
      const name = n.callFrame.functionName || '(anonymous)';
      f = { name, where: whereOf(n.callFrame.url, n.callFrame.lineNumber), area: areaOf(n.callFrame.url, name), selfMs: 0, totalMs: 0 };
      fns.set(k, f);
    }
    return f;
  };
  let total = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    get(node).selfMs += us / 1000;
    // Inclusive: charge every distinct function on the stack once (recursion counted once).
    const seen = new Set();
    for (let at = /** @type {number | undefined} */ (id); at !== undefined; at = parent.get(at)) {
      const n = /** @type {ProfileNode} */ (byId.get(at));
      const k = key(n);
      if (seen.has(k)) continue;
      seen.add(k);
      get(n).totalMs += us / 1000;
    }
  }
  /** @type {Map<string, number>} */
  const areas = new Map();
  for (const f of fns.values()) areas.set(f.area, (areas.get(f.area) ?? 0) + f.selfMs);
  return {
    totalMs: total / 1000,
    functions: [...fns.values()].filter((f) => f.name !== '(root)'),
    areas: [...areas.entries()].map(([area, selfMs]) => ({ area, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

/**
 * The summary as text: top areas by self time, top functions by self time, and top functions of
 * the engine and containers by inclusive time.
 * @param {ReturnType<typeof summarise>} s
 * @param {number} [top]
 */
export function renderProfile(s, top = 20) {
  const pct = (/** @type {number} */ ms) => `${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%`;
  const ms = (/** @type {number} */ x) => `${Math.round(x).toLocaleString('en-US').padStart(7)} ms`;
  const lines = [`sampled ${Math.round(s.totalMs).toLocaleString('en-US')} ms on the main thread`, '', 'self time by area:'];
  for (const a of s.areas.slice(0, 14)) lines.push(`  ${pct(a.selfMs)} ${ms(a.selfMs)}  ${a.area}`);
  lines.push('', 'self time by function:');
  for (const f of [...s.functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)) lines.push(`  ${pct(f.selfMs)} ${ms(f.selfMs)}  ${f.name}  ${f.where}`);
  lines.push('', 'inclusive time, functions of @clearance/core (engine, containers, detectors, source):');
  const core = s.functions.filter((f) => f.area.startsWith('core:') && f.name !== '(anonymous)');
  for (const f of core.sort((a, b) => b.totalMs - a.totalMs).slice(0, top)) lines.push(`  ${pct(f.totalMs)} ${ms(f.totalMs)}  ${f.name}  ${f.where}`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node bench/lib/cpu-profile.mjs <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${renderProfile(summarise(JSON.parse(fs.readFileSync(file, 'utf8'))), Number(process.argv[3] ?? 20))}\n`);
}
