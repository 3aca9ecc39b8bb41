/**
 * Turns the cases' results into the printed tables, the target checks and the worker-thread
 * conclusion. Rates use MB = 10^6 bytes; RSS is in MiB.
 */

/**
 * @typedef {import('./run-case.mjs').CaseResult} CaseResult
 * @typedef {{ id: string, label: string, result: CaseResult | null, rounds: number, error?: string, vs?: string }} Row
 * @typedef {{ title: string, note: string, rows: Row[] }} Section
 * @typedef {{ name: string, value: number | null, target: string, pass: boolean | null }} Check
 *   `pass` null with a value: for information, no target.
 */

const MiB = 1024 * 1024;

/** @param {number} n */
const int = (n) => Math.round(n).toLocaleString('en-US');
/** @param {number | null | undefined} n @param {number} [digits] */
const num = (n, digits = 2) => (n === null || n === undefined || !Number.isFinite(n) ? '—' : n.toFixed(digits));

/** @param {CaseResult} r */
export const filesPerSec = (r) => r.files / r.seconds;
/** @param {CaseResult} r */
export const mbPerSec = (r) => r.bytes / 1e6 / r.seconds;

/**
 * Ratio of a row's files/s to another row's (the baseline it is compared with), or null.
 * @param {Section} section @param {Row} row
 */
export function ratioOf(section, row) {
  if (!row.vs || !row.result) return null;
  const base = section.rows.find((r) => r.id === row.vs)?.result;
  return base ? filesPerSec(row.result) / filesPerSec(base) : null;
}

/**
 * @param {string[][]} cells first row is the header
 * @param {boolean[]} right which columns are right-aligned
 */
function table(cells, right) {
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (/** @type {string[]} */ row) => row.map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/**
 * One throughput section as text.
 * @param {Section} section
 */
export function renderSection(section) {
  const head = ['variant', 'files/s', 'MB/s', 'read MB', 'seconds', 'ratio', 'vs', 'peak RSS MiB', 'other cores', 'runs'];
  const body = section.rows.map((row) => {
    const r = row.result;
    if (!r) return [row.label, 'failed', '', '', '', '', '', '', '', String(row.rounds)];
    const ratio = ratioOf(section, row);
    return [
      row.label,
      int(filesPerSec(r)),
      num(mbPerSec(r), 1),
      int((r.bytesRead ?? r.bytes) / 1e6),
      num(r.seconds, 2),
      ratio === null ? '' : num(ratio, 2),
      row.vs ?? '',
      int(r.peakRss / MiB),
      num(r.otherCores, 1),
      String(row.rounds),
    ];
  });
  const errors = section.rows.filter((r) => r.error).map((r) => `  ! ${r.label}: ${r.error}`);
  return [`## ${section.title}`, section.note, '', table([head, ...body], [false, true, true, true, true, true, false, true, true, true]), ...errors].join('\n');
}

/**
 * The memory section: peak RSS per number of listed entries.
 * @param {Section} section
 * @param {Check | undefined} flat
 */
export function renderMemory(section, flat) {
  const head = ['entries', 'peak RSS MiB', 'heap at end MiB', 'live heap after GC MiB', 'files/s', 'seconds', 'other cores'];
  const body = section.rows.map((row) => {
    const r = row.result;
    if (!r) return [row.label, 'failed', '', '', '', '', ''];
    const live = r.liveHeapAfterGc === null ? '—' : num(r.liveHeapAfterGc / MiB, 1);
    return [row.label, int(r.peakRss / MiB), int(r.heapUsedAtEnd / MiB), live, int(filesPerSec(r)), num(r.seconds, 1), num(r.otherCores, 1)];
  });
  const ratio = flat ? `${flat.name.replace(/^memory: /, '')}: ${num(flat.value)} (target ${flat.target})` : '';
  const errors = section.rows.filter((r) => r.error).map((r) => `  ! ${r.label}: ${r.error}`);
  return [`## ${section.title}`, section.note, '', table([head, ...body], [false, true, true, true, true, true, true]), ratio, ...errors].join('\n');
}

/**
 * The local-listing memory section.
 * @param {Section} section
 * @param {Check | undefined} flat
 */
export function renderListing(section, flat) {
  const head = ['listing', 'entries consumed', 'live heap MiB', 'peak RSS MiB'];
  const body = section.rows.map((row) => {
    const r = row.result;
    return r ? [row.label, int(r.files), num(r.liveHeap / MiB, 1), int(r.peakRss / MiB)] : [row.label, 'failed', '', ''];
  });
  const ratio = flat ? `${flat.name.replace(/^memory: /, '')}: ${num(flat.value)} (target ${flat.target})` : '';
  const errors = section.rows.filter((r) => r.error).map((r) => `  ! ${r.label}: ${r.error}`);
  return [`## ${section.title}`, section.note, '', table([head, ...body], [false, true, true, true]), ratio, ...errors].join('\n');
}

/** @param {Check[]} checks */
export function renderChecks(checks) {
  const lines = checks.map((c) => `  ${c.value === null ? 'n/a ' : c.pass === null ? 'info' : c.pass ? 'PASS' : 'MISS'}  ${c.name}: ${num(c.value)} (${c.pass === null ? '' : 'target '}${c.target})`);
  return ['## Targets', ...lines].join('\n');
}

/**
 * Speed-up of `a` over `b` (time of b ÷ time of a), when both ran.
 * @param {CaseResult | null | undefined} a @param {CaseResult | null | undefined} b
 */
export function speedup(a, b) {
  return a && b ? b.seconds / a.seconds : null;
}

/**
 * One line on whether worker threads pay off, from the measured speed-ups.
 * @param {{ hashPool: number | null, hashWorkers: number, smallSync: number | null, smallWorkers: number }} m
 */
export function workerConclusion(m) {
  /** @param {number | null} x */
  const verdict = (x) => (x === null ? 'was not measured' : x >= 1.15 ? 'pays off' : x <= 0.87 ? 'costs' : 'makes no clear difference');
  /** @param {number | null} x @param {string} what */
  const figure = (x, what) => (x === null ? '' : ` (${num(x)}× ${what})`);
  return (
    `Worker threads: hashing large files in a ${m.hashWorkers}-worker pool ${verdict(m.hashPool)}${figure(m.hashPool, 'the main-thread rate, same reads, 2 files at a time')}; ` +
    `sync small-file reads in ${m.smallWorkers} workers ${verdict(m.smallSync)}${figure(m.smallSync, 'the callback API on the main thread')}.`
  );
}
