import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, decodeLatencyHistogram } from './latency-histogram.ts';

describe('latency histogram', () => {
  it('gives percentiles in ms and merges encoded histograms exactly', () => {
    const a = createLatencyHistogram();
    const b = createLatencyHistogram();
    for (let i = 1; i <= 1000; i += 1) a.recordMs(i / 10); // 0.1 .. 100 ms
    for (let i = 1; i <= 1000; i += 1) b.recordMs(100 + i / 10); // 100.1 .. 200 ms
    const merged = createLatencyHistogram();
    merged.add(decodeLatencyHistogram(a.encode()));
    merged.add(decodeLatencyHistogram(b.encode()));
    const p = merged.percentiles();
    expect(p.count).toBe(2000);
    expect(p.p50).toBeCloseTo(100, 0);
    expect(p.p99).toBeCloseTo(198, 0);
    expect(p.max).toBeCloseTo(200, 0);
  });

  it('buckets every sample once in doubling buckets', () => {
    const h = createLatencyHistogram();
    for (const ms of [0.05, 0.2, 0.2, 3, 50, 1000]) h.recordMs(ms);
    const buckets = h.buckets();
    expect(buckets.reduce((sum, b) => sum + b.count, 0)).toBe(6);
    expect(buckets[0]).toEqual({ upperMs: 0.1, count: 1 });
    expect(buckets.at(-1)!.upperMs).toBeGreaterThanOrEqual(1000);
    expect(createLatencyHistogram().buckets()).toEqual([]);
  });
});
