/**
 * Memory stays flat however many records stream through the reporters: every built-in reporter at
 * once, in a child process (so that vitest's own memory does not count), sampled ten times with the
 * live heap measured after a full GC. The test runs 100 000 records (about 20 s on an idle machine);
 * the same script with 1 000 000 is the bench whose figures docs/reports.md quotes:
 *
 *   node --expose-gc --import tsx packages/report/test/memory/render-many.ts 1000000
 *
 * CLEARANCE_MEMORY_RECORDS changes the test's count.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const RECORDS = Number(process.env['CLEARANCE_MEMORY_RECORDS'] ?? 100_000);

interface Run {
  records: number;
  seconds: number;
  samples: { records: number; rssMB: number; heapMB: number }[];
  bytes: Record<string, number>;
}

describe('reporters in bounded memory', () => {
  it(`render ${RECORDS.toLocaleString('en-US')} records with a flat heap and RSS`, { timeout: 900_000 }, () => {
    const script = path.join(import.meta.dirname, 'memory', 'render-many.ts');
    const child = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=256', '--import', 'tsx', script, String(RECORDS)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const run = JSON.parse(child.stdout) as Run;
    console.info(`reporters, ${run.records} records in ${run.seconds} s: ${run.samples.map((s) => `${s.records}: rss ${s.rssMB} MB heap ${s.heapMB} MB`).join(' · ')}`);
    // Every format wrote, and the record-sized ones wrote about as much as the records are large.
    expect(Object.keys(run.bytes)).toHaveLength(13);
    expect(run.bytes['jsonl.out']!).toBeGreaterThan(RECORDS * 500);
    // From the first tenth on (caches, spills and JIT warm by then), the heap after GC and the
    // resident set stay within a few megabytes while nine tenths of the records stream past.
    const warm = run.samples.filter((s) => s.records >= RECORDS / 10);
    const heap = warm.map((s) => s.heapMB);
    const rss = warm.map((s) => s.rssMB);
    expect(Math.max(...heap) - heap[0]!).toBeLessThan(8);
    expect(Math.max(...rss) - rss[0]!).toBeLessThan(48);
  });
});
