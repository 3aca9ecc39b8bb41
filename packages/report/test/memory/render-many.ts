/**
 * Child process of memory.test.ts (and a bench on its own):
 *
 *   node --expose-gc --import tsx packages/report/test/memory/render-many.ts [records] [formats]
 *
 * Streams `records` synthetic records (default 1 000 000) through every built-in reporter at once
 * (or the comma-separated `formats`), writing to outputs that count bytes and drop them, and prints
 * one JSON line: the resident set size and the live heap (after a full GC) sampled as records go,
 * the time taken and the bytes each format produced. Records are made one at a time and never kept,
 * so any growth is the reporters'.
 */
import type { Output } from '../../src/output.js';
import { reporters } from '../../src/registry.js';
import type { Reporter } from '../../src/reporter.js';
import { SummaryOf, syntheticRecord } from '../records.js';

const n = Number(process.argv[2] ?? 1_000_000);
const formats = (process.argv[3] ?? Object.keys(reporters).join(',')).split(',');
const gc = (globalThis as { gc?: () => void }).gc;

/** An output that counts what it is given and keeps none of it; it yields now and then, as a file would. */
function nullOutput(target: string, sizes: Map<string, number>): Output {
  let pending = 0;
  sizes.set(target, 0);
  return {
    target,
    isTTY: false,
    async write(text) {
      sizes.set(target, sizes.get(target)! + Buffer.byteLength(text));
      pending += text.length;
      if (pending >= 1 << 20) {
        pending = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
    async commit() {},
    async abort() {},
    sibling: async (other) => nullOutput(other, sizes),
  };
}

const sizes = new Map<string, number>();
const active: Reporter[] = formats.map((f) => reporters[f]!(nullOutput(`${f}.out`, sizes), { env: {}, color: false }));
const summary = new SummaryOf();
const samples: { records: number; rssMB: number; heapMB: number }[] = [];
const sample = (records: number) => {
  gc?.();
  const m = process.memoryUsage();
  samples.push({ records, rssMB: Math.round(m.rss / 1e5) / 10, heapMB: Math.round(m.heapUsed / 1e5) / 10 });
};

const started = performance.now();
const every = Math.max(1, Math.floor(n / 10));
sample(0);
for (let i = 0; i < n; i++) {
  const record = syntheticRecord(i);
  summary.add(record);
  for (const r of active) await r.onRecord?.(record);
  if ((i + 1) % every === 0) sample(i + 1);
}
const s = summary.build();
for (const r of active) await r.onEnd?.(s);
sample(n);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ records: n, formats, seconds: Math.round(seconds * 10) / 10, samples, bytes: Object.fromEntries(sizes) })}\n`);
