import { describe, expect, it } from 'vitest';
import { createIdempotencyCache } from './idempotency-cache.ts';

describe('idempotency cache', () => {
  it('answers within the window and forgets after it', async () => {
    const cache = createIdempotencyCache<number>(1000);
    cache.set('a', Promise.resolve(1), 0);
    expect(await cache.get('a', 999)).toBe(1);
    expect(cache.get('a', 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts expired entries as new ones arrive and respects its capacity', () => {
    const cache = createIdempotencyCache<number>(1000, 2);
    cache.set('a', Promise.resolve(1), 0);
    cache.set('b', Promise.resolve(2), 500);
    cache.set('c', Promise.resolve(3), 1200);
    expect(cache.size).toBe(2);
    expect(cache.get('a', 1200)).toBeUndefined();
    cache.set('d', Promise.resolve(4), 1300);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 1300)).toBeUndefined();
  });
});
