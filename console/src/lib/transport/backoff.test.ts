import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

const top = () => 0.999_999;

describe('backoffDelay', () => {
  it('doubles its ceiling from 500 ms up to 10 s by default', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffDelay(attempt, {}, top));
    expect(ceilings).toEqual([499, 999, 1999, 3999, 7999, 9999, 9999, 9999]);
  });

  it('draws the delay uniformly below the ceiling (full jitter)', () => {
    expect(backoffDelay(3, {}, () => 0)).toBe(0);
    expect(backoffDelay(3, {}, () => 0.5)).toBe(2000);
  });

  it('takes its own bounds', () => {
    expect(backoffDelay(0, { initialMs: 100, maxMs: 250 }, top)).toBe(99);
    expect(backoffDelay(5, { initialMs: 100, maxMs: 250 }, top)).toBe(249);
  });

  it('stays finite after a very long outage', () => {
    expect(backoffDelay(10_000, {}, top)).toBe(9999);
  });

  it('spreads consoles apart', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(6)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeLessThan(10_000);
  });
});
