import { describe, expect, it } from 'vitest';
import { formatRatio, formatSpread, spreadOf, summarizeFigures, type FigureSample } from './figures.ts';
import { percentile } from './latency-stats.ts';

describe('spreadOf', () => {
  it('gives the median of an odd and an even count with the range, ignoring non-finite values', () => {
    expect(spreadOf([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(spreadOf([4, 1, 2, 3, Number.NaN])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
    expect(spreadOf([])).toBeUndefined();
  });
});

describe('percentile', () => {
  it('is nearest-rank: p50 of 1..10 is 5, p99 is the maximum', () => {
    const values = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
  });
});

describe('summarizeFigures', () => {
  const sample = (server: FigureSample['server'], repeat: number, value: number): FigureSample => ({ figure: 'broadcast', connections: 1000, server, repeat, value });

  it('folds runs into median and range, with the subject/peer ratio paired by run', () => {
    const rows = summarizeFigures(
      [sample('wsgw', 1, 100), sample('wsgw', 2, 120), sample('wsgw', 3, 90), sample('raw', 1, 200), sample('raw', 2, 200), sample('raw', 3, 300)],
      'wsgw',
      ['wsgw', 'raw'],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ server: 'wsgw', value: { median: 100, min: 90, max: 120 }, ratio: undefined });
    expect(rows[1]).toMatchObject({ server: 'raw', value: { median: 200 }, ratio: { median: 0.5, min: 0.3, max: 0.6, runs: 3 } });
  });

  it('formats a spread and a ratio', () => {
    expect(formatSpread({ median: 12345.6, min: 10000, max: 20000, runs: 3 }, 0)).toBe('12,346 [10,000–20,000]');
    expect(formatRatio({ median: 0.5, min: 0.3, max: 0.6, runs: 3 })).toBe('0.50× [0.30–0.60]');
  });
});
