/**
 * S3 benchmark: `pnpm bench:s3` (builds first), or `node bench/s3.mjs [--dataset=mixed|media] [--files=N] [--rounds=N] [--json] [--keep]`.
 *
 * Two datasets. `--dataset=media` (bench/lib/media-data.mjs): what an image or multimodal training set
 * holds — 400 photos of 150 KB to 3 MB (JPEG and PNG with EXIF/XMP/IPTC/C2PA, from the detectors'
 * fixtures enlarged inside their structure), 150 text documents of 20 to 300 KB, 30 PDFs and 20 MP4s,
 * about 0.5 GB; it is where bytes requested / stored is measured for the target. `--dataset=mixed`
 * (the default: quick, ~20 MB): (small texts, JSON and binaries from bench/lib/generate.mjs, LICENSE and dataset
 * cards, a `.well-known/tdmrep.json`, the image/PDF/EPUB/ZIP/office/MP4 fixtures of the core detectors
 * — images with EXIF/XMP/IPTC/C2PA — and a few multi-MiB files) is written to local disk and uploaded
 * to the loopback radosgw (scripts/s3-server.sh, joined and released as the storage-s3 tests do), then
 * scanned from both with the real engine and `builtinDetectors`, hashing off and on. It prints:
 *
 * - objects/s of the local and the S3 scan, and their ratio;
 * - bytes requested / bytes stored in the S3 scan, from the records (`read.bytes`, the engine's count)
 *   and, to cross-check, the GetObject body bytes and the socket bytes received at the HTTP layer
 *   (a counting request handler and agent under the AWS SDK); requests per object, both ways;
 * - which media types the requested bytes went to, and the files read the most;
 * - whether the local and S3 records agree, path by path (licence, opt-outs, TPM, verdict, media
 *   type, finding codes, errors, sha256), with the mismatches.
 *
 * The target (issue 6): bytes requested ≤ 5% of bytes stored in a scan without hashing.
 * `--dataset=mixed` stays the default: it runs in a minute and covers every detector's fixture; the
 * media dataset uploads half a gigabyte to a memstore OSD (1 GiB) and takes several minutes.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinDetectors, localSource, scan } from '@clearance/core';
import { makeSmallTree } from './lib/generate.mjs';
import { makeMediaDataset } from './lib/media-data.mjs';
import { countingClient } from './lib/s3-counting.mjs';
import { useS3Server } from './lib/s3-server.mjs';
import { benchArgs } from './lib/common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
// The S3 package and its SDK live in packages/storage-s3 (bench/package.json names only core).
const s3Require = createRequire(path.join(repo, 'packages/storage-s3/package.json'));
const { S3Client, GetObjectCommand, PutObjectCommand, CreateBucketCommand, DeleteObjectCommand, DeleteBucketCommand, ListObjectsV2Command } = s3Require('@aws-sdk/client-s3');
const { NodeHttpHandler } = s3Require('@smithy/node-http-handler');
const { s3Source } = await import(path.join(repo, 'packages/storage-s3/dist/index.js'));

const { flag, option } = benchArgs(/^--(files=\d+|rounds=\d+|dataset=(?:mixed|media)|json|keep)$/, 'node bench/s3.mjs [--dataset=mixed|media] [--files=N] [--rounds=N] [--json] [--keep]');
const FILES = Number(option('files') ?? 2000);
const ROUNDS = Number(option('rounds') ?? 1);
const DATASET = option('dataset') ?? 'mixed';
const CONCURRENCY = 32;
const TARGET = 0.05;
const MiB = 1024 * 1024;
const log = (/** @type {string} */ msg) => process.stderr.write(`[bench:s3] ${msg}\n`);

/** Fixture folders of core detectors whose files are real media with metadata, containers and DRM. */
const FIXTURE_DIRS = ['media-rights', 'c2pa', 'iptc-plus', 'tdmrep-xmp', 'pdf-encryption', 'epub-drm', 'zip-encryption', 'office-encryption', 'bmff-encryption', 'tdmrep-epub'];

