/**
 * Licence identification benchmark: `pnpm bench:licences` (builds first), or `node bench/licences.mjs [options]`.
 *
 *   --corpus=<dir>   licence files to identify (default: /work/shared/corpus/licenses when present,
 *                    else the copy in packages/core/src/licence-match/fixtures/corpus)
 *   --rounds=N       timed passes over the corpus in one process, after 3 warm-up passes (default 10;
 *                    best and median shown, and the first, cold pass)
 *   --starts=N       fresh processes to time start-up in (default 5; median shown)
 *   --no-licensee    skip the comparison with licensee (Ruby; `apt-get install ruby-licensee`)
 *   --json           print the results as one JSON document
 *
 * Start-up: in a fresh Node process, the time to import the library, unpack and index the licence
 * data (the SPDX License List and the extra licences) and identify a first text — what the first
 * licence file of a scan costs. Throughput: every file of the corpus identified in one process, one
 * thread, after warm-up passes (a scan of millions of files runs warm); files/s by the wall clock and
 * per CPU-second (the process's CPU time, which also counts V8's compiler and GC helper threads). CPU time is
 * shown beside wall time because a shared machine's wall clock says more about its load than about
 * the code. licensee, when installed, runs the same files in one Ruby process the same way.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const libUrl = pathToFileURL(path.join(here, '..', 'packages', 'core', 'dist', 'licence-match', 'index.js')).href;

const argv = process.argv.slice(2);
const option = (/** @type {string} */ name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const unknown = argv.filter((a) => !/^--(corpus=.+|rounds=\d+|starts=\d+|no-licensee|json)$/.test(a));
if (unknown.length > 0) {
  process.stderr.write(`unknown option(s): ${unknown.join(' ')}\nusage: node bench/licences.mjs [--corpus=<dir>] [--rounds=N] [--starts=N] [--no-licensee] [--json]\n`);
  process.exit(2);
}
const ROUNDS = Math.max(1, Number(option('rounds') ?? 10));
const WARM_UP = 3;
const STARTS = Math.max(1, Number(option('starts') ?? 5));
const shared = '/work/shared/corpus/licenses';
const corpus = option('corpus') ?? (fs.existsSync(shared) ? shared : path.join(here, '..', 'packages', 'core', 'src', 'licence-match', 'fixtures', 'corpus'));
const log = (/** @type {string} */ msg) => process.stderr.write(`[bench:licences] ${msg}\n`);

if (!fs.existsSync(fileURLToPath(libUrl))) {
  log('packages/core is not built: run `pnpm run build` (or `pnpm bench:licences`)');
  process.exit(2);
}
const files = fs
  .readdirSync(corpus)
  .filter((f) => !/^SOURCES\b/i.test(f) && fs.statSync(path.join(corpus, f)).isFile())
  .sort()
  .map((f) => path.join(corpus, f));
if (files.length === 0) {
  log(`no files in ${corpus}`);
  process.exit(2);
}

const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

// --- Start-up, each in a fresh process --------------------------------------------------------
const START_SCRIPT = `
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const t0 = performance.now(), c0 = cpu();
const lib = await import(${JSON.stringify(libUrl)});
const t1 = performance.now(), c1 = cpu();
lib.licenceData();
const t2 = performance.now(), c2 = cpu();
const id = lib.identifyLicences('Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted.\\n\\nTHE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.');
const t3 = performance.now(), c3 = cpu();
if (id.expression !== '0BSD') throw new Error('start-up check identified ' + id.expression);
console.log(JSON.stringify({ version: lib.LICENCE_LIST_VERSION, importMs: t1 - t0, dataMs: t2 - t1, firstMs: t3 - t2, totalMs: t3 - t0, cpuMs: c3 - c0, dataCpuMs: c2 - c1 }));
`;
log(`start-up: ${STARTS} fresh processes`);
/** @type {{ version: string, importMs: number, dataMs: number, firstMs: number, totalMs: number, cpuMs: number, dataCpuMs: number }[]} */
const starts = [];
for (let i = 0; i < STARTS; i++) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', START_SCRIPT], { encoding: 'utf8' });
  starts.push(JSON.parse(out.trim().split('\n').at(-1) ?? '{}'));
}
const startup = {
  importMs: median(starts.map((s) => s.importMs)),
  dataMs: median(starts.map((s) => s.dataMs)),
  firstMs: median(starts.map((s) => s.firstMs)),
  totalMs: median(starts.map((s) => s.totalMs)),
  cpuMs: median(starts.map((s) => s.cpuMs)),
};

