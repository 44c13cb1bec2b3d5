import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, summarize } from './latency-summary.ts';

describe('latency summaries', () => {
  it('gives exact nearest-rank percentiles for the listed connections', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarize(latencies.reverse())).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(summarize([])).toBeUndefined();
  });

  it('keeps a histogram\'s percentiles within 10% of the true ones, whole write rounds at once', () => {
    const histogram = createLatencyHistogram();
    const exact: number[] = [];
    // 10,000 deliveries over 0.05 ms … 30 s, added as rounds of 10 sharing one time.
    for (let round = 0; round < 1000; round += 1) {
      const ms = 0.05 * 1.0066 ** round * 1.0;
      histogram.add(ms, 10);
      for (let i = 0; i < 10; i += 1) exact.push(ms);
    }
    const truth = summarize(exact)!;
    const estimate = histogram.summary()!;
    expect(estimate.count).toBe(10_000);
    expect(estimate.max).toBe(truth.max);
    for (const key of ['p50', 'p95', 'p99'] as const) {
      expect(estimate[key], key).toBeGreaterThanOrEqual(truth[key] * 0.999);
      expect(estimate[key], key).toBeLessThanOrEqual(truth[key] * 1.1);
    }
    expect(createLatencyHistogram().summary()).toBeUndefined();
  });
});
