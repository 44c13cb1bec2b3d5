import { CONSOLE_LATENCY_BOUNDS_MS } from '@wsgw/gateway/protocol';
import { describe, expect, it } from 'vitest';
import { buildLatencyHeatmap, latencyBucketLabels } from './latency-heatmap.ts';

describe('latencyBucketLabels', () => {
  it('labels every bound and the open bucket after the last', () => {
    const labels = latencyBucketLabels(CONSOLE_LATENCY_BOUNDS_MS);
    expect(labels).toHaveLength(CONSOLE_LATENCY_BOUNDS_MS.length + 1);
    expect(labels[0]).toBe('≤1 ms');
    expect(labels[6]).toBe('≤100 ms');
    expect(labels.at(-2)).toBe('≤5 s');
    expect(labels.at(-1)).toBe('>5 s');
  });
});

describe('buildLatencyHeatmap', () => {
  const bounds = [10, 100];

  it('is empty without data', () => {
    const heatmap = buildLatencyHeatmap([], [], bounds);
    expect(heatmap.columns).toEqual([]);
    expect(heatmap.rows).toEqual(['≤10 ms', '≤100 ms', '>100 ms']);
  });

  it('folds seconds into wall-clock columns ending at the newest point', () => {
    const times = [1000, 1001, 1009, 1010, 1015];
    const counts = [
      [1, 0, 0],
      [2, 1, 0],
      [0, 0, 1],
      [5, 0, 0],
      null,
    ];
    const heatmap = buildLatencyHeatmap(times, counts, bounds, { columnSeconds: 10, spanSeconds: 30 });
    expect(heatmap.columns.map((c) => c.start)).toEqual([990, 1000, 1010]);
    expect(heatmap.columns.map((c) => c.counts)).toEqual([
      [0, 0, 0],
      [3, 1, 1],
      [5, 0, 0],
    ]);
    expect(heatmap.columns.map((c) => c.total)).toEqual([0, 5, 5]);
    expect(heatmap.max).toBe(5);
  });

  it('leaves out seconds older than the span', () => {
    const heatmap = buildLatencyHeatmap([0, 500], [[9, 9, 9], [1, 0, 0]], bounds, { columnSeconds: 10, spanSeconds: 20 });
    expect(heatmap.columns).toHaveLength(2);
    expect(heatmap.columns.reduce((sum, c) => sum + c.total, 0)).toBe(1);
  });

  it('keeps 30 columns for five minutes at 10 s, whatever the number of seconds', () => {
    const times = Array.from({ length: 300 }, (_, i) => 2_000_000 + i);
    const counts = times.map(() => new Array<number>(CONSOLE_LATENCY_BOUNDS_MS.length + 1).fill(1));
    const heatmap = buildLatencyHeatmap(times, counts, CONSOLE_LATENCY_BOUNDS_MS);
    expect(heatmap.columns).toHaveLength(30);
    expect(heatmap.columns.reduce((sum, c) => sum + c.total, 0)).toBe(300 * 13);
  });
});
