import { describe, expect, it } from 'vitest';
import { memoString } from './memo.js';

describe('memoString', () => {
  it('computes each key once, rethrows remembered errors, and stays within its bound', () => {
    let calls = 0;
    const f = memoString((k: string) => {
      calls++;
      if (k === 'bad') throw new Error('bad key');
      return k.length;
    }, 2);
    expect([f('a'), f('a'), f('bb')]).toEqual([1, 1, 2]);
    expect(calls).toBe(2);
    expect(() => f('bad')).toThrow('bad key');
    expect(() => f('bad')).toThrow('bad key');
    // The cache was full at 'bad' and started again: 'a' is computed anew, then remembered.
    expect(calls).toBe(3);
    f('a');
    f('a');
    expect(calls).toBe(4);
  });
});