// ---------------------------------------------------------------------------------------------------
// The dataset

/**
 * Writes the dataset under `root`.
 * @param {string} root
 */
function makeDataset(root) {
  let fixtures = 0;
  for (const d of FIXTURE_DIRS) {
    const from = path.join(repo, 'packages/core/src/detectors', d, 'fixtures');
    if (!fs.existsSync(from)) continue;
    for (const name of fs.readdirSync(from)) {
      const file = path.join(from, name);
      if (!fs.statSync(file).isFile()) continue;
      fs.mkdirSync(path.join(root, 'media', d), { recursive: true });
      fs.copyFileSync(file, path.join(root, 'media', d, name));
      fixtures++;
    }
  }
  // A TDMRep file reserving one top folder: every record below it carries the opt-out.
  fs.mkdirSync(path.join(root, '.well-known'), { recursive: true });
  fs.writeFileSync(path.join(root, '.well-known', 'tdmrep.json'), JSON.stringify([{ location: '/part-001/*', 'tdm-reservation': 1 }, { location: '/*', 'tdm-reservation': 0 }]));
  // A few multi-MiB files: only their heads and tails matter without hashing.
  const big = path.join(root, 'big');
  fs.mkdirSync(big, { recursive: true });
  const noise = Buffer.alloc(8 * MiB);
  for (let i = 0; i < noise.length; i += 4) noise.writeUInt32LE((Math.imul(i + 1, 2654435761) ^ (i >>> 7)) >>> 0, i);
  const words = Buffer.from('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\n'.repeat(Math.ceil((6 * MiB) / 77))).subarray(0, 6 * MiB);
  fs.writeFileSync(path.join(big, 'corpus-6m.txt'), words);
  fs.writeFileSync(path.join(big, 'noise-8m.bin'), noise);
  fs.writeFileSync(path.join(big, 'noise-3m.bin'), noise.subarray(0, 3 * MiB));
  fs.writeFileSync(path.join(big, 'photo-5m.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]), noise.subarray(0, 5 * MiB - 16)]));
  const rest = Math.max(10, FILES - fixtures - 5);
  const small = makeSmallTree(path.join(root, 'text'), rest);
  return { fixtures, small: small.files };
}

/**
 * Every file under `root`, as [relative POSIX path, absolute path].
 * @param {string} root
 * @returns {[string, string][]}
 */
function walk(root) {
  /** @type {[string, string][]} */
  const out = [];
  const visit = (/** @type {string} */ dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) visit(abs);
      else if (e.isFile()) out.push([path.relative(root, abs).split(path.sep).join('/'), abs]);
    }
  };
  visit(root);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/**
 * Runs `fn` over `items` with `n` in flight.
 * @template T
 * @param {T[]} items
 * @param {number} n
 * @param {(item: T) => Promise<void>} fn
 */
async function each(items, n, fn) {
  const queue = [...items];
  await Promise.all(Array.from({ length: n }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

// ---------------------------------------------------------------------------------------------------
// Scans

/**
 * One scan, every record kept.
 * @param {any} source
 * @param {boolean} hash
 */
async function runScan(source, hash) {
  const t0 = performance.now();
  const run = scan({ source, detectors: builtinDetectors, hash, concurrency: CONCURRENCY });
  /** @type {Map<string, any>} */
  const records = new Map();
  for await (const r of run) records.set(r.path, r);
  const summary = await run.summary;
  return { seconds: (performance.now() - t0) / 1000, records, summary };
}

/**
 * What must agree between a local and an S3 record of the same bytes.
 * @param {any} r
 * @param {boolean} hash
 */
function essence(r, hash) {
  return JSON.stringify({
    licence: r.licence ? [r.licence.expression, r.licence.source] : null,
    optOuts: r.optOuts.map((/** @type {any} */ o) => `${o.protocol}:${o.reserved}:${o.code}`).sort(),
    tpm: r.tpm.map((/** @type {any} */ t) => `${t.format}:${t.scheme}:${t.needsSecret}:${t.code}`).sort(),
    verdict: r.verdict.decision,
    mediaType: r.mediaType,
    findings: [...new Set(r.findings.map((/** @type {any} */ f) => f.code))].sort(),
    errors: r.errors.map((/** @type {any} */ e) => e.code).sort(),
    ...(hash ? { sha256: r.sha256 } : {}),
  });
}

/**
 * @param {Map<string, any>} local
 * @param {Map<string, any>} remote
 * @param {boolean} hash
 */
function compare(local, remote, hash) {
  /** @type {string[]} */
  const mismatches = [];
  for (const [p, l] of local) {
    const r = remote.get(p);
    if (!r) mismatches.push(`${p}: missing from the S3 scan`);
    else if (essence(l, hash) !== essence(r, hash)) mismatches.push(`${p}:\n    local ${essence(l, hash)}\n    s3    ${essence(r, hash)}`);
  }
  for (const p of remote.keys()) if (!local.has(p)) mismatches.push(`${p}: only in the S3 scan`);
  return mismatches;
}

/**
 * Requested bytes by media type, and the files read the most.
 * @param {Map<string, any>} records
 */
function breakdown(records) {
  /** @type {Map<string, { files: number, stored: number, read: number, requests: number }>} */
  const byType = new Map();
  for (const r of records.values()) {
    const t = r.mediaType ?? '(none)';
    const b = byType.get(t) ?? { files: 0, stored: 0, read: 0, requests: 0 };
    b.files++;
    b.stored += r.size;
    b.read += r.read.bytes;
    b.requests += r.read.requests;
    byType.set(t, b);
  }
  const types = [...byType].sort((a, b) => b[1].read - a[1].read).slice(0, 16);
  // The engine reads files up to 64 KiB whole (one request is cheaper than two); larger ones in part.
  const classes = [
    { name: '≤ 64 KiB (read whole)', max: 64 * 1024 },
    { name: '64 KiB – 1 MiB', max: MiB },
    { name: '> 1 MiB', max: Infinity },
  ].map((c) => ({ ...c, files: 0, stored: 0, read: 0 }));
  for (const r of records.values()) {
    const c = classes.find((k) => r.size <= k.max);
    if (!c) continue;
    c.files++;
    c.stored += r.size;
    c.read += r.read.bytes;
  }
  const top = [...records.values()].sort((a, b) => b.read.bytes - a.read.bytes).slice(0, 10).map((r) => ({ path: r.path, size: r.size, read: r.read.bytes, requests: r.read.requests }));
  return { types, top, classes };
}

// ---------------------------------------------------------------------------------------------------
// Main

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clearance-bench-s3-'));
const root = path.join(tmp, 'dataset');
/** @type {Awaited<ReturnType<typeof useS3Server>> | undefined} */
let server;
const BUCKET = `bench-s3-${process.pid}-${Date.now().toString(36)}`;
const PREFIX = 'dataset';
/** @type {any} */
let admin;

async function cleanup() {
  if (admin) {
    try {
      /** @type {string[]} */
      const keys = [];
      let token;
      do {
        const page = await admin.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
        for (const o of page.Contents ?? []) keys.push(o.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      await each(keys, 16, async (Key) => void (await admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key }))));
      await admin.send(new DeleteBucketCommand({ Bucket: BUCKET }));
    } catch (err) {
      log(`could not empty bucket ${BUCKET}: ${/** @type {Error} */ (err).message}`);
    }
    admin.destroy();
  }
  server?.release();
  if (flag('keep')) log(`dataset kept in ${root}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  if (DATASET === 'media') {
    const made = makeMediaDataset(root, path.join(repo, 'packages/core/src/detectors'));
    log(`media dataset: ${Object.entries(made.byKind).map(([k, v]) => `${v.files} ${k} (${(v.bytes / MiB).toFixed(0)} MiB)`).join(', ')}`);
  } else {
    const made = makeDataset(root);
    log(`mixed dataset: ${made.fixtures} detector fixtures and ${made.small} generated files`);
  }
  const files = walk(root);
  const stored = files.reduce((n, [, abs]) => n + fs.statSync(abs).size, 0);
  log(`dataset: ${files.length} files, ${(stored / MiB).toFixed(1)} MiB in ${root}`);

  server = await useS3Server();
  log(`radosgw at ${server.endpoint} (${(server.startMs / 1000).toFixed(1)} s to start or join)`);
  admin = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const t0 = performance.now();
  await each(files, 16, async ([rel, abs]) => void (await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/${rel}`, Body: fs.readFileSync(abs) }))));
  log(`uploaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // The server's own pace: one ranged GET of the first 64 KiB of every object, 32 in flight, no engine.
  const raw = countingClient(server, S3Client, NodeHttpHandler, CONCURRENCY + 4);
  const tRaw = performance.now();
  await each(files, CONCURRENCY, async ([rel, abs]) => {
    const size = fs.statSync(abs).size;
    const res = await raw.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/${rel}`, Range: `bytes=0-${Math.max(0, Math.min(size, 64 * 1024) - 1)}` }));
    await res.Body.transformToByteArray();
  });
  const rawPerSec = files.length / ((performance.now() - tRaw) / 1000);
  raw.finish();
  log(`raw ranged GETs: ${rawPerSec.toFixed(1)} objects/s`);

  /** @type {any[]} */
  const results = [];
  for (const hash of [false, true]) {
    /** @type {any} */
    let best;
    for (let round = 0; round < ROUNDS; round++) {
      log(`hash ${hash ? 'on' : 'off'}, round ${round + 1}/${ROUNDS}: local scan`);
      const local = await runScan(localSource({ root }), hash);
      log(`hash ${hash ? 'on' : 'off'}, round ${round + 1}/${ROUNDS}: S3 scan`);
      const c = countingClient(server, S3Client, NodeHttpHandler, CONCURRENCY + 4);
      const remote = await runScan(s3Source({ bucket: BUCKET, prefix: PREFIX, client: c.client, maxSockets: CONCURRENCY + 4 }), hash);
      const counts = c.finish();
      if (!best || local.seconds + remote.seconds < best.local.seconds + best.remote.seconds) best = { local, remote, counts };
    }
    const { local, remote, counts } = best;
    const objects = remote.records.size;
    const requested = [...remote.records.values()].reduce((n, r) => n + r.read.bytes, 0);
    const engineRequests = [...remote.records.values()].reduce((n, r) => n + r.read.requests, 0);
    const httpRequests = counts.requests.get + counts.requests.head + counts.requests.list + counts.requests.other;
    const storedS3 = [...remote.records.values()].reduce((n, r) => n + r.size, 0);
    const mismatches = compare(local.records, remote.records, hash);
    // No read plan that sniffs content can go below the first 4,100 bytes of every object (file-type's need).
    const sniffFloor = [...remote.records.values()].reduce((n, r) => n + Math.min(r.size, 4100), 0);
    results.push({
      hash,
      rawGetPerSec: rawPerSec,
      loadAverage: os.loadavg()[0],
      objects,
      localObjects: local.records.size,
      localSeconds: local.seconds,
      s3Seconds: remote.seconds,
      localPerSec: local.records.size / local.seconds,
      s3PerSec: objects / remote.seconds,
      bytesStored: storedS3,
      bytesRequested: requested,
      requestedRatio: requested / storedS3,
      sniffFloorRatio: sniffFloor / storedS3,
      getBodyBytes: counts.body.get,
      getBodyRatio: counts.body.get / storedS3,
      socketBytesRead: counts.socketBytesRead,
      socketBytesWritten: counts.socketBytesWritten,
      engineRequestsPerObject: engineRequests / objects,
      httpRequests: counts.requests,
      httpRequestsPerObject: httpRequests / objects,
      localErrors: local.summary.filesWithErrors,
      s3Errors: remote.summary.filesWithErrors,
      verdicts: remote.summary.verdicts,
      mismatches,
      breakdown: breakdown(remote.records),
    });
  }

  if (flag('json')) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  else {
    const pct = (/** @type {number} */ x) => `${(x * 100).toFixed(2)}%`;
    const n = (/** @type {number} */ x) => x.toLocaleString('en-GB', { maximumFractionDigits: 1 });
    const out = [`S3 bench (--dataset=${DATASET}): ${results[0].objects} objects, ${n(results[0].bytesStored / MiB)} MiB stored, concurrency ${CONCURRENCY}, radosgw on 127.0.0.1\n`];
    for (const r of results) {
      out.push(`hash ${r.hash ? 'on ' : 'off'}:`);
      out.push(`  objects/s     local ${n(r.localPerSec)} (${r.localSeconds.toFixed(2)} s)   S3 ${n(r.s3PerSec)} (${r.s3Seconds.toFixed(2)} s)   S3/local ${(r.s3PerSec / r.localPerSec).toFixed(2)}`);
      out.push(`                (raw ranged GETs without the engine: ${n(r.rawGetPerSec)} objects/s; load average ${r.loadAverage.toFixed(1)} on ${os.availableParallelism()} cores)`);
      out.push(`  bytes         requested (records) ${n(r.bytesRequested / MiB)} MiB = ${pct(r.requestedRatio)} of stored${r.hash ? '' : `  (target ≤ ${pct(TARGET)}: ${r.requestedRatio <= TARGET ? 'met' : 'NOT met'})`}`);
      if (!r.hash) out.push(`                floor of any plan that sniffs 4,100 bytes per object: ${pct(r.sniffFloorRatio)} of stored`);
      out.push(`                GetObject bodies received ${n(r.getBodyBytes / MiB)} MiB = ${pct(r.getBodyRatio)}; all socket bytes in ${n(r.socketBytesRead / MiB)} MiB, out ${n(r.socketBytesWritten / MiB)} MiB`);
      out.push(`  requests      per object: records ${r.engineRequestsPerObject.toFixed(2)}, HTTP ${r.httpRequestsPerObject.toFixed(2)} (GET ${r.httpRequests.get}, HEAD ${r.httpRequests.head}, LIST ${r.httpRequests.list}, other ${r.httpRequests.other})`);
      out.push(`  records       local ${r.localObjects}, S3 ${r.objects}; with errors local ${r.localErrors}, S3 ${r.s3Errors}; verdicts ${JSON.stringify(r.verdicts)}`);
      out.push(`  agreement     ${r.mismatches.length === 0 ? 'every record agrees' : `${r.mismatches.length} mismatches:`}`);
      for (const m of r.mismatches.slice(0, 10)) out.push(`    ${m}`);
      out.push('  requested bytes by object size (files, stored → requested):');
      for (const c of r.breakdown.classes) out.push(`    ${c.name.padEnd(40)} ${String(c.files).padStart(5)}  ${n(c.stored / 1024).padStart(10)} KiB → ${n(c.read / 1024).padStart(9)} KiB (${pct(c.read / Math.max(1, c.stored))})`);
      out.push('  requested bytes by media type (files, stored → requested):');
      for (const [t, b] of r.breakdown.types) out.push(`    ${t.padEnd(40)} ${String(b.files).padStart(5)}  ${n(b.stored / 1024).padStart(10)} KiB → ${n(b.read / 1024).padStart(9)} KiB (${pct(b.read / Math.max(1, b.stored))}, ${(b.requests / b.files).toFixed(2)} req/file)`);
      out.push('  files read the most:');
      for (const f of r.breakdown.top) out.push(`    ${f.path}: ${n(f.read / 1024)} of ${n(f.size / 1024)} KiB in ${f.requests} reads`);
      out.push('');
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
} finally {
  await cleanup();
}
