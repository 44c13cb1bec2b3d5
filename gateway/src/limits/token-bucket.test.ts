import { describe, expect, it } from 'vitest';
import { createTokenBucket } from './token-bucket.ts';

describe('token bucket', () => {
  it('allows a burst, then refills at the rate', () => {
    const start = performance.now();
    const bucket = createTokenBucket(10, 3, start);
    expect([bucket.take(start), bucket.take(start), bucket.take(start), bucket.take(start)]).toEqual([true, true, true, false]);
    // 150 ms at 10/s refills one and a half tokens: one take succeeds, the next does not.
    expect(bucket.take(start + 150)).toBe(true);
    expect(bucket.take(start + 150)).toBe(false);
    expect(bucket.isFull(start + 1000)).toBe(true);
  });
});
