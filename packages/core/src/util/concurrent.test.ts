import { describe, expect, it } from 'vitest';
import { mapConcurrent } from './concurrent.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mapConcurrent', () => {
  it('keeps at most `limit` calls in flight and yields every result as it completes', async () => {
    let inFlight = 0;
    let most = 0;
    const out: number[] = [];
    for await (const v of mapConcurrent(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep((i * 7) % 5);
        inFlight--;
        return i;
      },
    )) {
      out.push(v);
    }
    expect(most).toBe(4);
    expect(out.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('pulls input lazily, so an endless source is fine', async () => {
    let pulled = 0;
    async function* endless() {
      for (;;) yield pulled++;
    }
    const out: number[] = [];
    for await (const v of mapConcurrent(endless(), 3, async (i) => i)) {
      out.push(v);
      if (out.length === 10) break;
    }
    expect(out).toHaveLength(10);
    expect(pulled).toBeLessThanOrEqual(13);
  });

  it('throws the first failure and lets the rest settle', async () => {
    const run = async () => {
      for await (const _ of mapConcurrent([1, 2, 3], 3, async (i) => {
        await sleep(i);
        if (i === 2) throw new Error('boom');
        return i;
      }))
        void _;
    };
    await expect(run()).rejects.toThrow('boom');
  });
});
