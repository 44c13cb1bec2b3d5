import { describe, expect, it } from 'vitest';
import { createTokenBucket } from './token-bucket.ts';

describe('token bucket', () => {
  it('allows a burst, then refills at the rate', () => {
    const start = performance.now();
    const bucket = createTokenBucket(10, 3, start);
    expect([bucket.take(start), bucket.take(start), bucket.take(start), bucket.take(start)]).toEqual([true, true, true, false]);
    expect(bucket.take(start + 100)).toBe(true);
    expect(bucket.take(start + 100)).toBe(false);
    expect(bucket.isFull(start + 1000)).toBe(true);
  });
});