// --- Throughput, in this process ---------------------------------------------------------------
const lib = await import(libUrl);
const bytes = files.map((f) => fs.readFileSync(f));
const identifyAll = () => bytes.map((b) => lib.identifyLicences(lib.decodeLicenceBytes(b).text, { context: 'file' }));
log(`throughput: ${files.length} files from ${corpus}, ${WARM_UP} warm-up + ${ROUNDS} rounds`);
const c0 = cpuMs();
const t0 = performance.now();
const answers = identifyAll().map((r) => r.expression);
const cold = { wallMs: performance.now() - t0, cpuMs: cpuMs() - c0 };
for (let r = 1; r < WARM_UP; r++) identifyAll();
/** @type {{ wallMs: number, cpuMs: number }[]} */
const rounds = [];
/** @type {number[][]} */
const perFile = files.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  const t0 = performance.now();
  const c0 = cpuMs();
  for (let i = 0; i < bytes.length; i++) {
    const f0 = performance.now();
    lib.identifyLicences(lib.decodeLicenceBytes(bytes[i]).text, { context: 'file' });
    perFile[i].push(performance.now() - f0);
  }
  rounds.push({ wallMs: performance.now() - t0, cpuMs: cpuMs() - c0 });
}
const throughput = {
  files: files.length,
  bytes: bytes.reduce((n, b) => n + b.length, 0),
  filesPerSecWallBest: files.length / (Math.min(...rounds.map((r) => r.wallMs)) / 1000),
  filesPerSecWallMedian: files.length / (median(rounds.map((r) => r.wallMs)) / 1000),
  filesPerCpuSecBest: files.length / (Math.min(...rounds.map((r) => r.cpuMs)) / 1000),
  filesPerCpuSecMedian: files.length / (median(rounds.map((r) => r.cpuMs)) / 1000),
  coldFilesPerSecWall: files.length / (cold.wallMs / 1000),
  coldFilesPerCpuSec: files.length / (cold.cpuMs / 1000),
  identified: answers.filter((a) => a !== null).length,
  slowest: perFile
    .map((ms, i) => ({ file: path.basename(files[i]), ms: Math.min(...ms), kb: Math.round(bytes[i].length / 1024) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5),
};

// --- licensee, in one Ruby process ------------------------------------------------------------------
const RUBY = `
require 'json'
cpu = -> { Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID) * 1000 }
wall = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) * 1000 }
rounds = Integer(ARGV.shift)
texts = ARGV.map { |f| [File.basename(f), File.binread(f).force_encoding('UTF-8')] }
t0, c0 = wall.(), cpu.()
require 'licensee'
Licensee::ProjectFiles::LicenseFile.new(texts[0][1], 'LICENSE').license
startup = { 'totalMs' => wall.() - t0, 'cpuMs' => cpu.() - c0 }
ident = -> (t) { f = Licensee::ProjectFiles::LicenseFile.new(t, 'LICENSE'); l = f.license; l.nil? || l.key == 'other' ? nil : l.spdx_id }
answers = texts.map { |_, t| ident.(t) }
2.times { texts.each { |_, t| ident.(t) } }
runs = (1..rounds).map do
  w, c = wall.(), cpu.()
  texts.each { |_, t| ident.(t) }
  { 'wallMs' => wall.() - w, 'cpuMs' => cpu.() - c }
end
puts JSON.generate({ 'version' => Licensee::VERSION, 'startup' => startup, 'rounds' => runs, 'answers' => answers })
`;
/** @type {Record<string, unknown> | null} */
let licensee = null;
if (!argv.includes('--no-licensee')) {
  const probe = spawnSync('ruby', ['-e', 'require "licensee"'], { encoding: 'utf8' });
  if (probe.status !== 0) log('licensee: not installed (apt-get install ruby-licensee): skipped');
  else {
    log('licensee: the same files in one Ruby process');
    const r = spawnSync('ruby', ['-e', RUBY, String(ROUNDS), ...files], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    if (r.status !== 0) log(`licensee failed: ${r.stderr.slice(0, 500)}`);
    else {
      /** @type {{ version: string, startup: { totalMs: number, cpuMs: number }, rounds: { wallMs: number, cpuMs: number }[], answers: (string | null)[] }} */
      const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}');
      // licensee names GNU licences by their old SPDX ids (GPL-3.0 is GPL-3.0-only) and says NONE for "no licence".
      const same = (/** @type {string | null} */ l, /** @type {string | null} */ c) => (l === 'NONE' ? null : l) === c || (l !== null && c === `${l}-only`);
      const differing = out.answers.map((a, i) => ({ file: path.basename(files[i]), licensee: a, clearance: answers[i] })).filter((d) => !same(d.licensee, d.clearance));
      licensee = {
        version: out.version,
        startup: out.startup,
        filesPerSecWallBest: files.length / (Math.min(...out.rounds.map((x) => x.wallMs)) / 1000),
        filesPerCpuSecBest: files.length / (Math.min(...out.rounds.map((x) => x.cpuMs)) / 1000),
        filesPerCpuSecMedian: files.length / (median(out.rounds.map((x) => x.cpuMs)) / 1000),
        identified: out.answers.filter((a) => a !== null && a !== 'NONE').length,
        differing,
      };
    }
  }
}

const result = { node: process.version, cpus: (await import('node:os')).cpus().length, listVersion: starts[0]?.version, corpus, startup, throughput, licensee };
if (argv.includes('--json')) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const f1 = (/** @type {number} */ n) => n.toFixed(1);
  const f0 = (/** @type {number} */ n) => Math.round(n).toString();
  const fmt = (/** @type {any[]} */ ds) => (ds.length === 0 ? 'none' : ds.map((d) => `${d.file.replace(/\.txt$/, '')} (${d.licensee ?? d.clearance})`).join(', '));
  const lines = [
    `Licence identification — SPDX License List ${result.listVersion}, Node ${process.version}`,
    '',
    `Start-up (median of ${STARTS} fresh processes; target < 300 ms)`,
    `  import ${f1(startup.importMs)} ms · unpack + index ${f1(startup.dataMs)} ms · first text ${f1(startup.firstMs)} ms`,
    `  total ${f1(startup.totalMs)} ms wall, ${f1(startup.cpuMs)} ms CPU`,
    '',
    `Throughput over ${files.length} files (${f0(throughput.bytes / 1024)} KiB), one process, one thread (target ≥ 200 files/s per core)`,
    `  ${f0(throughput.filesPerCpuSecBest)} files per CPU-second best, ${f0(throughput.filesPerCpuSecMedian)} median`,
    `  ${f0(throughput.filesPerSecWallBest)} files/s by the wall clock best, ${f0(throughput.filesPerSecWallMedian)} median`,
    `  first (cold) pass: ${f0(throughput.coldFilesPerCpuSec)} files per CPU-second, ${f0(throughput.coldFilesPerSecWall)} files/s wall`,
    `  a licence named for ${throughput.identified} of ${files.length} files`,
    `  slowest: ${throughput.slowest.map((s) => `${s.file} ${f1(s.ms)} ms (${s.kb} KiB)`).join(', ')}`,
  ];
  if (licensee) {
    const l = /** @type {any} */ (licensee);
    lines.push(
      '',
      `licensee ${l.version} (Ruby, one process, the same files)`,
      `  start-up (require + first text): ${f1(l.startup.totalMs)} ms wall, ${f1(l.startup.cpuMs)} ms CPU`,
      `  ${f0(l.filesPerCpuSecBest)} files per CPU-second best, ${f0(l.filesPerCpuSecMedian)} median; ${f0(l.filesPerSecWallBest)} files/s wall best`,
      `  a licence named for ${l.identified} of ${files.length} files; answers differ from Clearance's on ${l.differing.length} (old GNU ids taken as -only):`,
      `    licensee names a licence, Clearance none: ${fmt(l.differing.filter((/** @type {any} */ d) => d.clearance === null))}`,
      `    Clearance names a licence, licensee none: ${fmt(l.differing.filter((/** @type {any} */ d) => d.licensee === null || d.licensee === 'NONE'))}`,
      `    both, differently: ${fmt(l.differing.filter((/** @type {any} */ d) => d.clearance !== null && d.licensee !== null && d.licensee !== 'NONE'))}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
