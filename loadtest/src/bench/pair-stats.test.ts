import { describe, expect, it } from 'vitest';
import { combineRuns, medianPairRatio, pooledPercentileRatio, windowedPercentileRatio, type PairedWindow } from './pair-stats.ts';

/** Samples spread evenly over [from, from + width), each window shifted by its own drift. */
const spread = (count: number, from: number, width: number) => Array.from({ length: count }, (_, i) => from + (i / count) * width);

describe('pooledPercentileRatio', () => {
  it('finds a 10% slower server and an interval that excludes 1 when the windows agree', () => {
    const windows: PairedWindow[] = Array.from({ length: 20 }, (_, w) => {
      const drift = 1 + (w % 5) / 10;
      return { a: spread(200, 1.1 * drift, 0.5 * drift), b: spread(200, drift, (0.5 / 1.1) * drift) };
    });
    const estimate = pooledPercentileRatio(windows, 50);
    expect(estimate.ratio).toBeGreaterThan(1.08);
    expect(estimate.ratio).toBeLessThan(1.12);
    expect(estimate.low).toBeGreaterThan(1);
    expect(estimate.high).toBeGreaterThanOrEqual(estimate.ratio);
    expect(estimate.windows).toBe(20);
  });

  it('gives a wide interval when the windows disagree', () => {
    const windows: PairedWindow[] = Array.from({ length: 10 }, (_, w) => (w % 2 === 0 ? { a: spread(100, 2, 1), b: spread(100, 1, 1) } : { a: spread(100, 1, 1), b: spread(100, 2, 1) }));
    const estimate = pooledPercentileRatio(windows, 50);
    expect(estimate.low).toBeLessThan(0.9);
    expect(estimate.high).toBeGreaterThan(1.1);
  });

  it('is the same for the same samples and seed', () => {
    const windows: PairedWindow[] = Array.from({ length: 8 }, (_, w) => ({ a: spread(50, w + 1, 2), b: spread(50, w + 1.5, 2) }));
    expect(pooledPercentileRatio(windows, 99, 7)).toEqual(pooledPercentileRatio(windows, 99, 7));
  });
});

describe('windowedPercentileRatio', () => {
  // Every window a 5% slower a, and now and then a window whose tail the machine stretched tenfold
  // for both: the pooled p99 is then set by those windows alone, the windowed one is not.
  const stalled = (w: number) => w % 7 === 3;
  const windows: PairedWindow[] = Array.from({ length: 28 }, (_, w) => {
    const tail = stalled(w) ? 10 : 1;
    const jitter = 1 + ((w * 37) % 11) / 100;
    return { a: spread(500, 1.05 * jitter, 1.05 * jitter * tail), b: spread(500, jitter, jitter * tail) };
  });

  it('finds the 5% in every window, with an interval that excludes 1', () => {
    const estimate = windowedPercentileRatio(windows, 99);
    expect(estimate.ratio).toBeCloseTo(1.05, 6);
    expect(estimate.low).toBeGreaterThan(1.04);
    expect(estimate.high).toBeLessThan(1.06);
    expect(estimate.windows).toBe(28);
  });

  it('gives one vote to each window where the pooled ratio follows the stalled ones', () => {
    const mixed = windows.map((w, i) => (stalled(i) ? { a: w.b, b: w.a } : w));
    expect(pooledPercentileRatio(mixed, 99).ratio).toBeLessThan(1);
    expect(windowedPercentileRatio(mixed, 99).ratio).toBeGreaterThan(1.02);
  });

  it('leaves out windows where a side has no sample', () => {
    expect(windowedPercentileRatio([...windows, { a: [], b: spread(10, 1, 1) }], 99).windows).toBe(28);
  });
});

describe('medianPairRatio', () => {
  it('is the median of the pairs\' ratios, inside its interval', () => {
    const pairs = [0.9, 0.95, 1, 1.02, 1.05, 1.1, 1.3].map((ratio) => ({ a: ratio * 100, b: 100 }));
    const estimate = medianPairRatio(pairs);
    expect(estimate.ratio).toBeCloseTo(1.02, 10);
    expect(estimate.low).toBeLessThanOrEqual(estimate.ratio);
    expect(estimate.high).toBeGreaterThanOrEqual(estimate.ratio);
    expect(estimate.low).toBeGreaterThanOrEqual(0.9);
    expect(estimate.high).toBeLessThanOrEqual(1.3);
  });
});

describe('combineRuns', () => {
  it('is the geometric mean, with a t interval over the runs that widens with their spread', () => {
    const agreeing = combineRuns([1.04, 1.05, 1.06, 1.05]);
    const spread = combineRuns([0.95, 1.15, 1.0, 1.1]);
    expect(agreeing.ratio).toBeCloseTo(Math.pow(1.04 * 1.05 * 1.06 * 1.05, 1 / 4), 10);
    expect(agreeing.low).toBeGreaterThan(1.03);
    expect(agreeing.high).toBeLessThan(1.07);
    expect(spread.low).toBeLessThan(0.96);
    expect(spread.high).toBeGreaterThan(1.14);
    expect(spread.runs).toBe(4);
  });

  it('gives no interval for one run', () => {
    expect(combineRuns([1.2])).toEqual({ ratio: 1.2, low: undefined, high: undefined, runs: 1 });
  });
});
