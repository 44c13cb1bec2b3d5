import { describe, expect, it } from 'vitest';
import { CONSOLE_LATENCY_BOUNDS_MS } from '../protocol.ts';
import { addLatencyCounts, emptyLatencyCounts, latencyBucket, latencyPercentiles } from './latency-buckets.ts';

describe('console latency buckets', () => {
  it('puts a latency in the first bucket whose bound holds it, and beyond the last in the open one', () => {
    expect(latencyBucket(0.2)).toBe(0);
    expect(latencyBucket(1)).toBe(0);
    expect(latencyBucket(1.01)).toBe(1);
    expect(latencyBucket(250)).toBe(CONSOLE_LATENCY_BOUNDS_MS.indexOf(250));
    expect(latencyBucket(60_000)).toBe(CONSOLE_LATENCY_BOUNDS_MS.length);
  });

  it('reads percentiles as the bound of the bucket holding the rank', () => {
    const counts = emptyLatencyCounts();
    expect(latencyPercentiles(counts)).toEqual({ p50: null, p95: null, p99: null, count: 0 });
    for (let i = 0; i < 90; i += 1) counts[latencyBucket(3)]! += 1;
    for (let i = 0; i < 9; i += 1) counts[latencyBucket(40)]! += 1;
    counts[latencyBucket(9000)]! += 1;
    expect(latencyPercentiles(counts)).toEqual({ p50: 5, p95: 50, p99: 50, count: 100 });
    counts[latencyBucket(9000)]! += 5;
    expect(latencyPercentiles(counts).p99).toBe(5000);
  });

  it('adds counts of the same shape and ignores others', () => {
    const total = emptyLatencyCounts();
    const one = emptyLatencyCounts();
    one[2] = 4;
    addLatencyCounts(total, one);
    addLatencyCounts(total, one);
    addLatencyCounts(total, [1, 2, 3]);
    expect(total[2]).toBe(8);
    expect(total.reduce((a, b) => a + b, 0)).toBe(8);
  });
});
