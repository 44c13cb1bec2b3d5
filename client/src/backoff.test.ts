import { describe, expect, it } from 'vitest';
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, backoffCeiling, backoffDelay } from './backoff.ts';

describe('backoff', () => {
  it('doubles the ceiling from 500 ms and stops at 20 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 100, 10_000].map(backoffCeiling)).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 20_000, 20_000, 20_000, 20_000]);
  });

  it('draws the delay uniformly below the ceiling (full jitter)', () => {
    expect(backoffDelay(0, () => 0)).toBe(0);
    expect(backoffDelay(0, () => 0.5)).toBe(BACKOFF_BASE_MS / 2);
    expect(backoffDelay(3, () => 0.25)).toBe(1000);
    expect(backoffDelay(50, () => 0.999)).toBeCloseTo(BACKOFF_MAX_MS * 0.999);
  });

  it('stays within [0, ceiling) with Math.random', () => {
    for (let failures = 0; failures < 12; failures += 1) {
      for (let i = 0; i < 200; i += 1) {
        const delay = backoffDelay(failures);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(backoffCeiling(failures));
      }
    }
  });
});
