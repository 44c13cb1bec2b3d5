import { describe, expect, it } from 'vitest';
import { combinePairRuns, pairRun, type PairRunDocument } from './pair-runs.ts';
import type { ServerKind } from './bench-options.ts';

/** A run in which `a` is `factor` times `b` in every window and block (latencies and CPU alike). */
const run = (a: ServerKind, b: ServerKind, factor: number, windows = 30): PairRunDocument => ({
  options: { a, b, windows, windowMs: 5000, blocks: 6 },
  windows: Array.from({ length: windows }, (_, w) => {
    const drift = 1 + (w % 4) / 10;
    return { a: { p50Ms: 0.5 * drift * factor, p99Ms: 5 * drift * factor, cpuUsPerPush: 600 * drift * factor }, b: { p50Ms: 0.5 * drift, p99Ms: 5 * drift, cpuUsPerPush: 600 * drift } };
  }),
  blocks: Array.from({ length: 6 }, () => ({ a: { deliveriesPerSec: 100_000 / factor, serverCpuUsPerDelivery: 2 * factor }, b: { deliveriesPerSec: 100_000, serverCpuUsPerDelivery: 2 } })),
  gc: { latency: { a: { minor: { count: 10, ms: 100 }, major: { count: 1, ms: 20 } }, b: { minor: { count: 10, ms: 90 } } } },
});

describe('pairRun', () => {
  it('reads a run as it was measured, a over b', () => {
    const measured = pairRun(run('wsgw', 'wsgw-norecord', 1.1), 'wsgw', 'wsgw-norecord');
    expect(measured.swapped).toBe(false);
    expect(measured.figures.latencyP99.ratio).toBeCloseTo(1.1, 10);
    expect(measured.figures.serverCpuPerPush.ratio).toBeCloseTo(1.1, 10);
    expect(measured.figures.broadcastDeliveriesPerSec.ratio).toBeCloseTo(1 / 1.1, 10);
    expect(measured.gcMs).toEqual({ a: { minor: 100, major: 20 }, b: { minor: 90, major: 0 } });
  });

  it('inverts a run with the servers the other way round, interval and all', () => {
    const swapped = pairRun(run('wsgw-norecord', 'wsgw', 1 / 1.2), 'wsgw', 'wsgw-norecord');
    expect(swapped.swapped).toBe(true);
    expect(swapped.figures.latencyP50.ratio).toBeCloseTo(1.2, 10);
    expect(swapped.figures.latencyP50.low).toBeLessThanOrEqual(swapped.figures.latencyP50.ratio);
    expect(swapped.figures.latencyP50.high).toBeGreaterThanOrEqual(swapped.figures.latencyP50.ratio);
  });

  it('refuses a run of other servers', () => {
    expect(() => pairRun(run('wsgw', 'socketio', 1), 'wsgw', 'wsgw-norecord')).toThrow(/wsgw \/ socketio/);
  });
});

describe('combinePairRuns', () => {
  it('takes the geometric mean over runs in both orientations, with an interval over the runs', () => {
    const runs = [pairRun(run('wsgw', 'wsgw-norecord', 1.1), 'wsgw', 'wsgw-norecord'), pairRun(run('wsgw-norecord', 'wsgw', 1 / 1.2), 'wsgw', 'wsgw-norecord'), pairRun(run('wsgw', 'wsgw-norecord', 1.15), 'wsgw', 'wsgw-norecord')];
    const combined = combinePairRuns(runs);
    expect(combined.latencyP99.ratio).toBeCloseTo(Math.cbrt(1.1 * 1.2 * 1.15), 10);
    expect(combined.latencyP99.runs).toBe(3);
    expect(combined.latencyP99.low).toBeLessThan(1.1);
    expect(combined.latencyP99.high).toBeGreaterThan(1.2);
  });
});
