import { describe, expect, it } from 'vitest';
import { linearScale, linearTicks, logScale, logTicks, niceCeiling } from './chart-scale.ts';
import { histogramBars } from './histogram-chart.ts';

describe('chart scales', () => {
  it('picks round linear ticks', () => {
    expect(linearTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(linearTicks(0, 0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceCeiling(4321)).toBe(5000);
    expect(niceCeiling(0)).toBe(1);
  });

  it('never maps to NaN, whatever the domain', () => {
    for (const [min, max] of [[0, 0], [5, 5], [Number.NaN, 3], [2, 1]] as const) {
      const scale = linearScale(min, max, 0, 100);
      for (const v of [min, max, 0, Number.NaN]) expect(Number.isFinite(scale.map(v))).toBe(true);
    }
    const log = logScale(0, 0, 0, 100);
    for (const v of [0, -1, 1, Number.NaN]) expect(Number.isFinite(log.map(v))).toBe(true);
  });

  it('widens a nice domain to round values', () => {
    expect(linearScale(1, 120, 0, 100, 8, true).domain).toEqual([0, 120]);
    expect(linearScale(61, 120, 0, 100, 8, true).domain).toEqual([60, 120]);
  });

  it('thins log ticks when the domain spans many decades', () => {
    expect(logTicks(0.5, 60)).toEqual([0.5, 1, 2, 5, 10, 20, 50]);
    expect(logTicks(0.05, 5000)).toEqual([0.1, 1, 10, 100, 1000]);
  });
});

describe('histogramBars', () => {
  it('derives lower edges, merges duplicates and trims empty ends', () => {
    const bars = histogramBars([
      { upperMs: 4, count: 2 },
      { upperMs: 0.5, count: 0 },
      { upperMs: 1, count: 1 },
      { upperMs: 2, count: 0 },
      { upperMs: 4, count: 1 },
      { upperMs: 8, count: 0 },
    ]);
    expect(bars).toEqual([
      { lowerMs: 0.5, upperMs: 1, count: 1, open: false },
      { lowerMs: 1, upperMs: 2, count: 0, open: false },
      { lowerMs: 2, upperMs: 4, count: 3, open: false },
    ]);
  });

  it('gives an open-ended last bucket the width of the one before', () => {
    const bars = histogramBars([
      { upperMs: 10, count: 1 },
      { upperMs: 20, count: 1 },
      { upperMs: Number.POSITIVE_INFINITY, count: 1 },
    ]);
    expect(bars.at(-1)).toEqual({ lowerMs: 20, upperMs: 40, count: 1, open: true });
  });
});
